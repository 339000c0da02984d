"""Checksummed, resumable downloads of the brainbench data from their original public sources.

Each dataset has a manifest (``SOURCES``): the folder it lives in under a data root, and for every file
its path in that folder, its sha256 and size (computed from the reference copy), and the pinned URL it
comes from — a raw file of the original authors' repository at a fixed commit — or, for a file that no
public host serves byte for byte, how to rebuild it.

- ``fetch(name)`` downloads into the user cache (:func:`brainbench.paths.user_data_dir`). Files land in
  a staging folder ``<cache>/.incoming/<folder>`` as ``<file>.part``; an interrupted download resumes
  with an HTTP ``Range`` request; a file whose sha256 differs is deleted and reported (URL, expected and
  actual digest); the dataset folder appears under its final name only when every file is verified,
  by one directory rename, so a loader never sees half a dataset.
- ``$BRAINBENCH_MIRROR`` (or ``mirror=``) replaces every URL by ``<mirror>/<folder>/<path>``: a mirror
  serves the brainbench files themselves (tests point it at a server on 127.0.0.1).
- ``import_dir(path)`` takes a folder the user already has, verifies every checksum and copies (or
  links) it into the cache the same way.
- ``status(name)`` says where a dataset is, what is missing and whether the checksums hold.

Nothing here is imported by the scoring path; it only writes where ``brainbench.paths`` looks.
"""
from __future__ import annotations

import hashlib
import http.client
import io
import json
import os
import pickle
import shutil
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from .atomic import publish, write_bytes
from .errors import BrainbenchError, DataNotFoundError, UnknownNameError
from .paths import data_search_path, user_data_dir
from .stimuli import sha256_file

MIRROR_ENV = "BRAINBENCH_MIRROR"
CHUNK = 1 << 16
USER_AGENT = "brainbench-fetch/1"


class FetchError(DataNotFoundError):
    """A download failed, was interrupted, or produced a file whose checksum is wrong.

    ``culprits``: downloaded upstream files found at fault; they are deleted so the next fetch gets
    them again (a retry must never trip over the same bad file).
    """

    def __init__(self, message: str, culprits: tuple[Path, ...] = ()):
        super().__init__(message)
        self.culprits = tuple(culprits)


class ChecksumError(FetchError):
    """A file's sha256 differs from the pinned one."""


@dataclass(frozen=True)
class FileSpec:
    """One file of a dataset: where it goes, what it must hash to, and where it comes from.

    ``url`` is the pinned upstream file; ``derive`` names a converter in ``CONVERTERS`` that turns the
    upstream file (with the further upstream files in ``also``) into this one; the sha256 is then that
    of the converted file, so the conversion is checked byte for byte. ``url=None``: no public host
    serves this exact file; see the dataset's ``rebuild`` note, a mirror, or ``brainbench data import``.
    """

    path: str
    sha256: str
    size: int
    url: str | None = None
    derive: str | None = None
    also: tuple[str, ...] = ()

    @property
    def upstream_urls(self) -> tuple[str, ...]:
        return (self.url, *self.also) if self.url else ()


@dataclass(frozen=True)
class DatasetSource:
    name: str  # the dataset plugin's name (``brainbench data fetch NAME``)
    folder: str  # folder under a data root
    files: tuple[FileSpec, ...]
    origin: str  # the original source, in words
    rebuild: str = ""  # how to rebuild files that no public host serves
    #: files of other datasets that this one reads: (dataset name, path prefix), e.g. shared stimuli
    shares: tuple[tuple[str, str], ...] = ()

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)


def mirror_url(mirror: str, source: DatasetSource, spec: FileSpec) -> str:
    return f"{mirror.rstrip('/')}/{source.folder}/{spec.path}"


# -- converters: upstream file -> brainbench file ----------------------------------------------------
class _ArraysOnlyUnpickler(pickle.Unpickler):
    """Unpickles dicts, lists and numpy arrays only: a downloaded pickle must not run code."""

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("collections", "OrderedDict"),
        ("_codecs", "encode"),  # protocol-2 pickles store array bytes as latin-1 text
    }

    def find_class(self, module, name):
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a downloaded pickle (only numpy arrays in dicts are expected)")
        if module.startswith("numpy.core"):  # numpy 1.x pickles name numpy.core, numpy 2 calls it numpy._core
            module = module.replace("numpy.core", "numpy._core", 1)
        return super().find_class(module, name)


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    # np.savez_compressed writes fixed zip timestamps, so equal arrays in equal order give equal bytes
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def convert_conwell_rdms(upstream: Path, target: Path, expected_sha256: str) -> None:
    """``rdms_reliable.pkl`` ({area: {layer: (119, 119) correlation matrix}}) -> ``similarity.npz``.

    Keys become ``<area>_<layer>`` in sorted order. The published file puts the blank screen last
    (index 118); if the upstream matrices put it first, it is moved. The result must hash to the
    pinned sha256, so no guess about the order can go unnoticed.
    """
    try:
        with open(upstream, "rb") as f:
            nested = _ArraysOnlyUnpickler(f).load()
        arrays = {f"{area}_{layer}": np.asarray(m, dtype=np.float64) for area in sorted(nested) for layer, m in sorted(nested[area].items())}
    except (pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError) as exc:
        raise FetchError(f"{upstream}: not the expected pickle of {{area: {{layer: matrix}}}} ({exc})") from exc
    candidates = [arrays]
    if all(m.shape == (119, 119) for m in arrays.values()):
        order = np.r_[1:119, 0]
        candidates.append({k: m[np.ix_(order, order)] for k, m in arrays.items()})
    for candidate in candidates:
        data = _npz_bytes(candidate)
        if hashlib.sha256(data).hexdigest() == expected_sha256:
            write_bytes(target, data)  # whole or absent
            return
    raise ChecksumError(
        f"{upstream} converts to a similarity.npz whose sha256 differs from the published "
        f"{expected_sha256[:16]}... (keys: {', '.join(list(arrays)[:3])}...). The upstream file changed or "
        "is not the one the published data were built from; use a mirror or `brainbench data import`."
    )


def _write_verified(data: bytes, target: Path, expected_sha256: str, what: str, culprits=()) -> None:
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected_sha256:
        raise ChecksumError(
            f"{what} builds a {target.name} whose sha256 {actual[:16]}... differs from the published "
            f"{expected_sha256[:16]}...: the upstream files changed or are not the ones the published data "
            "were built from; use a mirror or `brainbench data import`.",
            culprits,
        )
    write_bytes(target, data)  # whole or absent


def _allen_np_format():
    from brainbench.datasets.allen_neuropixels import format as fmt  # numpy + Pillow only

    return fmt


def convert_allen_scene_tiff(upstreams: list[tuple[str, Path]], target: Path, expected_sha256: str) -> None:
    """Allen's ``natural_scene_<frame>.tiff`` stimulus template -> ``images/scene_NNN.png`` (same pixels)."""
    from PIL import Image

    (url, path), = upstreams
    try:
        with Image.open(path) as image:
            pixels = np.asarray(image)
    except (OSError, ValueError) as exc:
        raise FetchError(f"{url}: not a readable TIFF image ({exc})", (path,)) from exc
    if pixels.ndim != 2 or pixels.dtype.kind not in "ui" or pixels.min() < 0 or pixels.max() > 255:
        raise FetchError(f"{url}: expected an 8-bit grayscale image, got {pixels.shape} {pixels.dtype}", (path,))
    _write_verified(_allen_np_format().encode_png(pixels.astype(np.uint8)), target, expected_sha256,
                    f"{url} ({pixels.shape[0]}x{pixels.shape[1]} pixels)", (path,))


def _allen_np_sessions(upstreams: list[tuple[str, Path]]) -> dict[str, dict]:
    """Pair each session's ``<KEY>.json`` and ``<KEY>.npy``; read the metadata (n_bins_10ms appended)."""
    sessions: dict[str, dict] = {}
    for url, path in upstreams:
        key, ext = url.rsplit("/", 1)[1].rsplit(".", 1)
        sessions.setdefault(key, {})[ext] = (url, path)
    for key, files in sessions.items():
        if set(files) != {"json", "npy"}:
            raise FetchError(f"session {key}: expected a .json and a .npy upstream file, got {sorted(files)}")
        url, path = files["json"]
        try:
            meta = json.loads(path.read_text())
            start, stop = meta["time_window_idx"]
        except (ValueError, KeyError, TypeError) as exc:
            raise FetchError(f"{url}: not the expected session metadata ({type(exc).__name__}: {exc})", (path,)) from exc
        meta["n_bins_10ms"] = int(stop) - int(start)
        files["meta"] = meta
    return sessions


def _check_session(key: str, kind: str, digest: str, files: dict, expect: str) -> None:
    if digest[:16] != expect:
        url, path = files["npy" if kind == "counts" else "json"]
        raise ChecksumError(
            f"session {key}: the {kind} built from {url} do not match the published ones (sha256 {digest[:16]} "
            f"vs {expect}); that upstream file changed. Use a mirror or `brainbench data import`.",
            (path,),
        )


def convert_allen_np_counts(upstreams: list[tuple[str, Path]], target: Path, expected_sha256: str) -> None:
    """Per-session window means (``<KEY>.npy``, float32) -> ``spike_counts.npz`` of uint8 spike counts."""
    fmt = _allen_np_format()
    arrays = {}
    for key, files in sorted(_allen_np_sessions(upstreams).items()):
        url, path = files["npy"]
        try:
            mean = np.load(path, allow_pickle=False)
            counts = fmt.counts_from_window_mean(mean, files["meta"]["n_bins_10ms"], where=url)
        except (ValueError, OSError) as exc:  # FormatError is a ValueError
            raise FetchError(f"{url}: {exc}", (path,)) from exc
        _check_session(key, "counts", hashlib.sha256(counts.tobytes()).hexdigest(), files, ALLEN_NP_SESSIONS[key][2])
        arrays[key] = counts
    _write_verified(_npz_bytes(arrays), target, expected_sha256, f"{len(arrays)} upstream sessions")


