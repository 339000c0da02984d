"""``brainbench check``: the worked example passes; each kind of broken copy fails naming its problem.

Every broken copy is the worked example (submissions/example_tiny_cnn) with one thing wrong, as a
newcomer would get it wrong. Checks that reach the build run a real subprocess on generated stimuli.
"""
from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

from brainbench.checking import check, make_stimuli, unsafe_calls
from brainbench.cli import main

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "submissions" / "example_tiny_cnn"
WIDTHS = {"block1": 8 * 32 * 32, "block2": 16 * 16 * 16, "block3": 32 * 8 * 8, "pool": 32, "fc": 8}


@pytest.fixture
def copy(tmp_path):
    """A fresh copy of the worked example, to break."""

    def make(name="broken"):
        target = tmp_path / name
        shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("__pycache__"))
        edit_card(target, name=name)  # its own name: the example's is registered by the example itself
        return target

    return make


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def edit_card(folder: Path, **changes) -> None:
    card = json.loads((folder / "card.json").read_text())
    for key, value in changes.items():
        if value is None:
            card.pop(key)
        else:
            card[key] = value
    (folder / "card.json").write_text(json.dumps(card))


def errors(report) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for f in report.errors:
        found.setdefault(f.where, []).append(f.message)
    return found


def test_example_passes_with_measured_widths_and_cost(tmp_path, capsys, shared_data):
    out = tmp_path / "report.json"
    status = main(["check", str(EXAMPLE), "--json", str(out), "--data-dir", str(shared_data)])
    printed = capsys.readouterr().out
    assert status == 0, printed
    assert "PASSED" in printed
    report = json.loads(out.read_text())
    assert report["ok"] and not [f for f in report["findings"] if f["severity"] == "error"]
    (model,) = report["models"]
    assert model["name"] == "example_tiny_cnn"
    assert {layer: info["width"] for layer, info in model["layers"].items()} == WIDTHS
    # the memory estimate follows from the measured widths: width x 118 images x 4 bytes, 118^2 x 8 per Gram
    cost = model["cost"]["allen_np"]
    assert cost["stimuli"] == 118
    assert cost["activations_bytes"] == sum(WIDTHS.values()) * 118 * 4
    assert cost["gram_bytes"] == len(WIDTHS) * 118 * 118 * 8
    # 9 forward calls (halves, singles, a repeat): the same stimulus agrees to float32 rounding in any batch
    assert all(info["relative_repeat_difference"] <= 1e-6 for info in model["layers"].values())
    assert all(info["relative_spread"] > 0.5 for info in model["layers"].values())


def test_bad_layer_name_is_named(copy):
    folder = copy()
    edit_card(folder, layers=["block1", "block9", "fc"])
    report = check(str(folder), estimate=False)
    assert not report.ok
    (message,) = errors(report)["layers"]
    assert "block9" in message and "block1" in message.split("block9")[1]  # the close match is offered


def test_unstable_width_is_named_per_layer(copy):
    folder = copy()
    # a preprocessing that keeps each image's native size: convolution maps then change width with it
    edit(
        folder / "__init__.py",
        "    return ModelAdapter(",
        "    import torch\n    from torchvision.transforms.functional import to_tensor\n    from brainbench.stimuli import load_image\n"
        "    preprocess = lambda paths: torch.stack([to_tensor(load_image(p)) for p in paths])\n    return ModelAdapter(",
    )
    report = check(str(folder), estimate=False)
    found = errors(report)
    assert set(found) == {"layer block1", "layer block2", "layer block3"}  # pool and fc are global: stable
    assert all("width is not stable" in m and "resize + crop" in m for ms in found.values() for m in ms)


def test_wrong_output_shape_is_named(copy):
    folder = copy()
    edit(folder / "__init__.py", "        weights_source=str(path),", "        weights_source=str(path),\n        features=lambda layer, output: output.reshape(1, -1),")
    report = check(str(folder), estimate=False)
    found = errors(report)
    assert set(found) == {f"layer {layer}" for layer in WIDTHS}
    assert "shape (1, 24576) for a batch of 3" in found["layer block1"][0]


def test_non_finite_activations_are_named(copy):
    folder = copy()
    edit(folder / "__init__.py", "        weights_source=str(path),", "        weights_source=str(path),\n        features=lambda layer, output: output.flatten(1) / (0.0 if layer == 'fc' else 1.0),")
    found = errors(check(str(folder), estimate=False))
    assert list(found) == ["layer fc"] and "non-finite" in found["layer fc"][0]


