"""Every bad input stops with a message that names the problem and a non-zero exit status."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from brainbench import paths
from brainbench.cli import main
from brainbench.errors import DataNotFoundError, StimulusError, UnknownNameError, WeightsUnavailableError


def run_cli(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_unknown_model_exits_nonzero_with_close_names(capsys, tmp_path):
    code, text = run_cli(capsys, "score", "--model", "efficientnet_lite", "--out", str(tmp_path), "--quiet")
    assert code == 2
    assert "unknown model 'efficientnet_lite'" in text and "efficientnet_lite0" in text


def test_unknown_benchmark_exits_nonzero_with_close_names(capsys, tmp_path):
    code, text = run_cli(capsys, "score", "--model", "pixels", "--benchmark", "allen_np.V1.ridge", "--out", str(tmp_path), "--quiet")
    assert code == 2
    assert "unknown benchmark 'allen_np.V1.ridge'" in text and "allen_np.VISp.ridge" in text


def test_a_failure_reason_keeps_its_lines_apart_on_one_line():
    from brainbench.scoring import one_line

    assert one_line("memory estimate:\n  on disk 290 MiB\n  peak 979 MiB\nFix: raise --max-memory.") == (
        "memory estimate: on disk 290 MiB; peak 979 MiB; Fix: raise --max-memory.")
    assert one_line(ValueError("bad\n\n   value")) == "ValueError: bad; value"
    assert one_line("x" * 600) == "x" * 497 + "..."
    assert one_line(RuntimeError()) == "RuntimeError"  # no message: the type alone


def test_an_output_option_that_cannot_be_written_is_one_line_before_any_work(tmp_path, capsys, monkeypatch):
    (tmp_path / "a_file").write_text("keep me")
    target = tmp_path / "a_file" / "comparison.json"
    for argv in (["compare", "pixels", "efficientnet_lite0", "--json", str(target)], ["check", "pixels", "--json", str(target)]):
        if argv[0] == "check":  # the pre-check stops the run before the (slow) build: the build must not be reached
            monkeypatch.setattr("brainbench.checking.check", lambda *a, **k: pytest.fail("check ran before --json was checked"))
        code, text = run_cli(capsys, *argv)
        assert code == 2, text
        assert f"cannot write --json {target}: {tmp_path / 'a_file'} is a file, not a folder. Fix: pass --json with a file path" in text
        assert "Traceback" not in text and (tmp_path / "a_file").read_text() == "keep me"


def test_json_option_never_replaces_a_result_file_nor_writes_into_a_folder(tmp_path, capsys):
    """`compare A B --json A.json` replaced the result it had just read (exit 0); the next compare failed."""
    import shutil

    from brainbench.analysis._results import published_results_dir

    results = tmp_path / "results"
    results.mkdir()
    for model in ("pixels", "efficientnet_lite0"):
        shutil.copy(published_results_dir() / f"{model}.json", results)
    before = (results / "pixels.json").read_bytes()
    for target, message in ((results / "pixels.json", f"--json {results / 'pixels.json'} is a brainbench result file, which the write would replace. "
                                                      "Fix: pass --json with another file name"),
                            (results, f"cannot write --json {results}: it is a folder. Fix: pass --json with a file path")):
        code, text = run_cli(capsys, "compare", "pixels", "efficientnet_lite0", "--results", str(results), "--json", str(target))
        assert code == 2 and message in text and "Traceback" not in text, text
    assert (results / "pixels.json").read_bytes() == before
    code, text = run_cli(capsys, "compare", "pixels", "efficientnet_lite0", "--results", str(results), "--json", str(tmp_path / "c.json"))
    assert code == 0 and (tmp_path / "c.json").is_file(), text


def test_a_results_folder_that_is_not_there_is_an_error_not_an_empty_answer(capsys, tmp_path):
    (tmp_path / "a_file").write_text("{}")
    for argv, folder, what in ((["analyze", "ranking"], tmp_path / "nope", "does not exist"),
                               (["analyze", "discriminability"], tmp_path / "a_file", "is a file, not a folder"),
                               (["compare", "pixels", "efficientnet_lite0"], tmp_path / "nope", "does not exist")):
        code, text = run_cli(capsys, *argv, "--results", str(folder))
        assert code == 2, (argv, text)
        assert f"--results {folder} {what}. Fix: give a folder of brainbench result JSON files" in text and "Traceback" not in text


@pytest.mark.parametrize("extra, message", [
    (["--executor", "dask", "--workers", "0"], "--workers must be at least 1, got 0"),
    (["--workers", "2"], "--workers only applies to --executor dask. Fix: add --executor dask, or leave it out"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "--workers and --scheduler only apply to --executor dask"),
    (["--layers", ",,,"], "--layers ',,,' names no layer. Fix: give comma-separated layer names"),
])
def test_score_options_that_would_be_ignored_are_refused_before_any_work(extra, message, capsys, tmp_path):
    code, text = run_cli(capsys, "score", "--model", "pixels", "--benchmark", "allen_np.VISp.ridge", "--out", str(tmp_path / "out"),
                         "--cache-dir", str(tmp_path / "cache"), "--quiet", *extra)
    assert code == 2 and message in text and "Traceback" not in text
    assert not (tmp_path / "cache").exists()  # refused before the cache was touched


def test_score_help_says_what_each_exit_status_means(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["score", "--help"])
    assert stop.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "exit status: 0 every benchmark scored; 1 a model or benchmark failed with an unexpected error" in text
    assert "merges into OUT/<model>.json" in text


def test_leaderboard_serve_refuses_a_port_out_of_range(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["leaderboard", "serve", "--port", "99999"])
    assert stop.value.code == 2
    assert "'99999' is not a port: give a number from 1 to 65535, or 0 for a free one" in capsys.readouterr().err


def test_unknown_name_error_lists_suggestions():
    err = UnknownNameError("model", "resnet5", ["resnet50", "alexnet"])
    assert "Did you mean: resnet50" in str(err)


def _isolate_search_path(monkeypatch, tmp_path):
    monkeypatch.setattr(paths, "checkout_root", lambda: None)
    monkeypatch.delenv("BRAINBENCH_DATA", raising=False)
    monkeypatch.setenv("BRAINBENCH_CACHE", str(tmp_path / "cache"))


def test_missing_data_names_every_place_searched_and_the_fix(monkeypatch, tmp_path, registry):
    _isolate_search_path(monkeypatch, tmp_path)
    (tmp_path / "nowhere").mkdir()  # exists, but holds no dataset (a --data-dir that does not exist: test_faults)
    with pytest.raises(DataNotFoundError) as info:
        registry.dataset("allen_np").load(tmp_path / "nowhere")
    text = str(info.value)
    assert "allen_neuropixels_natural_scenes" in text and str(tmp_path / "nowhere") in text
    assert "brainbench data fetch allen_np" in text


def test_missing_data_via_cli_exits_nonzero(monkeypatch, tmp_path, capsys):
    _isolate_search_path(monkeypatch, tmp_path)
    code, text = run_cli(capsys, "score", "--model", "pixels", "--data-dir", str(tmp_path / "empty"), "--out", str(tmp_path / "out"), "--quiet")
    assert code == 2 and "not found" in text


def _copy_dataset(shared_data, tmp_path) -> Path:
    source = shared_data / "allen_neuropixels_natural_scenes"
    target = tmp_path / "allen_neuropixels_natural_scenes"
    target.mkdir()
    for name in ("spike_counts.npz", "units.json"):
        shutil.copy(source / name, target / name)
    (target / "images").mkdir()
    for image in (source / "images").iterdir():
        (target / "images" / image.name).symlink_to(image)
    return target


def test_truncated_data_file_is_named(shared_data, tmp_path, registry):
    folder = _copy_dataset(shared_data, tmp_path)
    data = (folder / "spike_counts.npz").read_bytes()
    (folder / "spike_counts.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(DataNotFoundError, match="spike_counts.npz is corrupt or truncated"):
        registry.dataset("allen_np").load(tmp_path)


def test_missing_file_in_dataset_folder_is_named(shared_data, tmp_path, registry):
    folder = _copy_dataset(shared_data, tmp_path)
    (folder / "units.json").unlink()
    with pytest.raises(DataNotFoundError, match="missing units.json"):
        registry.dataset("allen_np").load(tmp_path)


def test_undecodable_image_is_named(shared_data, tmp_path, registry, store):
    from brainbench.activations import extract

    folder = _copy_dataset(shared_data, tmp_path)
    bad = folder / "images" / "scene_007.png"
    bad.unlink()
    bad.write_bytes(b"\x89PNG\r\n\x1a\n this is not an image")
    dataset = registry.dataset("allen_np").load(tmp_path)
    adapter = registry.model("pixels").build()
    with pytest.raises(StimulusError, match="scene_007.png"):
        extract(adapter, dataset.stimuli, store=store, progress=False)


def test_missing_weights_offline_says_where_to_put_them(monkeypatch, tmp_path, registry, capsys):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("BRAINBENCH_OFFLINE", "1")
    with pytest.raises(WeightsUnavailableError) as info:
        registry.model("resnet50").build()
    text = str(info.value)
    assert str(tmp_path / "torch" / "hub" / "checkpoints" / "resnet50-0676ba61.pth") in text
    assert "resnet50-0676ba61.pth" in text and "--weights" in text and "never substitutes random weights" in text
    code, text = run_cli(capsys, "score", "--model", "alexnet", "--out", str(tmp_path / "out"), "--quiet")  # never ./results of the checkout
    assert code == 2 and "alexnet-owt-7be5be79.pth" in text
    assert "model build failed" in json.loads((tmp_path / "out" / "alexnet.json").read_text())["failed"][0]["error"]


def test_a_weights_file_that_is_no_checkpoint_is_named_with_the_fix(tmp_path):
    from brainbench.model import load_checkpoint

    (tmp_path / "notes.txt").write_text("root:x:0:0:root:/root:/bin/bash\n")
    with pytest.raises(WeightsUnavailableError, match=r"cannot load weights file .*notes.txt: it is not a PyTorch checkpoint torch.load can read \(.*\)\. Fix: give the model's own"):
        load_checkpoint(tmp_path / "notes.txt")


def test_wrong_weights_file_is_rejected_by_checksum(tmp_path, registry):
    fake = tmp_path / "resnet50-0676ba61.pth"
    import torch

    torch.save({"not": torch.zeros(1)}, fake)
    with pytest.raises(WeightsUnavailableError, match="sha256"):
        registry.model("resnet50").build(weights=fake)


def test_untrained_control_needs_no_weights_and_is_seeded(registry):
    a = registry.model("alexnet_untrained").build()
    b = registry.model("alexnet_untrained").build()
    assert a.weights_hash == b.weights_hash
    assert "untrained" in a.weights_source


def _edited_result(tmp_path, folder: str, edit, model: str = "efficientnet_lite0", benchmark: str = "allen_np.VISp.ridge") -> Path:
    """A copy of a published result in tmp_path/folder with ``edit(document, entry)`` applied to one entry."""
    from brainbench.analysis._results import published_results_dir

    document = json.loads((published_results_dir() / f"{model}.json").read_text())
    edit(document, next(e for e in document["scores"] if e["benchmark"] == benchmark))
    (tmp_path / folder).mkdir()
    path = tmp_path / folder / f"{model}.json"
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize("edit, why", [
    (lambda d, e: e.update(ceiled=57.0), "ceiled score 57.0 is not raw / ceiling"),  # was a verdict 'A > B', p < 0.0001
    (lambda d, e: e.update(raw=None, ceiled=None), "raw score None is not a finite number"),  # was a TypeError traceback
    (lambda d, e: e["bootstrap"]["stimuli"].update(samples="!!!x"), "bootstrap.stimuli: samples is not valid base64"),  # was binascii.Error
])
def test_an_analysis_never_uses_an_invalid_score_and_names_it(tmp_path, capsys, edit, why):
    from brainbench.analysis._results import published_results_dir

    path = _edited_result(tmp_path, "edited", edit)
    code, text = run_cli(capsys, "compare", "efficientnet_lite0", "alexnet_untrained", "--benchmark", "allen_np.VISp.ridge",
                         "--results", str(published_results_dir()), "--results", str(path.parent))  # a later folder wins
    assert code == 2 and "Traceback" not in text, text
    assert f"warning: {path}: allen_np.VISp.ridge: not used: {why}" in text
    assert f"no benchmark could be compared (allen_np.VISp.ridge: invalid score (efficientnet_lite0: {why}" in text
    code, text = run_cli(capsys, "analyze", "discriminability", "--benchmark", "allen_np.VISp.ridge", "--results", str(published_results_dir()),
                         "--results", str(path.parent))
    assert code == 0 and f"warning: {path}: allen_np.VISp.ridge: not used: {why}" in text and "Traceback" not in text


def test_an_unreadable_or_misnamed_result_is_named(tmp_path, capsys):
    misnamed = _edited_result(tmp_path, "misnamed", lambda d, e: d["model"].update(name="pixels"))
    code, text = run_cli(capsys, "compare", "efficientnet_lite0", "pixels", "--results", str(misnamed.parent))
    assert code == 2 and f"{misnamed} holds the result of model 'pixels', not 'efficientnet_lite0'" in text, text
    truncated = tmp_path / "truncated"
    truncated.mkdir()
    (truncated / "efficientnet_lite0.json").write_text(misnamed.read_text()[:9000])
    code, text = run_cli(capsys, "analyze", "ranking", "--results", str(truncated))
    assert code == 0 and f"warning: {truncated / 'efficientnet_lite0.json'}: left out: cannot read result file" in text, text


def test_a_closed_pipe_ends_the_command_quietly(tmp_path):
    """`brainbench list benchmarks | head -1` printed a BrokenPipeError traceback."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "brainbench", "list", "benchmarks"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the first line
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141 and err == "", err


