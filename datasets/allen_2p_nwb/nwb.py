"""Read Allen Brain Observatory Visual Coding 2-photon NWB files (session B) with h5py alone.

The layout is that of the Brain Observatory's NWB 1.0 ophys files, as read by allensdk's
``allensdk/core/brain_observatory_nwb_data_set.py`` (class ``BrainObservatoryNwbDataSet``:
``FILE_METADATA_MAPPING``, ``get_dff_traces``, ``get_cell_specimen_ids``,
``get_indexed_time_series_stimulus_table`` and ``get_stimulus_template``). Paths used here:

=====================================================================  ==========================================
``processing/brain_observatory_pipeline/DfOverF/imaging_plane_1/data``  (cells, frames) dF/F traces
``.../DfOverF/imaging_plane_1/timestamps``                              (frames,) seconds
``processing/brain_observatory_pipeline/ImageSegmentation/cell_specimen_ids``  (cells,) Allen cell ids
``stimulus/presentation/natural_scenes_stimulus/data``                 (presentations,) image index, -1 = blank
``stimulus/presentation/natural_scenes_stimulus/frame_duration``       (presentations, 2) start, end frame
``stimulus/templates/natural_scenes_image_stack/data``                 (118, 918, 1174) uint8 images
``general/optophysiology/imaging_plane_1/location``                    targeted area, e.g. ``VISp``
``general/optophysiology/imaging_plane_1/imaging depth``               e.g. ``175 microns``
``general/subject/genotype``                                           Cre line = text before the first ``;``
``general/session_type``                                               ``three_session_B`` (natural scenes)
``general/session_id``, ``general/experiment_container_id``            experiment and container (one mouse, one field of view)
=====================================================================  ==========================================

Needs only numpy and h5py, so the allensdk packaging script can use it too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PIPELINE = "processing/brain_observatory_pipeline"
DFF = f"{PIPELINE}/DfOverF/imaging_plane_1"
CELL_IDS = f"{PIPELINE}/ImageSegmentation/cell_specimen_ids"
SCENES = "stimulus/presentation/natural_scenes_stimulus"
TEMPLATE = "stimulus/templates/natural_scenes_image_stack/data"
META = {
    "area": "general/optophysiology/imaging_plane_1/location",
    "imaging_depth": "general/optophysiology/imaging_plane_1/imaging depth",
    "genotype": "general/subject/genotype",
    "session_type": "general/session_type",
    "experiment_id": "general/session_id",
    "container_id": "general/experiment_container_id",
}
AREAS = ("VISp", "VISl", "VISal", "VISrl", "VISam", "VISpm")


class NWBLayoutError(ValueError):
    """The file lacks a dataset this reader needs, or holds it in an unexpected form."""


class NotSessionB(NWBLayoutError):
    """A valid Brain Observatory file without the natural-scenes block (session A or C)."""


@dataclass
class SessionB:
    path: Path
    dff: np.ndarray  # (cells, frames)
    timestamps: np.ndarray  # (frames,)
    cell_ids: np.ndarray  # (cells,)
    frame: np.ndarray  # (presentations,) image index, -1 = blank
    start: np.ndarray  # (presentations,) first acquisition frame
    end: np.ndarray  # (presentations,) acquisition frame after the last
    template: np.ndarray | None  # (images, height, width) uint8
    area: str
    depth_um: int
    cre_line: str
    session_type: str
    experiment_id: str
    container_id: str


def _text(value) -> str:
    if isinstance(value, np.ndarray):
        value = value.item() if value.shape == () else value[0]
    return value.decode() if isinstance(value, bytes) else str(value)


def _area_code(location: str) -> str:
    # files say "VISp" or, in some releases, "Area: VISp"-like text; take the area acronym
    match = re.search(r"VIS(p|l|al|rl|am|pm)\b", location)
    if not match:
        raise NWBLayoutError(f"imaging location {location!r} names none of {AREAS}")
    return match.group(0)


def read_session(path: str | Path, load_template: bool = True) -> SessionB:
    import h5py

    path = Path(path)
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise NWBLayoutError(f"{path}: not a readable HDF5/NWB file ({exc})") from exc
    with f:
        missing = [p for p in (f"{DFF}/data", f"{DFF}/timestamps", CELL_IDS, *META.values()) if p not in f]
        if missing:
            raise NWBLayoutError(f"{path}: missing {', '.join(missing)}; not an Allen Brain Observatory ophys NWB file?")
        if f"{SCENES}/data" not in f or f"{SCENES}/frame_duration" not in f:
            raise NotSessionB(f"{path}: no natural-scenes block ({SCENES}); session type {_text(f[META['session_type']][()])!r}")
        meta = {k: _text(f[p][()]) for k, p in META.items()}
        dff = np.asarray(f[f"{DFF}/data"][()], dtype=np.float32)
        timestamps = np.asarray(f[f"{DFF}/timestamps"][()], dtype=np.float64)
        cell_ids = np.asarray(f[CELL_IDS][()])
        frame = np.asarray(f[f"{SCENES}/data"][()]).reshape(-1).astype(int)
        durations = np.asarray(f[f"{SCENES}/frame_duration"][()]).astype(int)
        template = np.asarray(f[TEMPLATE][()]) if load_template and TEMPLATE in f else None
    if dff.ndim != 2 or dff.shape != (len(cell_ids), len(timestamps)):
        raise NWBLayoutError(f"{path}: dF/F has shape {dff.shape}, expected ({len(cell_ids)} cells, {len(timestamps)} frames)")
    if durations.shape != (len(frame), 2):
        raise NWBLayoutError(f"{path}: frame_duration has shape {durations.shape}, expected ({len(frame)}, 2)")
    depth = re.match(r"\s*(\d+)", meta["imaging_depth"])
    if not depth:
        raise NWBLayoutError(f"{path}: imaging depth {meta['imaging_depth']!r} is not '<number> microns'")
    return SessionB(
        path=path, dff=dff, timestamps=timestamps, cell_ids=cell_ids, frame=frame,
        start=durations[:, 0], end=durations[:, 1], template=template,
        area=_area_code(meta["area"]), depth_um=int(depth.group(1)), cre_line=meta["genotype"].split(";")[0].strip(),
        session_type=meta["session_type"], experiment_id=meta["experiment_id"], container_id=meta["container_id"],
    )


def trial_responses(session: SessionB, window_s: tuple[float, float] = (0.0, 0.5), baseline_s: float = 0.0,
                    n_images: int | None = None, include_blank: bool = False) -> np.ndarray:
    """(repetition, stimulus, cell) mean dF/F of each presentation.

    The window is ``window_s`` seconds after the presentation's first frame (converted with the median
    frame interval; 0.5 s covers the 250-ms image and the slow calcium response). With ``baseline_s``,
    the mean over that many seconds before onset is subtracted. Repetition k of an image is its k-th
    presentation in time; images shown fewer times are NaN-padded. Stimulus order: images 0..n-1, then
    the blank (frame -1) if ``include_blank``.
    """
    n_images = n_images if n_images is not None else (len(session.template) if session.template is not None else int(session.frame.max()) + 1)
    frame_interval = float(np.median(np.diff(session.timestamps)))
    first = int(round(window_s[0] / frame_interval))
    length = max(1, int(round((window_s[1] - window_s[0]) / frame_interval)))
    n_base = int(round(baseline_s / frame_interval))
    n_frames = session.dff.shape[1]
    stimuli = list(range(n_images)) + ([-1] if include_blank else [])
    counts = [int(np.sum(session.frame == s)) for s in stimuli]
    out = np.full((max(counts), len(stimuli), session.dff.shape[0]), np.nan, dtype=np.float32)
    for column, stim in enumerate(stimuli):
        for rep, onset in enumerate(session.start[session.frame == stim]):
            lo, hi = onset + first, onset + first + length
            if lo < n_base or hi > n_frames:
                continue  # window runs off the recording: leave NaN
            response = session.dff[:, lo:hi].mean(axis=1)
            if n_base:
                response = response - session.dff[:, onset - n_base : onset].mean(axis=1)
            out[rep, column] = response
    return out


def write_session_b(path: str | Path, dff: np.ndarray, timestamps: np.ndarray, cell_ids, frame, start, end, template: np.ndarray,
                    area: str = "VISp", depth_um: int = 175, genotype: str = "Cux2-CreERT2;Camk2a-tTA;Ai93(TITL-GCaMP6f)",
                    experiment_id: int = 1, container_id: int = 1, session_type: str = "three_session_B") -> Path:
    """Write a file with the layout above (the datasets this reader uses, nothing else).

    For tests and for users converting their own recordings to the same layout.
    """
    import h5py

    path = Path(path)
    with h5py.File(path, "w") as f:
        f[f"{DFF}/data"] = np.asarray(dff, dtype=np.float32)
        f[f"{DFF}/timestamps"] = np.asarray(timestamps, dtype=np.float64)
        f[CELL_IDS] = np.asarray(cell_ids, dtype=np.int64)
        # every Allen file has this group (sessions A and C hold other stimuli there); allensdk looks
        # stimuli up inside it and fails with a bare KeyError when the group itself is missing
        f.require_group("stimulus/presentation")
        if frame is not None:  # None: a session without natural scenes (A or C)
            f[f"{SCENES}/data"] = np.asarray(frame, dtype=np.float64)  # Allen stores the index as float
            f[f"{SCENES}/frame_duration"] = np.stack([start, end], axis=1).astype(np.float64)
            f[TEMPLATE] = np.asarray(template, dtype=np.uint8)
        for key, value in {"area": area, "imaging_depth": f"{depth_um} microns", "genotype": genotype, "session_type": session_type,
                           "experiment_id": str(experiment_id), "container_id": str(container_id)}.items():
            # fixed-length byte strings, as in Allen's files: allensdk's get_metadata reads ``.dtype`` of each
            # value, which a variable-length string (returned as Python bytes) lacks
            f[META[key]] = np.bytes_(value.encode())
    return path
