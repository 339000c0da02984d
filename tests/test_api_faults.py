"""Found by a hostile sweep of the Python API and the analysis options: each bad input is one error
naming it (exit 2 on the command line), before any work; none is taken silently or split into letters."""
from __future__ import annotations

import json
import math

import pytest
import torch

import brainbench
from brainbench.cli import main
from brainbench.errors import BrainbenchError, PluginError


def run_cli(capsys, *argv):
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse's own refusals
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("kwargs, message", [
    ({"benchmarks": []}, "benchmarks=[] names no benchmark"),  # was: every vision benchmark, 47 s
    ({"benchmarks": [None]}, "benchmarks=[None] names no benchmark"),  # was an AttributeError traceback
    ({"layers": []}, "layers=[] names no layer"),
    ({"timeout": 0}, "timeout=0 is not a time limit"),  # was: no limit at all
    ({"timeout": -1}, "timeout=-1 is not a time limit"),
    ({"timeout": math.inf}, "timeout=inf is not a time limit"),  # was OverflowError from setitimer
    ({"timeout": math.nan}, "timeout=nan is not a time limit"),
    ({"timeout": "10"}, "timeout='10' is not a time limit"),
    ({"batch_size": 0}, "batch_size=0: give a whole number of stimuli, at least 1"),
    ({"batch_size": "x"}, "batch_size='x'"),
    ({"data_dir": ""}, "data_dir='' is not a folder path"),  # was: the default search, silently
    ({"data_dir": 5}, "data_dir=5 is not a folder path"),  # was a TypeError traceback
    ({"device": "gpu"}, "unknown device 'gpu'"),  # was 'model build failed ... correct the adapter'
    ({"device": None}, "unknown device None"),
    ({"metric": "rsa", "benchmarks": ["allen_np.VISp.ridge"]}, "metric 'rsa', but benchmark allen_np.VISp.ridge is scored with ridge"),
])
def test_score_refuses_bad_arguments_before_any_work(kwargs, message, tmp_path):
    with pytest.raises(BrainbenchError) as caught:
        brainbench.score("pixels", store=tmp_path / "cache", progress=False, **{"benchmarks": ["allen_np.VISp.ridge"], **kwargs})
    assert message in str(caught.value)
    assert not (tmp_path / "cache").exists()  # nothing was computed, nothing stored


def test_names_given_as_one_string_or_twice_are_taken_once(store, shared_data, tmp_path):
    """score('pixels', 'allen_np.VISp.ridge') said "unknown benchmark 'a'" (the string split into letters);
    a benchmark named twice wrote two entries, which compare and analyze then refused."""
    from brainbench.scoring import name_list

    assert name_list("allen_np.VISp.ridge", "benchmark", "benchmarks") == ["allen_np.VISp.ridge"]
    assert name_list(["a", " a ", "b"], "layer", "layers") == ["a", "b"]
    bench = "allen_2p_rdm.VISp_layer23.rsa"
    result = brainbench.score("pixels", [bench, bench], store=store, data_dir=shared_data, progress=False, out=tmp_path / "pixels.json")
    assert [s["benchmark"] for s in result["scores"]] == [bench]
    assert [s["benchmark"] for s in json.loads((tmp_path / "pixels.json").read_text())["scores"]] == [bench]


@pytest.mark.parametrize("argv, message", [
    (["--timeout", "inf"], "is not a time limit: give a finite number of seconds above 0"),  # was OverflowError
    (["--metric", "rsa"], "--metric 'rsa', but benchmark allen_np.VISp.ridge is scored with ridge"),  # --metric was ignored
    (["--metric", "bogus"], "--metric 'bogus', but benchmark allen_np.VISp.ridge is scored with ridge"),
    (["--executor", "dask", "--timeout", "5"], "--timeout is not applied on Dask workers"),  # was ignored
    (["--executor", "dask", "--scheduler", "not-a-url"], "--scheduler 'not-a-url' is not a Dask scheduler address"),  # traceback
    (["--executor", "dask", "--scheduler", "tcp://127.0.0.1"], "is not a Dask scheduler address"),  # traceback
    (["--executor", "dask", "--scheduler", "tcp://256.0.0.1:8786"], "256.0.0.1 is not an IP address"),  # waited 30 s
    (["--executor", "dask", "--scheduler", ""], "--scheduler ''"),  # was: a local cluster, silently
    (["--executor", "dask", "--scheduler", "tcp://127.0.0.1:8786", "--workers", "2"], "--workers sizes the local cluster"),  # was ignored
    (["--executor", "dask", "--workers", "100000"], "--workers 100000: that many threads"),
])
def test_score_options_that_were_ignored_or_crashed(capsys, tmp_path, argv, message):
    code, text = run_cli(capsys, "score", "--model", "pixels", "--benchmark", "allen_np.VISp.ridge", "--out", tmp_path, "--quiet",
                         "--cache-dir", tmp_path / "cache", *argv)
    assert code == 2 and message in text and "Traceback" not in text, text