def _tiny_plugin(tmp_path, name: str, replace: dict[str, tuple[str, str]]) -> Path:
    """A copy of submissions/example_tiny_cnn named ``name``, with text replaced in its files."""
    folder = tmp_path / name
    shutil.copytree(Path(__file__).parents[1] / "submissions" / "example_tiny_cnn", folder)
    card = json.loads((folder / "card.json").read_text())
    (folder / "card.json").write_text(json.dumps({**card, "name": name}))
    for file, (old, new) in replace.items():
        text = (folder / file).read_text()
        assert old in text
        (folder / file).write_text(text.replace(old, new, 1))
    return folder


def test_a_plugin_calling_sys_exit_is_a_recorded_failure_and_the_grid_goes_on(tmp_path, capsys, shared_data):
    """sys.exit(0) in a plugin's build() ended `score --models bad,pixels` with exit 0, pixels never scored."""
    in_build = _tiny_plugin(tmp_path, "exits_in_build", {"__init__.py": ("    from .model import TinyCNN", "    import sys\n\n    sys.exit(0)\n    from .model import TinyCNN")})
    in_forward = _tiny_plugin(tmp_path, "exits_in_forward", {"model.py": ("        x = self.block3(", "        import sys\n\n        sys.exit(3)\n        x = self.block3(")})
    out = tmp_path / "out"
    code, text = run_cli(capsys, "score", "--models", f"{in_build},{in_forward},pixels", "--benchmark", "allen_np.VISp.ridge", "--data-dir", str(shared_data),
                         "--out", str(out), "--cache-dir", str(tmp_path / "cache"), "--quiet")
    assert code == 1 and "Traceback" not in text, text
    for name, status in (("exits_in_build", 0), ("exits_in_forward", 3)):
        (failure,) = json.loads((out / f"{name}.json").read_text())["failed"]
        assert f"the plugin called sys.exit({status}) (SystemExit); a plugin reports a problem by raising an exception" in failure["error"]
    assert json.loads((out / "pixels.json").read_text())["scores"][0]["benchmark"] == "allen_np.VISp.ridge"


