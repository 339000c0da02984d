"""Is one network's layer–area correspondence stronger than another's? A paired test of Spearman rho.

rho_A − rho_B on one dataset, where each rho is the hierarchy analysis's (brainbench.analysis
._hierarchy): on stimulus resample b both models re-pick every region's best layer from the same
resampled images, so rho_A(b) − rho_B(b) is the bootstrap distribution of the difference. As in
``compare``: d ± 1.96 se, two-sided p from the normal approximation (docs/statistics.md). But rho is
a rank statistic of a few discrete depths, so its resampling distribution is lumpy and skewed; the
percentile interval of the differences is reported too, and the pair counts as separated only when
p < alpha *and* the percentile interval excludes 0. The share of resamples on which A's rho exceeds
B's is given as a plain-language check. The test needs both rhos defined on nearly every resample
and both models scored on the same regions.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..errors import BrainbenchError
from ._hierarchy import MAX_UNDEFINED, _correspondence
from ._paired import Z95, incompatibility, standard_error, two_sided_p

__all__ = ["HierarchyComparison", "compare_hierarchy"]

VERSION = "1"


@dataclass
class HierarchyComparison:
    model_a: str
    model_b: str
    dataset: str
    metric: str
    regions: list[str]
    rho_a: float
    rho_b: float
    difference: float
    se: float
    ci95: list[float]
    ci95_percentile: list[float]
    p: float
    separated: bool
    a_above_b: float  # share of resamples with rho_A > rho_B (ties count half)
    n_resamples: int
    version: str = VERSION

    def as_dict(self) -> dict:
        return asdict(self)


def compare_hierarchy(model_a, model_b, dataset: str, metric: str | None = None, registry=None, result_dirs=None,
                      alpha: float = 0.05) -> HierarchyComparison:
    """rho_A − rho_B on ``dataset`` over the same stimulus resamples (see the module docstring)."""
    a, samples_a, entries_a = _correspondence(model_a, dataset, metric, registry, result_dirs)
    b, samples_b, entries_b = _correspondence(model_b, dataset, metric, registry, result_dirs)
    _check_pairable(a, b, entries_a, entries_b, samples_a, samples_b)
    diff = samples_a - samples_b
    diff = diff[np.isfinite(diff)]
    d = a.rho - b.rho
    se = standard_error(diff)
    above = float(np.mean(diff > 0) + 0.5 * np.mean(diff == 0))
    percentile = [float(x) for x in np.quantile(diff, [alpha / 2, 1 - alpha / 2])]
    p = two_sided_p(d, se)
    return HierarchyComparison(
        model_a=a.model, model_b=b.model, dataset=dataset, metric=a.metric, regions=a.regions, rho_a=a.rho, rho_b=b.rho,
        difference=d, se=se, ci95=[d - Z95 * se, d + Z95 * se], ci95_percentile=percentile, p=p,
        separated=bool(p < alpha and (percentile[0] > 0 or percentile[1] < 0)), a_above_b=above, n_resamples=int(diff.size),
    )


def _check_pairable(a, b, entries_a: dict, entries_b: dict, samples_a: np.ndarray, samples_b: np.ndarray) -> None:
    if a.regions != b.regions:
        raise BrainbenchError(f"{a.model} and {b.model} are scored on different regions of {a.dataset} ({a.regions} vs {b.regions}); "
                              "score both on the same benchmarks to compare their correspondence")
    for region in a.regions:
        why = incompatibility(entries_a[region], entries_b[region])
        if why:
            raise BrainbenchError(f"{a.dataset}.{region}: the two models' resamples cannot be paired: {why}")
    for result, samples in ((a, samples_a), (b, samples_b)):
        undefined = float(np.mean(~np.isfinite(samples)))
        if result.rho is None or undefined > MAX_UNDEFINED:
            raise BrainbenchError(f"{result.model}'s rho on {a.dataset} is undefined "
                                  f"({'on all stimuli' if result.rho is None else f'on {undefined:.0%} of the resamples'}: its regions pick layers of one depth); "
                                  "there is no correspondence to compare")