def convert_allen_np_units(upstreams: list[tuple[str, Path]], target: Path, expected_sha256: str) -> None:
    """Per-session metadata (``<KEY>.json``) -> ``units.json`` (keys sorted, n_bins_10ms appended)."""
    units = {}
    for key, files in sorted(_allen_np_sessions(upstreams).items()):
        text = json.dumps(files["meta"])
        _check_session(key, "metadata", hashlib.sha256(text.encode()).hexdigest(), files, ALLEN_NP_SESSIONS[key][3])
        units[key] = files["meta"]
    _write_verified(json.dumps(units).encode(), target, expected_sha256, f"{len(units)} upstream sessions")


def _single(convert: Callable[[Path, Path, str], None]) -> Callable[[list[tuple[str, Path]], Path, str], None]:
    return lambda upstreams, target, digest: convert(upstreams[0][1], target, digest)


#: converter name -> f([(upstream url, local file)], target, expected sha256); raises ChecksumError
CONVERTERS: dict[str, Callable[[list[tuple[str, Path]], Path, str], None]] = {
    "conwell_rdms_pickle": _single(convert_conwell_rdms),
    "allen_scene_tiff": convert_allen_scene_tiff,
    "allen_np_counts": convert_allen_np_counts,
    "allen_np_units": convert_allen_np_units,
}


# -- look-up -----------------------------------------------------------------------------------------
def source(name: str) -> DatasetSource:
    if name not in SOURCES:
        raise UnknownNameError("dataset", name, list(SOURCES))
    return SOURCES[name]


# -- downloading -------------------------------------------------------------------------------------
def _offline_help(url: str, target: Path, source_: DatasetSource) -> str:
    return (
        f"Fix: check the network (or a proxy: $https_proxy), then run `brainbench data fetch {source_.name}` again "
        f"(finished files are kept and partial ones resume); or download {url} yourself to {target} "
        f"(the checksum is verified on the next fetch); or point ${MIRROR_ENV} at a mirror; or, with a copy of "
        f"the dataset folder, `brainbench data import DIR`."
    )


def download(url: str, target: Path, expected_sha256: str | None = None, expected_size: int | None = None,
             timeout: float = 60.0, source_: DatasetSource | None = None, log: Callable[[str], None] | None = None) -> Path:
    """Download ``url`` to ``target`` through ``target.part``, resuming a partial file with HTTP Range.

    The file is renamed to ``target`` only after its sha256 (if given) matches; a mismatching file is
    deleted, so a retry starts clean. A dropped connection leaves the ``.part`` for the next call.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    offset = part.stat().st_size if part.exists() else 0
    if expected_size is not None and offset > expected_size:
        part.unlink()
        offset = 0
    help_text = _offline_help(url, target, source_) if source_ else f"Fix: check the network and retry, or download {url} to {target} yourself."
    if not (expected_size is not None and offset == expected_size):
        headers = {"User-Agent": USER_AGENT}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        try:
            response = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)
        except urllib.error.HTTPError as exc:
            if exc.code == 416 and offset:  # the .part already holds the whole file
                response = None
            else:
                raise FetchError(f"downloading {url} failed: HTTP {exc.code} {exc.reason}. {help_text}") from exc
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise FetchError(f"cannot reach {url} ({reason}); you may be offline. {help_text}") from exc
        if response is not None:
            with response:
                status = getattr(response, "status", 200)
                if offset and status != 206:  # the server ignored Range: start over
                    offset = 0
                if status == 206:
                    content_range = response.headers.get("Content-Range", "")
                    if not content_range.startswith(f"bytes {offset}-"):
                        raise FetchError(f"{url}: the server answered Range bytes={offset}- with {content_range!r}. {help_text}")
                received = offset
                length = response.headers.get("Content-Length")
                # without a pinned size, the server's Content-Length is what tells a cut-off body
                announced = offset + int(length) if length and length.isdigit() else None
                try:
                    with open(part, "ab" if offset else "wb") as out:
                        while block := response.read(CHUNK):
                            out.write(block)
                            received += len(block)
                except (OSError, urllib.error.URLError, http.client.HTTPException) as exc:
                    raise FetchError(
                        f"download of {url} was interrupted after {received} bytes ({exc}); "
                        f"the partial file {part} is kept: run the same command again to resume. {help_text}"
                    ) from exc
                wanted = expected_size if expected_size is not None else announced
                if wanted is not None and received < wanted:
                    raise FetchError(
                        f"download of {url} stopped after {received} of {wanted} bytes; the partial file "
                        f"{part} is kept: run the same command again to resume. {help_text}"
                    )
    if expected_sha256 is not None:
        actual = sha256_file(part)
        if actual != expected_sha256:
            part.unlink()
            raise ChecksumError(
                f"checksum mismatch for {url}: sha256 {actual} but the pinned sha256 is {expected_sha256}. "
                f"The file was deleted (nothing was marked complete). The source changed or the download was "
                f"corrupted; retry, or use a mirror (${MIRROR_ENV}) or `brainbench data import DIR`."
            )
    publish(part, target)  # fsync'ed, the umask's permissions, one rename
    if log:
        log(f"  got {target.name} ({target.stat().st_size} bytes)")
    return target


def _upstream_name(url: str) -> str:
    """A local name for an upstream file: its base name, prefixed by a digest of the URL (names repeat)."""
    return f"{hashlib.sha256(url.encode()).hexdigest()[:10]}-{url.rsplit('/', 1)[1]}"


def _file_ok(path: Path, spec: FileSpec, verify: bool = True) -> bool:
    if not path.is_file() or path.stat().st_size != spec.size:
        return False
    return (not verify) or sha256_file(path) == spec.sha256


def _staging_dir(root: Path, folder: str) -> Path:
    return root / ".incoming" / folder


def _promote(staging: Path, final: Path) -> None:
    """Move a verified staging folder to its final name (one rename; the old folder, if any, is replaced)."""
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        os.replace(final, old)
        os.replace(staging, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, final)


def _reuse_existing(final: Path, staging: Path, src: DatasetSource) -> None:
    """Carry verified files of an existing (incomplete or stale) folder into the staging folder."""
    if not final.is_dir():
        return
    for spec in src.files:
        have, want = final / spec.path, staging / spec.path
        if not want.exists() and _file_ok(have, spec):
            want.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(have, want)


def fetch(name: str, root: str | os.PathLike | None = None, mirror: str | None = None, timeout: float = 60.0,
          log: Callable[[str], None] | None = print) -> Path:
    """Download dataset ``name`` into ``root`` (default: the user cache); return its folder.

    Idempotent: verified files are skipped, partial ones resume. Raises FetchError naming the URL and
    the fix when a file cannot be had.
    """
    src = source(name)
    root = Path(root).expanduser() if root is not None else user_data_dir()
    mirror = mirror if mirror is not None else os.environ.get(MIRROR_ENV) or None
    final = root / src.folder
    if final.is_dir() and all(_file_ok(final / spec.path, spec) for spec in src.files):
        if log:
            log(f"{name}: complete at {final} ({len(src.files)} files, checksums ok)")
        return final
    staging = _staging_dir(root, src.folder)
    staging.mkdir(parents=True, exist_ok=True)
    _reuse_existing(final, staging, src)
    todo = [spec for spec in src.files if not _file_ok(staging / spec.path, spec)]
    unavailable = [spec for spec in todo if not mirror and spec.url is None]
    if unavailable:
        raise FetchError(
            f"{name}: {len(unavailable)} of {len(src.files)} files (e.g. {unavailable[0].path}) have no public source that "
            f"serves them byte for byte. {src.rebuild}"
        )
    if log:
        where = f"mirror {mirror}" if mirror else src.origin
        log(f"{name}: fetching {len(todo)} of {len(src.files)} files ({sum(s.size for s in todo) / 2**20:.1f} MiB) from {where} into {final}")
    for number, spec in enumerate(todo, 1):
        target = staging / spec.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if log and len(todo) > 1:
            log(f"[{number}/{len(todo)}] {spec.path}")
        if mirror:
            download(mirror_url(mirror, src, spec), target, spec.sha256, spec.size, timeout, src, log)
        elif spec.derive:
            upstreams = []
            for url in spec.upstream_urls:  # files shared by several outputs are downloaded once
                local = staging / ".upstream" / _upstream_name(url)
                if not local.exists():
                    download(url, local, None, None, timeout, src, log)
                upstreams.append((url, local))
            try:
                CONVERTERS[spec.derive](upstreams, target, spec.sha256)
            except FetchError as exc:
                # do not keep upstream files that are unreadable or build the wrong bytes: the next fetch
                # downloads them again (all of them when the culprit is unknown)
                unknown = [local for _, local in upstreams] if isinstance(exc, ChecksumError) else []
                for path in exc.culprits or unknown:
                    path.unlink(missing_ok=True)
                raise
        else:
            download(spec.url, target, spec.sha256, spec.size, timeout, src, log)
    shutil.rmtree(staging / ".upstream", ignore_errors=True)
    _promote(staging, final)
    if log:
        log(f"{name}: complete at {final} ({len(src.files)} files, checksums ok)")
    return final


# -- import ------------------------------------------------------------------------------------------
def _dataset_folder_in(path: Path, src: DatasetSource) -> Path | None:
    if (path / src.folder).is_dir():
        return path / src.folder
    if path.name == src.folder or any((path / spec.path).is_file() for spec in src.files[:1]):
        return path
    return None


def import_dir(path: str | os.PathLike, names: list[str] | None = None, root: str | os.PathLike | None = None,
               link: bool = False, log: Callable[[str], None] | None = print) -> dict[str, Path]:
    """Verify and copy (or hard-link / symlink with ``link``) datasets found in ``path`` into the cache.

    ``path`` is a dataset folder or a folder holding dataset folders. Every file is checked against the
    manifest before anything is placed; a missing or mismatching file stops the import with its name.
    """
    path = Path(path).expanduser().resolve()
    if not path.is_dir():
        raise DataNotFoundError(f"{path} is not a folder; give the dataset folder (e.g. .../{SOURCES['allen_np'].folder}) or the folder holding it")
    root = Path(root).expanduser() if root is not None else user_data_dir()
    chosen = [source(n) for n in names] if names else list(SOURCES.values())
    found = {src.name: folder for src in chosen if (folder := _dataset_folder_in(path, src)) is not None}
    if not found:
        known = ", ".join(f"{s.folder}/ ({s.name})" for s in chosen)
        raise DataNotFoundError(f"no brainbench dataset found in {path}; expected one of: {known}")
    placed = {}
    for name, folder in found.items():
        src = SOURCES[name]
        missing = [spec.path for spec in src.files if not (folder / spec.path).is_file()]
        wrong = [spec.path for spec in src.files if spec.path not in missing and not _file_ok(folder / spec.path, spec)]
        if missing or wrong:
            parts = []
            if missing:
                parts.append(f"{len(missing)} missing (e.g. {', '.join(missing[:3])})")
            if wrong:
                parts.append(f"{len(wrong)} with a wrong size or sha256 (e.g. {', '.join(wrong[:3])})")
            raise ChecksumError(f"{folder} is not the published {name} dataset: {'; '.join(parts)}. Nothing was imported.")
        final = root / src.folder
        if final.resolve() == folder.resolve():
            placed[name] = final
            continue
        staging = _staging_dir(root, src.folder)
        shutil.rmtree(staging, ignore_errors=True)
        for spec in src.files:
            target = staging / spec.path
            target.parent.mkdir(parents=True, exist_ok=True)
            if link:
                try:
                    os.link(folder / spec.path, target)
                except OSError:  # another file system: fall back to a symlink
                    os.symlink(folder / spec.path, target)
            else:
                shutil.copy2(folder / spec.path, target)
        _promote(staging, final)
        placed[name] = final
        if log:
            log(f"{name}: imported {len(src.files)} verified files from {folder} into {final}" + (" (linked)" if link else ""))
    return placed


# -- status ------------------------------------------------------------------------------------------
@dataclass
class Status:
    name: str
    folder: str
    where: Path | None = None  # the folder the loaders would use
    origin: str = ""  # which data root it came from
    n_files: int = 0
    missing: list[str] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)
    verified: bool = False
    partial_bytes: int = 0  # bytes waiting in the staging folder of the user cache

    @property
    def state(self) -> str:
        if self.where is None:
            return "missing"
        if self.missing or self.bad:
            return "incomplete" if not self.bad else "corrupt"
        return "ok" if self.verified else "present"


def status(name: str, data_dir=None, verify: bool = True) -> Status:
    """Where dataset ``name`` would be loaded from and whether its files match the manifest (sha256
    remembered per file identity, so an unchanged folder is not hashed again)."""
    from .integrity import folder_digests

    src = source(name)
    st = Status(name=name, folder=src.folder, n_files=len(src.files))
    for where, root in data_search_path(data_dir):
        folder = root / src.folder
        if folder.is_dir():
            st.where, st.origin = folder, where
            break
    staging = _staging_dir(user_data_dir(), src.folder)
    if staging.is_dir():
        st.partial_bytes = sum(p.stat().st_size for p in staging.rglob("*") if p.is_file())
    if st.where is None:
        st.missing = [spec.path for spec in src.files]
        return st
    st.missing = [spec.path for spec in src.files if not (st.where / spec.path).is_file()]
    sized = [spec for spec in src.files if spec.path not in st.missing and (st.where / spec.path).stat().st_size == spec.size]
    digests = folder_digests(st.where, [spec.path for spec in sized]) if verify else {}
    st.bad = [
        spec.path for spec in src.files
        if spec.path not in st.missing and (spec not in sized or (verify and digests.get(spec.path) != spec.sha256))
    ]
    st.verified = verify
    return st


# -- manifests -------------------------------------------------------------------------------------
# Pinned commits: a raw URL at a commit never changes under us; the sha256 would catch it if it did.
NH2015_REPO = "https://raw.githubusercontent.com/snormanhaignere/natsound165-neuron2015"
NH2015_DATA_COMMIT = "e760b0781d744ad0eba8158ec0ea5b787d435db8"  # data/components.mat
NH2015_STIMULI_COMMIT = "b41b99ff620d7997dbf278fc770f58566707726a"  # stimuli/ (wav, category_labels.csv)
CONWELL_REPO = "https://raw.githubusercontent.com/ColinConwell/DeepMouseTrap"
CONWELL_COMMIT = "706ab15a823db0067af9eae31efba872e0c0825c"  # neural_data/rdms_*.{pkl,csv}
# The Neuropixels images: the Allen Institute's own stimulus templates (what allensdk's
# EcephysProjectCache.get_natural_scene_template downloads), in its public S3 bucket.
ALLEN_S3 = "https://allen-brain-observatory.s3.us-west-2.amazonaws.com"
ALLEN_SCENE_TEMPLATES = "visual-coding-neuropixels/ecephys-cache/natural_scene_templates"
# The Neuropixels responses: per-session files (window means of 10-ms bin counts, float32, and their
# metadata) in giovanni-lucarelli/mice-representation (MIT), built from Nayebi et al. 2023's packaging
# of the Allen data. Each session is pinned to the commit and folder of the exact version published.
LUCARELLI_REPO = "https://raw.githubusercontent.com/giovanni-lucarelli/mice-representation"


def _nh2015_url(path: str) -> str:
    if path == "components.mat":
        return f"{NH2015_REPO}/{NH2015_DATA_COMMIT}/data/components.mat"
    return f"{NH2015_REPO}/{NH2015_STIMULI_COMMIT}/stimuli/{path}"


def _allen_np_scene_url(path: str) -> str:
    frame = int(path.removeprefix("images/scene_").removesuffix(".png"))
    return f"{ALLEN_S3}/{ALLEN_SCENE_TEMPLATES}/natural_scene_{frame}.tiff"


def _allen_np_session_urls(ext: str) -> tuple[str, ...]:
    return tuple(f"{LUCARELLI_REPO}/{commit}/{folder}/{key}.{ext}" for key, (commit, folder, *_) in sorted(ALLEN_NP_SESSIONS.items()))


def _allen_np_specs() -> tuple[FileSpec, ...]:
    """Images from Allen's templates; spike_counts.npz and units.json each from all 56 session files."""
    # both outputs read every session's pair: the counts need each session's window length (its .json)
    sessions = tuple(url for pair in zip(_allen_np_session_urls("json"), _allen_np_session_urls("npy")) for url in pair)
    converter = {"spike_counts.npz": "allen_np_counts", "units.json": "allen_np_units"}
    specs = []
    for path, (digest, size) in sorted(_ALLEN_NP.items()):
        if path.startswith("images/"):
            specs.append(FileSpec(path, digest, size, _allen_np_scene_url(path), "allen_scene_tiff"))
        else:
            specs.append(FileSpec(path, digest, size, sessions[0], converter[path], sessions[1:]))
    return tuple(specs)


