"""Voxelwise fMRI from a BIDS-style folder, with nilearn: machinery for dataset plugins.

A dataset plugin built by :func:`bids_fmri_plugin` reads, under ``<data root>/<folder>/``:

- ``sub-<s>/func/sub-<s>_task-<task>[_run-<r>]_bold.nii[.gz]`` — 4-D BOLD runs (TR from the JSON
  sidecar ``RepetitionTime`` or the NIfTI header);
- the matching ``..._events.tsv`` — columns ``onset``, ``duration`` (seconds) and ``stim_file``
  (path under ``stimuli/``; one stimulus id per distinct file);
- ROIs: each region is a 0/1 mask NIfTI, or ``(atlas NIfTI, label)``, paths relative to the folder,
  on the BOLD grid or resampled to it (nearest neighbour).

and builds a brainbench recording (repetition x stimulus x neuroid), neuroid = (subject, voxel), with
voxel indices ``i, j, k`` kept for plotting:

- ``mode="glm"`` (default): per run, one HRF-convolved boxcar regressor per stimulus (nilearn
  ``make_first_level_design_matrix``, cosine drifts), least-squares betas; repetition = run.
- ``mode="lagged"``: mean signal from ``onset + lag`` to ``onset + duration + lag`` minus the run mean.

For naturalistic designs (one long story per run, e.g. Narratives) either cut the story into clips
(:func:`segment_audio` writes the clips and the events rows; each clip is then a stimulus) or use
:func:`hrf_convolve` to turn per-segment model features into per-volume regressors for a
volume-wise encoding model. :func:`plot_voxel_scores` draws per-voxel scores on the brain.

This module registers no dataset itself (``PLUGINS = []``); see docs/data.md for a plugin folder that
uses it.
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from brainbench.errors import DataNotFoundError
from brainbench.paths import data_search_path, find_dataset_dir
from brainbench.registry import DatasetPlugin
from brainbench.stimuli import StimulusSet

if TYPE_CHECKING:
    from brainbench.benchmark import Dataset, Protocol

_RUN = re.compile(r"sub-(?P<sub>[A-Za-z0-9]+)_(?:ses-[A-Za-z0-9]+_)?task-(?P<task>[A-Za-z0-9]+)(?:_acq-[A-Za-z0-9]+)?(?:_run-(?P<run>\d+))?_bold\.nii(?:\.gz)?$")


def _nib():
    import nibabel

    return nibabel


def find_runs(root: Path, task: str, subjects: list[str] | None = None) -> list[dict]:
    """The BOLD runs of ``task`` with their events file, sorted by subject and run."""
    runs = []
    for bold in sorted(root.glob("sub-*/**/func/*_bold.nii*")) + sorted(root.glob("sub-*/func/*_bold.nii*")):
        m = _RUN.search(bold.name)
        if not m or m["task"] != task or (subjects and m["sub"] not in subjects):
            continue
        stem = bold.name[: bold.name.index("_bold.nii")]
        events = bold.with_name(stem + "_events.tsv")
        if not events.is_file():
            raise DataNotFoundError(f"{bold}: no events file {events.name} beside it (columns onset, duration, stim_file)")
        sidecar = bold.with_name(stem + "_bold.json")
        runs.append({"bold": bold, "events": events, "sidecar": sidecar if sidecar.is_file() else None, "subject": m["sub"], "run": int(m["run"] or 1)})
    unique = {(r["subject"], r["run"], str(r["bold"])): r for r in runs}
    return sorted(unique.values(), key=lambda r: (r["subject"], r["run"]))


def read_events(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    needed = {"onset", "duration", "stim_file"}
    if not rows or not needed <= set(rows[0]):
        raise DataNotFoundError(f"{path}: an events file needs the columns {sorted(needed)}; has {sorted(rows[0]) if rows else 'no rows'}")
    try:
        return [{**r, "onset": float(r["onset"]), "duration": float(r["duration"])} for r in rows]
    except ValueError as exc:
        raise DataNotFoundError(f"{path}: onset/duration must be numbers ({exc})") from exc


def repetition_time(run: dict, img) -> float:
    if run["sidecar"] is not None:
        tr = json.loads(run["sidecar"].read_text()).get("RepetitionTime")
        if tr:
            return float(tr)
    zooms = img.header.get_zooms()
    if len(zooms) < 4 or not zooms[3] > 0:
        raise DataNotFoundError(f"{run['bold']}: no RepetitionTime in a JSON sidecar and none in the NIfTI header")
    return float(zooms[3])


def region_masks(root: Path, regions: dict, reference) -> dict[str, np.ndarray]:
    """Region name -> boolean mask on the reference image's grid."""
    from nilearn.image import resample_to_img

    nib = _nib()
    masks = {}
    for name, spec in regions.items():
        path, label = (spec, None) if isinstance(spec, (str, Path)) else spec
        full = root / path
        if not full.is_file():
            raise DataNotFoundError(f"region {name!r}: mask/atlas file {full} not found")
        img = nib.load(full)
        if img.shape[:3] != reference.shape[:3] or not np.allclose(img.affine, reference.affine):
            img = resample_to_img(img, reference.slicer[..., 0] if reference.ndim == 4 else reference, interpolation="nearest", force_resample=True, copy_header=True)
        data = np.asarray(img.dataobj)
        mask = (data == label) if label is not None else data > 0
        if not mask.any():
            raise DataNotFoundError(f"region {name!r}: {full}" + (f" has no voxel labelled {label}" if label is not None else " selects no voxel"))
        masks[name] = mask
    return masks


