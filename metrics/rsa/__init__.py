"""Representational similarity analysis: the model layer's RDM against the recorded population's RDM.

No fitting: a layer's RDM over all stimuli is computed once (``prepare``); a split's score compares the
two RDMs on its test stimuli. Layer selection (protocol ``inner_splits=1``): the layer is chosen on one
half of the images and scored on the other, both ways, the two held-out scores averaged.

Recording kinds: ``trials`` (the RDM is built from the trial-averaged units of all animals of the area,
kept per animal so animals can be bootstrapped) and ``rdm`` (a published RDM, e.g. Allen 2-photon).

Ceiling (``trials``): Spearman–Brown-corrected agreement between the RDMs of two random halves of the
repeats (20 splits, the split-half permutations of brainbench.ceiling), computed with the same
comparator on the same test stimuli as the score; the r-scale ceiling is its square root, the agreement
a perfect model of the true RDM would reach with the observed one (as for units; brainbench.ceiling).
For ``rdm`` recordings the published split-half reliability takes its place.

Default comparator: Pearson, on both recording methods, so ``rsa`` means one thing everywhere and the
published 2-photon ceiling (a Pearson split-half reliability) matches the score it ceils; Spearman and
Kendall's tau-a are reported beside it (``other_scores``) and selectable (``comparator``).
"""
from __future__ import annotations

import numpy as np

from brainbench.ceiling import pearson_ceiling, spearman_brown
from brainbench.errors import BrainbenchError
from brainbench.metric import Metric
from brainbench.registry import MetricPlugin

from .population import SubjectPooled, finite_units, nanmean_repeats, per_subject, split_half_orders, stimulus_weights
from .rdm import COMPARATORS, RDM_METHODS, compare_many, compare_rdms, correlation_rdm_from_gram, pearson_pairs_many, rdm_from_features


class FixedRDM:
    """A recorded RDM given as such (no trials, no subjects)."""

    def __init__(self, rdm: np.ndarray):
        self.value = np.asarray(rdm, dtype=np.float64)
        self.shape = self.value.shape
        self.n_repetitions = None


def _rdm_finalize(method: str):
    """Combined per-subject statistics -> RDM(s), any leading dims."""

    def finalize(s: dict) -> np.ndarray:
        count = s["count"][..., None, None]
        if method == "correlation":
            mean = s["sum"] / s["count"][..., None]
            cov = s["second"] / count - mean[..., :, None] * mean[..., None, :]
            return correlation_rdm_from_gram(cov)
        key = "second" if method == "euclidean" else "cross"
        g = s[key]
        diag = np.diagonal(g, axis1=-2, axis2=-1)
        return (diag[..., :, None] + diag[..., None, :] - g - np.swapaxes(g, -1, -2)) / count

    return finalize


def _population_stats(method: str):
    """Trials of one subject (repetition, stimulus, unit) -> that subject's additive statistics."""

    def compute(trials: np.ndarray) -> dict:
        if method == "crossvalidated":
            a, b = nanmean_repeats(trials[0::2]), nanmean_repeats(trials[1::2])
            keep = finite_units(a, b)
            a, b = a[:, keep], b[:, keep]
            return {"cross": a @ b.T, "count": np.float64(keep.sum())}
        mean = nanmean_repeats(trials)
        mean = mean[:, finite_units(mean)]
        return {"second": mean @ mean.T, "sum": mean.sum(axis=1), "count": np.float64(mean.shape[1])}

    return compute


