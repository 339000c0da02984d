"""Fault injection: every finding of issue 15, done to brainbench on copies of the real data.

Each test breaks one thing the way a hostile user did — a digit changed in a cached score, NaN in a
cached Gram matrix, a stimulus swapped for another valid image, a forward pass that raises or hangs,
a read-only cache, SIGKILL in the middle of extraction — and asserts the message brainbench gives,
its exit status, and that no earlier result or cache entry was lost or silently changed.

Cheap on purpose: the pixel baseline (and broken copies of it, tests/fault_models.py) on one Allen
2-photon RSA benchmark, whose 118 stimuli are the Neuropixels images; one real score is made once
(``template``) and each test works on a copy of its cache and result.
"""
from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

import fault_models
from brainbench.cli import main
from brainbench.registry import default_registry

REPO = Path(__file__).resolve().parents[1]
BENCH, BENCH2 = "allen_2p_rdm.VISp_layer23.rsa", "allen_2p_rdm.VISl_layer23.rsa"
IMAGES = "allen_neuropixels_natural_scenes"
RDMS = "allen_2p_natural_scenes_rdms"


# -- helpers ---------------------------------------------------------------------------------------
def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def score_argv(root: Path, data_dir, *extra, model="pixels", bench=BENCH, quiet=True) -> list:
    argv = ["score", "--model", model, "--benchmark", bench, "--out", root / "results", "--cache-dir", root / "cache",
            "--data-dir", data_dir, "--device", "cpu", *extra]
    return argv + (["--quiet"] if quiet else [])


def result(root: Path, model: str = "pixels") -> dict:
    return json.loads((root / "results" / f"{model}.json").read_text())


def entry(document: dict, benchmark: str = BENCH) -> dict:
    (found,) = [s for s in document["scores"] if s["benchmark"] == benchmark]
    return found


def numbers(score: dict) -> tuple:
    return score["raw"], score["ceiling"], score["ceiled"], score["chosen_layer"]


def data_files(cache: Path, kind: str) -> list[Path]:
    return sorted(p for p in (cache / kind).rglob("*") if p.is_file() and not p.name.endswith(".meta.json"))


