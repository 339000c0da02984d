"""PLS regression (25 components, Brain-Score's default) from a layer's features to each neuroid.

Brain-Score's ``pls`` mapping is scikit-learn ``PLSRegression(n_components=25, scale=False)``. Here the
same estimator runs in kernel form: every X-side quantity of NIPALS PLS2 (weights, scores, loadings,
rotations) lies in the span of the training stimuli, so the fit needs only the n x n Gram matrix of the
layer (one per layer, shared by every split) and works for layers of any width without a PCA step.
Each component's weight vector is the exact dominant singular vector of the deflated X'ᵀY (where
NIPALS iterates towards it), so predictions equal scikit-learn's to 1e-6 once its power iteration
has converged (tests/test_reference_agreement.py).

Scoring, pooling of out-of-fold predictions, ceiling and intervals: exactly as ridge (metrics/ridge).
"""
from __future__ import annotations

import numpy as np
import scipy.linalg

from brainbench.blas import single_threaded_blas
from brainbench.metric import split_rows
from brainbench.metrics.ridge import RidgeMetric
from brainbench.registry import MetricPlugin
from brainbench.ridge import gram_matrix


def centre_blocks(gram: np.ndarray, train: np.ndarray, test: np.ndarray):
    """Training and test-by-training Gram blocks, centred on the training-feature mean."""
    k_tt = gram[np.ix_(train, train)]
    k_st = gram[np.ix_(test, train)]
    col_mean = k_tt.mean(axis=0)
    grand = k_tt.mean()
    return (k_tt - col_mean[None, :] - col_mean[:, None] + grand, k_st - k_st.mean(axis=1, keepdims=True) - col_mean[None, :] + grand)


def kernel_pls_predict(gram: np.ndarray, responses: np.ndarray, train, test, n_components: int = 25, tol: float = 1e-10) -> tuple[np.ndarray, int]:
    """PLS2 (NIPALS, regression deflation, no scaling) fitted on ``train``, predictions for ``test``.

    Returns (predictions (len(test), targets), components used). Fewer components than asked when
    the deflated features or targets run out of variance (scikit-learn stops there too).
    """
    with single_threaded_blas():  # ~100 x 100 products: brainbench.blas
        return _kernel_pls(gram, responses, train, test, n_components, tol)


def _kernel_pls(gram, responses, train, test, n_components, tol):
    """Kernel NIPALS PLS2. With D the deflation (I minus the projections on the scores so far),
    X_k = D X_c and Y_k = D Y_c, so K_k = D K D and M_k = D M D (M = Y_c Y_cᵀ). A component's scores t
    are the dominant eigenvector of K_k M_k. With K = R Rᵀ (one eigendecomposition per fit) and
    K_k = (DR)(DR)ᵀ, t = D R v where v is the dominant eigenvector of the small symmetric
    (DR)ᵀ M_k (DR) = Rᵀ M_k R (D M_k D = M_k): one top eigenpair per component. Deflating by t
    (D t = t) changes M_k and Rᵀ M_k R by rank-two terms, so a component costs O(n²) besides it."""
    train, test = np.asarray(train), np.asarray(test)
    k, k_test = centre_blocks(np.asarray(gram, dtype=np.float64), train, test)
    y = np.asarray(responses, dtype=np.float64)[train]
    y_mean = y.mean(axis=0)
    y_c = y - y_mean
    n = len(train)
    m_k = y_c @ y_c.T  # targets enter only through Y Yᵀ until the final loadings
    scale = max(np.trace(k), 1e-300)
    m_scale = tol * max(np.trace(m_k), 1e-300)
    eigval, eigvec = np.linalg.eigh((k + k.T) / 2)
    keep = eigval > tol * scale
    root = eigvec[:, keep] * np.sqrt(eigval[keep])  # K = R Rᵀ
    sym = root.T @ m_k @ root  # Rᵀ M_k R
    top_eigenvector = _top_eigenvector_solver(len(sym))
    deflate = np.eye(n)
    scores, duals = [], []
    for _ in range(min(n_components, n - 1) if keep.any() else 0):
        if np.trace(m_k) <= m_scale:
            break
        top = top_eigenvector((sym + sym.T) / 2)
        t = deflate @ (root @ top)  # dominant eigenvector of K_k M_k: the component's scores
        dual = m_k @ t  # w = X_kᵀ Y_k Y_kᵀ t  =  X_cᵀ (M_k t)
        norm = np.sqrt(dual @ k @ dual)
        if not np.isfinite(norm) or norm <= 0:
            break
        dual /= norm  # unit-norm x weights, as NIPALS
        t = deflate @ (k @ dual)  # x scores t = X_k w (K_k gone to rank exhaustion: t ~ 0, stop)
        tt = t @ t
        if tt <= tol * scale:
            break
        scores.append(t)
        duals.append(dual)
        # D -> D - t tᵀ/tᵀt; M_k -> M_k - t uᵀ - u tᵀ + c t tᵀ with u = M_k t/tᵀt, c = tᵀ M_k t/(tᵀt)²
        u = (m_k @ t) / tt
        c = (t @ u) / tt
        t_t = _outer(t, t)
        deflate -= t_t / tt
        m_k += c * t_t - _outer(t, u) - _outer(u, t)
        a, b = root.T @ t, root.T @ u
        sym += c * _outer(a, a) - _outer(a, b) - _outer(b, a)
    if not scores:
        return np.tile(y_mean, (len(test), 1)), 0
    t_mat, a_mat = np.stack(scores, axis=1), np.stack(duals, axis=1)
    tt = (t_mat * t_mat).sum(axis=0)
    p_w = (t_mat.T @ k @ a_mat) / tt[:, None]  # Pᵀ W, P = X loadings
    y_loadings_t = (t_mat.T @ y_c) / tt[:, None]  # Qᵀ
    prediction = k_test @ a_mat @ np.linalg.pinv(p_w) @ y_loadings_t + y_mean
    return prediction, len(scores)


