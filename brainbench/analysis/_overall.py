"""One defined overall score per modality, with an interval, and a ranking that marks ties.

Definition (version 1; docs/statistics.md):
1. Only each dataset's default benchmarks count (its default metric), and only regions that are not
   summaries of others (``DatasetPlugin.derived_regions``, e.g. NH2015 ``all``).
2. Within a dataset: regions of one group (``DatasetPlugin.region_groups``, e.g. the cortical layers
   of one 2-photon area) are averaged first; the dataset's score is the mean over its groups.
3. Across datasets: the mean over the datasets of the modality whose score is ceiled. A dataset
   without a noise ceiling (raw scores) is never averaged with ceiled ones: it is reported beside
   the overall score as its own column.
4. A dataset score needs every one of its regions: a missing or failed region leaves it undefined,
   never counted as zero; so does the overall score when one of its datasets is undefined (a model
   scored on one dataset only has no overall score, not one over fewer datasets).
5. The 95% interval applies the same means to every stored stimulus resample (datasets are resampled
   independently, the regions of one dataset jointly), percentile interval.
Vision and audio are never mixed.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .. import bootstrap
from ._paired import holm, standard_error, stored_resamples, two_sided_p
from ._results import model_name, scores_by_benchmark

VERSION = "1"
DEFINITION = (
    "hierarchical mean of the default benchmarks: regions of a group (the layers of one 2-photon area) "
    "averaged first, then the groups of a dataset, then the datasets whose scores are ceiled; datasets "
    "without a ceiling are reported separately (raw), never averaged with ceiled ones; a dataset missing "
    "a region is undefined (never zero); 95% interval from the same means over the stored stimulus "
    "resamples"
)


@dataclass
class DatasetScore:
    dataset: str
    statistic: str  # "ceiled" | "raw"
    value: float | None
    ci95: list | None
    n_regions: int
    missing: list[str] = field(default_factory=list)
    samples: np.ndarray | None = field(default=None, repr=False)

    def as_dict(self) -> dict:
        out = asdict(self)
        out.pop("samples")
        return out


@dataclass
class OverallScore:
    model: str
    modality: str
    value: float | None  # mean over the ceiled datasets
    ci95: list | None
    datasets: dict[str, DatasetScore]
    samples: np.ndarray | None = field(default=None, repr=False)
    definition: str = DEFINITION
    version: str = VERSION

    def as_dict(self) -> dict:
        return {
            "model": self.model, "modality": self.modality, "value": self.value, "ci95": self.ci95,
            "datasets": {k: v.as_dict() for k, v in self.datasets.items()}, "definition": self.definition, "version": self.version,
        }


def overall_score(result: dict, registry=None) -> OverallScore:
    """The overall score of one result (a result document) in its model's modality."""
    from ..registry import default_registry

    registry = registry or default_registry()
    modality = result.get("model", {}).get("modality")
    scores = scores_by_benchmark(result)
    datasets = {d.name: _dataset_score(d, scores) for d in registry.datasets.values() if d.modality == modality}
    ceiled = [d for d in datasets.values() if d.statistic == "ceiled"]
    value, samples = _mean_of(ceiled)
    return OverallScore(model_name(result), modality, value, bootstrap.interval(samples) if samples is not None else None, datasets, samples)


def _dataset_score(plugin, scores: dict) -> DatasetScore:
    regions = [r for r in plugin.regions if r not in plugin.derived_regions]
    entries = {r: scores.get(f"{plugin.name}.{r}.{plugin.default_metric}") for r in regions}
    present = {r: e for r, e in entries.items() if e is not None and _statistic_value(e) is not None}
    missing = [r for r in regions if r not in present]
    statistic = _statistic(next(iter(present.values()))) if present else "ceiled"
    if missing or not present:
        return DatasetScore(plugin.name, statistic, None, None, len(present), missing)
    groups: dict[str, list[str]] = {}
    for r in regions:
        groups.setdefault(plugin.region_groups.get(r, r), []).append(r)
    value = float(np.mean([np.mean([_statistic_value(present[r]) for r in members]) for members in groups.values()]))
    samples = _group_mean_samples(groups, present)
    return DatasetScore(plugin.name, statistic, value, bootstrap.interval(samples) if samples is not None else None, len(present), [], samples)