def error_line(err: str, *phrases: str) -> str:
    """The one line of an environment error: 'brainbench: error: ... Fix: ...', no traceback."""
    lines = [line for line in err.splitlines() if line.startswith("brainbench: error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    for phrase in phrases:
        assert phrase in lines[0], (phrase, lines[0])
    return lines[0]


def copy_data(shared_data: Path, target: Path, *folders: str) -> Path:
    for folder in folders:
        shutil.copytree(shared_data / folder, target / folder)
    return target


@contextlib.contextmanager
def read_only(path: Path):
    """``path`` made read-only for real: a read-only bind mount as root (chmod does not stop root), else chmod."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [path, *path.rglob("*")]}
        for p in modes:
            p.chmod(modes[p] & ~0o222)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    bind = subprocess.run(["mount", "--bind", str(path), str(path)], capture_output=True)
    if bind.returncode != 0:
        pytest.skip(f"cannot make a read-only folder here (root without mount: {bind.stderr.decode().strip()})")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(path)], check=True, capture_output=True)
        yield
    finally:
        subprocess.run(["umount", str(path)], check=True)


@pytest.fixture(scope="module")
def template(tmp_path_factory, shared_data):
    """One real score of the pixel baseline on BENCH: a cache and a result file to copy."""
    root = tmp_path_factory.mktemp("template")
    assert main([str(a) for a in score_argv(root, shared_data)]) == 0
    return root


@pytest.fixture
def env(template, tmp_path) -> Path:
    """A private copy of the template's cache and results."""
    for name in ("cache", "results"):
        shutil.copytree(template / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def faulty():
    """The broken copies of the pixel baseline (tests/fault_models.py), registered for one test."""
    registry = default_registry()
    names = fault_models.register(registry)
    yield names
    for name in names:
        registry.models.pop(name, None)


def run_in_subprocess(argv: list, signal_at_temp_file: int, cache: Path) -> subprocess.CompletedProcess:
    """Run ``brainbench argv`` (with the faulty models) and send a signal once extraction is writing."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "tests")}
    process = subprocess.Popen([sys.executable, str(REPO / "tests" / "fault_models.py"), *map(str, argv)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.time() + 120
    while not list((cache / "activations").rglob(".tmp-*")):
        assert process.poll() is None and time.time() < deadline, process.communicate()
        time.sleep(0.05)
    process.send_signal(signal_at_temp_file)
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def npy_payload_offset(path: Path) -> int:
    """Where the numbers start: the header is everything before the array's bytes."""
    return path.stat().st_size - np.load(path, mmap_mode="r").nbytes


# -- 1. wrong numbers served as right ones ------------------------------------------------------------
def test_a_changed_digit_in_a_cached_score_is_caught_and_recomputed(env, template, shared_data, capsys):
    (cached,) = data_files(env / "cache", "scores")
    original = json.loads(cached.read_text())
    text = cached.read_text()
    at = text.index('"ceiled": 0.') + len('"ceiled": 0.')
    cached.write_text(text[:at] + ("9" if text[at] != "9" else "1") + text[at + 1 :])  # 0.148 -> 0.948
    code, out, err = cli(capsys, *score_argv(env, shared_data))
    assert code == 0
    assert "scores entry" in err and "sha256 mismatch" in err and "recomputed" in err
    assert numbers(entry(result(env))) == numbers(entry(result(template)))
    assert json.loads(data_files(env / "cache", "scores")[0].read_text())["ceiled"] == original["ceiled"]


@pytest.mark.parametrize("kind", ["activations", "prepared"])
@pytest.mark.parametrize("damage", ["zeroed", "scaled", "one NaN", "random bytes"])
def test_damaged_cached_activations_or_gram_are_recomputed(env, template, shared_data, capsys, kind, damage):
    (path,) = data_files(env / "cache", kind)
    offset = npy_payload_offset(path)
    payload = bytearray(path.read_bytes()[offset:])
    values = np.frombuffer(payload, dtype=np.load(path, mmap_mode="r").dtype)
    new = {"zeroed": lambda: np.zeros_like(values).tobytes(), "scaled": lambda: (values * 2).tobytes(),
           "one NaN": lambda: np.where(np.arange(values.size) == 17, np.nan, values).astype(values.dtype).tobytes(),
           "random bytes": lambda: os.urandom(len(payload))}[damage]()
    with open(path, "r+b") as f:  # same size, same header: only the numbers change
        f.seek(offset)
        f.write(new)
    if kind == "activations":  # make the run read them: the RDM and the score are derived from them
        shutil.rmtree(env / "cache" / "prepared")
    code, out, err = cli(capsys, *score_argv(env, shared_data, "--no-score-cache"))
    assert code == 0, err
    assert f"{kind} entry" in err and "sha256 mismatch" in err and "recomputed" in err
    document = result(env)
    assert document["failed"] == [] and numbers(entry(document)) == numbers(entry(result(template)))
    (again,) = data_files(env / "cache", kind)
    assert np.isfinite(np.load(again)).all()


def test_a_null_score_is_recorded_as_failed_and_never_cached(env, shared_data, capsys, monkeypatch):
    from brainbench.benchmark import RDMBenchmark

    real_run = RDMBenchmark.run

    def nan_score(self, *args, **kwargs):  # what a NaN in the activations or the Gram matrix used to give
        return {**real_run(self, *args, **kwargs), "raw": None, "ceiled": None}

    monkeypatch.setattr(RDMBenchmark, "run", nan_score)
    before = result(env)["scores"]
    for attempt in range(2):  # the second run must not find anything cached
        code, out, err = cli(capsys, *score_argv(env, shared_data, "--no-score-cache" if attempt == 0 else "--quiet", bench=BENCH2))
        assert code == 1, err
        assert f"{BENCH2}: FAILED: the benchmark gave no finite score" in err
        document = result(env)
        assert document["scores"] == before  # the earlier score of BENCH is kept, nothing null is added
        (failure,) = document["failed"]
        assert failure["benchmark"] == BENCH2 and failure["error_type"] == "ScoreProblem"
    assert [json.loads(p.read_text())["benchmark"] for p in data_files(env / "cache", "scores")] == [BENCH]


def test_a_model_that_ignores_its_input_gets_no_score(env, shared_data, capsys, faulty):
    code, out, err = cli(capsys, *score_argv(env, shared_data, model="fault_constant"))
    assert code == 2
    assert "the model ignores its input" in err and "Traceback" not in err
    document = result(env, "fault_constant")
    assert document["scores"] == [] and "the model ignores its input" in document["failed"][0]["error"]


# -- 2. edited data scored without a word -------------------------------------------------------------
def test_a_replaced_stimulus_image_stops_the_run_unless_allowed(env, template, shared_data, tmp_path, capsys):
    data = copy_data(shared_data, tmp_path / "data", IMAGES, RDMS)
    images = data / IMAGES / "images"
    shutil.copy(images / "scene_008.png", images / "scene_007.png")  # another valid image
    before = (env / "results" / "pixels.json").read_bytes()
    code, out, err = cli(capsys, *score_argv(env, data))
    assert code == 2
    error_line(err, "scene_007.png", "differ from their pinned sha256", f"brainbench data fetch allen_np --root {data}", "--allow-modified-data")
    assert (env / "results" / "pixels.json").read_bytes() == before
    code, out, err = cli(capsys, *score_argv(env, data, "--allow-modified-data"))
    assert code == 0, err
    document = result(env)
    assert document["provenance"]["allow_modified_data"] is True
    assert document["provenance"]["modified_files"] == [str(images / "scene_007.png")]
    assert any("modified data file" in w for w in document["warnings"])
    assert numbers(entry(document)) != numbers(entry(result(template)))  # other data, other numbers, and said so


def test_a_wav_replaced_by_valid_noise_stops_the_run(env, shared_data, tmp_path, capsys):
    data = copy_data(shared_data, tmp_path / "data", "nh2015_natural_sounds")
    target = sorted((data / "nh2015_natural_sounds" / "wav").glob("*.wav"))[0]
    noise = (np.random.default_rng(0).standard_normal(88200) * 3000).astype("<i2")
    with wave.open(str(target), "wb") as w:  # the published format: 44.1 kHz mono, 2 s, 16 bit
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(44100), w.writeframes(noise.tobytes())
    code, out, err = cli(capsys, *score_argv(env, data, model="spectrotemporal", bench="nh2015.lowfreq.ridge"))
    assert code == 2
    error_line(err, target.name, "brainbench data fetch nh2015")
    assert not (env / "results" / "spectrotemporal.json").exists()


def test_a_one_byte_edit_of_units_json_stops_the_run_and_data_list_says_so(env, shared_data, tmp_path, capsys):
    data = copy_data(shared_data, tmp_path / "data", IMAGES)
    units = data / IMAGES / "units.json"
    units.write_text(units.read_text().replace('"VISp"', '"VISq"', 1))  # VISp -> VISq: one byte
    code, out, err = cli(capsys, *score_argv(env, data, bench="allen_np.VISp.ridge"))
    assert code == 2
    error_line(err, "units.json", "brainbench data fetch allen_np")
    code, out, err = cli(capsys, "data", "list", "--data-dir", data)
    assert code == 1 and "checksum FAILED units.json" in out and "problem with allen_np" in out


def test_data_list_exits_nonzero_on_a_problem(shared_data, tmp_path, capsys):
    data = copy_data(shared_data, tmp_path / "data", IMAGES, RDMS)
    code, out, err = cli(capsys, "data", "list", "--data-dir", data)
    assert code == 0 and out.count("sha256 ok") >= 2
    shutil.copy(data / IMAGES / "images" / "scene_001.png", data / IMAGES / "images" / "scene_000.png")
    (data / RDMS / "noise_ceiling.csv").unlink()
    code, out, err = cli(capsys, "data", "list", "--data-dir", data)
    assert code == 1
    assert "checksum FAILED images/scene_000.png" in out and "missing noise_ceiling.csv" in out


def test_a_data_dir_that_does_not_exist_is_an_error(env, tmp_path, capsys):
    for argv in (score_argv(env, tmp_path / "typo"), ["data", "list", "--data-dir", tmp_path / "typo"]):
        code, out, err = cli(capsys, *argv)
        assert code == 2
        error_line(err, "data folder not found", str(tmp_path / "typo"), "Fix")


# -- 3. results lost ----------------------------------------------------------------------------------
def test_a_narrower_run_merges_into_the_result_and_never_shrinks_it(env, template, shared_data, capsys):
    first = entry(result(template))
    code, out, err = cli(capsys, *score_argv(env, shared_data, bench=BENCH2))
    assert code == 0, err
    document = result(env)
    assert [s["benchmark"] for s in document["scores"]] == [BENCH, BENCH2]
    assert entry(document) == first  # the earlier score, untouched
    code, out, err = cli(capsys, *score_argv(env, shared_data))  # again, from the score cache
    assert code == 0 and [s["benchmark"] for s in result(env)["scores"]] == [BENCH, BENCH2]
    assert not list((env / "results").glob(".tmp-*"))


def test_a_memory_refusal_is_recorded_and_keeps_every_previous_score(env, template, shared_data, capsys):
    code, out, err = cli(capsys, *score_argv(env, shared_data, "--max-memory", "1M", bench=BENCH2))
    assert code == 2
    assert f"{BENCH2}: FAILED: this run needs an estimated" in err and "MiB, over the bound of 1 MiB (--max-memory)" in err
    assert "Fix: raise --max-memory" in err and "memory estimate for" in err and "Traceback" not in err
    document = result(env)
    assert document["scores"] == result(template)["scores"]
    (failure,) = document["failed"]
    assert failure["benchmark"] == BENCH2 and failure["error_type"] == "ResourceError"


def test_an_undecodable_image_is_recorded_and_keeps_every_previous_score(env, template, shared_data, tmp_path, capsys):
    data = copy_data(shared_data, tmp_path / "data", IMAGES, RDMS)
    (data / IMAGES / "images" / "scene_007.png").write_bytes(b"\x89PNG\r\n\x1a\n not an image at all")
    code, out, err = cli(capsys, *score_argv(env, data, bench=BENCH2))
    assert code == 2 and "scene_007.png" in error_line(err)  # caught by its pinned digest first
    code, out, err = cli(capsys, *score_argv(env, data, "--allow-modified-data", bench=BENCH2))
    assert code == 2 and f"{BENCH2}: FAILED: cannot decode image" in err and "scene_007.png" in err
    document = result(env)
    assert document["scores"] == result(template)["scores"]
    assert [f["benchmark"] for f in document["failed"]] == [BENCH2]


def test_the_cache_holds_only_the_declared_kinds_and_clear_refuses_any_other(template, env, capsys):
    from brainbench.store import KINDS

    assert {p.name for p in (template / "cache").iterdir() if p.is_dir()} == set(KINDS)  # a score writes every kind
    with pytest.raises(SystemExit) as stop:
        main(["cache", "clear", "--kind", "score", "--cache-dir", str(env / "cache")])  # a typo of 'scores'
    assert stop.value.code == 2 and "invalid choice: 'score'" in capsys.readouterr().err
    assert data_files(env / "cache", "scores")  # nothing was cleared


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=["SIGKILL", "SIGTERM", "SIGINT"])
def test_a_run_stopped_mid_extraction_leaves_the_result_file_as_it_was(env, shared_data, capsys, sig):
    previous = env / "results" / "fault_slow.json"
    shutil.copy(env / "results" / "pixels.json", previous)  # an earlier file for this model
    before = previous.read_bytes()
    run = run_in_subprocess(score_argv(env, shared_data, model="fault_slow"), sig, env / "cache")
    assert previous.read_bytes() == before and not list((env / "results").glob(".tmp-*"))
    assert not (env / "results" / "superseded").exists()
    orphans = [p for p in (env / "cache").rglob(".tmp-*") if p.is_file()]
    if sig == signal.SIGKILL:  # no handler can run: the temporary files stay, and go at once when asked
        assert run.returncode == -signal.SIGKILL and orphans
        code, out, err = cli(capsys, "cache", "clear", "--orphans", "--cache-dir", env / "cache")
        # every orphan is named in the count (one the kill caught as it was created is empty: 0 B is possible)
        assert code == 0 and out.startswith("freed ") and f"({len(orphans)} temporary file{'' if len(orphans) == 1 else 's'})" in out
        assert not list((env / "cache").rglob(".tmp-*"))
        assert data_files(env / "cache", "scores")  # pixels' score is still there
    else:  # handled like Ctrl-C: a message, nothing half-written kept
        assert run.returncode == (143 if sig == signal.SIGTERM else 130), run.stderr
        assert ("terminated (SIGTERM)" if sig == signal.SIGTERM else "interrupted") in run.stderr
        assert "finished benchmarks are saved" in run.stderr and not orphans


def test_a_failed_result_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    from brainbench import atomic, result as result_module
    from brainbench.errors import OutputError

    path = tmp_path / "m.json"
    doc = {"schema": result_module.SCHEMA, "model": {"name": "m"}, "scores": [{"benchmark": "a", "raw": 0.1}], "failed": []}
    fsyncs = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (fsyncs.append(fd), real_fsync(fd)))
    result_module.save_result(path, doc)
    assert len(fsyncs) >= 2  # the file and its folder
    before = path.read_bytes()

    def full_disk(tmp, final):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic, "publish", full_disk)
    with pytest.raises(OutputError, match="its disk is full"):
        result_module.save_result(path, {**doc, "scores": [{"benchmark": "b", "raw": 0.2}]})
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


