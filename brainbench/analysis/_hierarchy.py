"""Layer–area correspondence: do a network's stages follow the brain's hierarchy?

For each region with a declared hierarchy position (``DatasetPlugin.hierarchy``), the best layer is
the one with the highest cross-validated score in the benchmark's layer profile (every layer scored
on held-out stimuli), and its relative depth is its position in the network (0 = first candidate
layer, 1 = last; for a model with declared pathways, the position along its own pathway, the shared
stem first). The correspondence is Spearman's rho between the regions' hierarchy positions and the
depths of their best layers:
- its 95% interval comes from the stored stimulus resamples (on resample b every region's best layer
  is re-picked from the same resampled stimuli, so the regions stay jointly resampled);
- its p-value from the exact permutation null (every assignment of the hierarchy positions to the
  regions — to the region groups where a dataset declares them, e.g. all cortical layers of a 2-photon
  area move together; random permutations beyond 8 of them), one-sided: a positive correspondence is
  the hypothesis.
rho is undefined when every region picks a layer of the same depth: the analysis then says so rather
than reporting a number.
"""
from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass

import numpy as np
from scipy.stats import rankdata

from .. import bootstrap
from ..errors import BrainbenchError
from ._results import find_result, model_name, scores_by_benchmark

VERSION = "1"
#: an interval over resamples is reported only when rho is defined on nearly all of them
MAX_UNDEFINED = 0.05
METHOD = (
    "best layer per region = highest cross-validated score in the layer profile; relative depth in [0, 1] "
    "along the network (along its own pathway for models with declared pathways); Spearman rho between "
    "hierarchy position and best-layer depth; 95% interval over the stored stimulus resamples (best layers "
    "re-picked on each); one-sided exact permutation p over assignments of positions to regions (to region groups, "
    "e.g. the layers of one area, where the dataset declares them)"
)


@dataclass
class HierarchyResult:
    model: str
    dataset: str
    metric: str
    regions: list[str]
    positions: dict[str, float]
    best_layer: dict[str, str]
    depth: dict[str, float]
    depth_ci95: dict[str, list | None]
    rho: float | None
    rho_ci95: list | None
    p_permutation: float | None
    n_permutations: int
    undefined_fraction: float
    hierarchy_source: str
    note: str
    method: str = METHOD
    version: str = VERSION

    def as_dict(self) -> dict:
        return asdict(self)


def layer_depths(layer_order: list[str], card: dict | None = None) -> dict[str, float]:
    """Relative depth in [0, 1] of each candidate layer; along its pathway when the card declares them."""
    card = card or {}
    depths = _by_index(layer_order)
    shared = [layer for layer in card.get("shared_layers") or [] if layer in layer_order]
    for layers in (card.get("pathways") or {}).values():
        depths.update(_by_index(shared + [layer for layer in layers if layer in layer_order]))
    return depths


def _by_index(layers: list[str]) -> dict[str, float]:
    return {layer: i / max(len(layers) - 1, 1) for i, layer in enumerate(layers)}


def hierarchy(model, dataset: str, metric: str | None = None, registry=None, result_dirs=None) -> HierarchyResult:
    """The correspondence of ``model``'s best layers with ``dataset``'s declared hierarchy."""
    return _correspondence(model, dataset, metric, registry, result_dirs)[0]


def _correspondence(model, dataset: str, metric: str | None, registry, result_dirs) -> tuple[HierarchyResult, np.ndarray, dict]:
    """The result, rho on every stored stimulus resample, and the score entries it came from (by region)."""
    from ..registry import default_registry

    plugin = (registry or default_registry()).dataset(dataset)
    metric = metric or plugin.default_metric
    result = find_result(model, result_dirs)
    scores = scores_by_benchmark(result)
    regions = [r for r in sorted(plugin.hierarchy, key=plugin.hierarchy.get) if f"{dataset}.{r}.{metric}" in scores]
    _check_regions(plugin, regions, dataset, metric, model_name(result))
    entries = [scores[f"{dataset}.{r}.{metric}"] for r in regions]
    depths = layer_depths(entries[0]["layer_order"], result.get("model", {}).get("card"))
    positions = np.array([plugin.hierarchy[r] for r in regions], dtype=float)
    point = np.array([depths[_best_layer(e)] for e in entries])
    resampled = np.stack([[depths[e["layer_order"][i]] for i in _best_layer_samples(e)] for e in entries])  # (region, resample)
    rho_samples = spearman_columns(positions, resampled)
    undefined = float(np.mean(~np.isfinite(rho_samples))) if rho_samples.size else 1.0
    rho = spearman_columns(positions, point[:, None])[0]
    groups = _position_groups(plugin, regions)
    p, n_perm = permutation_p(positions, point, rho, groups)
    found = HierarchyResult(
        model=model_name(result), dataset=dataset, metric=metric, regions=regions,
        positions={r: float(x) for r, x in zip(regions, positions)},
        best_layer={r: _best_layer(e) for r, e in zip(regions, entries)},
        depth={r: float(d) for r, d in zip(regions, point)},
        depth_ci95={r: bootstrap.interval(row, discrete=True) for r, row in zip(regions, resampled)},
        rho=_finite(rho), rho_ci95=bootstrap.interval(rho_samples) if undefined <= MAX_UNDEFINED else None,
        p_permutation=p, n_permutations=n_perm, undefined_fraction=undefined,
        hierarchy_source=plugin.hierarchy_source, note=_note(rho, undefined),
    )
    return found, rho_samples, dict(zip(regions, entries))


