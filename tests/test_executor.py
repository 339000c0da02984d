"""The distributed engine (Dask) gives a serial run's results, and an interrupted grid resumes."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

pytest.importorskip("distributed")

from brainbench.executor import ScoreOptions, comparable, plan_grid, run_grid  # noqa: E402
from brainbench.errors import BrainbenchError  # noqa: E402
from brainbench.scoring import score  # noqa: E402

BENCHMARKS = ["allen_np.VISl.ridge", "allen_np.VISpm.ridge"]


def _scores(document):
    return {entry["benchmark"]: comparable(entry) for entry in document["scores"]}


def assert_same(a, b, path="score"):
    """Equal structure, equal strings, integers and choices; floats equal to the last bits (1e-12).

    Why not bitwise: a Gram matrix computed while another task runs in the same process may be
    summed by MKL with another thread split, which moves the 16th digit (seen: 0.5141621963954016 vs
    ...17 in an inter-animal ceiling). Every choice (alphas, layers) and every score to 12 digits agree.
    """
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), f"{path}: keys {sorted(set(a) ^ set(b))}"
        for key in a:
            assert_same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{path}: lengths"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and not isinstance(b, bool):
        assert b == pytest.approx(a, rel=1e-12, abs=1e-15), f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def test_engine_equals_serial_on_a_small_grid(shared_data, store, tmp_path):
    """pixels + efficientnet_lite0_untrained on two benchmarks: every cell's numbers identical."""
    models = ["pixels", "efficientnet_lite0_untrained"]
    serial = {m: score(m, BENCHMARKS, data_dir=shared_data, store=store, use_score_cache=False, progress=False) for m in models}
    options = ScoreOptions(data_dir=str(shared_data), cache_dir=str(store.root), use_score_cache=False)
    engine = run_grid(models, BENCHMARKS, options, executor="dask", workers=2, out_dir=tmp_path)
    for model in models:
        assert not engine[model]["failed"]
        assert_same(_scores(serial[model]), _scores(engine[model]), model)
        assert [s["benchmark"] for s in engine[model]["scores"]] == BENCHMARKS
        written = json.loads((tmp_path / f"{model}.json").read_text())
        assert written["provenance"]["executor"]["kind"] == "dask" and written["model"]["weights_sha256"] == serial[model]["model"]["weights_sha256"]
    # the grid: one cell per model x benchmark, in order
    assert [(c.model, c.benchmark) for c in plan_grid(models, BENCHMARKS, None)] == [(m, b) for m in models for b in BENCHMARKS]


def test_killed_grid_resumes_from_finished_cells(shared_data, store, tmp_path):
    cache, out = tmp_path / "cache", tmp_path / "results"
    command = [sys.executable, "-m", "brainbench", "score", "--models", "pixels", "--benchmarks", ",".join(BENCHMARKS),
               "--executor", "dask", "--workers", "1", "--quiet", "--data-dir", str(shared_data), "--cache-dir", str(cache), "--out", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 300
    while time.time() < deadline and process.poll() is None:
        if any((cache / "scores").rglob("*.meta.json")) if (cache / "scores").is_dir() else False:
            break  # one cell finished: kill the run in the middle of the grid
        time.sleep(0.2)
    killed = process.poll() is None
    if killed:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)
    finished_before = len(list((cache / "scores").rglob("*.meta.json")))
    assert finished_before >= 1
    resumed = run_grid(["pixels"], BENCHMARKS, ScoreOptions(data_dir=str(shared_data), cache_dir=str(cache)), executor="dask", workers=1, out_dir=out)
    document = resumed["pixels"]
    from_cache = [s["benchmark"] for s in document["scores"] if s.get("from_cache")]
    assert len(from_cache) >= finished_before  # finished cells are not recomputed
    assert not killed or len(from_cache) < len(BENCHMARKS) or finished_before == len(BENCHMARKS)
    serial = score("pixels", BENCHMARKS, data_dir=shared_data, store=store, progress=False)
    assert_same(_scores(serial), _scores(document), "pixels")
    assert json.loads((out / "pixels.json").read_text())["scores"] == json.loads(json.dumps(document["scores"], default=str))


def test_engine_errors_name_the_problem(shared_data):
    with pytest.raises(BrainbenchError, match="executor"):
        run_grid(["pixels"], BENCHMARKS, ScoreOptions(), executor="ray")
    with pytest.raises(BrainbenchError, match="Dask scheduler"):
        run_grid(["pixels"], BENCHMARKS, ScoreOptions(data_dir=str(shared_data)), executor="dask", scheduler="tcp://127.0.0.1:9")


def _total(*values, env=None):
    return sum(values)


def _fails(*values, env=None):
    raise ValueError(f"this task fails after {values}")


def test_both_executors_run_the_same_graph():
    """The executor interface: every task once, after the tasks it depends on, each result handed to
    ``done``; the serial executor lets a task's exception stop the run, Dask records it as a TaskFailure."""
    from brainbench.executor import EXECUTORS, SerialExecutor, Task, TaskFailure

    graph = [Task("a", _total, (1, 2)), Task("b", _total, (10,), ("a",)), Task("c", _total, (100,), ("a", "b"))]
    for name, executor in EXECUTORS.items():
        seen = []
        executor(workers=1).run(graph, None, lambda task, result, seen=seen: seen.append((task.key, result)))
        assert dict(seen) == {"a": 3, "b": 13, "c": 116}, name
        assert [key for key, _ in seen] == ["a", "b", "c"], name  # each after its dependencies
    failing = [Task("a", _total, (1, 2)), Task("x", _fails, (), ("a",))]
    with pytest.raises(ValueError, match=r"fails after \(3,\)"):
        SerialExecutor().run(failing, None, lambda task, result: None)
    seen = {}
    EXECUTORS["dask"](workers=1).run(failing, None, lambda task, result: seen.setdefault(task.key, result))
    assert seen["a"] == 3 and isinstance(seen["x"], TaskFailure) and "fails after (3,)" in str(seen["x"].error)


def test_result_file_keeps_cells_finished_out_of_order(tmp_path):
    """A cluster finishes cells in any order: the file grows in grid order while the run goes on, and a
    run that stops early (flush) keeps every finished cell, also those after a cell still running."""
    from brainbench.executor import SerialExecutor, Task, TaskFailure, _Results

    model = {"name": "m", "weights_sha256": "ab" * 32, "layers": ["x"]}
    tasks = [Task("extract-m", _total, (), model="m")] + [Task(f"score-m-{b}", _total, (), ("extract-m",), "m", b) for b in ("b1", "b2", "b3", "b4")]
    out = tmp_path / "m.json"
    results = _Results(tasks, ScoreOptions(), SerialExecutor(), lambda name: out, None, lambda message: None)

    def cell(benchmark):
        return {"model": model, "scores": [{"benchmark": benchmark, "raw": 0.5, "ceiled": None}], "failed": [], "timings": {}}

    def written(field="scores"):
        return [s["benchmark"] for s in json.loads(out.read_text())[field]]

    results.done(tasks[0], {"model": model, "scores": [], "failed": [], "timings": {}})
    results.done(tasks[1], cell("b1"))
    results.done(tasks[4], cell("b4"))  # b2 and b3 still run: the file keeps grid order
    assert written() == ["b1"]
    results.done(tasks[3], TaskFailure(RuntimeError("worker died"), "traceback"))
    results.flush()  # the run stops here (Ctrl-C): b2 never finished
    assert written() == ["b1", "b4"] and written("failed") == ["b3"]
    assert "worker died" in json.loads(out.read_text())["failed"][0]["error"] and "m" not in results.results
