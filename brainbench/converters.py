"""Helpers for the converters of dataset manifests (brainbench.manifest): build the published bytes
from upstream files, or fail naming the upstream file.

- :func:`npz_bytes`: ``np.savez_compressed`` bytes (fixed zip timestamps: equal arrays in equal order
  give equal bytes, so a converted file can be pinned by sha256);
- :func:`write_verified`: write the target only if the bytes hash to the pinned sha256, else raise
  ChecksumError (with the upstream files to delete, so the next fetch downloads them again);
- :func:`load_arrays_pickle`: read a downloaded pickle that may hold only dicts, lists and numpy
  arrays; anything else (code) is refused, never run.

The per-dataset converters themselves live in the dataset plugin folders (e.g.
datasets/allen_neuropixels/convert.py).
"""
from __future__ import annotations

import hashlib
import io
import pickle
from pathlib import Path

import numpy as np

from .atomic import write_bytes
from .fetch import ChecksumError, FetchError


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """The bytes of ``np.savez_compressed(**arrays)``: deterministic for equal arrays in equal order."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def write_verified(data: bytes, target: Path, expected_sha256: str | None, what: str, culprits=()) -> None:
    """Write ``data`` to ``target`` (whole or absent) if its sha256 is the pinned one; else raise
    ChecksumError saying ``what`` built the wrong bytes; ``culprits``: the upstream files to delete.

    ``expected_sha256=None`` writes the file unpinned: how a dataset's author builds the file once to
    pin it (fetches always pass the manifest's sha256)."""
    actual = hashlib.sha256(data).hexdigest()
    if expected_sha256 is not None and actual != expected_sha256:
        raise ChecksumError(
            f"{what} builds a {Path(target).name} whose sha256 {actual[:16]}... differs from the published "
            f"{expected_sha256[:16]}...: the upstream files changed or are not the ones the published data "
            "were built from; use a mirror or `brainbench data import`.",
            culprits,
        )
    write_bytes(target, data)


class ArraysOnlyUnpickler(pickle.Unpickler):
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


def load_arrays_pickle(path: Path):
    """The object in a downloaded pickle of dicts/lists of numpy arrays; FetchError for anything else."""
    try:
        with open(path, "rb") as f:
            return ArraysOnlyUnpickler(f).load()
    except (pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError) as exc:
        raise FetchError(f"{path}: not a pickle of numpy arrays ({exc})", (Path(path),)) from exc
