"""The metric contract: how a layer's features are compared with a recording.

A metric sees one layer at a time. ``prepare`` runs once per layer over all stimuli (e.g. the Gram
matrix for ridge, an RDM for RSA) so that every split reuses it. ``evaluate`` handles one
(train, test) split of stimuli and returns raw output (e.g. test predictions); ``summarize`` pools the
outputs of a set of splits into named score arrays, one value per neuroid for mapping metrics or a
single value (shape (1,)) for population metrics. Bootstrap resampling of stimuli enters as
``counts`` (how often each stimulus was drawn), so summaries never need to refit.

Those three are abstract: a metric must define them. Every other hook is declared here with a
default, and ``brainbench.benchmark.Benchmark`` calls each one directly (it never probes a metric for
what it has):

=========================== ==================================== =====================================
hook                        default                              override to
=========================== ==================================== =====================================
``prepare_target(rec)``     the trial average, (stimulus,        compare with something else than
                            neuroid) array                       the mean response (e.g. an RDM)
``ceiling_from_recording``  False: ``prepare_ceiling`` gets the  True: it gets the recording itself
                            (repetition, stimulus, neuroid)      (with its ``subject`` coordinate)
                            array
``prepare_ceiling(data)``   None (no ceiling)                    build what ``ceiling`` needs, once
``ceiling(data, counts)``   None (no ceiling)                    the ceiling on the primary's scale
``reweight(target, w)``     None: no subject bootstrap for a     rebuild a population target (or its
                            population metric                    ceiling data) from subject weights
``accepts_rdm``             False                                True: can score recordings that are
                                                                 dissimilarity matrices (kind "rdm")
``target_batch``            None                                 read it: targets per fit, set by the
                                                                 memory preflight (memory, not numbers)
``summarize_many``,         loop over ``summarize``/``ceiling``  be faster (a test pins the override
``ceiling_many``            row by row                           to the loop)
``evaluate_many(p, r, tr,   ``evaluate`` once per test set       fit once on ``tr``, predict every test
tests)``                                                         set (a test pins it to the loop)
``summarize_many_layers``   ``summarize_many`` per layer,        share the work that depends only on
                            yielded one layer at a time          the recording (a test pins it)
``config()``                name and version                     add every option that changes numbers
=========================== ==================================== =====================================

Metric plugins live in ``metrics/<name>/`` (or any folder, see docs/metrics.md) and expose
``PLUGINS = [MetricPlugin(...)]``; the contract is written out, with a worked metric, in
docs/metrics.md.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any

import numpy as np


class Metric(ABC):
    #: the metric's name, as in benchmark ids ``<dataset>.<region>.<name>``
    name: str = "metric"
    #: bump when the metric's code changes its numbers (part of the score cache key)
    version: str = "1"
    #: the score that ranks layers and models, a key of ``summarize``'s result
    primary: str = "score"
    #: True: one score per neuroid, aggregated over neuroids (median or mean, per dataset);
    #: False: one score per population (RSA, CKA)
    per_neuroid: bool = True
    #: "r": ceiled as score / ceiling on the correlation scale; None: this metric has no ceiling
    ceiling_kind: str | None = "r"
    #: True: ``prepare_ceiling`` receives the recording (DataArray with its ``subject`` coordinate);
    #: False: the bare (repetition, stimulus, neuroid) array of its values
    ceiling_from_recording: bool = False
    #: True: ``prepare_target`` accepts a recording that is a (stimulus, stimulus) dissimilarity matrix
    #: (datasets whose ``recording_kind`` is "rdm"); a benchmark refuses such recordings otherwise
    accepts_rdm: bool = False
    #: targets (neuroids) fitted at once; set by the memory preflight before scoring. It changes memory
    #: use, never the numbers; metrics that fit nothing ignore it
    target_batch: int | None = None

    def config(self) -> dict:
        """Everything that changes the numbers; part of the score cache key and of the result."""
        return {"name": self.name, "version": self.version}

    # -- the three a metric must define ------------------------------------------------------------
    @abstractmethod
    def prepare(self, features: np.ndarray) -> Any:
        """Once per layer: (stimulus, feature) activations -> what every split reuses."""

    @abstractmethod
    def evaluate(self, prepared: Any, responses: Any, train: np.ndarray, test: np.ndarray) -> Any:
        """One split: fit on ``train`` (if the metric fits), return raw output for ``test`` stimuli.
        ``responses`` is what ``prepare_target`` built."""

    @abstractmethod
    def summarize(self, outputs: list, responses: Any, counts: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Pool the outputs of several splits into named scores, each (neuroids,) or (1,); the dict
        holds ``primary``. ``counts``: bootstrap multiplicity of each stimulus (None: each once)."""

    # -- hooks with defaults -----------------------------------------------------------------------
    def evaluate_many(self, prepared: Any, responses: Any, train: np.ndarray, tests: list[np.ndarray]) -> list:
        """``evaluate(prepared, responses, train, test)`` for each of ``tests``, in order. The nested
        selection calls it when several inner splits share one training set (``Protocol(inner_folds=
        "outer_folds")``); a metric that fits can fit once and predict every test set."""
        return [self.evaluate(prepared, responses, train, test) for test in tests]

    def prepare_target(self, recording) -> Any:
        """What ``evaluate`` and ``summarize`` compare with, built once per benchmark from the
        region's recording (DataArray). Default: the trial average, a (stimulus, neuroid) array."""
        from .recording import trial_average

        return trial_average(recording)

    def prepare_ceiling(self, data) -> Any:
        """What ``ceiling`` needs, built once: ``data`` is the recording if ``ceiling_from_recording``
        else its (repetition, stimulus, neuroid) values. Default None: no ceiling."""
        return None

    def ceiling(self, ceiling_data, counts: np.ndarray | None = None) -> np.ndarray | None:
        """The ceiling on the primary score's scale, per neuroid (or shape (1,)); None if undefined.
        ``counts`` as in ``summarize``; population metrics get the test stimuli's weights here."""
        return None

    def reweight(self, target, subject_weights: np.ndarray) -> Any | None:
        """``target`` (or ceiling data) rebuilt with each subject counted ``subject_weights[i]`` times
        (subjects in sorted order): gives population metrics their interval over subjects. Default
        None: this metric cannot, and gets no subject interval. Per-neuroid metrics never need it."""
        return None

    def summarize_many(self, outputs: list, responses: Any, counts: np.ndarray) -> dict[str, np.ndarray]:
        """``summarize`` for each row of ``counts`` (resamples, stimuli): the primary score stacked,
        shape (resamples, ...). Only the primary score is needed (bootstraps resample nothing else)."""
        return {self.primary: np.stack([self.summarize(outputs, responses, row)[self.primary] for row in counts])}

    def summarize_many_layers(self, outputs_by_layer: list[list], responses: Any, counts: np.ndarray) -> Iterator[np.ndarray]:
        """The primary of ``summarize_many`` for each layer's outputs, yielded one layer at a time (the
        caller reduces each before the next is computed: one (resamples, neuroids) block at a time)."""
        for outputs in outputs_by_layer:
            yield self.summarize_many(outputs, responses, counts)[self.primary]

    def ceiling_many(self, ceiling_data, counts: np.ndarray) -> np.ndarray | None:
        """``ceiling`` for each row of ``counts``, stacked (resamples, ...); None if undefined."""
        rows = [self.ceiling(ceiling_data, row) for row in counts]
        return None if any(r is None for r in rows) else np.stack(rows)


def split_rows(rows: np.ndarray, tests: list[np.ndarray]) -> list[np.ndarray]:
    """``rows`` predicted for ``np.concatenate(tests)``, cut back into one block per test set (for
    ``evaluate_many`` overrides that predict every test set at once)."""
    return np.split(rows, np.cumsum([len(t) for t in tests])[:-1])
