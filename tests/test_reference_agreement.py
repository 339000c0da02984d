"""Our numbers are the field's reference numbers, on the same data, to 1e-6.

- ridge metric (kernel form, per-target LOO alpha) vs scikit-learn RidgeCV(alpha_per_target=True) and
  himalaya Ridge / KernelRidge at the chosen alphas, down to the per-neuroid Pearson r it reports;
- RSA RDMs (correlation, Euclidean, cross-validated) and comparators (Spearman, Pearson, Kendall tau-a)
  vs rsatoolbox, including the subject-pooled and bootstrap-weighted paths;
- debiased linear CKA vs the unbiased-HSIC formula written out (Song et al. 2012);
- PLS vs scikit-learn PLSRegression(scale=False).
"""
from __future__ import annotations

import numpy as np
import pytest
import rsatoolbox
import scipy.stats

from brainbench.metrics.cka import CKAMetric, cka_debiased
from brainbench.metrics.pls import PLSMetric
from brainbench.metrics.ridge import RidgeMetric
from brainbench.metrics.rsa import RSAMetric
from brainbench.metrics.rsa.rdm import compare_rdms, rdm_from_features
from brainbench.recording import make_recording


def _data(n=60, p=300, t=25, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, p)) * rng.uniform(0.2, 3, p) + rng.uniform(-2, 2, p)
    y = x[:, :40] @ rng.standard_normal((40, t)) * 0.2 + rng.standard_normal((n, t)) * rng.uniform(0.5, 3, t) + 3.0
    return x, y


def _recording(trials, n_subjects=3):
    n_rep, n_stim, n_units = trials.shape
    return make_recording(trials, [f"s{i}" for i in range(n_stim)], {
        "neuroid_id": [f"u{i}" for i in range(n_units)], "region": ["r"] * n_units,
        "subject": [f"m{i % n_subjects}" for i in range(n_units)]})


# -- ridge ---------------------------------------------------------------------------------------
def test_ridge_metric_matches_sklearn_ridgecv_and_himalaya():
    from himalaya.kernel_ridge import KernelRidge
    from himalaya.ridge import Ridge
    from sklearn.linear_model import RidgeCV

    x, y = _data()
    metric = RidgeMetric()
    gram = metric.prepare(x)
    test = np.arange(0, 60, 4)
    train = np.setdiff1d(np.arange(60), test)
    output = metric.evaluate(gram, y, train, test)
    xc = x[train] - x[train].mean(axis=0)
    alphas = metric.relative_alphas * np.trace(xc @ xc.T) / len(train)
    reference = RidgeCV(alphas=alphas, alpha_per_target=True).fit(x[train], y[train])
    np.testing.assert_allclose(output["alpha"], reference.alpha_, rtol=1e-10)
    scale = np.abs(y).max()
    np.testing.assert_allclose(output["prediction"], reference.predict(x[test]), atol=1e-6 * scale)
    # himalaya, one alpha at a time (its RidgeCV uses K-fold, not LOO): same solve, primal and kernel form
    for target in (0, 7):
        alpha = float(output["alpha"][target])
        primal = Ridge(alpha=alpha, fit_intercept=True).fit(x[train], y[train, target : target + 1])
        np.testing.assert_allclose(output["prediction"][:, target], np.asarray(primal.predict(x[test]))[:, 0], atol=1e-6 * scale)
        kernel = KernelRidge(alpha=alpha, kernel="linear").fit(xc, y[train, target] - y[train, target].mean())
        kernel_prediction = np.asarray(kernel.predict(x[test] - x[train].mean(axis=0))) + y[train, target].mean()
        np.testing.assert_allclose(output["prediction"][:, target], kernel_prediction, atol=1e-6 * scale)
    # the per-neuroid score the benchmark reports is scipy's Pearson r of those predictions
    r = metric.summarize([output], y)["pearson_r"]
    expected = [scipy.stats.pearsonr(reference.predict(x[test])[:, i], y[test, i])[0] for i in range(y.shape[1])]
    np.testing.assert_allclose(r, expected, atol=1e-6)


