"""How well a benchmark separates models: over every pair of models scored on it, how many differ at
the stated level (paired bootstrap test, Holm over the pairs), and the spread of the scores relative
to the width of their intervals (a benchmark whose models all sit inside each other's intervals
ranks noise)."""
from __future__ import annotations

from collections import Counter

import numpy as np

from ._paired import holm, stored_resamples
from ._results import model_name, scores_by_benchmark
from scipy.stats import norm

VERSION = "1"
METHOD = (
    "every pair of models with stored resamples: paired bootstrap test of their difference over stimuli "
    "(normal approximation, as in compare), Holm over the pairs; spread = standard deviation of the "
    "models' scores divided by the median half-width of their 95% stimulus intervals"
)


def discriminability(results: list[dict], benchmark: str, alpha: float = 0.05) -> dict:
    entries = _comparable(results, benchmark)
    out = {"benchmark": benchmark, "n_models": len(entries), "alpha": alpha, "method": METHOD, "version": VERSION}
    if len(entries) < 2:
        return {**out, "n_pairs": 0, "n_separated": 0, "fraction_separated": None, "spread_over_ci": None}
    statistic = entries[0][1]["bootstrap"]["statistic"]
    values = np.array([float(e[statistic]) for _, e in entries])
    samples = np.stack([stored_resamples(e) for _, e in entries])
    samples = samples[:, np.isfinite(samples).all(axis=0)]
    if samples.shape[1] < 2:
        return {**out, "statistic": statistic, "n_pairs": 0, "n_separated": 0, "fraction_separated": None, "spread_over_ci": None,
                "note": "fewer than two resamples are finite for every model: no test is possible"}
    p = _pair_p_values(values, samples)
    separated = holm(p) < alpha
    half_width = float(np.median((np.percentile(samples, 97.5, axis=1) - np.percentile(samples, 2.5, axis=1)) / 2))
    spread = float(np.std(values, ddof=1))
    return {
        **out, "statistic": statistic, "n_pairs": int(p.size), "n_separated": int(separated.sum()),
        "fraction_separated": float(separated.mean()), "score_sd": spread, "median_ci_half_width": half_width,
        "spread_over_ci": spread / half_width if half_width > 0 else None,
    }


def _comparable(results: list[dict], benchmark: str) -> list[tuple[str, dict]]:
    """The models whose entries can all be paired: those sharing the most common (version, statistic,
    resample seed and count); a model scored under another version is left out, not the others."""
    entries = [(model_name(r), scores_by_benchmark(r).get(benchmark)) for r in results]
    entries = [(m, e) for m, e in entries if e and e.get("bootstrap") and e.get(e["bootstrap"].get("statistic")) is not None
               and (e["bootstrap"].get("stimuli") or {}).get("samples")]
    if not entries:
        return []
    signatures = Counter(_signature(e) for _, e in entries)
    common = signatures.most_common(1)[0][0]
    return [(m, e) for m, e in entries if _signature(e) == common]


def _signature(entry: dict) -> tuple:
    boot = entry["bootstrap"]
    return (entry.get("version"), boot.get("statistic"), boot["stimuli"].get("seed"), boot["stimuli"].get("n"))


def _pair_p_values(values: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """Two-sided paired p for every pair i < j, from the covariance of the resamples (vectorised)."""
    cov = np.cov(samples)
    var = np.diag(cov)
    i, j = np.triu_indices(len(values), 1)
    se = np.sqrt(np.clip(var[i] + var[j] - 2 * cov[i, j], 0, None))
    d = np.abs(values[i] - values[j])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(se > 0, 2 * norm.sf(d / np.where(se > 0, se, 1)), np.where(d > 0, 0.0, 1.0))