def _specs(table: dict, url_of: Callable[[str], str | None], derive: dict | None = None) -> tuple[FileSpec, ...]:
    derive = derive or {}
    return tuple(FileSpec(path, digest, size, url_of(path), derive.get(path)) for path, (digest, size) in sorted(table.items()))


def _build_sources() -> dict[str, DatasetSource]:
    sources = [
        DatasetSource(
            name="allen_np",
            folder="allen_neuropixels_natural_scenes",
            files=_allen_np_specs(),
            origin="the Allen Institute's S3 bucket (stimulus templates) and giovanni-lucarelli/mice-representation "
            "(per-session spike counts of Allen Brain Observatory Visual Coding Neuropixels, natural scenes, "
            "via Nayebi et al. 2023)",
            rebuild="should the pinned upstream files ever disappear: use a brainbench data mirror "
            f"(${MIRROR_ENV}), `brainbench data import DIR`, or rebuild from the Allen Institute's servers "
            "with datasets/allen_neuropixels/package_allensdk.py (see docs/data.md; a rebuild is a new data "
            "version, with its own checksums)",
        ),
        DatasetSource(
            name="nh2015",
            folder="nh2015_natural_sounds",
            files=_specs(_NH2015, _nh2015_url),
            origin="Norman-Haignere, Kanwisher & McDermott 2015 (Neuron), repository snormanhaignere/natsound165-neuron2015",
        ),
        DatasetSource(
            name="allen_2p_rdm",
            folder="allen_2p_natural_scenes_rdms",
            files=_specs(
                _ALLEN_2P_RDM,
                lambda path: f"{CONWELL_REPO}/{CONWELL_COMMIT}/neural_data/"
                + {"similarity.npz": "rdms_reliable.pkl", "noise_ceiling.csv": "rdms_noise_ceiling.csv"}[path],
                derive={"similarity.npz": "conwell_rdms_pickle"},
            ),
            origin="Conwell et al. 2021 (NeurIPS), repository ColinConwell/DeepMouseTrap, built with allensdk from "
            "the Allen Brain Observatory Visual Coding 2-photon data",
            shares=(("allen_np", "images/"),),  # the stimuli are the Neuropixels images
        ),
    ]
    return {s.name: s for s in sources}