# -- 4. failures not contained ------------------------------------------------------------------------
def test_a_failing_forward_is_recorded_and_the_grid_goes_on(env, shared_data, capsys, faulty):
    code, out, err = cli(capsys, *score_argv(env, shared_data, model="fault_raise,pixels"))
    assert code == 1
    assert f"{BENCH}: FAILED: RuntimeError: boom: this plugin's forward pass is broken" in err and "Traceback" not in err
    (failure,) = result(env, "fault_raise")["failed"]
    assert failure["error_type"] == "RuntimeError" and "Traceback" in failure["traceback"] and "boom" in failure["traceback"]
    assert entry(result(env))["raw"] is not None  # the next model of the grid was scored


def test_a_hanging_forward_times_out_with_progress_shown_and_is_recorded(env, shared_data, capsys, faulty):
    t = time.perf_counter()
    code, out, err = cli(capsys, *score_argv(env, shared_data, "--timeout", "3", model="fault_hang", quiet=False))
    assert time.perf_counter() - t < 60
    assert code == 2
    assert "memory preflight: one stimulus through the model" in err  # it says what it is doing
    assert "stopped after the timeout of 3 s" in err
    (failure,) = result(env, "fault_hang")["failed"]
    assert failure["error_type"] == "CellTimeout" and failure["benchmark"] == BENCH


