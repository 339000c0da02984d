"""Results: scores plus everything needed to trust and reproduce them.

A result file is JSON (schema ``brainbench.result/1``): the model (card, weights hash, preprocessing,
candidate layers), one entry per benchmark (raw, ceiling, ceiled, 95% intervals, chosen layer, layer
profile, flags), failures (never counted as zero, each with a one-line reason and its traceback), and provenance
(package versions, git sha, data checksums, seeds, timings, peak memory, device, command line, and
``allow_modified_data`` with the modified files when data that differ from their pins were scored).

A run merges into the model's file (``save_result``): the benchmarks it scored or failed replace
their entries, every other entry is kept, so a narrower or interrupted run never shrinks the file.
"""
from __future__ import annotations

import contextlib
import errno
import json
import os
import platform
import resource
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

from .atomic import atomic_file, fsync_dir, write_json
from .errors import OutputError
from .paths import checkout_root

SCHEMA = "brainbench.result/1"
_PACKAGES = ("brainbench", "torch", "torchvision", "numpy", "scipy", "scikit-learn", "xarray", "himalaya", "rsatoolbox", "transformers")


def package_versions() -> dict:
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions


def git_sha() -> str | None:
    root = checkout_root()
    if root is None:
        return None
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True, timeout=5).stdout.strip()
        return (sha + ("-dirty" if dirty else "")) or None
    except (OSError, subprocess.SubprocessError):
        return None


def peak_memory_mb() -> float:
    """Peak resident memory of this process (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20


def software() -> dict:
    """The code a run used: brainbench's commit, the packages' versions, Python and the platform (a
    git call and a scan of the installed packages: ~40 ms, so a run asks once, not at every merge)."""
    return {
        "brainbench_git_sha": git_sha(),
        "packages": package_versions(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def provenance(device: str, started: float, software_: dict | None = None) -> dict:
    """How a run ran; ``software_``: ``software()`` as the run found it when it started, else asked now."""
    prov = {
        **(software_ if software_ is not None else software()),
        "device": device,
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "wall_seconds": time.time() - started,
        "peak_memory_mb": peak_memory_mb(),
    }
    try:
        import torch

        if device.startswith("cuda") and torch.cuda.is_available():
            prov["gpu"] = torch.cuda.get_device_name()
            prov["peak_gpu_memory_mb"] = torch.cuda.max_memory_allocated() / 2**20
    except ImportError:
        pass
    return prov


def write_json_atomic(path: str | os.PathLike, document: dict) -> Path:
    """Write a result file whole or not at all (brainbench.atomic), creating its folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_json(path, document, indent=1)


def load_result(path: str | os.PathLike) -> dict:
    document = json.loads(Path(path).read_text())
    if document.get("schema") != SCHEMA:
        raise ValueError(f"{path}: not a brainbench result (schema {document.get('schema')!r}, expected {SCHEMA!r})")
    return document


# -- writing where the user asked ------------------------------------------------------------------
def check_output_dir(folder: str | os.PathLike, what: str = "result files", option: str = "--out") -> Path:
    """Make sure ``what`` can be written into ``folder`` before any work (OutputError with the fix;
    ``option``: the command-line option that gave the folder)."""
    folder = Path(folder).expanduser()
    try:
        probe_writable(folder)
    except OSError as exc:
        raise output_error(folder, exc, what, option) from None
    return folder


