"""Multi-target ridge regression in kernel (dual) form, with a per-target regularisation chosen by
exact leave-one-out on the training stimuli.

Why kernel form: brain benchmarks have few stimuli (n ~ 100) and many features (p up to 10^6), so
the n x n Gram matrix is the cheap object. One Gram matrix per layer serves every split (training and
test blocks are sub-matrices, re-centred on the training mean); one eigendecomposition per split
serves every candidate alpha and every target (LOO residuals come in closed form from the hat
matrix). With a linear kernel this is exactly primal ridge with an unpenalised intercept, and it
gives the same predictions as scikit-learn ``RidgeCV(alpha_per_target=True)`` (checked in
tests/test_ridge.py and benchmarks/mapping.py).

Cost per split, n training stimuli, t targets, A alphas: one n x n eigh, and one (A·n x n) @ (n x t)
product that yields the LOO residuals of every alpha and target at once. Targets are processed in
blocks (on CPU of about ``LOO_BLOCK_BYTES``; never more than ``target_batch``), so memory stays within
A·n·batch floats.

Everything runs in torch (float64), so the same code runs on CUDA when a device is given.
"""
from __future__ import annotations

import contextlib
import mmap
import os

import numpy as np
import torch

#: Candidate regularisations, relative to the mean eigenvalue of the training Gram matrix, so the
#: grid is scale-free across layers (a layer's activations can differ in scale by 10^4).
RELATIVE_ALPHAS = np.logspace(-3, 5, 25)

#: the LOO residual block (alphas x training stimuli x targets, float64) is kept about this size, so
#: it stays in a core's L2 cache between the product that writes it and the sum that reads it: 8%
#: faster end to end on a re-score here than one 64 MB block, bit for bit the same numbers (each
#: target's residuals come from the same products whatever the block).
LOO_BLOCK_BYTES = 2 << 20


def gram_matrix(features: np.ndarray, chunk_columns: int = 1 << 14, device: str | torch.device = "cpu") -> np.ndarray:
    """X Xᵀ of column-centred features, accumulated in float64 over column chunks, in one pass.

    A chunk holds whole columns, so it is centred exactly on its own column means before the product
    (no second pass over a memory-mapped layer). Centring only improves precision: every split
    re-centres on its own training mean, and centring is shift-invariant. Memory: one (n, chunk)
    float64 block at a time (16k columns x 118 stimuli = 15 MB), whatever the layer's width.
    """
    n, p = features.shape
    gram = torch.zeros((n, n), dtype=torch.float64, device=device)
    with _column_reader(features) as read_columns:
        for start in range(0, p, chunk_columns):
            # in the stored dtype (half the bytes to move to a GPU), widened to float64 on the device
            chunk = read_columns(start, min(start + chunk_columns, p))
            block = torch.from_numpy(chunk).to(device).to(torch.float64)
            block -= block.mean(dim=0, keepdim=True)
            gram.addmm_(block, block.T)
    return gram.cpu().numpy()


@contextlib.contextmanager
def _column_reader(features):
    """A function (start, stop) -> copy of those columns, reading a stored file without mapping it.

    Why not slice the memory map: touching one element per row maps whole multi-megabyte page-cache
    folios on current kernels (measured here: a 16k-column chunk of a 401k-column layer mapped the
    entire 181 MiB file), so the resident set grows to the whole layer. One positioned read per row
    into a private buffer keeps it at one chunk. Anything else (an in-memory array) is sliced.
    """
    is_stored_file = (
        isinstance(features, np.memmap)
        and isinstance(features.base, mmap.mmap)  # the whole file's array, not a view into it
        and features.ndim == 2
        and features.flags.c_contiguous
        and features.filename is not None
    )
    if not is_stored_file or not hasattr(os, "preadv"):
        yield lambda start, stop: np.array(features[:, start:stop], copy=True)
        return
    n, p = features.shape
    itemsize = features.dtype.itemsize
    fd = os.open(features.filename, os.O_RDONLY)

    def read_columns(start, stop):
        out = np.empty((n, stop - start), dtype=features.dtype)
        for row in range(n):
            offset = features.offset + (row * p + start) * itemsize
            if os.preadv(fd, [out[row]], offset) != out[row].nbytes:
                raise OSError(f"short read from {features.filename}: the stored activations are truncated")
        return out

    try:
        yield read_columns
    finally:
        os.close(fd)


def centre_split(gram: torch.Tensor, train: torch.Tensor, test: torch.Tensor):
    """Training and test-by-training blocks of a Gram matrix, centred on the training-feature mean."""
    k_tt = gram[train][:, train]
    k_st = gram[test][:, train]
    col_mean = k_tt.mean(dim=0)
    grand = k_tt.mean()
    k_tt_c = k_tt - col_mean[None, :] - col_mean[:, None] + grand
    k_st_c = k_st - k_st.mean(dim=1, keepdim=True) - col_mean[None, :] + grand
    return k_tt_c, k_st_c


