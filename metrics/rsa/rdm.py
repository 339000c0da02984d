"""Representational dissimilarity matrices and RDM comparators, vectorised, checked against rsatoolbox.

RDMs (rsatoolbox's definitions, so numbers agree to 1e-6; tests/test_reference_agreement.py):
- ``correlation``: 1 - Pearson r between two stimuli's patterns across channels (units/features);
- ``euclidean``: squared Euclidean distance divided by the number of channels;
- ``crossvalidated``: the cross-validated squared Euclidean distance (crossnobis with an identity noise
  model) between two independent halves of the repeats, (a_i - a_j)·(b_i - b_j) / channels: noise
  does not inflate it, so its expected value is the noise-free distance. A model layer has no repeats,
  so its cross-validated RDM is its Euclidean RDM.

Comparators on the upper triangle: ``pearson``, ``spearman`` (Pearson of mid-ranks; rsatoolbox
'spearman'), ``kendall_tau_a`` (rsatoolbox 'tau-a', appropriate when a model predicts ties).

Stimulus weights: a bootstrap draws stimuli with replacement; the RDM of the drawn sample has
``c_i * c_j`` copies of the dissimilarity between stimuli i and j and none between two copies of the
same stimulus (rsatoolbox excludes those pairs too). Pearson and Spearman take those pair weights
directly (weighted moments, weighted mid-ranks), which equals computing on the replicated vector;
Kendall's tau-a replicates the entries.
"""
from __future__ import annotations

import numpy as np
import scipy.stats

RDM_METHODS = ("correlation", "euclidean", "crossvalidated")
COMPARATORS = ("spearman", "pearson", "kendall_tau_a")


def rdm_from_features(features, method: str = "correlation", chunk_columns: int = 1 << 14) -> np.ndarray:
    """(n, n) RDM of a (stimulus, feature) array, accumulated in float64 over column chunks.

    Works on memory-mapped layers of any width: one (n, chunk) block in memory at a time.
    """
    if method not in RDM_METHODS:
        raise ValueError(f"unknown RDM method {method!r}; choose one of {RDM_METHODS}")
    n, p = features.shape
    if method == "correlation":
        row_sum = np.zeros(n)
        for start in range(0, p, chunk_columns):
            row_sum += np.asarray(features[:, start : start + chunk_columns], dtype=np.float64).sum(axis=1)
        row_mean = row_sum / p
        gram = np.zeros((n, n))
        for start in range(0, p, chunk_columns):
            block = np.asarray(features[:, start : start + chunk_columns], dtype=np.float64) - row_mean[:, None]
            gram += block @ block.T
        return correlation_rdm_from_gram(gram)
    # Euclidean distances do not change when every feature is shifted: centre columns for precision
    gram = np.zeros((n, n))
    for start in range(0, p, chunk_columns):
        block = np.asarray(features[:, start : start + chunk_columns], dtype=np.float64)
        block = block - block.mean(axis=0)
        gram += block @ block.T
    diag = np.diagonal(gram)
    return (diag[:, None] + diag[None, :] - 2 * gram) / p


