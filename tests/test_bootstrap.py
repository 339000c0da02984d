"""The batched bootstrap (``summarize_many``/``ceiling_many``) equals the per-resample loop it replaces,
and the stored resamples are what a later paired comparison needs: the same draws for every model."""
from __future__ import annotations

import numpy as np
import pytest

from brainbench.bootstrap import decode, decode_index, encode, encode_index, interval, stimulus_counts, subject_counts
from brainbench.ceiling import SplitHalves, pearson_columns, pearson_columns_many
from brainbench.metric import Metric
from brainbench.metrics.ridge import RidgeMetric
from brainbench.metrics.rsa import FixedRDM, RSAMetric
from brainbench.metrics.rsa.rdm import rdm_from_features
from brainbench.ridge import gram_matrix

RNG = np.random.default_rng(7)
N, UNITS, B = 60, 9, 25


def _loop(metric, outputs, responses, counts):
    """What the default hooks of the base class compute: one resample at a time."""
    return Metric.summarize_many(metric, outputs, responses, counts)[metric.primary]


def _features_and_responses():
    features = RNG.normal(size=(N, 30))
    responses = features[:, :UNITS] + RNG.normal(size=(N, UNITS))
    return features, responses


def test_counts_are_draws_with_replacement_and_reproducible():
    counts = stimulus_counts(50, 40, seed=3)
    assert counts.shape == (40, 50) and (counts.sum(axis=1) == 50).all() and counts.min() >= 0
    assert (counts == stimulus_counts(50, 40, seed=3)).all()  # every model gets the same resamples
    assert not (counts == stimulus_counts(50, 40, seed=4)).all()
    # each stimulus is drawn on average once per resample
    assert abs(stimulus_counts(30, 4000, seed=0).mean() - 1.0) < 0.01
    assert subject_counts(5, 3, 1).sum(axis=1).tolist() == [5, 5, 5]


def test_pearson_many_equals_loop_and_constant_columns_are_nan():
    a = RNG.normal(size=(N, UNITS))
    b = a + RNG.normal(size=(N, UNITS))
    counts = stimulus_counts(N, B, 1)
    loop = np.stack([pearson_columns(a, b, row) for row in counts])
    assert np.max(np.abs(pearson_columns_many(a, b, counts) - loop)) < 1e-12
    b[:, 0] = 3.0
    assert np.isnan(pearson_columns_many(a, b, counts)[:, 0]).all()


@pytest.mark.parametrize("primary", ["pearson_r", "r2"])
@pytest.mark.parametrize("kind", ["kfold", "shuffle"])
def test_ridge_summarize_many_equals_loop(primary, kind):
    from brainbench.benchmark import Protocol

    features, responses = _features_and_responses()
    metric = RidgeMetric(primary=primary)
    protocol = Protocol(kind=kind, n_splits=4, train_size=40)
    outputs = [metric.evaluate(gram_matrix(features), responses, tr, te) for tr, te in protocol.splits(N)]
    counts = stimulus_counts(N, B, 2)
    many = metric.summarize_many(outputs, responses, counts)[primary]
    assert many.shape == (B, UNITS)
    assert np.nanmax(np.abs(many - _loop(metric, outputs, responses, counts))) < 1e-10


def test_split_half_reliability_many_equals_loop():
    trials = RNG.normal(size=(6, N, UNITS)) + RNG.normal(size=(1, N, UNITS))
    halves = SplitHalves(trials, n_splits=5, seed=0)
    counts = stimulus_counts(N, B, 3)
    loop = np.stack([halves.reliability(row) for row in counts])
    assert np.max(np.abs(halves.reliability_many(counts) - loop)) < 1e-10
    metric = RidgeMetric()
    assert np.max(np.abs(metric.ceiling_many(halves, counts) - Metric.ceiling_many(metric, halves, counts))) < 1e-10


def test_rsa_pearson_summarize_many_equals_loop():
    features, responses = _features_and_responses()
    metric = RSAMetric(comparator="pearson")
    recorded = FixedRDM(rdm_from_features(responses))
    model_rdm = metric.prepare(features)
    outputs = [metric.evaluate(model_rdm, recorded, None, test) for test in (np.arange(0, N, 2), np.arange(1, N, 2))]
    counts = stimulus_counts(N, B, 4)
    many = metric.summarize_many(outputs, recorded, counts)["pearson"]
    assert many.shape == (B, 1)
    assert np.max(np.abs(many - _loop(metric, outputs, recorded, counts))) < 1e-10


