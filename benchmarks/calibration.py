"""Calibration of the paired comparison on simulated recordings, through the real benchmark.

    python benchmarks/calibration.py [--experiments 300] [--good 0.6] [--worse 1.0]

One simulated population (brainbench.testing); each experiment draws new stimuli and trial noise and
scores three fixed simulated models: a model and its twin (equally good by construction: their true
difference is exactly 0) and a worse one. Prints, over the experiments:
  - the true difference good - worse (mean over independent experiments scored without bootstrap);
  - coverage of that truth by the 95% interval of the paired difference, and how often the two are
    separated (p < 0.05 over stimuli and over animals);
  - how often the two equal models are called different (over stimuli, over animals, both), the
    coverage of 0, and the ratio of the mean bootstrap standard error to the actual standard
    deviation of the difference across experiments (1 = calibrated; < 1 = intervals too narrow).
"""
from __future__ import annotations

import argparse

import numpy as np

from brainbench.analysis import paired_difference
from brainbench.benchmark import Protocol
from brainbench.metrics.ridge import RidgeMetric
from brainbench.testing import SimulatedModel, SimulatedPopulation, simulated_benchmark, score_features


def _score(recording, features, n_bootstrap):
    protocol = Protocol(kind="kfold", n_splits=5, selection="nested", inner_splits=1, n_bootstrap=n_bootstrap)
    return score_features(simulated_benchmark(recording, RidgeMetric(), protocol), {"layer": features})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=300)
    parser.add_argument("--good", type=float, default=0.6)
    parser.add_argument("--worse", type=float, default=1.0)
    args = parser.parse_args()
    population = SimulatedPopulation(n_units=36, n_animals=6)
    good, worse_model = SimulatedModel(args.good, seed=1), SimulatedModel(args.worse, seed=2)
    truth = []
    for i in range(2 * args.experiments):
        latent, recording = population.draw(seed=50_000 + i)
        a = _score(recording, good.features(latent), 0)
        b = _score(recording, worse_model.features(latent), 0)
        truth.append(a["ceiled"] - b["ceiled"])
    true_difference = float(np.mean(truth))
    rows = []
    for i in range(args.experiments):
        latent, recording = population.draw(seed=1000 + i)
        a, twin, worse = (_score(recording, model.features(latent), 1000) for model in (good, good.twin(), worse_model))
        rows.append([paired_difference(a, twin, s) for s in ("stimuli", "subjects")] + [paired_difference(a, worse, s) for s in ("stimuli", "subjects")])
    eq_s, eq_a, df_s, df_a = (np.array(col) for col in zip(*rows))
    print(f"{args.experiments} experiments; true difference good - worse {true_difference:.4f} (s.e. {np.std(truth, ddof=1) / np.sqrt(len(truth)):.4f})")
    print(f"different models: 95% interval covers the truth in {np.mean([d.ci95[0] <= true_difference <= d.ci95[1] for d in df_s]):.1%}; "
          f"separated (stimuli and animals) in {np.mean([s.p < 0.05 and a.p < 0.05 for s, a in zip(df_s, df_a)]):.1%}; "
          f"bootstrap se / actual sd {np.mean([d.se for d in df_s]) / np.std([d.difference for d in df_s], ddof=1):.2f}")
    print(f"equal models: called different over stimuli {np.mean([d.p < 0.05 for d in eq_s]):.1%}, over animals {np.mean([d.p < 0.05 for d in eq_a]):.1%}, "
          f"both {np.mean([s.p < 0.05 and a.p < 0.05 for s, a in zip(eq_s, eq_a)]):.1%} (nominal 5%); interval covers 0 in "
          f"{np.mean([d.ci95[0] <= 0 <= d.ci95[1] for d in eq_s]):.1%}; bootstrap se / actual sd {np.mean([d.se for d in eq_s]) / np.std([d.difference for d in eq_s], ddof=1):.2f}")


if __name__ == "__main__":
    main()
