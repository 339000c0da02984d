"""Ground-truth recovery: recordings simulated from a known layer of a known network.

A small fixed-seed network sees 80 small images; "neurons" are the units of its second layer plus
Gaussian trial noise (8 repeats, 4 simulated animals), at several noise levels. Everything then runs
through the real pipeline (registry, Benchmark, Protocol with honest layer selection, ceilings,
bootstraps). Every metric must rank the true layer first when noise is low, choose it, and its ceiled
score must approach 1 as the noise shrinks. A metric or ceiling that is biased, mis-scaled or leaks
the test data fails here.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

from brainbench.activations import extract
from brainbench.benchmark import Dataset, Protocol
from brainbench.model import ModelAdapter
from brainbench.recording import make_recording
from brainbench.registry import DatasetPlugin, Registry, default_registry
from brainbench.scoring import score
from brainbench.stimuli import StimulusSet
from brainbench.store import Store

LAYERS = ["l1", "l2", "l3", "l4"]
TRUE_LAYER = "l2"
NOISE_LEVELS = (0.05, 0.5, 1.5)  # trial noise s.d. relative to the layer's response s.d.
METRICS = ("ridge", "rsa", "cka", "pls")
N_IMAGES, N_REPEATS, N_ANIMALS, SIZE = 80, 8, 4, 12


class Net(torch.nn.Module):
    """Four saturating layers: each is a nonlinear function of the one before, so a layer is only
    linearly (or geometrically) equivalent to itself."""

    def __init__(self, width: int = 24):  # <= 25: PLS-25 can then span the true layer
        super().__init__()
        torch.manual_seed(0)
        self.fc1, self.fc2, self.fc3, self.fc4 = (torch.nn.Linear(SIZE * SIZE if i == 0 else width, width) for i in range(4))
        for fc in (self.fc1, self.fc2, self.fc3, self.fc4):
            torch.nn.init.normal_(fc.weight, std=2.5 / np.sqrt(fc.in_features))
            torch.nn.init.normal_(fc.bias, std=0.5)
        self.l1, self.l2, self.l3, self.l4 = (torch.nn.Tanh() for _ in range(4))

    def forward(self, x):
        x = self.l1(self.fc1(x.flatten(1)))
        x = self.l2(self.fc2(x))
        x = self.l3(self.fc3(x))
        return self.l4(self.fc4(x))


def _images(folder):
    from PIL import Image
    from scipy.ndimage import gaussian_filter

    rng = np.random.default_rng(0)
    paths = []
    for i in range(N_IMAGES):
        image = gaussian_filter(rng.standard_normal((SIZE, SIZE)), 1.0)
        image = (255 * (image - image.min()) / (np.ptp(image) + 1e-9)).astype(np.uint8)
        path = folder / f"img_{i:03d}.png"
        Image.fromarray(image).save(path)
        paths.append(path)
    return paths


def _preprocess(paths):
    from PIL import Image

    arrays = [np.asarray(Image.open(p), dtype=np.float32) / 255.0 - 0.5 for p in paths]
    return torch.as_tensor(np.stack(arrays)) * 4


@pytest.fixture(scope="module")
def recovery(tmp_path_factory):
    folder = tmp_path_factory.mktemp("recovery")
    paths = _images(folder)
    stimuli = StimulusSet("recovery_images", "vision", [p.stem for p in paths], paths)
    adapter = ModelAdapter("recovery_net", "vision", Net(), LAYERS, _preprocess, {"kind": "test: 12x12 grayscale, x4 - 2"})
    store = Store(folder / "cache")
    signal = np.asarray(extract(adapter, stimuli, [TRUE_LAYER], store=store, progress=False)[TRUE_LAYER], dtype=np.float64)
    assert signal.std(axis=0).min() > 0.05, "every true unit must respond: a dead unit has no ground truth"
    n_units = signal.shape[1]
    registry = Registry()
    for metric_name in METRICS:
        registry.add(default_registry().metric(metric_name))

    def protocol_for(metric):
        if metric in ("rsa", "cka"):
            return Protocol(kind="kfold", n_splits=2, selection="nested", inner_splits=1, n_bootstrap=40, inter_animal_ceiling=True)
        return Protocol(kind="kfold", n_splits=4, selection="nested", inner_splits=3, n_bootstrap=40, inter_animal_ceiling=True)

    rng = np.random.default_rng(1)
    for level_index, noise in enumerate(NOISE_LEVELS):
        trials = signal[None] + noise * signal.std() * rng.standard_normal((N_REPEATS, *signal.shape))
        recording = make_recording(
            trials,
            stimuli.ids,
            {
                "neuroid_id": [f"u{i}" for i in range(n_units)],
                "region": ["area"] * n_units,
                "subject": [f"animal{i % N_ANIMALS}" for i in range(n_units)],
            },
        )
        dataset = Dataset(f"sim{level_index}", recording, stimuli)
        registry.add(
            DatasetPlugin(
                name=f"sim{level_index}",
                modality="vision",
                recording_kind="trials",
                regions=("area",),
                load=lambda data_dir=None, d=dataset: d,
                default_metric="ridge",
                protocol_for=protocol_for,
            )
        )
    benchmarks = [f"sim{i}.area.{m}" for i in range(len(NOISE_LEVELS)) for m in METRICS]
    result = score(adapter, benchmarks=benchmarks, registry=registry, store=store, progress=False, log=lambda message: None)
    assert not result["failed"], result["failed"]
    return {(s["benchmark"].split(".")[0], s["metric"]): s for s in result["scores"]}


def _entry(recovery, level_index, metric):
    return recovery[(f"sim{level_index}", metric)]


@pytest.mark.parametrize("metric", METRICS)
def test_true_layer_ranked_first_and_chosen_at_low_noise(recovery, metric):
    entry = _entry(recovery, 0, metric)
    profile = {layer: entry["layer_profile"][layer]["raw"] for layer in LAYERS}
    assert max(profile, key=profile.get) == TRUE_LAYER, profile
    assert set(entry["chosen_layer_per_split"]) == {TRUE_LAYER}, entry["chosen_layer_per_split"]


@pytest.mark.parametrize("metric", METRICS)
def test_ceiled_score_of_true_layer_approaches_one_as_noise_shrinks(recovery, metric):
    ceiled = [_entry(recovery, i, metric)["layer_profile"][TRUE_LAYER]["ceiled"] for i in range(len(NOISE_LEVELS))]
    raw = [_entry(recovery, i, metric)["layer_profile"][TRUE_LAYER]["raw"] for i in range(len(NOISE_LEVELS))]
    # the raw score falls with noise; the ceiling corrects it back towards 1
    assert raw[0] > raw[1] > raw[2], raw
    assert abs(ceiled[0] - 1) < 0.06, ceiled
    assert abs(ceiled[0] - 1) <= abs(ceiled[-1] - 1) + 0.02, ceiled
    assert all(c > 0.75 for c in ceiled), ceiled  # even at the highest noise the ceiling restores most of it


@pytest.mark.parametrize("metric", METRICS)
def test_every_score_has_intervals_that_contain_it_and_is_not_clipped(recovery, metric):
    for i in range(len(NOISE_LEVELS)):
        entry = _entry(recovery, i, metric)
        for kind in ("ci95_stimuli", "ci95_subjects"):
            low, high = entry[kind]["ceiled"]
            # percentile intervals need not contain the estimate exactly (near a bound they skew)
            assert low <= high and low - 0.01 <= entry["ceiled"] <= high + 0.01, (kind, entry["ceiled"], low, high)
        assert entry["ceiling_inter_animal"] is not None and entry["ceiling_inter_animal"] > 0
        if entry["ceiled"] > 1:  # kept, and flagged, never clipped to 1
            assert any("above 1" in flag for flag in entry["flags"])


if __name__ == "__main__":  # print the recovery table: python tests/test_recovery.py
    import sys

    sys.exit(pytest.main([__file__, "-q", "-s", "-k", "table"]))


def test_table(recovery, capsys):
    """Prints the recovery table (raw / ceiled of the true layer, chosen layer) with -s."""
    with capsys.disabled():
        print("\nmetric  noise  raw(true)  ceiled(true)  chosen  best-other-layer raw")
        for metric in METRICS:
            for i, noise in enumerate(NOISE_LEVELS):
                e = _entry(recovery, i, metric)
                others = max(e["layer_profile"][l]["raw"] for l in LAYERS if l != TRUE_LAYER)
                print(f"{metric:6s}  {noise:5.2f}  {e['layer_profile'][TRUE_LAYER]['raw']:.3f}      {e['layer_profile'][TRUE_LAYER]['ceiled']:.3f}         {e['chosen_layer']}      {others:.3f}")
    assert len(recovery) == len(METRICS) * len(NOISE_LEVELS)
