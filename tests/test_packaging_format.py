"""The Neuropixels writer (datasets/allen_neuropixels/format.py) is byte-compatible with the published
files and with what the loader reads; the packaging arithmetic (spike counts in a window, trial
arrangement) is checked against brute force. allensdk itself is not needed."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

from brainbench.datasets import allen_neuropixels as allen
from brainbench.datasets.allen_neuropixels import format as fmt
from brainbench.datasets.allen_neuropixels import package_allensdk


def test_rewriting_the_published_files_reproduces_their_sha256(shared_data, tmp_path):
    sessions = fmt.read_spike_counts(shared_data / allen.FOLDER)
    digests = fmt.write_spike_counts(tmp_path, sessions)
    assert digests == allen.FILES
    for name, digest in allen.FILES.items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest


def test_counts_in_window_matches_brute_force():
    rng = np.random.default_rng(0)
    spikes = [np.sort(rng.uniform(0, 100, size=n)) for n in (0, 5, 300, 2000)]
    onsets = np.sort(rng.uniform(0, 99, size=40))
    window = (0.03, 0.28)
    got = fmt.counts_in_window(spikes, onsets, window)
    want = np.array([[np.sum((s >= t + window[0]) & (s < t + window[1])) for s in spikes] for t in onsets])
    np.testing.assert_array_equal(got, want)


def _fake_session(rng, n_units, n_trials, rates):
    """Presentations of the 118 images in shuffled blocks, with unit-and-image-specific firing."""
    frames = np.concatenate([rng.permutation(fmt.N_IMAGES) for _ in range(n_trials)])
    onsets = np.arange(len(frames)) * 0.25
    spikes = []
    for unit in range(n_units):
        times = [t + rng.uniform(0, 0.25, size=rng.poisson(rates[unit, f] * 0.25)) for t, f in zip(onsets, frames)]
        spikes.append(np.sort(np.concatenate(times)))
    return frames, onsets, spikes


def test_a_tiny_packaged_dataset_loads_through_the_plugin(tmp_path):
    rng = np.random.default_rng(1)
    folder = tmp_path / allen.FOLDER
    sessions, truth = {}, {}
    for area, specimen, n_units, n_trials in (("VISp", 11, 3, 6), ("VISl", 12, 2, 5)):
        rates = rng.uniform(5, 60, size=(n_units, fmt.N_IMAGES))
        frames, onsets, spikes = _fake_session(rng, n_units, n_trials, rates)
        counts = fmt.counts_in_window(spikes, onsets, (0.0, 0.25))
        trials = fmt.arrange_trials(frames, counts)
        meta = fmt.session_meta(area, specimen, [100 * specimen + u for u in range(n_units)], n_trials, (0.0, 0.25))
        key = fmt.session_key(area, specimen)
        sessions[key], truth[key] = (trials, meta), (trials, rates)
    fmt.write_spike_counts(folder, sessions)
    fmt.write_images(folder, rng.integers(0, 256, size=(fmt.N_IMAGES, 6, 8), dtype=np.uint8))

    dataset = allen.load(tmp_path)
    rec = dataset.recording
    assert rec.shape == (6, fmt.N_IMAGES, 5)
    assert sorted(set(rec["region"].values)) == ["VISl", "VISp"]
    assert any("differs from the published" in w for w in dataset.warnings)
    # loader rate = count * 100 / n_bins_10ms = count / 0.25 s
    v1 = rec.isel(neuroid=np.flatnonzero(rec["session"].values == "V1_11")).values
    np.testing.assert_allclose(v1, truth["V1_11"][0].astype(np.float32) * 4.0)
    lm = rec.isel(neuroid=np.flatnonzero(rec["session"].values == "LM_12")).values
    assert np.isnan(lm[5:]).all() and not np.isnan(lm[:5]).any()  # 5 trials, padded to 6
    # the trial-averaged rates recover the planted tuning
    mean_rate = np.nanmean(v1, axis=0)
    for u in range(3):
        assert np.corrcoef(mean_rate[:, u], truth["V1_11"][1][u])[0, 1] > 0.8
    assert [p.name for p in dataset.stimuli.paths[:2]] == ["scene_000.png", "scene_001.png"]


def test_bad_inputs_are_named():
    with pytest.raises(fmt.FormatError, match="drop blanks"):
        fmt.arrange_trials(np.array([-1, 0]), np.zeros((2, 1)))
    frames = np.r_[np.arange(fmt.N_IMAGES), 0]
    with pytest.raises(fmt.FormatError, match="unequally often"):
        fmt.arrange_trials(frames, np.zeros((len(frames), 1)))
    with pytest.raises(fmt.FormatError, match="uint8"):
        fmt.arrange_trials(np.arange(fmt.N_IMAGES), np.full((fmt.N_IMAGES, 1), 300))
    meta = fmt.session_meta("VISp", 1, [7], 1, (0.0, 0.25))
    with pytest.raises(fmt.FormatError, match="metadata says"):
        fmt.write_spike_counts("/nonexistent-never-written", {"V1_1": (np.zeros((2, fmt.N_IMAGES, 3), np.uint8), meta)})
    with pytest.raises(fmt.FormatError, match="unknown visual area"):
        fmt.session_key("CA1", 1)


def test_packaging_script_loads_format_without_brainbench():
    module = package_allensdk.load_format()
    assert module.write_spike_counts.__code__.co_filename.endswith("allen_neuropixels/format.py")
    assert "allensdk" not in repr(vars(module).keys())


def test_rewriting_the_published_images_reproduces_their_bytes(shared_data):
    """The image writer must re-encode decoded pixels to the exact published PNG bytes (sha256 in the manifest)."""
    from PIL import Image

    images = shared_data / allen.FOLDER / "images"
    for frame in range(0, fmt.N_IMAGES, 3):  # every third image keeps this under a few seconds
        published = (images / f"scene_{frame:03d}.png").read_bytes()
        with Image.open(images / f"scene_{frame:03d}.png") as image:
            pixels = np.asarray(image)
        assert fmt.encode_png(pixels) == published, frame
