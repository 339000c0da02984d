"""Benchmarks: a recording + a metric + a ceiling + a protocol, versioned.

Protocol (how stimuli are split and how the reported layer is chosen):
- ``splits``: K-fold (disjoint test sets that cover every stimulus) or repeated random
  train/test splits, all from a fixed seed.
- ``selection="nested"``: in each outer split the layer is chosen by an inner K-fold over that split's
  *training* stimuli only, then scored on its test stimuli; the test stimuli never influence the
  choice. With ``inner_folds="outer_folds"`` the inner folds are the other outer folds, so an inner
  training set (all but two folds) serves two outer splits and is fitted once
  (``metric.evaluate_many``). ``selection="held_out_splits"``: the layer is chosen on the first half
  of the splits and the score is reported on the second half (the NH2015 convention).
- ``repeats``: repeated K-fold; each score averages that many fold assignments.
The per-layer scores over all splits are kept as the layer profile (for plots; never for choosing).

Aggregation: per-neuroid scores -> median over neuroids (or mean, per dataset); ceiling likewise;
ceiled = raw / ceiling. Nothing is clipped: out-of-range values are kept and flagged. 95% intervals
come from bootstrap resampling of stimuli (scores and ceiling recomputed on the same sample, no
refitting) and of subjects (animals/participants).

Population metrics (RSA, CKA: one score per population, ``metric.per_neuroid = False``) use the
hooks every metric has (brainbench.metric.Metric; their defaults keep per-neuroid metrics as they are):
- ``metric.prepare_target(recording)`` builds what ``evaluate``/``summarize`` compare with (default
  the trial average; e.g. the recorded RDM);
- their ceiling is computed on the stimuli each reported split scored (its test set), averaged over
  the reported splits, so score and ceiling always cover the same stimuli;
- ``metric.reweight(target_or_ceiling_data, subject_weights)`` rebuilds the population from a
  bootstrap sample of subjects (animals), which gives population metrics their subject intervals
  (None, the default: no subject interval).
``inner_splits=1`` chooses the layer on the whole training set of each outer split: for metrics
that fit nothing (RSA, CKA), where an inner CV would only shrink the comparison.
``inter_animal_ceiling=True`` adds the inter-animal consistency (brainbench.consistency) beside the
split-half ceiling.
"""
from __future__ import annotations

import threading
import time
import warnings
from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from .bootstrap import ENCODING, encode_index, interval, stimulus_counts, subject_counts
from .bootstrap import block as bootstrap_block
from .errors import PluginError
from .recording import select_region
from .stimuli import StimulusSet

if TYPE_CHECKING:  # xarray (and pandas) imported only where a recording is built: an answer from the store builds none
    import xarray as xr


