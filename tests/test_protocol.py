"""The protocol's nested layer selection: inner folds that are the other outer folds, each shared
training set fitted once, and the metric hooks that make that possible (``evaluate_many``,
``summarize_many_layers``) equal to the per-split and per-layer definitions they replace."""
from __future__ import annotations

import numpy as np
import pytest

from brainbench.benchmark import Protocol
from brainbench.bootstrap import stimulus_counts
from brainbench.ceiling import column_moments, pearson_columns_many
from brainbench.errors import PluginError
from brainbench.metric import Metric
from brainbench.metrics.pls import PLSMetric
from brainbench.metrics.ridge import RidgeMetric
from brainbench.ridge import gram_matrix
from brainbench.testing import SimulatedModel, SimulatedPopulation, score_features, simulated_benchmark

N = 60


def test_outer_folds_inner_splits_are_the_other_outer_folds():
    protocol = Protocol(kind="kfold", n_splits=5, inner_splits=4, inner_folds="outer_folds")
    outer = protocol.splits(N)
    for i, (train, test) in enumerate(outer):
        inner = protocol.inner(train, i, N)
        assert [tuple(t) for _, t in inner] == [tuple(t) for j, (_, t) in enumerate(outer) if j != i]
        assert np.array_equal(np.sort(np.concatenate([t for _, t in inner])), train)  # they partition the training stimuli
        for inner_train, inner_test in inner:
            assert not np.intersect1d(inner_train, test).size  # the outer test stimuli are never fitted on
            assert np.array_equal(np.sort(np.concatenate([inner_train, inner_test])), train)


def test_resplit_cuts_the_training_stimuli_anew_and_differs_from_outer_folds():
    protocol = Protocol(kind="kfold", n_splits=5, inner_splits=4)
    outer = protocol.splits(N)
    train, _ = outer[0]
    inner = protocol.inner(train, 0, N)
    assert np.array_equal(np.sort(np.concatenate([t for _, t in inner])), train)
    assert {tuple(t) for _, t in inner} != {tuple(t) for _, t in outer[1:]}


@pytest.mark.parametrize(
    "settings, phrase",
    [
        ({"kind": "leave_one_out"}, "kind 'leave_one_out'"),
        ({"selection": "best"}, "selection 'best'"),
        ({"inner_folds": "outer"}, "inner_folds 'outer'"),
        ({"inner_folds": "outer_folds", "n_splits": 5, "inner_splits": 3}, "inner_splits = n_splits - 1 = 4"),
        ({"inner_folds": "outer_folds", "kind": "shuffle", "n_splits": 5, "inner_splits": 4, "train_size": 30}, "kind='kfold'"),
    ],
)
def test_a_bad_protocol_is_refused_naming_the_setting(settings, phrase):
    with pytest.raises(PluginError, match="Protocol: ") as error:
        Protocol(**settings)
    assert phrase in str(error.value)


def test_config_names_inner_folds_only_when_it_is_not_the_default():
    assert "inner_folds" not in Protocol().as_dict()  # configs (and cached scores) of older protocols are unchanged
    assert Protocol(inner_folds="outer_folds").as_dict()["inner_folds"] == "outer_folds"


class CountingRidge(RidgeMetric):
    """Ridge that records every fit: (training stimuli, number of test sets predicted from it)."""

    def __init__(self):
        super().__init__()
        self.fits = []

    def evaluate_many(self, prepared, responses, train, tests):  # evaluate comes here too
        self.fits.append((tuple(train), len(tests)))
        return super().evaluate_many(prepared, responses, train, tests)


def _simulated(protocol):
    population = SimulatedPopulation(n_stimuli=N, n_units=24, n_animals=3, trial_noise=0.8)
    latent, recording = population.draw(seed=1)
    layers = {"good": SimulatedModel(noise=0.2, seed=3).features(latent), "noise": np.random.default_rng(2).standard_normal((N, 40))}
    metric = CountingRidge()
    result = score_features(simulated_benchmark(recording, metric, protocol), layers)
    return metric.fits, result


def test_outer_folds_fit_each_shared_training_set_once_and_choose_the_true_layer():
    fits, result = _simulated(Protocol(kind="kfold", n_splits=5, inner_splits=4, inner_folds="outer_folds", n_bootstrap=50))
    per_layer = len(fits) // 2
    assert per_layer == 5 + 10  # five outer fits and C(5, 2) inner ones (all stimuli but two folds), per layer
    inner = [f for f in fits if f[1] == 2]
    assert len(inner) == 2 * 10 and len({train for train, _ in inner}) == 10  # each serves two outer splits
    assert result["chosen_layer_per_split"] == ["good"] * 5


def test_resplit_fits_every_inner_split():
    fits, result = _simulated(Protocol(kind="kfold", n_splits=5, inner_splits=4, n_bootstrap=50))
    assert len(fits) == 2 * (5 + 20) and all(n == 1 for _, n in fits)
    assert result["chosen_layer_per_split"] == ["good"] * 5


