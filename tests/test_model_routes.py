"""Models beyond torch and beyond the checkout, through the one feature-extractor protocol.

The worked example (a small CNN with real trained weights) is scored on a real benchmark as a torch
module, then through each other route — exported to ONNX and run by onnxruntime from a card-only
folder outside the checkout, its activations saved to .npz / .nc / .h5 and scored with
``--activations``, its plugin folder copied outside the checkout — and every route must give the torch
scores (raw, ceiling, ceiled, every layer's profile) to 1e-6, with the same chosen layer.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

import brainbench
from brainbench.activations import extract
from brainbench.cli import main
from brainbench.errors import PluginError
from brainbench.extractor import FeatureExtractor
from brainbench.model import load_checkpoint, vision_preprocess

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "submissions" / "example_tiny_cnn"
BENCH = "allen_np.VISp.ridge"
LAYERS = ["block1", "block2", "block3", "pool", "fc"]


def tiny_cnn() -> torch.nn.Module:
    from brainbench.submissions.example_tiny_cnn.model import TinyCNN

    module = TinyCNN()
    module.load_state_dict(load_checkpoint(EXAMPLE / "tiny_cnn.pt"))
    return module.eval()


def max_difference(entry: dict, reference: dict) -> float:
    """Largest |difference| over raw, ceiling, ceiled and every layer's raw profile; choices must agree."""
    assert entry["chosen_layer"] == reference["chosen_layer"]
    assert entry["chosen_layer_per_split"] == reference["chosen_layer_per_split"]
    values = [abs(entry[k] - reference[k]) for k in ("raw", "ceiling", "ceiled")]
    values += [abs(entry["layer_profile"][layer]["raw"] - reference["layer_profile"][layer]["raw"]) for layer in LAYERS]
    return max(values)


def cli_score(tmp_path, store, shared_data, *argv) -> int:
    return main(["score", *map(str, argv), "--benchmark", BENCH, "--out", str(tmp_path / "results"), "--data-dir", str(shared_data),
                 "--cache-dir", str(store.root), "--quiet", "--device", "cpu"])


def result_entry(tmp_path, name: str) -> tuple[dict, dict]:
    document = json.loads((tmp_path / "results" / f"{name}.json").read_text())
    (entry,) = document["scores"]
    return document, entry


@pytest.fixture(scope="module")
def torch_score(store, shared_data):
    result = brainbench.score("example_tiny_cnn", [BENCH], store=store, data_dir=shared_data, progress=False)
    assert not result["failed"]
    return result["scores"][0]


# -- ONNX --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def onnx_folder(tmp_path_factory):
    """The example exported with torch.onnx.export into a folder outside the checkout: card.json + .onnx, no Python."""
    import onnx

    folder = tmp_path_factory.mktemp("elsewhere") / "tiny_cnn_onnx"
    folder.mkdir()
    path = folder / "tiny_cnn.onnx"
    torch.onnx.export(tiny_cnn(), (torch.zeros(2, 3, 64, 64),), str(path), input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}, dynamo=False)
    graph = onnx.load(str(path)).graph
    # each torch layer's output is the output of the last node the exporter named after that module
    tensors = {layer: [node.output[0] for node in graph.node if node.name.startswith(f"/{layer}/")][-1] for layer in LAYERS}
    card = json.loads((EXAMPLE / "card.json").read_text())
    del card["weights_file"]
    card.update(name="tiny_cnn_onnx", onnx_file=path.name, onnx_tensors=tensors, weights_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                weights_source="tiny_cnn.onnx, exported from the worked example with torch.onnx.export",
                preprocessing={"resize": 73, "crop": 64, "mean": [0.5] * 3, "std": [0.25] * 3})
    (folder / "card.json").write_text(json.dumps(card, indent=1))
    shutil.copy(EXAMPLE / "bibtex.bib", folder / "bibtex.bib")
    return folder


def test_onnx_export_reproduces_the_torch_scores(onnx_folder, torch_score, store, shared_data, tmp_path, capsys):
    assert REPO not in onnx_folder.parents
    assert not (onnx_folder / "__init__.py").exists()
    assert cli_score(tmp_path, store, shared_data, "--model", onnx_folder) == 0
    document, entry = result_entry(tmp_path, "tiny_cnn_onnx")
    assert document["model"]["source"] == str(onnx_folder)
    assert document["model"]["preprocessing"]["onnx_tensors"]["fc"] == "logits"
    difference = max_difference(entry, torch_score)
    print(f"\nONNX (onnxruntime) vs torch on {BENCH}: ceiled {entry['ceiled']:.6f} vs {torch_score['ceiled']:.6f}, max |difference| {difference:.2e}")
    assert difference <= 1e-6
    assert 0.12 < entry["ceiled"] < 0.35  # a real score: measured 0.218 (block3)