def is_result_file(path: Path) -> bool:
    """Whether ``path`` holds a brainbench result (a JSON object with this schema)."""
    try:
        document = json.loads(Path(path).read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and document.get("schema") == SCHEMA


def probe_writable(folder: Path) -> None:
    """Make ``folder`` and create, fsync and rename a file in it, then remove it: OSError if the
    folder cannot take files (a file in the way, no permission, a full disk)."""
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_file(folder / ".brainbench-write-test"):
        pass
    (folder / ".brainbench-write-test").unlink()


def output_error(folder: Path, exc: OSError, what: str = "result files", option: str = "--out") -> OutputError:
    return OutputError(f"cannot write {what} into {folder}: {unwritable_reason(folder, exc)}. Fix: pass {option} with a folder you can write to.")


def unwritable_reason(folder: Path, exc: OSError) -> str:
    """Why ``folder`` could not take a file (``exc``: what the write raised), in words: a file in the
    way (the folder itself or one above it), a full disk, or the system's reason."""
    blocked = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocked is not None:
        return f"{blocked} is a file, not a folder"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "its disk is full"
    return exc.strerror or str(exc)


# -- merging: a run updates the benchmarks it scored and keeps the others --------------------------
def _same_model_code(old: dict, new: dict) -> bool:
    """Whether two result files describe the same model's numbers: the same identity, and the same
    plugin code where both files record it (files from before brainbench recorded it are not refused)."""
    a, b = _identity(old), _identity(new)
    if a is None or b is None:
        return True
    code_a, code_b = (d.get("model", {}).get("plugin_source_sha256") for d in (old, new))
    return a == b and (code_a is None or code_b is None or code_a == code_b)


def _identity(document: dict) -> tuple | None:
    """What makes two result files describe the same model's numbers (None: the model never built)."""
    model = document.get("model", {})
    if not model.get("weights_sha256"):
        return None
    dtype = document.get("activation_storage", {}).get("dtype", "float32")
    return model["weights_sha256"], json.dumps(model.get("preprocessing"), sort_keys=True, default=str), dtype


def _merge_dicts(old: dict | None, new: dict | None) -> dict:
    merged = dict(old or {})
    for key, value in (new or {}).items():
        merged[key] = {**merged[key], **value} if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


def merge_results(old: dict, new: dict) -> dict:
    """``new`` (one run) merged into ``old`` (the file): a benchmark scored or failed anew replaces its
    entry, every other score and failure is kept. A new failure of a benchmark that has an earlier
    score keeps that score and says so. Both must describe the same model (``_identity``)."""
    new_scores = {s["benchmark"]: s for s in new.get("scores", [])}
    new_failed = {f["benchmark"] for f in new.get("failed", [])}
    old_scored = {s["benchmark"] for s in old.get("scores", [])}
    scores = [new_scores.get(s["benchmark"], s) for s in old.get("scores", [])]
    scores += [s for b, s in new_scores.items() if b not in old_scored]
    built = _identity(new) is not None
    failed = [
        f for f in old.get("failed", [])
        if f["benchmark"] not in new_scores and f["benchmark"] not in new_failed and not (built and f["benchmark"] == "*")
    ]
    failed += [{**f, "previous_score_kept": True} if f["benchmark"] in old_scored and f["benchmark"] not in new_scores else f for f in new.get("failed", [])]
    merged = {**old, **new, "scores": scores, "failed": failed}
    merged["model"] = new["model"] if built else old.get("model", new.get("model"))
    for key in ("timings", "provenance_data", "activation_storage", "memory_plan"):
        if key in old or key in new:
            merged[key] = _merge_dicts(old.get(key), new.get(key))
    merged["provenance"] = _merge_provenance(old.get("provenance", {}), new.get("provenance", {}))
    return merged


def _merge_provenance(old: dict, new: dict) -> dict:
    """The latest run's provenance; modified data stay recorded while their scores are in the file."""
    merged = dict(new)
    if old.get("allow_modified_data") or new.get("allow_modified_data"):
        merged["allow_modified_data"] = True
        merged["modified_files"] = sorted(set(old.get("modified_files", [])) | set(new.get("modified_files", [])))
    return merged


@contextlib.contextmanager
def _folder_lock(folder: Path):
    """Serialise read-merge-write of result files in one folder across processes (flock on the folder)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, the write itself stays atomic
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def save_result(path: str | os.PathLike, run: dict, log=None) -> dict:
    """Merge one run's document into the result file at ``path`` (atomic, fsync'ed). Returns what was written.

    A file for other weights (or preprocessing, or storage dtype) is not mixed with this run: it is
    moved to ``superseded/`` beside it, and ``log`` says so. A file that is not a brainbench result is
    never overwritten (OutputError)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _folder_lock(path.parent):
            document = _merged_with_file(path, run, log)
            write_json(path, document, indent=1)
    except OSError as exc:
        raise output_error(path.parent, exc) from exc
    return document


def _merged_with_file(path: Path, run: dict, log) -> dict:
    if not path.exists():
        return run
    try:
        old = load_result(path)
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path} exists but is not a readable brainbench result ({exc}); it was left as it is. Fix: move it away, or pass another --out.") from None
    if not _same_model_code(old, run):
        aside = path.parent / "superseded" / f"{path.stem}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
        aside.parent.mkdir(exist_ok=True)
        os.replace(path, aside)
        fsync_dir(path.parent)
        if log:
            log(f"{path} held scores of other weights, preprocessing, plugin code or storage dtype; moved to {aside}")
        return run
    return merge_results(old, run)