def test_samples_survive_encoding_to_float32_precision():
    samples = RNG.normal(0.3, 0.05, size=1000)
    samples[3] = np.nan
    back = decode(encode(samples))
    assert np.isnan(back[3]) and np.nanmax(np.abs(back - samples)) < 1e-7
    assert len(encode(samples)) < 5400  # 1,000 samples in about 5.3 kB
    assert decode_index(encode_index([0, 3, 20])).tolist() == [0, 3, 20]
    assert interval([np.nan, np.nan]) is None


@pytest.mark.parametrize("how", ["median", "mean"])
def test_weighted_aggregate_equals_repeating_the_values(how):
    from brainbench.benchmark import weighted_aggregate

    values = RNG.normal(size=23)
    values[[2, 9]] = np.nan
    weights = subject_counts(23, 50, 5)
    weights[0] = 0  # a resample with nothing drawn: NaN
    expected = [np.nan] + [(np.nanmedian if how == "median" else np.nanmean)(np.repeat(values, w)) for w in weights[1:]]
    got = weighted_aggregate(values, weights, how)
    assert np.isnan(got[0]) and np.max(np.abs(got[1:] - np.asarray(expected[1:]))) < 1e-12


def test_model_independent_parts_are_cached_per_benchmark_and_change_nothing(tmp_path, monkeypatch):
    """The inter-animal consistency, the ceiling and the ceiling on every resample are the same for every
    model: the second model (and every re-score) reads them from the store, never averages the repeat
    halves again, and the scores are identical."""
    import brainbench.ceiling as ceiling_module
    from brainbench.benchmark import Protocol
    from brainbench.store import Store
    from brainbench.testing import SimulatedModel, SimulatedPopulation, simulated_benchmark

    latent, recording = SimulatedPopulation(n_units=20, n_animals=4).draw(seed=3)
    protocol = Protocol(kind="kfold", n_splits=3, inner_splits=2, n_bootstrap=100, inter_animal_ceiling=True)
    store = Store(tmp_path / "cache")
    features = {"a": SimulatedModel(0.5, 1).features(latent), "b": SimulatedModel(1.0, 2).features(latent)}

    def run(cache):
        bench = simulated_benchmark(recording, RidgeMetric(), protocol)
        prepared = {name: bench.metric.prepare(f) for name, f in features.items()}
        entry = bench.run(prepared, list(features), cache=cache)
        return {k: v for k, v in entry.items() if k != "seconds"}

    uncached = run(None)
    first = run(store)
    halves_computed = []
    original = ceiling_module._split_half_means
    monkeypatch.setattr(ceiling_module, "_split_half_means", lambda *a: halves_computed.append(1) or original(*a))
    second = run(store)
    assert halves_computed == []  # the stored ceilings served the second run
    parts = list((tmp_path / "cache" / "benchmark_parts").rglob("*.json"))
    assert len([p for p in parts if not p.name.endswith(".meta.json")]) == 3  # consistency, point ceiling, resample ceilings
    assert first == uncached and second == uncached
    assert uncached["ceiling_inter_animal"] is not None and uncached["ceiled_inter_animal"] is not None


