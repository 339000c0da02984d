"""Rebuild the brainbench Neuropixels files from the Allen Institute's servers with allensdk.

allensdk pins old numpy/pandas, so this runs in its own environment and never in the scoring path;
it imports nothing from brainbench except ``format.py`` (numpy only), loaded by file path:

    python3.11 -m venv ~/.venvs/allensdk   # checked with Python 3.11 (tests/test_allensdk_env.py)
    ~/.venvs/allensdk/bin/pip install "allensdk==2.16.2" "hdmf<4" "statsmodels<0.15" pillow
    ~/.venvs/allensdk/bin/python datasets/allen_neuropixels/package_allensdk.py \
        --cache ~/allen_ecephys_cache --out ~/brainbench_rebuild/allen_neuropixels_natural_scenes
    brainbench data list --data-dir ~/brainbench_rebuild

What it does, per ``brain_observatory_1.1`` session (EcephysProjectCache): the natural-scenes
presentations (``get_stimulus_table(["natural_scenes"])``, blanks dropped), the units in VISp, VISl,
VISal, VISrl, VISam and VISpm (``session.units``, allensdk's default quality filters), each unit's
spike count in ``[onset + start, onset + stop)`` of every presentation, arranged as
(trials, 118 images, units) uint8, k-th trial = k-th presentation of the image (trimmed to the
smallest repeat count of the session). The 118 images come from ``get_natural_scene_template``.
Keys and ``specimen_id`` come from the session table: an EcephysSession knows its donor (NWB
``subject_id``) and ``specimen_name`` but not its specimen id.

The pins: allensdk 2.16.2 leaves its dependencies open, and today's newest break it: with hdmf >= 4
pynwb 2.x cannot build an NWBFile, so no session NWB file opens; statsmodels 0.15 dropped the
``multipletests`` that allensdk.core.brain_observatory_cache imports. tests/test_allensdk_env.py
builds this environment and runs this script against allensdk's real classes over synthetic sessions.

The published files used a per-session reliability window (see units.json ``time_window_s``); a
rebuild with the default fixed window (0-250 ms) is a different data version: its checksums differ
from ``FILES`` in __init__.py and the loader says so.
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def load_format():
    spec = importlib.util.spec_from_file_location("brainbench_allen_np_format", HERE / "format.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def package_session(session, fmt, window_s, areas, specimen_id: int, min_units: int = 1) -> dict:
    """One allensdk EcephysSession -> {key: (counts, meta)} for each recorded area.

    ``specimen_id``: the session table's (``cache.get_session_table().loc[session_id, "specimen_id"]``).
    """
    stim = session.get_stimulus_table(["natural_scenes"])
    stim = stim[stim["frame"] >= 0].sort_values("start_time")  # frame -1: the blank screen
    frames = stim["frame"].astype(int).to_numpy()
    onsets = stim["start_time"].to_numpy()
    n_trials = int(np.bincount(frames, minlength=fmt.N_IMAGES).min())
    # keep the first n_trials presentations of every image, in time order
    keep = np.zeros(len(frames), dtype=bool)
    for image in range(fmt.N_IMAGES):
        keep[np.flatnonzero(frames == image)[:n_trials]] = True
    frames, onsets = frames[keep], onsets[keep]
    out = {}
    units = session.units
    # through EcephysProjectCache the warehouse's channel table adds ecephys_structure_acronym; a session
    # opened straight from its NWB file (EcephysSession.from_nwb_path) has only the file's structure_acronym
    column = "ecephys_structure_acronym" if "ecephys_structure_acronym" in units.columns else "structure_acronym"
    for area in areas:
        unit_ids = units.index[units[column] == area].to_numpy()
        if len(unit_ids) < min_units:
            continue
        spikes = [session.spike_times[u] for u in unit_ids]
        counts = fmt.counts_in_window(spikes, onsets, window_s)
        trials = fmt.arrange_trials(frames, counts)
        meta = fmt.session_meta(area, specimen_id, unit_ids, n_trials, window_s, session_id=int(session.ecephys_session_id))
        out[fmt.session_key(area, specimen_id)] = (trials, meta)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", required=True, help="allensdk EcephysProjectCache folder (tens of GB)")
    parser.add_argument("--out", required=True, help="output folder (allen_neuropixels_natural_scenes)")
    parser.add_argument("--window", nargs=2, type=float, default=(0.0, 0.25), metavar=("START", "STOP"), help="seconds after onset (default 0 0.25)")
    parser.add_argument("--sessions", nargs="*", type=int, help="only these ecephys session ids")
    parser.add_argument("--areas", nargs="*", default=["VISp", "VISl", "VISal", "VISrl", "VISam", "VISpm"])
    args = parser.parse_args(argv)

    from allensdk.brain_observatory.ecephys.ecephys_project_cache import EcephysProjectCache  # allensdk env only

    fmt = load_format()
    cache = EcephysProjectCache.from_warehouse(manifest=str(Path(args.cache).expanduser() / "manifest.json"))
    table = cache.get_session_table()
    ids = args.sessions or table.index[table["session_type"] == "brain_observatory_1.1"].tolist()
    sessions = {}
    for n, session_id in enumerate(ids, 1):
        print(f"[{n}/{len(ids)}] session {session_id}", file=sys.stderr)
        specimen_id = int(table.loc[session_id, "specimen_id"])
        sessions.update(package_session(cache.get_session_data(session_id), fmt, tuple(args.window), args.areas, specimen_id))
    out = Path(args.out).expanduser()
    digests = fmt.write_spike_counts(out, sessions)
    stack = np.stack([np.asarray(cache.get_natural_scene_template(i), dtype=np.uint8) for i in range(fmt.N_IMAGES)])
    fmt.write_images(out, stack)
    for name, digest in digests.items():
        print(f"{out / name}: sha256 {digest}")
    print(f"{len(sessions)} area-sessions, {sum(a.shape[2] for a, _ in sessions.values())} units -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
