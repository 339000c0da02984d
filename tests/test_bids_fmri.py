"""The BIDS fMRI adapter on small synthetic NIfTI data: a planted stimulus-driven voxel pattern must be
recovered (GLM and lagged modes), regions come from a mask or an atlas label, and a score map plots."""
from __future__ import annotations

import json

import numpy as np
import pytest

nib = pytest.importorskip("nibabel")
pytest.importorskip("nilearn")
soundfile = pytest.importorskip("soundfile")

from brainbench.datasets import bids_fmri  # noqa: E402
from brainbench.errors import DataNotFoundError  # noqa: E402

TR, N_STIM, N_RUNS, GRID = 1.0, 10, 3, (7, 6, 5)
DRIVEN = (slice(1, 4), slice(1, 3), slice(1, 3))  # 3 x 2 x 2 = 12 stimulus-driven voxels


def _make_bids(root, rng, subjects=("01", "02")):
    from nilearn.glm.first_level import compute_regressor

    stim_files = [f"sound{s:02d}.wav" for s in range(N_STIM)]
    (root / "stimuli").mkdir(parents=True)
    for name in stim_files:
        soundfile.write(root / "stimuli" / name, rng.normal(0, 0.1, 1600).astype(np.float32), 16000)
    driven = np.zeros(GRID, bool)
    driven[DRIVEN] = True
    pattern = rng.normal(0, 1, size=(N_STIM, driven.sum()))  # each driven voxel's tuning over stimuli
    roi = np.zeros(GRID, np.uint8)
    roi[0:5, 0:4, 0:4] = 1  # the mask: the driven block and 52 other voxels
    atlas = np.zeros(GRID, np.int16)
    atlas[DRIVEN] = 7
    atlas[5:7, 4:6, 3:5] = 9
    affine = np.diag([3.0, 3.0, 3.0, 1.0])
    nib.save(nib.Nifti1Image(roi, affine), root / "roi_mask.nii.gz")
    nib.save(nib.Nifti1Image(atlas, affine), root / "atlas.nii.gz")
    for sub in subjects:
        func = root / f"sub-{sub}" / "func"
        func.mkdir(parents=True)
        for run in range(1, N_RUNS + 1):
            order = rng.permutation(N_STIM)
            onsets = 4.0 + np.arange(N_STIM) * 8.0 + rng.uniform(0, 2, N_STIM)
            n_vol = int(onsets[-1] + 24)
            frame_times = np.arange(n_vol) * TR
            bold = 100 + rng.normal(0, 0.4, size=(*GRID, n_vol))
            for s, onset in zip(order, onsets):
                reg = compute_regressor(np.array([[onset], [2.0], [1.0]]), "glover", frame_times)[0][:, 0]
                bold[driven] += np.outer(pattern[s], reg)
            nib.save(nib.Nifti1Image(bold.astype(np.float32), affine), func / f"sub-{sub}_task-listen_run-{run}_bold.nii.gz")
            (func / f"sub-{sub}_task-listen_run-{run}_bold.json").write_text(json.dumps({"RepetitionTime": TR}))
            with open(func / f"sub-{sub}_task-listen_run-{run}_events.tsv", "w") as f:
                f.write("onset\tduration\tstim_file\n")
                for s, onset in zip(order, onsets):
                    f.write(f"{onset:.3f}\t2.0\t{stim_files[s]}\n")
    return pattern, driven


@pytest.fixture(scope="module")
def bids(tmp_path_factory):
    root = tmp_path_factory.mktemp("data") / "synthetic_listen"
    pattern, driven = _make_bids(root, np.random.default_rng(0))
    return root, pattern, driven


def _recovery(dataset, pattern, driven, region="auditory"):
    rec = dataset.recording
    rec = rec.isel(neuroid=np.flatnonzero((rec["region"].values == region) & (rec["subject"].values == "01")))
    mean = np.nanmean(rec.values, axis=0)  # (stimuli, voxels)
    idx = list(zip(rec["i"].values, rec["j"].values, rec["k"].values))
    is_driven = np.array([driven[v] for v in idx])
    order = [list(zip(*np.nonzero(driven))).index(v) for v, d in zip(idx, is_driven) if d]
    r_driven = [np.corrcoef(mean[:, c], pattern[:, o])[0, 1] for c, o in zip(np.flatnonzero(is_driven), order)]
    r_other = [max(abs(np.corrcoef(mean[:, c], pattern[:, o])[0, 1]) for o in range(pattern.shape[1])) for c in np.flatnonzero(~is_driven)]
    return np.array(r_driven), np.array(r_other), rec


