"""Population statistics kept per subject, so that a bootstrap over animals is a weighted sum.

RSA and CKA compare whole populations. Their recorded side (an RDM, a Gram matrix) is built from
statistics that add over neuroids (sums of products across units), so each subject's share is kept
apart: resampling animals with replacement is then a weighted sum of the subjects' shares, exact and
cheap, with no recomputation from the trials. The same holds for the split-half halves of the ceiling.
"""
from __future__ import annotations

import warnings
from typing import Callable

import numpy as np


class SubjectPooled:
    """Per-subject additive statistics and the function that turns their (weighted) sum into a value.

    ``stats[name]`` has the subject axis first. ``value`` is ``finalize(sum_s weights_s * stats_s)``,
    computed once. ``reweighted(w)`` is the same population with subject multiplicities ``w``.
    """

    def __init__(self, stats: dict[str, np.ndarray], finalize: Callable[[dict], np.ndarray], weights=None, n_repetitions: int | None = None):
        self.stats, self.finalize, self.n_repetitions = stats, finalize, n_repetitions
        n_subjects = len(next(iter(stats.values())))
        self.weights = np.ones(n_subjects) if weights is None else np.asarray(weights, dtype=float)
        self._value = None

    @property
    def value(self) -> np.ndarray:
        if self._value is None:
            combined = {k: np.tensordot(self.weights, v, axes=(0, 0)) for k, v in self.stats.items()}
            self._value = self.finalize(combined)
        return self._value

    @property
    def shape(self) -> tuple:
        return self.value.shape[-2:]

    def reweighted(self, weights) -> "SubjectPooled":
        weights = np.asarray(weights, dtype=float)
        if weights.shape != self.weights.shape:
            raise ValueError(f"subject weights have shape {weights.shape}, expected {self.weights.shape}")
        return SubjectPooled(self.stats, self.finalize, weights, self.n_repetitions)


def subjects_of(recording) -> tuple[np.ndarray, list[np.ndarray]]:
    """Subjects in sorted order (the order every bootstrap weight vector uses) and their neuroid columns."""
    subjects = np.asarray(recording["subject"].values)
    unique = np.unique(subjects)
    return unique, [np.flatnonzero(subjects == s) for s in unique]


def nanmean_repeats(trials: np.ndarray) -> np.ndarray:
    """(stimulus, neuroid) mean over the repeats a neuroid has (NaN where it has none)."""
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(trials, axis=0)


def split_half_orders(n_repetitions: int, n_splits: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The repeat halves brainbench.ceiling.SplitHalves uses (same seed, same permutations)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_splits):
        order = rng.permutation(n_repetitions)
        out.append((order[: n_repetitions // 2], order[n_repetitions // 2 :]))
    return out


def per_subject(recording, compute: Callable[[np.ndarray], dict]) -> dict[str, np.ndarray]:
    """Stack ``compute(trials of one subject)`` over subjects (subject axis first)."""
    trials = np.asarray(recording.values, dtype=np.float64)
    _, members = subjects_of(recording)
    parts = [compute(trials[:, :, cols]) for cols in members]
    return {k: np.stack([p[k] for p in parts]) for k in parts[0]}


def finite_units(*means: np.ndarray) -> np.ndarray:
    """Columns finite for every stimulus in every given mean (a unit without repeats in a half drops out)."""
    keep = np.ones(means[0].shape[1], dtype=bool)
    for m in means:
        keep &= np.all(np.isfinite(m), axis=0)
    return keep


def stimulus_weights(test, n, counts):
    """Weights over all n stimuli that select a split's test stimuli, times bootstrap counts if any."""
    weights = np.zeros(n)
    weights[test] = 1.0
    return weights if counts is None else weights * counts