def test_onnx_folder_passes_check(onnx_folder, capsys):
    assert main(["check", str(onnx_folder)]) == 0
    out = capsys.readouterr().out
    assert "PASSED" in out and "block1  8,192  ok" in out


def test_onnx_errors_name_the_problem(onnx_folder, tmp_path):
    from brainbench.onnx_model import OnnxExtractor

    preprocess, description = vision_preprocess(73, 64)
    with pytest.raises(PluginError, match=r"tensor\(s\) not in the ONNX graph tiny_cnn.onnx: \{'/block3/block3.2/MaxPol_output_0': \['/block3/block3.2/MaxPool_output_0'"):
        OnnxExtractor(onnx_folder / "tiny_cnn.onnx", "x", "vision", ["/block3/block3.2/MaxPol_output_0"], preprocess, description)
    broken = tmp_path / "broken"
    shutil.copytree(onnx_folder, broken)
    (broken / "tiny_cnn.onnx").write_bytes((onnx_folder / "tiny_cnn.onnx").read_bytes()[:-10])
    assert main(["check", str(broken)]) == 1  # the card pins the file's sha256


# -- precomputed activations ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def torch_activations(registry, allen, store):
    """The torch model's activations, rows in another order than the stimulus set's (matched by id)."""
    arrays = extract(registry.model("example_tiny_cnn").build(), allen.stimuli, LAYERS, store=store, progress=False)
    order = np.random.default_rng(0).permutation(len(allen.stimuli))
    ids = np.array(allen.stimuli.ids)[order]
    return ids, {layer: np.asarray(arrays[layer])[order] for layer in LAYERS}


def write_activations(path: Path, ids, arrays: dict, **attrs) -> Path:
    if path.suffix == ".npz":
        np.savez(path, stimulus_ids=ids, **arrays, **attrs)
    elif path.suffix == ".h5":
        import h5py

        with h5py.File(path, "w") as f:
            f["stimulus_ids"] = np.array(ids, dtype="S")
            for layer, array in arrays.items():
                f[layer] = array
            f.attrs.update(attrs)
    else:
        import xarray as xr

        variables = {layer: (("stimulus", f"{layer}_feature"), array) for layer, array in arrays.items()}
        xr.Dataset(variables, coords={"stimulus_id": ("stimulus", list(ids))}, attrs=attrs).to_netcdf(path)
    return path


