"""The allen_2p reader on small files written with the Brain Observatory NWB layout (see
datasets/allen_2p_nwb/nwb.py): planted per-cell image tuning must come back as per-trial responses."""
from __future__ import annotations

import numpy as np
import pytest

from brainbench.errors import DataNotFoundError
from brainbench.datasets import allen_2p_nwb as allen_2p
from brainbench.datasets.allen_2p_nwb import nwb

FPS = 30.0
N_IMAGES, N_REPS = 6, 12


def _calcium_kernel(n=20):
    t = np.arange(n) / FPS
    k = (1 - np.exp(-t / 0.05)) * np.exp(-t / 0.3)  # GCaMP6f-like rise and decay
    return k / k.max()


def _write_session(path, rng, tuning, experiment_id, area, depth, genotype, blank=True):
    n_cells = tuning.shape[0]
    order = np.concatenate([rng.permutation(np.r_[np.arange(N_IMAGES), [-1] if blank else []]) for _ in range(N_REPS)]).astype(int)
    frames_per = 8  # ~250 ms at 30 Hz, images back to back as in the Allen protocol
    lead = 30
    start = lead + np.arange(len(order)) * frames_per
    n_frames = start[-1] + frames_per + 60
    drive = np.zeros((n_cells, n_frames))
    for frame_id, s in zip(order, start):
        if frame_id >= 0:
            drive[:, s] += tuning[:, frame_id]
    kernel = _calcium_kernel()
    dff = np.stack([np.convolve(d, kernel)[:n_frames] for d in drive]) + rng.normal(0, 0.02, size=drive.shape)
    template = rng.integers(0, 256, size=(N_IMAGES, 5, 7), dtype=np.uint8)
    nwb.write_session_b(path, dff, np.arange(n_frames) / FPS, 1000 * experiment_id + np.arange(n_cells), order, start, start + frames_per,
                        template, area=area, depth_um=depth, genotype=genotype, experiment_id=experiment_id, container_id=500 + experiment_id)
    return template


@pytest.fixture
def nwb_root(tmp_path, monkeypatch):
    monkeypatch.setenv("BRAINBENCH_CACHE", str(tmp_path / "cache"))
    rng = np.random.default_rng(0)
    folder = tmp_path / "data" / allen_2p.FOLDER
    folder.mkdir(parents=True)
    tuning_a = rng.uniform(0, 1, size=(4, N_IMAGES))
    tuning_b = rng.uniform(0, 1, size=(3, N_IMAGES))
    template = _write_session(folder / "exp1.nwb", rng, tuning_a, 1, "VISp", 175, "Cux2-CreERT2;Camk2a-tTA;Ai93(TITL-GCaMP6f)")
    _write_session(folder / "exp2.nwb", rng, tuning_b, 2, "VISl", 375, "Rbp4-Cre_KL100;Ai93(TITL-GCaMP6f)")
    # a session-A file (no natural scenes) in the same folder is skipped with a warning
    nwb.write_session_b(folder / "exp3_sessionA.nwb", np.zeros((2, 50)), np.arange(50) / FPS, [1, 2], None, None, None, None,
                        session_type="three_session_A", experiment_id=3)
    return tmp_path / "data", tuning_a, tuning_b, template


def test_read_session_metadata(nwb_root):
    root, tuning_a, _, template = nwb_root
    s = nwb.read_session(root / allen_2p.FOLDER / "exp1.nwb")
    assert (s.area, s.depth_um, s.cre_line, s.session_type) == ("VISp", 175, "Cux2-CreERT2", "three_session_B")
    assert s.dff.shape[0] == 4 and list(s.cell_ids) == [1000, 1001, 1002, 1003]
    assert np.array_equal(s.template, template)
    assert (s.frame == -1).sum() == N_REPS and np.all(s.end - s.start == 8)


def test_load_recovers_planted_tuning(nwb_root):
    root, tuning_a, tuning_b, template = nwb_root
    dataset = allen_2p.load(root)
    rec = dataset.recording
    assert rec.dims == ("repetition", "stimulus", "neuroid") and rec.shape == (N_REPS, N_IMAGES, 7)
    assert list(rec["region"].values) == ["VISp"] * 4 + ["VISl"] * 3
    assert list(rec["depth_um"].values) == [175] * 4 + [375] * 3
    assert set(rec["cre_line"].values) == {"Cux2-CreERT2", "Rbp4-Cre_KL100"}
    assert list(rec["subject"].values[:1]) == ["501"] and rec["neuroid_id"].values[0] == "1/1000"
    assert any("three_session_A" in w and "skipped" in w for w in dataset.warnings)
    mean = np.nanmean(rec.values, axis=0)
    truth = np.concatenate([tuning_a, tuning_b]).T
    # the 0.5-s window also catches the tail of the next image's response (images run back to back)
    r = [np.corrcoef(mean[:, cell], truth[:, cell])[0, 1] for cell in range(7)]
    assert min(r) > 0.85 and np.median(r) > 0.95, r
    # stimuli: the template, written once as PNGs
    from PIL import Image

    assert len(dataset.stimuli) == N_IMAGES
    assert np.array_equal(np.asarray(Image.open(dataset.stimuli.paths[2])), template[2])


def test_blank_and_baseline_options(nwb_root):
    root, *_ = nwb_root
    s = nwb.read_session(root / allen_2p.FOLDER / "exp1.nwb")
    with_blank = nwb.trial_responses(s, include_blank=True)
    assert with_blank.shape == (N_REPS, N_IMAGES + 1, 4)
    blank = np.nanmean(with_blank[:, -1]), np.nanmean(with_blank[:, :-1])
    assert blank[0] < blank[1]  # the gray screen drives less than the images
    corrected = nwb.trial_responses(s, baseline_s=0.1)
    assert np.isfinite(corrected).sum() > 0 and not np.allclose(corrected, nwb.trial_responses(s), equal_nan=True)


def test_errors_name_the_problem(tmp_path):
    folder = tmp_path / allen_2p.FOLDER
    folder.mkdir()
    (folder / "broken.nwb").write_bytes(b"not hdf5")
    with pytest.raises(DataNotFoundError, match="broken.nwb: not a readable HDF5"):
        allen_2p.load(tmp_path)
    (tmp_path / "nowhere").mkdir()  # a data root without the NWB folder (one that does not exist is another error)
    with pytest.raises(DataNotFoundError, match="package_allensdk.py"):
        allen_2p.load(tmp_path / "nowhere")
    with pytest.raises(DataNotFoundError, match="data folder not found"):
        allen_2p.load(tmp_path / "typo")
    import h5py

    with h5py.File(folder / "broken.nwb", "w") as f:
        f["general/session_type"] = b"three_session_B"
    with pytest.raises(DataNotFoundError, match="DfOverF"):
        allen_2p.load(tmp_path)
