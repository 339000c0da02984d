"""A content-keyed store for activations and scores, safe against crashes, concurrent writers and
bytes that change behind its back.

An entry is ``<root>/<kind>/<key[:2]>/<key>.npy`` (or ``.json``) plus ``<key>.meta.json``. Writers go
through ``brainbench.atomic`` (private temporary file, fsync, ``os.replace``, fsync of the folder); the
metadata file is replaced last. It records the data file's size and the sha256 of its bytes, computed
while the data were written. An entry counts as present only when its metadata exists and the data
file has that size and that digest (and, for arrays, the recorded dtype and shape). The digest is
checked once per process per file identity (device, inode, size, mtime, ctime), so a file edited,
truncated, zeroed or overwritten with random bytes of the same size is never read as whole: the entry
is discarded, the store says so, and the caller recomputes it. A crash leaves at worst an orphan
temporary file named after its process, which ``clear(orphans_only=True)`` removes as soon as that
process is gone.

Arrays are written as a stream of row blocks (``stream_writer``): memory holds one block, never the
whole array, and the page cache — not the writer's resident memory — holds what was written.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np

from .atomic import TMP_PREFIX, atomic_file, orphan_owner_alive
from .errors import CacheError
from .paths import cache_root

#: the kinds of entry brainbench keeps, one folder each: a layer's activations, a metric's per-layer
#: preparation (e.g. a Gram matrix), scores, the model-independent parts of a benchmark's score, and
#: the digests of data files remembered across runs (brainbench.integrity)
KINDS = ("activations", "prepared", "scores", "benchmark_parts", "digests")
#: temporary files older than this whose owner cannot be checked (another host) are orphans
ORPHAN_AGE_S = 24 * 3600
HASH_CHUNK = 1 << 22

# file identity -> sha256 of the bytes, for files already hashed (or written) by this process
_DIGESTS: dict[tuple, str] = {}
_FINITE: set[tuple] = set()  # identities of stored arrays found finite (see _known_finite)
_DIGESTS_LOCK = threading.Lock()


def file_identity(path: Path) -> tuple:
    """What changes whenever a file's bytes may have changed (ctime cannot be set back by a user)."""
    st = path.stat()
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def sha256_of(path: Path) -> str:
    """sha256 of a file's bytes, computed once per process per file identity."""
    identity = file_identity(path)
    with _DIGESTS_LOCK:
        known = _DIGESTS.get(identity)
    if known is not None:
        return known
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(HASH_CHUNK):
            h.update(block)
    digest = h.hexdigest()
    remember_digest(path, digest, identity)
    return digest


def _known_finite(path: Path, array: np.ndarray) -> bool:
    """Whether a stored array holds only finite values, summed once per process per file identity (as
    its digest is: a re-score then reads none of a layer's bytes; the sum was 0.07 s of one)."""
    identity = file_identity(path)
    with _DIGESTS_LOCK:
        if identity in _FINITE:
            return True
    if not np.isfinite(array.sum(dtype=np.float64)):
        return False
    with _DIGESTS_LOCK:
        _FINITE.add(identity)
    return True


def remember_digest(path: Path, digest: str, identity: tuple | None = None) -> None:
    identity = identity or file_identity(path)
    with _DIGESTS_LOCK:
        _DIGESTS[identity] = digest


def cache_write_error(root: Path, exc: OSError) -> CacheError:
    """The one-line message, with the fix, for a cache that cannot be written."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        try:
            free = f"{shutil.disk_usage(root).free / 2**20:.0f} MiB free"
        except OSError:
            free = "full"
        return CacheError(
            f"the disk holding the brainbench cache {root} is full ({free}). Fix: free space (`brainbench cache clear` "
            "empties the cache) or point --cache-dir / $BRAINBENCH_CACHE at another disk."
        )
    if root.exists() and not root.is_dir():
        return CacheError(f"the brainbench cache path {root} is a file, not a folder. Fix: point --cache-dir / $BRAINBENCH_CACHE at a folder.")
    return CacheError(
        f"cannot write to the brainbench cache {root} ({exc.strerror or exc}). Fix: make it writable, or point "
        "--cache-dir / $BRAINBENCH_CACHE at a writable folder."
    )


class _HashingFile:
    """A file wrapper that hashes what is written through it."""

    def __init__(self, file):
        self.file, self.sha256 = file, hashlib.sha256()

    def write(self, data) -> int:
        self.sha256.update(data)
        try:
            return self.file.write(data)
        except OSError as exc:
            exc.from_store = True  # a failed write of the store's own, even inside the caller's block
            raise

    def flush(self) -> None:
        self.file.flush()


class StreamingArray:
    """An .npy file written row block by row block; ``append`` rows in order until ``shape[0]``."""

    def __init__(self, file, shape: tuple, dtype):
        self.file, self.shape, self.dtype = file, tuple(int(s) for s in shape), np.dtype(dtype)
        self.rows_written = 0
        header = {"descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False, "shape": self.shape}
        np.lib.format.write_array_header_2_0(file, header)

    def append(self, rows) -> None:
        rows = np.ascontiguousarray(rows, dtype=self.dtype)
        if rows.shape[1:] != self.shape[1:]:
            raise ValueError(f"row block of shape {rows.shape} does not fit an array of shape {self.shape}")
        if self.rows_written + rows.shape[0] > self.shape[0]:
            raise ValueError(f"{self.rows_written + rows.shape[0]} rows written to an array of {self.shape[0]} rows")
        self.file.write(rows.data)
        self.rows_written += rows.shape[0]


def human_size(n: int) -> str:
    """1.2 KiB, 3.4 MiB, 2.0 GiB: small amounts are not rounded to nothing."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


