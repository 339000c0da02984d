"""Simulated recordings with a known ground truth, for tests and calibration benchmarks.

``SimulatedPopulation`` fixes the neurons (their tuning to a latent stimulus space and the animal
each belongs to); each call of ``draw`` is a new experiment on that population: new stimuli, new
trial noise. A simulated model is the latent stimulus seen through its own stimulus-specific noise
(``model_noise``: larger means a worse model), so two models with equal noise are equally good by
construction and their true difference is exactly 0.

Everything runs through the real ``Benchmark`` (splits, honest layer selection, ceilings, the stored
bootstrap resamples), so what is checked is what users get.
"""
from __future__ import annotations

from dataclasses import dataclass, field

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


def model_features(latent: np.ndarray, model_noise: float, seed: int) -> np.ndarray:
    """A simulated model's layer: the latent stimulus plus the model's own stimulus-specific noise,
    mixed into more features than latent dimensions (a fixed random expansion per model seed)."""
    rng = np.random.default_rng(seed)
    noisy = latent + model_noise * rng.standard_normal(latent.shape)
    expansion = np.random.default_rng(1000 + seed).standard_normal((latent.shape[1], 4 * latent.shape[1]))
    return noisy @ expansion


def simulated_benchmark(recording, metric, protocol: Protocol | None = None) -> Benchmark:
    dataset = Dataset("simulated", recording, stimuli=None)
    protocol = protocol or Protocol(kind="kfold", n_splits=5, selection="nested", inner_splits=1)
    return Benchmark("simulated.area." + metric.name, "1", dataset, "area", metric, protocol)


def score_features(benchmark: Benchmark, layers: dict[str, np.ndarray]) -> dict:
    """Run the benchmark on named feature arrays (stimulus, feature), as if they were a model's layers."""
    prepared = {name: benchmark.metric.prepare(features) for name, features in layers.items()}
    return benchmark.run(prepared, list(layers))
