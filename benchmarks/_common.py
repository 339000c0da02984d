"""Shared helpers of the benchmark scripts: timing by best of repeats, log-log slopes, the Allen problem."""
from __future__ import annotations

import time

import numpy as np


def best_time(function, repeats: int = 3) -> tuple[float, object]:
    """Best wall time of ``repeats`` calls (the machine is shared: the minimum is the least disturbed)."""
    best, result = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - t)
    return best, result


def loglog_slope(sizes, seconds) -> float:
    """Exponent k of seconds ~ size^k, least squares on logs."""
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def goal(value: float, target: float, kind: str) -> str:
    ok = value <= target if kind == "<=" else value >= target
    return f"goal {kind} {target:g}: {'MET' if ok else 'NOT MET'}"


def allen_problem(region: str, model: str, layer: str | None, data_dir=None):
    """(features float64 (118, p), responses (118, units), outer splits, benchmark) for one Allen area."""
    from brainbench.activations import extract
    from brainbench.recording import trial_average
    from brainbench.registry import default_registry
    from brainbench.scoring import load_dataset, make_benchmark

    registry = default_registry()
    dataset = load_dataset(registry, "allen_np", data_dir)
    bench = make_benchmark(registry, f"allen_np.{region}.ridge", data_dir)
    responses = np.asarray(trial_average(bench.region_recording()), dtype=np.float64)
    adapter = registry.model(model).build()
    layer = layer or adapter.layers[0]
    features = np.asarray(extract(adapter, dataset.stimuli, [layer], progress=False)[layer], dtype=np.float64)
    return features, responses, bench.protocol.splits(len(responses)), bench