class Store:
    """``log`` receives one line whenever an entry fails its content check and is discarded."""

    def __init__(self, root: str | os.PathLike | None = None, log: Callable[[str], None] | None = None):
        # absolute: a plugin changing the working directory must not move the cache under a run
        self.root = (Path(root).expanduser() if root is not None else cache_root()).absolute()
        self.log = log or _stderr

    def check_usable(self) -> None:
        """Raise CacheError (with the fix) if the root is not a folder or cannot be created."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise cache_write_error(self.root, exc) from None
        if not self.root.is_dir():
            raise cache_write_error(self.root, OSError(errno.ENOTDIR, "not a folder"))

    def writable(self) -> bool:
        return os.access(self.root, os.W_OK) if self.root.is_dir() else False

    def _paths(self, kind: str, key: str, suffix: str):
        folder = self.root / kind / key[:2]
        return folder, folder / f"{key}{suffix}", folder / f"{key}.meta.json"

    # -- reading, with the content check -----------------------------------------------------------
    def _whole(self, kind: str, key: str, data: Path, meta_path: Path) -> dict | None:
        """The entry's metadata if the data file is there with the recorded size and digest, else None
        (a damaged entry is discarded and reported)."""
        try:
            meta = json.loads(meta_path.read_text())
            size_ok = data.stat().st_size == meta["nbytes"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        problem = None if size_ok else "size differs from the one recorded"
        if problem is None:
            try:
                digest = sha256_of(data)
            except OSError:
                return None
            if digest != meta.get("sha256"):
                problem = "no content digest (written by an older brainbench)" if "sha256" not in meta else "its bytes changed since it was written (sha256 mismatch)"
        if problem is not None:
            self._discard(kind, key, data, meta_path, problem)
            return None
        return meta

    def _discard(self, kind: str, key: str, data: Path, meta_path: Path, problem: str) -> None:
        self.log(f"cache: {kind} entry {key[:12]} is damaged ({problem}); it is ignored and recomputed")
        for path in (meta_path, data):
            try:
                path.unlink()
            except OSError:
                pass  # read-only cache: the entry stays ignored

    def get_array(self, kind: str, key: str, finite: bool = False) -> np.ndarray | None:
        """The stored array, memory-mapped read-only, or None if there is no whole, intact entry.

        ``finite``: an array holding NaN or inf is treated as damaged (discarded, reported)."""
        _, data, meta_path = self._paths(kind, key, ".npy")
        meta = self._whole(kind, key, data, meta_path)
        if meta is None:
            return None
        try:
            array = np.load(data, mmap_mode="r")
        except (OSError, ValueError):
            return None
        if list(array.shape) != list(meta.get("shape", array.shape)) or str(array.dtype) != meta.get("dtype", str(array.dtype)):
            self._discard(kind, key, data, meta_path, "shape or dtype differs from the one recorded")
            return None
        if finite and array.size and not _known_finite(data, array):
            self._discard(kind, key, data, meta_path, "it holds NaN or inf values")
            return None
        return array

    def get_meta(self, kind: str, key: str, suffix: str = ".npy") -> dict | None:
        """The metadata of a whole, intact entry (what its writer recorded), else None."""
        _, data, meta_path = self._paths(kind, key, suffix)
        return self._whole(kind, key, data, meta_path)

    def has_array(self, kind: str, key: str) -> bool:
        _, data, meta_path = self._paths(kind, key, ".npy")
        return self._whole(kind, key, data, meta_path) is not None

    def get_json(self, kind: str, key: str) -> dict | None:
        _, data, meta_path = self._paths(kind, key, ".json")
        if self._whole(kind, key, data, meta_path) is None:
            return None
        try:
            return json.loads(data.read_text())
        except (OSError, ValueError):
            return None

    # -- writing ----------------------------------------------------------------------------------
    def _publish_meta(self, data: Path, meta_path: Path, meta: dict, digest: str) -> None:
        remember_digest(data, digest)
        with atomic_file(meta_path, "w") as f:
            json.dump({**meta, "nbytes": data.stat().st_size, "sha256": digest, "created": time.time()}, f, sort_keys=True, default=str)

    @contextmanager
    def _writing(self):
        """Turn a failed write (read-only, full disk, a file in the way) into a CacheError with the fix."""
        try:
            yield
        except OSError as exc:
            raise cache_write_error(self.root, exc) from exc

    @contextmanager
    def stream_writer(self, kind: str, key: str, shape, dtype, meta: dict):
        """Yield a StreamingArray; on clean exit with every row written it becomes the entry
        atomically, else the temporary file is discarded and nothing is published. A failed write of
        the store's own (read-only, disk full) raises CacheError; the caller's errors pass unchanged."""
        folder, data, meta_path = self._paths(kind, key, ".npy")
        in_body = False
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with atomic_file(data) as f:
                hashing = _HashingFile(f)
                writer = StreamingArray(hashing, shape, dtype)
                in_body = True
                yield writer
                in_body = False
                if writer.rows_written != writer.shape[0]:
                    raise ValueError(f"only {writer.rows_written} of {writer.shape[0]} rows were written for {kind}/{key}")
            entry = {**meta, "key": key, "shape": list(writer.shape), "dtype": str(np.dtype(dtype))}
            self._publish_meta(data, meta_path, entry, hashing.sha256.hexdigest())
        except OSError as exc:
            if in_body and not getattr(exc, "from_store", False):
                raise
            raise cache_write_error(self.root, exc) from exc

    def put_array(self, kind: str, key: str, array: np.ndarray, meta: dict | None = None) -> None:
        with self.stream_writer(kind, key, array.shape, array.dtype, meta or {}) as writer:
            writer.append(array)

    def put_json(self, kind: str, key: str, document: dict, meta: dict | None = None) -> None:
        folder, data, meta_path = self._paths(kind, key, ".json")
        payload = json.dumps(document, default=str).encode()
        with self._writing():
            folder.mkdir(parents=True, exist_ok=True)
            with atomic_file(data) as f:
                f.write(payload)
            self._publish_meta(data, meta_path, {**(meta or {}), "key": key}, hashlib.sha256(payload).hexdigest())

    # -- maintenance -----------------------------------------------------------------------------
    def _kind_dirs(self, kind: str | None = None) -> list[Path]:
        # only the declared kinds: the cache root also holds what is not a cache entry (downloaded data
        # and weights, a tool's folder), which `cache info` never counts and `cache clear` never deletes
        return [self.root / k for k in ((kind,) if kind else KINDS) if (self.root / k).is_dir()]

    def info(self, kind: str | None = None) -> dict:
        """Per kind: whole entries, bytes on disk, orphan temporary files (from crashed writers)."""
        summary = {}
        for kind_dir in self._kind_dirs(kind):
            entries = orphans = size = 0
            for entry in _files(kind_dir):
                size += entry.stat().st_size
                orphans += entry.name.startswith(TMP_PREFIX)
                entries += entry.name.endswith(".meta.json") and not entry.name.startswith(TMP_PREFIX)
            summary[kind_dir.name] = {"entries": entries, "bytes": size, "orphan_temp_files": orphans}
        return summary

    def clear(self, kind: str | None = None, orphans_only: bool = False) -> Cleared:
        """Delete cached entries (of every kind in KINDS, or of one). Returns the bytes freed
        and the files removed (a writer killed as it created its file leaves an empty one).

        ``orphans_only``: delete only temporary files whose writer is gone — its process no longer
        runs on this host, or (written elsewhere) it is older than ORPHAN_AGE_S — which is safe while
        other runs use the store. Raises CacheError, after deleting what it could, if files remain.
        """
        freed, removed, failed = 0, 0, []
        for target in self._kind_dirs(kind):
            files = [p for p in target.rglob(f"{TMP_PREFIX}*" if orphans_only else "*") if p.is_file()]
            for path in files:
                if orphans_only and not _is_orphan(path):
                    continue
                try:
                    size = path.stat().st_size
                    path.unlink()
                    freed, removed = freed + size, removed + 1
                except FileNotFoundError:
                    pass  # another process removed or renamed it
                except OSError as exc:
                    failed.append((path, exc))
            if not orphans_only:
                _remove_empty_dirs(target)
        if failed:
            path, exc = failed[0]
            raise CacheError(
                f"freed {human_size(freed)} ({removed} file(s)), but {len(failed)} file(s) could not be removed from {self.root} "
                f"(e.g. {path}: {exc.strerror or exc}). Fix: make the cache writable, or remove it as its owner."
            )
        return Cleared(freed, removed)


class Cleared(NamedTuple):
    """What ``Store.clear`` removed."""

    bytes: int
    files: int


def _files(folder: Path):
    """Every file under ``folder`` as os.DirEntry (one stat per file at most: cheap on big caches)."""
    try:
        with os.scandir(folder) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    yield from _files(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    yield entry
    except FileNotFoundError:
        return


def _is_orphan(path: Path) -> bool:
    alive = orphan_owner_alive(path.name)
    if alive is not None:
        return not alive
    try:
        return path.stat().st_mtime < time.time() - ORPHAN_AGE_S
    except OSError:
        return False


def _remove_empty_dirs(top: Path) -> None:
    for folder in sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True) + [top]:
        try:
            folder.rmdir()
        except OSError:
            pass  # not empty (a file could not be removed, or a writer added one)
