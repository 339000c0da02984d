"""The brainbench on-disk format of the Allen Neuropixels natural-scenes data: one writer, used by the
allensdk packaging script and by the tests, so what they write is what ``load()`` reads.

Folder ``allen_neuropixels_natural_scenes/``:

- ``spike_counts.npz`` — ``np.savez_compressed``, one uint8 array per area-session, key
  ``<AREA>_<specimen_id>`` (AREA in V1, LM, AL, RL, AM, PM), shape (trials, 118 images, units): spike
  counts summed over the session's window; a session with fewer trials is simply shorter.
- ``units.json`` — ``json.dumps`` (no indentation) of {key: metadata}, same key order as the npz;
  metadata fields in ``REQUIRED_META``. Firing rate in Hz = count x 100 / n_bins_10ms.
- ``images/scene_NNN.png`` — the 118 stimulus images, 8-bit grayscale, NNN = Allen frame id.

Both writers are deterministic (numpy writes zip entries with a fixed timestamp), so equal arrays and
metadata give byte-identical files: the published sha256 of ``FILES`` can be reproduced.

This module needs only numpy (and Pillow for images): the packaging script loads it by file path in
the allensdk environment, where brainbench itself is not installed.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path

import numpy as np

N_IMAGES = 118
#: Allen structure acronym -> the short area name used in the array keys
AREA_CODES = {"VISp": "V1", "VISl": "LM", "VISal": "AL", "VISrl": "RL", "VISam": "AM", "VISpm": "PM"}
REQUIRED_META = (
    "specimen_id", "visual_area_code", "visual_area", "n_trials", "n_images", "n_units",
    "time_window_idx", "time_window_s", "unit_ids", "frame_id_values", "n_bins_10ms",
)


class FormatError(ValueError):
    """Arrays or metadata that do not fit the format (named in the message)."""


def session_key(visual_area_code: str, specimen_id: int) -> str:
    if visual_area_code not in AREA_CODES:
        raise FormatError(f"unknown visual area {visual_area_code!r}; expected one of {sorted(AREA_CODES)}")
    return f"{AREA_CODES[visual_area_code]}_{int(specimen_id)}"


def session_meta(visual_area_code: str, specimen_id: int, unit_ids, n_trials: int, window_s: tuple[float, float], **extra) -> dict:
    """Metadata of one area-session, in the published field order (extra fields go last)."""
    start_bin, stop_bin = int(round(window_s[0] * 100)), int(round(window_s[1] * 100))
    if stop_bin <= start_bin:
        raise FormatError(f"window {window_s} s is shorter than one 10-ms bin")
    meta = {
        "specimen_id": int(specimen_id),
        "visual_area_code": visual_area_code,
        "visual_area": AREA_CODES[visual_area_code],
        "n_trials": int(n_trials),
        "n_images": N_IMAGES,
        "n_units": len(unit_ids),
        "time_window_idx": [start_bin, stop_bin],
        "time_window_s": [float(window_s[0]), float(window_s[1])],
        "unit_ids": [int(u) for u in unit_ids],
        "frame_id_values": list(range(N_IMAGES)),
    }
    meta.update(extra)
    meta["n_bins_10ms"] = stop_bin - start_bin
    return meta


def counts_in_window(spike_times: list[np.ndarray], onsets: np.ndarray, window_s: tuple[float, float]) -> np.ndarray:
    """(presentations, units) number of each unit's spikes in [onset + start, onset + stop)."""
    onsets = np.asarray(onsets, dtype=np.float64)
    out = np.empty((len(onsets), len(spike_times)), dtype=np.int64)
    for j, times in enumerate(spike_times):
        times = np.sort(np.asarray(times, dtype=np.float64))
        out[:, j] = np.searchsorted(times, onsets + window_s[1], "left") - np.searchsorted(times, onsets + window_s[0], "left")
    return out


def arrange_trials(frame_ids, counts: np.ndarray, n_images: int = N_IMAGES) -> np.ndarray:
    """(presentations, units) counts + each presentation's image -> (trials, images, units) uint8.

    Trial k of an image is its k-th presentation in time. Every image must be shown equally often
    (the Allen sessions show each 50 times); blank presentations (frame -1) must be dropped first.
    """
    frame_ids = np.asarray(frame_ids)
    counts = np.asarray(counts)
    if counts.ndim != 2 or len(frame_ids) != counts.shape[0]:
        raise FormatError(f"counts {counts.shape} and {len(frame_ids)} frame ids do not match")
    if frame_ids.min() < 0 or frame_ids.max() >= n_images:
        raise FormatError(f"frame ids must lie in 0..{n_images - 1} (drop blanks, frame -1, first); got {frame_ids.min()}..{frame_ids.max()}")
    repeats = np.bincount(frame_ids, minlength=n_images)
    if repeats.min() != repeats.max():
        raise FormatError(f"images are shown unequally often ({repeats.min()}..{repeats.max()} times); trim to the smallest count first")
    if counts.max(initial=0) > 255 or counts.min(initial=0) < 0:
        raise FormatError(f"spike counts must fit uint8 (0..255); got {counts.min()}..{counts.max()}: shorten the window")
    out = np.zeros((repeats[0], n_images, counts.shape[1]), dtype=np.uint8)
    for image in range(n_images):
        out[:, image, :] = counts[frame_ids == image]
    return out


