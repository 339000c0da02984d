"""A content-keyed store for activations and scores, safe against crashes and concurrent writers.

An entry is ``<root>/<kind>/<key[:2]>/<key>.npy`` (or ``.json``) plus ``<key>.meta.json``. Writers
fill a private temporary file, flush it to disk and ``os.replace`` it into place; the metadata file is
replaced last, and an entry counts as present only when its metadata exists, names the data file's
size, and (for arrays) its dtype and shape match the file's header. A crash therefore leaves at worst
an orphan temporary file, never a half entry that is read as whole, and two writers of the same key
(same content, by construction) just replace each other: each rename is atomic, and a reader holding
the old file keeps a valid mapping of it.

Arrays are written as a stream of row blocks (``stream_writer``): memory holds one block, never the
whole array, and the page cache — not the writer's resident memory — holds what was written.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .paths import cache_root

#: temporary files older than this are orphans of a crashed writer (no writer takes a day per entry)
ORPHAN_AGE_S = 24 * 3600


def _fsync_dir(folder: Path) -> None:
    # make the rename itself durable (a power cut after os.replace must not lose it)
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_replace(tmp: Path, final: Path) -> None:
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, final)
    _fsync_dir(final.parent)


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


class Store:
    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else cache_root()

    def _paths(self, kind: str, key: str, suffix: str):
        folder = self.root / kind / key[:2]
        return folder, folder / f"{key}{suffix}", folder / f"{key}.meta.json"

    def _write_meta(self, meta_path: Path, meta: dict) -> None:
        fd, tmp = tempfile.mkstemp(dir=meta_path.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump(meta, f, sort_keys=True, default=str)
        _fsync_replace(Path(tmp), meta_path)

    def _read_meta(self, meta_path: Path, data_path: Path) -> dict | None:
        try:
            meta = json.loads(meta_path.read_text())
            if data_path.stat().st_size != meta["nbytes"]:
                return None
            return meta
        except (OSError, ValueError, KeyError):
            return None

    # -- arrays ----------------------------------------------------------------------------------
    def get_array(self, kind: str, key: str) -> np.ndarray | None:
        """The stored array, memory-mapped read-only, or None if there is no whole entry."""
        _, data, meta_path = self._paths(kind, key, ".npy")
        meta = self._read_meta(meta_path, data)
        if meta is None:
            return None
        try:
            array = np.load(data, mmap_mode="r")
        except (OSError, ValueError):
            return None
        if "shape" in meta and list(array.shape) != list(meta["shape"]):
            return None
        if "dtype" in meta and str(array.dtype) != meta["dtype"]:
            return None
        return array

    def has_array(self, kind: str, key: str) -> bool:
        _, data, meta_path = self._paths(kind, key, ".npy")
        return self._read_meta(meta_path, data) is not None

    @contextmanager
    def stream_writer(self, kind: str, key: str, shape, dtype, meta: dict):
        """Yield a StreamingArray; on clean exit with every row written it becomes the entry
        atomically, else the temporary file is discarded and nothing is published."""
        folder, data, meta_path = self._paths(kind, key, ".npy")
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".npy")
        tmp = Path(tmp)
        try:
            with os.fdopen(fd, "wb") as f:
                writer = StreamingArray(f, shape, dtype)
                yield writer
                if writer.rows_written != writer.shape[0]:
                    raise ValueError(f"only {writer.rows_written} of {writer.shape[0]} rows were written for {kind}/{key}")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, data)
            _fsync_dir(folder)
            dtype_name = str(np.dtype(dtype))
            self._write_meta(meta_path, {**meta, "key": key, "shape": list(writer.shape), "dtype": dtype_name, "nbytes": data.stat().st_size, "created": time.time()})
        finally:
            if tmp.exists():
                tmp.unlink()

    @contextmanager
    def array_writer(self, kind: str, key: str, shape, dtype, meta: dict):
        """Yield a writable memmap; on clean exit it becomes the entry atomically, else it is discarded.

        For arrays filled out of order; ``stream_writer`` is the bounded-memory path for rows in order.
        """
        folder, data, meta_path = self._paths(kind, key, ".npy")
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".npy")
        os.close(fd)
        tmp = Path(tmp)
        try:
            array = np.lib.format.open_memmap(tmp, mode="w+", dtype=dtype, shape=tuple(shape))
            yield array
            array.flush()
            del array
            _fsync_replace(tmp, data)
            meta = {**meta, "key": key, "shape": list(shape), "dtype": str(np.dtype(dtype))}
            self._write_meta(meta_path, {**meta, "nbytes": data.stat().st_size, "created": time.time()})
        finally:
            if tmp.exists():
                tmp.unlink()

    # -- JSON documents --------------------------------------------------------------------------
    def get_json(self, kind: str, key: str) -> dict | None:
        _, data, meta_path = self._paths(kind, key, ".json")
        if self._read_meta(meta_path, data) is None:
            return None
        try:
            return json.loads(data.read_text())
        except (OSError, ValueError):
            return None

    def put_json(self, kind: str, key: str, document: dict, meta: dict | None = None) -> None:
        folder, data, meta_path = self._paths(kind, key, ".json")
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(document, f, default=str)
            _fsync_replace(Path(tmp), data)
            self._write_meta(meta_path, {**(meta or {}), "key": key, "nbytes": data.stat().st_size, "created": time.time()})
        finally:
            if Path(tmp).exists():
                Path(tmp).unlink()

    # -- maintenance -----------------------------------------------------------------------------
    def _kind_dirs(self, kind: str | None = None) -> list[Path]:
        if kind:
            return [self.root / kind] if (self.root / kind).is_dir() else []
        # "data" holds downloaded datasets, not cache entries: never counted or cleared here
        return sorted(p for p in self.root.glob("*") if p.is_dir() and p.name != "data")

    def info(self, kind: str | None = None) -> dict:
        """Per kind: whole entries, bytes on disk, orphan temporary files (from crashed writers)."""
        summary = {}
        for kind_dir in self._kind_dirs(kind):
            files = [p for p in kind_dir.rglob("*") if p.is_file()]
            entries = [p for p in files if p.name.endswith(".meta.json") and not p.name.startswith(".tmp-")]
            orphans = [p for p in files if p.name.startswith(".tmp-")]
            summary[kind_dir.name] = {
                "entries": len(entries),
                "bytes": sum(p.stat().st_size for p in files),
                "orphan_temp_files": len(orphans),
            }
        return summary

    def clear(self, kind: str | None = None, orphans_only: bool = False) -> int:
        """Delete cached entries (all kinds but downloaded data, or one kind). Returns bytes freed.

        ``orphans_only``: delete only temporary files older than ORPHAN_AGE_S (left by crashed
        writers), which is safe while other runs use the store.
        """
        freed = 0
        for target in self._kind_dirs(kind):
            if orphans_only:
                cutoff = time.time() - ORPHAN_AGE_S
                for p in target.rglob(".tmp-*"):
                    try:
                        stat = p.stat()
                        if stat.st_mtime < cutoff:
                            p.unlink()
                            freed += stat.st_size
                    except OSError:
                        pass  # another process removed or renamed it
                continue
            freed += sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
            shutil.rmtree(target, ignore_errors=True)
        return freed