def glm_betas(series: np.ndarray, events: list[dict], stimulus_ids: list[str], tr: float, hrf_model: str = "glover", high_pass: float = 0.01) -> np.ndarray:
    """(stimuli, voxels) least-squares betas of one run; NaN for stimuli absent from the run."""
    import pandas as pd
    from nilearn.glm.first_level import make_first_level_design_matrix

    frame_times = np.arange(series.shape[0]) * tr
    table = pd.DataFrame({"onset": [e["onset"] for e in events], "duration": [e["duration"] for e in events],
                          "trial_type": [f"s{stimulus_ids.index(e['stim_file'])}" for e in events]})
    design = make_first_level_design_matrix(frame_times, table, hrf_model=hrf_model, drift_model="cosine", high_pass=high_pass)
    betas, *_ = np.linalg.lstsq(design.to_numpy(), series, rcond=None)
    out = np.full((len(stimulus_ids), series.shape[1]), np.nan)
    for row, column in enumerate(design.columns):
        if column.startswith("s") and column[1:].isdigit():
            out[int(column[1:])] = betas[row]
    return out


def lagged_means(series: np.ndarray, events: list[dict], stimulus_ids: list[str], tr: float, lag: float = 4.0) -> np.ndarray:
    """(stimuli, voxels) mean signal over [onset + lag, onset + duration + lag], minus the run mean."""
    times = np.arange(series.shape[0]) * tr
    centred = series - series.mean(axis=0)
    out = np.full((len(stimulus_ids), series.shape[1]), np.nan)
    for e in events:
        inside = (times >= e["onset"] + lag) & (times <= e["onset"] + e["duration"] + lag)
        if inside.any():
            out[stimulus_ids.index(e["stim_file"])] = centred[inside].mean(axis=0)
    return out


def hrf_convolve(features: np.ndarray, onsets, durations, n_volumes: int, tr: float, hrf_model: str = "glover") -> np.ndarray:
    """(volumes, features) per-volume regressors: each segment's features as an HRF-convolved boxcar.

    For volume-wise encoding of naturalistic stimuli: ``features`` (segments, features) from a model,
    one row per segment starting at ``onsets[i]`` for ``durations[i]`` seconds.
    """
    from nilearn.glm.first_level import compute_regressor

    features = np.asarray(features, dtype=np.float64)
    frame_times = np.arange(n_volumes) * tr
    out = np.empty((n_volumes, features.shape[1]))
    for j in range(features.shape[1]):
        condition = np.vstack([np.asarray(onsets, float), np.asarray(durations, float), features[:, j]])
        out[:, j] = compute_regressor(condition, hrf_model, frame_times)[0][:, 0]
    return out


