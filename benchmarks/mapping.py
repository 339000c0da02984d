"""Mapping speed: brainbench's kernel ridge against scikit-learn and himalaya on the Allen problem,
against the bare linear algebra it needs, and how its time grows with stimuli, features and targets.

    python benchmarks/mapping.py [--region VISp] [--model pixels] [--layer NAME] [--repeats 3]

Prints, as ratios (time of brainbench / time of the other):
  (b) brainbench / sklearn RidgeCV(alpha_per_target=True) and / himalaya RidgeCV and KernelRidgeCV,
      all choosing each unit's alpha by leave-one-out on the training images from the same grid,
      predictions and per-unit Pearson r checked equal to 1e-6;
  (c) brainbench / the bare linear algebra (Gram product, one eigh per split, the products);
  (f) exponents of time ~ size^k for stimuli, features and targets (simulated, same solver).
The Allen problem: one layer's features -> every unit of an area, the benchmark's 5 outer folds.
"""
from __future__ import annotations

import argparse
import os
import sys
import warnings

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import allen_problem, best_time, goal, loglog_slope  # noqa: E402

from brainbench.ceiling import pearson_columns  # noqa: E402
from brainbench.ridge import RELATIVE_ALPHAS, centre_split, gram_matrix, ridge_predict_split, symmetric_eigh  # noqa: E402


def absolute_alphas(gram, train, test):
    k_tt, _ = centre_split(torch.as_tensor(gram), torch.as_tensor(train), torch.as_tensor(test))
    return RELATIVE_ALPHAS * float(torch.trace(k_tt) / len(train))


def brainbench_mapping(features, responses, splits, device="cpu"):
    gram = gram_matrix(features, device=device)
    return [ridge_predict_split(gram, responses, tr, te, device=device)[0] for tr, te in splits]


def sklearn_mapping(features, responses, splits, alphas):
    from sklearn.linear_model import RidgeCV

    return [RidgeCV(alphas=a, alpha_per_target=True).fit(features[tr], responses[tr]).predict(features[te]) for (tr, te), a in zip(splits, alphas)]


def himalaya_mapping(features, responses, splits, alphas, kernel: bool, loo: bool = True):
    from sklearn.model_selection import KFold

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kernel:
            from himalaya.kernel_ridge import KernelRidgeCV as Model
        else:
            from himalaya.ridge import RidgeCV as Model
        out = []
        for (tr, te), a in zip(splits, alphas):
            cv = KFold(len(tr)) if loo else 5  # KFold(n) = leave-one-out (himalaya cannot take LeaveOneOut)
            kwargs = {"kernel": "linear"} if kernel else {}
            model = Model(alphas=a, fit_intercept=True, cv=cv, **kwargs).fit(features[tr], responses[tr])
            out.append(np.asarray(model.predict(features[te])))
        return out


def bare_linear_algebra(features, responses, splits, device="cpu"):
    """What any exact LOO kernel ridge must do: X Xᵀ once; per split one eigh and the products."""
    x = torch.as_tensor(features, device=device)
    y = torch.as_tensor(responses, device=device)
    gram = x @ x.T
    out = []
    n_alphas = len(RELATIVE_ALPHAS)
    for tr, te in splits:
        tr_t, te_t = torch.as_tensor(tr, device=device), torch.as_tensor(te, device=device)
        k = gram[tr_t][:, tr_t]
        eigval, eigvec = symmetric_eigh(k)
        projected = eigvec.T @ y[tr_t]  # (n, t)
        operator = eigvec.repeat(n_alphas, 1)  # (A n, n): one row block per alpha
        loo = operator @ projected  # every alpha's residuals at once
        dual = eigvec @ projected
        out.append((gram[te_t][:, tr_t] @ dual, loo.shape))
    return out


def scores_of(predictions, responses, splits):
    order = np.concatenate([te for _, te in splits])
    return pearson_columns(np.concatenate(predictions), responses[order])