@pytest.mark.parametrize("metric_name", ["ridge", "rsa"])
def test_ceilings_are_shared_across_split_seeds_only_where_they_ignore_the_splits(metric_name, tmp_path, monkeypatch):
    """A per-neuroid metric's ceilings (on all stimuli and on every stimulus resample) never look at the
    train/test splits: a protocol that differs only in its seed (``brainbench analyze splits``) reads
    them from the store. A population metric's ceilings are computed on the reported test stimuli, so
    another seed computes its own. Either way every number is the one an uncached run gives."""
    from dataclasses import replace

    import brainbench.ceiling as ceiling_module
    from brainbench.benchmark import Benchmark, Protocol
    from brainbench.store import Store
    from brainbench.testing import SimulatedModel, SimulatedPopulation, simulated_benchmark

    latent, recording = SimulatedPopulation(n_units=24, n_animals=4).draw(seed=7)
    protocol = Protocol(kind="kfold", n_splits=4, selection="held_out_splits", n_bootstrap=200)
    store = Store(tmp_path / "cache")
    features = {"a": SimulatedModel(0.5, 1).features(latent), "b": SimulatedModel(1.0, 2).features(latent)}
    make = {"ridge": RidgeMetric, "rsa": RSAMetric}[metric_name]

    def run(seed, cache):
        bench = simulated_benchmark(recording, make(ceiling_splits=4), replace(protocol, seed=seed))
        entry = bench.run({name: bench.metric.prepare(f) for name, f in features.items()}, list(features), cache=cache)
        return {k: v for k, v in entry.items() if k != "seconds"}

    run(0, store)  # seed 0 fills the store
    computed = []
    halves, resampled = ceiling_module._split_half_means, Benchmark._aggregated_ceilings
    monkeypatch.setattr(ceiling_module, "_split_half_means", lambda *a: computed.append("halves") or halves(*a))
    monkeypatch.setattr(Benchmark, "_aggregated_ceilings", lambda *a: computed.append("resampled") or resampled(*a))
    seed_1 = run(1, store)
    monkeypatch.undo()
    assert seed_1 == run(1, None)
    if metric_name == "ridge":
        assert computed == []  # both ceilings came from seed 0's run
    else:
        assert "resampled" in computed  # its own, on seed 1's test stimuli, which differ from seed 0's
        assert run(0, None)["ceiling"] != seed_1["ceiling"]


@pytest.mark.parametrize("metric_name", ["rsa", "cka"])
def test_population_subject_resample_ceilings_are_cached_and_change_nothing(metric_name, tmp_path, monkeypatch):
    """RSA and CKA rebuild the recorded population and its ceiling from each subject resample. The
    ceilings do not depend on the model: the second model reads them from the store (no population
    ceiling is rebuilt), and every number is the one an uncached run gives."""
    from brainbench.benchmark import Benchmark, Protocol
    from brainbench.metrics.cka import CKAMetric
    from brainbench.store import Store
    from brainbench.testing import SimulatedModel, SimulatedPopulation, simulated_benchmark

    latent, recording = SimulatedPopulation(n_units=24, n_animals=4).draw(seed=5)
    protocol = Protocol(kind="kfold", n_splits=4, selection="held_out_splits", n_bootstrap=200)
    store = Store(tmp_path / "cache")
    make = {"rsa": RSAMetric, "cka": CKAMetric}[metric_name]

    def run(features, cache):
        bench = simulated_benchmark(recording, make(ceiling_splits=4), protocol)
        prepared = {name: bench.metric.prepare(f) for name, f in features.items()}
        entry = bench.run(prepared, list(features), cache=cache)
        return {k: v for k, v in entry.items() if k != "seconds"}

    model_a = {"a1": SimulatedModel(0.5, 1).features(latent), "a2": SimulatedModel(1.0, 2).features(latent)}
    model_b = {"b1": SimulatedModel(0.2, 3).features(latent)}
    uncached_b = run(model_b, None)
    assert run(model_a, store) == run(model_a, None)  # the first model fills the store
    rebuilt = []
    original = Benchmark._subject_resample_ceilings
    monkeypatch.setattr(Benchmark, "_subject_resample_ceilings", lambda *a: rebuilt.append(1) or original(*a))
    cached_b = run(model_b, store)
    assert rebuilt == []  # the second model's subject bootstrap used the stored ceilings
    assert cached_b == uncached_b
    assert uncached_b["ci95_subjects"]["ceiled"] is not None and np.isfinite(uncached_b["ci95_subjects"]["ceiled"]).all()


def test_nanmedian_rows_is_numpys_nanmedian_bit_for_bit():
    """The bootstrap's median over neuroids (one sort) equals np.nanmedian(axis=-1) exactly: NaN ignored,
    even and odd counts, infinities, all-NaN rows (NaN)."""
    import warnings

    from brainbench.benchmark import nanmedian_rows

    rng = np.random.default_rng(11)
    for trial in range(300):
        values = rng.normal(size=(int(rng.integers(1, 20)), int(rng.integers(1, 700))))
        values[rng.random(values.shape) < rng.random()] = np.nan
        values[rng.random(values.shape) < 0.02 * (trial % 3)] = np.inf
        values[rng.random(values.shape) < 0.02 * (trial % 2)] = -np.inf
        values[0] = np.nan if trial % 5 == 0 else values[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            expected = np.nanmedian(values, axis=-1)
        got = nanmedian_rows(values)
        assert np.array_equal(got, expected, equal_nan=True), trial