def counts_from_window_mean(mean: np.ndarray, n_bins: int, where: str = "array") -> np.ndarray:
    """Per-session (trials, 118, units) mean spike count per 10-ms bin -> summed counts, uint8.

    This is the layout of the per-session ``.npy`` files the published data were taken from (the mean
    of the 10-ms bins in the session's window, float32). Trials that are not finite are dropped: a
    session with fewer presentations is padded with NaN there (the published RL_718643567 keeps 47).
    The products must be whole numbers of spikes; anything else is not the expected file.
    """
    mean = np.asarray(mean)
    if mean.dtype.kind != "f" or mean.ndim != 3 or mean.shape[1] != N_IMAGES:
        raise FormatError(f"{where}: expected float (trials, {N_IMAGES}, units) window means, got {mean.shape} {mean.dtype}")
    finite = np.isfinite(mean).all(axis=(1, 2))
    counts = mean[finite].astype(np.float64) * int(n_bins)
    whole = np.rint(counts)
    if counts.size == 0 or np.abs(counts - whole).max() > 1e-3:
        raise FormatError(f"{where}: values x {n_bins} bins are not whole spike counts (or no finite trial)")
    if whole.min() < 0 or whole.max() > 255:
        raise FormatError(f"{where}: spike counts {whole.min():.0f}..{whole.max():.0f} do not fit uint8")
    return whole.astype(np.uint8)


def _atomic_module():
    """brainbench's one atomic-write helper (standard library only), loaded by file path: this module
    also runs where brainbench is not installed (the allensdk environment)."""
    import importlib.util
    import sys

    if "brainbench.atomic" in sys.modules:
        return sys.modules["brainbench.atomic"]
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / "atomic.py", here.parents[2] / "brainbench" / "atomic.py"):  # installed; checkout
        if candidate.is_file():
            spec = importlib.util.spec_from_file_location("brainbench_atomic", candidate)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    raise ImportError(f"brainbench/atomic.py not found beside {here}")


def _write_atomic(path: Path, data: bytes) -> str:
    _atomic_module().write_bytes(path, data)
    return hashlib.sha256(data).hexdigest()


def write_spike_counts(folder: str | os.PathLike, sessions: dict[str, tuple[np.ndarray, dict]]) -> dict[str, str]:
    """Write ``spike_counts.npz`` and ``units.json``; return their sha256.

    ``sessions``: key -> (counts (trials, 118, units) uint8, metadata from ``session_meta``), written
    in sorted key order.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    arrays, units = {}, {}
    for key in sorted(sessions):
        counts, meta = sessions[key]
        missing = [f for f in REQUIRED_META if f not in meta]
        if missing:
            raise FormatError(f"{key}: metadata lacks {missing}")
        counts = np.asarray(counts)
        if counts.dtype != np.uint8:
            raise FormatError(f"{key}: counts must be uint8, got {counts.dtype}")
        # n_trials is the session's nominal repeat count; the published RL_718643567 array holds 47 of 50
        if counts.ndim != 3 or counts.shape[1:] != (N_IMAGES, meta["n_units"]) or not 0 < counts.shape[0] <= meta["n_trials"]:
            raise FormatError(f"{key}: counts have shape {counts.shape}, metadata says (<= {meta['n_trials']}, {N_IMAGES}, {meta['n_units']})")
        if key != session_key(meta["visual_area_code"], meta["specimen_id"]):
            raise FormatError(f"{key}: key does not match area {meta['visual_area_code']} and specimen {meta['specimen_id']}")
        arrays[key], units[key] = counts, meta
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return {
        "spike_counts.npz": _write_atomic(folder / "spike_counts.npz", buffer.getvalue()),
        "units.json": _write_atomic(folder / "units.json", json.dumps(units).encode()),
    }


def encode_png(image: np.ndarray) -> bytes:
    """One (height, width) uint8 image as the published PNG bytes (deterministic: Pillow with optimize=True, as published)."""
    from PIL import Image

    image = np.asarray(image)
    if image.ndim != 2 or image.dtype != np.uint8:
        raise FormatError(f"expected a (height, width) uint8 image, got {image.shape} {image.dtype}")
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def write_images(folder: str | os.PathLike, stack: np.ndarray) -> list[Path]:
    """Write the (118, height, width) uint8 template stack as ``images/scene_NNN.png``."""
    stack = np.asarray(stack)
    if stack.ndim != 3 or stack.shape[0] != N_IMAGES or stack.dtype != np.uint8:
        raise FormatError(f"expected a ({N_IMAGES}, height, width) uint8 image stack, got {stack.shape} {stack.dtype}")
    images = Path(folder) / "images"
    images.mkdir(parents=True, exist_ok=True)
    paths = []
    for frame, image in enumerate(stack):
        path = images / f"scene_{frame:03d}.png"
        _write_atomic(path, encode_png(image))
        paths.append(path)
    return paths


def read_spike_counts(folder: str | os.PathLike) -> dict[str, tuple[np.ndarray, dict]]:
    """The inverse of ``write_spike_counts`` (for checks and rebuilds; the scoring loader is in __init__)."""
    folder = Path(folder)
    units = json.loads((folder / "units.json").read_text())
    with np.load(folder / "spike_counts.npz") as archive:
        return {key: (archive[key], units[key]) for key in units}