# sha256 and size of every published file, computed from the reference copy (shared/data)
_ALLEN_NP = {
    "images/scene_000.png": ("b857441028176e75fe9ab4a1e4c5b623c95ddadd28c96d14c23bc9e3169478fb", 83818),
    "images/scene_001.png": ("af6f5b4d6a4ca5143cfb270558508b2595abba82fb6647e3856e6a49d0bada2c", 88259),
    "images/scene_002.png": ("207cb08c921bb96b2683ff89cb2b4c663bfbe47299bd885bcbd3f0733cb3143d", 74477),
    "images/scene_003.png": ("0d1a408608511063f4db140f7db5dc29acfb6ebd150a16c8d35261763a97de2e", 87304),
    "images/scene_004.png": ("7cbde738450bfb9a02df7af1bed1280f91efe67257205d2af2bc259acadd2a89", 65177),
    "images/scene_005.png": ("fdac0af17b3e2206b67634acb274d5eb50ffc88deb390b56aa237373650b57e2", 81680),
    "images/scene_006.png": ("6ae921d330fa1d2e4a9719910a11c3dccf7f7306b4cafc59408cd34a570d54f1", 83091),
    "images/scene_007.png": ("dbc9c42ac3fcd6e148fcb0b10dc04d1bae8d58e7b506ca67a373cf830a136956", 74402),
    "images/scene_008.png": ("437337b681278e9e4353affb24cae7bef7cc58e9da088c00da412327f818b413", 84532),
    "images/scene_009.png": ("e83745d8eb9cfed7bd8283bf83546beb92aacbac109ca02b859dea3db2a8c79b", 90779),
    "images/scene_010.png": ("03f95ab4beac2ea48b49b7a0f196fcdb4e011d3812461cf634997d90ec4e67ec", 101362),
    "images/scene_011.png": ("a5dc12faf3b627bdf3242bfa1e57135495c723e254631d6335372c98c05115fc", 85092),
    "images/scene_012.png": ("815f60ecf7828f3a4a0ae00864561bc6c358a670bc5a867447fb56b7ea863047", 80674),
    "images/scene_013.png": ("765dd0cbc5e502fe02de9370b9062fd207e8b1b7599c4861d55e354ced4eb01b", 93376),
    "images/scene_014.png": ("fd0e17ec160697abc144944da09220b772960c9b2d6219dff31b8c2960a79022", 79382),
    "images/scene_015.png": ("4f3889710f0076445ebf1c1f752cd051be4c806418e45b8e61c2fc1ea93aedcd", 84014),
    "images/scene_016.png": ("d49d2919f80c7b6511d5055f26058501ff22c0da22a8bc9c2813985174370e60", 91767),
    "images/scene_017.png": ("6f5a79a6b23957a21f57a9052e4e9eecd66157a0e9ed61aec39d2518a71044a6", 86536),
    "images/scene_018.png": ("9decf0b554cd2b022927bb345b51e49575893430a943c9fd7fbaddae75aed0c3", 55782),
    "images/scene_019.png": ("d7471a5ec2d500cf7e5412f042e499a5f2587df8cb7fcf0b43649b060be402e0", 40069),
    "images/scene_020.png": ("76cb85fd5a9f22a8fb4a0d183a6c85da713288b446c162167d00ac902e173cbb", 94390),
    "images/scene_021.png": ("23ed79e8c32fb251bc2250e809a151c35bfb5609fbca64354d62bd4282b04ca8", 69153),
    "images/scene_022.png": ("66304ca0b50ef924b504983e549bf1953c6a421b1dabf10dda542133dfe48dcf", 81104),
    "images/scene_023.png": ("2d07ee668b1e17ce392486f62f8b12824e1ab199c8ece39539066f7b16babaed", 79990),
    "images/scene_024.png": ("aa236508f7400b571144e2775da32dd035883100df001637c5e9187c13b680d0", 81848),
    "images/scene_025.png": ("70270960b54e7e903effdf9cfef2dd23130e82cfd943459c2b34de57a30b4fc4", 85120),
    "images/scene_026.png": ("208da2c4c9a2da907d6508b921514634b205326ca895c5f81d3217f654a7948c", 87976),
    "images/scene_027.png": ("f69937fc10c6d0533b0032df0c69ad3a09f2ff517dae7be0940b90497d204bd6", 93049),
    "images/scene_028.png": ("f80f4cc57bba5d5656649fd43217342aff9bf659dc5309f6c257db028eaf9e6d", 76739),
    "images/scene_029.png": ("388f92f829c88d5dac8b808b0671bffbc84430e9b97f414a7d0a33cc0ad9ccfd", 85759),
    "images/scene_030.png": ("117a72dff77597c153730e1e14edc374295c671da6c2005790ca622e3a4bf7c9", 62863),
    "images/scene_031.png": ("04be427dcd5a7dcd9e61e575650c8b9648a44346d4fd9c1dfeb1d2d914f31bbb", 86632),
    "images/scene_032.png": ("96382213424571653e4c33f3467c6cc6f941a8c2c6669eaad958aceee6a79e20", 91596),
    "images/scene_033.png": ("9bd609f6f7a988b2590b68a26161361a9d90f902db6d27c4552379cd7e0adc75", 76250),
    "images/scene_034.png": ("8444a80a40ce3d131f539a78da6a7cd8d34c30df59c8db84fa4a91f7b16cd694", 87414),
    "images/scene_035.png": ("7a5e489c472fc0e5c36ade219a50b5990c49d33d6bc35ff29817d84ed6baddcc", 80972),
    "images/scene_036.png": ("cc28f324106d2bc958998cd9f3286ff8f99aea38b0edff738cd5f45914717c07", 90752),
    "images/scene_037.png": ("233882365a1bd0bf486dc254850ec03ea731346c15cc190eb368f452a3bad2c6", 82467),
    "images/scene_038.png": ("06dfebbd2381c2ac767c4260efa0432c68cf26acdb9c9cc4092d5d4c6a5ed246", 101549),
    "images/scene_039.png": ("16ac3808b0e8ff48f23ec616cc6b0f89938245047a8df9551f2a297829067913", 98299),
    "images/scene_040.png": ("69a9a2f728839d702b45794309b9d7b4309e6495379b055cade56f5f14c5e100", 63933),
    "images/scene_041.png": ("d49f1aa3fa9bb78ba21e7eb8834f7ad2c35cc0d3b9991dc2f6b9703fdfcc8819", 71885),
    "images/scene_042.png": ("09a226c8caacf342600255cca0d3c83d74244065839af31b11bffcef9843e4fe", 67367),
    "images/scene_043.png": ("15bb43a2b1511a75407b0b625f35beb1c37837452b636b4d610249771e1a480f", 82690),
    "images/scene_044.png": ("a1bb566545b8f895dc089e1c3df49d5cc8dcc71e5c48b25823df61425d01d944", 60329),
    "images/scene_045.png": ("6ef97e0b8ec3ce1e66fb92c8d36768ab9f19e3d262a8d032322b14fcf6a1f8e6", 77496),
    "images/scene_046.png": ("689ba69f3b24c77b08cc1695cb9e4fe178fa12f6d123548dcf731cd02b3091d2", 84680),
    "images/scene_047.png": ("f6d0a7acf63125d8124f35400c935fe4516de12859a0fd6f76bce7ea9326549b", 90389),
    "images/scene_048.png": ("20a6664ff3be19abcf9341e998da6290fa65688bb9d9a7d8791a8035feb8e3ae", 84994),
    "images/scene_049.png": ("87998697fba3049f6d810de625ec55c63622399e0571067c368dfd9c8bc8022d", 84101),
    "images/scene_050.png": ("5698651864a35c8a217e625908240f7bf1e67162b8d9beb91a12cc4feb5e1255", 67252),
    "images/scene_051.png": ("08824c2088a4362b68976d9ae8a4113d591ffa7e8ce3ead82a02f79210e8814c", 82534),
    "images/scene_052.png": ("03b5d998f6c1d3ba4b3ff90820b7bc71a21370165f48a60003f7ef77e4303486", 57558),
    "images/scene_053.png": ("6e7554682f2de363055e92cab6c37950638fd86be131cbc8ed133f57ff5c1d37", 61880),
    "images/scene_054.png": ("98777cfcb8c2973660b03fffa0aaafe904ff48927d0fdd30ac5c71fe2a7550bf", 76711),
    "images/scene_055.png": ("75298218e9bc539e3e1306a00097566cae43de556cf99c3a67cb796bd73c6960", 67222),
    "images/scene_056.png": ("c2be6a7efe835019be9055af62c82869fe5b085a41b7830e195238707286bdb5", 64621),
    "images/scene_057.png": ("7f73e67795f5915e51ae6f51e884f439e2843e2925849e07e0800d9f286f60ce", 63541),
    "images/scene_058.png": ("172fca61e8d1444936c533a52b0d3dc661c9581feb1dc1bab3ec9998d2b66dc9", 97670),
    "images/scene_059.png": ("146d390f7a236fbf14c21fff8b30820bb89d63aac6282a672a62db59d178c27c", 627592),
    "images/scene_060.png": ("587f1f20154b9e43672ce543392718af59f78b2a939d3f735d9aa0bade0b18bc", 560513),
    "images/scene_061.png": ("1dae79a66fd01a8fcb9cbe89bf3536cb208a8bbc797b639f0c559ac114a68603", 532723),
    "images/scene_062.png": ("c0329227d9fadc7f0fb0b978b012d45112c3f46fe6ba68d87d8713986414f12b", 520579),
    "images/scene_063.png": ("c9fadf9d719459fa6be11cb94a3367c22175ff9da9ca5e5fe0d4102432180cac", 491194),
    "images/scene_064.png": ("9fb6962a2323eadf6c76659512e2ac305103db1b419913b9e7501347284d1fba", 564944),
    "images/scene_065.png": ("d326675f995f225824864d8a6aaef92d89ca3bd9649d71fae692b5ef4d07d658", 424772),
    "images/scene_066.png": ("c5a4e43888806d4ed4a9e4c74d63415198538cba391c7b759fd9fe1d10c7ff11", 468748),
    "images/scene_067.png": ("6217e46ac224dede77436a28975c62360b8f587a2252abe8bdc5f07f0aeaad04", 495094),
    "images/scene_068.png": ("65e78520cb8c5e4699f476be7d884eb90a4334f2760c3b0ab8330fedde5c6ecd", 464727),
    "images/scene_069.png": ("ce86b1a7e578d97820be1f79bb7c0707ec457dffab2ac04745526ef1f29158d0", 441562),
    "images/scene_070.png": ("f46b80c1cd542adeda9768d694fcc24485867ab8a67b74345475eb0c595cb76f", 648917),
    "images/scene_071.png": ("a5f6f16ac29c3337d015bba378371742fa972c404e52e2ed9a47f7bfaa717b16", 485974),
    "images/scene_072.png": ("f637f1c38948f2bcd34910b7a17068748953daf3b84146f90314d7f7a62b082e", 531278),
    "images/scene_073.png": ("5d9cdeeb68ae174ed0f054b97636a251d3f79b4697105650ac62bf39dc0809ea", 455355),
    "images/scene_074.png": ("aa600d7b17f96ee28f7973ae1627bcc5f8db9681e13dc0368f842b15ad6a8aa1", 577428),
    "images/scene_075.png": ("f6ffe41b9cb9d3da17d0a04e0cbbc7c45346ae2f778322cccfd43aecc2a72081", 537321),
    "images/scene_076.png": ("20a292aa53644dc479f5e140e19f2ef545fc1c2c16ee36b1fac8875801904891", 693877),
    "images/scene_077.png": ("9f0f669b3e2a17070a829366072d46ab0f22f45dbe4ed1e22a25282e34428083", 466752),
    "images/scene_078.png": ("042d0cda0a48e87f212d845d1c3bead997200a9cd6c419a5b461bbbf52cdd579", 736884),
    "images/scene_079.png": ("bad00e5ddbe3ef29cea6b1df88f518376554b9aa3e46cb056456c50841433f43", 481863),
    "images/scene_080.png": ("c1768d88a0f6061ee527dbce16004e1a21d3ef013f4bf4f0cec9bcd0cf2111a9", 584743),
    "images/scene_081.png": ("8925c181d89419bbac5e2c7bd66b45fb301e030191330da09242adb5330ad085", 454732),
    "images/scene_082.png": ("2c484a9978c3c1b54dfc1f21b856c332c578eaeb0c24919bd11a7b8db9c69314", 698733),
    "images/scene_083.png": ("1d11e8f6de2cd77854c28e55d90e36c69094b9b9067e056f9bd945b5cbdff5d6", 619117),
    "images/scene_084.png": ("43f574af81c7dd36c60ffb35bcbae99ecc3509a3a2b4b67dab2b6aee4a3e660c", 685569),
    "images/scene_085.png": ("2a3a48ef9889fa25e80c0e9b83c5205a5727a5358b74bde5f2baf0586c1d495d", 388946),
    "images/scene_086.png": ("8d7b7ab03ec5aabf24cf17a27acbf1f1c6baaa81c015c719d6e0f4d78b12c415", 538386),
    "images/scene_087.png": ("8ba6f12962da085e90ec5bdbe497a0e19db561a20144990c0069308f95e2210e", 490371),
    "images/scene_088.png": ("04b2ad6e125335a10bfcf6ab8de331c5f39c6636943c337c70812d152c88a710", 682513),
    "images/scene_089.png": ("8ad71648780bfee7e1eba001d5547b3a9a97db78e078f315a637846387f95077", 623493),
    "images/scene_090.png": ("059363f7493421595f699ad023340bdac9c01afa334193d376a6b4d8929feeaa", 655521),
    "images/scene_091.png": ("2b6c120964bddf6aae77e0d457d901002e2b34c22be0cfbd43059ea1006b1f37", 633366),
    "images/scene_092.png": ("d6b90cfd216e71186fedd55dca66a1705d70166edfd911293b19852e7bc3417d", 534346),
    "images/scene_093.png": ("84d80a27e0f416068f181a42084b7554d1b1e7426f51cae6acba87a42f2d9e38", 508939),
    "images/scene_094.png": ("cb8ed13b63a4d4010b2c37129df8c6929254f90738fef0161a2227f6d373ec94", 523597),
    "images/scene_095.png": ("8f040059c3ffb15b829715d01724d377285d1d4d6f49171b70a5d9769656bdcd", 611817),
    "images/scene_096.png": ("ba29d444f47857f71914da641a034ab476593943161ab927a2a6245665669cf2", 606832),
    "images/scene_097.png": ("0eee4cbc37069cc6f690d58c08c62edb0d083648c7b7b87f00f8db5d48efba11", 708853),
    "images/scene_098.png": ("703967ca58624c794a95f164f7fd26f8ff98fcd2db8e7872c9117a45b0d1417e", 655161),
    "images/scene_099.png": ("0a0d7979fc602aa219b77ea9c36e68be96fb9bfb982843917f67c6d488a96656", 658738),
    "images/scene_100.png": ("704e5d9f7d7f48d88a4a1d8ef68822479ebd91b1510455331cdd8188a8879d2c", 601050),
    "images/scene_101.png": ("c53b17f1e5198e0f334f89ac712692d3e52b89de0d245db9bc41316b07b959dd", 703117),
    "images/scene_102.png": ("905b34ade1470c8341973f85af40e51f25419eb9886fd5a6b980255c61917dc0", 132817),
    "images/scene_103.png": ("1f48b5aeed5a9d0e7b5f135c6419bbc7316adfd2847ff3e67687e05d7db9c495", 204941),
    "images/scene_104.png": ("6004759a3b73083e94018c3ed4707fc7318a14a6a78af58e30a6478e38489c0f", 197392),
    "images/scene_105.png": ("8eb85e50e6cd917ac1454bbe055be52b68e921ec1a22cb05b4aa511ef42f3884", 169419),
    "images/scene_106.png": ("48ee0ded17da56b154889d23a3283325760fd6d2b80ec82277ba6d82e1a0e10d", 196611),
    "images/scene_107.png": ("e20870a86086e889233fefeedfb0764295060d375596d3cf40b5caf5d01e9a03", 196990),
    "images/scene_108.png": ("2c5df2fc7712ba1019c900c0d32106b8289fbd9d5b731fb088b2e8a2a211de6d", 187549),
    "images/scene_109.png": ("67ec6ee7e941b8f79d301e0e53c868139d903197edc47cea3550a114b9492997", 144817),
    "images/scene_110.png": ("e467925d16be53e1b7ccbd488856a7cf18bcd1975c09bfe011520b913e371a66", 177662),
    "images/scene_111.png": ("07fa14e94d1288208bc2bf516e7559beedbba12cee3198af781452bcd9654a2b", 148502),
    "images/scene_112.png": ("15a472dd2fb4e42853065ef0d5047ba9ddc5602babaf19d17448ad51e1fac87f", 171613),
    "images/scene_113.png": ("3d344e561d9c01f8b41032c41a829d3914dadcc870707cb27e847cff8b16edcc", 158637),
    "images/scene_114.png": ("ded0b229d5569d246d15ad1631368367b9da2e14cb6c144abca6b90b6249c128", 158106),
    "images/scene_115.png": ("3ff6e2fefa67baec593265d3293cfcb17aa6a5ddd8981ee2685fa2fee5f91cff", 151344),
    "images/scene_116.png": ("f5194b894e5e2de1a1b124f73b2574d4ca1acddbda489596ffd0a6985b6670bc", 201398),
    "images/scene_117.png": ("9287db63388ded86a7b8e51ac1b2a2330767efb67b07b2a4ec923b0b1d0710e9", 220142),
    "spike_counts.npz": ("780d0cbc554ff5f68a66049a767bc7b104b04e7434f2033f6862ef49d1d92f16", 7886732),
    "units.json": ("a42aae33aaab1b1be47d6f5d7bf263f7be5ab698892df7dcd1c55be704e0cc8f", 93212),
}
_NH2015 = {
    "category_labels.csv": ("747c213ec40ede8ccac7af2ba2d0ecc9d6dfbccbe5befeb6888beb5201b35fbc", 4983),
    "components.mat": ("a34f9a4c648de56d075f249a0f09f67281cde024d0ca184347436e540ab0a66e", 519820),
    "wav/stim102_crumpling_paper.wav": ("f4b3119e82383b643a45cade5ca8edce015772c306898ba60674bacae8260ed6", 176444),
    "wav/stim103_crying.wav": ("95236af0e6594bf1db05de2a8705816c468abe8a9a0f61a2f38e3f6547edc544", 176444),
    "wav/stim105_cutting_with_scissors.wav": ("8543ad15fe9ff25369897b40bf038ee9d3f576654e846fbf9af5e460473f6b84", 176444),
    "wav/stim107_dial_tone.wav": ("92c259694952c5928f0b01feb524b85ac96e45873d633bf7c5b4f032cda5d96d", 176444),
    "wav/stim108_telephone_dialing.wav": ("699d8d6957291848e70cbaadd35a44ea58e6001f7032649719a994a754ff2cd8", 176444),
    "wav/stim114_dishes_clanking.wav": ("986d04bdae6c8818ac35ae62baf1bc6cd980eff68c85f3f61f40d84a92df7959", 176444),
    "wav/stim116_dog_barking.wav": ("73fbd5ad1ad195c30956095928a5a60f010329aa8db4f126179941a0ffb97250", 176444),
    "wav/stim117_dog_drinking.wav": ("5f374356fd29f22446a1c3e1fc36cd80b27f22aa6793c4fefc05197dbde9000b", 176444),
    "wav/stim118_puppy_whining.wav": ("1c536853b15427f4b22cdad6ae90a627081bfe79f571f256be467aada88d841c", 176444),
    "wav/stim11_baby_crying.wav": ("599589e2385ef87095dbf433962322bc1b0d4055d35da02efd083f453b4bb64a", 176444),
    "wav/stim124_doorbell.wav": ("79f3e0ad2fbf2c30f2685bca97b35b96ac7d4ed33919bdf8a034fd6d8a71714d", 176444),
    "wav/stim12_background_speech.wav": ("5d23491e6f13725fe3c6bfdd068e7d4546457abe88d184a63ef61b43cfbf5f59", 176444),
    "wav/stim132_water_dripping.wav": ("8d388e2d7f0c7347a0747543851403a7d5742639d827f5e36295e1fb7b7a7a70", 176444),
    "wav/stim136_drum_roll.wav": ("cf4f3921d889b9c9e6d49a5530637ca30c6774fd275ae699ca4ad36986f45c12", 176444),
    "wav/stim137_drum_solo.wav": ("eb1f6dba0cdc82edb0ad27ddf90703402c6b9397689a9884bd6d6360aa6e095f", 176444),
    "wav/stim138_duck_quack.wav": ("218303db9ec0712789352fe587bd7c8fb95291e5495b78828a82c26e9bfbc0c6", 176444),
    "wav/stim140_electric_hand_drill.wav": ("20b4d21e7dd2b73ae6836173f26aeabcca4ce3dda1d8e76ce63da28ae9b59438", 176444),
    "wav/stim150_finger_tapping.wav": ("20e3cfd8cd79ed281ff4482960d1f65bf631f60aaaa109858589bd563175136b", 176444),
    "wav/stim155_flag_flapping.wav": ("b2fab783a17b66f8fb80a71da17b5d51cdccb61973cf0e3317aaa4f02697157c", 176444),
    "wav/stim156_wings_flapping.wav": ("0d70f12cbb52dcb6ed2ee84595743527a8eae183e91445d8ab73cbd846fd97ef", 176444),
    "wav/stim158_flushing.wav": ("227b1539081c8d8d7c40ca191c9897ac3503de85740d81a21a17a315ab63dd01", 176444),
    "wav/stim162_frog_croaking.wav": ("835f4622dc0d03c1e7ed85efabbf6008fd2d626ef1667fac57dedc1051a558ba", 176444),
    "wav/stim163_frying.wav": ("79729978a8712e00b0fb8bca2c8939c3f701b1e07e554a74d30f5bb8ecb4a4eb", 176444),
    "wav/stim167_gargling.wav": ("dd7950f2503513139832ee3ec0e5d74b4487b8e6b3bff7ea8393cb075d3bbaae", 176444),
    "wav/stim172_geese.wav": ("fa7591bda37025da74f58d471bb8c8822fff94200d27671b20eb9914efcd366a", 176444),
    "wav/stim174_girl_speaking.wav": ("502ba08be8802d7c54f8af705ddadc0364b988fb88ea00e8e0f5862df56ce199", 176444),
    "wav/stim182_grunting_and_groaning.wav": ("a3c17e478b6a63d67c4c45fe89a603433056e69611c7d4ba7bf81549fe855fb9", 176444),
    "wav/stim183_guitar.wav": ("3860a42a75c00ea253000fb03b17899b8aba30e7923417ae751eccb7fa996b55", 176444),
    "wav/stim185_hair_dryer.wav": ("c5b110d1383f46a667dfee362bd10998849a273b5142d1da28fd37d22504f326", 176444),
    "wav/stim186_hammering.wav": ("9af9d4472b12401382a88276ea70dbcf31e0502a1179d2777d378d86ddce2a35", 176444),
    "wav/stim18_basketball_dribbling.wav": ("7575d6993cb208daeb83e1b0591f2ce5f7740688acbc37d2f26397ff7b0ef5ba", 176444),
    "wav/stim193_heavy_metal_music.wav": ("e2d7da87d7f37cdc4eea29a3591cf6fe325588db2c74a47987afb27afb4a0720", 176444),
    "wav/stim194_helicopter.wav": ("c740964dc819d39a8076efcaafd00559198769ba30edb8a6c40b4aa18dbb48a1", 176444),
    "wav/stim197_road_traffic.wav": ("7f6fbfff1604af64679857fc405e0b1b288d4917ee72f47bb9664eddb17cf2a6", 176444),
    "wav/stim19_electric_bass.wav": ("2ef9f35da1c7160246d8a7d953d0b8635b3223ad2f4525f9ec1056970c9302ce", 176444),
    "wav/stim200_humming.wav": ("05a2900c8c983514bd5669a9d33336134bbd325caef7bcdeaadcd0a90736095c", 176444),
    "wav/stim209_kettle_whistling.wav": ("bcfe4115aa83277f23667efac077b64fc72586119afc119f4a18ecb2fe15475d", 176444),
    "wav/stim211_keys_jingling.wav": ("61bf0f69786c44f9123ac17b42dbc30d45d44bad1c73a6fb544d2e8829ece061", 176444),
    "wav/stim215_door_knocking.wav": ("08f022a42b92839257f96551a267248733846a4892164225cdc28d940fa87e91", 176444),
    "wav/stim221_laughing.wav": ("7dbdca4eee37416e270cbe2173acba68a3526424900ba24891d8de381dbb4aeb", 176444),
    "wav/stim224_walking_on_leaves.wav": ("3fc34e8fdaa5998404950e67b3cce4cf10f03566891c47fd2fd73a0719bd2d96", 176444),
    "wav/stim232_man_speaking.wav": ("a26441b6c5c4f240726e8a008e8ee193bb74825fa86d0b8810abc3fff784188d", 176444),
    "wav/stim236_microwave_running.wav": ("6c2918872d8e177b3fcf9269ad65c4cc3ac69940826f5b6309da5bf1232bbedf", 176444),
    "wav/stim238_baby_talk.wav": ("dc48982d285a67ce682a17c31e5ad65d298d054385ed383fcc45690888cb72bc", 176444),
    "wav/stim23_bees_buzzing.wav": ("73f367f5db50509ff10ca84b95f3301f1e3a6ac919501df1d039127e81e5eac7", 176444),
    "wav/stim240_motorcycle_reving.wav": ("1a4a6f657c63f4bab0f84d9fa156b00a10c0886c783c97d6ef93cfdae2524ae2", 176444),
    "wav/stim246_newspaper_rustling.wav": ("754c50c16c0b173e15ad52e1122c39897249c8b4b0ac31497a9ee90f8c8b74bf", 176444),
    "wav/stim254_orchestra_music.wav": ("b00aeec48a2074380605263a2c682306c069e21c8199778f45f50b6d907144d6", 176444),
    "wav/stim25_bike_bell.wav": ("ac0413e9b84e7cf4fee6b13aacf209e6ef9654d1a4e5be714b198d4ec093860b", 176444),
    "wav/stim268_piano.wav": ("c147c04f5614b8f460d25a595b56cd7f8009bcef13ae798b1481f2e511e0569b", 176444),
    "wav/stim273_airplane_taking_off.wav": ("27d04e33c0676e913879e705be58895d9990c92b7b69db3541d8d31f51946b12", 176444),
    "wav/stim276_pouring_liquid.wav": ("519b4d3b1e3e6def45946d861522739e88b9bef036af523556e7e281a2ef3dcf", 176444),
    "wav/stim277_pouring_water_out_of_bottle.wav": ("cc9b4754a95fde1be103bfffb318d1aefed13db611e581c89abb069da84fc3ad", 176444),
    "wav/stim279_printing.wav": ("2339f6e5dd056c6dc88fa8fa111cde968cc6d5d5188fb71a1055a98539114671", 176444),
    "wav/stim283_contemporary_rb.wav": ("c9f64046c3b9ea402678d842c68346fb96978693c16ffaeb805edbc9bbcae5df", 176444),
    "wav/stim285_radio_or_tv_static.wav": ("0b26cd516d950939c61e7511b7f3c9f08c2d600bfd7cb8e77f79ba0d156d31e4", 176444),
    "wav/stim289_rap_song.wav": ("19aeac568cd112837806260aa97089c675d8b88146f9bf7c8f03523c79f8e915", 176444),
    "wav/stim28_big_band_music.wav": ("01d0b97a00bdf40a60870d27f6a67dfeab446bc499e1dcc95db220f8d3002168", 176444),
    "wav/stim292_crow.wav": ("da7672b21c3df9a8a274e2aaefa14d04ead19d39158593a9f6dd7311bd59dac9", 176444),
    "wav/stim293_whistle.wav": ("03c66d4ddeb41b1fa7f9c881a6219400770b63d5b0cb3880198136a83878b85c", 176444),
    "wav/stim296_rock_guitar_solo.wav": ("6aa23ba7c2b7f2e651abef38fdbe1b34bd025b140ec3c50ed0314aaf2f47a277", 176444),
    "wav/stim298_contemporary_rock_song.wav": ("838cde0b8830ec8c6e67fd4a5c792892598d232329921ad633562e0e97533f07", 176444),
    "wav/stim29_biting_and_chewing.wav": ("ac9cb21a4688c02e29f004c46aa6008373e736f70471add810ccc2a7b66b4019", 176444),
    "wav/stim309_running_up_stairs.wav": ("ed757d1630bfb7f4a059dea65886e0913cd72f7fc2f6210764df0e4a5cd94d6f", 176444),
    "wav/stim312_wind.wav": ("55be13718ce9bc410951173a444bf0407a0958a91df02399d3865f4ad6a49e6d", 176444),
    "wav/stim315_saxophone_jazz_solo.wav": ("ac578663b7781c381bfab172fc2fd99f7dc4f688d023a587aed21657f96ee07a", 176444),
    "wav/stim317_horror_film_sound_effects.wav": ("7dc23e059f3455bcaaa9afcd500463dd31ae6bf62af2f5f7d78031765431d929", 176444),
    "wav/stim318_school_bell.wav": ("751b5f666d0328118a7fb2560dc762e230a994d3c6fcdea37c55cf7ce07cbd5d", 176444),
    "wav/stim31_blender.wav": ("43fa5072b4413a15694495b2bb7dd1933b43d449230d3f0ba7273ae905aeed96", 176444),
    "wav/stim320_scratching.wav": ("1a9c819bfdc665c1dcf552050dfa9fa22c52460da91091cd3f652dcc9f5e3a75", 176444),
    "wav/stim321_scream.wav": ("5db66b1a2583fb79c331fe1bea3fed8d1fff9e55ac42005a8bd7a399aa82134f", 176444),
    "wav/stim329_electric_shaver.wav": ("0db0e14dcfee06af3142d2f031940ab6ff96dd09a8d8c8ac943415ba2403b3f0", 176444),
    "wav/stim332_angry_shouting.wav": ("7bb4a5fa0221994bb93010c50beb77f80baaacf582691977f22c3a78cf0937b2", 176444),
    "wav/stim334_shuffling_cards.wav": ("411e24e0c7c0857b76974ae31add804c7b620a118e3430ea3051c68c2017fc04", 176444),
    "wav/stim337_siren.wav": ("51c8cb43becb4b7f3629e7eff005df5618cb957db7b341edb860e3bd6ce4ea83", 176444),
    "wav/stim33_bluegrass.wav": ("1a18157179cac5083f3dce24433d9c3b1686c2c94ec4b02ff35b2ac261012ffa", 176444),
    "wav/stim347_songbird.wav": ("b2e5ae1e3ffabbfc57b6eb957b32ff672bf0fe16aea231c3745fb241f0c5ab41", 176444),
    "wav/stim349_water_splashing.wav": ("0f312e6acca613b159058509c2de9c64d2eea05312541ddcc12e382e5e0f5d7f", 176444),
    "wav/stim34_blues_band.wav": ("47a624b458149141c213aac43bc13bc856c33f835d5c4ac5320f9b173eeab74b", 176444),
    "wav/stim352_spraying.wav": ("998a3e60b15035c9d9aa4f3ba80b77b74af4f550015e1426d2934beade9a9b18", 176444),
    "wav/stim358_swimming.wav": ("564a5b6a0908ca6a336788d83ee31dadff1176ac96fa6abe2949fed1ab008004", 176444),
    "wav/stim35_boiling_water.wav": ("787754c2e7881a13132967728b34b176244c0adb728239d5870aea7bd0ac4fb0", 176444),
    "wav/stim360_cymbal_crash.wav": ("082a42fe19f7c0ae04eb9abdb4708b4635a8a04a1f5b9e1a49525e739815cc8d", 176444),
    "wav/stim364_tearing.wav": ("aa7913e228be8f162ef299a51a3ce24b286cd5f3e17c73856ae5c0593f6a5434", 176444),
    "wav/stim365_techno.wav": ("4b65f7698f92e5e549663bad139b448208857042bc9714a4dda1489d88e65c40", 176444),
    "wav/stim366_telephone_ringing.wav": ("900873403462a1943a6d4ee0060bf4463a1c6c9a321257b0d1983471544bc67d", 176444),
    "wav/stim368_thunder.wav": ("f19233e6cb20ebe67ca5848eac52edeea1b81a525986374a7377b282649a35ba", 176444),
    "wav/stim370_toothbrushing.wav": ("66e26f05abac3a3c493f218590b63c0eba32c3264fe2da09dde59a1ac614ddbd", 176444),
    "wav/stim371_squeaky_toy.wav": ("5aa3ac6ac098c2d799652f7a7e8659c57e62215028e4e3c98ea4cd969a94f28d", 176444),
    "wav/stim373_train_warning_bell.wav": ("c82340005465b0c58dbcc886ea25dc1a22120f04a714e07d1c93db344ed645b6", 176444),
    "wav/stim375_train_whistle.wav": ("ca1f4fbed6326410cb9019b05c6a3592ad6a0654908043eaa09895e04e0b5925", 176444),
    "wav/stim383_truck_beeping_while_backing_up.wav": ("aba7f77be938abb226918d003af7da3458b386904d90c3961b602211b5c017ce", 176444),
    "wav/stim384_trumpet_jazz_solo.wav": ("19d265b64ff42ae435d70804fc788d6bf63fd8edbba27521593f216e91ead509", 176444),
    "wav/stim387_typing.wav": ("d778cabefda3ee6f6e87f1ba907a49d9beee415072761d4fc26f0dc095c04bb7", 176444),
    "wav/stim38_boy_speaking.wav": ("33a126ce627d65e5b5cda220e301a6b42bfb6c2d79ddd5512440f9375c114000", 176444),
    "wav/stim391_vacuum.wav": ("2f5323b8dcb23577e1f69aa1f0f648b69d9ea8c447ac8174c0986d101633c185", 176444),
    "wav/stim392_velcro.wav": ("4b8289b8e1deb9fc03a24d611d797feb4d0a642546622c11ef10b75592701bd8", 176444),
    "wav/stim393_video_game_music.wav": ("006c38e54b6a3b49730915fb817b81a4a6360840c85cff0e397cf3913be40fdc", 176444),
    "wav/stim394_violin.wav": ("ce936c324ea859b51e9ee5d371e935b885348830f70c6821c9485ecc8d50fc15", 176444),
    "wav/stim398_walking_on_gravel.wav": ("38a822afaf0eb7997507c4f9a6595d000579673cced7edc891beb0dc37156e40", 176444),
    "wav/stim399_walking_on_hard_surface.wav": ("c73876a3ca17728790d07c29669bd499f1075efbe628cec6b78ceafad5ac7a51", 176444),
    "wav/stim401_walking_with_heels.wav": ("3e46015cfab5eba7eabd4b1f01dc45063ce8b46169fffb05a56d7fbce40c3f7d", 176444),
    "wav/stim405_whispering.wav": ("b17084493764b3ec4e692ef4faeedc4a3e231377bb57bef7dc078bf295053a86", 176444),
    "wav/stim406_whistling.wav": ("bc4a9bd72882f04b8a389415256893895408ef274daeac5a6d353f731bf15444", 176444),
    "wav/stim411_car_power_windows.wav": ("bdc1ab5691142fbb2c18ef1f4d94b35f75ea4aa0b74c5ce126bc33c64463890f", 176444),
    "wav/stim414_woman_speaking.wav": ("11976cc807a58f68ce6529aae820fa0ae300ace4ec17536b1cb07e1ff4c91b37", 176444),
    "wav/stim418_writing_on_paper.wav": ("c698886a747529afae0ec565df38294027dffb68d6a6b615cac12a1ec6bc3551", 176444),
    "wav/stim41_breathing.wav": ("853424ec5f5c99dd05a20ddb173a06773fd7767d79cee7d51ef71c85699dd7ad", 176444),
    "wav/stim420_zipper.wav": ("3a73e8c4dfb4d9f57571eb61d5282b0086d8bb9db9ac9189793b68da28a29bc5", 176444),
    "wav/stim422_baby_babbling.wav": ("e8258af10c1a3430d9402d9661f66921240e1df46be489db1b796f36806c2c3e", 176444),
    "wav/stim434_classic_rock.wav": ("ae8ee3b9d0f1385dca12246b140db0f56eb6df08003f5157b70e049c0f511926", 176444),
    "wav/stim437_contemporary_pop_song.wav": ("bea0b4863cdb436bce3722a74d456816a8441481f981b0cd1cec8ecae5215be0", 176444),
    "wav/stim461_latin_music.wav": ("8560c6843bea63e23148ce2ad6392194deb11405daa49edef355118d16852913", 176444),
    "wav/stim465_song_from_a_musical.wav": ("ad743e305812bb93c108d20439905007662c5a5d7ec8280a640a332cb955446a", 176444),
    "wav/stim475_punk_music.wav": ("4aaa8e3ce1c244f5f7f043ded17f55f3fe889e76a63237d5d0547d07491835ae", 176444),
    "wav/stim477_reggae.wav": ("9ffdaf9472577eb5a2d717869e37da58393fbe6c00a9964a9e2fca62708c0d0a", 176444),
    "wav/stim480_rubbing_hands.wav": ("7d53fccad2fe5292bf1a23210b63cd8133bfdffc342ab97188a6de616c6dc4b4", 176444),
    "wav/stim484_soundtrack_for_a_sad_movie_scene.wav": ("72ca1344dc3881c39312d59b51ac262c78c0c44d876e0902a50d84ad48db4090", 176444),
    "wav/stim485_soul_music.wav": ("8d64c0a7ba24ec4ae674939b46c875fa3c80fafae93dc9a1e15e49ae4e24a03e", 176444),
    "wav/stim486_sports_arena_buzzer.wav": ("639ffb6d7aecef229f1485fac3edff287acc0b3272f883fff739fc053e634d6f", 176444),
    "wav/stim488_busy_signal.wav": ("a94338a00e3f1d7c381e9e9282921b5fee7a886134a2f721274b96c451121480", 176444),
    "wav/stim490_soundtrack_from_a_western.wav": ("e4afc40030d10edf2648036b8bc08d5c1381c73507442aedd5d72f24b4032169", 176444),
    "wav/stim498_computer_startup_sound.wav": ("f54ee690bf9acaa8fa9890dfcab9c56003c2ee9f5fe5e4ba0ede9340c4480593", 176444),
    "wav/stim501_spanish.wav": ("9c6ebb1f595e9f232720e1f5f27b537a7dd4f514c23850c2df32fc80b063ded3", 176444),
    "wav/stim502_french.wav": ("391e066ce337ab310c920a5bd06a0df005d62b7e41de75816953ac775f5fcdb0", 176444),
    "wav/stim503_italian.wav": ("80396ee53764a7ee68b4acad46d6fec0db30b5cf237e3cc083a62c8c8baeb222", 176444),
    "wav/stim504_german.wav": ("ecac3617ce39097442796560ed68cd1e715ac29d1eab2799feb687d9b2eaba89", 176444),
    "wav/stim505_chinese.wav": ("7ff86c81e40fa039d5dbfa876e842d5992320a0775ea8b13e14e54f2f3721632", 176444),
    "wav/stim506_hindi.wav": ("864b590a33707f8f5fd40cc42a05ab3f89181b86e472233c49a9b32941b9fed8", 176444),
    "wav/stim508_russian.wav": ("644a2eb5e97adc4d7b87211ceb85c8f17f611bc9bec435cad7497b4bf8bd72d5", 176444),
    "wav/stim50_camera_snapping_photos.wav": ("fc8ff5eb7f5df35be95aeefe3ce985de062961ef83a29c39283a9e6811d4daaa", 176444),
    "wav/stim510_crowd_laughing.wav": ("827f0748d17437aee4e66aebe04022fbdd0368e19a6102534c476f6b5ce74a6a", 176444),
    "wav/stim512_heart_beat.wav": ("425a0137ca89e06f56e249da761cefd11480430d7c324c1cf4c2ff1a0f4568ec", 176444),
    "wav/stim513_running_water.wav": ("371ec21f59c3ba4726ecacdafc5c0fd5f1c8ebe13de6f16ebabbf754826a17a4", 176444),
    "wav/stim515_sports_anouncer.wav": ("99eed7ab7c577d8b3bd8ff01e60d2c7dba42157740f71e0660ff5d1d5f081f18", 176444),
    "wav/stim516_stream.wav": ("b387464b61e6361fbf98c5d58b4d1978366226b9e5a12f64aa26049a0f4015ab", 176444),
    "wav/stim517_soundtrack_from_an_action_scene.wav": ("5af9544f336915ca13dd991ca45803bf65acd4bfd3ea9d1c94679b1682c586ae", 176444),
    "wav/stim51_car_accelerating.wav": ("0c8c2972b01dc2e67bf06462347185e6cd64d1b4f490ac7c85ab3e4e82660997", 176444),
    "wav/stim523_computer-synthesized_speech.wav": ("6ebfd94681e42593d66c85990eeeec0588620ce94dd283a71fd6454b7fe26f86", 176444),
    "wav/stim524_cartoon_sound_effects.wav": ("4892731e754538b2159771d3922c50ddbf2eea5afbd04de7dd52812d9adf2a79", 176444),
    "wav/stim525_dog_panting.wav": ("bf929ff76fe4d29998f436eca8bd7450113be3047a83532da0334ff84ca514b8", 176444),
    "wav/stim527_ringtone.wav": ("47b01787a47992625b4f3f98f7b3dd80e72852aa4f7f5f7d8302777a2d0df3bd", 176444),
    "wav/stim52_car_alarm.wav": ("28a112abe77bd504fe032c8dc8ca9ba7961b50e654cbb8bde88a6074ee815f81", 176444),
    "wav/stim59_car_engine_starting.wav": ("0d91cb831b3dbdf2274f278377c41808fd9a659a69fbcb3bddf1850aab3f7a09", 176444),
    "wav/stim5_alarm_clock.wav": ("d6d4bede262c12b913a5608bef96133dabae53c210f9d67c7a7dfbf7c2c121d1", 176444),
    "wav/stim60_car_horn.wav": ("c57a5fecf95577f766bb1a7a73bb8363c7f0258f51ca4d01fa5fdd8b84bd1c81", 176444),
    "wav/stim62_car_skidding.wav": ("ae85a7c6b4faf122c9ff02a829eed7c3b90d409a7e8002819fc4f91e7a608e99", 176444),
    "wav/stim66_cash_register.wav": ("e61ecf77228c560eed616681a30725b41de628e0041a95ba9dc511f81525e5f2", 176444),
    "wav/stim68_cat_meowing.wav": ("bfbd56cc86b458347b94f151842d72b46fb37dddd1954debc538a3c0059c5f97", 176444),
    "wav/stim69_cat_purring.wav": ("d7f8dd9fa5ef5cddd60b4e5f60f81bd79fbc5dc202c015b13d27818022273ab2", 176444),
    "wav/stim71_cellphone_vibrating.wav": ("08e96f068ade4df6a32e68011eefc68786da93797dfa98b1028bae32a1f3c996", 176444),
    "wav/stim72_cello.wav": ("79a0503d2eb14f16d4b3663ad99ca2ccccf43eecca0778274ec70646dfb7b2dd", 176444),
    "wav/stim76_chair_rolling.wav": ("f250e61fc25e2a03e6257d2f3b8d650dc761ec2535ffaca3d715ff3653961f06", 176444),
    "wav/stim78_chimes_in_the_wind.wav": ("f5c99d8b467bf32a130b2252233e4cdf7b7201d0a44f6f946f417c88f3ebddc8", 176444),
    "wav/stim7_applause.wav": ("d418f8b049156af6055ff1871cae892cf5fe802850ebb3f46b3a3edcfe6d0777", 176444),
    "wav/stim80_chopping_food.wav": ("18b3a3a1cb4c3e7d755a8873a406d709b9217d46f29ac337e516923e45a20084", 176444),
    "wav/stim82_church_bells.wav": ("33201e83bda85dfb460536732e0eb94267b54d2c97251731fe14b940842d5004", 176444),
    "wav/stim83_cicadas.wav": ("73c39be379101ab6efdb699c559d0da61a22def1bb6dfb1566bdef35c37594d7", 176444),
    "wav/stim86_clock_ticking.wav": ("378cf7a4d8f373ddef636f78eb01a9b34b931e1be8cf17c23af9680b75aa5f58", 176444),
    "wav/stim88_coin_dropping.wav": ("3fac8a640b7bcd9e818bfab3b33135262f081ef8a51a83ca94e8ea90f0bb98a0", 176444),
    "wav/stim89_coin_in_vending_machine.wav": ("3a230f6a2e2b3d89955a8fecb4e8740d9b934dac44b24928e839e8eab0d8a70d", 176444),
    "wav/stim91_coughing.wav": ("f875896848d6e1bf092f65cb926403e73d7fe460003d1171573c855d56eb38d8", 176444),
    "wav/stim92_country_song.wav": ("98326be3cad107d9e7ed2a80ae805b6bb1d9fe9daaf02c62c78244948c6f69f8", 176444),
    "wav/stim97_crickets.wav": ("ba48a1477cb73fb09868701cd47a15db657428a7765a8b9439b3e91daca5d54d", 176444),
    "wav/stim98_crowd_cheering.wav": ("18a67e0faaeffafc8d5a7b57f4303c305b550ae5e1a615d9dee10326a0078b70", 176444),
}
_ALLEN_2P_RDM = {
    "noise_ceiling.csv": ("967f6478c7ed33228dd21cf98fd44a735dcc6d7cd661b8054055c921bfd75a0c", 1134),
    "similarity.npz": ("866c1227a9b9051ba908051e50152d09430603176ad7d7c0fbe8f7a1b166cf1d", 1923612),
}

