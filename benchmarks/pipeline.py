"""Pipeline speed and memory on the real Allen images: extraction against the bare forward pass,
warm re-score against cold score, and peak memory against the largest layer.

    python benchmarks/pipeline.py [--model efficientnet_lite0] [--benchmark allen_np.VISp.ridge[,allen_np.VISp.rsa,...]] [--repeats 2] [--rounds 3]

Prints, as ratios:
  (a) extraction of every candidate layer (decode + preprocess + forward + hooks + store writes)
      / the bare forward pass of the same images at the same batch size, with their decoding and
      preprocessing (what extraction cannot avoid), and also / the forward pass alone;
  (d) per benchmark: warm re-score (same model and benchmark, answered by the score cache) / cold
      score (empty store: dataset load, extraction, mapping, ceilings, bootstrap); and a re-score that
      recomputes the scores from stored activations (--no-score-cache) / cold; medians over --rounds
      rounds, each in an empty store;
  (e) peak resident memory added by a cold score (sampled every 5 ms, above what the process held
      before: interpreter, torch, the built model and the loaded dataset) / the largest single
      layer's activations (float32).
Each step runs in a fresh temporary store; nothing is written to the user's cache.
"""
from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import threading
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import goal  # noqa: E402

from brainbench.activations import extract  # noqa: E402
from brainbench.preflight import current_rss_bytes, plan_memory  # noqa: E402
from brainbench.registry import default_registry  # noqa: E402
from brainbench.scoring import load_dataset, score  # noqa: E402
from brainbench.store import Store  # noqa: E402


class PeakSampler:
    """Highest resident memory of this process while active, sampled on a thread."""

    def __init__(self, interval=0.005):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()

    def __enter__(self):
        self.peak = current_rss_bytes()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, current_rss_bytes())
            time.sleep(self.interval)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, current_rss_bytes())