# -- RSA -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("method,reference", [("correlation", "correlation"), ("euclidean", "euclidean")])
def test_layer_rdm_matches_rsatoolbox(method, reference):
    x, _ = _data(n=40, p=500)
    ours = rdm_from_features(x.astype(np.float32), method, chunk_columns=64)  # chunked, from float32
    theirs = rsatoolbox.rdm.calc_rdm(rsatoolbox.data.Dataset(x.astype(np.float32).astype(np.float64)), method=reference).get_matrices()[0]
    np.testing.assert_allclose(ours, theirs, atol=1e-6 * np.abs(theirs).max())


@pytest.mark.parametrize("method", ["correlation", "euclidean", "crossvalidated"])
def test_recorded_rdm_pooled_over_subjects_matches_rsatoolbox(method):
    rng = np.random.default_rng(2)
    trials = rng.standard_normal((6, 30, 45)) + rng.standard_normal((1, 30, 45)) * 2
    recording = _recording(trials)
    ours = RSAMetric(rdm=method).prepare_target(recording).value
    if method == "crossvalidated":
        fold = np.repeat(np.arange(6) % 2, 30)
        dataset = rsatoolbox.data.Dataset(trials.reshape(-1, 45), obs_descriptors={"stim": np.tile(np.arange(30), 6), "fold": fold})
        theirs = rsatoolbox.rdm.calc_rdm(dataset, method="crossnobis", descriptor="stim", cv_descriptor="fold").get_matrices()[0]
    else:
        theirs = rsatoolbox.rdm.calc_rdm(rsatoolbox.data.Dataset(trials.mean(axis=0)), method=method).get_matrices()[0]
    np.testing.assert_allclose(ours, theirs, atol=1e-9 * np.abs(theirs).max())


@pytest.mark.parametrize("ours,theirs", [("spearman", "spearman"), ("pearson", "corr"), ("kendall_tau_a", "tau-a")])
def test_rdm_comparators_match_rsatoolbox(ours, theirs):
    x, y = _data(n=35, p=80, t=30)
    a, b = rdm_from_features(x), rdm_from_features(y)
    b[3, 7] = b[7, 3] = b[2, 9]  # a tie, which Spearman and tau-a must handle
    reference = rsatoolbox.rdm.compare(rsatoolbox.rdm.RDMs(a[None]), rsatoolbox.rdm.RDMs(b[None]), method=theirs)[0, 0]
    assert abs(compare_rdms(a, b, ours) - reference) < 1e-6


@pytest.mark.parametrize("comparator,theirs", [("spearman", "spearman"), ("pearson", "corr"), ("kendall_tau_a", "tau-a")])
def test_bootstrap_weights_equal_the_resampled_rdm_without_self_pairs(comparator, theirs):
    x, y = _data(n=25, p=60, t=20, seed=5)
    a, b = rdm_from_features(x), rdm_from_features(y)
    draw = np.random.default_rng(0).integers(0, 25, 25)
    counts = np.bincount(draw, minlength=25)
    # the resampled RDMs, minus pairs of two copies of one stimulus (rsatoolbox's bootstrap drops them)
    rows, cols = np.triu_indices(25, 1)
    keep = draw[rows] != draw[cols]
    va, vb = a[np.ix_(draw, draw)][rows, cols][keep], b[np.ix_(draw, draw)][rows, cols][keep]
    if theirs == "corr":
        reference = np.corrcoef(va, vb)[0, 1]
    elif theirs == "spearman":
        reference = scipy.stats.spearmanr(va, vb)[0]
    else:
        from rsatoolbox.rdm.compare import _tau_a

        reference = _tau_a(va, vb)
    assert abs(compare_rdms(a, b, comparator, counts) - reference) < 1e-9


def test_rsa_subject_reweighting_equals_rebuilding_from_the_drawn_animals():
    rng = np.random.default_rng(3)
    trials = rng.standard_normal((4, 20, 30)) + rng.standard_normal((1, 20, 30))
    recording = _recording(trials, n_subjects=3)
    metric = RSAMetric()
    weights = np.array([2.0, 0.0, 1.0])  # animal m0 twice, m1 not, m2 once
    columns = np.concatenate([np.flatnonzero(recording["subject"].values == f"m{s}") for s in (0, 0, 2)])
    rebuilt = np.corrcoef(trials.mean(axis=0)[:, columns])
    np.testing.assert_allclose(1 - metric.reweight(metric.prepare_target(recording), weights).value, rebuilt, atol=1e-12)