def test_a_scoring_past_the_timeout_is_recorded_as_a_scoring_timeout_not_blamed_on_the_model(env, shared_data, capsys, monkeypatch):
    import brainbench.scoring

    monkeypatch.setattr(brainbench.scoring, "_evaluate", lambda *args: time.sleep(30))  # the mapping and bootstrap hang
    before = json.dumps(entry(result(env)))
    t = time.perf_counter()
    code, out, err = cli(capsys, *score_argv(env, shared_data, "--no-score-cache", "--timeout", "1"))
    assert time.perf_counter() - t < 20
    assert code == 2
    assert f"pixels on {BENCH}: stopped after the timeout of 1 s while scoring its stored activations" in err
    assert "forward pass" not in err and "raise --timeout; it bounds each dataset's extraction and each benchmark's scoring separately" in err
    (failure,) = result(env)["failed"]
    assert failure["error_type"] == "CellTimeout" and failure["benchmark"] == BENCH
    assert json.dumps(entry(result(env))) == before  # the earlier score of this benchmark is kept, unchanged


@pytest.fixture
def plugin_copy(tmp_path):
    """A copy of the worked example whose forward is replaced by ``forward_code``."""

    def make(forward_code: str) -> Path:
        folder = tmp_path / "plugin"
        shutil.copytree(REPO / "submissions" / "example_tiny_cnn", folder, ignore=shutil.ignore_patterns("__pycache__"))
        card = json.loads((folder / "card.json").read_text())
        (folder / "card.json").write_text(json.dumps({**card, "name": "plugin_copy"}))  # the example's own name is registered
        init = folder / "__init__.py"
        text = init.read_text()
        assert "    return ModelAdapter(" in text
        text = text.replace("    return ModelAdapter(", forward_code + "    return ModelAdapter(\n        forward=forward,", 1)
        init.write_text(text)
        return folder

    return make