def correlation_rdm_from_gram(centred_gram: np.ndarray) -> np.ndarray:
    """1 - correlation from the Gram matrix of row-centred patterns (any leading dims)."""
    diag = np.sqrt(np.clip(np.diagonal(centred_gram, axis1=-2, axis2=-1), 0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1.0 - centred_gram / (diag[..., :, None] * diag[..., None, :])


def upper(rdm: np.ndarray, stimuli: np.ndarray) -> np.ndarray:
    sub = rdm[np.ix_(stimuli, stimuli)]
    return sub[np.triu_indices(len(stimuli), 1)]


def compare_rdms(a: np.ndarray, b: np.ndarray, comparator: str = "spearman", weights: np.ndarray | None = None) -> float:
    """Compare two (n, n) RDMs on the upper triangle of the stimuli with weight > 0.

    ``weights`` per stimulus: None or all ones = plain comparison; integers = bootstrap multiplicities.
    """
    return float(compare_many(a[None], b[None], comparator, weights)[0])


def compare_many(a: np.ndarray, b: np.ndarray, comparator: str = "spearman", weights: np.ndarray | None = None) -> np.ndarray:
    """``compare_rdms`` for stacks of RDM pairs (k, n, n), vectorised over the stack (k values)."""
    if comparator not in COMPARATORS:
        raise ValueError(f"unknown RDM comparator {comparator!r}; choose one of {COMPARATORS}")
    k, n = a.shape[0], a.shape[-1]
    if weights is None:
        stimuli, pair_w = np.arange(n), None
    else:
        weights = np.asarray(weights, dtype=float)
        stimuli = np.flatnonzero(weights > 0)
        w = weights[stimuli]
        pair_w = None if np.all(w == 1) else np.outer(w, w)[np.triu_indices(len(stimuli), 1)]
    if len(stimuli) < 3:
        return np.full(k, np.nan)
    rows, cols = np.triu_indices(len(stimuli), 1)
    flat = stimuli[rows] * n + stimuli[cols]
    x = a.reshape(k, n * n)[:, flat]
    y = b.reshape(k, n * n)[:, flat]
    if not (np.isfinite(x).all() and np.isfinite(y).all()):  # rare: drop the undefined pairs per RDM pair
        out = np.empty(k)
        for i in range(k):
            keep = np.isfinite(x[i]) & np.isfinite(y[i])
            out[i] = _compare_rows(x[i : i + 1, keep], y[i : i + 1, keep], comparator, None if pair_w is None else pair_w[keep])[0]
        return out
    return _compare_rows(x, y, comparator, pair_w)


def _compare_rows(x, y, comparator, pair_w):
    if comparator == "pearson":
        return weighted_pearson_rows(x, y, pair_w)
    if comparator == "spearman":
        return weighted_pearson_rows(rank_rows(x, pair_w), rank_rows(y, pair_w), pair_w)
    out = np.empty(len(x))
    for i in range(len(x)):
        xi, yi = x[i], y[i]
        if pair_w is not None:
            reps = np.rint(pair_w).astype(np.int64)
            xi, yi = np.repeat(xi, reps), np.repeat(yi, reps)
        out[i] = kendall_tau_a(xi, yi)
    return out


def pearson_pairs_many(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray | None:
    """``compare_rdms(x, y, "pearson", row)`` for every row of ``weights`` (resamples, n): (resamples,).

    The pair-weighted sums over i < j are quadratic forms, sum_ij w_i w_j triu(F)_ij = rowsum((W F) * W),
    so all resamples cost a few (resamples, n) @ (n, n) products. None when an RDM has a non-finite
    off-diagonal entry (the caller then compares resample by resample, which drops such pairs).
    """
    n = x.shape[-1]
    iu = np.triu_indices(n, 1)
    if not (np.isfinite(x[iu]).all() and np.isfinite(y[iu]).all()):
        return None
    mask = np.triu(np.ones((n, n)), 1)
    xu = (x - x[iu].mean()) * mask  # centred for precision; r is shift-invariant
    yu = (y - y[iu].mean()) * mask
    w = np.asarray(weights, dtype=np.float64)

    def pair_sum(f):
        return np.einsum("bi,bi->b", w @ f, w)

    total = pair_sum(mask)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx, my = pair_sum(xu) / total, pair_sum(yu) / total
        var_x = pair_sum(xu * xu) / total - mx**2
        var_y = pair_sum(yu * yu) / total - my**2
        cov = pair_sum(xu * yu) / total - mx * my
        ok = ((w > 0).sum(axis=1) >= 3) & (var_x > 0) & (var_y > 0)
        return np.where(ok, cov / np.sqrt(np.where(ok, var_x * var_y, 1.0)), np.nan)


def weighted_pearson_rows(x: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Pearson r between matching rows of x and y (k, m), entries weighted by w (m,)."""
    w = np.full(x.shape[1], 1.0 / x.shape[1]) if w is None else w / w.sum()
    xc = x - (x @ w)[:, None]
    yc = y - (y @ w)[:, None]
    denom = np.sqrt(((xc * xc) @ w) * ((yc * yc) @ w))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 1e-300, ((xc * yc) @ w) / np.where(denom > 1e-300, denom, 1.0), np.nan)


def rank_rows(x: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Mid-ranks along each row (entry j counted w[j] times); vectorised when a row has no ties."""
    k, m = x.shape
    order = np.argsort(x, axis=1)
    xs = np.take_along_axis(x, order, axis=1)
    tied = (xs[:, 1:] == xs[:, :-1]).any(axis=1)
    if w is None:
        sorted_ranks = np.broadcast_to(np.arange(1.0, m + 1), (k, m))
    else:
        ws = w[order]
        sorted_ranks = np.cumsum(ws, axis=1) - ws + (ws + 1) / 2
    ranks = np.empty((k, m))
    np.put_along_axis(ranks, order, sorted_ranks, axis=1)
    for i in np.flatnonzero(tied):
        ranks[i] = weighted_ranks(x[i], w)
    return ranks


def weighted_pearson(x: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> float:
    w = np.ones_like(x) if w is None else w
    w = w / w.sum()
    xc, yc = x - w @ x, y - w @ y
    denom = np.sqrt((w @ (xc * xc)) * (w @ (yc * yc)))
    return float(w @ (xc * yc) / denom) if denom > 1e-300 else np.nan


def weighted_ranks(x: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Mid-ranks of x as if entry k appeared w[k] times (w=None: scipy.stats.rankdata 'average')."""
    if w is None:
        w = np.ones(len(x))
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    group = np.cumsum(np.r_[True, xs[1:] != xs[:-1]]) - 1
    group_w = np.bincount(group, weights=w[order])
    below = np.cumsum(group_w) - group_w
    ranks = np.empty_like(x, dtype=float)
    ranks[order] = (below + (group_w + 1) / 2)[group]
    return ranks


def kendall_tau_a(x: np.ndarray, y: np.ndarray) -> float:
    """Kendall's tau-a: (concordant - discordant) / all pairs; ties count in the denominator.

    From scipy's O(n log n) tau-b: concordant - discordant = tau_b * sqrt((P - ties_x)(P - ties_y)).
    """
    size = len(x)
    total = size * (size - 1) / 2
    ties_x, ties_y = _tied_pairs(x), _tied_pairs(y)
    if ties_x == total or ties_y == total:
        return 0.0
    tau_b = scipy.stats.kendalltau(x, y, variant="b").statistic
    return float(tau_b * np.sqrt((total - ties_x) * (total - ties_y)) / total)


def _tied_pairs(x: np.ndarray) -> float:
    _, counts = np.unique(x, return_counts=True)
    return float((counts * (counts - 1) / 2).sum())