# -- CKA -----------------------------------------------------------------------------------------
def _hsic_unbiased_direct(k, l):
    """Song et al. (2012), eq. 5, written out."""
    n = k.shape[0]
    kt, lt = k - np.diag(np.diag(k)), l - np.diag(np.diag(l))
    one = np.ones(n)
    return (np.trace(kt @ lt) + (one @ kt @ one) * (one @ lt @ one) / ((n - 1) * (n - 2)) - 2 / (n - 2) * (one @ kt @ lt @ one)) / (n * (n - 3))


def test_cka_matches_the_direct_unbiased_hsic_formula():
    x, y = _data(n=50, p=400, t=30)
    k, l = x @ x.T, y @ y.T  # raw, uncentred Gram matrices: the estimator needs no centring
    direct = _hsic_unbiased_direct(k, l) / np.sqrt(_hsic_unbiased_direct(k, k) * _hsic_unbiased_direct(l, l))
    metric = CKAMetric()
    assert abs(cka_debiased(metric.prepare(x), l) - direct) < 1e-9
    # and through the metric on a test subset
    test = np.arange(0, 50, 2)
    sub = _hsic_unbiased_direct(k[np.ix_(test, test)], l[np.ix_(test, test)]) / np.sqrt(
        _hsic_unbiased_direct(k[np.ix_(test, test)], k[np.ix_(test, test)]) * _hsic_unbiased_direct(l[np.ix_(test, test)], l[np.ix_(test, test)]))
    target = type("T", (), {"value": l, "weights": np.ones(1)})()
    assert abs(metric.summarize([metric.evaluate(metric.prepare(x), target, None, test)], target)["cka"][0] - sub) < 1e-9


def test_cka_invariances():
    x, _ = _data(n=40, p=50)
    q, _ = np.linalg.qr(np.random.default_rng(1).standard_normal((50, 50)))
    assert abs(cka_debiased(x @ x.T, (3 * x @ q) @ (3 * x @ q).T) - 1) < 1e-9  # rotation, isotropic scale
    assert abs(cka_debiased(x @ x.T, (x + 5) @ (x + 5).T) - 1) < 1e-9  # per-feature offsets


# -- PLS -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("n_components", [1, 5, 25])
def test_pls_matches_sklearn_plsregression(n_components):
    from sklearn.cross_decomposition import PLSRegression

    x, y = _data(n=70, p=200, t=15, seed=4)
    test = np.arange(1, 70, 5)
    train = np.setdiff1d(np.arange(70), test)
    metric = PLSMetric(n_components=n_components)
    ours = metric.evaluate(metric.prepare(x), y, train, test)
    reference = PLSRegression(n_components=n_components, scale=False, tol=1e-15, max_iter=100000).fit(x[train], y[train])
    assert ours["n_components"] == n_components
    np.testing.assert_allclose(ours["prediction"], reference.predict(x[test]), atol=1e-6 * np.abs(y).max())


@pytest.mark.parametrize("n_features", [1, 4])
def test_pls_stops_when_the_features_run_out(n_features):
    """A layer of rank 4 asked for 25 components: four are fitted (the deflated Gram matrix is then zero,
    as scikit-learn's deflated X), with scikit-learn's predictions for four."""
    from sklearn.cross_decomposition import PLSRegression

    rng = np.random.default_rng(4)
    x = rng.standard_normal((70, n_features)) * rng.uniform(0.5, 3, n_features) + 2
    y = x @ rng.standard_normal((n_features, 15)) + rng.standard_normal((70, 15))
    test = np.arange(1, 70, 5)
    train = np.setdiff1d(np.arange(70), test)
    metric = PLSMetric(n_components=25)
    ours = metric.evaluate(metric.prepare(x), y, train, test)
    reference = PLSRegression(n_components=n_features, scale=False, tol=1e-15, max_iter=100000).fit(x[train], y[train])
    assert ours["n_components"] == n_features
    np.testing.assert_allclose(ours["prediction"], reference.predict(x[test]), atol=1e-9 * np.abs(y).max())
