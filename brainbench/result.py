"""Results: scores plus everything needed to trust and reproduce them.

A result file is JSON (schema ``brainbench.result/1``): the model (card, weights hash, preprocessing,
candidate layers), one entry per benchmark (raw, ceiling, ceiled, 95% intervals, chosen layer, layer
profile, flags), failures (never counted as zero), and provenance (package versions, git sha, data
checksums, seeds, timings, peak memory, device, command line).
"""
from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

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


def provenance(device: str, started: float) -> dict:
    prov = {
        "brainbench_git_sha": git_sha(),
        "packages": package_versions(),
        "python": platform.python_version(),
        "platform": platform.platform(),
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
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(document, f, indent=1, default=str)
    os.replace(tmp, path)
    return path


def load_result(path: str | os.PathLike) -> dict:
    document = json.loads(Path(path).read_text())
    if document.get("schema") != SCHEMA:
        raise ValueError(f"{path}: not a brainbench result (schema {document.get('schema')!r}, expected {SCHEMA!r})")
    return document
