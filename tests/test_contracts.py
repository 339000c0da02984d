"""The dataset and metric contracts: declarations refused with their reason, manifests validated field
by field, out-of-tree plugin folders found, `brainbench check` naming what is wrong with a dataset or
metric plugin, and the metric hooks called with their documented defaults.

The dataset plugin used here lives in a tmp folder (outside the repository): a vision recording of
24 units x 4 repetitions over the Allen natural scenes (shared with allen_np), whose data are written
to a tmp data root and pinned with brainbench.manifest.pin.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from brainbench.checking import check
from brainbench.cli import main
from brainbench.errors import PluginError
from brainbench.manifest import FileSpec, Manifest, pin, read_manifest
from brainbench.registry import DatasetPlugin, Registry, default_registry

SHA = "0" * 64

PLUGIN = '''
"""tiny_vis: 24 made-up units over the Allen natural scenes."""
from pathlib import Path

import numpy as np

from brainbench.datasets.allen_neuropixels import MANIFEST as IMAGES
from brainbench.manifest import read_manifest
from brainbench.registry import DatasetPlugin

MANIFEST = read_manifest(Path(__file__).parent / "manifest.json")
REGIONS = ("V1", "V2")


def load(data_dir=None):
    from brainbench.benchmark import Dataset
    from brainbench.recording import make_recording
    from brainbench.stimuli import StimulusSet

    folder = MANIFEST.locate(data_dir)
    with np.load(folder / "responses.npz") as data:
        responses, ids = data["responses"], [str(i) for i in data["ids"]]
    n = responses.shape[2]
    recording = make_recording(responses, ids, {"neuroid_id": [f"u{i}" for i in range(n)],
                               "region": ["V1" if i < n // 2 else "V2" for i in range(n)], "subject": [f"m{i % 3}" for i in range(n)]})
    images = IMAGES.locate(data_dir) / "images"
    order = sorted(ids)  # STIMULUS ORDER
    return Dataset("tiny_vis", recording, StimulusSet("scenes", "vision", order, [images / f"{i}.png" for i in order]), MANIFEST.checksums(folder))


PLUGINS = [DatasetPlugin(name="tiny_vis", modality="vision", recording_kind="trials", regions=REGIONS, load=load,
                         default_metric="ridge", card={"title": "tiny", "citation": "none"}, manifest=MANIFEST)]
'''


@pytest.fixture
def tiny(tmp_path, monkeypatch, shared_data):
    """(plugin folder, data root): the plugin outside the repository, its data pinned in a tmp root."""
    monkeypatch.setenv("BRAINBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("BRAINBENCH_PLUGINS", raising=False)
    rng = np.random.default_rng(0)
    ids = np.array([f"scene_{i:03d}" for i in range(118)])
    signal = rng.standard_normal((118, 24))
    responses = (signal[None] + 0.5 * rng.standard_normal((4, 118, 24))).astype(np.float32)
    data = tmp_path / "data" / "tiny_vis"
    data.mkdir(parents=True)
    np.savez(data / "responses.npz", responses=responses, ids=ids)
    folder = tmp_path / "plugins" / "tiny_vis"
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text(PLUGIN)
    manifest = {"name": "tiny_vis", "folder": "tiny_vis", "origin": "made up here", "shares": [["allen_np", "images/"]],
                "files": [{"path": "responses.npz", **pin(data / "responses.npz"), "url": "https://example.org/responses.npz"}]}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    default_registry.cache_clear()
    yield folder, tmp_path / "data"
    default_registry.cache_clear()


def dataset_errors(report) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for f in report.errors:
        found.setdefault(f.where, []).append(f.message)
    return found


# -- the declaration and the manifest ---------------------------------------------------------------
def test_a_bad_declaration_is_refused_with_its_reasons():
    def load(data_dir=None):
        return None

    registry = Registry()
    bad = DatasetPlugin(name="Toy-ECoG", modality="smell", recording_kind="trials", regions=("HG",), load=load, default_metric="ridge",
                        hierarchy={"HG": 1, "PT": 2}, derived_regions=("all",), aggregate="max",
                        streams={"HG": "ventral", "PT": "dorsal"})
    with pytest.raises(ValueError) as info:
        registry.add(bad)
    text = str(info.value)
    for reason in ("name 'Toy-ECoG'", "modality must be one of", "hierarchy names regions not in regions: ['PT']",
                   "derived_regions names regions not in regions: ['all']", "aggregate must be 'median' or 'mean'",
                   "streams names regions not in regions: ['PT']", "streams_source must say where the stream assignment comes from"):
        assert reason in text, (reason, text)
    with pytest.raises(ValueError, match=r"streams must assign regions to exactly two named streams, got \['a', 'b', 'c'\]"):
        registry.add(DatasetPlugin(name="toy", modality="audio", recording_kind="trials", regions=("HG", "PT", "STG"), load=load, default_metric="ridge",
                                   streams={"HG": "a", "PT": "b", "STG": "c"}, streams_source="made up"))
    other = Manifest("somebody_else", "f", (FileSpec("a.npy", SHA, 1, "https://x/a.npy"),), "x")
    with pytest.raises(ValueError, match="its manifest is named 'somebody_else'"):
        registry.add(DatasetPlugin(name="toy", modality="audio", recording_kind="trials", regions=("HG",), load=load, default_metric="ridge", manifest=other))


def test_manifest_problems_name_the_file_and_field(tmp_path):
    with pytest.raises(PluginError, match="sha256 must be 64 lower-case hex digits"):
        FileSpec("a.npy", "abc", 1)
    with pytest.raises(PluginError, match="path must be relative"):
        FileSpec("../a.npy", SHA, 1)
    with pytest.raises(PluginError, match="files listed twice: a.npy"):
        Manifest("toy", "toy", (FileSpec("a.npy", SHA, 1), FileSpec("a.npy", SHA, 1)), "x")
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"name": "toy", "folder": "toy", "origin": "x", "files": [{"path": "a.npz", "sha256": SHA, "size": 3, "url": "https://x/a.tsv", "derive": "tsv_to_npz"}]}))
    with pytest.raises(PluginError, match=r"manifest.json: files\[0\]: converter 'tsv_to_npz' is not among those given"):
        read_manifest(path)
    assert read_manifest(path, converters={"tsv_to_npz": print}).files[0].derive is print
    path.write_text(json.dumps({"name": "toy", "folder": "toy", "files": []}))
    with pytest.raises(PluginError, match=r"missing key\(s\) \['origin'\]"):
        read_manifest(path)



def test_pinned_checksums_give_every_digest_and_warn_for_each_file_that_differs_from_its_pin(tmp_path):
    (tmp_path / "a.npy").write_bytes(b"published")
    (tmp_path / "b.npy").write_bytes(b"published")
    manifest = Manifest("toy", "toy", (FileSpec("a.npy", **pin(tmp_path / "a.npy")), FileSpec("b.npy", **pin(tmp_path / "b.npy"))), "x")
    (tmp_path / "b.npy").write_bytes(b"edited")
    checksums, warnings = manifest.pinned_checksums(tmp_path)
    assert checksums == {"a.npy": manifest.pins["a.npy"], "b.npy": pin(tmp_path / "b.npy")["sha256"]}
    assert checksums["b.npy"] != manifest.pins["b.npy"]
    assert warnings == [f"{tmp_path / 'b.npy'}: sha256 {checksums['b.npy'][:12]}... differs from the published {manifest.pins['b.npy'][:12]}...; "
                        "scores are not comparable with the leaderboard unless this is a deliberate rebuild"]
    assert manifest.pinned_checksums(tmp_path, ["a.npy"]) == ({"a.npy": manifest.pins["a.npy"]}, [])

# -- out-of-tree folders -----------------------------------------------------------------------------
def test_plugin_folders_from_the_environment_join_every_kind_and_a_broken_one_is_recorded(tiny, tmp_path, monkeypatch, capsys):
    folder, _ = tiny
    broken = tmp_path / "plugins" / "broken"
    broken.mkdir()
    (broken / "__init__.py").write_text("raise ImportError('needs libfrobnicate')\n")
    monkeypatch.setenv("BRAINBENCH_PLUGINS", str(folder.parent))  # a folder of plugin folders
    registry = Registry().discover()
    assert "tiny_vis" in registry.datasets and "allen_np" in registry.datasets
    assert "tiny_vis.V1.ridge" in registry.benchmark_names() and "tiny_vis.V2.rsa" in registry.benchmark_names()
    (failure,) = [f for f in registry.failures if f.kind == "folder"]
    assert "libfrobnicate" in failure.error and str(tmp_path / "plugins") in failure.source
    default_registry.cache_clear()
    assert main(["list", "datasets"]) == 0
    out = capsys.readouterr().out
    assert "tiny_vis" in out and "plugin failed to load: folder" in out


def test_data_commands_take_a_plugin_folder(tiny, capsys):
    folder, data = tiny
    assert main(["data", "list", "--plugin", str(folder), "--data-dir", str(data)]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("tiny_vis "))
    assert " ok " in row and "1/1" in row and "sha256 ok" in row
    assert main(["data", "fetch", "tiny_vis"]) == 2  # without the folder: not known
    assert "unknown dataset 'tiny_vis'" in capsys.readouterr().err
    assert main(["data", "list", "--plugin", str(folder.parent / "nowhere")]) == 2
    assert "plugin folder" in capsys.readouterr().err
    assert main(["data", "import", str(data), "--name", "tiny_vis", "--plugin", str(folder)]) == 0  # verified, copied into the user cache
    assert main(["data", "list", "--plugin", str(folder)]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("tiny_vis "))
    assert " ok " in row and "[user cache]" in row


# -- brainbench check for datasets -------------------------------------------------------------------
def test_check_passes_a_good_dataset_plugin_and_reports_what_it_measured(tiny):
    folder, data = tiny
    report = check(str(folder), data_dir=str(data), estimate=False)
    assert report.ok, report.findings
    (info,) = report.datasets
    assert info["neuroids_per_region"] == {"V1": 12, "V2": 12} and info["n_repetitions"] == 4 and info["n_subjects"] == 3
    raw = info["controls"]["raw"]
    assert raw["own_responses"] > 0.8 and abs(raw["noise"]) < 0.3  # the region's own mean responses against noise
    assert "tiny_vis.V2.cka" in info["benchmarks"]


def test_check_without_data_passes_with_the_fetch_command(tiny):
    folder, _ = tiny
    report = check(str(folder), estimate=False)
    assert report.ok
    (warning,) = [f.message for f in report.findings if f.where == "data"]
    assert "brainbench data fetch tiny_vis" in warning


@pytest.mark.parametrize("edit, where, phrase", [
    (("order = sorted(ids)  # STIMULUS ORDER", "order = sorted(ids, reverse=True)"), "recording", "are not the stimulus set's ids in order"),
    (('REGIONS = ("V1", "V2")', 'REGIONS = ("V1", "V2", "V3")'), "regions", "['V3'] have no neuroid"),
    (('default_metric="ridge"', 'default_metric="rsa_typo"'), "default_metric", "'rsa_typo' is not a registered metric"),
    (('recording_kind="trials"', 'recording_kind="spikes"'), "recording_kind", "no registered metric applies to recording_kind 'spikes'"),
])
def test_check_names_what_is_wrong_with_a_dataset_plugin(tiny, edit, where, phrase):
    folder, data = tiny
    text = (folder / "__init__.py").read_text()
    assert edit[0] in text
    (folder / "__init__.py").write_text(text.replace(edit[0], edit[1]))
    report = check(str(folder), data_dir=str(data), estimate=False)
    assert not report.ok
    assert any(phrase in message for message in dataset_errors(report).get(where, [])), dataset_errors(report)


def test_check_names_data_that_differ_from_the_manifest(tiny):
    folder, data = tiny
    path = data / "tiny_vis" / "responses.npz"
    data_bytes = bytearray(path.read_bytes())
    data_bytes[200] ^= 1  # one bit, same size
    path.write_bytes(bytes(data_bytes))
    report = check(str(folder), data_dir=str(data), estimate=False)
    (message,) = dataset_errors(report)["data"]
    assert "1 differing from the manifest's sha256" in message and "brainbench data fetch tiny_vis" in message


# -- brainbench check for metrics --------------------------------------------------------------------
METRIC = '''
import numpy as np

from brainbench.ceiling import pearson_columns
from brainbench.metric import Metric
from brainbench.registry import MetricPlugin


class LeastSquares(Metric):
    """Ordinary least squares from the layer to each neuroid, Pearson r on the test stimuli (a small metric)."""

    name = "least_squares"
    primary = "r"

    def prepare(self, features):
        return np.c_[np.asarray(features, dtype=float), np.ones(len(features))]

    def evaluate(self, x, responses, train, test):
        weights = np.linalg.lstsq(x[train], responses[train], rcond=None)[0]
        return {"test": test, "prediction": x[test] @ weights}

    def summarize(self, outputs, responses, counts=None):
        return {"r": np.mean([SIGN * pearson_columns(o["prediction"], responses[o["test"]], None if counts is None else counts[o["test"]]) for o in outputs], axis=0)}
    # MANY


SIGN = 1
PLUGINS = [MetricPlugin(name="least_squares", factory=LeastSquares, applies_to=("trials",))]
'''


def write_metric(tmp_path, text=METRIC) -> Path:
    folder = tmp_path / "least_squares"
    folder.mkdir()
    (folder / "__init__.py").write_text(text)
    return folder


def test_check_runs_a_metric_on_synthetic_recordings(tmp_path):
    report = check(str(write_metric(tmp_path)), estimate=False)
    assert report.ok, report.findings
    (info,) = report.metrics
    run = info["runs"]["trials"]
    assert run["chosen_layer"] == "hidden" and run["raw"]["hidden"] > run["raw"]["noise"] and run["ceiling"] is None


@pytest.mark.parametrize("edit, phrase", [
    (("SIGN = 1", "SIGN = -1"), "a higher score must mean more brain-like"),
    (("    # MANY", "    def summarize_many(self, outputs, responses, counts):\n        return {'r': np.zeros((len(counts), responses.shape[1]))}"),
     "summarize_many differs from summarize row by row"),
    (("factory=LeastSquares", "factory=dict"), "not a brainbench.metric.Metric subclass"),
    (("    # MANY", "    def evaluate_many(self, x, responses, train, tests):\n        return [self.evaluate(x, responses, train, tests[0]) | {'test': t} for t in tests]"),
     "evaluate_many differs from evaluate on each test set"),
    (("    # MANY", "    def summarize_many_layers(self, layers, responses, counts):\n        yield from [self.summarize_many(layers[0], responses, counts)['r']]"),
     "summarize_many_layers differs from summarize_many layer by layer"),
])
def test_check_names_what_is_wrong_with_a_metric_plugin(tmp_path, edit, phrase):
    report = check(str(write_metric(tmp_path, METRIC.replace(*edit))), estimate=False)
    assert not report.ok
    assert any(phrase in f.message for f in report.errors), report.errors


# -- the metric hooks, with their defaults -----------------------------------------------------------
def test_a_metric_with_only_the_three_abstract_methods_scores_with_the_documented_defaults():
    from brainbench.benchmark import Benchmark, Protocol
    from brainbench.metric import Metric
    from brainbench.plugin_checks import synthetic_dataset

    class Mean(Metric):  # population metric without reweight: no subject interval, no ceiling
        per_neuroid = False

        def prepare(self, features):
            return features

        def evaluate(self, features, target, train, test):
            return {"test": test, "value": np.corrcoef(features[test, 0], target[test].mean(axis=1))[0, 1]}

        def summarize(self, outputs, target, counts=None):
            return {"score": np.array([np.mean([o["value"] for o in outputs])])}

    dataset, hidden = synthetic_dataset("trials")
    bench = Benchmark("synthetic.R.mean", "1", dataset, "R", Mean(), Protocol(n_splits=3, inner_splits=3, n_bootstrap=10))
    assert np.allclose(bench.target(dataset.recording), np.nanmean(dataset.recording.values, axis=0))  # default target: the trial average
    result = bench.run({"hidden": hidden}, ["hidden"])
    assert result["raw"] is not None and result["ceiling"] is None and result["ci95_subjects"] is None
    assert "no noise ceiling" in result["ceiling_note"]


def test_a_recording_given_as_a_function_is_built_once_when_threads_read_it_together():
    """Dataset(recording=<function>): built at the first read, once, even when engine tasks on four
    threads read it at the same moment; every reader gets that one object."""
    import threading
    import time

    from brainbench.benchmark import Dataset

    calls, seen = [], []
    start = threading.Barrier(4)

    def build():
        calls.append(threading.get_ident())
        time.sleep(0.05)  # long enough for the other readers to arrive while it builds
        return object()

    dataset = Dataset("lazy", build, stimuli=None)
    assert not dataset.recording_built and "not built yet" in repr(dataset)

    def read():
        start.wait()
        seen.append(dataset.recording)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and len(seen) == 4 and all(r is seen[0] for r in seen)
    assert dataset.recording_built and dataset.recording is seen[0]
