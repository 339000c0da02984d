"""The Bakhtiari et al. 2021 networks: our implementation against the authors' forward pass, safe and
strict loading of their pickled checkpoints, where the weights come from, and a real-data score.

The reference outputs (``forward_reference_random_input.npz``, beside the checkpoints in
../shared/weights) were computed with the authors' own code; see that folder's README.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from brainbench import paths, weights
from brainbench.card import validate_card
from brainbench.errors import UnsafeWeightsError, WeightsChecksumError, WeightsUnavailableError
from brainbench.model import load_checkpoint
from brainbench.submissions import bakhtiari2021 as bk
from brainbench.submissions.bakhtiari2021.network import BakhtiariNet, candidate_layers
from test_fetch import _Server  # the project's 127.0.0.1 file server (Range, cut-off answers)

REPO = Path(__file__).resolve().parents[1]
SHARED_WEIGHTS = REPO.parent / "shared" / "weights" / bk.FOLDER
REFERENCE = SHARED_WEIGHTS / "forward_reference_random_input.npz"
FILES = {"cpc_p2": "bakhtiari_cpc_p2", "act_recog_p2": "bakhtiari_actrec_p2", "act_recog_p1": "bakhtiari_actrec_p1"}
CPC = bk.CHECKPOINTS["bakhtiari_cpc_p2"].weights
RELATIVE_TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def reference():
    if not REFERENCE.is_file():
        pytest.fail(f"the reference outputs are expected at {REFERENCE}")
    return np.load(REFERENCE)


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """A fresh machine: no shared/ beside the checkout, no $BRAINBENCH_WEIGHTS, an empty user cache."""
    monkeypatch.setattr(paths, "checkout_root", lambda: None)
    monkeypatch.setenv("BRAINBENCH_CACHE", str(tmp_path / "cache"))
    for name in ("BRAINBENCH_WEIGHTS", "BRAINBENCH_OFFLINE", "BRAINBENCH_MIRROR"):
        monkeypatch.delenv(name, raising=False)
    weights.set_weights_dir(None)
    yield tmp_path
    weights.set_weights_dir(None)


def _relative_error(ours: np.ndarray, theirs: np.ndarray) -> float:
    return float(np.abs(ours - theirs).max() / np.abs(theirs).max())


# -- the architecture ---------------------------------------------------------------------------------
@pytest.mark.parametrize("file", list(FILES))
def test_every_stored_layer_matches_the_authors_forward_pass(file, reference):
    module, _ = bk.load_pretrained(FILES[file])
    stored = sorted({key.split("/")[1] for key in reference.files if key.startswith(file + "/")})
    assert stored == sorted(candidate_layers(module.n_pathways) + ["output"])  # every stored layer is checked
    outputs = {}
    named = dict(module.named_modules())
    for layer in candidate_layers(module.n_pathways):
        named[layer].register_forward_hook(lambda _m, _i, out, layer=layer: outputs.__setitem__(layer, out))
    with torch.no_grad():
        outputs["output"] = module(torch.from_numpy(reference["input"]))
    for layer in stored:
        out = outputs[layer].double().numpy()
        assert out.shape == tuple(reference[f"{file}/{layer}/shape"]), layer
        flat = out.reshape(out.shape[0], -1)[:, reference[f"{file}/{layer}/flat_index"]]
        assert _relative_error(out.mean(axis=(2, 3, 4)), reference[f"{file}/{layer}/channel_mean"]) <= RELATIVE_TOLERANCE, layer
        assert _relative_error(flat, reference[f"{file}/{layer}/values_at_index"]) <= RELATIVE_TOLERANCE, layer


@pytest.mark.parametrize("pathways", [1, 2])
def test_the_torch_free_parameter_count_equals_the_module(pathways):
    from brainbench.submissions.bakhtiari2021.layers import parameter_count

    assert parameter_count(pathways) == sum(p.numel() for p in BakhtiariNet(pathways).parameters())


def test_symmetric_stem_applies_the_four_rotations_of_its_weight():
    module = BakhtiariNet(2)
    kernel = module.s1.conv1.kernel()
    quarter = module.s1.conv1.weight.shape[0]
    assert kernel.shape == (128, 3, 5, 7, 7) and quarter == 32
    assert torch.equal(kernel[:quarter], module.s1.conv1.weight)
    assert torch.equal(kernel[2 * quarter:3 * quarter], torch.flip(module.s1.conv1.weight, dims=(3, 4)))  # 180 degrees


# -- strict, safe loading -----------------------------------------------------------------------------
def test_only_the_named_non_backbone_entries_are_dropped():
    state = load_checkpoint(SHARED_WEIGHTS / CPC.name, CPC.sha256, bk.numpy_scalar_globals())
    checkpoint = bk.CHECKPOINTS["bakhtiari_cpc_p2"]
    kept = bk.backbone_state(state, checkpoint, Path(CPC.name))
    assert set(kept) == set(BakhtiariNet(2).state_dict())
    dropped = set(state) - {checkpoint.prefix + key for key in kept}
    assert dropped and all(key.startswith(("module.agg.", "module.network_pred.")) for key in dropped)
    with pytest.raises(WeightsUnavailableError, match=r"unexpected entries \['module.extra.weight'\]"):
        bk.backbone_state({**state, "module.extra.weight": torch.zeros(1)}, checkpoint, Path(CPC.name))


def test_a_checkpoint_of_the_other_architecture_does_not_load(monkeypatch):
    one_pathway = bk.CHECKPOINTS["bakhtiari_actrec_p1"]
    monkeypatch.setitem(bk.CHECKPOINTS, "bakhtiari_actrec_p2", bk.Checkpoint(one_pathway.weights, 2, "visualnet.", ("linear.",)))
    with pytest.raises(WeightsUnavailableError, match="does not fit the 2-pathway network"):
        bk.load_pretrained("bakhtiari_actrec_p2")


class _Payload:
    """Pickles as a call to ``how`` that creates ``marker``: what a tampered checkpoint would carry."""

    def __init__(self, how: str, marker: Path):
        self.how, self.marker = how, marker

    def __reduce__(self):
        if self.how == "os.system":
            return os.system, (f"touch '{self.marker}'",)
        return exec, (f"open({str(self.marker)!r}, 'w').close()",)


def _tampered_checkpoint(path: Path, payload: _Payload) -> Path:
    # a valid torch.save zip whose pickle carries the payload next to real-looking entries
    torch.save({"epoch": 100, "state_dict": {"w": torch.zeros(2)}, "best_acc": payload}, path)
    return path


@pytest.mark.parametrize("how", ["os.system", "exec"])
def test_a_pickle_that_would_run_code_is_refused_and_not_executed(how, tmp_path):
    marker = tmp_path / "payload-ran"
    pickle.loads(pickle.dumps(_Payload(how, marker)))  # the payload is live: plain unpickling runs it
    assert marker.exists()
    marker.unlink()
    evil = _tampered_checkpoint(tmp_path / "cpc_p2.pth.tar", _Payload(how, marker))
    # even with its hash accepted (a user's own file), the loader refuses it
    with pytest.raises(UnsafeWeightsError) as info:
        load_checkpoint(evil, None, bk.numpy_scalar_globals())
    message = str(info.value)
    assert str(evil) in message and "NOT executed" in message
    assert ("system" if how == "os.system" else "exec") in message  # what the pickle asked for
    assert not marker.exists()


def test_a_tampered_file_in_the_search_path_is_refused_by_its_hash_before_unpickling(isolated, tmp_path):
    marker = tmp_path / "payload-ran"
    folder = tmp_path / "weights" / bk.FOLDER
    folder.mkdir(parents=True)
    evil = _tampered_checkpoint(folder / CPC.name, _Payload("exec", marker))
    weights.set_weights_dir(tmp_path / "weights")
    with pytest.raises(WeightsChecksumError) as info:
        bk.PLUGINS[0].build()
    message = str(info.value)
    actual = hashlib.sha256(evil.read_bytes()).hexdigest()
    assert str(evil) in message and "--weights-dir" in message
    assert f"has sha256 {actual}" in message and f"must have sha256 {CPC.sha256}" in message
    assert "before anything in it was unpickled" in message and CPC.url in message
    assert not marker.exists()


def test_a_corrupt_copy_is_refused_naming_expected_and_actual_hash(isolated, tmp_path, monkeypatch):
    copy = tmp_path / "mine" / CPC.name
    copy.parent.mkdir()
    data = bytearray((SHARED_WEIGHTS / CPC.name).read_bytes())
    data[len(data) // 2] ^= 1
    copy.write_bytes(bytes(data))
    monkeypatch.setenv("BRAINBENCH_WEIGHTS", str(copy.parent))  # the file itself directly in the folder
    with pytest.raises(WeightsChecksumError) as info:
        weights.resolve(CPC)
    message = str(info.value)
    assert f"has sha256 {hashlib.sha256(bytes(data)).hexdigest()}" in message and CPC.sha256 in message
    assert "$BRAINBENCH_WEIGHTS" in message and "Fix: delete it" in message
    # the same file given as --weights is refused the same way: the model's name promises these weights
    with pytest.raises(WeightsChecksumError, match="found via --weights"):
        weights.resolve(CPC, explicit=copy)


# -- where the weights come from ----------------------------------------------------------------------
def test_search_order_and_the_shared_copy(monkeypatch, tmp_path):
    weights.set_weights_dir(tmp_path / "option")
    monkeypatch.setenv("BRAINBENCH_WEIGHTS", str(tmp_path / "env"))
    try:
        origins = [origin for origin, _ in weights.places(CPC)]
        assert origins == ["--weights-dir", "--weights-dir", "$BRAINBENCH_WEIGHTS", "$BRAINBENCH_WEIGHTS",
                           "shared/weights beside the checkout", "user cache"]
        assert weights.resolve(CPC) == SHARED_WEIGHTS / CPC.name  # nothing in the first two: the shared copy
        env_copy = tmp_path / "env" / bk.FOLDER / CPC.name
        env_copy.parent.mkdir(parents=True)
        shutil.copy(SHARED_WEIGHTS / CPC.name, env_copy)
        assert weights.resolve(CPC) == env_copy  # $BRAINBENCH_WEIGHTS comes before the shared copy
    finally:
        weights.set_weights_dir(None)


def test_weights_dir_option_reaches_score_and_check(isolated, tmp_path, capsys, shared_data):
    from brainbench.cli import main

    folder = tmp_path / "mine" / bk.FOLDER
    folder.mkdir(parents=True)
    (folder / CPC.name).write_bytes(b"not the checkpoint")  # found first, so refused by its hash
    args = ["--model", "bakhtiari_cpc_p2", "--weights-dir", str(tmp_path / "mine")]
    # the data are named explicitly: this "fresh machine" has no ../shared beside its checkout
    assert main(["score", *args, "--benchmark", "allen_np.VISp.ridge", "--data-dir", str(shared_data), "--out", str(tmp_path / "results")]) == 2
    assert f"{folder / CPC.name} (found via --weights-dir)" in capsys.readouterr().err
    assert main(["check", str(REPO / "submissions" / "bakhtiari2021"), *args]) == 1
    assert f"{folder / CPC.name} (found via --weights-dir)" in capsys.readouterr().out


def test_offline_with_no_copy_names_the_url_and_every_place(isolated, tmp_path, monkeypatch):
    monkeypatch.setenv("BRAINBENCH_OFFLINE", "1")
    monkeypatch.setenv("BRAINBENCH_WEIGHTS", str(tmp_path / "env"))
    weights.set_weights_dir(tmp_path / "option")
    assert weights.status(CPC)[0] is False
    with pytest.raises(WeightsUnavailableError) as info:
        bk.PLUGINS[0].build()
    message = str(info.value)
    assert CPC.url in message and "BRAINBENCH_OFFLINE" in message and CPC.sha256 in message
    for _, place in weights.places(CPC):
        assert str(place) in message
    assert f"put it at\n  {weights.cached_path(CPC)}" in message
    assert "never substitutes random weights" in message


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "served"
    (root / bk.FOLDER).mkdir(parents=True)
    shutil.copy(SHARED_WEIGHTS / CPC.name, root / bk.FOLDER / CPC.name)
    with _Server(root) as srv:
        yield srv


def test_download_is_verified_resumed_and_lands_in_the_user_cache(isolated, server, monkeypatch):
    monkeypatch.setenv("BRAINBENCH_MIRROR", server.url)
    url_path = f"/{bk.FOLDER}/{CPC.name}"
    server.cut_after[url_path] = 1_000_000
    with pytest.raises(WeightsUnavailableError, match="resume") as info:
        weights.resolve(CPC)
    assert f"{server.url}{url_path}" in str(info.value)
    target = weights.cached_path(CPC)
    assert not target.exists() and target.with_name(CPC.name + ".part").stat().st_size == 1_000_000
    path = weights.resolve(CPC)  # the second try resumes where the first stopped
    assert server.requests[-1] == (url_path, "bytes=1000000-")
    assert path == target and hashlib.sha256(path.read_bytes()).hexdigest() == CPC.sha256
    assert not target.with_name(CPC.name + ".part").exists()
    n = len(server.requests)
    module, source = bk.load_pretrained("bakhtiari_cpc_p2")  # now found in the cache: no request
    assert source == target and len(server.requests) == n


def test_a_download_with_the_wrong_hash_leaves_nothing(isolated, server, monkeypatch):
    served = server.root / bk.FOLDER / CPC.name
    data = bytearray(served.read_bytes())
    data[100] ^= 1
    served.write_bytes(bytes(data))
    monkeypatch.setenv("BRAINBENCH_MIRROR", server.url)
    with pytest.raises(WeightsUnavailableError, match="checksum mismatch"):
        weights.resolve(CPC)
    target = weights.cached_path(CPC)
    assert not target.exists() and not target.with_name(CPC.name + ".part").exists()


# -- stimuli, card, plugins ---------------------------------------------------------------------------
#: sha256 of the 118 Allen scenes (sorted by file name) padded with 128 zero columns on each side and
#: resized to 64 x 64 by cv2.resize (INTER_LINEAR), uint8 bytes concatenated; identical with OpenCV
#: 4.5.5 and 5.0.0 (computed outside this repository, which does not depend on OpenCV)
OPENCV_SHA256 = "dae7e82f4b8de5d0b773078bbc7fab61c06f887f7965fcd062ba18bd3fc8d3ad"


def test_resize_is_opencv_bit_for_bit_on_the_allen_scenes(shared_data):
    from PIL import Image

    digest = hashlib.sha256()
    for path in sorted((shared_data / "allen_neuropixels_natural_scenes" / "images").glob("*.png")):
        gray = np.asarray(Image.open(path).convert("L"))
        digest.update(bk.resize_like_opencv(np.pad(gray, ((0, 0), (128, 128))), 64, 64).tobytes())
    assert digest.hexdigest() == OPENCV_SHA256


def test_a_still_image_becomes_the_authors_clip(shared_data):
    path = shared_data / "allen_neuropixels_natural_scenes" / "images" / "scene_000.png"
    clip = bk.still_to_clip(path)
    assert clip.shape == (3, 5, 64, 64) and clip.dtype == torch.float32
    assert all(torch.equal(clip[:, t], clip[:, 0]) for t in range(5))  # the same frame, five times
    scaled = [clip[c, 0].double() / factor - offset for c, (offset, factor) in enumerate(bk.CHANNELS)]
    assert torch.allclose(scaled[0], scaled[1], atol=1e-6) and torch.allclose(scaled[0], scaled[2], atol=1e-6)
    assert abs(float(scaled[0].min())) < 1e-6 and float(scaled[0].max()) <= 1 + 1e-6  # (x - min) / max
    assert float(scaled[0][:, :5].abs().max()) < 1e-6  # the zero padding: 128/1430 of 64 columns = 5.7


def test_cards_declare_the_pathways_and_the_time_reduction(registry):
    for name, pathways in [("bakhtiari_cpc_p2", 2), ("bakhtiari_actrec_p1", 1), ("bakhtiari_p2_untrained", 2)]:
        card = registry.model(name).card
        assert card["shared_layers"] == ["s1"]
        assert list(card["pathways"]) == [f"path{p}" for p in range(1, pathways + 1)]
        assert card["pathways"]["path1"] == [f"path1.res_blocks.res{i}" for i in range(10)]
        assert card["layers"] == ["s1"] + sum(card["pathways"].values(), [])
        assert card["preprocessing"]["frames"] == 5 and "mean over the frames" in card["preprocessing"]["temporal_reduction"]
    assert registry.model("bakhtiari_cpc_p2").card["weights_source"].startswith(
        "https://github.com/ShahabBakht/ventral-dorsal-model/raw/a959ac56650468894aa07a2e95eaf80250922791/Checkpoints/")
    card = {**registry.model("bakhtiari_cpc_p2").card, "name": "x", "modality": "vision", "training": "self-supervised"}
    bad = {**card, "pathways": {"path1": ["path1.res_blocks.res1", "path1.res_blocks.res0"], "path2": ["path1.res_blocks.res1", "nope"]}}
    messages = [p.message for p in validate_card(bad) if p.field == "pathways"]
    assert any("shallow to deep" in m for m in messages)
    assert any("['nope'], which are not among the card's layers" in m for m in messages)
    assert any("is in both pathway 'path1' and pathway 'path2'" in m for m in messages)


def test_features_are_the_time_mean_of_each_layer():
    output = torch.arange(2 * 3 * 5 * 2 * 2, dtype=torch.float32).reshape(2, 3, 5, 2, 2)
    features = bk.mean_over_time("s1", output)
    assert features.shape == (2, 12)
    assert torch.equal(features, output.mean(dim=2).reshape(2, -1))


# -- real data ---------------------------------------------------------------------------------------
#: the stem and each pathway's first block: where the full 21-layer runs choose their layer for VISp
#: (cpc_p2: s1, 0.249 ceiled; its untrained control: s1, 0.168), at a seventh of the mapping's cost
VISP_LAYERS = ["s1", "path1.res_blocks.res0", "path2.res_blocks.res0"]


@pytest.mark.slow
def test_cpc_scores_visp_within_range_and_above_its_untrained_control(registry, shared_data, store):
    from brainbench.scoring import score

    def visp(model):
        result = score(model, benchmarks=["allen_np.VISp.ridge"], layers=VISP_LAYERS, data_dir=shared_data,
                       store=store, registry=registry, progress=False, log=lambda m: None)
        return result["scores"][0]

    trained, untrained = visp("bakhtiari_cpc_p2"), visp("bakhtiari_p2_untrained")
    assert 0.20 <= trained["ceiled"] <= 0.30, trained["ceiled"]
    assert 0.12 <= untrained["ceiled"] <= 0.22, untrained["ceiled"]
    assert trained["chosen_layer"] in VISP_LAYERS
    # learned (UCF101, CPC) filters predict V1 better than the same network's random ones: 0.249 vs 0.168
    # in the full runs, with disjoint 95% intervals ([0.216, 0.281] vs [0.135, 0.196])
    assert trained["ceiled"] - untrained["ceiled"] >= 0.03
