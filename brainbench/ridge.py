"""Multi-target ridge regression in kernel (dual) form, with a per-target regularisation chosen by
exact leave-one-out on the training stimuli.

Why kernel form: brain benchmarks have few stimuli (n ~ 100) and many features (p up to 10^6), so
the n x n Gram matrix is the cheap object. One Gram matrix per layer serves every split (training and
test blocks are sub-matrices, re-centred on the training mean); one eigendecomposition per split
serves every candidate alpha and every target (LOO residuals come in closed form from the hat
matrix). With a linear kernel this is exactly primal ridge with an unpenalised intercept.

Everything runs in torch (float64), so the same code runs on CUDA when a device is given.
"""
from __future__ import annotations

import numpy as np
import torch

#: Candidate regularisations, relative to the mean eigenvalue of the training Gram matrix, so the
#: grid is scale-free across layers (a layer's activations can differ in scale by 10^4).
RELATIVE_ALPHAS = np.logspace(-3, 5, 25)


def gram_matrix(features: np.ndarray, chunk_columns: int = 1 << 15, device: str | torch.device = "cpu") -> np.ndarray:
    """X Xᵀ of globally centred features, accumulated in float64 over column chunks.

    Global centring only improves precision: every split re-centres on its own training mean, and
    centring is shift-invariant. Memory: one (n, chunk) float64 block at a time.
    """
    n, p = features.shape
    mean = np.zeros(p, dtype=np.float64)
    for start in range(0, p, chunk_columns):
        mean[start : start + chunk_columns] = np.asarray(features[:, start : start + chunk_columns], dtype=np.float64).mean(axis=0)
    gram = torch.zeros((n, n), dtype=torch.float64, device=device)
    for start in range(0, p, chunk_columns):
        block = torch.as_tensor(np.asarray(features[:, start : start + chunk_columns], dtype=np.float64), device=device)
        block -= torch.as_tensor(mean[start : start + chunk_columns], device=device)
        gram += block @ block.T
    return gram.cpu().numpy()


def centre_split(gram: torch.Tensor, train: torch.Tensor, test: torch.Tensor):
    """Training and test-by-training blocks of a Gram matrix, centred on the training-feature mean."""
    k_tt = gram[train][:, train]
    k_st = gram[test][:, train]
    col_mean = k_tt.mean(dim=0)
    grand = k_tt.mean()
    k_tt_c = k_tt - col_mean[None, :] - col_mean[:, None] + grand
    k_st_c = k_st - k_st.mean(dim=1, keepdim=True) - col_mean[None, :] + grand
    return k_tt_c, k_st_c


def kernel_ridge_loo(k_train: torch.Tensor, y_train: torch.Tensor, alphas: torch.Tensor):
    """Fit ridge on a centred training Gram matrix; choose alpha per target by exact LOO error.

    Returns (dual coefficients (n_train, n_targets), chosen alpha per target, y mean).
    """
    n = k_train.shape[0]
    y_mean = y_train.mean(dim=0)
    y_c = y_train - y_mean
    eigval, eigvec = torch.linalg.eigh(k_train)
    eigval = eigval.clamp(min=0)
    projected = eigvec.T @ y_c  # (n, targets)
    eigvec_sq = eigvec * eigvec
    best_err = torch.full((y_c.shape[1],), float("inf"), dtype=y_c.dtype, device=y_c.device)
    best_idx = torch.zeros(y_c.shape[1], dtype=torch.long, device=y_c.device)
    for i, alpha in enumerate(alphas):
        shrink = eigval / (eigval + alpha)
        fitted = eigvec @ (shrink[:, None] * projected)
        leverage = eigvec_sq @ shrink + 1.0 / n  # + 1/n: the unpenalised intercept
        loo_resid = (y_c - fitted) / (1.0 - leverage)[:, None]
        err = (loo_resid * loo_resid).mean(dim=0)
        better = err < best_err
        best_err = torch.where(better, err, best_err)
        best_idx = torch.where(better, torch.full_like(best_idx, i), best_idx)
    chosen = alphas[best_idx]
    # dual coefficients for each target's own alpha: V diag(1/(λ+α_t)) Vᵀ y_t, all targets at once
    dual = eigvec @ (projected / (eigval[:, None] + chosen[None, :]))
    return dual, chosen, y_mean


def ridge_predict_split(gram, responses, train, test, relative_alphas=RELATIVE_ALPHAS, device="cpu"):
    """Fit on ``train`` stimuli, predict ``test`` stimuli, for all targets at once.

    gram: (n, n) Gram matrix of one layer over all stimuli; responses: (n, targets).
    Returns (predictions (len(test), targets) as numpy, chosen absolute alphas per target).
    """
    gram_t = torch.as_tensor(gram, dtype=torch.float64, device=device)
    y = torch.as_tensor(np.asarray(responses, dtype=np.float64), device=device)
    train_t = torch.as_tensor(np.asarray(train), device=device)
    test_t = torch.as_tensor(np.asarray(test), device=device)
    k_tt, k_st = centre_split(gram_t, train_t, test_t)
    scale = torch.trace(k_tt) / k_tt.shape[0]
    alphas = torch.as_tensor(relative_alphas, dtype=torch.float64, device=device) * torch.clamp(scale, min=1e-12)
    dual, chosen, y_mean = kernel_ridge_loo(k_tt, y[train_t], alphas)
    prediction = k_st @ dual + y_mean
    return prediction.cpu().numpy(), chosen.cpu().numpy()
