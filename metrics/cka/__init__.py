"""Centred kernel alignment (linear, debiased): how similar the layer's and the population's geometry is.

Linear CKA (Kornblith et al. 2019) between a layer's features X and the recorded units Y over the
same stimuli is HSIC(K, L) / sqrt(HSIC(K, K) HSIC(L, L)) with K = X Xᵀ, L = Y Yᵀ. The debiased form
(Song et al. 2012; Nguyen et al. 2021) uses the unbiased HSIC estimator (U-centred Gram matrices), so
it does not drift upwards when features outnumber stimuli. Invariant to rotations and to isotropic
scaling of either side, not to arbitrary linear maps (unlike regression).

No fitting: the layer's Gram matrix over all stimuli is computed once; a split's score is the CKA of
the two Gram matrices restricted to its test stimuli. Layer selection, ceiling (split-half CKA of the
repeats, Spearman–Brown, square root), subject bootstrap: as for RSA (metrics/rsa).

Bootstrap over stimuli: a stimulus drawn twice appears twice; pairs of two copies of the same
stimulus are excluded like the diagonal (as rsatoolbox excludes them from bootstrapped RDMs), because
they would carry each side's noise-inflated self-similarity into the cross terms.
"""
from __future__ import annotations

import numpy as np

from brainbench.ceiling import pearson_ceiling, spearman_brown
from brainbench.errors import BrainbenchError
from brainbench.metric import Metric
from brainbench.metrics.rsa.population import SubjectPooled, finite_units, nanmean_repeats, per_subject, split_half_orders, stimulus_weights
from brainbench.registry import MetricPlugin
from brainbench.ridge import gram_matrix


def u_centre(gram: np.ndarray, same: np.ndarray | None = None) -> np.ndarray:
    """U-centring (Székely & Rizzo 2014) of a Gram matrix; ``same`` marks extra pairs treated as diagonal."""
    g = np.array(gram, dtype=np.float64)
    n = g.shape[0]
    excluded = np.eye(n, dtype=bool) if same is None else (same | np.eye(n, dtype=bool))
    g[excluded] = 0.0
    means = g.sum(axis=0) / (n - 2)
    means -= means.sum() / (2 * (n - 1))
    g -= means[:, None]
    g -= means[None, :]
    g[excluded] = 0.0
    return g


def cka_debiased(k: np.ndarray, l: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Debiased linear CKA of two (n, n) Gram matrices over the stimuli with weight > 0.

    Integer weights (bootstrap multiplicities) replicate stimuli; copies of one stimulus are not paired.
    """
    n = k.shape[0]
    idx = np.arange(n) if weights is None else np.repeat(np.arange(n), np.rint(np.asarray(weights)).astype(np.int64))
    if len(idx) < 4:
        return np.nan
    same = None if weights is None or np.all(np.asarray(weights) <= 1) else idx[:, None] == idx[None, :]
    kc = u_centre(k[np.ix_(idx, idx)], same)
    lc = u_centre(l[np.ix_(idx, idx)], same)
    hsic_kl, hsic_kk, hsic_ll = (kc * lc).sum(), (kc * kc).sum(), (lc * lc).sum()
    denom = np.sqrt(hsic_kk * hsic_ll)
    return float(hsic_kl / denom) if denom > 1e-300 and hsic_kk > 0 and hsic_ll > 0 else np.nan


def _gram_stats(trials: np.ndarray) -> dict:
    mean = nanmean_repeats(trials)
    mean = mean[:, finite_units(mean)]
    mean = mean - mean.mean(axis=0)  # U-centring ignores per-unit offsets; centring keeps precision
    return {"gram": mean @ mean.T}


def _sum_gram(s: dict) -> np.ndarray:
    return s["gram"]


class CKAMetric(Metric):
    name = "cka"
    version = "1"
    primary = "cka"
    per_neuroid = False
    ceiling_kind = "r"
    ceiling_from_recording = True

    def __init__(self, ceiling_splits: int = 20, ceiling_seed: int = 0, device: str = "cpu"):
        self.ceiling_splits, self.ceiling_seed, self.device = ceiling_splits, ceiling_seed, device

    def config(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "kernel": "linear",
            "estimator": "debiased (unbiased HSIC, U-centred Gram matrices)",
            "ceiling": f"sqrt(Spearman-Brown split-half CKA of the repeats), {self.ceiling_splits} splits, seed {self.ceiling_seed}",
        }

    def prepare(self, features):
        return gram_matrix(features, device=self.device)

    def prepare_target(self, recording):
        if "neuroid" not in recording.dims:
            raise BrainbenchError("cka needs unit responses (a 'trials' recording); this recording is not one")
        return SubjectPooled(per_subject(recording, _gram_stats), _sum_gram, n_repetitions=recording.sizes["repetition"])

    def prepare_ceiling(self, recording):
        n_rep = recording.sizes["repetition"]
        if n_rep < 2:
            return SubjectPooled({"gram": np.zeros((1,))}, _sum_gram, n_repetitions=1)
        halves = split_half_orders(n_rep, self.ceiling_splits, self.ceiling_seed)

        def compute(trials):
            return {"gram": np.stack([np.stack([_gram_stats(trials[h])["gram"] for h in pair]) for pair in halves])}

        return SubjectPooled(per_subject(recording, compute), _sum_gram, n_repetitions=n_rep)

    def reweight(self, pooled, subject_weights):
        return pooled.reweighted(subject_weights)

    def evaluate(self, prepared, responses, train, test):
        return {"test": np.asarray(test), "gram": prepared}

    def summarize(self, outputs, responses, counts=None):
        recorded = responses.value
        values = [cka_debiased(o["gram"], recorded, stimulus_weights(o["test"], len(recorded), counts)) for o in outputs]
        return {"cka": np.array([np.mean(values)])}

    def ceiling(self, ceiling_data, counts=None):
        if ceiling_data is None or not ceiling_data.n_repetitions or ceiling_data.n_repetitions < 2:
            return None
        halves = ceiling_data.value
        r = np.mean([cka_debiased(h[0], h[1], counts) for h in halves])
        return np.atleast_1d(pearson_ceiling(spearman_brown(r)))


PLUGINS = [
    MetricPlugin(
        name="cka",
        factory=CKAMetric,
        applies_to=("trials",),
        description="linear debiased CKA between layer and population Gram matrices, layer chosen on held-out images",
    )
]
