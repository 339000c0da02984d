"""The Allen packaging scripts against allensdk's real classes, in allensdk's own environment.

allensdk pins numpy<1.24 and pandas 1.5, so it cannot live in the project venv. These tests find or
build a venv for it (``$BRAINBENCH_ALLENSDK_PYTHON``, else ``<brainbench cache>/allensdk-venv``, built
once from tests/allensdk_env/requirements.txt in about a minute) and run the check scripts in
tests/allensdk_env/ there. The checks compare the scripts' output with brute force from planted
synthetic data; here, the packaged folders must also load through the brainbench loaders.

Without PyPI the venv cannot be built and the tests fail with the command to run by hand;
``BRAINBENCH_SKIP_ALLENSDK=1`` skips them instead.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from brainbench.paths import cache_root

HERE = Path(__file__).resolve().parent
CHECKS = HERE / "allensdk_env"
REQUIREMENTS = CHECKS / "requirements.txt"
REPO = HERE.parent
SCRIPTS = [REPO / "datasets" / "allen_neuropixels" / "package_allensdk.py", REPO / "datasets" / "allen_2p_nwb" / "package_allensdk.py"]
MARKER = "brainbench-requirements.txt"  # written last: a venv without it is an interrupted build


class AllensdkEnvError(RuntimeError):
    pass


def requirements() -> list[str]:
    return [line.strip() for line in REQUIREMENTS.read_text().splitlines() if line.strip() and not line.lstrip().startswith("#")]


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def by_hand(venv: Path) -> str:
    pins = " ".join(shlex.quote(r) for r in requirements())
    return (f"  {sys.executable} -m venv {venv}\n  {venv_python(venv)} -m pip install {pins}\n  cp {REQUIREMENTS} {venv / MARKER}\n"
            "or point BRAINBENCH_ALLENSDK_PYTHON at the python of any venv with those packages, "
            "or set BRAINBENCH_SKIP_ALLENSDK=1 to skip the allensdk checks")


def _run(cmd, what, timeout):
    try:
        proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AllensdkEnvError(f"{what} took longer than {timeout} s") from None
    if proc.returncode != 0:
        raise AllensdkEnvError(f"{what} failed (exit {proc.returncode}):\n{(proc.stdout + proc.stderr)[-2000:]}")
    return proc.stdout


def build_venv(venv: Path, timeout: float = 1800) -> Path:
    """Build the allensdk venv next to ``venv`` and rename it into place only when complete.

    An interrupted build leaves a ``<name>.building-*`` folder, never a ``venv`` that looks usable.
    """
    stamp = REQUIREMENTS.read_text()
    venv.parent.mkdir(parents=True, exist_ok=True)
    for leftover in [*venv.parent.glob(f"{venv.name}.building-*"), *venv.parent.glob(f"{venv.name}.old-*")]:
        if time.time() - leftover.stat().st_mtime > 7200:  # a killed build (~1 GB); a live one is younger than pip's timeout
            shutil.rmtree(leftover, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{venv.name}.building-", dir=venv.parent))
    old = None
    try:
        _run([sys.executable, "-m", "venv", tmp], "python -m venv", 300)
        _run([venv_python(tmp), "-m", "pip", "install", "--disable-pip-version-check", "-q", *requirements()], "pip install " + " ".join(requirements()), timeout)
        (tmp / MARKER).write_text(stamp)
        if venv.exists():  # a stale or broken one: out of the way first (rename cannot replace a non-empty folder)
            old = venv.with_name(f"{venv.name}.old-{os.getpid()}")
            venv.rename(old)
        try:
            tmp.rename(venv)
        except OSError:
            if not is_ready(venv):  # else another process finished first: use theirs
                raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(tmp, ignore_errors=True)
    # a venv is moved here after pip ran: check it still runs where it now lives
    prefix = _run([venv_python(venv), "-c", "import sys, allensdk; print(sys.prefix)"], "the moved venv", 120).strip()
    if Path(prefix).resolve() != venv.resolve():
        raise AllensdkEnvError(f"the venv moved to {venv} still runs from {prefix}")
    return venv_python(venv)


def is_ready(venv: Path) -> bool:
    marker = venv / MARKER
    return venv_python(venv).exists() and marker.is_file() and marker.read_text() == REQUIREMENTS.read_text()


def allensdk_python() -> Path:
    """The python of the allensdk environment, built on first use."""
    if os.environ.get("BRAINBENCH_ALLENSDK_PYTHON"):
        python = Path(os.environ["BRAINBENCH_ALLENSDK_PYTHON"]).expanduser()
        if not python.exists():
            raise AllensdkEnvError(f"$BRAINBENCH_ALLENSDK_PYTHON={python} does not exist")
        return python
    venv = cache_root() / "allensdk-venv"
    if is_ready(venv):
        return venv_python(venv)
    try:
        return build_venv(venv)
    except AllensdkEnvError as exc:
        raise AllensdkEnvError(f"could not build the allensdk environment at {venv} (needs PyPI): {exc}\nBuild it by hand:\n{by_hand(venv)}") from None


@pytest.fixture(scope="session")
def allensdk() -> Path:
    if os.environ.get("BRAINBENCH_SKIP_ALLENSDK") == "1":
        pytest.skip("BRAINBENCH_SKIP_ALLENSDK=1: the allensdk checks are skipped")
    try:
        return allensdk_python()
    except AllensdkEnvError as exc:
        message = str(exc)
    pytest.fail(message, pytrace=False)  # outside the except: no "during handling" traceback


def run_check(python: Path, script: str, *args, timeout: float = 300) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    proc = subprocess.run([str(python), str(CHECKS / script), *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env)
    assert proc.returncode == 0, f"{script} in {python} failed (exit {proc.returncode}):\n{proc.stderr[-6000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_scripts_document_the_tested_install_command():
    """The pip command in both scripts' docstrings installs exactly what these tests install."""
    for script in SCRIPTS:
        lines = [line for line in script.read_text().split('"""')[1].splitlines() if "pip install" in line]
        assert len(lines) == 1, f"{script}: expected one pip install line in the docstring, found {lines}"
        args = shlex.split(lines[0].split("pip install", 1)[1].split("#")[0])
        assert args == requirements(), f"{script} installs {args}; tests/allensdk_env/requirements.txt says {requirements()}"


