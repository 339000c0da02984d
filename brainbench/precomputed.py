"""Activations a lab already computed, scored like any model: ``brainbench score --activations FILE
--model NAME`` (NAME names the result).

The file holds, for every stimulus of the benchmark's stimulus set (by its id), one array per layer:

- ``.npz``: ``stimulus_ids`` (n strings) and one array per layer, ``(n, ...)``, under the layer's name;
- ``.h5`` / ``.hdf5``: a dataset ``stimulus_ids`` and one dataset per layer (top level, or in a group
  ``layers``);
- ``.nc`` (netCDF, read with xarray): a coordinate ``stimulus_id`` on dimension ``stimulus``, and one
  data variable per layer whose first dimension is ``stimulus``.

Optional: ``layers`` (their order, shallow to deep, as a list or one comma-separated string;
default: the file's order) and ``modality`` ("vision" or "audio") as an entry (npz), or an
attribute (h5, nc). netCDF-4 files are read with h5netcdf, netCDF-3 with scipy. Trailing dimensions are
flattened, rows are matched to the stimulus set by id (any order). Checked before anything is scored,
each problem named: stimulus ids missing from the file or not in the stimulus set, repeated ids, a
layer whose first dimension is not the number of ids, non-numeric or non-finite values (with the
stimuli that have them). The cache identity is the file's sha256, so a changed file is never served
from the cache, and renaming the result does not recompute anything.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from .errors import PluginError
from .extractor import FeatureExtractor

RESERVED = ("stimulus_ids", "stimulus_id", "layers", "modality")
SHOWN = 5


def _strings(values) -> list[str]:
    return [v.decode() if isinstance(v, bytes) else str(v) for v in np.asarray(values).reshape(-1).tolist()]


def _layer_list(value) -> list[str]:
    """A ``layers`` entry: a list of names, or one string of comma-separated names (netCDF-3 attributes)."""
    names = _strings(value)
    return [n.strip() for name in names for n in name.split(",") if n.strip()] if len(names) == 1 else names


def _listing(ids: Sequence[str]) -> str:
    ids = sorted(ids)
    return ", ".join(ids[:SHOWN]) + (f", ... ({len(ids)} in all)" if len(ids) > SHOWN else "")


class _Npz:
    def __init__(self, path: Path):
        self.path = path
        try:
            self.file = np.load(path, allow_pickle=False)
        except ValueError as exc:  # numpy's words for a file that is no zip: "contains pickled (object) data"
            raise PluginError(f"{path} is not an .npz (zip) file numpy can read ({exc}). Fix: save it with numpy.savez") from None
        if "stimulus_ids" not in self.file.files:
            raise PluginError(f"{path} has no 'stimulus_ids' array: an .npz of activations holds stimulus_ids and one array per layer")
        self.ids = _strings(self.file["stimulus_ids"])
        self.attrs = {key: self.file[key] for key in ("layers", "modality") if key in self.file.files}
        self.layers = [key for key in self.file.files if key not in RESERVED]
        self._arrays: dict[str, np.ndarray] = {}

    def array(self, layer: str) -> np.ndarray:
        if layer not in self._arrays:  # an npz member is read whole: read once
            try:
                self._arrays[layer] = self.file[layer]
            except ValueError:  # an object array: numpy will not unpickle it, nor will brainbench
                raise PluginError(f"layer {layer!r} in {self.path} holds Python objects, not numbers. Fix: save numeric arrays") from None
        return self._arrays[layer]


class _Hdf5:
    def __init__(self, path: Path):
        import h5py

        self.file = h5py.File(path, "r")
        if "stimulus_ids" not in self.file:
            raise PluginError(f"{path} has no 'stimulus_ids' dataset: an HDF5 file of activations holds stimulus_ids and one dataset per layer")
        self.ids = _strings(self.file["stimulus_ids"][()])
        self.group = self.file["layers"] if isinstance(self.file.get("layers"), h5py.Group) else self.file
        self.attrs = {key: self.file.attrs[key] for key in ("layers", "modality") if key in self.file.attrs}
        self.layers = [key for key, item in self.group.items() if isinstance(item, h5py.Dataset) and key not in RESERVED]

    def array(self, layer: str) -> np.ndarray:
        return self.group[layer][()]


class _NetCDF:
    def __init__(self, path: Path):
        import xarray as xr

        self.dataset = xr.open_dataset(path)
        if "stimulus_id" not in self.dataset.coords:
            raise PluginError(f"{path} has no 'stimulus_id' coordinate: a netCDF file of activations has stimulus_id on dimension 'stimulus'")
        self.ids = _strings(self.dataset["stimulus_id"].values)
        self.attrs = dict(self.dataset.attrs)
        self.layers = [str(name) for name, var in self.dataset.data_vars.items() if var.dims and var.dims[0] == "stimulus"]

    def array(self, layer: str) -> np.ndarray:
        return self.dataset[layer].values


_READERS = {".npz": _Npz, ".h5": _Hdf5, ".hdf5": _Hdf5, ".nc": _NetCDF}


def open_file(path: Path):
    reader = _READERS.get(Path(path).suffix.lower())
    if reader is None:
        raise PluginError(f"activations file {path}: unknown format {Path(path).suffix!r}; use .npz, .h5/.hdf5 or .nc (netCDF)")
    try:
        return reader(Path(path))
    except PluginError:
        raise
    except Exception as exc:
        raise PluginError(f"cannot read activations file {path}: {type(exc).__name__}: {exc}") from exc


def file_modality(path: Path) -> str | None:
    value = open_file(path).attrs.get("modality")
    return None if value is None else _strings(value)[0]


class PrecomputedActivations(FeatureExtractor):
    """A file of activations as a feature extractor: ``load(ids, paths)`` gives the ids, ``__call__``
    the rows of those ids."""

    code_version = "1"

    def __init__(self, path, name: str, modality: str | None = None, layers: Sequence[str] | None = None, batch_size: int = 1024):
        from .stimuli import sha256_file

        self.path = Path(path)
        self.source = open_file(self.path)
        self.name, self.batch_size = name, batch_size
        self.modality = modality or (_strings(self.source.attrs["modality"])[0] if "modality" in self.source.attrs else None)
        declared = _layer_list(self.source.attrs["layers"]) if "layers" in self.source.attrs else None
        self.layers = list(layers or declared or self.source.layers)
        unknown = [layer for layer in self.layers if layer not in self.source.layers]
        if unknown or not self.layers:
            raise PluginError(f"activations file {self.path}: layer(s) {unknown or '(none)'} not in the file; it holds {self.source.layers}")
        self._sha256 = sha256_file(self.path)
        self.weights_source = str(self.path)
        self.preprocessing = {"kind": "precomputed activations", "file": self.path.name, "sha256": self._sha256}
        self._row = {stimulus: i for i, stimulus in enumerate(self.source.ids)}
        self._checked: set[str] = set()

    @property
    def weights_hash(self) -> str:
        return self._sha256

    def identity(self) -> dict:  # the file, not the name it is scored under
        return {"activations_sha256": self._sha256, "adapter": "precomputed", "adapter_code_version": self.code_version}

    def compute_settings(self, device: str = "cpu") -> dict:
        return {"device": "none (precomputed)"}

    def load(self, ids, paths):
        return list(ids)

    def check_stimuli(self, stimuli) -> None:
        """Every stimulus of the set is in the file, nothing else is, and every layer is well formed."""
        if stimuli.content_hash in self._checked:
            return
        problems = self._id_problems(list(stimuli.ids))
        if self.source.ids:  # an empty file's layers have no rows to check
            problems += [p for layer in self.layers for p in self._layer_problems(layer)]
        if problems:
            raise PluginError(f"activations file {self.path} does not fit stimulus set {stimuli.name!r} ({len(stimuli)} stimuli):\n  "
                              + "\n  ".join(problems))
        self._checked.add(stimuli.content_hash)

    def __call__(self, batch, layers):
        rows = [self._row[stimulus] for stimulus in batch]
        return {layer: self._rows(layer, rows) for layer in layers}

    # -- helpers -------------------------------------------------------------------------------------
    def _rows(self, layer: str, rows: list[int]) -> np.ndarray:
        array = self.source.array(layer)
        return np.asarray(array[rows], dtype=np.float32).reshape(len(rows), -1)

    def _id_problems(self, wanted: list[str]) -> list[str]:
        ids = self.source.ids
        if not ids:
            return [f"its stimulus ids are empty: the file holds no stimuli, and the set's {len(wanted)} are all missing. Fix: write one id per row of every layer"]
        problems = []
        repeated = sorted({i for i in ids if ids.count(i) > 1}) if len(set(ids)) != len(ids) else []
        if repeated:
            problems.append(f"stimulus ids repeated in the file: {_listing(repeated)}")
        missing = set(wanted) - set(ids)
        if missing:
            problems.append(f"{len(missing)} stimulus id(s) of the stimulus set missing from the file: {_listing(missing)}")
        extra = set(ids) - set(wanted)
        if extra:
            problems.append(f"{len(extra)} stimulus id(s) in the file that are not in the stimulus set: {_listing(extra)}")
        return problems

    def _layer_problems(self, layer: str) -> list[str]:
        array = self.source.array(layer)
        if array.ndim < 2 or array.shape[0] != len(self.source.ids):
            return [f"layer {layer!r} has shape {tuple(array.shape)}; expected ({len(self.source.ids)} stimuli, features...) "
                    "with one row per stimulus id"]
        if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
            return [f"layer {layer!r} holds {array.dtype} values, not real numbers"]
        rows = array.reshape(array.shape[0], -1)
        if rows.shape[1] == 0:
            return [f"layer {layer!r} has no features (shape {tuple(array.shape)}): drop it from the file, or choose other layers with --layers"]
        finite = np.isfinite(rows).all(axis=1)
        if not finite.all():
            bad = [self.source.ids[i] for i in np.flatnonzero(~finite)]
            return [f"layer {layer!r} has NaN or inf values for {len(bad)} stimulus id(s): {_listing(bad)}"]
        largest = float(np.abs(rows).max())
        if largest > float(np.finfo(np.float32).max):  # stored as float32: it would become inf
            return [f"layer {layer!r} holds values beyond the float32 range activations are stored in (largest |x| = {largest:.3g}): rescale it"]
        return []
