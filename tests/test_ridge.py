"""The kernel-ridge solver gives scikit-learn's and himalaya's leave-one-out ridge predictions, on
simulated data and on the Allen problem, in any target batch, on the device it is given."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.linear_model import RidgeCV

from brainbench.recording import trial_average
from brainbench.ridge import RELATIVE_ALPHAS, centre_split, gram_matrix, ridge_predict_split


def _absolute_alphas(gram, train, test):
    k_tt, _ = centre_split(torch.as_tensor(gram), torch.as_tensor(train), torch.as_tensor(test))
    return RELATIVE_ALPHAS * float(torch.trace(k_tt) / len(train))


def _simulated(n, p, t, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, p)) * rng.uniform(0.1, 3, p) + rng.uniform(-2, 2, p)  # uneven scales, offsets
    w = rng.standard_normal((p, t)) * (rng.random((p, t)) < 0.2)
    y = x @ w + rng.standard_normal((n, t)) * rng.uniform(0.5, 20, t) + 5.0
    return x, y, w


@pytest.mark.parametrize("n,p", [(60, 400), (120, 30)])  # wide (kernel form's case) and tall
def test_same_predictions_and_alphas_as_sklearn_ridgecv(n, p):
    x, y, _ = _simulated(n, p, 40)
    gram = gram_matrix(x.astype(np.float32))
    test = np.arange(2, n, 5)
    train = np.setdiff1d(np.arange(n), test)
    prediction, chosen = ridge_predict_split(gram, y, train, test)
    alphas = _absolute_alphas(gram, train, test)
    reference = RidgeCV(alphas=alphas, alpha_per_target=True).fit(x.astype(np.float32).astype(np.float64)[train], y[train])
    np.testing.assert_allclose(chosen, reference.alpha_, rtol=1e-12)
    np.testing.assert_allclose(prediction, reference.predict(x.astype(np.float32).astype(np.float64)[test]), atol=1e-6 * np.abs(y).max())
    # target batches change memory, never the numbers
    batched, chosen_batched = ridge_predict_split(gram, y, train, test, target_batch=7)
    np.testing.assert_array_equal(chosen_batched, chosen)
    np.testing.assert_allclose(batched, prediction, rtol=1e-12, atol=1e-12)


def test_recovers_a_linear_ground_truth():
    x, _, w = _simulated(200, 50, 10, seed=3)
    y = x @ w + np.random.default_rng(4).standard_normal((200, 10)) * 0.1
    train, test = np.arange(150), np.arange(150, 200)
    prediction, _ = ridge_predict_split(gram_matrix(x), y, train, test)
    r = [np.corrcoef(prediction[:, i], y[test, i])[0, 1] for i in range(10)]
    assert min(r) > 0.99


def test_a_tie_in_the_loo_error_takes_the_smallest_alpha():
    """A constant neuroid (zero LOO error at every alpha) gets the smallest alpha and predicts its
    constant; the others are unaffected by it."""
    x, _, w = _simulated(60, 30, 3, seed=5)
    y = x @ w
    y[:, 1] = 4.0
    train, test = np.arange(45), np.arange(45, 60)
    prediction, chosen = ridge_predict_split(gram_matrix(x), y, train, test)
    scale = np.trace(centre_split(torch.as_tensor(gram_matrix(x)), torch.as_tensor(train), torch.as_tensor(test))[0]).item() / len(train)
    assert chosen[1] == pytest.approx(RELATIVE_ALPHAS[0] * scale, rel=1e-12)
    assert np.array_equal(prediction[:, 1], np.full(len(test), 4.0))
    alone, chosen_alone = ridge_predict_split(gram_matrix(x), y[:, [0, 2]], train, test)
    np.testing.assert_array_equal(chosen_alone, chosen[[0, 2]])


def test_gram_matrix_is_the_centred_product_in_chunks_and_float16():
    x, _, _ = _simulated(30, 1000, 1)
    centred = x - x.mean(axis=0)
    expected = centred @ centred.T
    np.testing.assert_allclose(gram_matrix(x, chunk_columns=64), expected, rtol=1e-10, atol=1e-8)
    half = x.astype(np.float16)
    half_centred = half.astype(np.float64) - half.astype(np.float64).mean(axis=0)
    np.testing.assert_allclose(gram_matrix(half, chunk_columns=100), half_centred @ half_centred.T, rtol=1e-10, atol=1e-8)


@pytest.mark.filterwarnings("ignore:Solving ridge is slower")
def test_same_as_himalaya_with_leave_one_out():
    from himalaya.ridge import RidgeCV as HimalayaRidgeCV
    from sklearn.model_selection import KFold

    x, y, _ = _simulated(40, 120, 12, seed=5)
    test = np.arange(0, 40, 4)
    train = np.setdiff1d(np.arange(40), test)
    gram = gram_matrix(x)
    prediction, chosen = ridge_predict_split(gram, y, train, test)
    leave_one_out = KFold(len(train))  # himalaya needs get_n_splits() without X, which LeaveOneOut lacks
    model = HimalayaRidgeCV(alphas=_absolute_alphas(gram, train, test), fit_intercept=True, cv=leave_one_out).fit(x[train], y[train])
    np.testing.assert_allclose(np.asarray(model.best_alphas_), chosen, rtol=1e-10)
    np.testing.assert_allclose(np.asarray(model.predict(x[test])), prediction, atol=1e-6 * np.abs(y).max())


def test_same_as_sklearn_on_the_allen_problem(allen, registry, store):
    """Pixels -> 100 VISp units, the benchmark's first outer split: predictions equal to 1e-6."""
    from brainbench.activations import extract
    from brainbench.scoring import make_benchmark

    bench = make_benchmark(registry, "allen_np.VISp.ridge")
    responses = np.asarray(trial_average(bench.region_recording()), dtype=np.float64)[:, :100]
    features = np.asarray(extract(registry.model("pixels").build(), allen.stimuli, store=store, progress=False)["pixels"], dtype=np.float64)
    train, test = bench.protocol.splits(len(responses))[0]
    gram = gram_matrix(features)
    prediction, chosen = ridge_predict_split(gram, responses, train, test)
    reference = RidgeCV(alphas=_absolute_alphas(gram, train, test), alpha_per_target=True).fit(features[train], responses[train])
    np.testing.assert_allclose(chosen, reference.alpha_, rtol=1e-12)
    np.testing.assert_allclose(prediction, reference.predict(features[test]), atol=1e-6)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_gives_the_cpu_numbers():
    x, y, _ = _simulated(80, 500, 30, seed=6)
    test = np.arange(0, 80, 5)
    train = np.setdiff1d(np.arange(80), test)
    gram_cpu, gram_gpu = gram_matrix(x), gram_matrix(x, device="cuda")
    np.testing.assert_allclose(gram_gpu, gram_cpu, rtol=1e-10)
    cpu, alpha_cpu = ridge_predict_split(gram_cpu, y, train, test)
    gpu, alpha_gpu = ridge_predict_split(gram_cpu, y, train, test, device="cuda")
    np.testing.assert_array_equal(alpha_gpu, alpha_cpu)
    np.testing.assert_allclose(gpu, cpu, rtol=1e-9, atol=1e-9)