def _outer(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.outer`` of two vectors, bit for bit (the same products), without its ravel-and-ufunc overhead:
    six per component, 24,750 calls in a re-score of allen_np.VISp.pls (0.25 -> 0.16 s)."""
    return a[:, None] * b


def _top_eigenvector_solver(n: int):
    """A function: n x n symmetric matrix (lower triangle read) -> eigenvector of its largest eigenvalue.

    LAPACK ?syevr for the top index only, with the work sizes queried once per fit: what
    ``scipy.linalg.eigh(m, subset_by_index=[n - 1, n - 1])`` calls, with the same arguments (so the same
    numbers, tests/test_metrics_cka_pls.py), without its per-call checks and work-size query.
    """
    syevr, syevr_lwork = scipy.linalg.lapack.get_lapack_funcs(("syevr", "syevr_lwork"), dtype=np.float64)
    lwork, liwork, info = syevr_lwork(n, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"pls: LAPACK ?syevr work-size query failed (info {info})")
    sizes = {"lwork": int(lwork), "liwork": int(liwork)}

    def top(matrix: np.ndarray) -> np.ndarray:
        _, vectors, _, _, info = syevr(matrix, compute_v=1, range="I", lower=1, il=n, iu=n, **sizes)
        if info != 0:
            raise np.linalg.LinAlgError(f"pls: the top eigenpair did not converge (LAPACK ?syevr info {info})")
        return vectors[:, 0]

    return top


class PLSMetric(RidgeMetric):
    name = "pls"
    #: 2: one top eigenpair per component and rank-two deflation updates (version 1: two full
    #: eigendecompositions and O(n³) products per component); predictions equal to ~1e-14, not bit for bit
    version = "2"

    def __init__(self, n_components: int = 25, device: str = "cpu", ceiling_splits: int = 20, ceiling_seed: int = 0, primary: str = "pearson_r"):
        super().__init__(device=device, ceiling_splits=ceiling_splits, ceiling_seed=ceiling_seed, primary=primary)
        if int(n_components) < 1:
            raise ValueError(f"pls: n_components must be >= 1, got {n_components}")
        self.n_components = int(n_components)

    def config(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "primary": self.primary,
            "solver": "kernel NIPALS PLS2, regression deflation, scale=False (= sklearn PLSRegression)",
            "n_components": self.n_components,
            "ceiling": f"sqrt(Spearman-Brown split-half reliability), {self.ceiling_splits} splits, seed {self.ceiling_seed}",
        }

    def prepare(self, features):
        return gram_matrix(features, device=self.device)

    def evaluate(self, prepared, responses, train, test):
        return self.evaluate_many(prepared, responses, train, [test])[0]

    def evaluate_many(self, prepared, responses, train, tests):
        """One fit on ``train``, predictions for every test set (rows are predicted independently)."""
        prediction, used = kernel_pls_predict(prepared, responses, train, np.concatenate(tests), self.n_components)
        return [{"test": np.asarray(t), "prediction": p, "n_components": used} for t, p in zip(tests, split_rows(prediction, tests))]


PLUGINS = [
    MetricPlugin(
        name="pls",
        factory=PLSMetric,
        applies_to=("trials", "components"),
        description="cross-validated PLS regression (25 components, scale=False; Brain-Score's default), Pearson r per neuroid",
    )
]