def growth(repeats: int, device: str) -> dict:
    rng = np.random.default_rng(0)

    def timed(n, p, t):
        x, y = rng.standard_normal((n, p)).astype(np.float32), rng.standard_normal((n, t))
        splits = [(np.setdiff1d(np.arange(n), np.arange(k, n, 5)), np.arange(k, n, 5)) for k in range(5)]
        return best_time(lambda: brainbench_mapping(x, y, splits, device), repeats)[0]

    plans = {
        "stimuli": ([100, 200, 400, 800], lambda s: timed(s, 4096, 500)),
        "features (model units)": ([16384, 65536, 262144, 524288], lambda s: timed(118, s, 500)),
        "targets (neural units)": ([500, 1000, 2000, 4000, 8000], lambda s: timed(118, 4096, s)),
    }
    out = {}
    for name, (sizes, run) in plans.items():
        seconds = [run(s) for s in sizes]
        out[name] = (sizes, seconds, loglog_slope(sizes, seconds))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--region", default="VISp")
    parser.add_argument("--model", default="pixels")
    parser.add_argument("--layer", help="default: the model's first candidate layer")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--skip-growth", action="store_true")
    parser.add_argument("--skip-primal", action="store_true", help="skip himalaya's primal RidgeCV with LOO (one SVD per left-out image: minutes)")
    parser.add_argument("--data-dir")
    args = parser.parse_args(argv)

    features, responses, splits, _ = allen_problem(args.region, args.model, args.layer, args.data_dir)
    gram = gram_matrix(features)
    alphas = [absolute_alphas(gram, tr, te) for tr, te in splits]
    print(f"Allen problem: {args.model} {args.layer or '(first layer)'} {features.shape[1]:,} features -> {responses.shape[1]} {args.region} units, "
          f"{len(splits)} folds of {len(splits[0][0])} training images, {len(RELATIVE_ALPHAS)} alphas, device {args.device}, torch threads {torch.get_num_threads()}")
    t_ours, ours = best_time(lambda: brainbench_mapping(features, responses, splits, args.device), args.repeats)
    t_bare, _ = best_time(lambda: bare_linear_algebra(features, responses, splits, args.device), args.repeats)
    t_sk, sk = best_time(lambda: sklearn_mapping(features, responses, splits, alphas), max(1, args.repeats - 1))
    t_hr, hr = best_time(lambda: himalaya_mapping(features, responses, splits, alphas, kernel=False), 1) if not args.skip_primal else (np.nan, None)
    t_hk, hk = best_time(lambda: himalaya_mapping(features, responses, splits, alphas, kernel=True), 1)
    t_h5, _ = best_time(lambda: himalaya_mapping(features, responses, splits, alphas, kernel=True, loo=False), 1)
    r_ours = scores_of(ours, responses, splits)
    print(f"  brainbench kernel ridge (Gram + 5 splits) {t_ours:8.3f} s")
    for name, t, pred in [("sklearn RidgeCV(alpha_per_target)", t_sk, sk), ("himalaya RidgeCV (LOO)", t_hr, hr), ("himalaya KernelRidgeCV (LOO)", t_hk, hk)]:
        if pred is None:
            continue
        dp = max(np.abs(a - b).max() for a, b in zip(ours, pred))
        dr = np.nanmax(np.abs(scores_of(pred, responses, splits) - r_ours))
        print(f"  {name:38s} {t:8.3f} s   brainbench/this = {t_ours / t:6.3f} ({t / t_ours:5.1f}x faster)   max |Δprediction| {dp:.1e}, max |Δr| {dr:.1e}  {'same to 1e-6' if max(dp, dr) < 1e-6 else 'DIFFERENT'}")
    print(f"  {'himalaya KernelRidgeCV (5-fold, its default)':38s} {t_h5:8.3f} s   brainbench/this = {t_ours / t_h5:6.3f}   (different alpha criterion: timing only)")
    print(f"(b) brainbench / sklearn = {t_ours / t_sk:.3f} ({goal(t_sk / t_ours, 5, '>=')} x faster); "
          f"brainbench / fastest himalaya LOO = {t_ours / np.nanmin([t_hr, t_hk]):.3f} ({goal(t_ours / np.nanmin([t_hr, t_hk]), 1, '<=')})")
    print(f"(c) brainbench / bare linear algebra ({t_bare:.3f} s) = {t_ours / t_bare:.2f}  ({goal(t_ours / t_bare, 1.5, '<=')})")
    if not args.skip_growth:
        print("(f) growth of brainbench's mapping time (simulated data, 5 folds, 25 alphas):")
        for name, (sizes, seconds, slope) in growth(args.repeats, args.device).items():
            detail = ", ".join(f"{s:,}: {t:.3f}s" for s, t in zip(sizes, seconds))
            target = "<= 2 (at most quadratic)" if name == "stimuli" else "<= 1.1 (linear)"
            print(f"  {name:24s} exponent {slope:.2f}  [goal {target}]   {detail}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
