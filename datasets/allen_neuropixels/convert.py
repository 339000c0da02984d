"""Converters of the allen_np manifest (manifest.py): the Allen Institute's and the per-session
upstream files -> the published brainbench files, byte for byte or a named failure.

- ``scene_tiff``: Allen's ``natural_scene_<frame>.tiff`` stimulus template -> ``images/scene_NNN.png``
  (same pixels, re-encoded by the packaging script's PNG writer, ``format.encode_png``);
- ``spike_counts``: per-session window means (``<KEY>.npy``, float32, trials x 118 x units, missing
  presentations NaN) times the session's number of 10-ms bins (from its ``<KEY>.json``) -> whole spike
  counts, uint8, one array per session in ``spike_counts.npz``;
- ``units``: the sessions' metadata with ``n_bins_10ms`` appended -> ``units.json``.

Each session is also checked on its own against its pinned digests (``sessions``: key -> (commit,
folder, sha256[:16] of the counts, sha256[:16] of the metadata)), so a changed upstream file is named
with its URL and only it is deleted: the next fetch downloads that file again, nothing else.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from brainbench.converters import npz_bytes, write_verified
from brainbench.fetch import ChecksumError, FetchError

from . import format as fmt


def scene_tiff(upstreams: list[tuple[str, Path]], target: Path, expected_sha256: str) -> None:
    """Allen's ``natural_scene_<frame>.tiff`` stimulus template -> ``images/scene_NNN.png`` (same pixels)."""
    from PIL import Image

    (url, path), = upstreams
    try:
        with Image.open(path) as image:
            pixels = np.asarray(image)
    except (OSError, ValueError) as exc:
        raise FetchError(f"{url}: not a readable TIFF image ({exc})", (path,)) from exc
    if pixels.ndim != 2 or pixels.dtype.kind not in "ui" or pixels.min() < 0 or pixels.max() > 255:
        raise FetchError(f"{url}: expected an 8-bit grayscale image, got {pixels.shape} {pixels.dtype}", (path,))
    write_verified(fmt.encode_png(pixels.astype(np.uint8)), target, expected_sha256, f"{url} ({pixels.shape[0]}x{pixels.shape[1]} pixels)", (path,))


def _sessions(upstreams: list[tuple[str, Path]]) -> dict[str, dict]:
    """Pair each session's ``<KEY>.json`` and ``<KEY>.npy``; read the metadata (n_bins_10ms appended)."""
    sessions: dict[str, dict] = {}
    for url, path in upstreams:
        key, ext = url.rsplit("/", 1)[1].rsplit(".", 1)
        sessions.setdefault(key, {})[ext] = (url, path)
    for key, files in sessions.items():
        if set(files) != {"json", "npy"}:
            raise FetchError(f"session {key}: expected a .json and a .npy upstream file, got {sorted(files)}")
        url, path = files["json"]
        try:
            meta = json.loads(path.read_text())
            start, stop = meta["time_window_idx"]
        except (ValueError, KeyError, TypeError) as exc:
            raise FetchError(f"{url}: not the expected session metadata ({type(exc).__name__}: {exc})", (path,)) from exc
        meta["n_bins_10ms"] = int(stop) - int(start)
        files["meta"] = meta
    return sessions


def _check_session(key: str, kind: str, digest: str, files: dict, expect: str) -> None:
    if digest[:16] != expect:
        url, path = files["npy" if kind == "counts" else "json"]
        raise ChecksumError(
            f"session {key}: the {kind} built from {url} do not match the published ones (sha256 {digest[:16]} "
            f"vs {expect}); that upstream file changed. Use a mirror or `brainbench data import`.",
            (path,),
        )


def spike_counts(upstreams: list[tuple[str, Path]], target: Path, expected_sha256: str, sessions: dict) -> None:
    """Per-session window means (``<KEY>.npy``, float32) -> ``spike_counts.npz`` of uint8 spike counts."""
    arrays = {}
    for key, files in sorted(_sessions(upstreams).items()):
        url, path = files["npy"]
        try:
            mean = np.load(path, allow_pickle=False)
            counts = fmt.counts_from_window_mean(mean, files["meta"]["n_bins_10ms"], where=url)
        except (ValueError, OSError) as exc:  # FormatError is a ValueError
            raise FetchError(f"{url}: {exc}", (path,)) from exc
        _check_session(key, "counts", hashlib.sha256(counts.tobytes()).hexdigest(), files, sessions[key][2])
        arrays[key] = counts
    write_verified(npz_bytes(arrays), target, expected_sha256, f"{len(arrays)} upstream sessions")


def units(upstreams: list[tuple[str, Path]], target: Path, expected_sha256: str, sessions: dict) -> None:
    """Per-session metadata (``<KEY>.json``) -> ``units.json`` (keys sorted, n_bins_10ms appended)."""
    table = {}
    for key, files in sorted(_sessions(upstreams).items()):
        text = json.dumps(files["meta"])
        _check_session(key, "metadata", hashlib.sha256(text.encode()).hexdigest(), files, sessions[key][3])
        table[key] = files["meta"]
    write_verified(json.dumps(table).encode(), target, expected_sha256, f"{len(table)} upstream sessions")