def test_random_activations_are_caught_as_not_deterministic(copy):
    folder = copy()
    # dropout left in training mode, the way MAE's random masking would behave if left on
    edit(folder / "__init__.py", "        weights_source=str(path),", "        weights_source=str(path),\n        features=lambda layer, output: __import__('torch').nn.functional.dropout(output.flatten(1), 0.5, training=layer == 'block2'),")
    found = errors(check(str(folder), estimate=False))
    assert list(found) == ["layer block2"] and "not deterministic" in found["layer block2"][0]


def test_missing_weights_file_is_named(copy):
    folder = copy()
    (folder / "tiny_cnn.pt").unlink()
    status = main(["check", str(folder)])
    assert status == 1
    report = check(str(folder))
    (message,) = errors(report)["weights_file"]
    assert "tiny_cnn.pt does not exist" in message
    assert not report.models  # nothing was built from a card that points at nothing


def test_corrupt_weights_file_fails_the_sha256(copy):
    folder = copy()
    with open(folder / "tiny_cnn.pt", "ab") as f:
        f.write(b"\0")
    (message,) = errors(check(str(folder)))["weights_sha256"]
    assert "wrong or corrupt" in message and "838b5c02" in message


def test_syntax_error_is_named_with_file_and_line(copy):
    folder = copy()
    with open(folder / "model.py", "a") as f:
        f.write("\n\ndef broken(:\n    pass\n")
    lines = (folder / "model.py").read_text().splitlines()
    (message,) = errors(check(str(folder)))["code"]
    assert "syntax error" in message and "model.py" in message and f"line {lines.index('def broken(:') + 1}" in message


def test_every_bad_card_field_is_named_at_once(copy):
    folder = copy()
    edit_card(folder, modality="smell", training="magic", licence=None, layers=[], weights_sha256="xyz", licnse="MIT")
    report = check(str(folder))
    found = errors(report)
    assert set(found) == {"modality", "training", "licence", "layers", "weights_sha256"}
    assert "'smell'" in found["modality"][0] and "missing" in found["licence"][0]
    warnings = [f for f in report.findings if f.severity == "warning" and f.where == "licnse"]
    assert warnings and "did you mean 'licence'" in warnings[0].message


def test_dependencies_are_checked_never_installed(copy):
    from importlib import metadata

    folder = copy()
    edit_card(folder, dependencies=["brainbench-no-such-dependency>=1.0"])
    (message,) = errors(check(str(folder)))["dependencies"]
    assert "not installed" in message and "never installs" in message
    with pytest.raises(metadata.PackageNotFoundError):
        metadata.version("brainbench-no-such-dependency")


def test_a_plugin_that_kills_its_interpreter_is_reported(copy):
    folder = copy()
    edit(folder / "__init__.py", "HERE = Path", "import os\nos._exit(7)\nHERE = Path")
    (message,) = errors(check(str(folder)))["build"]
    assert "died (exit status 7)" in message


def test_a_hanging_build_times_out(copy):
    folder = copy()
    edit(folder / "__init__.py", "    module = TinyCNN()", "    import time\n    time.sleep(600)\n    module = TinyCNN()")
    (message,) = errors(check(str(folder), timeout=20, estimate=False))["build"]
    assert "timed out after 20 s" in message


def test_unsafe_loading_and_installing_are_flagged():
    code = (
        "import torch, pickle, subprocess, sys\n"
        "a = torch.load('w.pt')\n"
        "b = torch.load('w.pt', weights_only=False)\n"
        "c = torch.load('w.pt', map_location='cpu', weights_only=True)\n"
        "d = pickle.load(open('w.pkl', 'rb'))\n"
        "subprocess.run([sys.executable, '-m', 'pip', 'install', 'foo'])\n"
        "raise ImportError('pip install foo')  # a message, not an install\n"
    )
    flagged = {line: message for line, message in unsafe_calls(ast.parse(code))}
    assert set(flagged) == {2, 3, 5, 6}
    assert "weights_only=True" in flagged[2] and "pickle.load" in flagged[5] and "dependencies" in flagged[6]


def test_registered_names_and_unknown_targets(tmp_path):
    report = check("pixels", estimate=False)
    assert report.ok, report.findings
    assert report.models[0]["layers"]["pixels"]["width"] == 64 * 64
    unknown = check("no_such_model_or_folder")
    assert "neither a plugin folder nor a registered model" in errors(unknown)["target"][0]
    assert "Fix: give a folder whose __init__.py exposes PLUGINS, or a name from `brainbench list`" in errors(unknown)["target"][0]
    assert "Did you mean: efficientnet_lite0" in errors(check("efficientnet_lite"))["target"][0]
    assert main(["check", "no_such_model_or_folder"]) == 2  # nothing to check: a usage error (was 1, as for a broken plugin)