def test_an_unreachable_index_fails_with_the_command_to_run(tmp_path, monkeypatch):
    """No PyPI: the build fails, names the commands, and leaves nothing that looks like a venv."""
    monkeypatch.setenv("BRAINBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("BRAINBENCH_ALLENSDK_PYTHON", raising=False)
    (tmp_path / "no-wheels").mkdir()
    for key, value in {"PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(tmp_path / "no-wheels")}.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(AllensdkEnvError) as info:
        allensdk_python()
    message = str(info.value)
    assert "allensdk==2.16.2" in message and "-m pip install" in message and "BRAINBENCH_SKIP_ALLENSDK=1" in message, message
    assert not (tmp_path / "cache" / "allensdk-venv").exists() and list((tmp_path / "cache").iterdir()) == []


def test_an_interrupted_build_is_not_taken_for_a_venv(tmp_path):
    venv = tmp_path / "allensdk-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    assert not is_ready(venv)  # a python but no marker: pip never finished
    (venv / MARKER).write_text("allensdk==2.16.1\n")
    assert not is_ready(venv)  # built with other pins
    (venv / MARKER).write_text(REQUIREMENTS.read_text())
    assert is_ready(venv)


def test_neuropixels_script_on_real_allensdk_sessions(allensdk, tmp_path):
    """check_neuropixels.py: main() over a real EcephysProjectCache and package_session() over
    EcephysSession.from_nwb_path, counts equal to brute force; here the written folder loads."""
    from brainbench.datasets import allen_neuropixels as allen

    report = run_check(allensdk, "check_neuropixels.py", tmp_path / "np")
    assert report["allensdk"] == "2.16.2" and report["numpy"].startswith("1.23")
    # allensdk's own unit filters acted on the planted bad units (quality, metrics, invalid channel)
    assert {"noise", "amplitude_cutoff", "presence_ratio", "isi_violations", "invalid_channel"} <= set(report["allensdk_units"]["dropped_kinds"])
    assert "invalid_presentation" in report["stimulus_names"]  # allensdk masked the planted invalid interval

    out = Path(report["out"])
    dataset = allen.load(out.parent)
    rec = dataset.recording
    assert any("differs from the published" in w for w in dataset.warnings)
    with np.load(report["expected"]) as expected:
        assert sorted(expected.files) == sorted(report["main"]) == sorted(set(rec["session"].values))
        for key in expected.files:
            columns = np.flatnonzero(rec["session"].values == key)
            truth = expected[key]  # brute-force counts, (trials, 118, units)
            got = rec.isel(neuroid=columns).values[: truth.shape[0]]
            np.testing.assert_array_equal(got, truth.astype(np.float32) * np.float32(100.0 / 25))  # 0-250 ms: 25 bins
            assert np.isnan(rec.isel(neuroid=columns).values[truth.shape[0]:]).all()
    assert len(dataset.stimuli) == 118 and all(p.is_file() for p in dataset.stimuli.paths)


def _load_2p_test_helpers():
    spec = importlib.util.spec_from_file_location("allen_2p_nwb_test_helpers", HERE / "test_allen_2p_nwb.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_2p_files_and_script_on_real_allensdk(allensdk, tmp_path, monkeypatch):
    """The NWB files test_allen_2p_nwb.py writes, read by allensdk's BrainObservatoryNwbDataSet as by
    nwb.py; the script's main() over a real BrainObservatoryCache; its output loads with planted tuning."""
    from brainbench.datasets import allen_2p_nwb as allen_2p
    from brainbench.datasets.allen_2p_nwb import nwb

    helpers = _load_2p_test_helpers()
    monkeypatch.setenv("BRAINBENCH_CACHE", str(tmp_path / "cache"))  # the loader's template PNGs
    rng = np.random.default_rng(3)
    files = tmp_path / "files"
    files.mkdir()
    cases, tuning = [], {}
    for eid, area, depth, genotype, n_cells in ((11, "VISp", 175, "Cux2-CreERT2;Camk2a-tTA;Ai93(TITL-GCaMP6f)", 4),
                                                (12, "VISl", 375, "Rbp4-Cre_KL100;Ai93(TITL-GCaMP6f)", 3)):
        tuning[eid] = rng.uniform(0, 1, size=(n_cells, helpers.N_IMAGES))
        helpers._write_session(files / f"exp{eid}.nwb", rng, tuning[eid], eid, area, depth, genotype)
        cases.append(dict(path=str(files / f"exp{eid}.nwb"), id=eid, area=area, depth_um=depth, genotype=genotype, container_id=500 + eid,
                          session_type="three_session_B"))
    nwb.write_session_b(files / "exp13.nwb", np.zeros((2, 50)), np.arange(50) / 30.0, [1, 2], None, None, None, None,
                        session_type="three_session_A", experiment_id=13, container_id=513)
    cases.append(dict(path=str(files / "exp13.nwb"), id=13, area="VISp", depth_um=175, genotype="Cux2-CreERT2;Camk2a-tTA;Ai93(TITL-GCaMP6f)",
                      container_id=513, session_type="three_session_A"))
    (tmp_path / "cases.json").write_text(json.dumps(cases))

    report = run_check(allensdk, "check_2p.py", tmp_path / "cases.json", tmp_path / "work")
    assert report["allensdk"] == "2.16.2"
    assert report["files"]["exp13.nwb"] == {"session_type": "three_session_A", "natural_scenes": False}
    for case in cases[:2]:
        seen = report["files"][Path(case["path"]).name]
        assert (seen["area"], seen["depth_um"], seen["cre_line"], seen["cells"]) == (case["area"], case["depth_um"], case["genotype"].split(";")[0], len(tuning[case["id"]]))
        assert seen["template"] == [helpers.N_IMAGES, 5, 7] and seen["blanks"] == helpers.N_REPS
    assert [e["id"] for e in report["main"]["experiments"]] == [11, 12]
    assert report["cre-lines"] == [11] and report["depths"] == [12]

    # what the script downloaded is what the allen_2p plugin reads: the planted tuning comes back
    dataset = allen_2p.load(Path(report["main"]["out"]).parent)
    rec = dataset.recording
    assert rec.shape == (helpers.N_REPS, helpers.N_IMAGES, 7)
    assert list(rec["region"].values) == ["VISp"] * 4 + ["VISl"] * 3 and list(rec["subject"].values[[0, 4]]) == ["511", "512"]
    mean = np.nanmean(rec.values, axis=0)
    truth = np.concatenate([tuning[11], tuning[12]]).T
    r = [np.corrcoef(mean[:, cell], truth[:, cell])[0, 1] for cell in range(7)]
    assert min(r) > 0.85 and np.median(r) > 0.95, r
