"""Allen Brain Observatory Visual Coding Neuropixels: 4,141 mouse visual-cortex units, 118 natural scenes.

Reads the brainbench on-disk format (see README.md in this folder): ``spike_counts.npz`` with one
(trials, 118 images, units) uint8 array per area-session, ``units.json`` with per-key metadata, and
``images/scene_NNN.png``. Responses are firing rates in Hz over each session's reliability window
(count x 100 / n_bins_10ms), so sessions with different windows share one scale.
"""
from __future__ import annotations

import functools
import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from brainbench.errors import DataNotFoundError
from brainbench.registry import DatasetPlugin
from brainbench.stimuli import StimulusSet

if TYPE_CHECKING:
    from brainbench.benchmark import Dataset, Protocol

from .manifest import FOLDER as FOLDER, MANIFEST  # FOLDER re-exported  # every file: sha256, size, upstream source, converter

#: sha256 of the published responses and metadata (checked again by the loader: provenance)
FILES = {name: MANIFEST.pins[name] for name in ("spike_counts.npz", "units.json")}
N_IMAGES = 118
REGIONS = ("VISp", "VISl", "VISal", "VISrl", "VISam", "VISpm")
HERE = Path(__file__).resolve().parent


def locate(data_dir=None) -> Path:
    """The data folder with every file of the manifest (responses, metadata, 118 images)."""
    return MANIFEST.locate(data_dir)


def load(data_dir=None) -> Dataset:
    """Read and check every file now; the (trials, images, units) responses are assembled into the
    recording when it is first used (brainbench.benchmark.Dataset)."""
    from brainbench.benchmark import Dataset

    folder = locate(data_dir)
    checksums, warnings = MANIFEST.pinned_checksums(folder, FILES)
    units, arrays = _read(folder)
    coords, rate_scale = _neuroid_coords(folder, units, arrays)
    stimulus_ids = [f"scene_{i:03d}" for i in range(N_IMAGES)]
    images = folder / "images"
    stimuli = StimulusSet(
        name="allen_natural_scenes",
        modality="vision",
        ids=stimulus_ids,
        paths=[images / f"{sid}.png" for sid in stimulus_ids],
    )
    recording = functools.partial(_recording, arrays, rate_scale, coords, stimulus_ids)
    return Dataset(name="allen_np", recording=recording, stimuli=stimuli, checksums=checksums, card=CARD, warnings=warnings)


