"""Run datasets/allen_neuropixels/package_allensdk.py against allensdk's real classes (allensdk venv only).

No Allen server is reachable, so the session is synthetic but everything around it is allensdk's own:
the session NWB file is written with allensdk's writers (Probes/Probe/Unit/Channel, Presentations,
add_invalid_times, as in write_nwb.write_ecephys_nwb), served through a real ``EcephysProjectCache``
whose fetch API returns synthetic warehouse tables and file bytes, and read back by
``EcephysNwbSessionApi``/``EcephysSession`` with allensdk's default unit filters and invalid-time
masking. The script's ``main()`` runs unchanged (only ``from_warehouse`` is redirected to that cache).

Every expected count is brute force from the planted spike times, never from format.py.

    python check_neuropixels.py WORKDIR   # prints one JSON object; exits non-zero on a mismatch
"""
from __future__ import annotations

import contextlib
import datetime
import io
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from _common import CheckFailed, check, load_module  # this folder (the scripts run in the allensdk venv)

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "datasets" / "allen_neuropixels" / "package_allensdk.py"
N_IMAGES = 118
DURATION = 0.25  # each natural scene is shown 250 ms, back to back
N_REPEATS = 4  # per session (Allen: 50); split over two natural_scenes blocks as in brain_observatory_1.1

# Two brain_observatory_1.1 sessions of two mice, and one functional_connectivity session that must never
# be downloaded. The specimen id differs from the donor id (as at Allen), so a key built from the wrong id shows.
SESSIONS = {
    715093703: dict(specimen_id=699733581, donor_id=699733573, session_type="brain_observatory_1.1",
                    probes={"probeA": ["VISp", "VISp", "CA1"], "probeB": ["VISl", "VISl", "LGd"]}),
    719161530: dict(specimen_id=703279284, donor_id=703279277, session_type="brain_observatory_1.1",
                    probes={"probeC": ["VISam", "VISam", "VISp"], "probeD": [None, "VISrl", "VISrl"]}),
    839068429: dict(specimen_id=821469666, donor_id=821469659, session_type="functional_connectivity",
                    probes={"probeA": ["VISp"]}),
}
# units per channel, and the units allensdk's default filters must drop (with the reason)
FAILING = {"noise": dict(quality="noise"), "amplitude_cutoff": dict(amplitude_cutoff=0.3),
           "presence_ratio": dict(presence_ratio=0.5), "isi_violations": dict(isi_violations=2.0)}
AREAS = ["VISp", "VISl", "VISal", "VISrl", "VISam", "VISpm"]


def load_script():
    return load_module(SCRIPT, "package_allensdk_under_test")


# ---------------------------------------------------------------- synthetic session