class RSAMetric(Metric):
    name = "rsa"
    version = "1"
    per_neuroid = False
    ceiling_kind = "r"
    #: the Benchmark passes the recording (subjects needed), not the bare trial array
    ceiling_from_recording = True
    #: can score recordings that are RDMs already (DatasetPlugin recording_kind "rdm")
    accepts_rdm = True

    def __init__(self, rdm: str = "correlation", comparator: str = "pearson", ceiling_splits: int = 20, ceiling_seed: int = 0, device: str = "cpu"):
        if rdm not in RDM_METHODS:
            raise BrainbenchError(f"rsa: unknown RDM method {rdm!r}; choose one of {', '.join(RDM_METHODS)}")
        if comparator not in COMPARATORS:
            raise BrainbenchError(f"rsa: unknown comparator {comparator!r}; choose one of {', '.join(COMPARATORS)}")
        self.rdm_method, self.comparator = rdm, comparator
        self.primary = comparator
        self.ceiling_splits, self.ceiling_seed = ceiling_splits, ceiling_seed

    def config(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "rdm": self.rdm_method,
            "comparator": self.comparator,
            "primary": self.primary,
            "ceiling": f"sqrt(Spearman-Brown split-half RDM agreement), {self.ceiling_splits} splits, seed {self.ceiling_seed}; published reliability for RDM recordings",
        }

    # -- model side ------------------------------------------------------------------------------
    def prepare(self, features):
        # a layer has no repeats: its cross-validated RDM is its (noise-free) Euclidean RDM
        return rdm_from_features(features, "euclidean" if self.rdm_method == "crossvalidated" else self.rdm_method)

    # -- recorded side ---------------------------------------------------------------------------
    def prepare_target(self, recording):
        if "neuroid" not in recording.dims:
            if recording.ndim != 2 or recording.shape[0] != recording.shape[1]:
                raise BrainbenchError(f"rsa: an RDM recording must be a square (stimulus, stimulus) matrix, got dims {recording.dims} shape {recording.shape}")
            return FixedRDM(recording.values)
        stats = per_subject(recording, _population_stats(self.rdm_method))
        return SubjectPooled(stats, _rdm_finalize(self.rdm_method), n_repetitions=recording.sizes["repetition"])

    def prepare_ceiling(self, recording):
        n_rep = recording.sizes["repetition"]
        if n_rep < 2 or (self.rdm_method == "crossvalidated" and n_rep < 4):
            return SubjectPooled({"count": np.zeros((1,))}, lambda s: None, n_repetitions=1)
        halves = split_half_orders(n_rep, self.ceiling_splits, self.ceiling_seed)
        compute = _population_stats(self.rdm_method)

        def compute_halves(trials):
            parts = [[compute(trials[h]) for h in pair] for pair in halves]
            return {k: np.stack([np.stack([p[k] for p in pair]) for pair in parts]) for k in parts[0][0]}

        stats = per_subject(recording, compute_halves)  # (subject, split, half, ...)
        return SubjectPooled(stats, _rdm_finalize(self.rdm_method), n_repetitions=n_rep)

    def reweight(self, pooled, subject_weights):
        if not isinstance(pooled, SubjectPooled):
            raise BrainbenchError("rsa: this recording has no per-subject data to bootstrap over")
        return pooled.reweighted(subject_weights)

    # -- scoring ---------------------------------------------------------------------------------
    def evaluate(self, prepared, responses, train, test):
        return {"test": np.asarray(test), "model_rdm": prepared}

    def summarize(self, outputs, responses, counts=None):
        recorded = responses.value
        # the other comparators ride along for the point estimate only, not inside bootstraps
        resampled = counts is not None or not np.all(getattr(responses, "weights", 1) == 1)
        comparators = (self.comparator,) if resampled else (self.comparator, *[c for c in COMPARATORS if c != self.comparator])
        out = {}
        for comparator in comparators:
            values = [compare_rdms(o["model_rdm"], recorded, comparator, stimulus_weights(o["test"], len(recorded), counts)) for o in outputs]
            out[comparator] = np.array([np.mean(values)])
        return out

    def summarize_many(self, outputs, responses, counts):
        if self.comparator != "pearson":
            return super().summarize_many(outputs, responses, counts)
        recorded, n = responses.value, counts.shape[1]
        values = [pearson_pairs_many(o["model_rdm"], recorded, counts * stimulus_weights(o["test"], n, None)) for o in outputs]
        if any(v is None for v in values):
            return super().summarize_many(outputs, responses, counts)
        return {self.comparator: np.mean(values, axis=0)[:, None]}

    def ceiling(self, ceiling_data, counts=None):
        if ceiling_data is None:
            return None
        published = getattr(ceiling_data, "reliability", None)
        if published is not None:  # brainbench.benchmark.PublishedReliability
            return np.atleast_1d(pearson_ceiling(published))
        if not ceiling_data.n_repetitions or ceiling_data.n_repetitions < 2:
            return None
        halves = ceiling_data.value  # (split, 2, n, n)
        r = np.mean(compare_many(halves[:, 0], halves[:, 1], self.comparator, counts))
        return np.atleast_1d(pearson_ceiling(spearman_brown(r)))


PLUGINS = [
    MetricPlugin(
        name="rsa",
        factory=RSAMetric,
        applies_to=("trials", "rdm"),
        description="representational similarity: layer RDM vs recorded RDM (correlation distance, Pearson), layer chosen on held-out images",
    )
]