def test_glm_recovers_the_planted_pattern(bids):
    root, pattern, driven = bids
    plugin = bids_fmri.bids_fmri_plugin("synthetic_listen", root.name, "listen", {"auditory": "roi_mask.nii.gz", "block": ("atlas.nii.gz", 7)})
    dataset = plugin.load(root.parent)
    rec = dataset.recording
    assert rec.dims == ("repetition", "stimulus", "neuroid")
    assert rec.shape == (N_RUNS, N_STIM, 2 * (80 + 12))  # 2 subjects x (80 mask + 12 atlas voxels)
    assert list(dataset.stimuli.ids) == [f"sound{s:02d}" for s in range(N_STIM)]
    r_driven, r_other, sub = _recovery(dataset, pattern, driven)
    assert r_driven.min() > 0.9, r_driven
    assert np.median(r_other) < 0.75  # best match among 12 planted patterns, by chance only
    # split-half over runs: driven voxels reliable, the others not
    block = rec.isel(neuroid=np.flatnonzero(rec["region"].values == "block"))
    a, b = np.nanmean(block.values[:2], axis=0), block.values[2]
    assert np.median([np.corrcoef(a[:, v], b[:, v])[0, 1] for v in range(block.shape[2])]) > 0.8


def test_lagged_mode_also_recovers_it(bids):
    root, pattern, driven = bids
    dataset = bids_fmri.load_bids(root, "listen", {"auditory": "roi_mask.nii.gz"}, mode="lagged", subjects=["01"])
    r_driven, _, _ = _recovery(dataset, pattern, driven)
    assert np.median(r_driven) > 0.8


def test_score_map_plots(bids, tmp_path):
    root, pattern, driven = bids
    dataset = bids_fmri.load_bids(root, "listen", {"auditory": "roi_mask.nii.gz"}, subjects=["01"])
    rec = dataset.recording
    scores = np.array([1.0 if driven[i, j, k] else 0.1 for i, j, k in zip(rec["i"].values, rec["j"].values, rec["k"].values)])
    img = bids_fmri.voxel_image(scores, rec)
    data = img.get_fdata()
    assert np.allclose(data[DRIVEN], 1.0) and np.isnan(data[6, 5, 4])
    out = bids_fmri.plot_voxel_scores(scores, rec, tmp_path / "map.png", title="ridge r")
    assert out.stat().st_size > 5000


def test_hrf_convolve_and_segments(tmp_path):
    features = np.array([[1.0, 0.0], [0.0, 1.0]])
    regressors = bids_fmri.hrf_convolve(features, onsets=[0.0, 20.0], durations=[2.0, 2.0], n_volumes=40, tr=1.0)
    assert regressors.shape == (40, 2)
    assert 3 <= np.argmax(regressors[:, 0]) <= 7 and 23 <= np.argmax(regressors[:, 1]) <= 27  # peaks ~5 s after onset
    wav = tmp_path / "story.wav"
    soundfile.write(wav, np.zeros(16000 * 5, np.float32), 16000)
    rows = bids_fmri.segment_audio(wav, run_onset=10.0, segment_s=2.0, out_dir=tmp_path / "stimuli")
    assert [r["onset"] for r in rows] == [10.0, 12.0] and (tmp_path / "stimuli" / rows[1]["stim_file"]).is_file()


def test_errors_name_the_problem(bids, tmp_path):
    root, *_ = bids
    with pytest.raises(DataNotFoundError, match="no BOLD runs of task 'rest'"):
        bids_fmri.load_bids(root, "rest", {"auditory": "roi_mask.nii.gz"})
    with pytest.raises(DataNotFoundError, match="no voxel labelled 3"):
        bids_fmri.load_bids(root, "listen", {"x": ("atlas.nii.gz", 3)}, subjects=["01"])
    with pytest.raises(DataNotFoundError, match="not found in"):
        bids_fmri.bids_fmri_plugin("n", "no_such_folder", "listen", {"a": "m.nii.gz"}).load(tmp_path)
    assert bids_fmri.if_present("no_such_folder_anywhere", ["plugin"]) == []
