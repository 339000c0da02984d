"""RSA on the real data: the Allen 2-photon RDMs (published ceilings) and the Neuropixels population."""
from __future__ import annotations

import numpy as np
import pytest

from brainbench.errors import BrainbenchError, UnknownNameError
from brainbench.metrics.rsa import RSAMetric
from brainbench.metrics.rsa.rdm import compare_rdms
from brainbench.recording import select_region, trial_average
from brainbench.scoring import load_dataset, score


@pytest.fixture(scope="module")
def two_photon(registry, shared_data):
    return load_dataset(registry, "allen_2p_rdm", shared_data)


@pytest.fixture(scope="module")
def pixels_rsa(registry, shared_data, store):
    result = score("pixels", benchmarks=["allen_2p_rdm.VISp_layer23.rsa", "allen_np.VISp.rsa"], data_dir=shared_data, store=store, registry=registry, progress=False, log=lambda m: None)
    assert not result["failed"], result["failed"]
    return {s["benchmark"]: s for s in result["scores"]}


def test_2p_rdms_drop_the_blank_screen_and_carry_the_published_ceilings(two_photon, shared_data, allen):
    recording = two_photon.recording
    assert recording.shape == (21, 118, 118)
    assert np.allclose(np.diagonal(recording.values, axis1=1, axis2=2), 0)
    assert float(recording.sel(region="VISp_layer23")["reliability"]) == pytest.approx(0.9214628304875211)
    assert float(recording.sel(region="VISrl_layer5")["reliability"]) == pytest.approx(0.1270902760890348)
    assert two_photon.stimuli.ids[0] == "scene_000" and len(two_photon.stimuli) == 118
    # index order: with the blank last (dropped), the 2-photon RDM of VISp agrees with the Neuropixels
    # RDM of the same images; read with the blank first, it would not
    np_rdm = 1 - np.corrcoef(trial_average(select_region(allen.recording, "VISp")))
    assert compare_rdms(recording.sel(region="VISp_layer23").values, np_rdm, "spearman") > 0.15
    similarity = np.load(shared_data / "allen_2p_natural_scenes_rdms" / "similarity.npz")["VISp_layer23"]
    assert abs(compare_rdms(1 - similarity[1:, 1:], np_rdm, "spearman")) < 0.1


def test_2p_rsa_scores_with_published_ceiling_and_interval(pixels_rsa):
    entry = pixels_rsa["allen_2p_rdm.VISp_layer23.rsa"]
    assert entry["score_name"] == "pearson"  # the published reliability is a Pearson r between half RDMs
    assert entry["ceiling"] == pytest.approx(np.sqrt(0.9214628304875211))
    assert entry["ceiled"] == pytest.approx(entry["raw"] / entry["ceiling"])
    assert 0.05 < entry["raw"] < 0.3  # pixels: measured 0.14
    low, high = entry["ci95_stimuli"]["ceiled"]
    assert low < entry["ceiled"] < high and high - low < 0.3
    assert "published split-half reliability" in entry["ceiling_note"]
    assert set(entry["other_scores"]) == {"spearman", "kendall_tau_a"}


def test_neuropixels_rsa_has_ceiling_subject_interval_and_inter_animal_ceiling(pixels_rsa):
    entry = pixels_rsa["allen_np.VISp.rsa"]
    assert entry["score_name"] == "pearson"  # one comparator for both recording methods
    assert 0.05 < entry["raw"] < 0.3  # pixels: measured 0.14 (Spearman 0.16)
    assert 0.9 < entry["ceiling"] <= 1.0  # ~1100 units x 50 repeats: a very reliable population RDM
    for kind in ("ci95_stimuli", "ci95_subjects"):
        low, high = entry[kind]["ceiled"]
        assert low < entry["ceiled"] < high
    assert 0 < entry["ceiling_inter_animal"] < 1
    assert len(entry["inter_animal_per_animal"]) == entry["n_subjects"] >= 10
    # honest selection: two outer folds, each layer chosen on the other half of the images
    assert len(entry["chosen_layer_per_split"]) == 2


def test_bad_rsa_options_and_benchmarks_name_the_problem(registry):
    with pytest.raises(BrainbenchError, match="comparator 'kendall'.*spearman"):
        RSAMetric(comparator="kendall")
    with pytest.raises(BrainbenchError, match="RDM method 'cosine'"):
        RSAMetric(rdm="cosine")
    with pytest.raises(UnknownNameError, match="allen_2p_rdm.VISp_layer23.rsa"):
        registry.parse_benchmark("allen_2p_rdm.VISp_layer23.ridge")  # RDM recordings take RSA only


def test_rdm_benchmark_refuses_a_metric_that_cannot_read_rdms(registry, shared_data):
    from brainbench.metrics.cka import CKAMetric
    from brainbench.scoring import make_benchmark

    bench = make_benchmark(registry, "allen_2p_rdm.VISp_layer23.rsa", shared_data)
    bench.metric = CKAMetric()
    with pytest.raises(BrainbenchError, match="cannot score a dissimilarity-matrix recording"):
        bench.run({"x": np.eye(118)}, ["x"])