def test_the_alpha_grid_edges_do_not_move_the_score(allen, registry, store):
    """Many neuroids choose an edge of the 25-alpha grid (10^-3 or 10^5 times the mean eigenvalue): on
    the edge their LOO error is flat (a plateau, not a cut-off minimum). A grid 4 decades wider on each
    side (49 alphas) gives the same VISp score for pixels."""
    from brainbench.activations import extract
    from brainbench.scoring import make_benchmark

    bench = make_benchmark(registry, "allen_np.VISp.ridge")
    features = extract(registry.model("pixels").build(), allen.stimuli, store=store, progress=False)["pixels"]
    prepared = {"pixels": bench.metric.prepare(features)}
    responses = np.asarray(trial_average(bench.region_recording()), dtype=np.float64)
    train, test = bench.protocol.splits(len(responses))[0]
    _, chosen = ridge_predict_split(prepared["pixels"], responses, train, test)
    at_edge = np.isin(chosen, _absolute_alphas(prepared["pixels"], train, test)[[0, -1]]).mean()
    assert 0.1 < at_edge < 0.9  # the edges are in use: the check below is not vacuous
    default = bench.run(prepared, ["pixels"])
    bench.metric.relative_alphas = np.logspace(-7, 9, 49)
    wide = bench.run(prepared, ["pixels"])
    assert abs(wide["raw"] - default["raw"]) < 1e-4 and 0.05 < default["raw"] < 0.2, (default["raw"], wide["raw"])