def _statistic(entry: dict) -> str:
    return (entry.get("bootstrap") or {}).get("statistic") or ("ceiled" if entry.get("ceiled") is not None else "raw")


def _statistic_value(entry: dict) -> float | None:
    value = entry.get(_statistic(entry))
    return float(value) if value is not None and np.isfinite(value) else None


def _group_mean_samples(groups: dict, present: dict) -> np.ndarray | None:
    try:
        stacked = {r: stored_resamples(e) for r, e in present.items()}
    except (KeyError, TypeError):
        return None  # scored before resamples were stored: a value without an interval
    if len({s.shape for s in stacked.values()}) != 1:
        return None
    return np.mean([np.mean([stacked[r] for r in members], axis=0) for members in groups.values()], axis=0)


def _mean_of(datasets: list[DatasetScore]) -> tuple[float | None, np.ndarray | None]:
    if not datasets or any(d.value is None for d in datasets):
        return None, None
    value = float(np.mean([d.value for d in datasets]))
    if any(d.samples is None for d in datasets) or len({d.samples.shape for d in datasets}) != 1:
        return value, None
    return value, np.mean([d.samples for d in datasets], axis=0)


def rank(overalls: list[OverallScore], key=None, alpha: float = 0.05) -> list[dict]:
    """Models ranked by a score (default: the overall score), best first, each marked ``tied_with_next``
    when a paired test over the shared resamples does not separate it from the next model (Holm over
    the adjacent pairs). Models without the score come last, unranked."""
    key = key or (lambda o: (o.value, o.samples))
    scored = sorted((o for o in overalls if key(o)[0] is not None), key=lambda o: -key(o)[0])
    tests = [_adjacent_test(key(a), key(b)) for a, b in zip(scored, scored[1:])]
    adjusted = holm([t["p"] if t else np.nan for t in tests])
    rows = []
    for i, o in enumerate(scored):
        test = tests[i] if i < len(tests) else None
        p_holm = float(adjusted[i]) if test and np.isfinite(adjusted[i]) else None
        rows.append({
            "model": o.model, "rank": i + 1, "value": key(o)[0],
            "difference_to_next": test["difference"] if test else None, "p_holm_to_next": p_holm,
            "tied_with_next": None if test is None or p_holm is None else bool(p_holm >= alpha),
        })
    rows += [{"model": o.model, "rank": None, "value": None, "difference_to_next": None, "p_holm_to_next": None, "tied_with_next": None}
             for o in overalls if key(o)[0] is None]
    return rows


def _adjacent_test(a, b) -> dict | None:
    (value_a, samples_a), (value_b, samples_b) = a, b
    if samples_a is None or samples_b is None or samples_a.shape != samples_b.shape:
        return None
    diff = samples_a - samples_b
    diff = diff[np.isfinite(diff)]
    if diff.size < 2:
        return None
    d = value_a - value_b
    return {"difference": d, "p": two_sided_p(d, standard_error(diff))}


def rank_modality(results: list[dict], modality: str, registry=None, alpha: float = 0.05) -> dict:
    """The leaderboard of one modality: by the overall (ceiled) score where the modality has a ceiled
    dataset, else by its raw dataset score (e.g. NH2015 R²), which is then said in ``by``."""
    from ..registry import default_registry

    registry = registry or default_registry()
    overalls = [overall_score(r, registry) for r in results if r.get("model", {}).get("modality") == modality]
    by, by_dataset, key = "overall", None, None
    if overalls and all(o.value is None for o in overalls):
        raw = sorted({name for o in overalls for name, d in o.datasets.items() if d.statistic == "raw" and d.n_regions})
        if raw:
            by, by_dataset = f"{raw[0]} (raw: this dataset has no noise ceiling)", raw[0]
            key = lambda o, name=raw[0]: (o.datasets[name].value, o.datasets[name].samples) if name in o.datasets else (None, None)  # noqa: E731
    return {
        "modality": modality, "by": by, "by_dataset": by_dataset, "alpha": alpha, "definition": DEFINITION, "version": VERSION,
        "rows": rank(overalls, key, alpha), "scores": {o.model: o for o in overalls},
    }
