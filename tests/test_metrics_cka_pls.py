"""CKA and PLS on the real Neuropixels data, selectable per benchmark (``--metric cka|pls``)."""
from __future__ import annotations

import numpy as np
import pytest

from brainbench.scoring import score


@pytest.fixture(scope="module")
def pixels_scores(registry, shared_data, store):
    result = score("pixels", benchmarks=["allen_np.VISp.cka", "allen_np.VISp.pls"], data_dir=shared_data, store=store, registry=registry, progress=False, log=lambda m: None)
    assert not result["failed"], result["failed"]
    return {s["metric"]: s for s in result["scores"]}


def test_metrics_are_selectable_per_benchmark(registry):
    names = registry.benchmark_names(modality="vision", metric="cka")
    assert "allen_np.VISp.cka" in names and not any(n.startswith("allen_2p_rdm") for n in names)
    assert "allen_np.VISam.pls" in registry.benchmark_names(modality="vision", metric="pls")


def test_cka_on_neuropixels(pixels_scores):
    entry = pixels_scores["cka"]
    assert entry["score_name"] == "cka"
    assert 0.1 < entry["raw"] < 0.45  # pixels: measured 0.25 (VISl)
    assert 0.9 < entry["ceiling"] <= 1.0
    assert entry["ci95_subjects"]["ceiled"][0] < entry["ceiled"] < entry["ci95_subjects"]["ceiled"][1]
    assert entry["ceiling_inter_animal"] is not None


def test_pls_on_neuropixels_is_a_per_unit_mapping_like_ridge(pixels_scores):
    entry = pixels_scores["pls"]
    assert entry["score_name"] == "pearson_r"
    assert entry["n_neuroids"] == 1139  # every VISp unit scored
    assert 0.03 < entry["raw"] < 0.3  # pixels: measured 0.12 (VISl)
    assert 0.85 < entry["ceiling"] < 1.0  # same split-half ceiling as ridge
    low, high = entry["ci95_stimuli"]["ceiled"]
    assert low < entry["ceiled"] < high
    assert 0 < entry["ceiling_inter_animal"] < 1
    assert np.isfinite(entry["ceiled_inter_animal"])


def test_cka_on_every_resample_at_once_is_the_loop():
    """cka_debiased_many (the bootstrap's CKA without replicated matrices) equals cka_debiased row by
    row: stimulus resamples with copies (never paired with each other), a split's test mask, fewer than
    four copies (NaN); and the metric's summarize_many and ceiling_many equal the default loops."""
    from brainbench.bootstrap import stimulus_counts
    from brainbench.metric import Metric
    from brainbench.metrics.cka import CKAMetric, cka_debiased, cka_debiased_many
    from brainbench.metrics.rsa.population import SubjectPooled

    rng = np.random.default_rng(0)
    n = 60
    x = rng.standard_normal((n, 200)) + 2.0
    y = x[:, :30] @ rng.standard_normal((30, 40)) + 3 * rng.standard_normal((n, 40))
    k, l = x @ x.T, y @ y.T
    counts = stimulus_counts(n, 200, 1).astype(float)
    mask = np.zeros(n)
    mask[::3] = 1
    few = np.zeros((2, n))
    few[0, :3], few[1, :2] = 1, 2  # three copies: NaN; two stimuli twice: four copies, two pairs each
    for weights in (counts, counts * mask, few, np.ones((1, n))):
        loop = np.array([cka_debiased(k, l, row) for row in weights])
        np.testing.assert_allclose(cka_debiased_many(k, l, weights), loop, rtol=0, atol=1e-12)
    assert np.isnan(cka_debiased_many(k, l, few)[0]) and np.isfinite(cka_debiased_many(k, l, few)[1])

    metric = CKAMetric()
    outputs = [metric.evaluate(k, None, None, np.arange(0, n, 2)), metric.evaluate(k, None, None, np.arange(1, n, 2))]
    target = SubjectPooled({"gram": l[None]}, lambda s: s["gram"])
    np.testing.assert_allclose(metric.summarize_many(outputs, target, counts)["cka"], Metric.summarize_many(metric, outputs, target, counts)["cka"], atol=1e-12)
    halves = SubjectPooled({"gram": np.stack([np.stack([l, k + l])] * 3)[None]}, lambda s: s["gram"], n_repetitions=10)
    np.testing.assert_allclose(metric.ceiling_many(halves, counts), Metric.ceiling_many(metric, halves, counts), atol=1e-12)


def test_pls_top_eigenvector_is_scipy_eigh_bit_for_bit():
    """The direct LAPACK call behind each PLS component gives scipy.linalg.eigh's top eigenvector
    exactly (same driver, arguments and work sizes), on full-rank, rank-deficient and tied matrices of
    the sizes a fit meets."""
    import scipy.linalg

    from brainbench.metrics.pls import _top_eigenvector_solver

    rng = np.random.default_rng(3)
    for n in (1, 2, 23, 70, 94, 117):
        x = rng.standard_normal((n, max(1, n // 3)))
        for matrix in (rng.standard_normal((n, n + 5)) @ rng.standard_normal((n, n + 5)).T, x @ x.T, np.eye(n)):
            matrix = (matrix + matrix.T) / 2
            expected = scipy.linalg.eigh(matrix, subset_by_index=[n - 1, n - 1], check_finite=False)[1][:, 0]
            np.testing.assert_array_equal(_top_eigenvector_solver(n)(matrix), expected)
