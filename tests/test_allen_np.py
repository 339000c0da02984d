"""The mouse visual cortex benchmark on the real Allen Neuropixels data."""
from __future__ import annotations

import numpy as np
import pytest

from brainbench.ceiling import SplitHalves
from brainbench.recording import select_region
from brainbench.scoring import score

AREAS = {"VISp": 1139, "VISal": 715, "VISl": 483, "VISrl": 655, "VISpm": 511, "VISam": 638}


def test_recording_has_the_published_shape(allen):
    rec = allen.recording
    assert rec.dims == ("repetition", "stimulus", "neuroid")
    assert rec.sizes["stimulus"] == 118 and rec.sizes["neuroid"] == 4141 and rec.sizes["repetition"] == 50
    regions, counts = np.unique(rec["region"].values, return_counts=True)
    assert dict(zip(regions, counts.tolist())) == AREAS
    assert len(np.unique(rec["subject"].values)) == 28
    assert len(allen.stimuli) == 118 and allen.stimuli.ids[0] == "scene_000"
    assert not allen.warnings, allen.warnings  # the pinned checksums match the shared files


@pytest.mark.parametrize("area", list(AREAS))
def test_split_half_reliability_is_in_a_sane_range(allen, area):
    # The data README reports median split-half reliability ~0.85-0.94 in most areas (Spearman-Brown).
    trials = select_region(allen.recording, area).values
    reliability = SplitHalves(trials, n_splits=10, seed=0).reliability()
    assert np.isfinite(reliability).mean() > 0.99
    assert 0.6 < np.nanmedian(reliability) < 0.99


@pytest.fixture(scope="module")
def pixels_result(registry, shared_data, store):
    return score("pixels", data_dir=shared_data, store=store, registry=registry, use_score_cache=False, progress=False)


def test_pixels_scores_every_area_with_finite_ceiled_scores_and_intervals(pixels_result):
    # the default benchmarks also hold the 2-photon RDM benchmarks (allen_2p_rdm.*.rsa): Neuropixels only here
    scores = {s["region"]: s for s in pixels_result["scores"] if s["benchmark"].startswith("allen_np.")}
    assert set(scores) == set(AREAS) and not pixels_result["failed"]
    for area, s in scores.items():
        assert s["n_neuroids"] == AREAS[area]
        assert 0.85 < s["ceiling"] < 1.0  # sqrt of the median reliability
        assert 0.0 < s["raw"] < 0.35 and np.isfinite(s["ceiled"])
        assert s["ceiled"] == pytest.approx(s["raw"] / s["ceiling"])
        lo, hi = s["ci95_stimuli"]["ceiled"]
        assert lo < s["ceiled"] < hi
        lo, hi = s["ci95_subjects"]["raw"]
        assert lo <= s["raw"] <= hi
        assert len(s["chosen_layer_per_split"]) == 5


def test_same_seed_gives_the_same_numbers(pixels_result, registry, shared_data, store):
    again = score("pixels", benchmarks=["allen_np.VISp.ridge"], data_dir=shared_data, store=store, registry=registry, use_score_cache=False, progress=False)
    first = next(s for s in pixels_result["scores"] if s["region"] == "VISp")
    second = again["scores"][0]
    for key in ("raw", "ceiling", "ceiled"):
        assert abs(first[key] - second[key]) < 1e-9
    assert first["ci95_stimuli"] == second["ci95_stimuli"]


def test_result_records_provenance(pixels_result):
    prov = pixels_result["provenance"]
    assert {"torch", "numpy", "brainbench"} <= set(prov["packages"])
    assert prov["peak_memory_mb"] > 0 and prov["wall_seconds"] > 0
    assert pixels_result["provenance_data"]["allen_np"]["spike_counts.npz"].startswith("780d0cbc")
    assert pixels_result["model"]["preprocessing"]["center_crop"] == 64


@pytest.mark.slow
def test_trained_network_beats_pixels_and_differs_from_its_untrained_twin(pixels_result, registry, shared_data, store):
    kw = dict(benchmarks=["allen_np.VISp.ridge", "allen_np.VISpm.ridge"], data_dir=shared_data, store=store, registry=registry, progress=False)
    trained = {s["region"]: s for s in score("efficientnet_lite0", **kw)["scores"]}
    again = {s["region"]: s for s in score("efficientnet_lite0", use_score_cache=False, **kw)["scores"]}
    untrained = {s["region"]: s for s in score("efficientnet_lite0_untrained", **kw)["scores"]}
    pixels = {s["region"]: s for s in pixels_result["scores"]}
    for area in ("VISp", "VISpm"):
        # measured: EfficientNet-Lite0 ~0.30/0.34 ceiled vs pixels ~0.12/0.19
        assert abs(trained[area]["ceiled"] - again[area]["ceiled"]) < 1e-9  # same seed, same numbers
        assert trained[area]["ceiled"] > pixels[area]["ceiled"] + 0.05
        assert abs(trained[area]["ceiled"] - untrained[area]["ceiled"]) > 0.01
        assert trained[area]["chosen_layer"] in trained[area]["layer_order"]


def test_the_recording_is_built_when_first_used_and_never_for_a_cached_score(pixels_result, registry, shared_data, store):
    """``load`` reads and checks every file, but assembles the responses into the recording only when it
    is first read: a score answered from the store never reads it (from a fresh process that saves
    xarray's import of dask.array and the assembly, ~1 s). Built late, it holds the published rates:
    each unit's counts x 100 / n_bins_10ms, NaN beyond its session's trials."""
    import json

    from brainbench import scoring

    scoring._DATASET_CACHE.clear()
    cached = score("pixels", benchmarks=["allen_np.VISp.ridge"], data_dir=shared_data, store=store, registry=registry, progress=False, log=lambda m: None)
    assert cached["scores"][0]["from_cache"]
    (dataset,) = [d for d in scoring._DATASET_CACHE.values() if d.name == "allen_np"]
    assert not dataset.recording_built

    recording = dataset.recording
    assert dataset.recording_built and dataset.recording is recording
    units = json.loads((shared_data / "allen_neuropixels_natural_scenes" / "units.json").read_text())
    key = sorted(units)[1]
    counts = np.load(shared_data / "allen_neuropixels_natural_scenes" / "spike_counts.npz")[key]
    unit = f"{key}/{units[key]['unit_ids'][0]}"
    rates = recording.sel(neuroid=recording["neuroid_id"] == unit).values[:, :, 0]
    np.testing.assert_array_equal(rates[: counts.shape[0]], counts[:, :, 0].astype(np.float32) * np.float32(100.0 / units[key]["n_bins_10ms"]))
    assert np.isnan(rates[counts.shape[0] :]).all()
