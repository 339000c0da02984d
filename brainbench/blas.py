"""numpy's and scipy's BLAS held at one thread for small stimulus x stimulus algebra, and given back
every core for the few products that are big enough to use them.

Multi-threaded BLAS only spin-waits on ~100 x 100 matrices (measured 2x slower end to end on a loaded
2-core machine, 40x for PLS), and a LAPACK eigendecomposition of 94 x 94 gives other last bits on two
threads than on one, so the fits always run on one. ``threadpoolctl.threadpool_limits`` re-scans the
process's shared libraries on every call (3 ms here: 0.55 s of a PLS re-score's 165 fits); the
controller that scan builds is made once, at the first call, when numpy, scipy and torch are loaded.
torch's own thread pool (OpenMP) is a separate setting, never changed here.

The bootstrap's (resamples x stimuli) @ (stimuli x neuroids) products are large (1000 x 118 x 1,139:
0.27 GFLOP each, 36 of them in a ridge re-score); ``all_cores_blas`` runs them on the BLAS's own
thread count (measured 46 -> 89 GFLOP/s on 2 cores). A matrix product splits its rows and columns
among threads, never the sum that forms one element, so its numbers do not depend on the thread
count (tests/test_blas.py checks it); an eigendecomposition's do, which is why it never runs there.

Known limit: with the OpenBLAS numpy ships here (0.3.31), once the main thread has set a thread count,
a count set from another thread is not used by that thread's calls (measured: a worker's 94 x 94
eigendecomposition then has the two-thread last bits). Engine tasks on threads (``--executor dask``
in-process) can so differ from a serial run in the last bits; tests/test_executor.py allows 1e-12
and requires every choice (alphas, layers) to agree. The counts are the process's, not a thread's:
a cell entering or leaving either context on one worker thread sets them for the other cells' calls
too (only their last bits, never a product's: see above).
"""
from __future__ import annotations

from functools import lru_cache

__all__ = ["all_cores_blas", "single_threaded_blas"]


@lru_cache(maxsize=1)
def _controller():
    import scipy.linalg  # noqa: F401  (loads scipy's own OpenBLAS before the scan)
    from threadpoolctl import ThreadpoolController

    controller = ThreadpoolController()
    # the thread count each BLAS had before brainbench limited it (its default, or the user's setting)
    return controller, max([lib.num_threads for lib in controller.select(user_api="blas").lib_controllers], default=1)


def single_threaded_blas():
    """A context manager: inside it, every BLAS library numpy and scipy use runs on one thread."""
    return _controller()[0].limit(limits=1, user_api="blas")


def all_cores_blas():
    """A context manager: inside it (even within ``single_threaded_blas``), the BLAS libraries run on
    the thread count they had before brainbench first limited them. For matrix products only."""
    controller, threads = _controller()
    return controller.limit(limits=threads, user_api="blas")