def _read(folder: Path) -> tuple[dict, dict]:
    """units.json and one (trials, images, units) count array per area-session key it lists."""
    try:
        units = json.loads((folder / "units.json").read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataNotFoundError(f"{folder / 'units.json'} is corrupt or truncated ({exc}); re-fetch it") from exc
    try:
        archive = np.load(folder / "spike_counts.npz")
        arrays = {key: archive[key] for key in units}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise DataNotFoundError(f"{folder / 'spike_counts.npz'} is corrupt or truncated ({exc}); re-fetch it") from exc
    except KeyError as exc:
        raise DataNotFoundError(f"{folder / 'spike_counts.npz'} lacks the array {exc} listed in units.json; the two files do not match") from exc
    return units, arrays


def _neuroid_coords(folder: Path, units: dict, arrays: dict) -> tuple[dict, dict]:
    """The neuroid coordinates in the recording's column order (keys sorted), each array checked; and
    per key the factor from counts to spikes/s over its window."""
    coords = {k: [] for k in ("neuroid_id", "region", "subject", "unit_id", "session", "window_s")}
    rate_scale = {}
    for key in sorted(units):
        meta, counts = units[key], arrays[key]
        if counts.ndim != 3 or counts.shape[1] != N_IMAGES or counts.shape[2] != meta["n_units"]:
            raise DataNotFoundError(f"{folder / 'spike_counts.npz'}[{key}] has shape {counts.shape}, expected (trials, {N_IMAGES}, {meta['n_units']})")
        if list(meta["frame_id_values"]) != list(range(N_IMAGES)):
            raise DataNotFoundError(f"units.json[{key}]: images are not in frame order 0..{N_IMAGES - 1}")
        n = counts.shape[2]
        coords["neuroid_id"] += [f"{key}/{u}" for u in meta["unit_ids"]]
        coords["unit_id"] += list(meta["unit_ids"])
        coords["region"] += [meta["visual_area_code"]] * n
        coords["subject"] += [str(meta["specimen_id"])] * n
        coords["session"] += [key] * n
        coords["window_s"] += [f"{meta['time_window_s'][0]:.3f}-{meta['time_window_s'][1]:.3f}"] * n
        rate_scale[key] = 100.0 / meta["n_bins_10ms"]
    return coords, rate_scale


def _recording(arrays: dict, rate_scale: dict, coords: dict, stimulus_ids: list):
    """Firing rates (spikes/s over each session's window), NaN beyond a session's trials."""
    from brainbench.recording import make_recording

    max_trials = max(a.shape[0] for a in arrays.values())
    responses = np.full((max_trials, N_IMAGES, len(coords["neuroid_id"])), np.nan, dtype=np.float32)
    col = 0
    for key in sorted(arrays):
        counts = arrays[key]
        n_trials, _, n = counts.shape
        responses[:n_trials, :, col : col + n] = counts.astype(np.float32) * rate_scale[key]
        col += n
    return make_recording(responses, stimulus_ids, coords, attrs={"units": "spikes/s", "dataset": "allen_np"})


def protocol_for(metric: str | None) -> Protocol:
    from brainbench.benchmark import Protocol

    if metric in ("rsa", "cka"):
        # population metrics fit nothing: 2-fold over images, the layer chosen on one half (the
        # training half, whole) and scored on the other, both ways; the two held-out scores averaged
        return Protocol(kind="kfold", n_splits=2, seed=0, selection="nested", inner_splits=1, inter_animal_ceiling=True)
    # 5-fold CV over the 118 images (fixed seed); layer chosen per fold by an inner 4-fold CV on the
    # fold's training images only, whose folds are the other four outer folds (v2; v1 re-cut the
    # training images at random, which fitted 20 inner models per layer instead of 10)
    return Protocol(kind="kfold", n_splits=5, seed=0, selection="nested", inner_splits=4, inner_folds="outer_folds", inter_animal_ceiling=True)


#: the anatomical hierarchy of mouse visual cortex (Harris et al. 2019, from feedforward/feedback
#: projection patterns), as ordered for these six areas by Siegle et al. 2021 (their Fig. 1)
HIERARCHY = {"VISp": 1, "VISl": 2, "VISrl": 3, "VISal": 4, "VISpm": 5, "VISam": 6}
HIERARCHY_SOURCE = "anatomical hierarchy (Harris et al. 2019 Nature 575:195) as ordered by Siegle et al. 2021 Nature 592:86: VISp < VISl < VISrl < VISal < VISpm < VISam"

#: the two processing streams of mouse visual cortex from its connectivity (Wang, Sporns & Burkhalter
#: 2012): LM (VISl) ventral; AL, RL, AM, PM dorsal; V1 (VISp) feeds both and is in neither
STREAMS = {"VISl": "ventral", "VISal": "dorsal", "VISrl": "dorsal", "VISpm": "dorsal", "VISam": "dorsal"}
STREAMS_SOURCE = ("network analysis of corticocortical connections (Wang, Sporns & Burkhalter 2012 J Neurosci 32:4386): "
                  "ventral LM (VISl); dorsal AL (VISal), RL (VISrl), PM (VISpm), AM (VISam); V1 (VISp) in neither")

CARD = {
    "title": "Allen Brain Observatory Visual Coding Neuropixels, natural scenes",
    "species": "mouse (Mus musculus)",
    "method": "Neuropixels extracellular electrophysiology, spike counts",
    "regions": list(REGIONS),
    "n_units": 4141,
    "n_subjects": 28,
    "stimuli": "118 natural scenes (grayscale, 918x1174), 250 ms each, 50 repeats",
    "response": "firing rate (spikes/s) in a per-session reliability window after onset, trial-averaged",
    "citation": "Siegle et al. 2021 Nature 592:86; de Vries et al. 2020 Nat Neurosci 23:138; Nayebi et al. 2023 PLoS Comput Biol 19:e1011506",
    "bibtex": (HERE / "bibtex.bib").read_text(),
    "terms": "Allen Institute terms of use (non-commercial research, with citation)",
}

PLUGINS = [
    DatasetPlugin(
        name="allen_np",
        modality="vision",
        recording_kind="trials",
        regions=REGIONS,
        load=load,
        default_metric="ridge",
        card=CARD,
        protocol_for=protocol_for,
        versions={"ridge": "2", "pls": "2"},
        hierarchy=HIERARCHY,
        hierarchy_source=HIERARCHY_SOURCE,
        streams=STREAMS,
        streams_source=STREAMS_SOURCE,
        manifest=MANIFEST,
    )
]
