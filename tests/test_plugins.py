"""Model plugins: cards, isolation of broken plugins, entry points, in-memory modules, ViT-MAE, and the
worked example end to end (check -> score on real data -> leaderboard)."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import torch

import brainbench
from brainbench.card import CardError, card_of, load_card, validate_card
from brainbench.cli import main
from brainbench.errors import PluginError, WeightsUnavailableError
from brainbench.registry import Registry, default_registry

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "submissions" / "example_tiny_cnn"
RDM = "allen_2p_rdm.VISp_layer23.rsa"  # a cheap real benchmark (RSA on 118 images)
EXAMPLE_PREPROCESSING = {"resize": 73, "crop": 64, "mean": (0.5,) * 3, "std": (0.25,) * 3}


def tiny_cnn() -> torch.nn.Module:
    from brainbench.model import load_checkpoint
    from brainbench.submissions.example_tiny_cnn.model import TinyCNN

    module = TinyCNN()
    module.load_state_dict(load_checkpoint(EXAMPLE / "tiny_cnn.pt"))
    return module


@pytest.fixture(scope="module")
def example_on_rdm(store, shared_data):
    """The registered worked example scored on the cheap benchmark: the reference for other routes."""
    result = brainbench.score("example_tiny_cnn", [RDM], store=store, data_dir=shared_data, progress=False)
    assert not result["failed"]
    return result["scores"][0]


# -- cards --------------------------------------------------------------------------------------------
def test_every_registered_model_card_names_its_training_and_modality(registry):
    assert {"example_tiny_cnn", "vit_mae", "vit_mae_untrained"} <= set(registry.models)
    for name in ("example_tiny_cnn", "vit_mae", "vit_mae_untrained", "pixels"):
        problems = [p for p in validate_card(card_of(registry.model(name))) if p.severity == "error"]
        assert not problems, (name, problems)


def test_every_built_in_card_validates(registry):
    """All cards in the box pass the same validation a submitted card must pass. The exception is named:
    wav2vec2/hubert resolve their weights from the user's Hugging Face cache, and no digest of those
    files could be taken offline, so their only allowed problem is the missing weights_sha256."""
    unpinned = {"wav2vec2", "hubert"}
    for name in registry.models:
        problems = [p for p in validate_card(card_of(registry.model(name))) if p.severity == "error"]
        if name in unpinned:
            assert [p.field for p in problems] == ["weights_sha256"], (name, problems)
        else:
            assert not problems, (name, problems)


def test_card_problems_name_their_fields(tmp_path):
    card = json.loads((EXAMPLE / "card.json").read_text())
    assert not validate_card(card, EXAMPLE)
    bad = {**card, "name": "My Model", "training": "semi", "layers": ["a", "a"], "bibtex": "not bibtex", "weights_sha256": None}
    del bad["architecture"]
    fields = {p.field for p in validate_card(bad, EXAMPLE) if p.severity == "error"}
    assert fields == {"name", "training", "layers", "bibtex", "architecture"}  # sha256 may be absent only... see next line
    bad_pretrained = {**card}
    del bad_pretrained["weights_sha256"]
    (problem,) = validate_card(bad_pretrained, EXAMPLE)
    assert problem.field == "weights_sha256" and "supervised model must pin" in problem.message
    (tmp_path / "card.json").write_text(json.dumps({**card, "modality": "touch"}))
    with pytest.raises(CardError, match="modality: must be one of"):
        load_card(tmp_path / "card.json")


def test_list_models_shows_modality_training_and_weights(capsys):
    assert main(["list", "models"]) == 0
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[2:] if line.strip() and not line.startswith("plugin failed")}
    assert rows["example_tiny_cnn"][1:4] == ["vision", "supervised", "yes"]
    assert rows["vit_mae_untrained"][1:4] == ["vision", "untrained", "yes"]
    assert rows["vit_mae"][1:3] == ["vision", "self-supervised"]
    assert rows["vit_mae"][3] in ("yes", "NO")


# -- isolation and entry points -----------------------------------------------------------------------
@pytest.fixture
def entry_point_package(tmp_path, monkeypatch):
    """A separate installed distribution (simulated by a dist-info folder on sys.path) with three models
    behind the ``brainbench.models`` entry point: one good, one that fails to import, one whose build raises."""
    import importlib

    site = tmp_path / "site"
    (site / "ep_good").mkdir(parents=True)
    (site / "ep_good" / "__init__.py").write_text(textwrap.dedent(f"""
        from brainbench.model import ModelAdapter, load_checkpoint, vision_preprocess
        from brainbench.registry import ModelPlugin
        from brainbench.submissions.example_tiny_cnn.model import TinyCNN

        def build(weights=None, device="cpu"):
            module = TinyCNN()
            module.load_state_dict(load_checkpoint({str(EXAMPLE / "tiny_cnn.pt")!r}))
            preprocess, description = vision_preprocess(73, 64, mean=(0.5,) * 3, std=(0.25,) * 3)
            return ModelAdapter("ep_tiny_cnn", "vision", module, ["block1", "block2", "block3", "pool", "fc"], preprocess, description)

        def build_raises(weights=None, device="cpu"):
            raise RuntimeError("this plugin's custom CUDA kernel is not compiled")

        PLUGINS = [
            ModelPlugin("ep_tiny_cnn", "vision", "supervised", build, {{"architecture": "TinyCNN from a separate package"}}, lambda: (True, "ep_good")),
            ModelPlugin("ep_raises", "vision", "untrained", build_raises),
        ]
    """))
    (site / "ep_broken.py").write_text('raise ImportError("ep_broken needs libfrobnicate, which is not installed")\n')
    dist = site / "ep_pkg-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: ep-pkg\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[brainbench.models]\nep_good = ep_good:PLUGINS\nep_broken = ep_broken:PLUGINS\n")
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    default_registry.cache_clear()
    yield Registry().discover()
    default_registry.cache_clear()


def test_entry_point_models_are_listed_and_broken_ones_recorded(entry_point_package, capsys):
    registry = entry_point_package
    assert {"ep_tiny_cnn", "ep_raises", "example_tiny_cnn", "pixels"} <= set(registry.models)
    (failure,) = [f for f in registry.failures if "ep_broken" in f.source]
    assert "libfrobnicate" in failure.error
    assert main(["list", "models"]) == 0
    out = capsys.readouterr().out
    assert "ep_tiny_cnn" in out and "pixels" in out and "efficientnet_lite0" in out
    assert "plugin failed to load: model entry point ep_broken" in out and "libfrobnicate" in out


def test_entry_point_model_scores_like_the_same_network_in_a_folder(entry_point_package, store, shared_data, example_on_rdm):
    result = brainbench.score("ep_tiny_cnn", [RDM], registry=entry_point_package, store=store, data_dir=shared_data, progress=False)
    (entry,) = result["scores"]
    assert result["model"]["name"] == "ep_tiny_cnn" and not result["failed"]
    assert entry["chosen_layer"] == example_on_rdm["chosen_layer"]
    assert entry["raw"] == pytest.approx(example_on_rdm["raw"], abs=1e-9)
    assert 0.1 < entry["raw"] < 0.5  # measured 0.247 (block3)


def test_a_plugin_whose_build_raises_is_recorded_as_failed(entry_point_package, tmp_path):
    out = tmp_path / "ep_raises.json"
    result = brainbench.score("ep_raises", [RDM], registry=entry_point_package, out=out, progress=False)
    assert result["scores"] == []
    (failed,) = result["failed"]
    assert "model build failed: RuntimeError" in failed["error"] and "CUDA kernel" in failed["error"]
    assert json.loads(out.read_text())["failed"][0]["error"] == failed["error"]


def test_weights_never_run_pickled_code(tmp_path):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (Path.touch, (marker,))

    evil = tmp_path / "evil.pt"
    torch.save({"block1.0.weight": Payload()}, evil)
    build = default_registry().model("example_tiny_cnn").build
    with pytest.raises(WeightsUnavailableError, match="refused to load .*evil.pt.*NOT executed"):
        build(weights=str(evil))
    assert not marker.exists()


# -- in-memory modules ----------------------------------------------------------------------------------
def test_in_memory_module_scores_like_its_plugin(store, shared_data, example_on_rdm):
    result = brainbench.score(tiny_cnn(), [RDM], layers=["block1", "block2", "block3", "pool", "fc"], preprocessing=EXAMPLE_PREPROCESSING, store=store, data_dir=shared_data, progress=False)
    (entry,) = result["scores"]
    assert result["model"]["name"] == "inmemory_tinycnn"
    assert entry["raw"] == pytest.approx(example_on_rdm["raw"], abs=1e-9)
    assert entry["layer_profile"]["block1"]["raw"] == pytest.approx(example_on_rdm["layer_profile"]["block1"]["raw"], abs=1e-9)


def test_in_memory_errors_name_the_problem():
    module = tiny_cnn()
    with pytest.raises(PluginError, match="layers=.* is required.*block1, block1.0"):
        brainbench.score(module, [RDM])
    with pytest.raises(PluginError, match="'blok3': \\['block3'"):
        brainbench.score(module, [RDM], layers=["blok3"])
    with pytest.raises(PluginError, match="unknown preprocessing key\\(s\\) \\['size'\\]"):
        brainbench.score(module, [RDM], layers=["block3"], preprocessing={"size": 64})
    with pytest.raises(PluginError, match="preprocessing is required for a audio module"):
        brainbench.score(module, layers=["block3"], modality="audio")


# -- ViT-MAE --------------------------------------------------------------------------------------------
TINY_MAE = dict(image_size=32, patch_size=8, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64)


def test_vit_mae_scores_every_patch_in_place():
    from brainbench.submissions import vit_mae

    adapter = vit_mae.make_adapter("t", vit_mae.build_untrained_module(**TINY_MAE), "test")
    assert adapter.module.config.mask_ratio == 0.0
    assert adapter.layers == ["embeddings", "layers.0", "layers.1", "layernorm"]
    images = torch.zeros(2, 3, 32, 32)
    images[1, :, :8, :8] = 3.0  # only the top-left patch differs
    with torch.inference_mode():
        out = adapter.forward(adapter.module, images).last_hidden_state
        again = adapter.forward(adapter.module, images.flip(0)).last_hidden_state.flip(0)
    assert out.shape == (2, 1 + 16, 32)  # CLS + all 16 patches: nothing masked
    assert torch.equal(out, again)  # no random shuffle
    with torch.inference_mode():
        embedded = adapter.module.embeddings(images, noise=torch.arange(16.0).expand(2, -1))[0]
    changed = ((embedded[1] - embedded[0]).abs().sum(-1) > 1e-6).nonzero().flatten().tolist()
    assert changed == [1]  # the top-left patch is token 1, where its position embedding says it is
    with torch.inference_mode():  # teeth: MAE's own forward shuffles the patches at random
        torch.manual_seed(1)
        a = adapter.module(pixel_values=images).last_hidden_state
        b = adapter.module(pixel_values=images).last_hidden_state
    assert not torch.allclose(a, b)


def test_vit_mae_pretrained_weights_from_a_folder_and_clear_errors(tmp_path):
    from safetensors.torch import load_file, save_file
    from transformers import ViTMAEConfig, ViTMAEForPreTraining

    from brainbench.submissions import vit_mae

    build = default_registry().model("vit_mae").build
    torch.manual_seed(3)
    pretraining = ViTMAEForPreTraining(ViTMAEConfig(**TINY_MAE))  # what the hub holds: encoder under "vit." + decoder
    pretraining.save_pretrained(tmp_path / "hub_folder")
    adapter = build(weights=str(tmp_path / "hub_folder"))
    assert adapter.module.config.mask_ratio == 0.0
    expected = pretraining.vit.state_dict()
    assert all(torch.equal(tensor, expected[key]) for key, tensor in adapter.module.state_dict().items())
    assert "hub_folder" in adapter.weights_source

    state = load_file(str(tmp_path / "hub_folder" / "model.safetensors"))
    save_file({k: v for k, v in state.items() if "layers.1." not in k and "layer.1." not in k}, str(tmp_path / "hub_folder" / "model.safetensors"))
    with pytest.raises(WeightsUnavailableError, match="lacks .* encoder weights"):
        build(weights=str(tmp_path / "hub_folder"))
    save_file(state, str(tmp_path / "small.safetensors"))
    with pytest.raises(WeightsUnavailableError, match="is not a ViT-MAE Base state dict"):
        build(weights=str(tmp_path / "small.safetensors"))
    with pytest.raises(WeightsUnavailableError, match="does not exist"):
        build(weights=str(tmp_path / "nowhere"))
    if not vit_mae.weights_status()[0]:
        with pytest.raises(WeightsUnavailableError, match="facebook/vit-mae-base.*not in the local Hugging Face cache(.|\n)*--weights(.|\n)*vit_mae_untrained"):
            build()


def test_vit_mae_untrained_passes_check():
    from brainbench.checking import check

    report = check(str(REPO / "submissions" / "vit_mae"), model="vit_mae_untrained", estimate=False)
    assert report.ok, report.errors
    (model,) = report.models
    assert {info["width"] for info in model["layers"].values()} == {197 * 768}
    assert len(model["layers"]) == 9


# -- the worked example, end to end --------------------------------------------------------------------
def test_worked_example_end_to_end(tmp_path, capsys, store, shared_data):
    assert main(["check", str(EXAMPLE), "--data-dir", str(shared_data)]) == 0
    assert "PASSED" in capsys.readouterr().out
    results = tmp_path / "results"
    status = main(["score", "--model", "example_tiny_cnn", "--benchmark", "allen_np.VISp.ridge", "--out", str(results),
                   "--data-dir", str(shared_data), "--cache-dir", str(store.root), "--quiet", "--device", "cpu"])
    assert status == 0
    (entry,) = json.loads((results / "example_tiny_cnn.json").read_text())["scores"]
    assert entry["benchmark"] == "allen_np.VISp.ridge"
    assert 0.12 < entry["ceiled"] < 0.35, entry["ceiled"]  # measured 0.218 (block3): real but weak
    assert entry["chosen_layer"] in ("block2", "block3")
    assert main(["leaderboard", "build", "--results", str(results), "--no-builtin", "--out", str(tmp_path / "site")]) == 0
    site = json.loads((tmp_path / "site" / "data.json").read_text())
    (model,) = [m for m in site["models"] if m["name"] == "example_tiny_cnn"]
    detail = json.loads((tmp_path / "site" / model["detail_json"]).read_text())
    assert detail["scores"]["allen_np.VISp.ridge"]["ceiled"] == pytest.approx(entry["ceiled"])
    assert model["training"] == "supervised"