def test_check_catches_a_forward_that_fails_from_its_fourth_call(plugin_copy, capsys):
    folder = plugin_copy("    calls = [0]\n\n    def forward(module, batch):\n        calls[0] += 1\n"
                         "        if calls[0] >= 4:\n            raise RuntimeError('fails from the fourth call on')\n"
                         "        return module(batch)\n\n")
    code, out, err = cli(capsys, "check", folder)
    assert code == 1
    assert "the forward pass failed on call 4 of 9" in out and "fails from the fourth call on" in out


def test_check_flags_a_model_that_ignores_its_input(plugin_copy, capsys):
    folder = plugin_copy("    import torch\n\n    def forward(module, batch):\n"
                         "        return module(torch.full_like(batch, 0.5) + 1e-7 * batch)  # the input barely matters\n\n")
    code, out, err = cli(capsys, "check", folder)
    assert code == 1
    assert "gives (nearly) the same activations for every stimulus" in out and "ignores its input" in out


# -- 5. environment errors: one line with the fix, exit 2 ---------------------------------------------
def test_a_read_only_cache(env, template, shared_data, tmp_path, capsys):
    cache = env / "cache"
    with read_only(cache):
        code, out, err = cli(capsys, *score_argv(env, shared_data))  # everything cached: read, nothing written
        assert code == 0 and numbers(entry(result(env))) == numbers(entry(result(template))), err
        # a score computed anew is kept in the result, with a warning that it is not cached
        code, out, err = cli(capsys, *score_argv(env, shared_data, "--no-score-cache"))
        assert code == 0 and "warning: scores not cached: cannot write to the brainbench cache" in err, err
        assert result(env)["failed"] == [] and numbers(entry(result(env))) == numbers(entry(result(template)))
        # activations that must be computed cannot be: one line with the fix
        code, out, err = cli(capsys, *score_argv(env, shared_data, "--storage-dtype", "float16"))
        assert code == 2
        error_line(err, f"cannot write to the brainbench cache {cache}", "Read-only file system" if os.geteuid() == 0 else "ermission", "Fix")
        before = sorted(p.relative_to(cache) for p in cache.rglob("*"))
        code, out, err = cli(capsys, "cache", "clear", "--cache-dir", cache)
        assert code == 2 and "freed 2.0 MiB" not in out
        error_line(err, "freed 0 B", "could not be removed", "Fix")
        assert sorted(p.relative_to(cache) for p in cache.rglob("*")) == before  # nothing claimed, nothing lost


