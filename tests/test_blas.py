"""single_threaded_blas: one BLAS thread inside (nested too), the original count after."""
from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_info

from brainbench.blas import single_threaded_blas


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
        assert _blas_threads() == before
