"""The stream interaction of a pathway analysis: do two pathways swap ranks between the brain's streams?

A pathway that matches every area better than the other is not specialised; specialisation is a
double dissociation. For pathways A and B and the two streams a dataset declares (mouse visual
cortex: ventral and dorsal, Wang, Sporns & Burkhalter 2012), with d_r = A − B on region r:

    interaction = mean over stream-1 areas of d  −  mean over stream-2 areas of d

(regions of one area, e.g. its cortical layers, are averaged first: each area counts once). It is
positive when A is relatively better in stream 1 and B in stream 2. Every benchmark of a dataset
draws the same stimulus resamples, so the interaction is computed on each resample from the stored
per-resample scores: its interval and p account for the correlation between areas that saw the same
images. Animals differ between areas, so there is no interval over animals. The same normal
approximation as ``compare`` (docs/statistics.md); Holm over the interactions of one analysis.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from ._paired import Z95, format_p, holm, incompatibility, plain_dict, standard_error, stored_resamples, two_sided_p

__all__ = ["StreamInteraction", "stream_interactions"]


@dataclass
class StreamInteraction:
    """(A − B in stream 1) − (A − B in stream 2) on one dataset and metric."""

    family: str  # "<dataset>.<metric>"
    streams: tuple[str, str]
    areas: dict[str, list[str]]  # stream -> areas (each the mean of its regions)
    statistic: str
    in_stream: tuple[float, float]  # mean A − B in each stream
    interaction: float
    se: float
    ci95: tuple[float, float]
    p: float
    n_resamples: int
    p_holm: float | None = None
    source: str = ""  # where the stream assignment comes from

    def as_dict(self) -> dict:
        return plain_dict(self)


def stream_interactions(runs_a: dict[str, dict], runs_b: dict[str, dict], registry) -> list[StreamInteraction]:
    """One interaction per (dataset, metric) whose dataset declares two streams that both have scores
    of both pathways; ``runs_*``: benchmark id -> score entry (with stored resamples)."""
    families = defaultdict(list)
    for benchmark in sorted(set(runs_a) & set(runs_b)):
        dataset, _, metric = _parts(benchmark)
        families[(dataset, metric)].append(benchmark)
    out = []
    for (dataset, metric), benchmarks in families.items():
        plugin = registry.datasets.get(dataset)
        if plugin is None or len(set(plugin.streams.values())) != 2:
            continue
        found = _interaction(f"{dataset}.{metric}", benchmarks, runs_a, runs_b, plugin)
        if found is not None:
            out.append(found)
    for item, p in zip(out, holm([i.p for i in out])):
        item.p_holm = None if not np.isfinite(p) else float(p)
    return out


def _parts(benchmark: str) -> tuple[str, str, str]:
    dataset, rest = benchmark.split(".", 1)
    region, _, metric = rest.rpartition(".")
    return dataset, region, metric


def _interaction(family: str, benchmarks: list[str], runs_a: dict, runs_b: dict, plugin) -> StreamInteraction | None:
    streams = tuple(dict.fromkeys(plugin.streams.values()))
    usable = [b for b in benchmarks if _parts(b)[1] in plugin.streams and incompatibility(runs_a[b], runs_b[b]) is None]
    draws = {(e["bootstrap"]["statistic"], e["bootstrap"]["stimuli"]["seed"], e["bootstrap"]["stimuli"]["n"], e.get("n_stimuli")) for e in (runs_a[b] for b in usable)}
    if len(draws) != 1:
        return None  # no benchmark in the streams, or resamples that are not the same draws of one statistic
    areas = {stream: defaultdict(list) for stream in streams}
    for b in usable:
        region = _parts(b)[1]
        areas[plugin.streams[region]][plugin.region_groups.get(region, region)].append(b)
    if any(not areas[s] for s in streams):
        return None
    statistic = runs_a[usable[0]]["bootstrap"]["statistic"]
    point = [_stream_mean(areas[s], lambda b: float(runs_a[b][statistic]) - float(runs_b[b][statistic])) for s in streams]
    samples = [_stream_mean(areas[s], lambda b: stored_resamples(runs_a[b]) - stored_resamples(runs_b[b])) for s in streams]
    diff = samples[0] - samples[1]
    value = point[0] - point[1]
    se = standard_error(diff)
    return StreamInteraction(
        family=family, streams=streams, areas={s: sorted(areas[s]) for s in streams}, statistic=statistic,
        in_stream=(point[0], point[1]), interaction=value, se=se, ci95=(value - Z95 * se, value + Z95 * se),
        p=two_sided_p(value, se), n_resamples=int(np.isfinite(diff).sum()), source=plugin.streams_source,
    )


def _stream_mean(areas: dict[str, list[str]], value):
    """Mean over areas of (mean over each area's regions of ``value(benchmark)``)."""
    return sum(sum(value(b) for b in members) / len(members) for members in areas.values()) / len(areas)


def format_interactions(items: list[StreamInteraction], contrast: tuple[str, str]) -> str:
    from ..table import format_table

    a, b = contrast
    rows = [("dataset.metric", f"{a} - {b}: streams", "mean in each", "interaction", "95% CI (stimuli)", "p", "p Holm", "areas")]
    for i in items:
        rows.append((
            i.family, f"{i.streams[0]} vs {i.streams[1]}", f"{i.in_stream[0]:+.3f} vs {i.in_stream[1]:+.3f}", f"{i.interaction:+.3f}",
            f"[{i.ci95[0]:+.3f}, {i.ci95[1]:+.3f}]", format_p(i.p), format_p(i.p_holm), "; ".join(f"{s}: {', '.join(i.areas[s])}" for s in i.streams),
        ))
    return format_table(rows)