def segment_audio(wav: Path, run_onset: float, segment_s: float, out_dir: Path, prefix: str | None = None) -> list[dict]:
    """Cut a story into ``segment_s``-second clips under ``out_dir``; return their events rows.

    Each clip becomes a stimulus (``stim_file`` relative to ``out_dir``); the rows go into the run's
    ``events.tsv``, with onsets shifted by ``run_onset`` (when the story starts in the run).
    """
    import soundfile

    audio, rate = soundfile.read(wav, always_2d=False)
    step = int(round(segment_s * rate))
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = prefix or Path(wav).stem
    rows = []
    for i, start in enumerate(range(0, len(audio) - step + 1, step)):
        name = f"{prefix}_seg{i:04d}.wav"
        soundfile.write(out_dir / name, audio[start : start + step], rate)
        rows.append({"onset": run_onset + start / rate, "duration": segment_s, "stim_file": name})
    return rows


def load_bids(root: Path, task: str, regions: dict, stimuli_dir: str = "stimuli", modality: str = "audio", mode: str = "glm",
              subjects: list[str] | None = None, hrf_model: str = "glover", lag: float = 4.0, name: str = "bids_fmri") -> Dataset:
    from brainbench.benchmark import Dataset
    from brainbench.recording import make_recording

    nib = _nib()
    runs = find_runs(root, task, subjects)
    if not runs:
        raise DataNotFoundError(f"{root}: no BOLD runs of task {task!r} (expected sub-*/func/sub-*_task-{task}[_run-N]_bold.nii.gz)")
    if mode not in ("glm", "lagged"):
        raise ValueError(f"mode must be 'glm' or 'lagged', got {mode!r}")
    events = {str(r["bold"]): read_events(r["events"]) for r in runs}
    stimulus_ids = sorted({e["stim_file"] for evs in events.values() for e in evs})
    stim_paths = [root / stimuli_dir / s for s in stimulus_ids]
    reference = nib.load(runs[0]["bold"])
    masks = region_masks(root, regions, reference)
    per_subject: dict[str, list[np.ndarray]] = {}
    for run in runs:
        img = nib.load(run["bold"])
        if img.shape[:3] != reference.shape[:3]:
            raise DataNotFoundError(f"{run['bold']}: grid {img.shape[:3]} differs from {reference.shape[:3]} of {runs[0]['bold'].name}; resample the runs to one grid")
        data = np.asarray(img.dataobj, dtype=np.float32)
        tr = repetition_time(run, img)
        blocks = []
        for mask in masks.values():
            series = data[mask].T.astype(np.float64)  # (volumes, voxels)
            if mode == "glm":
                blocks.append(glm_betas(series, events[str(run["bold"])], stimulus_ids, tr, hrf_model))
            else:
                blocks.append(lagged_means(series, events[str(run["bold"])], stimulus_ids, tr, lag))
        per_subject.setdefault(run["subject"], []).append(np.concatenate(blocks, axis=1))
    n_rep = max(len(v) for v in per_subject.values())
    columns, coords = [], {k: [] for k in ("neuroid_id", "region", "subject", "i", "j", "k")}
    for subject, reps in per_subject.items():
        stack = np.full((n_rep, len(stimulus_ids), reps[0].shape[1]), np.nan, dtype=np.float32)
        stack[: len(reps)] = np.stack(reps)
        columns.append(stack)
        for region, mask in masks.items():
            for i, j, k in zip(*np.nonzero(mask)):
                coords["neuroid_id"].append(f"sub-{subject}/{region}/{i}-{j}-{k}")
                coords["region"].append(region)
                coords["subject"].append(subject)
                coords["i"].append(int(i))
                coords["j"].append(int(j))
                coords["k"].append(int(k))
    responses = np.concatenate(columns, axis=2)
    attrs = {"units": "GLM beta" if mode == "glm" else "BOLD (run-centred)", "dataset": name, "mode": mode,
             "affine": reference.affine.tolist(), "grid": list(reference.shape[:3]), "reference_image": str(runs[0]["bold"])}
    recording = make_recording(responses, [Path(s).stem for s in stimulus_ids], coords, attrs=attrs)
    stimuli = StimulusSet(name=f"{name}_stimuli", modality=modality, ids=[Path(s).stem for s in stimulus_ids], paths=stim_paths)
    return Dataset(name=name, recording=recording, stimuli=stimuli, checksums={}, card={})


