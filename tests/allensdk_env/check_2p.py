"""Check the Allen 2-photon NWB layout and datasets/allen_2p_nwb/package_allensdk.py against allensdk's
real classes (allensdk venv only).

1. Each file (written by nwb.write_session_b, as tests/test_allen_2p_nwb.py writes them) is opened with
   allensdk's ``BrainObservatoryNwbDataSet``; dF/F, timestamps, cell ids, the natural_scenes stimulus
   table (frame/start/end), the template stack and the metadata must equal what nwb.py's h5py reader
   reads, and the metadata what the file was written with.
2. The script's ``main()`` runs unchanged over a real ``BrainObservatoryCache`` whose
   ``BrainObservatoryApi`` answers the warehouse queries with synthetic experiment records and
   "downloads" the files from disk (only ``retrieve_file_over_http``/``template_query`` are replaced):
   allensdk selects the experiments (session type, stimulus, area, Cre line, depth, failed
   containers), caches the files, and the script links them, writes experiments.json and, with
   ``--responses``, the per-trial responses.

    python check_2p.py CASES.json WORKDIR   # prints one JSON object; exits non-zero on a mismatch

CASES.json: [{"path", "id", "area", "depth_um", "genotype", "container_id", "session_type"}, ...]
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import sys
from pathlib import Path

import numpy as np

from _common import CheckFailed, check, load_module  # this folder (the scripts run in the allensdk venv)

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "datasets" / "allen_2p_nwb" / "package_allensdk.py"


def load_script():
    return load_module(SCRIPT, "package_allensdk_2p_under_test")


def sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def compare_readers(case, reader) -> dict:
    """allensdk's BrainObservatoryNwbDataSet and nwb.read_session on one file."""
    from allensdk.brain_observatory.brain_observatory_exceptions import MissingStimulusException
    from allensdk.core.brain_observatory_nwb_data_set import BrainObservatoryNwbDataSet

    path = case["path"]
    data = BrainObservatoryNwbDataSet(path)
    meta = data.get_metadata()
    want_meta = dict(targeted_structure=case["area"], imaging_depth_um=case["depth_um"], cre_line=case["genotype"].split(";")[0],
                     genotype=case["genotype"], ophys_experiment_id=case["id"], experiment_container_id=case["container_id"],
                     session_type=case["session_type"])
    got_meta = {k: meta.get(k) for k in want_meta}
    check(got_meta == want_meta, f"{path}: allensdk metadata {got_meta} != written {want_meta}")
    check(data.get_session_type() == case["session_type"], f"{path}: allensdk session type {data.get_session_type()!r}")
    if case["session_type"] != "three_session_B":
        # both readers must agree the file has no natural scenes
        try:
            data.get_stimulus_table("natural_scenes")
            raise CheckFailed(f"{path}: allensdk found natural scenes in a {case['session_type']} file")
        except MissingStimulusException:
            pass
        try:
            reader.read_session(path)
            raise CheckFailed(f"{path}: nwb.py read a {case['session_type']} file as session B")
        except reader.NotSessionB:
            pass
        return dict(session_type=case["session_type"], natural_scenes=False)

    ours = reader.read_session(path)
    timestamps, dff = data.get_dff_traces()
    check(np.array_equal(timestamps, ours.timestamps), f"{path}: dF/F timestamps differ")
    check(np.array_equal(np.asarray(dff, dtype=np.float32), ours.dff), f"{path}: dF/F traces differ")
    check(np.array_equal(data.get_cell_specimen_ids(), ours.cell_ids), f"{path}: cell specimen ids differ")
    # a subset by cell id, through allensdk's index lookup, is the same rows
    some = list(ours.cell_ids[::2])
    check(np.array_equal(data.get_dff_traces(some)[1], ours.dff[::2]), f"{path}: dF/F of cells {some} differ")
    table = data.get_stimulus_table("natural_scenes")
    check(list(table.columns) == ["frame", "start", "end"], f"{path}: allensdk stimulus table columns {list(table.columns)}")
    check(np.array_equal(table["frame"].to_numpy().astype(int), ours.frame) and np.array_equal(table["start"].to_numpy(), ours.start)
          and np.array_equal(table["end"].to_numpy(), ours.end), f"{path}: natural_scenes stimulus table differs")
    template = data.get_stimulus_template("natural_scenes")
    check(template.dtype == np.uint8 and np.array_equal(template, ours.template), f"{path}: stimulus template differs")
    check("natural_scenes" in data.list_stimuli(), f"{path}: allensdk lists {data.list_stimuli()}")
    check((ours.area, ours.depth_um, ours.cre_line, ours.session_type, int(ours.experiment_id), int(ours.container_id))
          == (meta["targeted_structure"], meta["imaging_depth_um"], meta["cre_line"], data.get_session_type(),
              meta["ophys_experiment_id"], meta["experiment_container_id"]), f"{path}: nwb.py metadata differs from allensdk's")
    return dict(session_type=case["session_type"], natural_scenes=True, cells=int(dff.shape[0]), frames=int(dff.shape[1]),
                presentations=int(len(table)), blanks=int((table["frame"] == -1).sum()), template=list(template.shape),
                cre_line=meta["cre_line"], area=meta["targeted_structure"], depth_um=meta["imaging_depth_um"])