def test_generated_stimuli_cover_two_image_sizes_and_nh2015_format(tmp_path):
    from PIL import Image
    import wave

    images = make_stimuli("vision", tmp_path / "v")
    sizes = {Image.open(p).size for p in images}
    assert len(images) == 6 and len(sizes) == 2
    sounds = make_stimuli("audio", tmp_path / "a")
    with wave.open(str(sounds[0])) as w:
        assert (w.getframerate(), w.getnframes(), w.getnchannels()) == (44100, 88200, 1)


def test_a_folder_declaring_a_registered_name_fails_check_and_is_not_scored(copy, tmp_path, capsys):
    """A tiny CNN whose card said "pixels" passed check, and `score --model FOLDER` filed it as
    pixels.json, moving the real pixels result aside."""
    folder = copy("impostor")
    edit_card(folder, name="pixels")
    (message,) = errors(check(str(folder)))["name"]
    assert f"model folder {folder} declares the model name 'pixels', which brainbench.submissions.pixels already registers" in message
    out = tmp_path / "out"
    out.mkdir()
    (out / "pixels.json").write_text("{}")
    assert main(["score", "--model", str(folder), "--benchmark", "allen_np.VISp.ridge", "--out", str(out), "--quiet"]) == 2
    assert "Fix: give it another name (card.json 'name')" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["pixels.json"] and (out / "pixels.json").read_text() == "{}"
    # the built-in folder itself, run by its path, is the registered model: no clash
    assert "name" not in errors(check(str(Path(__file__).parents[1] / "submissions" / "pixels")))


def test_a_model_listed_twice_in_plugins_fails_check_and_score(copy, tmp_path, capsys):
    """PLUGINS = [plugin, plugin] passed check ("PASSED (2 model(s))") and score used one silently."""
    folder = copy("listed_twice")
    edit(folder / "__init__.py", "PLUGINS = [model_plugin(CARD, build, HERE)]", "PLUGINS = [model_plugin(CARD, build, HERE), model_plugin(CARD, build, HERE)]")
    (message,) = errors(check(str(folder)))["name"]
    assert "PLUGINS lists ModelPlugin 'listed_twice' more than once; only one would be used. Fix:" in message
    assert main(["score", "--model", str(folder), "--benchmark", "allen_np.VISp.ridge", "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert "more than once" in capsys.readouterr().err and not (tmp_path / "out").exists()


@pytest.mark.parametrize("old, new, where, message", [
    ("        preprocessing=description,", "        preprocessing={**description, 'fn': lambda x: x},", "identity",
     "its identity (identity(): weights_hash, preprocessing, name, code_version; and compute_settings()), part of every cache key, failed: TypeError"),
    ("        preprocessing=description,", "        preprocessing=description,\n        batch_size=0,", "batch_size",
     "its batch_size is 0; it must be a whole number of stimuli, at least 1"),
])
def test_hooks_that_would_fail_the_score_fail_check(copy, tmp_path, capsys, old, new, where, message):
    """check PASSED an adapter whose preprocessing held a function (score then failed: not JSON
    serialisable) or whose batch_size was 0 (score: range() arg 3 must not be zero)."""
    folder = copy(where)
    edit(folder / "__init__.py", old, new)
    (found,) = errors(check(str(folder)))[where]
    assert message in found
    out = tmp_path / "out"
    assert main(["score", "--model", str(folder), "--benchmark", "allen_np.VISp.ridge", "--out", str(out), "--quiet"]) == 2  # a typed failure
    (failure,) = json.loads((out / f"{where}.json").read_text())["failed"]
    assert failure["error"].startswith(f"model build failed: model {where!r}: {message}")


def test_a_plugin_exiting_at_import_is_a_named_import_problem(copy):
    """sys.exit(3) at import: the check subprocess 'died (exit status 3) before reporting:' with nothing after."""
    folder = copy("exits")
    edit(folder / "__init__.py", "from pathlib import Path\n", "from pathlib import Path\nimport sys\n\nsys.exit(3)\n")
    (message,) = errors(check(str(folder), estimate=False))["import"]
    assert message.startswith("importing the plugin failed: SystemExit: 3 (at ") and message.endswith("__init__.py, line 14)")