@dataclass(frozen=True)
class Protocol:
    kind: str = "kfold"  # "kfold" | "shuffle"
    n_splits: int = 5
    train_size: int | None = None  # for "shuffle"
    seed: int = 0
    selection: str = "nested"  # "nested" | "held_out_splits"
    inner_splits: int = 4
    #: the inner folds of the nested selection. "resplit": the outer split's training stimuli cut anew
    #: into ``inner_splits`` random folds (seed + 1000 + outer index). "outer_folds" (K-fold only,
    #: ``inner_splits = n_splits - 1``): the other outer folds, so an inner training set (all stimuli
    #: but two folds) serves two outer splits and is fitted once: 40% fewer fits at K = 5
    inner_folds: str = "resplit"
    #: K-fold assignments drawn (repeated K-fold, ``kind="kfold"`` and nested selection only): each is
    #: scored as one out-of-fold pool and the scores are averaged, so the spread that the arbitrary
    #: assignment adds shrinks with the repeats (brainbench analyze splits measures it), at that
    #: multiple of the scoring cost. Repeat 0 is the single assignment of ``repeats=1``.
    repeats: int = 1
    #: resamples of stimuli and of subjects; stored with the score, so that comparisons need no re-score
    n_bootstrap: int = 1000
    bootstrap_seed: int = 0
    #: also compute the inter-animal consistency ceiling (recordings with >= 2 subjects)
    inter_animal_ceiling: bool = False

    def __post_init__(self):
        problem = self._problem()
        if problem:
            from .errors import PluginError

            raise PluginError(f"Protocol: {problem}")

    def _problem(self) -> str | None:
        if self.kind not in ("kfold", "shuffle"):
            return f"kind {self.kind!r} is not one of 'kfold', 'shuffle'"
        if self.selection not in ("nested", "held_out_splits"):
            return f"selection {self.selection!r} is not one of 'nested', 'held_out_splits'"
        if self.inner_folds not in ("resplit", "outer_folds"):
            return f"inner_folds {self.inner_folds!r} is not one of 'resplit', 'outer_folds'"
        if not isinstance(self.repeats, int) or self.repeats < 1:
            return f"repeats must be a whole number >= 1, got {self.repeats!r}"
        if self.repeats > 1 and (self.kind != "kfold" or self.selection != "nested"):
            return (f"repeats={self.repeats} repeats K-fold assignments, so it needs kind='kfold' and selection='nested' "
                    f"(got kind={self.kind!r}, selection={self.selection!r}). Fix: use repeats=1, or a K-fold nested protocol")
        if self.inner_folds == "outer_folds" and self.inner_splits > 1 and (self.kind != "kfold" or self.inner_splits != self.n_splits - 1):
            return (f"inner_folds='outer_folds' uses the other outer folds as the inner folds, so it needs kind='kfold' and "
                    f"inner_splits = n_splits - 1 = {self.n_splits - 1} (got kind={self.kind!r}, inner_splits={self.inner_splits}). "
                    "Fix: set inner_splits accordingly, or use inner_folds='resplit'")
        return None

    def splits(self, n: int, seed_offset: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
        """(train, test) stimulus indices of every split; with ``repeats``, the K folds of repeat 0, then
        of repeat 1, ... (repeat r > 0 draws from its own stream, seeded by (seed, r))."""
        rng = np.random.default_rng(self.seed + seed_offset)
        if self.kind == "kfold":
            out = []
            for r in range(self.repeats):
                order = (rng if r == 0 else np.random.default_rng([self.seed + seed_offset, r])).permutation(n)
                folds = np.array_split(order, self.n_splits)
                out += [(np.sort(np.concatenate(folds[:i] + folds[i + 1 :])), np.sort(folds[i])) for i in range(self.n_splits)]
            return out
        train_size = self.train_size or n // 2  # "shuffle" (the kind is checked when the protocol is made)
        out = []
        for _ in range(self.n_splits):
            order = rng.permutation(n)
            out.append((np.sort(order[:train_size]), np.sort(order[train_size:])))
        return out

    def inner(self, train: np.ndarray, outer_index: int, n: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Splits of outer split ``outer_index``'s training stimuli (of ``n``) for nested layer selection.

        ``inner_splits=1``: the whole training set, for metrics that fit nothing (the layer is then
        chosen on the training stimuli, scored on the test). Otherwise ``inner_folds`` says how the
        training stimuli are cut (see the field); the inner test sets always partition them.
        """
        train = np.asarray(train)
        if self.inner_splits == 1:
            return [(train, train)]
        if self.inner_folds == "outer_folds":  # the other folds of the same repeat
            first = outer_index - outer_index % self.n_splits
            outer = self.splits(n)[first : first + self.n_splits]
            return [(np.setdiff1d(train, test), test) for j, (_, test) in enumerate(outer, start=first) if j != outer_index]
        inner = replace(self, n_splits=self.inner_splits, inner_folds="resplit", repeats=1)
        return [(train[a], train[b]) for a, b in inner.splits(len(train), seed_offset=1000 + outer_index)]

    def as_dict(self) -> dict:
        """The fields, for configs and cache keys; ``inner_folds`` and ``repeats`` only when they are not
        the default, so the configs (and stored scores) of protocols that predate them are unchanged."""
        out = dict(self.__dict__)
        if out["inner_folds"] == "resplit":
            del out["inner_folds"]
        if out["repeats"] == 1:
            del out["repeats"]
        return out


class Dataset:
    """A loaded dataset: the recording, the stimulus set it was recorded with, and provenance.

    ``recording`` is the DataArray, or a function of no arguments that builds it from what ``load``
    has already read and checked: it is then built the first time ``dataset.recording`` is read, once.
    What needs only the stimuli and the checksums (the cache keys, a score answered from the store)
    then never pays for it: from a fresh process, 1 s of allen_np's load, most of it xarray importing
    dask.array to ask whether the responses are a dask array.
    """

    def __init__(self, name: str, recording, stimuli: StimulusSet, checksums: dict | None = None, card: dict | None = None, warnings: list | None = None):
        self.name, self.stimuli = name, stimuli
        self.checksums = {} if checksums is None else checksums
        self.card = {} if card is None else card
        self.warnings = [] if warnings is None else warnings
        if not callable(recording):
            refuse_infinite_responses(name, recording)
        self._recording = recording

    @property
    def recording(self) -> xr.DataArray:
        if callable(self._recording):
            with _RECORDING_LOCK:  # engine tasks on threads share a dataset: build it once
                if callable(self._recording):
                    built = self._recording()
                    refuse_infinite_responses(self.name, built)
                    self._recording = built
        return self._recording

    @property
    def recording_built(self) -> bool:
        """Whether the recording exists yet (False until a lazily given one is first read)."""
        return not callable(self._recording)

    def __repr__(self) -> str:
        return f"Dataset({self.name!r}, recording={'built' if self.recording_built else 'not built yet'}, stimuli={self.stimuli!r})"


_RECORDING_LOCK = threading.RLock()


def refuse_infinite_responses(dataset: str, recording) -> None:
    """A response of ±inf is never a measurement (NaN is: a neuroid with fewer repeats); one such
    value turns every score it reaches into another number without a word. PluginError naming where."""
    values = getattr(recording, "values", recording)
    if not isinstance(values, np.ndarray) or values.dtype.kind not in "fc":
        return
    infinite = np.isinf(values)
    if not infinite.any():
        return
    where = tuple(int(i) for i in np.argwhere(infinite)[0])
    dims = getattr(recording, "dims", None) or [f"axis {k}" for k in range(values.ndim)]
    at = ", ".join(f"{d} {i}" for d, i in zip(dims, where))
    raise PluginError(f"dataset {dataset!r}: {int(infinite.sum())} response(s) are infinite (first at {at}); responses must be finite, "
                      "or NaN where a measurement is missing. Fix: correct the dataset's loader, or mark missing values as NaN")


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

    def target(self, recording) -> object:
        """What the metric compares with: the trial average, or the metric's own target (e.g. an RDM)."""
        return self.metric.prepare_target(recording)

    def ceiling_data(self, recording) -> object:
        if not self.metric.ceiling_kind:
            return None
        # population metrics need the subjects of the neuroids, per-neuroid metrics the trials alone
        return self.metric.prepare_ceiling(recording if self.metric.ceiling_from_recording else recording.values)

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
    def run(self, prepared: dict[str, object], layer_order: list[str], progress=None, cache=None) -> dict:
        """Score prepared layers (``metric.prepare`` output per layer) against this benchmark.

        ``cache`` (a brainbench.store.Store, optional) keeps the parts of the score that do not depend
        on the model — the inter-animal consistency and the ceilings — so that every later model (and
        every re-score) on this benchmark reuses them.
        """
        from .blas import single_threaded_blas

        with single_threaded_blas():  # everything here works on stimulus x stimulus matrices (~100 x 100)
            return self._run(prepared, layer_order, progress, cache)

    def _run(self, prepared, layer_order, progress=None, cache=None) -> dict:
        t0 = time.perf_counter()
        recording = self.region_recording()
        responses = self.target(recording)
        agg = _aggregator(self.aggregate)
        outer = self.protocol.splits(responses.shape[0])
        # every layer on every outer split: the layer profile, and the candidates for selection
        outputs = {layer: [self.metric.evaluate(prepared[layer], responses, tr, te) for tr, te in outer] for layer in layer_order}
        if progress:
            progress(f"{self.name}: evaluated {len(layer_order)} layers x {len(outer)} splits")
        chosen, reported = self._select(prepared, outputs, layer_order, responses, outer, agg)
        _release_freed_memory()
        counts = stimulus_counts(responses.shape[0], self.protocol.n_bootstrap, self.protocol.bootstrap_seed)
        summary = self._summarize(reported, responses, self.ceiling_data(recording), recording, agg, counts, cache)
        _release_freed_memory()
        profile, best_layer = self._profile(outputs, layer_order, responses, agg, summary["ceiling"], counts)
        _release_freed_memory()
        summary["bootstrap"]["stimuli"]["best_layer"] = encode_index(best_layer)
        if self.protocol.inter_animal_ceiling:
            summary.update(self._inter_animal(recording, agg, summary["raw"], cache))
        return {
            "benchmark": self.name,
            "version": self.version,
            "region": self.region,
            "metric": self.metric.name,
            "score_name": self.metric.primary,
            **summary,
            "chosen_layer": Counter(chosen).most_common(1)[0][0],
            "chosen_layer_per_split": chosen,
            "layer_profile": profile,
            "layer_order": list(layer_order),
            "flags": _flags(summary, per_neuroid=self.metric.per_neuroid),
            "seconds": time.perf_counter() - t0,
        }

    # -- honest layer selection --------------------------------------------------------------------
    def _select(self, prepared, outputs, layer_order, responses, outer, agg) -> tuple[list[str], list]:
        """The layer chosen for each reported split (never on its test stimuli), and its outputs."""
        if len(layer_order) == 1:
            only = layer_order[0]  # nothing to choose: the inner evaluations would all pick it
            if self.protocol.selection == "held_out_splits":
                return [only], outputs[only][len(outer) // 2 :]
            return [only] * len(outer), outputs[only]
        if self.protocol.selection == "nested":
            return self._select_nested(prepared, outputs, layer_order, responses, outer, agg)
        half = len(outer) // 2  # "held_out_splits" (the selection is checked when the protocol is made)
        scores = {layer: agg(self._primary(outputs[layer][:half], responses)) for layer in layer_order}
        best = _argmax(scores, layer_order)
        return [best], outputs[best][half:]

    def _select_nested(self, prepared, outputs, layer_order, responses, outer, agg):
        inner = [self.protocol.inner(train, i, responses.shape[0]) for i, (train, _) in enumerate(outer)]
        # a layer's inner score in every outer split (its outputs dropped at once: one layer's at a time)
        inner_scores = {layer: [agg(self._primary(o, responses)) for o in self._evaluate_splits(prepared[layer], responses, inner)]
                        for layer in layer_order}
        chosen, reported = [], []
        for i in range(len(outer)):
            best = _argmax({layer: inner_scores[layer][i] for layer in layer_order}, layer_order)
            chosen.append(best)
            reported.append(outputs[best][i])
        return chosen, reported

    def _evaluate_splits(self, prepared, responses, split_lists: list[list[tuple]]) -> list[list]:
        """``metric.evaluate`` on every (train, test) of every list, one ``evaluate_many`` per distinct
        training set: inner splits that share their training stimuli are fitted once."""
        by_train: dict[bytes, list[tuple[int, int]]] = {}
        for i, splits in enumerate(split_lists):
            for j, (train, _) in enumerate(splits):
                by_train.setdefault(np.asarray(train).tobytes(), []).append((i, j))
        out = [[None] * len(splits) for splits in split_lists]
        for places in by_train.values():
            train = split_lists[places[0][0]][places[0][1]][0]
            tests = [split_lists[i][j][1] for i, j in places]
            for (i, j), output in zip(places, self.metric.evaluate_many(prepared, responses, train, tests)):
                out[i][j] = output
        return out

    def _inter_animal(self, recording, agg, raw, cache) -> dict:
        from .consistency import inter_animal_consistency

        out = dict(self._model_independent(cache, "inter_animal_consistency", lambda: inter_animal_consistency(self, recording, agg)))
        consistency = out.get("ceiling_inter_animal")
        out["ceiled_inter_animal"] = _f(raw / consistency) if raw is not None and consistency else None
        return out

    def _model_independent(self, cache, part: str, compute, splits_matter: bool = True):
        """A part of the score that is the same for every model on this benchmark, from ``cache`` when
        an earlier run computed it (keyed by the benchmark's configuration and the code version).
        ``splits_matter=False``: the part never looks at the train/test splits (a per-neuroid metric's
        ceilings), so its key leaves them out and protocols that differ only in their splits (another
        seed, another K: ``brainbench analyze splits``) share it."""
        if cache is None:
            return compute()
        from .errors import BrainbenchError
        from .model import json_key

        config = self.config() if splits_matter else self._config_without_splits()
        key = json_key({"part": part, "version": MODEL_INDEPENDENT_VERSION, "benchmark": config})
        hit = cache.get_json("benchmark_parts", key)
        if hit is not None:
            return hit["value"]
        value = compute()
        try:
            cache.put_json("benchmark_parts", key, {"value": value}, {"benchmark": self.name, "part": part})
        except BrainbenchError:  # a read-only or full cache: the value is still right, only not kept
            pass
        return value

    def _config_without_splits(self) -> dict:
        """``config()`` with the protocol reduced to its bootstrap (resample count and seed): what a part
        that never looks at the train/test splits depends on."""
        return {**self.config(), "protocol": {"n_bootstrap": self.protocol.n_bootstrap, "bootstrap_seed": self.protocol.bootstrap_seed}}

    def _primary(self, outputs, responses, counts=None):
        return self.metric.summarize(outputs, responses, counts)[self.metric.primary]

    # -- summary, ceiling and intervals ------------------------------------------------------------
    def _summarize(self, reported, responses, ceiling_data, recording, agg, counts, cache=None) -> dict:
        metric = self.metric
        scores_all = metric.summarize(reported, responses)
        per_neuroid = scores_all[metric.primary]
        ceiling = self._point_ceiling(ceiling_data, reported, responses.shape[0], cache)
        raw = agg(per_neuroid)
        ceiling_agg = agg(ceiling) if ceiling is not None else None
        out = {
            "raw": _f(raw),
            "ceiling": _f(ceiling_agg),
            "ceiled": _f(raw / ceiling_agg) if ceiling_agg else None,
            "ceiling_note": None if ceiling is not None else "no noise ceiling: this recording has no repeats to estimate one",
            "other_scores": {k: _f(agg(v)) for k, v in scores_all.items() if k != metric.primary},
            "n_neuroids": int(per_neuroid.shape[0]) if metric.per_neuroid else _size(recording, "neuroid"),
            "n_neuroids_scored": int(np.isfinite(per_neuroid).sum()),
            "n_stimuli": int(responses.shape[0]),
            "n_subjects": int(len(np.unique(recording["subject"].values))) if "subject" in recording.coords else None,
        }
        stimuli = self._bootstrap_stimuli(reported, responses, ceiling_data, agg, counts, cache)
        subjects = self._bootstrap_subjects_any(reported, responses, per_neuroid, ceiling, ceiling_data, recording, agg, cache)
        out["ci95_stimuli"] = _intervals(stimuli, self.protocol.n_bootstrap)
        out["ci95_subjects"] = _intervals(subjects, self.protocol.n_bootstrap) if subjects else None
        statistic = "ceiled" if out["ceiled"] is not None and stimuli["ceiled"] is not None else "raw"
        seed = self.protocol.bootstrap_seed
        out["bootstrap"] = {
            "statistic": statistic,
            "encoding": ENCODING,
            "stimuli": bootstrap_block(seed, stimuli[statistic]),
            "subjects": bootstrap_block(seed + 1, subjects[statistic]) if subjects and subjects[statistic] is not None else None,
        }
        return out

    def _point_ceiling(self, ceiling_data, reported, n: int, cache=None):
        """The ceiling on all stimuli; a per-neuroid metric's does not depend on the model (from the
        store after the first model), a population metric's depends on the reported test stimuli."""
        if not self.metric.per_neuroid or ceiling_data is None:
            return self._ceiling(ceiling_data, reported, n)
        stored = self._model_independent(cache, "point_ceiling", lambda: _stored_array(self._ceiling(ceiling_data, reported, n)), splits_matter=False)
        return None if stored is None else np.array([np.nan if x is None else x for x in stored["values"]], dtype=float).reshape(stored["shape"])

    def _ceiling(self, ceiling_data, reported, n: int, counts: np.ndarray | None = None):
        """The metric's ceiling; for population metrics, on each reported split's test stimuli, averaged."""
        return self._ceiling_with(self.metric.ceiling, ceiling_data, reported, n, counts)

    def _ceiling_many(self, ceiling_data, reported, counts: np.ndarray):
        """``_ceiling`` for every resample (row of ``counts``) at once: (resamples, ...) or None."""
        return self._ceiling_with(self.metric.ceiling_many, ceiling_data, reported, counts.shape[1], counts)

    def _ceiling_with(self, ceiling, ceiling_data, reported, n: int, counts):
        """``ceiling(ceiling_data, weights)`` (the metric's ``ceiling`` or ``ceiling_many``), where population
        metrics weigh each reported split's test stimuli (times ``counts``) and average the splits."""
        if ceiling_data is None:
            return None
        if self.metric.per_neuroid or not all(isinstance(o, dict) and "test" in o for o in reported):
            return ceiling(ceiling_data, counts)
        values = []
        for output in reported:
            weights = _test_mask(output, n)
            value = ceiling(ceiling_data, weights if counts is None else weights * counts)
            if value is None:
                return None
            values.append(np.asarray(value, dtype=float))
        return np.mean(values, axis=0)

    def _bootstrap_stimuli(self, reported, responses, ceiling_data, agg, counts, cache=None) -> dict:
        """Raw and ceiled score on every stimulus resample (same outputs, no refit; ceiling recomputed)."""
        raw = agg(self.metric.summarize_many(reported, responses, counts)[self.metric.primary], axis=-1)
        # a per-neuroid metric's ceiling never looks at the reported splits (_ceiling_with)
        ceiling = self._model_independent(cache, "stimulus_resample_ceilings", lambda: self._aggregated_ceilings(ceiling_data, reported, counts, agg),
                                          splits_matter=not self.metric.per_neuroid)
        with np.errstate(invalid="ignore", divide="ignore"):
            ceiled = raw / np.asarray(ceiling, dtype=float) if ceiling is not None else None
        return {"raw": raw, "ceiled": ceiled}

    def _aggregated_ceilings(self, ceiling_data, reported, counts, agg) -> list | None:
        """The aggregated ceiling on every stimulus resample. It depends on the recording, the metric and the
        reported splits' test stimuli (fixed by the protocol, whichever layer was chosen), not on the model."""
        ceiling = self._ceiling_many(ceiling_data, reported, counts)
        return None if ceiling is None else [float(x) for x in agg(ceiling, axis=-1)]

    def _bootstrap_subjects_any(self, reported, responses, per_neuroid, ceiling, ceiling_data, recording, agg, cache=None) -> dict | None:
        if "subject" not in recording.coords:
            return None
        if self.metric.per_neuroid:
            return self._bootstrap_subjects(per_neuroid, ceiling, recording["subject"].values, agg)
        return self._bootstrap_subjects_population(reported, responses, ceiling_data, recording, agg, cache)

    def _bootstrap_subjects(self, per_neuroid, ceiling, subjects, agg) -> dict | None:
        """Resample animals: every neuroid of a drawn animal counts as often as the animal is drawn."""
        unique, member_of = np.unique(subjects, return_inverse=True)
        if len(unique) < 2:
            return None
        draws = subject_counts(len(unique), self.protocol.n_bootstrap, self.protocol.bootstrap_seed + 1)
        weights = draws[:, member_of]  # (resamples, neuroids)
        raw = weighted_aggregate(per_neuroid, weights, self.aggregate)
        with np.errstate(invalid="ignore", divide="ignore"):
            ceiled = raw / weighted_aggregate(ceiling, weights, self.aggregate) if ceiling is not None else None
        return {"raw": raw, "ceiled": ceiled}

    def _bootstrap_subjects_population(self, reported, target, ceiling_data, recording, agg, cache=None) -> dict | None:
        """Population metrics: resample subjects, rebuild the recorded population (and its ceiling) from
        the drawn subjects (a subject drawn twice counts twice), rescore the same model outputs. None when
        the metric cannot rebuild its target from subjects (``reweight`` returns None). The ceilings do
        not depend on the model: from ``cache`` after the first model (4.5 s of a 6.3 s RSA re-score)."""
        metric = self.metric
        unique = np.unique(recording["subject"].values)
        if len(unique) < 2:
            return None
        draws = subject_counts(len(unique), self.protocol.n_bootstrap, self.protocol.bootstrap_seed + 1).astype(float)
        raws = []
        for weights in draws:
            drawn = metric.reweight(target, weights)
            if drawn is None:
                return None
            raws.append(agg(metric.summarize(reported, drawn)[metric.primary]))
        raws = np.asarray(raws)
        if ceiling_data is None:
            return {"raw": raws, "ceiled": None}
        ceilings = self._model_independent(cache, "subject_resample_ceilings", lambda: self._subject_resample_ceilings(ceiling_data, reported, target.shape[0], draws, agg))
        with np.errstate(invalid="ignore", divide="ignore"):
            return {"raw": raws, "ceiled": raws / np.asarray(ceilings, dtype=float)}

    def _subject_resample_ceilings(self, ceiling_data, reported, n: int, draws: np.ndarray, agg) -> list[float]:
        """The aggregated ceiling of the population rebuilt from each row of subject ``draws`` (NaN where
        the metric has none). It depends on the recording, the metric and the reported splits' test
        stimuli (fixed by the protocol), not on the model."""
        out = []
        for weights in draws:
            ceiling = self._ceiling(self.metric.reweight(ceiling_data, weights), reported, n)
            out.append(float(agg(ceiling)) if ceiling is not None else np.nan)
        return out

    # -- layer profile ------------------------------------------------------------------------------
    def _profile(self, outputs, layer_order, responses, agg, ceiling_agg, counts) -> tuple[dict, np.ndarray]:
        """Every layer's score over all splits (for plots, never for choosing the reported layer), and on
        each stimulus resample the index of the best layer (the spread of which layer matches best)."""
        profile = {}
        for layer in layer_order:
            score = agg(self._primary(outputs[layer], responses))
            profile[layer] = {"raw": _f(score), "ceiled": _f(score / ceiling_agg) if ceiling_agg else None}
        layers = self.metric.summarize_many_layers([outputs[layer] for layer in layer_order], responses, counts)
        per_resample = np.stack([agg(values, axis=-1) for values in layers])
        return profile, np.where(np.isfinite(per_resample), per_resample, -np.inf).argmax(axis=0)


#: bump when the code computing a model-independent part changes its numbers
MODEL_INDEPENDENT_VERSION = "1"


def _release_freed_memory() -> None:
    """Between the phases of a benchmark: hand the freed (resamples x neuroids) blocks back to the
    system, so glibc's heap does not keep each phase's high-water mark (see preflight)."""
    from .preflight import release_freed_memory

    release_freed_memory()


def _test_mask(output: dict, n: int) -> np.ndarray:
    weights = np.zeros(n)
    weights[np.asarray(output["test"])] = 1.0
    return weights


def _aggregator(name: str):
    """Median or mean over neuroids, ignoring NaN (an all-NaN row gives NaN without a warning)."""
    base = np.nanmedian if name == "median" else np.nanmean

    def agg(values, axis=None):
        if name == "median" and axis == -1 and np.ndim(values) == 2:
            return nanmedian_rows(values)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return base(values, axis=axis)

    return agg


def nanmedian_rows(values: np.ndarray) -> np.ndarray:
    """``np.nanmedian(values, axis=-1)`` of a 2-D array, bit for bit, in one sort.

    numpy falls back to a Python loop over rows (``apply_along_axis``) for long rows with NaN: 35 ms
    for the (1000 resamples x 1139 neuroids) of a bootstrap, against 6 ms here. The sort puts NaN
    last; a row with k finite-or-infinite values takes the mean of its sorted elements (k-1)//2 and
    k//2 as numpy does ((a + b) / 2; for odd k, (a + a) / 2 = a exactly). All-NaN rows give NaN.
    """
    ordered = np.sort(np.asarray(values, dtype=np.float64), axis=-1)
    k = np.count_nonzero(~np.isnan(ordered), axis=-1)
    low = np.take_along_axis(ordered, np.maximum(k - 1, 0)[:, None] // 2, axis=-1)[:, 0]
    high = np.take_along_axis(ordered, np.minimum(k // 2, ordered.shape[-1] - 1)[:, None], axis=-1)[:, 0]
    with np.errstate(invalid="ignore"):  # inf + -inf: NaN, as numpy's median gives
        return np.where(k > 0, (low + high) / 2, np.nan)


def weighted_aggregate(values: np.ndarray, weights: np.ndarray, how: str) -> np.ndarray:
    """Median (or mean) of ``values`` repeated ``weights[b]`` times, for every row b; NaN values are
    ignored (as nanmedian ignores them). Equals ``np.nanmedian(np.repeat(values, weights[b]))``."""
    values = np.asarray(values, dtype=float)
    keep = np.isfinite(values)
    v, w = values[keep], np.asarray(weights)[:, keep]
    total = w.sum(axis=1)
    if how != "median":
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, (w @ v) / np.where(total > 0, total, 1), np.nan)
    order = np.argsort(v, kind="stable")
    v, cum = v[order], np.cumsum(w[:, order], axis=1)
    if v.size == 0:
        return np.full(w.shape[0], np.nan)
    # the k-th (0-based) element of the repeated sorted values is v[first j with cum[j] > k]
    low = v[(cum > ((total - 1) // 2)[:, None]).argmax(axis=1)]
    high = v[(cum > (total // 2)[:, None]).argmax(axis=1)]
    return np.where(total > 0, (low + high) / 2, np.nan)


def _intervals(samples: dict, n_bootstrap: int) -> dict:
    return {
        "raw": interval(samples["raw"]),
        "ceiled": interval(samples["ceiled"]) if samples["ceiled"] is not None else None,
        "n_bootstrap": n_bootstrap,
    }


def _flags(summary: dict, per_neuroid: bool = False) -> list[str]:
    flags = []
    if summary["ceiled"] is not None and summary["ceiled"] > 1:
        flags.append("ceiled score above 1: the ceiling underestimates the explainable signal here")
    if summary["raw"] is not None and summary["raw"] < 0:
        flags.append("raw score below 0")
    if summary.get("ceiling") is not None and summary["ceiling"] <= 0.1:
        flags.append(f"ceiling {summary['ceiling']:.3f} is near 0: the recording is too noisy here for a ceiled score to mean much")
    if summary.get("ceiled_inter_animal") is not None and summary["ceiled_inter_animal"] > 1:
        flags.append("score above the inter-animal consistency: the model predicts these units better than other animals do")
    total, scored = summary.get("n_neuroids"), summary.get("n_neuroids_scored")
    if per_neuroid and total and scored is not None and scored < total:
        flags.append(f"{total - scored} of {total} neuroids have no finite score (constant predictions or responses, or the metric "
                     f"gave NaN): the score aggregates the other {scored}")
    return flags


def _size(recording, dim: str) -> int | None:
    return int(recording.sizes[dim]) if dim in recording.sizes else None


def _argmax(scores: dict, order: list[str]) -> str:
    # ties and NaNs: the earliest layer wins, deterministically
    best, best_score = order[0], -np.inf
    for layer in order:
        s = scores[layer]
        if np.isfinite(s) and s > best_score:
            best, best_score = layer, s
    return best


def _stored_array(values) -> dict | None:
    """An array as JSON (its shape, and its floats with NaN as null), exactly: float repr round-trips."""
    if values is None:
        return None
    values = np.asarray(values, dtype=float)
    return {"shape": list(values.shape), "values": [float(x) if np.isfinite(x) else None for x in values.ravel()]}


def _f(x):
    if x is None:
        return None
    x = float(x)
    return x if np.isfinite(x) else None


@dataclass(frozen=True)
class PublishedReliability:
    """A recording's ceiling as published with it (no trials to recompute it from): the split-half
    reliability of the recorded quantity, Spearman–Brown corrected, and its standard error."""

    reliability: float
    sem: float | None = None
    source: str = ""


@dataclass
class RDMBenchmark(Benchmark):
    """A benchmark whose recording is a dissimilarity matrix per region (no trials, no units).

    ``dataset.recording``: DataArray (region, stimulus, stimulus_b) of dissimilarities with coords
    ``region``, ``stimulus_id`` and, per region, ``reliability`` (+ ``reliability_sem``): the published
    split-half reliability of that RDM, used as the ceiling. Splits, layer selection and stimulus
    bootstrap as in Benchmark; there is no subject bootstrap (no per-animal data).
    """

    def region_recording(self):
        recording = self.dataset.recording
        regions = [str(r) for r in recording["region"].values]
        if self.region not in regions:
            from .errors import UnknownNameError

            raise UnknownNameError("region", self.region, regions)
        return recording.sel(region=self.region)

    def target(self, recording):
        if not self.metric.accepts_rdm:
            from .errors import BrainbenchError

            raise BrainbenchError(f"metric {self.metric.name!r} cannot score a dissimilarity-matrix recording ({self.name}); use rsa")
        return self.metric.prepare_target(recording)

    def ceiling_data(self, recording):
        if not self.metric.ceiling_kind or "reliability" not in recording.coords:
            return None
        sem = float(recording["reliability_sem"]) if "reliability_sem" in recording.coords else None
        return PublishedReliability(float(recording["reliability"]), sem, str(recording.attrs.get("ceiling_source", "")))

    def _summarize(self, reported, responses, ceiling_data, recording, agg, counts, cache=None) -> dict:
        out = super()._summarize(reported, responses, ceiling_data, recording, agg, counts, cache)
        if isinstance(ceiling_data, PublishedReliability):
            sem = f" ± {ceiling_data.sem:.4f} (s.e.m.)" if ceiling_data.sem is not None else ""
            out["ceiling_note"] = (
                f"published split-half reliability of the RDM {ceiling_data.reliability:.4f}{sem}"
                f"{' from ' + ceiling_data.source if ceiling_data.source else ''}; ceiling = its square root (r scale)"
            )
            out["ceiling_reliability"] = {"value": ceiling_data.reliability, "sem": ceiling_data.sem}
        return out
