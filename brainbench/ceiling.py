"""Noise ceilings from repeated presentations.

``SplitHalves.reliability`` is the Spearman–Brown-corrected correlation between the mean responses of
two random halves of the repeats: the reliability of the full-repeat mean. A perfect model of the
true mean response correlates with the *observed* mean at most sqrt(reliability); that is the ceiling
for Pearson r (``pearson_ceiling``). Brain-Score divides by the reliability itself, which is the
ceiling of r², not of r; we divide r by sqrt(reliability) so that a perfect model scores 1.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from .blas import all_cores_blas


def pearson_columns(a: np.ndarray, b: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Pearson r between matching columns of two (samples, columns) arrays; NaN for constant columns.

    ``weights`` (per sample, e.g. bootstrap counts) gives the r of the data with rows repeated.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if weights is None:
        a = a - a.mean(axis=0)
        b = b - b.mean(axis=0)
        w = 1.0
    else:
        w = np.asarray(weights, dtype=np.float64)[:, None] / np.sum(weights)
        a = a - (w * a).sum(axis=0)
        b = b - (w * b).sum(axis=0)
    denom = np.sqrt((w * a * a).sum(axis=0) * (w * b * b).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 1e-300, (w * a * b).sum(axis=0) / np.where(denom > 1e-300, denom, 1), np.nan)


def pearson_columns_many(a: np.ndarray, b: np.ndarray | None, counts: np.ndarray | None, b_moments: ColumnMoments | None = None) -> np.ndarray:
    """``pearson_columns(a, b, row)`` for every row of ``counts`` (resamples, samples) at once.

    Weighted moments as matrix products: (resamples, samples) @ (samples, columns). Both sides are
    centred first (r is shift-invariant), which keeps E[x²] - E[x]² well conditioned; a column whose
    weighted variance is below 1e-12 of its second moment is constant in that resample: NaN.
    ``b_moments``: ``column_moments(b, counts)`` computed once for several ``a`` against the same
    ``b`` (e.g. every layer's predictions of one recording; ``b`` and ``counts`` are then unused):
    the result is the same bit for bit.
    """
    side_b = b_moments if b_moments is not None else column_moments(b, counts)
    w = side_b.weights
    a = np.asarray(a, dtype=np.float64)
    a = a - a.mean(axis=0)
    side_a = _moments(a, w)
    with all_cores_blas():
        cov = w @ (a * side_b.centred)
    mean = side_a.mean
    mean *= side_b.mean
    cov -= mean
    var = side_a.var
    var *= side_b.var
    ok = side_a.ok & side_b.ok
    del side_a, mean
    with np.errstate(invalid="ignore", divide="ignore"):
        np.sqrt(var, out=var, where=ok)
        np.copyto(var, 1.0, where=~ok)  # in place of np.where(ok, var, 1.0): one (resamples, columns) block fewer
        cov /= var
    cov[~ok] = np.nan
    return cov


@dataclass
class ColumnMoments:
    """One side of ``pearson_columns_many`` on every resample: the centred columns, the resample
    weights (rows summing to 1), and per (resample, column) the weighted mean, the weighted variance
    and whether that variance is usable (``ok``: not constant in the resample)."""

    centred: np.ndarray
    weights: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    ok: np.ndarray


def column_moments(b: np.ndarray, counts: np.ndarray) -> ColumnMoments:
    """The ``b`` side of ``pearson_columns_many(·, b, counts)``, to share among several ``a``."""
    b = np.asarray(b, dtype=np.float64)
    b = b - b.mean(axis=0)
    return _moments(b, _normalised_rows(counts))


def _moments(x: np.ndarray, w: np.ndarray) -> ColumnMoments:
    with all_cores_blas():
        mean = w @ x
        var = w @ (x * x)
    ok = var > 0
    square = mean * mean
    var -= square
    square += var  # E[x²] again as var + mean², for the constancy test below; in place: one block, not four
    square *= 1e-12
    ok &= var > square
    return ColumnMoments(x, w, mean, var, ok)


def _normalised_rows(counts: np.ndarray) -> np.ndarray:
    """Each row of (resamples, samples) weights divided by its sum (a row summing to 0 becomes NaN)."""
    w = np.asarray(counts, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return w / w.sum(axis=1, keepdims=True)


def spearman_brown(r: np.ndarray, factor: float = 2.0) -> np.ndarray:
    r = np.asarray(r, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return factor * r / (1 + (factor - 1) * r)


class SplitHalves:
    """Mean responses of random halves of the repeats, computed once (on first use), reused by every
    bootstrap sample.

    trials: (repetition, stimulus, neuroid), NaN where a neuroid has fewer repeats. Each of ``n_splits``
    splits permutes the repetition axis (one permutation for all neuroids) and averages each half.
    The halves are computed when first needed: a re-score whose ceilings come from the store never
    pays for them (0.5 s of a 3.4 s re-score of allen_np.VISp).
    """

    def __init__(self, trials: np.ndarray, n_splits: int = 20, seed: int = 0):
        self._trials = trials
        self.n_splits, self.seed, self.n_repetitions = n_splits, seed, int(np.shape(trials)[0])
        self.n_neuroids = int(np.shape(trials)[-1])
        self._halves = None

    @property
    def halves(self) -> np.ndarray:
        """(split, half, stimulus, neuroid) mean responses."""
        if self._halves is None:
            self._halves = _split_half_means(np.asarray(self._trials, dtype=np.float64), self.n_splits, self.seed)
            self._trials = None
        return self._halves

    def reliability(self, counts: np.ndarray | None = None) -> np.ndarray:
        """Per-neuroid Spearman–Brown reliability of the full-repeat mean (split correlations averaged
        before the Spearman–Brown step); ``counts`` weights stimuli (bootstrap)."""
        if self.n_repetitions < 2:
            return np.full(self.n_neuroids, np.nan)
        r = np.mean([pearson_columns(h[0], h[1], counts) for h in self.halves], axis=0)
        return spearman_brown(r)

    def reliability_many(self, counts: np.ndarray) -> np.ndarray:
        """``reliability(row)`` for every row of ``counts`` (resamples, stimuli): (resamples, neuroids)."""
        counts = np.asarray(counts)
        if self.n_repetitions < 2:
            return np.full((counts.shape[0], self.n_neuroids), np.nan)
        r = np.zeros((counts.shape[0], self.n_neuroids))
        for h in self.halves:  # summed in place: one (resamples, neuroids) array, not one per split
            r += pearson_columns_many(h[0], h[1], counts)
        return spearman_brown(r / len(self.halves))


def _split_half_means(trials: np.ndarray, n_splits: int, seed: int) -> np.ndarray:
    """(split, half, stimulus, neuroid): each split's two halves of the repeats, averaged (NaN-aware)."""
    n_rep, n_stim, n_neur = trials.shape
    halves = np.full((n_splits, 2, n_stim, n_neur), np.nan)
    if n_rep < 2:
        return halves
    rng = np.random.default_rng(seed)
    for i in range(n_splits):
        order = rng.permutation(n_rep)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN: neuroid lacks repeats in a half
            halves[i, 0] = np.nanmean(trials[order[: n_rep // 2]], axis=0)
            halves[i, 1] = np.nanmean(trials[order[n_rep // 2 :]], axis=0)
    return halves


def pearson_ceiling(reliability: np.ndarray) -> np.ndarray:
    """Highest expected Pearson r of a perfect model against the observed mean: sqrt(reliability)."""
    reliability = np.asarray(reliability, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(reliability > 0, np.sqrt(np.clip(reliability, 0, None)), np.nan)
