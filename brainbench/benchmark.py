"""Benchmarks: a recording + a metric + a ceiling + a protocol, versioned.

Protocol (how stimuli are split and how the reported layer is chosen):
- ``splits``: K-fold (disjoint test sets that cover every stimulus) or repeated random
  train/test splits, all from a fixed seed.
- ``selection="nested"``: in each outer split the layer is chosen by an inner K-fold over that split's
  *training* stimuli only, then scored on its test stimuli; the test stimuli never influence the
  choice. ``selection="held_out_splits"``: the layer is chosen on the first half of the splits and the
  score is reported on the second half (the NH2015 convention).
The per-layer scores over all splits are kept as the layer profile (for plots; never for choosing).

Aggregation: per-neuroid scores -> median over neuroids (or mean, per dataset); ceiling likewise;
ceiled = raw / ceiling. Nothing is clipped: out-of-range values are kept and flagged. 95% intervals
come from bootstrap resampling of stimuli (scores and ceiling recomputed on the same sample, no
refitting) and of subjects (animals/participants).
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from .recording import select_region, trial_average
from .stimuli import StimulusSet


@dataclass(frozen=True)
class Protocol:
    kind: str = "kfold"  # "kfold" | "shuffle"
    n_splits: int = 5
    train_size: int | None = None  # for "shuffle"
    seed: int = 0
    selection: str = "nested"  # "nested" | "held_out_splits"
    inner_splits: int = 4
    n_bootstrap: int = 200
    bootstrap_seed: int = 0

    def splits(self, n: int, seed_offset: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
        rng = np.random.default_rng(self.seed + seed_offset)
        if self.kind == "kfold":
            order = rng.permutation(n)
            folds = np.array_split(order, self.n_splits)
            return [(np.sort(np.concatenate(folds[:i] + folds[i + 1 :])), np.sort(folds[i])) for i in range(self.n_splits)]
        if self.kind == "shuffle":
            train_size = self.train_size or n // 2
            out = []
            for _ in range(self.n_splits):
                order = rng.permutation(n)
                out.append((np.sort(order[:train_size]), np.sort(order[train_size:])))
            return out
        raise ValueError(f"unknown split kind {self.kind!r}")

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Dataset:
    """A loaded dataset: the recording, the stimulus set it was recorded with, and provenance."""

    name: str
    recording: xr.DataArray
    stimuli: StimulusSet
    checksums: dict = field(default_factory=dict)
    card: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)


@dataclass
class Benchmark:
    name: str
    version: str
    dataset: Dataset
    region: str
    metric: object  # brainbench.metric.Metric
    protocol: Protocol
    aggregate: str = "median"

    @property
    def id(self) -> str:
        return f"{self.name}@v{self.version}"

    def region_recording(self) -> xr.DataArray:
        if self.region == "all":
            return self.dataset.recording
        return select_region(self.dataset.recording, self.region)

    def config(self) -> dict:
        return {
            "benchmark": self.name,
            "version": self.version,
            "region": self.region,
            "metric": self.metric.config(),
            "protocol": self.protocol.as_dict(),
            "aggregate": self.aggregate,
            "dataset_checksums": self.dataset.checksums,
        }

    # -- scoring ---------------------------------------------------------------------------------
    def run(self, prepared: dict[str, object], layer_order: list[str], progress=None) -> dict:
        """Score prepared layers (``metric.prepare`` output per layer) against this benchmark."""
        t0 = time.perf_counter()
        recording = self.region_recording()
        responses = trial_average(recording)
        metric = self.metric
        n = responses.shape[0]
        outer = self.protocol.splits(n)
        agg = np.nanmedian if self.aggregate == "median" else np.nanmean

        def primary_of(outputs, counts=None):
            return metric.summarize(outputs, responses, counts)[metric.primary]

        # every layer on every outer split: the layer profile, and the candidates for selection
        outputs = {layer: [metric.evaluate(prepared[layer], responses, tr, te) for tr, te in outer] for layer in layer_order}
        if progress:
            progress(f"{self.name}: evaluated {len(layer_order)} layers x {len(outer)} splits")

        # honest layer selection
        chosen: list[str] = []
        reported: list = []
        if self.protocol.selection == "nested":
            for i, (train, test) in enumerate(outer):
                inner = [(train[a], train[b]) for a, b in self.protocol.splits(len(train), seed_offset=1000 + i)]
                inner_scores = {
                    layer: agg(primary_of([metric.evaluate(prepared[layer], responses, tr, te) for tr, te in inner]))
                    for layer in layer_order
                }
                best = _argmax(inner_scores, layer_order)
                chosen.append(best)
                reported.append(outputs[best][i])
        elif self.protocol.selection == "held_out_splits":
            half = len(outer) // 2
            select_scores = {layer: agg(primary_of(outputs[layer][:half])) for layer in layer_order}
            best = _argmax(select_scores, layer_order)
            chosen = [best]
            reported = outputs[best][half:]
        else:
            raise ValueError(f"unknown selection {self.protocol.selection!r}")

        ceiling_data = metric.prepare_ceiling(recording.values) if metric.ceiling_kind else None
        summary = self._summarize(reported, responses, ceiling_data, recording, agg)
        profile = {}
        ceiling_agg = summary["ceiling"]
        for layer in layer_order:
            score = agg(primary_of(outputs[layer]))
            profile[layer] = {"raw": _f(score), "ceiled": _f(score / ceiling_agg) if ceiling_agg else None}
        flags = []
        if summary["ceiled"] is not None and summary["ceiled"] > 1:
            flags.append("ceiled score above 1: the ceiling underestimates the explainable signal here")
        if summary["raw"] is not None and summary["raw"] < 0:
            flags.append("raw score below 0")
        counts = Counter(chosen)
        return {
            "benchmark": self.name,
            "version": self.version,
            "region": self.region,
            "metric": metric.name,
            "score_name": metric.primary,
            **summary,
            "chosen_layer": counts.most_common(1)[0][0],
            "chosen_layer_per_split": chosen,
            "layer_profile": profile,
            "layer_order": list(layer_order),
            "flags": flags,
            "seconds": time.perf_counter() - t0,
        }

    def _summarize(self, reported, responses, ceiling_data, recording, agg) -> dict:
        metric = self.metric
        scores_all = metric.summarize(reported, responses)
        per_neuroid = scores_all[metric.primary]
        ceiling = metric.ceiling(ceiling_data) if ceiling_data is not None else None
        raw = agg(per_neuroid)
        ceiling_agg = agg(ceiling) if ceiling is not None else None
        out = {
            "raw": _f(raw),
            "ceiling": _f(ceiling_agg),
            "ceiled": _f(raw / ceiling_agg) if ceiling_agg else None,
            "ceiling_note": None if ceiling is not None else "no noise ceiling: this recording has no repeats to estimate one",
            "other_scores": {k: _f(agg(v)) for k, v in scores_all.items() if k != metric.primary},
            "n_neuroids": int(per_neuroid.shape[0]) if metric.per_neuroid else int(recording.sizes["neuroid"]),
            "n_neuroids_scored": int(np.isfinite(per_neuroid).sum()),
            "n_stimuli": int(responses.shape[0]),
            "n_subjects": int(len(np.unique(recording["subject"].values))),
        }
        out["ci95_stimuli"] = self._bootstrap_stimuli(reported, responses, ceiling_data, agg)
        if metric.per_neuroid:
            out["ci95_subjects"] = self._bootstrap_subjects(per_neuroid, ceiling, recording["subject"].values, agg)
        return out

    def _bootstrap_stimuli(self, reported, responses, ceiling_data, agg) -> dict:
        metric, n = self.metric, responses.shape[0]
        rng = np.random.default_rng(self.protocol.bootstrap_seed)
        raws, ceileds = [], []
        for _ in range(self.protocol.n_bootstrap):
            counts = np.bincount(rng.integers(0, n, n), minlength=n)
            raw = agg(metric.summarize(reported, responses, counts)[metric.primary])
            raws.append(raw)
            if ceiling_data is not None:
                ceiling = metric.ceiling(ceiling_data, counts)
                ceileds.append(raw / agg(ceiling) if ceiling is not None else np.nan)
        return {"raw": _interval(raws), "ceiled": _interval(ceileds) if ceileds else None, "n_bootstrap": self.protocol.n_bootstrap}

    def _bootstrap_subjects(self, per_neuroid, ceiling, subjects, agg) -> dict | None:
        unique = np.unique(subjects)
        if len(unique) < 2:
            return None
        rng = np.random.default_rng(self.protocol.bootstrap_seed + 1)
        members = {s: np.flatnonzero(subjects == s) for s in unique}
        raws, ceileds = [], []
        for _ in range(self.protocol.n_bootstrap):
            idx = np.concatenate([members[s] for s in rng.choice(unique, len(unique))])
            raw = agg(per_neuroid[idx])
            raws.append(raw)
            if ceiling is not None:
                ceileds.append(raw / agg(ceiling[idx]))
        return {"raw": _interval(raws), "ceiled": _interval(ceileds) if ceileds else None, "n_bootstrap": self.protocol.n_bootstrap}


def _argmax(scores: dict, order: list[str]) -> str:
    # ties and NaNs: the earliest layer wins, deterministically
    best, best_score = order[0], -np.inf
    for layer in order:
        s = scores[layer]
        if np.isfinite(s) and s > best_score:
            best, best_score = layer, s
    return best


def _interval(values) -> list | None:
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None
    return [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))]


def _f(x):
    if x is None:
        return None
    x = float(x)
    return x if np.isfinite(x) else None