def stimulus_table(rng, session_id):
    """Presentations as allensdk's stimulus-table module writes them (start/stop, name, block, params)."""
    rows, t = [], 1.0
    rows.append(dict(start_time=0.0, stop_time=t, stimulus_name="spontaneous", stimulus_block=np.nan, frame=np.nan, orientation=np.nan))
    block = 0
    for _half in range(2):
        for _rep in range(N_REPEATS // 2):
            # one blank (frame -1) among the 118 images of every repeat, as in the Allen natural_scenes blocks
            for frame in rng.permutation(np.r_[np.arange(N_IMAGES), -1]):
                rows.append(dict(start_time=t, stop_time=t + DURATION, stimulus_name="natural_scenes", stimulus_block=float(block),
                                 frame=float(frame), orientation=np.nan))
                t += DURATION
        block += 1
        # static gratings between the natural-scenes blocks: another stimulus with a frame-free parameter set
        for orientation in (0.0, 30.0, 60.0, 90.0):
            rows.append(dict(start_time=t, stop_time=t + DURATION, stimulus_name="static_gratings", stimulus_block=float(block),
                             frame=np.nan, orientation=orientation))
            t += DURATION
        block += 1
    table = pd.DataFrame(rows)
    table["stimulus_index"] = table["stimulus_block"].fillna(-1).astype(int)
    return table, t + 1.0


def make_units(rng, session_id, spec):
    """Channels and units of every probe; each channel gets one good unit, VIS channels also one per failing filter."""
    probes, channel_rows, unit_rows = [], [], []
    next_channel, next_unit = session_id * 10, session_id * 100
    for p, (probe_name, areas) in enumerate(spec["probes"].items()):
        probe_id = session_id * 10 + 900 + p
        probes.append(dict(id=probe_id, name=probe_name))
        for c, area in enumerate(areas):
            channel_id = next_channel = next_channel + 1
            channel_rows.append(dict(id=channel_id, probe_id=probe_id, probe_name=probe_name, area=area, local_index=c,
                                     vertical=20 * c + 10, horizontal=16 * (c % 2) + 11, valid=True))
            kinds = ["good"] + (list(FAILING) if area and area.startswith("VIS") else [])
            for kind in kinds:
                unit_id = next_unit = next_unit + 1
                unit_rows.append(dict(id=unit_id, channel_id=channel_id, area=area, kind=kind, cluster_id=len(unit_rows)))
        # a VISp-labelled channel whose data are marked invalid: its unit is dropped by filter_by_validity
        channel_id = next_channel = next_channel + 1
        channel_rows.append(dict(id=channel_id, probe_id=probe_id, probe_name=probe_name, area="VISp", local_index=len(areas),
                                 vertical=20 * len(areas) + 10, horizontal=11, valid=False))
        unit_id = next_unit = next_unit + 1
        unit_rows.append(dict(id=unit_id, channel_id=channel_id, area="VISp", kind="invalid_channel", cluster_id=len(unit_rows)))
    for unit in unit_rows:
        # out-of-brain channels (no structure) are dropped by filter_out_of_brain_units
        if unit["area"] is None:
            unit["kind"] = "out_of_brain"
    return probes, channel_rows, unit_rows


def plant_spikes(rng, presentations, t_end, n_units):
    """Spike times with image-specific rates, background, and spikes exactly on window edges."""
    ns = presentations[presentations["stimulus_name"] == "natural_scenes"]
    rates = rng.uniform(4, 80, size=(n_units, N_IMAGES + 1))  # column 118: the blank
    spikes = []
    for u in range(n_units):
        times = [rng.uniform(0, t_end, size=rng.poisson(3 * t_end))]  # spontaneous background
        for onset, frame in zip(ns["start_time"], ns["frame"].astype(int)):
            times.append(onset + rng.uniform(0, DURATION, size=rng.poisson(rates[u, frame] * DURATION)))
        # spikes exactly at onsets: [onset, onset + 0.25) holds them, the previous window must not
        times.append(ns["start_time"].to_numpy()[rng.random(len(ns)) < 0.2])
        spikes.append(np.sort(np.concatenate(times)))
    return spikes


def build_nwb(path, session_id, spec, presentations, invalid_epochs, probes, channel_rows, unit_rows, spikes):
    """The session NWB file, written the way allensdk.brain_observatory.ecephys.write_nwb writes one."""
    import pynwb
    from allensdk.brain_observatory.behavior.data_objects.stimuli.presentations import Presentations
    from allensdk.brain_observatory.ecephys._channel import Channel
    from allensdk.brain_observatory.ecephys._channels import Channels
    from allensdk.brain_observatory.ecephys._probe import Probe
    from allensdk.brain_observatory.ecephys._unit import Unit
    from allensdk.brain_observatory.ecephys._units import Units
    from allensdk.brain_observatory.ecephys.probes import Probes
    from allensdk.brain_observatory.ecephys.write_nwb.__main__ import add_metadata_to_nwbfile
    from allensdk.brain_observatory.nwb import add_invalid_times, add_stimulus_timestamps

    nwbfile = pynwb.NWBFile(session_description="synthetic ecephys session", identifier=str(session_id), session_id=str(session_id),
                            session_start_time=datetime.datetime(2019, 1, 1, tzinfo=datetime.timezone.utc), institution="Allen Institute")
    nwbfile = add_metadata_to_nwbfile(nwbfile, dict(specimen_name=f"Synthetic-{spec['donor_id']}", age_in_days=110.0, full_genotype="wt/wt",
                                                    strain="C57BL/6J", sex="M", stimulus_name=spec["session_type"], species="Mus musculus",
                                                    donor_id=spec["donor_id"]))
    table = Presentations(presentations, sort_columns=False)
    nwbfile = add_stimulus_timestamps(nwbfile, table.value["start_time"].values)
    nwbfile = table.to_nwb(nwbfile)
    nwbfile = add_invalid_times(nwbfile, invalid_epochs)
    objects = []
    for probe in probes:
        channels = Channels([Channel(id=c["id"], probe_id=c["probe_id"], valid_data=c["valid"], probe_channel_number=c["local_index"],
                                     probe_vertical_position=c["vertical"], probe_horizontal_position=c["horizontal"],
                                     # out of brain: Allen files say 'None'
                                     structure_acronym=c["area"] or "None", anterior_posterior_ccf_coordinate=1.0,
                                     dorsal_ventral_ccf_coordinate=1.0, left_right_ccf_coordinate=1.0)
                             for c in channel_rows if c["probe_id"] == probe["id"]])
        on_probe = {c["id"] for c in channel_rows if c["probe_id"] == probe["id"]}
        units = Units([Unit(id=u["id"], peak_channel_id=u["channel_id"], local_index=u["cluster_id"], cluster_id=u["cluster_id"],
                            spike_times=spikes[i], spike_amplitudes=np.ones(len(spikes[i])), mean_waveforms=np.zeros((2, 82)),
                            firing_rate=5.0, snr=3.0, **unit_metrics(u))
                       for i, u in enumerate(unit_rows) if u["channel_id"] in on_probe])
        objects.append(Probe(id=probe["id"], name=probe["name"], channels=channels, units=units, sampling_rate=30000.0))
    Probes(objects).to_nwb(nwbfile)
    with pynwb.NWBHDF5IO(str(path), mode="w") as writer:
        writer.write(nwbfile, cache_spec=True)


def unit_metrics(unit):
    metrics = dict(quality="good", amplitude_cutoff=0.01, presence_ratio=0.99, isi_violations=0.05)
    metrics.update(FAILING.get(unit["kind"], {}))
    return metrics


def synthetic_warehouse(sessions, nwb_bytes, scenes):
    from allensdk.brain_observatory.ecephys.ecephys_project_api import EcephysProjectApi

    class SyntheticWarehouse(_SyntheticWarehouse, EcephysProjectApi):
        pass  # anything else (LFP, metrics, movies) is allensdk's NotImplementedError

    return SyntheticWarehouse(sessions, nwb_bytes, scenes)


class _SyntheticWarehouse:
    """Stands in for EcephysProjectWarehouseApi: the same tables (columns as the warehouse returns them) and file bytes."""

    def __init__(self, sessions, nwb_bytes, scenes):
        self.sessions, self.nwb_bytes, self.scenes = sessions, nwb_bytes, scenes
        self.downloaded = []

    def get_sessions(self, *a, **k):
        return pd.DataFrame([dict(id=sid, specimen_id=s["specimen_id"], session_type=s["session_type"], published_at="2019-10-03",
                                  age_in_days=110.0, sex="M", genotype="wt/wt", has_nwb=True, isi_experiment_id=1,
                                  date_of_acquisition="2019-01-01") for sid, s in self.sessions.items()]).set_index("id")

    def get_probes(self, *a, **k):
        return pd.DataFrame([dict(id=p["id"], ecephys_session_id=sid, name=p["name"], sampling_rate=30000.0, lfp_sampling_rate=2500.0,
                                  phase="3a", has_lfp_data=False, lfp_temporal_subsampling_factor=2.0)
                             for sid, s in self.sessions.items() for p in s["probe_rows"]]).set_index("id")

    def get_channels(self, *a, **k):
        return pd.DataFrame([dict(id=c["id"], ecephys_probe_id=c["probe_id"], local_index=c["local_index"], probe_horizontal_position=c["horizontal"],
                                  probe_vertical_position=c["vertical"], anterior_posterior_ccf_coordinate=1.0, dorsal_ventral_ccf_coordinate=1.0,
                                  left_right_ccf_coordinate=1.0, ecephys_structure_id=hash(c["area"]) % 1000 if c["area"] else np.nan,
                                  ecephys_structure_acronym=c["area"] if c["area"] else np.nan)
                             for s in self.sessions.values() for c in s["channel_rows"]]).set_index("id")

    def get_units(self, *a, **k):
        return pd.DataFrame([dict(id=u["id"], ecephys_channel_id=u["channel_id"], snr=3.0, firing_rate=5.0, **unit_metrics(u))
                             for s in self.sessions.values() for u in s["unit_rows"]]).set_index("id")

    def get_session_data(self, session_id):
        self.downloaded.append(int(session_id))
        return iter([self.nwb_bytes[session_id]])

    def get_natural_scene_template(self, number):
        return iter([self.scenes[number]])


def tiff_bytes(image):
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="TIFF")
    return buffer.getvalue()


