"""How much the arbitrary split assignment moves scores and paired differences, against the bootstrap
error of the reported intervals (which hold the splits and the chosen layers fixed).

    python benchmarks/split_seeds.py [--seeds 10] [--models A,B,...] [--dataset allen_np] [--repeats R]

``brainbench analyze splits`` for every model and every pair of models (re-scored from the stored
activations of the user cache under protocol seeds 0..S-1; extract first with `brainbench score`).
Prints each table, then over all benchmarks: the median and range of sd_seed / se_boot for single
scores and for paired differences, how many pair-benchmark verdicts (paired test over stimuli,
unadjusted) are the same on every seed, and how many bootstrap intervals at seed 0 exclude 0 while
the interval widened by the split spread does not. ``--repeats R`` measures the same under a repeated
K-fold protocol (the dataset's own protocol with ``repeats=R``: each score averages R fold
assignments, at R times the cost).
"""
from __future__ import annotations

import argparse
import itertools
import statistics
import sys
from dataclasses import replace

from brainbench.analysis._splits import format_split_spread, split_spread, with_protocol
from brainbench.registry import default_registry

MODELS = "efficientnet_lite0,alexnet_untrained,bakhtiari_cpc_p2,bakhtiari_actrec_p2"


def _registry(dataset: str, repeats: int):
    registry = default_registry()
    return registry if repeats == 1 else with_protocol(registry, dataset, lambda protocol: replace(protocol, repeats=repeats))


def _summary(name: str, ratios: list[float]) -> str:
    return f"{name}: median sd_seed / se_boot {statistics.median(ratios):.2f} (range {min(ratios):.2f}-{max(ratios):.2f}, {len(ratios)} benchmarks)"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--models", default=MODELS)
    parser.add_argument("--dataset", default="allen_np")
    parser.add_argument("--repeats", type=int, default=1, help="score with the dataset's protocol repeated over R fold assignments")
    args = parser.parse_args(argv)
    models = args.models.split(",")
    registry = _registry(args.dataset, args.repeats)

    def progress(seed, model):
        print(f"seed {seed + 1}/{args.seeds}: {model}", file=sys.stderr, flush=True)

    single, paired, stable, lost = [], [], 0, 0
    for model in models:
        spread = split_spread(model, dataset=args.dataset, seeds=args.seeds, on_seed=progress, registry=registry)
        print(format_split_spread(spread), end="\n\n")
        single += [r.ratio for r in spread.rows if r.ratio is not None]
    for a, b in itertools.combinations(models, 2):
        spread = split_spread(a, versus=b, dataset=args.dataset, seeds=args.seeds, on_seed=progress, registry=registry)
        print(format_split_spread(spread), end="\n\n")
        for r in spread.rows:
            paired += [r.ratio] if r.ratio is not None else []
            stable += r.separated_seeds in (0, args.seeds)
            excludes = lambda ci: ci[0] > 0 or ci[1] < 0  # noqa: E731
            lost += excludes(r.ci95_bootstrap) and not excludes(r.ci95_with_splits)
    n_pairs = len(paired)
    print(_summary("single scores", single))
    print(_summary("paired differences", paired))
    print(f"paired verdicts the same on all {args.seeds} seeds: {stable} of {n_pairs}; "
          f"bootstrap interval excludes 0 but the interval with the split spread does not: {lost} of {n_pairs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
