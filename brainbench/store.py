"""A content-keyed store for activations and scores, safe against crashes and concurrent writers.

An entry is ``<root>/<kind>/<key[:2]>/<key>.npy`` (or ``.json``) plus ``<key>.meta.json``. Writers
fill a private temporary file, flush it to disk and ``os.replace`` it into place; the metadata file is
replaced last, and an entry counts as present only when its metadata exists and names the data file's
size. A crash therefore leaves at worst an orphan temporary file, never a half entry that is read as
whole, and two writers of the same key (same content, by construction) just replace each other.
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


def _fsync_replace(tmp: Path, final: Path) -> None:
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, final)


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
        _, data, meta_path = self._paths(kind, key, ".npy")
        if self._read_meta(meta_path, data) is None:
            return None
        return np.load(data, mmap_mode="r")

    @contextmanager
    def array_writer(self, kind: str, key: str, shape, dtype, meta: dict):
        """Yield a writable memmap; on clean exit it becomes the entry atomically, else it is discarded."""
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
            self._write_meta(meta_path, {**meta, "key": key, "nbytes": data.stat().st_size, "created": time.time()})
        finally:
            if tmp.exists():
                tmp.unlink()

    # -- JSON documents --------------------------------------------------------------------------
    def get_json(self, kind: str, key: str) -> dict | None:
        _, data, meta_path = self._paths(kind, key, ".json")
        if self._read_meta(meta_path, data) is None:
            return None
        return json.loads(data.read_text())

    def put_json(self, kind: str, key: str, document: dict, meta: dict | None = None) -> None:
        folder, data, meta_path = self._paths(kind, key, ".json")
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump(document, f, default=str)
        _fsync_replace(Path(tmp), data)
        self._write_meta(meta_path, {**(meta or {}), "key": key, "nbytes": data.stat().st_size, "created": time.time()})

    # -- maintenance -----------------------------------------------------------------------------
    def info(self) -> dict:
        summary = {}
        for kind_dir in sorted(p for p in self.root.glob("*") if p.is_dir() and p.name != "data"):
            files = [p for p in kind_dir.rglob("*") if p.is_file()]
            entries = [p for p in files if p.name.endswith(".meta.json")]
            orphans = [p for p in files if p.name.startswith(".tmp-")]
            summary[kind_dir.name] = {
                "entries": len(entries),
                "bytes": sum(p.stat().st_size for p in files),
                "orphan_temp_files": len(orphans),
            }
        return summary

    def clear(self, kind: str | None = None) -> int:
        """Delete cached entries (all kinds but downloaded data, or one kind). Returns bytes freed."""
        targets = [self.root / kind] if kind else [p for p in self.root.glob("*") if p.is_dir() and p.name != "data"]
        freed = 0
        for target in targets:
            if target.is_dir():
                freed += sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
                shutil.rmtree(target)
        return freed