@pytest.mark.parametrize("suffix", [".npz", ".nc", ".h5"])
def test_precomputed_activations_reproduce_the_torch_scores(suffix, torch_activations, torch_score, store, shared_data, tmp_path):
    ids, arrays = torch_activations
    path = write_activations(tmp_path / f"activations{suffix}", ids, arrays, layers=LAYERS)
    name = f"tiny_cnn_from{suffix.replace('.', '_')}"
    assert cli_score(tmp_path, store, shared_data, "--activations", path, "--model", name) == 0
    document, entry = result_entry(tmp_path, name)
    assert document["model"]["weights_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert document["model"]["layers"] == LAYERS
    difference = max_difference(entry, torch_score)
    print(f"\nprecomputed {suffix} vs torch on {BENCH}: ceiled {entry['ceiled']:.6f} vs {torch_score['ceiled']:.6f}, max |difference| {difference:.2e}")
    assert difference <= 1e-6


def test_precomputed_cache_identity_is_the_file(torch_activations, tmp_path, allen):
    from brainbench.activations import activation_key
    from brainbench.precomputed import PrecomputedActivations

    ids, arrays = torch_activations
    a = PrecomputedActivations(write_activations(tmp_path / "a.npz", ids, arrays), "one_name", "vision")
    b = PrecomputedActivations(write_activations(tmp_path / "b.npz", ids, arrays), "another_name", "vision")
    assert activation_key(a, allen.stimuli, "fc") == activation_key(b, allen.stimuli, "fc")  # same bytes, any name
    changed = {**arrays, "fc": arrays["fc"] * 1.001}
    c = PrecomputedActivations(write_activations(tmp_path / "c.npz", ids, changed), "one_name", "vision")
    assert activation_key(c, allen.stimuli, "fc") != activation_key(a, allen.stimuli, "fc")


def test_precomputed_missing_and_extra_stimuli_are_named(torch_activations, store, shared_data, tmp_path, capsys):
    ids, arrays = torch_activations
    keep = np.isin(ids, ["scene_007", "scene_093"], invert=True)
    extra_ids = np.concatenate([ids[keep], ["scene_999"]])
    extra = {layer: np.concatenate([array[keep], array[:1]]) for layer, array in arrays.items()}
    path = write_activations(tmp_path / "partial.npz", extra_ids, extra)
    assert cli_score(tmp_path, store, shared_data, "--activations", path, "--model", "partial") == 2
    err = capsys.readouterr().err
    assert f"{BENCH}: FAILED: activations file {path} does not fit stimulus set 'allen_natural_scenes' (118 stimuli)" in err
    assert "2 stimulus id(s) of the stimulus set missing from the file: scene_007, scene_093" in err
    assert "1 stimulus id(s) in the file that are not in the stimulus set: scene_999" in err


def test_precomputed_bad_shapes_and_values_are_named(torch_activations, allen, tmp_path):
    from brainbench.precomputed import PrecomputedActivations

    ids, arrays = torch_activations
    nan = arrays["fc"].copy()
    nan[np.flatnonzero(ids == "scene_005")[0], 3] = np.nan
    bad = {**arrays, "block2": arrays["block2"][:-1], "fc": nan, "pool": arrays["pool"][:, 0]}
    extractor = PrecomputedActivations(write_activations(tmp_path / "bad.h5", ids, bad), "bad", "vision")
    with pytest.raises(PluginError) as caught:
        extractor.check_stimuli(allen.stimuli)
    message = str(caught.value)
    assert "layer 'block2' has shape (117, 4096); expected (118 stimuli, features...)" in message
    assert "layer 'pool' has shape (118,)" in message
    assert "layer 'fc' has NaN or inf values for 1 stimulus id(s): scene_005" in message
    assert "block1" not in message and "block3" not in message
    with pytest.raises(PluginError, match="unknown format '.csv'"):
        PrecomputedActivations(tmp_path / "x.csv", "x")
    np.savez(tmp_path / "no_ids.npz", fc=arrays["fc"])
    with pytest.raises(PluginError, match="has no 'stimulus_ids' array"):
        PrecomputedActivations(tmp_path / "no_ids.npz", "x")
    with pytest.raises(PluginError, match=r"layer\(s\) \['conv9'\] not in the file"):
        PrecomputedActivations(tmp_path / "bad.h5", "x", layers=["conv9"])


def test_precomputed_files_numpy_cannot_read_or_float32_cannot_hold_are_named(torch_activations, allen, tmp_path):
    """A text file named .npz, an object array, a zero-width layer and float64 values beyond float32's
    range gave numpy's own errors (exit 1) or 'NaN or inf' for a file with none."""
    from brainbench.precomputed import PrecomputedActivations

    ids, arrays = torch_activations
    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(PluginError, match="text.npz is not an .npz \\(zip\\) file numpy can read"):
        PrecomputedActivations(tmp_path / "text.npz", "x", "vision")
    np.savez(tmp_path / "odd.npz", stimulus_ids=ids, objects=np.empty((len(ids), 3), dtype=object), empty=np.zeros((len(ids), 0)),
             huge=np.full((len(ids), 4), 1e300), fc=arrays["fc"])
    for layer, message in (("objects", "holds Python objects, not numbers"), ("empty", "has no features (shape (118, 0))"),
                           ("huge", "beyond the float32 range activations are stored in (largest |x| = 1e+300): rescale it")):
        with pytest.raises(PluginError, match=re.escape(message)):
            PrecomputedActivations(tmp_path / "odd.npz", "x", "vision", layers=[layer, "fc"]).check_stimuli(allen.stimuli)
    PrecomputedActivations(tmp_path / "odd.npz", "x", "vision", layers=["fc"]).check_stimuli(allen.stimuli)  # the good layer alone is fine
    np.savez(tmp_path / "empty.npz", stimulus_ids=np.array([], dtype=str), fc=np.zeros((0, 5), dtype=np.float32))
    with pytest.raises(PluginError, match="its stimulus ids are empty: the file holds no stimuli, and the set's 118 are all missing"):
        PrecomputedActivations(tmp_path / "empty.npz", "x", "vision").check_stimuli(allen.stimuli)  # was numpy's "cannot reshape"


def test_precomputed_needs_a_modality_and_a_free_name(torch_activations, tmp_path, capsys, shared_data):
    ids, arrays = torch_activations
    path = write_activations(tmp_path / "no_modality.npz", ids, arrays)
    assert main(["score", "--activations", str(path), "--model", "lab_model", "--out", str(tmp_path), "--data-dir", str(shared_data)]) == 2
    assert "does not say its modality: pass --benchmark" in capsys.readouterr().err
    assert main(["score", "--activations", str(path), "--model", "pixels", "--benchmark", BENCH, "--out", str(tmp_path)]) == 2
    assert "'pixels' is a registered model" in capsys.readouterr().err


# -- plugin folders anywhere -----------------------------------------------------------------------------
def test_score_a_plugin_folder_outside_the_checkout(tmp_path, store, shared_data, torch_score, capsys):
    folder = tmp_path / "elsewhere" / "my_tiny_cnn"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("__pycache__"))
    card = json.loads((folder / "card.json").read_text())
    (folder / "card.json").write_text(json.dumps({**card, "name": "my_tiny_cnn"}))
    assert REPO not in folder.parents
    assert main(["check", str(folder)]) == 0  # as before: check takes the folder...
    assert cli_score(tmp_path, store, shared_data, "--model", folder) == 0  # ...and now score takes it too
    assert "result written to " + str(tmp_path / "results" / "my_tiny_cnn.json") in capsys.readouterr().out
    document, entry = result_entry(tmp_path, "my_tiny_cnn")
    assert document["model"]["source"] == str(folder.resolve()) and document["model"]["training"] == "supervised"
    assert max_difference(entry, torch_score) == 0.0  # the same network and weights: the same numbers
    again = brainbench.score(str(folder), [BENCH], store=store, data_dir=shared_data, progress=False)
    assert again["model"]["name"] == "my_tiny_cnn" and max_difference(again["scores"][0], torch_score) == 0.0
    assert cli_score(tmp_path, store, shared_data, "--model", tmp_path / "nowhere") == 2
    assert f"model folder {tmp_path / 'nowhere'} does not exist" in capsys.readouterr().err


