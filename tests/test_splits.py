"""``brainbench analyze splits``: the spread of a score (or a paired difference) over protocol seeds,
beside the bootstrap error of the reported interval, on the real Allen Neuropixels data."""
from __future__ import annotations

from dataclasses import replace

import pytest

from brainbench.analysis._splits import format_split_spread, split_spread
from brainbench.errors import BrainbenchError, UnknownNameError
from brainbench.registry import default_registry
from brainbench.scoring import score

VISP = "allen_np.VISp.ridge"


@pytest.fixture(scope="module")
def pixels_spread(shared_data, store):
    return split_spread("pixels", seeds=3, benchmarks=[VISP], data_dir=str(shared_data), store=store)


def test_seed_0_is_the_reported_score_and_other_seeds_spread_around_it(pixels_spread, shared_data, store):
    reported = score("pixels", benchmarks=[VISP], data_dir=str(shared_data), store=store, progress=False, log=lambda m: None)["scores"][0]
    (row,) = pixels_spread.rows
    assert row.statistic == "ceiled" and row.values[0] == reported["ceiled"]  # seed 0 is the protocol's own seed
    assert len(set(row.values)) == 3  # other folds give other out-of-fold predictions
    assert 0 < row.sd_seed < 0.05 and 0.005 < row.se_boot < 0.05  # a ceiled r of ~0.12 moves by hundredths, not tenths
    assert row.ratio == pytest.approx(row.sd_seed / row.se_boot)
    low, high = row.ci95_with_splits
    assert low < row.ci95_bootstrap[0] < row.values[0] < row.ci95_bootstrap[1] < high
    assert high - low == pytest.approx((row.ci95_bootstrap[1] - row.ci95_bootstrap[0]) * (1 + row.ratio**2) ** 0.5)
    assert row.separated_seeds is None
    text = format_split_spread(pixels_spread)
    assert VISP in text and "protocol seeds 0..2" in text and "median sd over seeds / bootstrap se" in text


def test_a_model_against_itself_spreads_by_exactly_nothing(pixels_spread, shared_data, store):
    spread = split_spread("pixels", versus="pixels", seeds=3, benchmarks=[VISP], data_dir=str(shared_data), store=store)
    (row,) = spread.rows
    assert row.values == [0.0, 0.0, 0.0] and row.sd_seed == 0 and row.se_boot == 0 and row.ratio is None
    assert row.separated_seeds == 0 and row.p_with_splits == 1.0 and row.p_holm_with_splits == 1.0


def test_a_clear_difference_stays_separated_with_the_split_spread(shared_data, store):
    spread = split_spread("pixels", versus="efficientnet_lite0", seeds=3, benchmarks=[VISP, "allen_np.VISl.ridge"], data_dir=str(shared_data), store=store)
    for row in spread.rows:  # pixels' ceiled r is ~0.17 below the trained network's in both areas
        assert row.values[0] < -0.1 and row.separated_seeds == 3
        assert row.p_with_splits < row.p_holm_with_splits < 1e-6
    text = format_split_spread(spread)
    assert "A = pixels, B = efficientnet_lite0" in text and text.count("B > A") == 2


def test_bad_requests_name_the_problem_and_the_fix():
    with pytest.raises(BrainbenchError, match="at least 2 seeds.*--seeds 10"):
        split_spread("pixels", seeds=1)
    with pytest.raises(BrainbenchError, match="allen_2p_rdm.VISp_layer23.rsa: not a benchmark of dataset 'allen_np'.*--dataset allen_2p_rdm"):
        split_spread("pixels", benchmarks=["allen_2p_rdm.VISp_layer23.rsa"])
    with pytest.raises(UnknownNameError):
        split_spread("pixels", dataset="no_such_dataset")


def test_the_command_prints_progress_and_refuses_one_seed(capsys):
    from brainbench.cli import main

    assert main(["analyze", "splits", "--model", "pixels", "--seeds", "1"]) == 2
    assert "at least 2 seeds" in capsys.readouterr().err


def test_replacing_a_plugin_copies_the_registry_and_leaves_it_as_it_was():
    registry = default_registry()
    original = registry.dataset("allen_np")
    copy = registry.replacing(replace(original, default_metric="rsa"))
    assert copy.dataset("allen_np").default_metric == "rsa" and registry.dataset("allen_np") is original
    assert set(copy.models) == set(registry.models)
    with pytest.raises(UnknownNameError):
        registry.replacing(replace(original, name="not_registered"))
