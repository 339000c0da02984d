"""Simulated recordings with a known ground truth, for tests and calibration benchmarks.

``SimulatedPopulation`` fixes the neurons (their tuning to a latent stimulus space and the animal
each belongs to); each call of ``draw`` is a new experiment on that population: new stimuli, new
trial noise. A simulated model (``SimulatedModel``) is a fixed function of the latent stimulus, the
stimulus plus an idiosyncratic nonlinear part (``noise``: larger means a worse model); a model and
its ``twin`` are equally good by construction, so their true difference is exactly 0.

Everything runs through the real ``Benchmark`` (splits, honest layer selection, ceilings, the stored
bootstrap resamples), so what is checked is what users get.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .benchmark import Benchmark, Dataset, Protocol
from .recording import make_recording


@dataclass
class SimulatedPopulation:
    n_stimuli: int = 118
    n_units: int = 60
    n_animals: int = 6
    n_repeats: int = 10
    latent_dim: int = 12
    trial_noise: float = 1.5  # s.d. of single-trial noise relative to the mean response's s.d.
    seed: int = 0
    tuning: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        rng = np.random.default_rng(self.seed)
        self.tuning = rng.standard_normal((self.latent_dim, self.n_units)) / np.sqrt(self.latent_dim)

    def draw(self, seed: int) -> tuple[np.ndarray, "xarray.DataArray"]:  # noqa: F821
        """A new experiment: (latent stimuli, recording) with fresh stimuli and trial noise."""
        rng = np.random.default_rng(seed)
        latent = rng.standard_normal((self.n_stimuli, self.latent_dim))
        mean = latent @ self.tuning
        trials = mean[None] + self.trial_noise * rng.standard_normal((self.n_repeats, *mean.shape))
        ids = [f"s{i}" for i in range(self.n_stimuli)]
        coords = {
            "neuroid_id": [f"u{i}" for i in range(self.n_units)],
            "region": ["area"] * self.n_units,
            "subject": [f"animal{i % self.n_animals}" for i in range(self.n_units)],
        }
        return latent, make_recording(trials, ids, coords)


@dataclass(frozen=True)
class SimulatedModel:
    """A deterministic simulated network: the latent stimulus plus an idiosyncratic nonlinear function
    of it (``noise`` times unit-variance tanh features of a fixed random mixing), expanded into four
    times as many features by a fixed random matrix. The model is the same in every experiment;
    only the stimuli change.

    ``twin()`` is an equally good, different model: the same idiosyncrasy with its sign flipped. Since
    latent stimuli and trial noise are symmetric about 0, the twin's features and the responses have
    the same joint distribution as the original's (up to a sign of both), so their true scores are
    exactly equal.
    """

    noise: float
    seed: int
    flip: bool = False

    def features(self, latent: np.ndarray) -> np.ndarray:
        dim = latent.shape[1]
        rng = np.random.default_rng(self.seed)
        mixing = rng.standard_normal((dim, dim)) / np.sqrt(dim)
        expansion = rng.standard_normal((dim, 4 * dim)) / np.sqrt(dim)
        idiosyncrasy = np.tanh(latent @ mixing) / _TANH_SD
        return (latent + (-1 if self.flip else 1) * self.noise * idiosyncrasy) @ expansion

    def twin(self) -> "SimulatedModel":
        return replace(self, flip=not self.flip)


_TANH_SD = 0.6278  # standard deviation of tanh(x), x ~ N(0, 1)


def simulated_benchmark(recording, metric, protocol: Protocol | None = None) -> Benchmark:
    dataset = Dataset("simulated", recording, stimuli=None)
    protocol = protocol or Protocol(kind="kfold", n_splits=5, selection="nested", inner_splits=1)
    return Benchmark("simulated.all." + metric.name, "1", dataset, "all", metric, protocol)


def score_features(benchmark: Benchmark, layers: dict[str, np.ndarray]) -> dict:
    """Run the benchmark on named feature arrays (stimulus, feature), as if they were a model's layers."""
    prepared = {name: benchmark.metric.prepare(features) for name, features in layers.items()}
    return benchmark.run(prepared, list(layers))