def voxel_image(values, recording, subject: str | None = None):
    """A 3-D NIfTI of per-neuroid values (NaN elsewhere) on the recording's grid; one subject's voxels."""
    nib = _nib()
    subjects = recording["subject"].values
    subject = subject if subject is not None else subjects[0]
    keep = subjects == subject
    volume = np.full(tuple(recording.attrs["grid"]), np.nan, dtype=np.float32)
    volume[recording["i"].values[keep], recording["j"].values[keep], recording["k"].values[keep]] = np.asarray(values)[keep]
    return nib.Nifti1Image(volume, np.asarray(recording.attrs["affine"]))


def plot_voxel_scores(values, recording, output_file, subject: str | None = None, title: str = "", bg_img=None, **kwargs):
    """Draw per-voxel scores (one per neuroid of ``recording``) on the brain with nilearn; save a PNG.

    ``bg_img`` defaults to the mean of the recording's first BOLD run.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from nilearn import image, plotting

    stat = voxel_image(values, recording, subject)
    stat = image.new_img_like(stat, np.nan_to_num(stat.get_fdata()))  # voxels outside the regions: 0, not drawn
    if bg_img is None and recording.attrs.get("reference_image"):
        bg_img = image.mean_img(recording.attrs["reference_image"], copy_header=True)
    display = plotting.plot_stat_map(stat, bg_img=bg_img, title=title or None, colorbar=True, **kwargs)
    display.savefig(str(output_file))
    display.close()
    return Path(output_file)


def bids_fmri_plugin(name: str, folder: str, task: str, regions: dict, modality: str = "audio", mode: str = "glm",
                     stimuli_dir: str = "stimuli", subjects: list[str] | None = None, default_metric: str = "ridge",
                     protocol: Protocol | None = None, card: dict | None = None, versions: dict | None = None,
                     hrf_model: str = "glover", lag: float = 4.0) -> DatasetPlugin:
    """A DatasetPlugin over ``<data root>/<folder>/`` (BIDS layout above). No core code needed."""

    def load(data_dir=None) -> Dataset:
        root = find_dataset_dir(folder, data_dir)
        if root is None:
            searched = "\n".join(f"  {where}: {r / folder}" for where, r in data_search_path(data_dir))
            raise DataNotFoundError(f"dataset {name!r}: BIDS folder {folder!r} not found in:\n{searched}\nFix: put the BIDS dataset there or pass --data-dir.")
        dataset = load_bids(root, task, regions, stimuli_dir, modality, mode, subjects, hrf_model, lag, name)
        dataset.card = plugin.card
        return dataset

    plugin = DatasetPlugin(
        name=name, modality=modality, recording_kind="trials", regions=tuple(regions), load=load, default_metric=default_metric,
        card=card or {"title": name, "method": "fMRI (BOLD), voxelwise", "response": mode},
        protocol_for=lambda metric: protocol or _default_protocol(),
        versions=versions or {default_metric: "1"},
    )
    return plugin


def _default_protocol():
    from brainbench.benchmark import Protocol

    return Protocol(kind="kfold", n_splits=5, seed=0, selection="nested", inner_splits=4)


def if_present(folder: str, plugins: list[DatasetPlugin]) -> list[DatasetPlugin]:
    """``PLUGINS = if_present(FOLDER, [...])``: register only where the data are, so default scoring
    runs on machines without them are unchanged."""
    return plugins if find_dataset_dir(folder) is not None else []


PLUGINS: list = []
