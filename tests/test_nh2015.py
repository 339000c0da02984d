"""NH2015 on the real data: loading (rows matched to wavs by name), the published protocol, no noise
ceiling, the spectrotemporal baseline against a permutation null, reproducibility, and bad stimulus
folders (built in tmp dirs from symlinks to the real files)."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import scipy.io
import soundfile

from brainbench.activations import extract
from brainbench.errors import DataNotFoundError, StimulusError
from brainbench.scoring import load_dataset, make_benchmark, score
from brainbench.store import Store

COMPONENTS = ["lowfreq", "highfreq", "envsounds", "pitch", "speech", "music"]


@pytest.fixture(scope="module")
def nh2015(registry, shared_data):
    return load_dataset(registry, "nh2015", shared_data)


@pytest.fixture(scope="module")
def mat(shared_data):
    return scipy.io.loadmat(str(shared_data / "nh2015_natural_sounds" / "components.mat"), squeeze_me=True)


def test_rows_are_matched_to_wavs_by_name(nh2015, mat):
    rec = nh2015.recording
    assert rec.shape == (1, 165, 6)
    assert list(rec["region"].values) == COMPONENTS and set(rec["subject"].values) == {"pooled"}
    ids = list(rec["stimulus_id"].values)
    assert ids == nh2015.stimuli.ids
    # canonical order is by stimulus number, not the .mat's category order
    numbers = [int(s.split("_")[0][4:]) for s in ids]
    assert numbers == sorted(numbers) and list(mat["stim_names"]) != ids
    row_of = {name: i for i, name in enumerate(mat["stim_names"])}
    for k, sid in enumerate(ids):
        np.testing.assert_array_equal(rec.values[0, k], mat["R"][row_of[sid]])
        assert nh2015.stimuli.paths[k].name == f"{sid}.wav"
        assert nh2015.stimuli.metadata["category"][k] == mat["category_labels"][row_of[sid]]
    assert nh2015.warnings == []


def test_benchmarks_protocol_and_versions(registry, shared_data):
    names = registry.benchmark_names(modality="audio", default_only=True)
    assert names == [f"nh2015.{c}.ridge" for c in COMPONENTS + ["all"]]
    bench = make_benchmark(registry, "nh2015.speech.ridge", shared_data)
    assert bench.metric.primary == "r2" and bench.aggregate == "mean" and bench.version == "1"
    splits = bench.protocol.splits(165)
    assert len(splits) == 10 and bench.protocol.selection == "held_out_splits"
    for train, test in splits:
        assert len(train) == 83 and len(test) == 82 and not set(train) & set(test)


@pytest.fixture(scope="module")
def spectrotemporal_result(registry, shared_data, store):
    return score("spectrotemporal", benchmarks=["nh2015.lowfreq.ridge", "nh2015.all.ridge"], data_dir=shared_data, store=store, registry=registry, progress=False, use_score_cache=False)


def test_no_noise_ceiling_is_invented(spectrotemporal_result):
    for entry in spectrotemporal_result["scores"]:
        assert entry["ceiling"] is None and entry["ceiled"] is None
        assert "no noise ceiling" in entry["ceiling_note"]
        assert entry["score_name"] == "r2" and -1 < entry["other_scores"]["pearson_r"] <= 1
        assert entry["n_subjects"] == 1 and entry["ci95_subjects"] is None
        assert len(entry["chosen_layer_per_split"]) == 1  # one layer, chosen on splits 1-5
    assert spectrotemporal_result["failed"] == []


def test_spectrotemporal_explains_lowfreq_far_above_a_permutation_null(registry, shared_data, store, spectrotemporal_result):
    """Bar: the held-out R² of the real mapping must exceed every one of 19 shuffled-sound nulls
    (p < 0.05) and the null's maximum by at least 0.3. The null permutes which sound's features go
    with which response (the features' and the responses' own structure is kept), so it is the R² of
    the same ridge/selection protocol when the model carries no information about the sounds."""
    real = next(e for e in spectrotemporal_result["scores"] if e["benchmark"] == "nh2015.lowfreq.ridge")
    bench = make_benchmark(registry, "nh2015.lowfreq.ridge", shared_data)
    bench = dataclasses.replace(bench, protocol=dataclasses.replace(bench.protocol, n_bootstrap=0))
    adapter = registry.model("spectrotemporal").build()
    feats = extract(adapter, bench.dataset.stimuli, store=store, progress=False)
    prepared = {layer: bench.metric.prepare(f) for layer, f in feats.items()}
    assert bench.run(prepared, adapter.layers)["raw"] == pytest.approx(real["raw"], abs=1e-12)
    rng = np.random.default_rng(123)
    null = []
    for _ in range(19):
        perm = rng.permutation(165)
        shuffled = {layer: gram[np.ix_(perm, perm)] for layer, gram in prepared.items()}
        null.append(bench.run(shuffled, adapter.layers)["raw"])
    print(f"lowfreq R² {real['raw']:.3f}; shuffled-sound null max {max(null):.3f}, mean {np.mean(null):.3f}")
    assert real["raw"] > max(null) + 0.3
    assert real["raw"] > 0.5


def test_result_reproducible_to_1e9_from_scratch(registry, shared_data, tmp_path, spectrotemporal_result):
    # a fresh store: activations re-extracted, every split and bootstrap recomputed from the seeds
    again = score("spectrotemporal", benchmarks=["nh2015.lowfreq.ridge", "nh2015.all.ridge"], data_dir=shared_data, store=Store(tmp_path), registry=registry, progress=False)
    assert again["model"]["weights_sha256"] == spectrotemporal_result["model"]["weights_sha256"]
    for a, b in zip(spectrotemporal_result["scores"], again["scores"]):
        assert not b.get("from_cache")
        assert a["chosen_layer"] == b["chosen_layer"]
        assert a["raw"] == pytest.approx(b["raw"], abs=1e-9)
        assert a["other_scores"]["pearson_r"] == pytest.approx(b["other_scores"]["pearson_r"], abs=1e-9)
        np.testing.assert_allclose(a["ci95_stimuli"]["raw"], b["ci95_stimuli"]["raw"], atol=1e-9)
        for layer in a["layer_profile"]:
            assert a["layer_profile"][layer]["raw"] == pytest.approx(b["layer_profile"][layer]["raw"], abs=1e-9)
    json.dumps(again)  # the result document is plain JSON


# -- bad stimulus folders ---------------------------------------------------------------------------
def fake_dataset(shared_data, tmp_path, replace: dict | None = None, drop: str | None = None):
    """A dataset folder of symlinks to the real files, with some wavs replaced or dropped."""
    src = shared_data / "nh2015_natural_sounds"
    dst = tmp_path / "nh2015_natural_sounds"
    (dst / "wav").mkdir(parents=True)
    for name in ("components.mat", "category_labels.csv"):
        (dst / name).symlink_to(src / name)
    for wav in (src / "wav").glob("*.wav"):
        if wav.stem == drop:
            continue
        if replace and wav.stem in replace:
            samples, rate = replace[wav.stem]
            soundfile.write(str(dst / "wav" / wav.name), samples, rate, subtype="PCM_16")
        else:
            (dst / "wav" / wav.name).symlink_to(wav)
    return tmp_path


TARGET = "stim7_applause"


def real_samples(shared_data):
    return soundfile.read(str(shared_data / "nh2015_natural_sounds" / "wav" / f"{TARGET}.wav"))[0]


def load_plugin(registry, data_dir):
    return registry.dataset("nh2015").load(data_dir)


def test_missing_wav_for_a_listed_sound(registry, shared_data, tmp_path):
    with pytest.raises(DataNotFoundError, match=f"1 sound.*no wav.*{TARGET}"):
        load_plugin(registry, fake_dataset(shared_data, tmp_path, drop=TARGET))


def test_wrong_sample_rate(registry, shared_data, tmp_path):
    import soxr

    resampled = soxr.resample(real_samples(shared_data), 44100, 16000)
    with pytest.raises(StimulusError, match=f"{TARGET}.wav has sample rate 16000 Hz.*44100 Hz"):
        load_plugin(registry, fake_dataset(shared_data, tmp_path, replace={TARGET: (resampled, 16000)}))


def test_stereo_wav(registry, shared_data, tmp_path):
    x = real_samples(shared_data)
    with pytest.raises(StimulusError, match=f"{TARGET}.wav has 2 channels"):
        load_plugin(registry, fake_dataset(shared_data, tmp_path, replace={TARGET: (np.stack([x, x], 1), 44100)}))


def test_too_short_wav(registry, shared_data, tmp_path):
    x = real_samples(shared_data)[:44100]
    with pytest.raises(StimulusError, match=r"has 44100 samples \(1.000 s\).*88200"):
        load_plugin(registry, fake_dataset(shared_data, tmp_path, replace={TARGET: (x, 44100)}))


def test_silent_wav(registry, shared_data, tmp_path):
    with pytest.raises(StimulusError, match=f"{TARGET}.wav is silent"):
        load_plugin(registry, fake_dataset(shared_data, tmp_path, replace={TARGET: (np.zeros(88200), 44100)}))


def test_data_folder_not_found(registry, tmp_path, monkeypatch):
    monkeypatch.setenv("BRAINBENCH_DATA", str(tmp_path))
    monkeypatch.setenv("BRAINBENCH_CACHE", str(tmp_path / "cache"))
    from brainbench.datasets import nh2015

    monkeypatch.setattr(nh2015, "find_dataset_dir", lambda folder, data_dir=None: None)
    with pytest.raises(DataNotFoundError, match="nh2015_natural_sounds"):
        nh2015.load(tmp_path)