# ---------------------------------------------------------------- brute force

def brute_force(presentations, invalid, spikes, unit_rows, window):
    """{area: {unit_id: (trials, 118) counts}}, n_trials, from the planted times with plain loops."""
    ns = presentations[(presentations["stimulus_name"] == "natural_scenes") & (presentations["frame"] >= 0)]
    ns = ns[[not any(s < hi and lo < e for lo, hi in invalid) for s, e in zip(ns["start_time"], ns["stop_time"])]]
    onsets = {image: sorted(ns.loc[ns["frame"] == image, "start_time"]) for image in range(N_IMAGES)}
    n_trials = min(len(v) for v in onsets.values())
    out = {}
    for i, unit in enumerate(unit_rows):
        if unit["kind"] != "good" or unit["area"] not in AREAS:
            continue
        counts = np.zeros((n_trials, N_IMAGES), dtype=np.int64)
        for image in range(N_IMAGES):
            for k, onset in enumerate(onsets[image][:n_trials]):
                counts[k, image] = np.count_nonzero((spikes[i] >= onset + window[0]) & (spikes[i] < onset + window[1]))
        out.setdefault(unit["area"], {})[unit["id"]] = counts
    return out, n_trials


def compare(sessions_out, truth, specimen_id, session_id, n_trials, window, area_codes):
    """The script's {key: (counts, meta)} for one session against the brute-force truth."""
    checked = {}
    for area, units in truth.items():
        key = f"{area_codes[area]}_{specimen_id}"
        check(key in sessions_out, f"{key} missing from the packaged keys {sorted(sessions_out)}")
        counts, meta = sessions_out[key]
        check(counts.dtype == np.uint8 and counts.shape == (n_trials, N_IMAGES, len(units)),
              f"{key}: counts {counts.shape} {counts.dtype}, expected ({n_trials}, {N_IMAGES}, {len(units)}) uint8")
        check(sorted(meta["unit_ids"]) == sorted(units), f"{key}: unit ids {meta['unit_ids']}, expected the filtered {sorted(units)}")
        for column, unit_id in enumerate(meta["unit_ids"]):
            want = units[unit_id]
            got = counts[:, :, column].astype(np.int64)
            check(np.array_equal(got, want), f"{key} unit {unit_id}: {int((got != want).sum())} counts differ from brute force")
        check(meta["specimen_id"] == specimen_id and meta.get("session_id") == session_id and meta["visual_area_code"] == area
              and meta["n_trials"] == n_trials and meta["time_window_s"] == [float(window[0]), float(window[1])]
              and meta["n_bins_10ms"] == round((window[1] - window[0]) * 100) and meta["frame_id_values"] == list(range(N_IMAGES)),
              f"{key}: metadata {({k: v for k, v in meta.items() if k not in ('unit_ids', 'frame_id_values')})}")
        checked[key] = dict(units=len(units), trials=n_trials, spikes_counted=int(counts.sum()))
    extra = set(k for k in sessions_out if k.endswith(f"_{specimen_id}")) - set(checked)
    check(not extra, f"unexpected keys {sorted(extra)} (areas without VIS units that pass the filters)")
    return checked