def bare_forward(adapter, paths, batch_size, device, preprocess: bool):
    module = adapter.module.to(device)
    batches = [adapter.preprocess(paths[i : i + batch_size]) for i in range(0, len(paths), batch_size)] if not preprocess else None
    t = time.perf_counter()
    with torch.inference_mode():
        for i in range(0, len(paths), batch_size):
            batch = adapter.preprocess(paths[i : i + batch_size]) if preprocess else batches[i // batch_size]
            adapter.forward(module, batch.to(device))
    return time.perf_counter() - t


def memory_only(args) -> int:
    registry = default_registry()
    recording = load_dataset(registry, "allen_np", args.data_dir).recording  # built now (else when first used): not in the peak
    adapter = registry.model(args.model).build(device=args.device)
    with tempfile.TemporaryDirectory() as root:
        before = current_rss_bytes()
        with PeakSampler() as sampler:
            cold = score(adapter, [args.benchmark], data_dir=args.data_dir, device=args.device, store=Store(root), progress=False, log=lambda m: None)
    plan = cold["memory_plan"]
    largest = plan["largest_layer_mb"] * 2**20
    added = sampler.peak - before
    print(f"  fresh process: resident before {before / 2**20:.0f} MiB (interpreter, torch, model, dataset with its {recording.nbytes / 2**20:.0f} MiB recording), peak during a cold score "
          f"{sampler.peak / 2**20:.0f} MiB (+{added / 2**20:.0f} MiB); largest layer {largest / 2**20:.0f} MiB; extraction batch {plan['batch_size']}; "
          f"preflight estimated peak {plan['estimated_peak_mb']:.0f} MiB")
    print(f"(e) added peak memory / largest layer = {added / largest:.2f}  ({goal(added / largest, 2, '<=')})")
    return 0


def rescore_ratio(args, benchmark: str) -> None:
    """(d) for one benchmark, over ``--rounds`` rounds, each in an empty store: a cold score (the dataset
    loaded too), a warm re-score (score cache) and a re-score from the stored activations
    (--no-score-cache). Each ratio is of medians over the rounds: this machine's speed drifts by 20%
    between runs a minute apart, and one cold score alone moved the ratio by as much."""
    import brainbench.scoring as scoring

    t_cold, t_warm, t_rescore, raws = [], [], [], set()
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as root:
            store = Store(root)
            run = functools.partial(score, args.model, [benchmark], data_dir=args.data_dir, device=args.device, store=store, progress=False, log=lambda m: None)
            scoring._DATASET_CACHE.clear()  # cold means the dataset is loaded too
            cold = _timed(run, t_cold)
            warm = _timed(run, t_warm)
            rescored = _timed(functools.partial(run, use_score_cache=False), t_rescore)
        if not warm["scores"][0].get("from_cache"):
            raise SystemExit(f"{benchmark}: the warm re-score did not come from the score cache")
        if rescored["scores"][0]["raw"] != cold["scores"][0]["raw"]:
            raise SystemExit(f"{benchmark}: a re-score gave {rescored['scores'][0]['raw']!r}, the cold score {cold['scores'][0]['raw']!r}")
        raws.add(cold["scores"][0]["raw"])
    if len(raws) != 1:
        raise SystemExit(f"{benchmark}: the cold scores of the rounds differ: {sorted(raws)}")
    (raw,) = raws
    cold_s, warm_s, rescore_s = (float(np.median(t)) for t in (t_cold, t_warm, t_rescore))
    print(f"  {benchmark} (raw {raw:.4f}), medians of {args.rounds} rounds: cold score {cold_s:.1f} s ({_listing(t_cold)}); "
          f"warm re-score {warm_s:.2f} s; re-score from stored activations {rescore_s:.2f} s ({_listing(t_rescore)})")
    print(f"(d) {benchmark}: warm re-score / cold score = {warm_s / cold_s:.4f}  ({goal(warm_s / cold_s, 0.1, '<=')});  "
          f"re-score from stored activations / cold = {rescore_s / cold_s:.3f}  ({goal(rescore_s / cold_s, 0.2, '<=')}; "
          f"round by round {', '.join(f'{r / c:.3f}' for r, c in zip(t_rescore, t_cold))})")


def _listing(times: list) -> str:
    return ", ".join(f"{x:.2f}" for x in times)


def _timed(call, times: list):
    t = time.perf_counter()
    out = call()
    times.append(time.perf_counter() - t)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="efficientnet_lite0")
    parser.add_argument("--benchmark", default="allen_np.VISp.ridge", help="comma-separated: (d) for each; (e) for the first")
    parser.add_argument("--repeats", type=int, default=2, help="(a): interleaved repeats, best of each")
    parser.add_argument("--rounds", type=int, default=3, help="(d): rounds of cold, warm and re-score, each in an empty store; medians")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--data-dir")
    parser.add_argument("--memory-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_only:
        return memory_only(args)

    registry = default_registry()
    dataset = load_dataset(registry, "allen_np", args.data_dir)
    adapter = registry.model(args.model).build(device=args.device)
    # the batch a score would use: the memory preflight's choice (at most the adapter's own)
    paths = dataset.stimuli.paths
    batch = plan_memory(adapter, dataset.stimuli, adapter.layers, 1, device=args.device).batch_size
    print(f"{args.model}: {len(adapter.layers)} candidate layers, {len(paths)} images, batch {batch}, device {args.device}, torch threads {torch.get_num_threads()}")

    # (a) interleaved repeats, best of each (the machine may be shared)
    t_fwd, t_pre_fwd, t_ext = [], [], []
    for _ in range(args.repeats):
        t_pre_fwd.append(bare_forward(adapter, paths, batch, args.device, preprocess=True))
        t_fwd.append(bare_forward(adapter, paths, batch, args.device, preprocess=False))
        with tempfile.TemporaryDirectory() as root:
            t = time.perf_counter()
            extract(adapter, dataset.stimuli, store=Store(root), device=args.device, batch_size=batch, progress=False)
            t_ext.append(time.perf_counter() - t)
    ext, pre_fwd, fwd = min(t_ext), min(t_pre_fwd), min(t_fwd)
    print(f"  extraction, all layers {ext:.2f} s; decode+preprocess+forward {pre_fwd:.2f} s; forward alone {fwd:.2f} s")
    print(f"(a) extraction / (decode + preprocess + forward) = {ext / pre_fwd:.3f}  ({goal(ext / pre_fwd, 1.15, '<=')});  extraction / forward alone = {ext / fwd:.2f}")

    # (d) per benchmark: rounds of a cold score in an empty store, then re-scores
    for benchmark in args.benchmark.split(","):
        rescore_ratio(args, benchmark)
    # (e) in a fresh process: a cold score in an empty store, the model built and the dataset loaded
    # beforehand (inputs whose size does not depend on the layers), so the peak is what scoring adds
    import subprocess

    command = [sys.executable, os.path.abspath(__file__), "--memory-only", "--model", args.model, "--benchmark", args.benchmark.split(",")[0], "--device", args.device]
    if args.data_dir:
        command += ["--data-dir", args.data_dir]
    subprocess.run(command, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