def test_an_infinite_response_stops_the_dataset_naming_where(allen):
    """One inf in a dataset plugin's responses was scored without a word (raw 0.454 instead of 0.527)."""
    from brainbench.benchmark import Dataset
    from brainbench.errors import PluginError

    recording = allen.recording.copy(deep=True)
    recording.values[2, 5, 7] = -np.inf
    with pytest.raises(PluginError, match=r"dataset 'lab': 1 response\(s\) are infinite \(first at repetition 2, stimulus 5, neuroid 7\)"):
        Dataset("lab", recording, allen.stimuli)
    lazy = Dataset("lab", lambda: recording, allen.stimuli)  # a loader's recording is checked when first built
    with pytest.raises(PluginError, match="responses must be finite, or NaN where a measurement is missing"):
        _ = lazy.recording
    recording.values[2, 5, 7] = np.nan  # a missing measurement is not a problem
    assert Dataset("lab", recording, allen.stimuli).recording is recording


def test_a_build_that_hangs_is_stopped_by_the_timeout_and_the_grid_goes_on(tmp_path, capsys, shared_data):
    """A build() sleeping 1000 s ignored --timeout 5: `score --models slow,pixels` hung, pixels never scored."""
    slow = _tiny_plugin(tmp_path, "slow_build", {"__init__.py": ("    from .model import TinyCNN", "    import time\n\n    time.sleep(1000)\n    from .model import TinyCNN")})
    out = tmp_path / "out"
    code, text = run_cli(capsys, "score", "--models", f"{slow},pixels", "--benchmark", "allen_np.VISp.ridge", "--data-dir", str(shared_data),
                         "--out", str(out), "--cache-dir", str(tmp_path / "cache"), "--timeout", "20", "--quiet")
    assert code == 2 and "Traceback" not in text, text  # 2: a failure whose fix is the environment's (here --timeout)
    (failure,) = json.loads((out / "slow_build.json").read_text())["failed"]
    assert "model build failed: slow_build: stopped after the timeout of 20 s while building the model" in failure["error"]
    assert json.loads((out / "pixels.json").read_text())["scores"][0]["benchmark"] == "allen_np.VISp.ridge"


