"""The independent fits of one benchmark (layers x splits) on a few threads, with the numbers of one.

A benchmark's protocol is hundreds of small, independent fits: allen_np.VISp's nested layer choice is
5 outer x 4 inner splits x 11 layers of kernel ridge, each a ~100 x 100 eigendecomposition and one
(25·n x n) @ (n x 1139) product. Each is too small for multi-threaded BLAS (its threads spin-wait:
measured 2x slower end to end on a loaded 2-core machine), but the fits can run side by side.

Every fit runs in a worker thread with one torch thread and one BLAS thread (the benchmark's
``threadpool_limits``), so a fit's arithmetic, and its rounding, is the same whatever the number
of workers: scores are bit for bit those of a one-thread run (tests/test_bootstrap.py checks it).
Workers: ``BRAINBENCH_SCORING_THREADS``, else the cores this process may use (at most 4); one on a
GPU (its kernels queue anyway) and inside a Dask worker (the cluster already runs cells side by side).
"""
from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable

from .errors import BrainbenchError

__all__ = ["FitPool", "scoring_threads"]

#: most workers a benchmark uses by default: beyond this the fits wait on memory bandwidth
MAX_DEFAULT_THREADS = 4


def scoring_threads(device: str = "cpu") -> int:
    """How many fits a benchmark runs side by side (see the module docstring)."""
    configured = os.environ.get("BRAINBENCH_SCORING_THREADS")
    if configured:
        try:
            threads = int(configured)
        except ValueError:
            threads = 0
        if threads < 1:
            raise BrainbenchError(f"BRAINBENCH_SCORING_THREADS={configured!r} is not a positive whole number. Fix: set it to 1, 2, … or unset it")
        return threads
    if str(device).startswith("cuda") or _in_dask_worker():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(MAX_DEFAULT_THREADS, cores))


def _in_dask_worker() -> bool:
    if "distributed" not in sys.modules:
        return False
    try:
        sys.modules["distributed"].get_worker()
    except (ValueError, AttributeError):
        return False
    return True


def _one_torch_thread() -> None:
    # per thread (OpenMP's nthreads is a per-thread setting): the caller's own threads are untouched
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)


class FitPool:
    """``map(fn, items)`` on ``threads`` worker threads, results in the order of ``items``.

    Always through workers, even with one thread, so every fit runs with one torch thread. On an
    exception or an interrupt in the caller (KeyboardInterrupt, --timeout), queued fits are cancelled
    and running ones finish on their own (each is milliseconds).
    """

    def __init__(self, threads: int | None = None, device: str = "cpu"):
        self.threads = threads or scoring_threads(device)
        self._executor: ThreadPoolExecutor | None = None

    def __enter__(self) -> FitPool:
        self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="brainbench-fit", initializer=_one_torch_thread)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=exc_type is None, cancel_futures=True)

    def map(self, fn: Callable, items: Iterable) -> list:
        if self._executor is None:
            raise RuntimeError("FitPool.map outside its `with` block")
        futures = [self._executor.submit(fn, item) for item in items]
        try:
            return [future.result() for future in futures]
        except BaseException:
            for future in futures:
                future.cancel()
            raise
