"""Cross-validated ridge regression from a layer's features to each neuroid's trial-averaged response.

Per split: ridge in kernel form fitted on the training stimuli, regularisation chosen per neuroid by
exact leave-one-out on the training stimuli only (brainbench.ridge); Pearson r per neuroid between
predicted and observed responses on the test stimuli. When the splits' test sets partition the
stimuli (K-fold), the out-of-fold predictions are pooled and r is computed once over all stimuli;
otherwise r is computed per split and averaged. Ceiling: sqrt of the Spearman–Brown split-half
reliability (brainbench.ceiling), the r a perfect model of the mean response would reach.
"""
from __future__ import annotations

import numpy as np

from brainbench.ceiling import ColumnMoments, SplitHalves, _normalised_rows, column_moments, pearson_ceiling, pearson_columns, pearson_columns_many
from brainbench.metric import Metric, split_rows
from brainbench.registry import MetricPlugin
from brainbench.ridge import RELATIVE_ALPHAS, gram_matrix, ridge_predict_split


def _r_squared(pred: np.ndarray, obs: np.ndarray, weights=None) -> np.ndarray:
    w = np.ones(len(obs)) if weights is None else np.asarray(weights, dtype=float)
    w = w[:, None] / w.sum()
    resid = ((obs - pred) ** 2 * w).sum(axis=0)
    total = ((obs - (obs * w).sum(axis=0)) ** 2 * w).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, 1 - resid / np.where(total > 0, total, 1), np.nan)


def _r_squared_many(pred: np.ndarray, obs: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``_r_squared(pred, obs, row)`` for every row of ``counts``: (resamples, columns)."""
    w = _normalised_rows(counts)
    shift = np.asarray(obs, dtype=np.float64).mean(axis=0)  # one shift of both sides: R² unchanged, better conditioned
    obs = np.asarray(obs, dtype=np.float64) - shift
    pred = np.asarray(pred, dtype=np.float64) - shift
    resid = w @ ((obs - pred) ** 2)
    total = w @ (obs * obs) - (w @ obs) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, 1 - resid / np.where(total > 0, total, 1), np.nan)


def _groups(outputs) -> list[tuple[np.ndarray, np.ndarray]]:
    """(test stimuli, predictions) to score, each group scored alone and the groups averaged by the
    caller: consecutive splits with disjoint test sets are pooled (K-fold: out-of-fold predictions over
    all stimuli, one group per repeated assignment); a split whose test set overlaps the running pool's
    starts a new group (random splits: one group each)."""
    groups, seen = [], set()
    for output in outputs:
        test = np.asarray(output["test"])
        if not groups or seen.intersection(test.tolist()):
            groups.append([])
            seen = set()
        groups[-1].append(output)
        seen.update(test.tolist())
    return [(np.concatenate([o["test"] for o in g]), np.concatenate([o["prediction"] for o in g])) for g in groups]


class RidgeMetric(Metric):
    name = "ridge"
    version = "1"
    primary = "pearson_r"
    per_neuroid = True
    ceiling_kind = "r"

    def __init__(self, relative_alphas=RELATIVE_ALPHAS, device: str = "cpu", ceiling_splits: int = 20, ceiling_seed: int = 0, primary: str = "pearson_r"):
        if primary not in ("pearson_r", "r2"):
            raise ValueError(f"ridge: primary score must be 'pearson_r' or 'r2', got {primary!r}")
        self.primary = primary
        self.relative_alphas = np.asarray(relative_alphas, dtype=float)
        self.device = device
        self.ceiling_splits, self.ceiling_seed = ceiling_splits, ceiling_seed
        self.target_batch = None  # set by the memory preflight; changes memory, never the numbers

    def config(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "primary": self.primary,
            "solver": "kernel ridge, per-target alpha by exact LOO on training stimuli",
            "relative_alphas": [float(a) for a in self.relative_alphas],
            "alpha_scale": "mean eigenvalue of the centred training Gram matrix",
            "ceiling": f"sqrt(Spearman-Brown split-half reliability), {self.ceiling_splits} splits, seed {self.ceiling_seed}",
        }

    def prepare(self, features):
        return gram_matrix(features, device=self.device)

    def prepare_target(self, recording):
        """The trial average, once, in float64 and C order: every fit and every Pearson r reads it so
        (the same values: float32 widens exactly). Converting the float32 average at each of a
        re-score's 165 fits and reading its rows took 0.03 s of a re-score."""
        return np.ascontiguousarray(super().prepare_target(recording), dtype=np.float64)

    def evaluate(self, prepared, responses, train, test):
        return self.evaluate_many(prepared, responses, train, [test])[0]

    def evaluate_many(self, prepared, responses, train, tests):
        """One fit on ``train`` (the same alphas), predictions for every test set: a test row's
        prediction does not depend on the other test rows."""
        prediction, alphas = ridge_predict_split(prepared, responses, train, np.concatenate(tests), self.relative_alphas, self.device, self.target_batch)
        return [{"test": np.asarray(t), "prediction": p, "alpha": alphas} for t, p in zip(tests, split_rows(prediction, tests))]

    def summarize(self, outputs, responses, counts=None):
        r, r2 = [], []
        for test, prediction in _groups(outputs):
            weights = None if counts is None else counts[test]
            r.append(pearson_columns(prediction, responses[test], weights))
            r2.append(_r_squared(prediction, responses[test], weights))
        return {"pearson_r": np.mean(r, axis=0), "r2": np.mean(r2, axis=0)}

    def summarize_many(self, outputs, responses, counts):
        score = pearson_columns_many if self.primary == "pearson_r" else _r_squared_many
        groups = _groups(outputs)
        values = [score(prediction, responses[test], counts[:, test]) for test, prediction in groups]
        return {self.primary: np.mean(values, axis=0)}

    def summarize_many_layers(self, outputs_by_layer, responses, counts):
        """As the default, with the recording's side of every Pearson r (its weighted moments on each
        resample) computed once for all layers whose test stimuli come in the same order."""
        if self.primary != "pearson_r":
            yield from super().summarize_many_layers(outputs_by_layer, responses, counts)
            return
        shared: dict[bytes, ColumnMoments] = {}
        for outputs in outputs_by_layer:
            values = []
            for test, prediction in _groups(outputs):
                key = np.asarray(test).tobytes()
                if key not in shared:
                    shared[key] = column_moments(responses[test], counts[:, test])
                values.append(pearson_columns_many(prediction, None, None, shared[key]))
            yield np.mean(values, axis=0)

    def prepare_ceiling(self, trials):
        return SplitHalves(trials, self.ceiling_splits, self.ceiling_seed)

    def ceiling(self, ceiling_data, counts=None):
        if ceiling_data is None or ceiling_data.n_repetitions < 2:
            return None
        return self._ceiling_of(ceiling_data.reliability(counts))

    def ceiling_many(self, ceiling_data, counts):
        if ceiling_data is None or ceiling_data.n_repetitions < 2:
            return None
        return self._ceiling_of(ceiling_data.reliability_many(counts))

    def _ceiling_of(self, reliability):
        # r of a perfect model is at most sqrt(reliability); its R² at most the reliability itself
        return pearson_ceiling(reliability) if self.primary == "pearson_r" else reliability


PLUGINS = [
    MetricPlugin(
        name="ridge",
        factory=RidgeMetric,
        applies_to=("trials", "components"),
        description="cross-validated ridge regression, Pearson r per neuroid (alpha by LOO on training stimuli)",
    )
]