def test_a_dataset_loader_that_raises_is_one_line_naming_the_plugin():
    """A dataset plugin whose load() raised reached the user as a 30-line traceback."""
    from brainbench.errors import PluginError
    from brainbench.registry import DatasetPlugin, Registry
    from brainbench.scoring import load_dataset

    def load(data_dir=None):
        raise RuntimeError("cannot read lab file")

    registry = Registry()
    registry.add(DatasetPlugin("lab", "vision", "trials", ("V1",), load, "ridge"), "folder /somewhere/lab")
    with pytest.raises(PluginError, match=r"dataset 'lab' \(folder /somewhere/lab\): its load\(\) failed: RuntimeError: cannot read lab file. "
                                          r"Fix: `brainbench check lab` shows where"):
        load_dataset(registry, "lab")


def test_a_plugin_changing_the_working_directory_does_not_move_the_results(tmp_path, capsys, shared_data, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    wanders = _tiny_plugin(tmp_path, "wanders", {"__init__.py": ("    from .model import TinyCNN", f"    import os\n\n    os.chdir({str(elsewhere)!r})\n    from .model import TinyCNN")})
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    code, text = run_cli(capsys, "score", "--model", str(wanders), "--benchmark", "allen_np.VISp.ridge", "--data-dir", str(shared_data),
                         "--out", "relres", "--cache-dir", "relcache", "--quiet")
    assert code == 0, text
    assert (tmp_path / "cwd" / "relres" / "wanders.json").is_file() and (tmp_path / "cwd" / "relcache" / "scores").is_dir()
    assert list(elsewhere.iterdir()) == [] and "result written to relres/wanders.json" in text


@pytest.mark.parametrize("argv, named", [
    (["analyze", "ranking", "--results", ""], "--results ''"),  # meant '.', the current folder
    (["leaderboard", "build", "--out", ""], "--out ''"),  # wrote the site into the current folder
    (["score", "--model", "pixels", "--benchmark", ""], "--benchmark ''"),  # meant every benchmark
    (["check", ""], "the plugin path ''"),  # checked the current folder, recursively
    (["compare", "pixels", "alexnet_untrained", "--json", ""], "--json ''"),  # was ignored
])
def test_an_empty_path_or_name_is_refused_not_read_as_the_current_folder(capsys, argv, named):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2 and f"{named} is empty: give a path or name" in capsys.readouterr().err


def test_cache_commands_refuse_a_mistyped_or_wrong_cache_dir(tmp_path, capsys):
    """`cache clear --cache-dir /tmp/typo` said 'freed 0 B' (exit 0); `cache info` on a file exited 0."""
    (tmp_path / "a_file").write_text("keep me")
    for argv, message in ((["cache", "clear", "--cache-dir", str(tmp_path / "typo")], f"--cache-dir {tmp_path / 'typo'} does not exist"),
                          (["cache", "info", "--cache-dir", str(tmp_path / "a_file")], f"the brainbench cache path {tmp_path / 'a_file'} is a file, not a folder"),
                          (["cache", "info", "--orphans", "--cache-dir", str(tmp_path)], "--orphans applies to `cache clear` only")):
        code, text = run_cli(capsys, *argv)
        assert code == 2 and message in text and "Fix:" in text, text
    assert not (tmp_path / "typo").exists() and (tmp_path / "a_file").read_text() == "keep me"


def test_complex_activations_are_a_named_layer_problem_not_their_real_part():
    """A layer giving complex values was stored as its real part (torch's .float()), scored without a word."""
    import torch

    from brainbench.extractor import LayerProblems
    from brainbench.model import ModelAdapter

    class Complexify(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.real, self.cplx = torch.nn.Identity(), torch.nn.Identity()

        def forward(self, x):
            y = self.real(x.flatten(1))
            return self.cplx(torch.complex(y, torch.sin(30 * y)))

    adapter = ModelAdapter("complexify", "vision", Complexify(), ["real", "cplx"], lambda paths: None, {"kind": "test"})
    with pytest.raises(LayerProblems, match="layer 'cplx' gives complex activations; brainbench scores real features") as caught:
        adapter(torch.ones(2, 3, 4, 4), ["real", "cplx"])
    assert list(caught.value.arrays) == ["real"] and list(caught.value.problems) == ["cplx"]


def test_a_scalar_layer_is_named_not_an_index_error():
    """A hooked module returning a 0-d tensor (e.g. a loss inside the model) was reported as
    "features() failed: IndexError: tuple index out of range"."""
    import torch

    from brainbench.extractor import LayerProblems
    from brainbench.model import ModelAdapter

    class WithScalar(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.features, self.total = torch.nn.Flatten(), torch.nn.Identity()

        def forward(self, x):
            y = self.features(x)
            self.total(y.sum())
            return y

    adapter = ModelAdapter("with_scalar", "vision", WithScalar(), ["features", "total"], lambda paths: None, {"kind": "test"})
    with pytest.raises(LayerProblems, match="layer 'total' gives a scalar \\(a 0-d tensor\\), not one row per stimulus") as caught:
        adapter(torch.ones(2, 3, 4, 4), ["features", "total"])
    assert list(caught.value.arrays) == ["features"] and "IndexError" not in str(caught.value)


def test_weights_a_plugin_ignores_are_warned_about(tmp_path, capsys, shared_data):
    """`score --model M --weights FILE` where M never reads FILE scored M's own weights, and the result
    said nothing of it."""
    import torch

    state = torch.load(Path(__file__).parents[1] / "submissions" / "example_tiny_cnn" / "tiny_cnn.pt", weights_only=True)
    other = tmp_path / "other.pt"
    torch.save({k: v + 0.01 for k, v in state.items()}, other)
    tiny = _tiny_plugin(tmp_path, "tiny", {})
    warnings = {}
    for model in ("pixels", str(tiny)):
        out = tmp_path / f"out_{Path(model).name}"
        code, text = run_cli(capsys, "score", "--model", model, "--weights", str(other), "--benchmark", "allen_np.VISp.ridge",
                             "--data-dir", str(shared_data), "--out", str(out), "--cache-dir", str(tmp_path / "cache"), "--quiet")
        assert code == 0, text
        (result,) = out.iterdir()
        warnings[Path(model).name] = " ".join(json.loads(result.read_text())["warnings"])
    assert f"pixels: --weights {other} did not change the model's weights" in warnings["pixels"]
    assert "did not change the model's weights" not in warnings["tiny"]  # the tiny CNN loads the file


@pytest.mark.parametrize("argv, message", [
    (["analyze", "splits", "--model", "pixels", "--alpha", "7"], "'7' is not a test level"),  # was accepted
    (["analyze", "hierarchy", "--model", "pixels", "--alpha", "0"], "'0' is not a test level"),
    (["analyze", "splits", "--model", "pixels", "--seeds", "99999999999"], "give a count from 1 to 1000"),  # started scoring
    (["check", "pixels", "--timeout", "-5"], "'-5' is not a time limit"),  # 'timed out after -5 s'
    (["data", "fetch", "nh2015", "--mirror", "notaurl"], "'notaurl' is not a URL"),  # ValueError traceback
    (["data", "fetch", "nh2015", "--timeout", "-1"], "'-1' is not a time limit"),
])
def test_option_values_out_of_range_are_argparse_errors(capsys, argv, message):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2 and message in capsys.readouterr().err


def test_explicit_folders_that_are_not_there_are_errors_before_any_work(tmp_path, capsys):
    (tmp_path / "a_file").write_text("keep me")
    for argv, message in (
        (["check", "pixels", "--data-dir", str(tmp_path / "nope")], f"--data-dir {tmp_path / 'nope'} does not exist"),  # was PASSED
        (["check", "pixels", "--weights-dir", str(tmp_path / "nope")], f"--weights-dir {tmp_path / 'nope'} does not exist"),  # was PASSED
        (["data", "fetch", "nh2015", "--root", str(tmp_path / "a_file")], f"--root {tmp_path / 'a_file'} is a file, not a folder"),
        (["analyze", "hierarchy", "--model", "efficientnet_lite0", "--versus", "nosuch", "--no-record"], "no result for model 'nosuch'"),  # exit 0
        (["analyze", "hierarchy", "--model", str(_edited_result(tmp_path, "smell", lambda d, e: d["model"].update(modality="smell"))), "--no-record"],
         "no dataset declares a hierarchy for modality 'smell'"),  # printed nothing, exit 0
    ):
        code, text = run_cli(capsys, *argv)
        assert code == 2 and message in text and "Traceback" not in text, (argv, text)
    assert (tmp_path / "a_file").read_text() == "keep me"


def test_a_result_file_named_otherwise_is_found_by_the_model_it_holds(tmp_path, capsys):
    """compare said 'no result for efficientnet_lite0' for a folder whose a.json holds it, where ranking
    and discriminability counted it."""
    from brainbench.analysis._results import published_results_dir

    (tmp_path / "r").mkdir()
    shutil.copy(published_results_dir() / "efficientnet_lite0.json", tmp_path / "r" / "a.json")
    shutil.copy(published_results_dir() / "pixels.json", tmp_path / "r" / "pixels.json")
    code, text = run_cli(capsys, "compare", "efficientnet_lite0", "pixels", "--results", str(tmp_path / "r"))
    assert code == 0 and "A = efficientnet_lite0, B = pixels" in text, text