def symmetric_eigh(matrix: torch.Tensor):
    """Eigendecomposition of a small symmetric matrix, on the matrix's device.

    On CPU it goes through numpy's LAPACK: torch's multi-threaded MKL eigh of a 100 x 100 matrix
    was measured here at 0.8 s on a loaded 2-core machine (threads spin-waiting) against 0.7 ms
    single-threaded; numpy's is consistently fast. On CUDA, torch's (cuSOLVER).
    """
    if matrix.device.type == "cpu":
        eigval, eigvec = np.linalg.eigh(matrix.numpy())
        return torch.from_numpy(eigval), torch.from_numpy(eigvec)
    return torch.linalg.eigh(matrix)


def kernel_ridge_loo(k_train: torch.Tensor, y_train: torch.Tensor, alphas: torch.Tensor, target_batch: int | None = None):
    """Fit ridge on a centred training Gram matrix; choose alpha per target by exact LOO error.

    With K = V diag(λ) Vᵀ and P = Vᵀ y (centred y), the residual of alpha a is V diag(a/(λ+a)) P and
    the leverage is V² λ/(λ+a) + 1/n (the 1/n: the unpenalised intercept). LOO residual = residual /
    (1 - leverage). Folding the 1/(1 - leverage) rows into V makes one small (A, n, n) operator, so a
    single matrix product gives the LOO residuals of every alpha and every target.

    Returns (dual coefficients (n_train, n_targets), chosen alpha per target, y mean).
    """
    n = k_train.shape[0]
    y_mean = y_train.mean(dim=0)
    y_c = y_train - y_mean
    eigval, eigvec = symmetric_eigh(k_train)
    eigval = eigval.clamp(min=0)
    projected = eigvec.T @ y_c  # (n, targets)
    resid_weight = alphas[:, None] / (eigval[None, :] + alphas[:, None])  # (A, n): a/(λ+a)
    leverage = (1.0 - resid_weight) @ (eigvec * eigvec).T + 1.0 / n  # (A, n)
    loo_operator = eigvec[None, :, :] * resid_weight[:, None, :]  # (A, n, n)
    loo_operator /= (1.0 - leverage)[:, :, None]  # in place: the same numbers, 10x faster than a / b / c here
    loo_operator = loo_operator.reshape(-1, n)
    n_targets = y_c.shape[1]
    # on CPU (A, n, batch) residual blocks of about LOO_BLOCK_BYTES, on a GPU one block; ``target_batch``
    # (memory, set by the preflight) can only lower it
    cache_batch = LOO_BLOCK_BYTES // (8 * len(alphas) * n) if y_c.device.type == "cpu" else n_targets
    batch = max(1, min(int(target_batch or n_targets), cache_batch))
    errors = torch.empty((len(alphas), n_targets), dtype=y_c.dtype, device=y_c.device)  # n x LOO mean squared error
    # one residual block for the whole fit, written by every product: a new 2 MiB block per product was
    # 6% of the fits' time here; the numbers are the same (a product's elements do not depend on where it writes)
    block = torch.empty((len(alphas) * n, batch), dtype=y_c.dtype, device=y_c.device)
    for start in range(0, n_targets, batch):
        stop = min(start + batch, n_targets)
        loo_resid = torch.mm(loo_operator, projected[:, start:stop], out=block[:, : stop - start])
        errors[:, start:stop] = loo_resid.view(len(alphas), n, stop - start).square_().sum(dim=1)  # squared in place
    # ties: the smallest alpha, deterministically. min's indices are argmin's (the first minimum, NaN
    # first as well), in 20 us instead of argmin's 220 for this (alphas, targets) layout on CPU
    chosen = alphas[errors.min(dim=0).indices]
    # dual coefficients for each target's own alpha: V diag(1/(λ+α_t)) Vᵀ y_t, all targets at once
    dual = eigvec @ (projected / (eigval[:, None] + chosen[None, :]))
    return dual, chosen, y_mean


def ridge_predict_split(gram, responses, train, test, relative_alphas=RELATIVE_ALPHAS, device="cpu", target_batch: int | None = None):
    """Fit on ``train`` stimuli, predict ``test`` stimuli, for all targets at once.

    gram: (n, n) Gram matrix of one layer over all stimuli; responses: (n, targets).
    Returns (predictions (len(test), targets) as numpy, chosen absolute alphas per target).
    """
    # one thread count throughout (never toggled per split): with several engine tasks in one
    # process a toggle would change the products' rounding under another task's feet, and results
    # must be identical to a serial run's. On an oversubscribed machine, torch.set_num_threads(1).
    gram_t = torch.as_tensor(gram, dtype=torch.float64, device=device)
    y = torch.as_tensor(np.asarray(responses, dtype=np.float64), device=device)
    train_t = torch.as_tensor(np.asarray(train), device=device)
    test_t = torch.as_tensor(np.asarray(test), device=device)
    k_tt, k_st = centre_split(gram_t, train_t, test_t)
    scale = torch.trace(k_tt) / k_tt.shape[0]
    alphas = torch.as_tensor(relative_alphas, dtype=torch.float64, device=device) * torch.clamp(scale, min=1e-12)
    dual, chosen, y_mean = kernel_ridge_loo(k_tt, y[train_t], alphas, target_batch)
    prediction = k_st @ dual + y_mean
    return prediction.cpu().numpy(), chosen.cpu().numpy()
