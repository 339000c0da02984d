"""Paired differences of two models on one benchmark, from their stored bootstrap resamples.

Resample b of model A and resample b of model B drew the same stimuli (or the same animals): the
benchmark's protocol fixes the draws (brainbench.bootstrap). So the per-resample differences are the
bootstrap distribution of the difference, with the layer each model reported held fixed and the
ceiling recomputed on every resample (it cancels in neither the ratio nor the difference).

The test (documented in docs/statistics.md):
- d = A − B, the difference of the point estimates of the stored statistic (ceiled, or raw where the
  benchmark has no ceiling);
- se = standard deviation of the per-resample differences (ddof 1, finite pairs only);
- 95% interval d ± 1.96 se, two-sided p = 2 (1 − Φ(|d| / se)) — a normal approximation, so p is not
  limited to multiples of 1/n_resamples and can pass a multiple-comparison correction;
- Holm's step-down correction over the benchmarks of one comparison, for each source separately.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.stats import norm

from .. import bootstrap

Z95 = float(norm.ppf(0.975))
SOURCES = ("stimuli", "subjects")


@dataclass(frozen=True)
class PairedDifference:
    """A − B on one benchmark for one resampling source."""

    benchmark: str
    source: str  # "stimuli" | "subjects"
    statistic: str  # "ceiled" | "raw"
    a: float
    b: float
    difference: float
    se: float
    ci95: tuple[float, float]
    p: float
    n_resamples: int
    p_holm: float | None = None

    def as_dict(self) -> dict:
        return plain_dict(self)


def plain_dict(record) -> dict:
    """A dataclass as a JSON-ready dict: its tuples as lists."""
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(record).items()}


def stored_resamples(entry: dict, source: str = "stimuli") -> np.ndarray:
    """A score entry's stored per-resample values of its bootstrap statistic (float64)."""
    return bootstrap.decode(entry["bootstrap"][source]["samples"])


def standard_error(samples: np.ndarray) -> float:
    """Standard deviation (ddof 1) of the finite resampled values; NaN with fewer than two."""
    finite = np.asarray(samples)[np.isfinite(samples)]
    return float(np.std(finite, ddof=1)) if finite.size > 1 else float("nan")


def incompatibility(a: dict, b: dict, source: str = "stimuli") -> str | None:
    """Why two score entries cannot be paired on ``source`` (None when they can)."""
    boot_a, boot_b = a.get("bootstrap"), b.get("bootstrap")
    if not boot_a or not boot_b:
        return "no stored resamples (scored before brainbench stored them; re-score to compare)"
    if a.get("version") != b.get("version"):
        return f"different benchmark versions ({a.get('version')} vs {b.get('version')})"
    if boot_a.get("statistic") != boot_b.get("statistic"):
        return f"different statistics ({boot_a.get('statistic')} vs {boot_b.get('statistic')})"
    block_a, block_b = boot_a.get(source), boot_b.get(source)
    if not block_a or not block_b:
        return f"no {source} resamples (this benchmark has fewer than two {source})" if source == "subjects" else "no stimulus resamples"
    if (block_a["seed"], block_a["n"]) != (block_b["seed"], block_b["n"]):
        return "the resamples differ (seed or count), so they cannot be paired"
    return None


def paired_difference(a: dict, b: dict, source: str = "stimuli") -> PairedDifference:
    """A − B on one benchmark; ``a`` and ``b`` are score entries of a result file."""
    reason = incompatibility(a, b, source)
    if reason:
        raise ValueError(f"{a.get('benchmark')}: cannot pair these scores: {reason}")
    statistic = a["bootstrap"]["statistic"]
    samples = stored_resamples(a, source) - stored_resamples(b, source)
    d = float(a[statistic]) - float(b[statistic])
    se = standard_error(samples)
    return PairedDifference(
        benchmark=a["benchmark"], source=source, statistic=statistic, a=float(a[statistic]), b=float(b[statistic]),
        difference=d, se=se, ci95=(d - Z95 * se, d + Z95 * se), p=two_sided_p(d, se), n_resamples=int(np.isfinite(samples).sum()),
    )


def two_sided_p(difference: float, se: float) -> float:
    if not np.isfinite(se) or not np.isfinite(difference):
        return float("nan")
    if se == 0:
        return 1.0 if difference == 0 else 0.0
    return float(2 * norm.sf(abs(difference) / se))


def format_p(p) -> str:
    """A p-value as the analysis tables print it: 4 decimals, "<0.0001" below, "—" when undefined."""
    if p is None or not np.isfinite(p):
        return "—"
    return "<0.0001" if p < 1e-4 else f"{p:.4f}"


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values (NaN stays NaN and does not count towards the family)."""
    p = np.asarray(p_values, dtype=float)
    out = np.full_like(p, np.nan)
    finite = np.flatnonzero(np.isfinite(p))
    order = finite[np.argsort(p[finite], kind="stable")]
    m = len(order)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out
