"""The metric interface: how a layer's features are compared with a recording.

A metric sees one layer at a time. ``prepare`` runs once per layer over all stimuli (e.g. the Gram
matrix for ridge, an RDM for RSA) so that every split reuses it. ``evaluate`` handles one
(train, test) split of stimuli and returns raw output (e.g. test predictions); ``summarize`` pools the
outputs of a set of splits into named score arrays, one value per neuroid for mapping metrics or a
single value for population metrics. Bootstrap resampling of stimuli enters as ``counts`` (how often
each stimulus was drawn), so summaries never need to refit.

Bootstraps ask for many resamples at once through ``summarize_many`` and ``ceiling_many`` (``counts``
of shape (resamples, stimuli)). Their defaults loop over ``summarize``/``ceiling`` row by row, so a
metric is correct without them; a metric overrides them only to be faster, and a test pins the
override to the loop.

Metric plugins live in ``metrics/<name>/`` and expose ``PLUGINS = [MetricPlugin(...)]``.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np


class Metric(ABC):
    name: str = "metric"
    version: str = "1"
    #: the score that ranks layers and models, a key of ``summarize``'s result
    primary: str = "score"
    #: True: one score per neuroid, aggregated over neuroids; False: one score per population
    per_neuroid: bool = True
    #: "r": ceiled as score / ceiling on the correlation scale; None: this metric has no ceiling
    ceiling_kind: str | None = "r"

    def config(self) -> dict:
        """Everything that changes the numbers; part of the score cache key and of the result."""
        return {"name": self.name, "version": self.version}

    @abstractmethod
    def prepare(self, features: np.ndarray) -> Any: ...

    @abstractmethod
    def evaluate(self, prepared: Any, responses: np.ndarray, train: np.ndarray, test: np.ndarray) -> Any: ...

    @abstractmethod
    def summarize(self, outputs: list, responses: np.ndarray, counts: np.ndarray | None = None) -> dict[str, np.ndarray]: ...

    def ceiling(self, ceiling_data, counts: np.ndarray | None = None) -> np.ndarray | None:
        """The ceiling on the primary score's scale, per neuroid (or shape (1,)); None if undefined.

        ``ceiling_data`` is what ``prepare_ceiling`` built from the trials, computed once.
        """
        return None

    def prepare_ceiling(self, trials: np.ndarray) -> Any:
        return None

    def summarize_many(self, outputs: list, responses: np.ndarray, counts: np.ndarray) -> dict[str, np.ndarray]:
        """``summarize`` for each row of ``counts`` (resamples, stimuli): the primary score stacked,
        shape (resamples, ...). Only the primary score is needed (bootstraps resample nothing else)."""
        return {self.primary: np.stack([self.summarize(outputs, responses, row)[self.primary] for row in counts])}

    def ceiling_many(self, ceiling_data, counts: np.ndarray) -> np.ndarray | None:
        """``ceiling`` for each row of ``counts``, stacked (resamples, ...); None if undefined."""
        rows = [self.ceiling(ceiling_data, row) for row in counts]
        return None if any(r is None for r in rows) else np.stack(rows)