#: session key -> (commit, folder, sha256[:16] of the uint8 counts, sha256[:16] of the json.dumps metadata)
ALLEN_NP_SESSIONS = {
    "AL_717038288": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "33d5eb3eb810187c", "b559aea0f14902f0"),
    "AL_726141251": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "eec74a541eb06e89", "077c1335734fc099"),
    "AL_735109609": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "eecc509c74455625", "d5e3d428f6fa4569"),
    "AL_738651054": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "a04f091577573ec4", "07d1fee8796280f3"),
    "AL_739783171": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "f73a0f584464ac36", "3e50d523fbc9eb0f"),
    "AL_745276236": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "51530311bc46b0bd", "7da8ea7acb0b463d"),
    "AL_757329624": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "706d760655023615", "477df128cbd1a1e2"),
    "AL_775876828": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "0bfadadb59b75555", "d654ff25e4a5af85"),
    "AM_730756780": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "5f5fcd3973e4bc83", "147d7d3f9e77b2aa"),
    "AM_730760270": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "2722e9830ae44f36", "d97f3157c9953a26"),
    "AM_732548380": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "f7247e88cf1b4bbb", "48001fcb6edacac6"),
    "AM_734865738": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "b26ec8dfe57b43ee", "1b2b12b42c78a400"),
    "AM_738651054": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "e72a6b22e2888163", "a3bf11e721f12f07"),
    "AM_739783171": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "17407f322a06f79d", "0d5ec5ba2d63abe8"),
    "AM_742602892": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "5d3754a1dc825217", "80e560140368782f"),
    "AM_775876828": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "27f46d6eeb8be0a3", "10fd112056410e4d"),
    "LM_699733581": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "332ea163bf1d82e7", "acaf75ce60c3bbc3"),
    "LM_723627604": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "fc63068d8259f934", "a9c4695f3cc1d197"),
    "LM_726141251": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "b67ef8f52fa9bcca", "50dac3a2d5b1196a"),
    "LM_733457989": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "9f7f0a10d3f09506", "4b629c10326e1557"),
    "LM_739783171": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "eb89df682e113afd", "49aa67d0cbdc3cb7"),
    "LM_745276236": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "e8b3f09cd8a895dd", "c2f7169e2607ad4d"),
    "LM_769360779": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "6ef4f2a45895e469", "397de61e61a10a5b"),
    "LM_775876828": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "20a47804841f6ec4", "7c689c2151fe2d73"),
    "LM_776061251": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "6b7c73e3a8a45b5c", "cecc9d3e09ce4ee1"),
    "PM_717038288": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "d7a167f78f47376f", "90fb176e8340bca2"),
    "PM_726170935": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "17f25531419daa5a", "00e86da562936470"),
    "PM_730760270": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "11848188c2daa453", "54a579cc0d648e5a"),
    "PM_734865738": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "b0a8ae0ed0f0d5ec", "a5ca540d8f053dda"),
    "PM_738651054": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "55f64e99a54c04fb", "5a6213c81ec4629d"),
    "PM_739783171": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "a8aea361f172aa8d", "6844271b20617f30"),
    "PM_740268986": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "1974b4acb064fed1", "cfc73c3e58bf18e3"),
    "PM_742714475": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "aa80a7b019ba2594", "ad24b1d08b2b5770"),
    "RL_699733581": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "af5117d0ad7e1848", "d9e455f16cd3aae2"),
    "RL_716813543": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "b1aad13af47a2480", "6e22907eff615c49"),
    "RL_718643567": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "c646805e16e40e0e", "40a06c51ac285925"),
    "RL_722882755": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "61da3f7357b5af10", "9ab4f13855322254"),
    "RL_723627604": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "b5f490d41a3b9c9c", "4dd9cbf703f7f427"),
    "RL_732548380": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "b6e1350ffbc374ea", "cea9271fea3a56ac"),
    "RL_738651054": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "0e3f1636bc3a8460", "44910ca39861bba2"),
    "RL_742714475": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "c1ca8a554a11ad8a", "68d7a41d6439dfb7"),
    "RL_744915204": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "9af8aad8b1a6aa74", "83117540455ba619"),
    "V1_717038288": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "876c29dd1df69a1c", "2c3e2cddcd2eb7d8"),
    "V1_719828690": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "f9acc7593db95b44", "34a17ad615160fc8"),
    "V1_726298253": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "7540d1217bb250a5", "eb1b273afb6c4017"),
    "V1_730756780": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "2f6052f6415edbe2", "0bfb60f247076cd0"),
    "V1_733457989": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "43994ad28a0218bf", "3517d60a56723c60"),
    "V1_738651054": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "8ccf4b9cd12c5715", "990d4ee8847812a2"),
    "V1_739783171": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "b15d8a35f7fc93a6", "98ef3f32d3206569"),
    "V1_742602892": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "6850e633bdfe3231", "7f54bae8fa565427"),
    "V1_744915204": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "ed4b41ab4749e6dc", "67b01679e7851292"),
    "V1_745276236": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "fc6a3d8c75875dad", "b3c2c548ab4d5c5f"),
    "V1_769360779": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "d7c2b407bef978d6", "6ad3d1537b6cfba2"),
    "V1_772616823": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "87550107d975a7e9", "c24f36760a342c75"),
    "V1_775876828": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "b64b8ffa9973ba29", "e9bc93e1ae90926b"),
    "V1_776061251": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "5c526f3337bdfd19", "6281831f5f1be4e0"),
}

SOURCES: dict[str, DatasetSource] = _build_sources()
