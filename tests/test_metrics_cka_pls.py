"""CKA and PLS on the real Neuropixels data, selectable per benchmark (``--metric cka|pls``)."""
from __future__ import annotations

import numpy as np
import pytest

from brainbench.scoring import score


@pytest.fixture(scope="module")
def pixels_scores(registry, shared_data, store):
    result = score("pixels", benchmarks=["allen_np.VISp.cka", "allen_np.VISp.pls"], data_dir=shared_data, store=store, registry=registry, progress=False, log=lambda m: None)
    assert not result["failed"], result["failed"]
    return {s["metric"]: s for s in result["scores"]}


def test_metrics_are_selectable_per_benchmark(registry):
    names = registry.benchmark_names(modality="vision", metric="cka")
    assert "allen_np.VISp.cka" in names and not any(n.startswith("allen_2p_rdm") for n in names)
    assert "allen_np.VISam.pls" in registry.benchmark_names(modality="vision", metric="pls")


def test_cka_on_neuropixels(pixels_scores):
    entry = pixels_scores["cka"]
    assert entry["score_name"] == "cka"
    assert 0.1 < entry["raw"] < 0.45  # pixels: measured 0.25 (VISl)
    assert 0.9 < entry["ceiling"] <= 1.0
    assert entry["ci95_subjects"]["ceiled"][0] < entry["ceiled"] < entry["ci95_subjects"]["ceiled"][1]
    assert entry["ceiling_inter_animal"] is not None


def test_pls_on_neuropixels_is_a_per_unit_mapping_like_ridge(pixels_scores):
    entry = pixels_scores["pls"]
    assert entry["score_name"] == "pearson_r"
    assert entry["n_neuroids"] == 1139  # every VISp unit scored
    assert 0.03 < entry["raw"] < 0.3  # pixels: measured 0.12 (VISl)
    assert 0.85 < entry["ceiling"] < 1.0  # same split-half ceiling as ridge
    low, high = entry["ci95_stimuli"]["ceiled"]
    assert low < entry["ceiled"] < high
    assert 0 < entry["ceiling_inter_animal"] < 1
    assert np.isfinite(entry["ceiled_inter_animal"])