# -- the protocol, without torch in the model --------------------------------------------------------------
class NumpyPixels(FeatureExtractor):
    """The pixel baseline written against the protocol in numpy: grayscale 64 x 64 pixels."""

    name, modality, layers = "numpy_pixels", "vision", ["pixels"]

    def __init__(self):
        self.preprocess, self.preprocessing = vision_preprocess(73, 64, mean=(0.0,) * 3, std=(1.0,) * 3)

    @property
    def weights_hash(self) -> str:
        return "none"

    def load(self, ids, paths):
        return self.preprocess(paths).numpy()

    def __call__(self, batch, layers):
        return {"pixels": batch.mean(axis=1).reshape(len(batch), -1)}


def test_a_numpy_extractor_scores_like_the_torch_pixel_baseline(store, shared_data):
    rdm = "allen_2p_rdm.VISp_layer23.rsa"
    mine = brainbench.score(NumpyPixels(), [rdm], store=store, data_dir=shared_data, progress=False)["scores"][0]
    pixels = brainbench.score("pixels", [rdm], store=store, data_dir=shared_data, progress=False)["scores"][0]
    assert mine["raw"] == pytest.approx(pixels["raw"], abs=1e-6) and np.isfinite(mine["raw"])


def test_edited_plugin_code_never_reads_the_old_codes_activations(tmp_path, allen):
    """Two plugin folders with one name, the same weights and different forward code shared one
    activation cache key (the second was served the first's score, 'cached'). The key now holds the
    sha256 of the folder's Python files: edited code gets its own key, a byte-identical copy the same."""
    import shutil

    from brainbench.activations import activation_key
    from brainbench.model_source import build_extractor
    from brainbench.registry import default_registry
    from brainbench.scoring import model_ref

    source = Path(__file__).parents[1] / "submissions" / "example_tiny_cnn"
    folders = {}
    for copy in ("a", "b", "c"):
        folders[copy] = tmp_path / copy / "tiny"
        shutil.copytree(source, folders[copy])
        card = json.loads((folders[copy] / "card.json").read_text())
        (folders[copy] / "card.json").write_text(json.dumps({**card, "name": "tiny"}))  # one name for all three
    model = folders["c"] / "model.py"
    model.write_text(model.read_text().replace("x = self.block3(self.block2(self.block1(x)))", "x = self.block3(self.block2(2 * self.block1(x)))"))
    registry = default_registry()
    built = {k: build_extractor(model_ref(str(folder), registry), registry) for k, folder in folders.items()}
    keys = {k: activation_key(extractor, allen.stimuli, extractor.layers[-1]) for k, extractor in built.items()}
    assert built["a"].name == built["c"].name and built["a"].weights_hash == built["c"].weights_hash
    assert keys["a"] == keys["b"] and keys["a"] != keys["c"]
    assert built["a"].plugin_source_sha256 != built["c"].plugin_source_sha256 and built["a"].plugin_source_sha256 is not None
