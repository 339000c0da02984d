"""Is a layer–area correspondence a property of the network or of one split assignment?

    python benchmarks/hierarchy_seeds.py [--seeds 10] [--dataset allen_2p_rdm] [--models A,B,...]

Re-scores each model on the dataset's default benchmarks from stored activations (extract first with
`brainbench score`) under protocol seeds 0..S-1 (other folds; seed 0 is the reported score) and prints
``brainbench analyze hierarchy``'s Spearman rho, its bootstrap interval and its permutation p on every
seed, then per model the range of rho, how many seeds give p < 0.05, and on how many the interval
excludes 0.
"""
from __future__ import annotations

import argparse

from brainbench.analysis import hierarchy
from brainbench.analysis._splits import reseeded
from brainbench.registry import default_registry
from brainbench.scoring import score

MODELS = "bakhtiari_cpc_p2,bakhtiari_actrec_p2,bakhtiari_actrec_p1,bakhtiari_p2_untrained,efficientnet_lite0"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--dataset", default="allen_2p_rdm")
    parser.add_argument("--models", default=MODELS)
    args = parser.parse_args(argv)
    registry = default_registry()
    plugin = registry.dataset(args.dataset)
    benchmarks = [f"{args.dataset}.{region}.{plugin.default_metric}" for region in plugin.regions]
    summary = []
    for model in args.models.split(","):
        rows = []
        for seed in range(args.seeds):
            seeded = reseeded(registry, args.dataset, seed)
            document = score(model, benchmarks=benchmarks, registry=seeded, progress=False, log=lambda m: None)
            h = hierarchy(document, args.dataset, registry=seeded)
            ci = h.rho_ci95
            rows.append((h.rho, h.p_permutation, ci))
            ci_text = "—" if ci is None else f"[{ci[0]:+.2f}, {ci[1]:+.2f}]"
            print(f"{model} seed {seed}: rho {h.rho:+.3f}, 95% CI {ci_text}, permutation p {h.p_permutation:.4f}", flush=True)
        rhos = [r for r, _, _ in rows]
        significant = sum(p is not None and p < 0.05 for _, p, _ in rows)
        excluding = sum(ci is not None and ci[0] > 0 for _, _, ci in rows)
        summary.append(f"{model}: rho {min(rhos):+.2f} to {max(rhos):+.2f}; p < 0.05 on {significant} of {args.seeds} seeds "
                       f"(p {min(p for _, p, _ in rows):.4f}-{max(p for _, p, _ in rows):.4f}); interval above 0 on {excluding}")
    print("\n".join(["", *summary]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