def test_model_adapter_checks_what_it_is_given():
    from brainbench.model import ModelAdapter

    def adapter(module, layers):
        return ModelAdapter("odd", "vision", module, layers, lambda paths: None, {"kind": "test"})

    with pytest.raises(PluginError, match="modality 'visual' is not one brainbench scores; give one of vision, audio"):
        ModelAdapter("odd", "visual", torch.nn.Identity(), ["x"], lambda paths: None, {"kind": "test"})  # failed only when scored
    with pytest.raises(PluginError, match="module is a NoneType, not a torch.nn.Module"):
        adapter(None, ["x"])  # was an AttributeError traceback
    with pytest.raises(PluginError, match=r"layers=\[\]; give a list of module names"):
        adapter(torch.nn.Identity(), [])  # was 'IndexError: list index out of range' when scored
    seq = torch.nn.Sequential()
    seq.add_module("out", torch.nn.Identity())
    with pytest.raises(PluginError, match=r"layers lists \['out'\] more than once"):
        adapter(seq, ["out", "out"])  # was 'ran 2 times in one forward pass ... a shared activation module cannot be hooked'


def test_layer_outputs_that_are_no_tensor_say_what_to_do():
    from brainbench.extractor import LayerProblems
    from brainbench.model import ModelAdapter

    class Odd(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.as_dict, self.on_meta = torch.nn.Identity(), torch.nn.Identity()

        def forward(self, x):
            self.on_meta(torch.empty(len(x), 3, device="meta"))
            return self.as_dict({"features": x.flatten(1)})

    adapter = ModelAdapter("odd", "vision", Odd(), ["as_dict", "on_meta"], lambda paths: None, {"kind": "test"})
    with pytest.raises(LayerProblems) as caught:
        adapter(torch.ones(2, 3, 4, 4), ["as_dict", "on_meta"])
    problems = caught.value.problems
    assert problems["as_dict"].startswith("gives a dict, not a tensor. Fix: hook a submodule") and "features() failed" not in problems["as_dict"]
    assert "on the meta device (shapes, no values)" in problems["on_meta"] and "Fix:" in problems["on_meta"]


def test_analysis_options_are_checked_before_any_work(capsys):
    for argv, message in (
        (["compare", "pixels", "pixels"], "compare pixels with itself"),
        (["compare", "pixels", "efficientnet_lite0", "--benchmark", "allen_np.VISq.ridge"], "unknown benchmark 'allen_np.VISq.ridge'; did you mean"),
        (["compare", "pixels", "efficientnet_lite0", "--benchmark", ","], "names no benchmark"),  # was: every benchmark
        (["analyze", "discriminability", "--benchmark", "allen_np.VISq.ridge"], "unknown benchmark 'allen_np.VISq.ridge'"),  # was a row of 0 models
        (["analyze", "splits", "--model", "pixels", "--seeds", "1"], "needs at least 2 seeds"),
        (["analyze", "splits", "--model", "pixels", "--versus", "nosuch"], "nosuch"),  # was: after the first model's scoring
        (["analyze", "splits", "--model", "pixels", "--versus", "pixels"], "is --model itself"),
        (["analyze", "splits", "--model", "pixels", "--device", "gpu"], "unknown device 'gpu'"),  # was 'correct the adapter'
    ):
        code, text = run_cli(capsys, *argv)
        assert code == 2 and message in text and "Traceback" not in text and "seed 1/" not in text, (argv, text)


def test_scoring_a_module_leaves_its_training_mode_as_given(store, shared_data):
    """score(module) switched the caller's module to eval mode and left it there."""
    module = torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(4), torch.nn.Flatten())
    module.train()
    result = brainbench.score(module, ["allen_2p_rdm.VISp_layer23.rsa"], layers=["1"], name="pooled_pixels", store=store,
                              data_dir=shared_data, progress=False)
    assert result["scores"] and module.training


@pytest.mark.parametrize("name, message", [("pixels", "name='pixels' is a registered model"), ("../evil", "name='../evil': give a plain name")])
def test_a_module_cannot_take_a_registered_or_path_like_name(name, message, tmp_path):
    """score(module, name="pixels", out=...) replaced the pixels baseline's result (moved to superseded/)."""
    with pytest.raises(PluginError, match=message.replace("(", r"\(").replace(".", r"\.")):
        brainbench.score(torch.nn.Sequential(torch.nn.Flatten()), ["allen_np.VISp.ridge"], layers=["0"], name=name, store=tmp_path, out=tmp_path / "r.json")
    assert not (tmp_path / "r.json").exists()


def test_a_ranking_says_why_a_row_is_empty(tmp_path, capsys):
    """`analyze ranking` printed a row of dashes (a model scored on one area) and, for a modality with no
    result, an empty table, without a word."""
    from brainbench.analysis._results import published_results_dir

    document = json.loads((published_results_dir() / "pixels.json").read_text())
    document["scores"] = [s for s in document["scores"] if s["benchmark"] == "allen_np.VISp.ridge"]
    (tmp_path / "pixels.json").write_text(json.dumps(document))
    code, text = run_cli(capsys, "analyze", "ranking", "--results", tmp_path)
    assert code == 0 and "note: pixels: allen_np undefined: not scored on VISl, VISal, VISrl and 2 more" in text, text
    code, text = run_cli(capsys, "analyze", "ranking", "--results", tmp_path, "--modality", "audio")
    assert code == 0 and f"note: no audio result in {tmp_path}: nothing to rank" in text, text
