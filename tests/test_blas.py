"""single_threaded_blas: one BLAS thread inside (nested too), the original count after; all_cores_blas:
the original count inside, for products whose numbers do not depend on it."""
from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_info

import brainbench.ceiling as ceiling
from brainbench.blas import all_cores_blas, single_threaded_blas
from brainbench.bootstrap import stimulus_counts


def _blas_threads() -> set[int]:
    return {info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"}


def test_one_thread_inside_and_the_original_count_after():
    np.linalg.eigh(np.eye(3))  # numpy's BLAS loaded
    before = _blas_threads()
    assert before
    for _ in range(2):  # the controller is made once and serves every call
        with single_threaded_blas():
            assert _blas_threads() == {1}
            with single_threaded_blas():
                assert _blas_threads() == {1}
            with all_cores_blas():
                assert _blas_threads() == {max(before)}
            assert _blas_threads() == {1}
        assert _blas_threads() == before


def test_bootstrap_pearson_is_the_same_bit_for_bit_on_one_thread_and_on_all(monkeypatch):
    """The (resamples x stimuli) @ (stimuli x neuroids) products split their rows and columns among
    threads, never an element's sum: the resampled Pearson r cannot depend on the core count."""
    rng = np.random.default_rng(3)
    n, neuroids = 118, 1139  # the Neuropixels VISp shape
    observed = rng.standard_normal((n, neuroids))
    predicted = 0.5 * observed + rng.standard_normal((n, neuroids))
    predicted[:, 7] = 2.0  # a constant column: NaN on every resample, whatever the threads
    counts = stimulus_counts(n, 1000, 0)
    with single_threaded_blas():
        on_all_cores = ceiling.pearson_columns_many(predicted, observed, counts)
        monkeypatch.setattr(ceiling, "all_cores_blas", single_threaded_blas)
        on_one = ceiling.pearson_columns_many(predicted, observed, counts)
    assert np.isnan(on_one[:, 7]).all()
    assert np.array_equal(on_all_cores, on_one, equal_nan=True)
    # and the one-resample definition's r (to rounding: another order of the same sums) where it has one
    varying = np.arange(neuroids) != 7
    single = np.array([ceiling.pearson_columns(predicted, observed, row) for row in counts[:3]])
    assert np.allclose(on_one[:3, varying], single[:, varying], rtol=0, atol=1e-12)