@pytest.mark.parametrize("metric", [RidgeMetric(), PLSMetric()], ids=["ridge", "pls"])
def test_evaluate_many_equals_evaluate_per_test_set(metric):
    rng = np.random.default_rng(4)
    features = rng.standard_normal((N, 30))
    responses = features[:, :7] + rng.standard_normal((N, 7))
    prepared = metric.prepare(features)
    train, tests = np.arange(20, N), [np.arange(0, 8), np.arange(8, 20)]
    many = metric.evaluate_many(prepared, responses, train, tests)
    loop = Metric.evaluate_many(metric, prepared, responses, train, tests)
    for got, want in zip(many, loop):
        assert np.array_equal(got["test"], want["test"])
        assert np.allclose(got["prediction"], want["prediction"], rtol=1e-12, atol=1e-12)
        for key in set(want) - {"test", "prediction"}:
            assert np.array_equal(got[key], want[key])


def test_ridge_summarize_many_layers_is_the_per_layer_summary_bit_for_bit():
    rng = np.random.default_rng(5)
    responses = rng.standard_normal((N, 9))
    responses[:, 2] = 1.0  # a constant neuroid: NaN either way
    metric = RidgeMetric()
    protocol = Protocol(kind="kfold", n_splits=4)
    layers = [[metric.evaluate(gram_matrix(rng.standard_normal((N, 20))), responses, tr, te) for tr, te in protocol.splits(N)] for _ in range(3)]
    counts = stimulus_counts(N, 40, 3)
    shared = list(metric.summarize_many_layers(layers, responses, counts))
    for got, outputs in zip(shared, layers):
        assert np.array_equal(got, metric.summarize_many(outputs, responses, counts)["pearson_r"], equal_nan=True)


def test_pearson_with_shared_moments_is_bit_identical():
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal((N, 11)), rng.standard_normal((N, 11))
    a[:, 1] = 2.0
    counts = stimulus_counts(N, 30, 1)
    assert np.array_equal(pearson_columns_many(a, b, counts), pearson_columns_many(a, None, None, column_moments(b, counts)), equal_nan=True)


# -- repeated K-fold ---------------------------------------------------------------------------------
def test_repeats_draw_new_fold_assignments_after_the_first():
    single = Protocol(kind="kfold", n_splits=5).splits(N)
    repeated = Protocol(kind="kfold", n_splits=5, repeats=3).splits(N)
    assert len(repeated) == 15
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(single, repeated[:5]))  # repeat 0 is the single assignment
    for r in range(3):
        tests = [t for _, t in repeated[5 * r : 5 * r + 5]]
        assert np.array_equal(np.sort(np.concatenate(tests)), np.arange(N))  # each repeat partitions the stimuli
    assert {tuple(t) for _, t in repeated[5:10]} != {tuple(t) for _, t in repeated[:5]}


def test_outer_folds_of_a_repeat_are_its_own_other_folds():
    protocol = Protocol(kind="kfold", n_splits=5, inner_splits=4, inner_folds="outer_folds", repeats=2)
    outer = protocol.splits(N)
    train, _ = outer[7]
    inner = protocol.inner(train, 7, N)
    assert [tuple(t) for _, t in inner] == [tuple(outer[j][1]) for j in (5, 6, 8, 9)]


def test_ridge_pools_each_repeat_and_averages_the_repeats():
    from brainbench.metrics.ridge import _groups

    outputs = [{"test": te, "prediction": np.ones((len(te), 2))} for _, te in Protocol(kind="kfold", n_splits=4, repeats=3).splits(N)]
    groups = _groups(outputs)
    assert len(groups) == 3 and all(np.array_equal(np.sort(test), np.arange(N)) for test, _ in groups)
    shuffled = [{"test": te, "prediction": np.ones((len(te), 2))} for _, te in Protocol(kind="shuffle", n_splits=3, train_size=40).splits(N)]
    assert [len(t) for t, _ in _groups(shuffled)] == [20, 20, 20]  # overlapping random splits: one group each


@pytest.mark.parametrize("settings, phrase", [
    ({"repeats": 0}, "repeats must be a whole number >= 1"),
    ({"repeats": 2, "kind": "shuffle", "train_size": 30}, "needs kind='kfold' and selection='nested'"),
    ({"repeats": 2, "selection": "held_out_splits"}, "needs kind='kfold' and selection='nested'"),
])
def test_bad_repeats_are_refused(settings, phrase):
    with pytest.raises(PluginError, match=phrase):
        Protocol(**settings)


def test_repeats_shrink_the_spread_that_the_split_assignment_adds():
    """The score of one fixed model on one recording, over 12 split seeds: averaging 4 assignments
    should roughly halve its standard deviation (1/sqrt(4)); required: below 0.75 of the single one."""
    population = SimulatedPopulation(n_stimuli=N, n_units=30, n_animals=3, trial_noise=1.0)
    latent, recording = population.draw(seed=4)
    layers = {"layer": SimulatedModel(noise=0.8, seed=5).features(latent)}

    def spread(repeats):
        scores = [score_features(simulated_benchmark(recording, RidgeMetric(), Protocol(kind="kfold", n_splits=5, inner_splits=1, seed=s,
                                                                                         repeats=repeats, n_bootstrap=10)), layers)["raw"]
                  for s in range(12)]
        return np.std(scores, ddof=1)

    single, repeated = spread(1), spread(4)
    assert 0 < repeated < 0.75 * single, (single, repeated)
