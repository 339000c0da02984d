"""Neural recordings as labelled arrays.

A recording is an ``xarray.DataArray`` of responses with dims ``(repetition, stimulus, neuroid)``.
``stimulus`` carries ``stimulus_id`` (matching the StimulusSet); ``neuroid`` carries at least
``neuroid_id``, ``region`` (e.g. VISp) and ``subject`` (animal or participant); other coordinates
(unit id, session, depth, ...) ride along. Missing repetitions are NaN (sessions differ in repeats).
Recordings without repeats (e.g. fMRI components) have a repetition dim of length 1 and no ceiling.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import xarray as xr

DIMS = ("repetition", "stimulus", "neuroid")
REQUIRED_NEUROID_COORDS = ("neuroid_id", "region", "subject")


def make_recording(responses: np.ndarray, stimulus_ids, neuroid_coords: dict, attrs: dict | None = None) -> xr.DataArray:
    """Build a validated recording from a (repetition, stimulus, neuroid) array."""
    import xarray as xr

    responses = np.asarray(responses)
    if responses.ndim != 3:
        raise ValueError(f"responses must be (repetition, stimulus, neuroid), got shape {responses.shape}")
    coords = {"stimulus_id": ("stimulus", list(stimulus_ids))}
    for key, values in neuroid_coords.items():
        coords[key] = ("neuroid", np.asarray(values))
    recording = xr.DataArray(responses, dims=DIMS, coords=coords, attrs=dict(attrs or {}))
    validate_recording(recording)
    return recording


def validate_recording(recording: xr.DataArray) -> None:
    if tuple(recording.dims) != DIMS:
        raise ValueError(f"recording dims must be {DIMS}, got {tuple(recording.dims)}")
    missing = [c for c in ("stimulus_id", *REQUIRED_NEUROID_COORDS) if c not in recording.coords]
    if missing:
        raise ValueError(f"recording lacks coordinates {missing}")


def trial_average(recording: xr.DataArray) -> np.ndarray:
    """(stimulus, neuroid) mean over the repetitions each neuroid has."""
    with np.errstate(invalid="ignore"):
        return np.nanmean(recording.values, axis=0)


def select_region(recording: xr.DataArray, region: str) -> xr.DataArray:
    return recording.isel(neuroid=np.flatnonzero(recording["region"].values == region))