def test_a_full_disk(env, shared_data, tmp_path, capsys, monkeypatch):
    small = tmp_path / "small"
    small.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(small)], capture_output=True).returncode == 0
    if not mounted:  # no small file system to fill: the store's writes fail as a full disk fails them
        from brainbench import store as store_module

        def no_space(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(store_module._HashingFile, "write", no_space)
    try:
        argv = score_argv(env, shared_data)
        argv[argv.index("--cache-dir") + 1] = small / "cache"
        code, out, err = cli(capsys, *argv)
        assert code == 2
        error_line(err, f"the disk holding the brainbench cache {small / 'cache'} is full", "Fix")
        assert not list(small.rglob(".tmp-*"))
    finally:
        if mounted:
            subprocess.run(["umount", str(small)], check=True)


def test_an_unwritable_or_invalid_out(env, shared_data, tmp_path, capsys):
    (tmp_path / "a_file").write_text("not a folder")
    argv = score_argv(env, shared_data)
    argv[argv.index("--out") + 1] = tmp_path / "a_file"
    code, out, err = cli(capsys, *argv)
    assert code == 2
    error_line(err, f"cannot write result files into {tmp_path / 'a_file'}: {tmp_path / 'a_file'} is a file, not a folder", "Fix: pass --out")
    # a folder below a file: the file in the way is named (the system says only "Not a directory")
    argv[argv.index("--out") + 1] = tmp_path / "a_file" / "results"
    code, out, err = cli(capsys, *argv)
    assert code == 2
    error_line(err, f"cannot write result files into {tmp_path / 'a_file' / 'results'}: {tmp_path / 'a_file'} is a file, not a folder", "Fix: pass --out")
    locked = tmp_path / "locked"
    locked.mkdir()
    argv[argv.index("--out") + 1] = locked
    with read_only(locked):
        code, out, err = cli(capsys, *argv)
    assert code == 2
    error_line(err, f"cannot write result files into {locked}", "Fix: pass --out")


def test_a_cache_path_that_is_a_file(env, shared_data, tmp_path, capsys):
    (tmp_path / "cachefile").write_text("")
    argv = score_argv(env, shared_data)
    argv[argv.index("--cache-dir") + 1] = tmp_path / "cachefile"
    code, out, err = cli(capsys, *argv)
    assert code == 2
    error_line(err, f"the brainbench cache path {tmp_path / 'cachefile'} is a file, not a folder", "Fix")


def test_an_unknown_layer_name(env, shared_data, capsys):
    code, out, err = cli(capsys, *score_argv(env, shared_data, "--layers", "pixel"))
    assert code == 2
    error_line(err, "--layers: 'pixel' is not a module of model 'pixels'", "Did you mean: pixels", "Fix")


@pytest.mark.parametrize("device,phrase", [("banana", "unknown device 'banana'"), ("cuda", "no CUDA GPU is usable"), ("cuda:7", "")])
def test_an_unusable_device(env, shared_data, capsys, device, phrase):
    import torch

    if device.startswith("cuda") and torch.cuda.is_available():
        if device == "cuda" or torch.cuda.device_count() > 7:
            pytest.skip("this machine has the GPU asked for")
        phrase = f"this machine has {torch.cuda.device_count()} CUDA device(s)"
    phrase = phrase or "no CUDA GPU is usable"
    code, out, err = cli(capsys, *score_argv(env, shared_data, "--device", device))  # the last --device wins
    assert code == 2
    error_line(err, phrase, "Fix: --device")


# -- 6. leftovers, permissions, what a cache key means ----------------------------------------------
@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_respect_the_umask(template, shared_data, tmp_path, capsys, umask, mode):
    previous = os.umask(umask)
    try:
        code, out, err = cli(capsys, *score_argv(tmp_path, shared_data, bench=BENCH2))
    finally:
        os.umask(previous)
    assert code == 0, err
    written = [tmp_path / "results" / "pixels.json", *(p for p in (tmp_path / "cache").rglob("*") if p.is_file())]
    assert {oct(p.stat().st_mode & 0o777) for p in written} == {oct(mode)}


def test_the_cpu_thread_count_is_part_of_the_activation_key(allen, registry):
    import torch

    from brainbench.activations import activation_key

    adapter = registry.model("pixels").build()
    threads = torch.get_num_threads()
    try:
        keys = {}
        for n in (1, 2, 1):
            torch.set_num_threads(n)
            keys.setdefault(n, set()).add(activation_key(adapter, allen.stimuli, "pixels"))
    finally:
        torch.set_num_threads(threads)
    assert len(keys[1]) == 1 and keys[1] != keys[2]  # the same setting, the same key; another, another


# -- 7. fast answers ----------------------------------------------------------------------------------
@pytest.mark.parametrize("argv", [["--help"], ["list", "models"], ["list", "benchmarks"], ["data", "list"], ["cache", "info"]], ids=" ".join)
def test_quick_commands_import_no_torch(argv, tmp_path):
    code = ("import sys\nfrom brainbench.cli import main\n"
            f"try:\n    status = main({argv!r})\nexcept SystemExit as exc:\n    status = exc.code\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\nassert 'xarray' not in sys.modules, 'xarray was imported'\n"
            "print('STATUS', status)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "BRAINBENCH_CACHE": str(tmp_path / "cache")})
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().endswith("STATUS 0"), run.stdout[-500:]
    assert {"--help": "COMMAND", "list": "modality", "data": "sha256 ok", "cache": "cache root"}[argv[0]] in run.stdout