# ---------------------------------------------------------------- main

def main(workdir: Path) -> dict:
    import allensdk
    from allensdk.brain_observatory.ecephys.ecephys_project_api.http_engine import write_from_stream
    from allensdk.brain_observatory.ecephys.ecephys_project_cache import EcephysProjectCache
    from allensdk.brain_observatory.ecephys.ecephys_session import EcephysSession

    rng = np.random.default_rng(20240611)
    workdir.mkdir(parents=True, exist_ok=True)
    script = load_script()
    fmt = script.load_format()

    nwb_bytes, truth = {}, {}
    for session_id, spec in SESSIONS.items():
        presentations, t_end = stimulus_table(rng, session_id)
        ns = presentations.index[(presentations["stimulus_name"] == "natural_scenes") & (presentations["frame"] >= 0)]
        # a 'stimulus' invalid interval inside one natural-scenes presentation: allensdk masks it, so
        # that image has one repeat fewer and the session is trimmed to N_REPEATS - 1 trials
        hit = presentations.loc[ns[len(ns) // 3]]
        invalid = [(hit["start_time"] + 0.1, hit["start_time"] + 0.15)]
        invalid_epochs = [dict(type="EcephysSession", id=session_id, label="stimulus", start_time=lo, end_time=hi) for lo, hi in invalid]
        probes, channel_rows, unit_rows = make_units(rng, session_id, spec)
        spec.update(probe_rows=probes, channel_rows=channel_rows, unit_rows=unit_rows)  # the warehouse tables list every session
        if spec["session_type"] != "brain_observatory_1.1":
            continue  # never downloaded: no file behind it
        spikes = plant_spikes(rng, presentations, t_end, len(unit_rows))
        path = workdir / f"synthetic_{session_id}.nwb"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # hdmf's notes on allensdk's column specs
            build_nwb(path, session_id, spec, presentations, invalid_epochs, probes, channel_rows, unit_rows, spikes)
        nwb_bytes[session_id] = path.read_bytes()
        truth[session_id] = dict(presentations=presentations, invalid=invalid, spikes=spikes, unit_rows=unit_rows, path=path)

    scenes = rng.integers(0, 256, size=(N_IMAGES, 9, 12), dtype=np.uint8)
    warehouse = synthetic_warehouse(SESSIONS, nwb_bytes, {i: tiff_bytes(scenes[i]) for i in range(N_IMAGES)})
    manifests = []

    def from_warehouse(cls=None, manifest=None, **kwargs):
        manifests.append(manifest)
        return EcephysProjectCache(fetch_api=warehouse, stream_writer=write_from_stream, manifest=manifest)

    report = dict(allensdk=allensdk.__version__, numpy=np.__version__, pandas=pd.__version__)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pynwb/hdmf chatter about cached namespaces
        # 1. the script's main(), unchanged, over a real EcephysProjectCache (session table, NWB download, templates)
        EcephysProjectCache.from_warehouse = classmethod(from_warehouse)
        out = workdir / "out" / "allen_neuropixels_natural_scenes"
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):  # stdout carries only this check's JSON
            rc = script.main(["--cache", str(workdir / "cache"), "--out", str(out)])
        check(rc == 0, f"main() returned {rc}")
        check(manifests == [str(workdir / "cache" / "manifest.json")], f"manifest {manifests}")
        bo = sorted(s for s, spec in SESSIONS.items() if spec["session_type"] == "brain_observatory_1.1")
        check(sorted(warehouse.downloaded) == bo, f"downloaded sessions {warehouse.downloaded}, expected only the brain_observatory_1.1 {bo}")
        written = fmt.read_spike_counts(out)
        report["main"] = {}
        expected_all = {}
        for session_id in bo:
            t = truth[session_id]
            want, n_trials = brute_force(t["presentations"], t["invalid"], t["spikes"], t["unit_rows"], (0.0, 0.25))
            check(n_trials == N_REPEATS - 1, f"the masked presentation should leave {N_REPEATS - 1} trials, got {n_trials}")
            report["main"].update(compare(written, want, SESSIONS[session_id]["specimen_id"], session_id, n_trials, (0.0, 0.25), fmt.AREA_CODES))
            for area, units in want.items():
                key = f"{fmt.AREA_CODES[area]}_{SESSIONS[session_id]['specimen_id']}"
                expected_all[key] = np.stack([units[u] for u in written[key][1]["unit_ids"]], axis=-1)
        check(sorted(written) == sorted(report["main"]), f"written keys {sorted(written)} != checked {sorted(report['main'])}")
        n_units = sum(v["units"] for v in report["main"].values())
        check(f"{len(written)} area-sessions, {n_units} units" in printed.getvalue(), f"main() printed {printed.getvalue()!r}")
        from PIL import Image

        for i in (0, 57, 117):
            check(np.array_equal(np.asarray(Image.open(out / "images" / f"scene_{i:03d}.png")), scenes[i]), f"scene {i} differs from its template")
        # brute-force truth for the loader check on the brainbench side (main venv)
        np.savez(workdir / "expected_counts.npz", **expected_all)
        report["out"] = str(out)
        report["expected"] = str(workdir / "expected_counts.npz")

        # 2. package_session() directly on EcephysSession.from_nwb_path (no cache), another window
        session_id = bo[0]
        t = truth[session_id]
        session = EcephysSession.from_nwb_path(str(t["path"]))
        window = (0.05, 0.2)
        got = script.package_session(session, fmt, window, AREAS, SESSIONS[session_id]["specimen_id"])
        want, n_trials = brute_force(t["presentations"], t["invalid"], t["spikes"], t["unit_rows"], window)
        report["from_nwb_path"] = compare(got, want, SESSIONS[session_id]["specimen_id"], session_id, n_trials, window, fmt.AREA_CODES)
        check(sorted(got) == sorted(report["from_nwb_path"]), f"keys {sorted(got)}")
        # what allensdk itself reports, for the record
        units = session.units
        report["allensdk_units"] = {"kept": int(len(units)), "planted": len(t["unit_rows"]),
                                    "dropped_kinds": sorted({u["kind"] for u in t["unit_rows"] if u["id"] not in units.index})}
        report["stimulus_names"] = sorted(session.stimulus_names)
    return report


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    try:
        print(json.dumps(main(Path(sys.argv[1]))))
    except CheckFailed as exc:
        print(f"CHECK FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