def _check_regions(plugin, regions, dataset, metric, model) -> None:
    if not plugin.hierarchy:
        raise BrainbenchError(f"dataset {dataset!r} declares no hierarchy of its regions; nothing to correlate with")
    if len(regions) < 3 or len({plugin.hierarchy[r] for r in regions}) < 2:
        raise BrainbenchError(
            f"{model} has scores on {len(regions)} of the {len(plugin.hierarchy)} hierarchy regions of {dataset} ({metric}); "
            f"at least 3 regions at 2 or more levels are needed. Score them: brainbench score --model {model} --benchmark {dataset}.<region>.{metric}"
        )


def _best_layer(entry: dict) -> str:
    """Highest cross-validated profile score; NaN never wins; ties go to the earliest layer."""
    order = entry["layer_order"]
    values = np.array([_nan(entry["layer_profile"][layer].get("raw")) for layer in order])
    return order[int(np.where(np.isfinite(values), values, -np.inf).argmax())]


def _best_layer_samples(entry: dict) -> np.ndarray:
    stored = (entry.get("bootstrap") or {}).get("stimuli") or {}
    if "best_layer" not in stored:
        raise BrainbenchError(f"{entry['benchmark']}: no stored best-layer resamples (scored by an older brainbench); re-score to analyse the hierarchy")
    return bootstrap.decode_index(stored["best_layer"])


def spearman_columns(x: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Spearman rho (average ranks for ties) of x with every column; NaN where a column is constant."""
    rx = rankdata(x)
    rx = rx - rx.mean()
    ry = rankdata(columns, axis=0)
    ry = ry - ry.mean(axis=0)
    denom = np.sqrt((rx @ rx) * (ry * ry).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 0, (rx @ ry) / np.where(denom > 0, denom, 1), np.nan)


def permutation_p(positions: np.ndarray, depths: np.ndarray, rho: float, groups: list | None = None,
                  max_exact: int = 8, n_random: int = 20000) -> tuple[float | None, int]:
    """One-sided p: how often an assignment of the positions to the units that carry them correlates at
    least as well. The units are the regions, or their ``groups`` (e.g. the cortical layers of one area,
    which share the area's position and are moved together: they are not independent draws)."""
    if not np.isfinite(rho):
        return None, 0
    groups = list(range(len(positions))) if groups is None else list(groups)
    names = list(dict.fromkeys(groups))
    of_region = np.array([names.index(g) for g in groups])
    group_positions = np.array([positions[groups.index(g)] for g in names], dtype=float)
    if len(names) <= max_exact:
        perms = np.array(list(itertools.permutations(group_positions)))
    else:
        perms = np.random.default_rng(0).permuted(np.tile(group_positions, (n_random, 1)), axis=1)
    null = spearman_columns(depths, perms[:, of_region].T)  # symmetric in its two arguments
    return float(np.mean(null >= rho - 1e-12)), len(perms)


def _position_groups(plugin, regions: list[str]) -> list[str] | None:
    """The dataset's region groups when every group's regions share one hierarchy position (the unit
    the permutation moves), else None (each region its own unit)."""
    groups = [plugin.region_groups.get(r, r) for r in regions]
    positions = {}
    for region, group in zip(regions, groups):
        if positions.setdefault(group, plugin.hierarchy[region]) != plugin.hierarchy[region]:
            return None
    return groups


def _note(rho: float, undefined: float) -> str:
    notes = []
    if not np.isfinite(rho):
        notes.append("every region's best layer has the same depth: no correspondence can be read from the best layers")
    if undefined > MAX_UNDEFINED:
        notes.append(f"rho is undefined on {undefined:.0%} of the resamples (all regions pick layers of one depth), so no interval is given")
    return "; ".join(notes)


def _nan(x) -> float:
    return float("nan") if x is None else float(x)


def _finite(x) -> float | None:
    return float(x) if x is not None and np.isfinite(x) else None