def warehouse_record(case, failed=False) -> dict:
    """An ophys experiment as api.brain-map.org returns it (the fields BrainObservatoryApi filters and simplifies)."""
    cre, *rest = case["genotype"].split(";")
    lines = [dict(name=cre, transgenic_line_type_name="driver")]
    lines += [dict(name=r, transgenic_line_type_name="reporter" if r.startswith("Ai") else "driver") for r in rest]
    return dict(id=case["id"], imaging_depth=case["depth_um"], targeted_structure=dict(acronym=case["area"]),
                experiment_container_id=case["container_id"], stimulus_name=case["session_type"],
                experiment_container=dict(failed=failed), date_of_acquisition="2016-05-01T10:00:00Z",
                specimen=dict(name=f"{cre}-{case['id']}", donor=dict(external_donor_name=str(case["id"]), date_of_birth="2016-02-01T00:00:00Z",
                                                                    transgenic_lines=lines)))


def synthetic_api(cases, failed_case):
    from allensdk.api.queries.brain_observatory_api import BrainObservatoryApi

    files = {c["id"]: c["path"] for c in cases}

    class SyntheticBrainObservatoryApi(BrainObservatoryApi):
        def template_query(self, template_name, entry_name, **kwargs):
            if entry_name == "ophys_experiment_by_ids":
                return [warehouse_record(c) for c in cases] + [warehouse_record(failed_case, failed=True)]
            if entry_name == "all_eye_mapping_files":
                return []
            if entry_name == "ophys_experiment_data":
                return [dict(download_link=f"/synthetic/{kwargs['ophys_experiment_id']}.nwb")]
            raise NotImplementedError(f"no synthetic answer to {template_name}/{entry_name}")

        def retrieve_file_over_http(self, url, file_path, zipped=False):
            experiment = int(Path(url).stem)
            self.downloads.append(experiment)
            shutil.copyfile(files[experiment], file_path)

    api = SyntheticBrainObservatoryApi()
    api.downloads = []
    return api


def run_main(script, api, args) -> str:
    import allensdk.core.brain_observatory_cache as boc_module

    real = boc_module.BrainObservatoryApi
    # the real BrainObservatoryCache, built by the script as it is; only the API it creates is ours
    boc_module.BrainObservatoryApi = lambda base_uri=None: api
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            rc = script.main(args)
    finally:
        boc_module.BrainObservatoryApi = real
    check(rc == 0, f"main({args}) returned {rc}")
    return printed.getvalue()


def main(cases_file: Path, workdir: Path) -> dict:
    import allensdk

    cases = json.loads(Path(cases_file).read_text())
    script = load_script()
    reader = script.load_reader()
    report = dict(allensdk=allensdk.__version__, files={})
    for case in cases:
        report["files"][Path(case["path"]).name] = compare_readers(case, reader)

    session_b = [c for c in cases if c["session_type"] == "three_session_B"]
    # a session-B experiment of a failed container: allensdk leaves it out, so it is never downloaded
    failed_case = dict(session_b[0], id=999, container_id=9999)
    api = synthetic_api(cases, failed_case)
    out = workdir / "out" / "allen_2p_nwb"
    areas = sorted({c["area"] for c in session_b})
    printed = run_main(script, api, ["--cache", str(workdir / "cache"), "--out", str(out), "--areas", *areas, "--responses"])
    listing = json.loads((out / "experiments.json").read_text())
    want_ids = sorted(c["id"] for c in session_b)
    check([e["id"] for e in listing] == want_ids, f"experiments {[e['id'] for e in listing]}, expected session-B {want_ids}")
    check(sorted(api.downloads) == want_ids, f"downloaded {api.downloads}, expected only {want_ids}")
    for entry in listing:
        case = next(c for c in cases if c["id"] == entry["id"])
        want = dict(area=case["area"], imaging_depth_um=case["depth_um"], cre_line=case["genotype"].split(";")[0],
                    container_id=case["container_id"], sha256=sha256(case["path"]), bytes=Path(case["path"]).stat().st_size)
        got = {k: entry[k] for k in want}
        check(got == want, f"experiments.json entry {got} != {want}")
        target = out / f"{case['id']}.nwb"
        check(sha256(target) == want["sha256"], f"{target} is not the downloaded file")
        session = reader.read_session(case["path"])
        with np.load(out / f"{case['id']}_trials.npz") as saved:
            check(np.array_equal(saved["responses"], reader.trial_responses(session), equal_nan=True)
                  and np.array_equal(saved["cell_ids"], session.cell_ids), f"{case['id']}_trials.npz differs from nwb.trial_responses")
    check(f"{len(want_ids)} session-B experiments" in printed, f"main printed {printed!r}")
    report["main"] = dict(out=str(out), experiments=listing)

    # allensdk's filters through the script's options: one Cre line, one depth
    for option, value, key in (("--cre-lines", session_b[0]["genotype"].split(";")[0], "cre_line"), ("--depths", str(session_b[-1]["depth_um"]), "imaging_depth_um")):
        sub = workdir / f"out_{option.strip('-')}" / "allen_2p_nwb"
        run_main(script, api, ["--cache", str(workdir / "cache"), "--out", str(sub), "--areas", *areas, option, value])
        chosen = [e["id"] for e in json.loads((sub / "experiments.json").read_text())]
        want = sorted(c["id"] for c in session_b if str(c["depth_um"] if key == "imaging_depth_um" else c["genotype"].split(";")[0]) == value)
        check(chosen == want, f"{option} {value}: experiments {chosen}, expected {want}")
        report[option.strip("-")] = chosen
    check(sorted(api.downloads) == want_ids, f"the filtered runs downloaded again: {api.downloads}")
    return report


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    try:
        print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]))))
    except CheckFailed as exc:
        print(f"CHECK FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
