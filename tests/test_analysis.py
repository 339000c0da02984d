"""From scores to answers: the paired comparison is calibrated on simulated recordings (it covers a known
difference, separates models that differ, and rarely separates equal ones), the hierarchy analysis
recovers a planted layer-to-area order and is null for a shuffled one, the overall score follows its
written definition, and on the real data a trained network is told apart from the pixel baseline."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from brainbench.analysis import compare, discriminability, hierarchy, overall_score, paired_difference, rank
from brainbench.analysis._hierarchy import spearman_columns
from brainbench.benchmark import Protocol
from brainbench.metrics.ridge import RidgeMetric
from brainbench.registry import DatasetPlugin, Registry
from brainbench.result import SCHEMA
from brainbench.testing import SimulatedModel, SimulatedPopulation, simulated_benchmark, score_features

N_DATASETS = 200
GOOD, WORSE = 0.6, 1.0  # stimulus-specific noise of the simulated models (larger = worse)


def _score(recording, features, n_bootstrap=1000):
    protocol = Protocol(kind="kfold", n_splits=5, selection="nested", inner_splits=1, n_bootstrap=n_bootstrap)
    return score_features(simulated_benchmark(recording, RidgeMetric(), protocol), {"layer": features})


@pytest.fixture(scope="module")
def calibration():
    """200 simulated experiments on one population; in each, two equally good models and a worse one."""
    population = SimulatedPopulation(n_units=36, n_animals=6)
    good, worse_model = SimulatedModel(GOOD, seed=1), SimulatedModel(WORSE, seed=2)
    rows = []
    for i in range(N_DATASETS):
        latent, recording = population.draw(seed=1000 + i)
        a = _score(recording, good.features(latent))
        a_twin = _score(recording, good.twin().features(latent))
        worse = _score(recording, worse_model.features(latent))
        rows.append({
            "equal": paired_difference(a, a_twin), "equal_subjects": paired_difference(a, a_twin, "subjects"),
            "different": paired_difference(a, worse), "different_subjects": paired_difference(a, worse, "subjects"),
        })
    # the truth: the expected difference at this sample size, from 400 further independent experiments
    truth = []
    for i in range(400):
        latent, recording = population.draw(seed=50_000 + i)
        a = _score(recording, good.features(latent), n_bootstrap=0)
        worse = _score(recording, worse_model.features(latent), n_bootstrap=0)
        truth.append(a["ceiled"] - worse["ceiled"])
    return rows, float(np.mean(truth)), float(np.std(truth, ddof=1) / np.sqrt(len(truth)))


def test_interval_covers_a_known_difference_and_separates_the_models(calibration):
    rows, truth, truth_se = calibration
    assert truth > 0.03 and truth_se < truth / 20, (truth, truth_se)  # a real, precisely known difference
    covered = np.mean([r["different"].ci95[0] <= truth <= r["different"].ci95[1] for r in rows])
    separated = np.mean([r["different"].p < 0.05 and r["different_subjects"].p < 0.05 for r in rows])
    assert covered >= 0.90, covered
    assert separated >= 0.95, separated


def test_equal_models_are_rarely_called_different(calibration):
    rows, _, _ = calibration
    false_stimuli = np.mean([r["equal"].p < 0.05 for r in rows])
    false_verdict = np.mean([r["equal"].p < 0.05 and r["equal_subjects"].p < 0.05 for r in rows])
    # nominal 5%; 0.09 is 5% plus about 2.6 binomial standard errors of 200 experiments
    assert false_stimuli <= 0.09, false_stimuli
    assert false_verdict <= false_stimuli
    covered_zero = np.mean([r["equal"].ci95[0] <= 0 <= r["equal"].ci95[1] for r in rows])
    assert covered_zero >= 0.91, covered_zero


def test_paired_difference_refuses_unpaired_scores():
    entry = {"benchmark": "x", "version": "1", "ceiled": 0.5, "bootstrap": None}
    with pytest.raises(ValueError, match="no stored resamples"):
        paired_difference(entry, entry)


# -- hierarchy ------------------------------------------------------------------------------------
REGIONS = ("A1", "A2", "A3", "A4", "A5", "A6")


def _hierarchy_result(layer_of_region: list[int], seed: int = 0) -> tuple[dict, Registry]:
    """Six regions; region k's neurons read out layer ``layer_of_region[k]`` of a six-layer network, each
    layer a saturating nonlinear function of the one before (so a layer is only linearly equivalent to
    itself, as in tests/test_recovery.py)."""
    layers, benches = _planted_benchmarks(layer_of_region, seed)
    return _scored("planted", layers, benches), _hierarchy_registry()


def _planted_benchmarks(layer_of_region: list[int], seed: int) -> tuple[dict, list]:
    rng = np.random.default_rng(seed)
    n, width = 118, 24
    x = rng.standard_normal((n, 32))
    layers = {}
    for j in range(6):
        x = np.tanh(x @ rng.normal(0, 2.5 / np.sqrt(x.shape[1]), (x.shape[1], width)) + rng.normal(0, 0.5, width))
        layers[f"layer{j}"] = x
    population = SimulatedPopulation(n_stimuli=n, n_units=24, n_animals=4, latent_dim=width, trial_noise=0.5, seed=seed)
    benches = []
    for k, region in enumerate(REGIONS):
        features = layers[f"layer{layer_of_region[k]}"]
        mean = features @ population.tuning
        trials = mean[None] + population.trial_noise * mean.std() * rng.standard_normal((population.n_repeats, *mean.shape))
        from brainbench.recording import make_recording

        recording = make_recording(trials, [f"s{i}" for i in range(n)], {
            "neuroid_id": [f"u{i}" for i in range(24)], "region": [region] * 24, "subject": [f"m{i % 4}" for i in range(24)],
        })
        benches.append(simulated_benchmark(recording, RidgeMetric(), Protocol(kind="kfold", n_splits=5, inner_splits=1, n_bootstrap=200)))
    return layers, benches


def _scored(name: str, layers: dict, benches: list) -> dict:
    entries = []
    for region, bench in zip(REGIONS, benches):
        entry = score_features(bench, layers)
        entry["benchmark"] = f"sim.{region}.ridge"
        entries.append(entry)
    return {"schema": SCHEMA, "model": {"name": name, "modality": "vision", "card": {}}, "scores": entries}


def _hierarchy_registry() -> Registry:
    registry = Registry()
    registry.add(DatasetPlugin("sim", "vision", "trials", REGIONS, lambda data_dir=None: None, "ridge", hierarchy={r: i + 1 for i, r in enumerate(REGIONS)}))
    return registry


def test_paired_hierarchy_comparison_separates_a_reversed_network_and_not_a_twin():
    """Same recordings, same resamples: the planted network (rho +1) against the same layers listed in
    reverse depth order (rho -1) is separated, by a difference of 2; against a twin whose layers carry a
    little independent noise (rho +1 too) it is not."""
    from brainbench.analysis._hierarchy_compare import compare_hierarchy

    layers, benches = _planted_benchmarks([0, 1, 2, 3, 4, 5], seed=2)
    rng = np.random.default_rng(9)
    forward = _scored("forward", layers, benches)
    reversed_ = _scored("reversed", dict(reversed(list(layers.items()))), benches)
    twin = _scored("twin", {k: v + 0.01 * v.std() * rng.standard_normal(v.shape) for k, v in layers.items()}, benches)
    registry = _hierarchy_registry()
    far = compare_hierarchy(forward, reversed_, "sim", registry=registry)
    assert far.rho_a == pytest.approx(1.0) and far.rho_b == pytest.approx(-1.0) and far.difference == pytest.approx(2.0)
    assert far.ci95[0] > 1 and far.p < 1e-6 and far.a_above_b > 0.99 and far.separated
    near = compare_hierarchy(forward, twin, "sim", registry=registry)
    assert near.difference == pytest.approx(0.0) and not near.separated and near.ci95[0] <= 0 <= near.ci95[1]


def test_hierarchy_recovers_a_planted_layer_to_area_order():
    result, registry = _hierarchy_result([0, 1, 2, 3, 4, 5])
    h = hierarchy(result, "sim", registry=registry)
    assert h.best_layer == {r: f"layer{i}" for i, r in enumerate(REGIONS)}
    assert h.rho == pytest.approx(1.0)
    assert h.p_permutation == pytest.approx(1 / 720)  # only the planted order itself does as well
    assert h.rho_ci95[0] > 0.8


def test_hierarchy_is_null_for_a_shuffled_order():
    order = [0, 4, 5, 2, 3, 1]  # a shuffle whose rank correlation with the hierarchy is -0.03
    result, registry = _hierarchy_result(order, seed=1)
    h = hierarchy(result, "sim", registry=registry)
    assert [h.best_layer[r] for r in REGIONS] == [f"layer{j}" for j in order]  # each region still finds its layer
    assert abs(h.rho) < 0.05 and h.p_permutation > 0.4
    assert h.rho_ci95[0] <= h.rho <= h.rho_ci95[1] and h.rho_ci95[1] < 0.5


def test_spearman_columns_matches_scipy_and_is_nan_for_constant_columns():
    from scipy.stats import spearmanr

    rng = np.random.default_rng(0)
    x = np.array([1, 1, 2, 3, 3, 4.0])
    columns = rng.integers(0, 4, size=(6, 30)).astype(float)
    columns[:, 0] = 2.0
    got = spearman_columns(x, columns)
    assert np.isnan(got[0])
    for j in range(1, 30):
        if np.ptp(columns[:, j]) > 0:
            assert got[j] == pytest.approx(spearmanr(x, columns[:, j]).statistic)


# -- overall score -----------------------------------------------------------------------------------
def _entry(benchmark, value, statistic="ceiled", samples=None):
    from brainbench import bootstrap

    samples = np.full(10, value) if samples is None else samples
    # as a score writes it: a ceiled score is raw / ceiling (here a ceiling of 1)
    numbers = {"raw": value, "ceiling": 1.0, "ceiled": value} if statistic == "ceiled" else {statistic: value}
    return {
        "benchmark": benchmark, "version": "1", **numbers,
        "bootstrap": {"statistic": statistic, "encoding": bootstrap.ENCODING, "stimuli": bootstrap.block(0, samples), "subjects": None},
    }


def _registry():
    registry = Registry()
    load = lambda data_dir=None: None  # noqa: E731
    registry.add(DatasetPlugin("np", "vision", "trials", ("V1", "V2"), load, "ridge"))
    registry.add(DatasetPlugin("tp", "vision", "rdm", ("V1_l2", "V1_l4", "V2_l2"), load, "rsa", region_groups={"V1_l2": "V1", "V1_l4": "V1", "V2_l2": "V2"}))
    registry.add(DatasetPlugin("fmri", "audio", "components", ("c1", "c2", "all"), load, "ridge", derived_regions=("all",)))
    return registry


def _result(name, modality, entries):
    return {"schema": SCHEMA, "model": {"name": name, "modality": modality}, "scores": entries}


def test_overall_score_is_the_written_hierarchical_mean():
    result = _result("m", "vision", [
        _entry("np.V1.ridge", 0.2), _entry("np.V2.ridge", 0.4),
        _entry("tp.V1_l2.rsa", 0.1), _entry("tp.V1_l4.rsa", 0.3), _entry("tp.V2_l2.rsa", 0.6),
        _entry("np.V1.rsa", 0.99),  # not a default benchmark: never counted
    ])
    o = overall_score(result, _registry())
    assert o.datasets["np"].value == pytest.approx(0.3)
    assert o.datasets["tp"].value == pytest.approx((0.2 + 0.6) / 2)  # layers of V1 averaged first
    assert o.value == pytest.approx((0.3 + 0.4) / 2)


def test_a_missing_region_leaves_the_dataset_undefined_never_zero():
    result = _result("m", "vision", [_entry("np.V1.ridge", 0.2), _entry("tp.V1_l2.rsa", 0.1), _entry("tp.V1_l4.rsa", 0.3), _entry("tp.V2_l2.rsa", 0.6)])
    o = overall_score(result, _registry())
    assert o.datasets["np"].value is None and o.datasets["np"].missing == ["V2"]
    assert o.value is None


def test_raw_scores_are_never_averaged_with_ceiled_ones_and_derived_regions_not_counted():
    result = _result("a", "audio", [_entry("fmri.c1.ridge", 0.5, "raw"), _entry("fmri.c2.ridge", 0.3, "raw"), _entry("fmri.all.ridge", 0.9, "raw")])
    o = overall_score(result, _registry())
    assert o.value is None  # no ceiled dataset in this modality
    assert o.datasets["fmri"].statistic == "raw" and o.datasets["fmri"].value == pytest.approx(0.4)


def test_ranking_marks_ties_from_paired_resamples():
    rng = np.random.default_rng(0)
    shared = rng.normal(0, 0.02, 1000)  # the resample-to-resample variation all models share
    results = []
    for name, level in (("best", 0.40), ("close", 0.399), ("far", 0.2)):
        samples = level + shared + rng.normal(0, 0.0005 if name != "far" else 0.002, 1000)
        entries = [_entry(f"np.{r}.ridge", level, samples=samples) for r in ("V1", "V2")]
        entries += [_entry(f"tp.{r}.rsa", level, samples=samples) for r in ("V1_l2", "V1_l4", "V2_l2")]
        results.append(overall_score(_result(name, "vision", entries), _registry()))
    rows = rank(results)
    assert [r["model"] for r in rows] == ["best", "close", "far"]
    assert rows[0]["tied_with_next"] is True and rows[1]["tied_with_next"] is False


def test_discriminability_counts_separated_pairs():
    rng = np.random.default_rng(1)
    shared = rng.normal(0, 0.01, 500)
    results = [_result(name, "vision", [_entry("np.V1.ridge", v, samples=v + shared + rng.normal(0, 0.002, 500))])
               for name, v in (("a", 0.5), ("b", 0.5005), ("c", 0.3))]
    d = discriminability(results, "np.V1.ridge")
    assert d["n_models"] == 3 and d["n_pairs"] == 3 and d["n_separated"] == 2  # a~b tied, both beat c


# -- real data ------------------------------------------------------------------------------------------
def test_efficientnet_is_told_apart_from_pixels_on_the_neuropixels_areas():
    """Built-in results (leaderboard/results): EfficientNet-Lite0 vs the pixel baseline, Holm over six areas.
    Where the difference is large (> 0.1 ceiled) it must be separated over stimuli and animals; on VISrl the
    pixel baseline is strong (0.22 vs 0.25) and the test may or may not separate them."""
    areas = [f"allen_np.{a}.ridge" for a in ("VISp", "VISl", "VISal", "VISrl", "VISam", "VISpm")]
    comparison = compare("efficientnet_lite0", "pixels", benchmarks=areas)
    for row in comparison.rows:
        stim = row.differences["stimuli"]
        assert "subjects" in row.differences  # Neuropixels has several mice: both sources tested
        assert 0 < stim.difference < 0.3 and stim.ci95[0] < stim.difference < stim.ci95[1], stim
        if stim.difference > 0.1:
            assert row.verdict == "A > B" and stim.ci95[0] > 0, (row.benchmark, stim)
    assert sum(r.differences["stimuli"].difference > 0.1 for r in comparison.rows) >= 4
    same = compare("efficientnet_lite0", "efficientnet_lite0", benchmarks=areas)
    assert all(r.verdict == "not separated" and r.differences["stimuli"].difference == 0 for r in same.rows)


# -- pathways -----------------------------------------------------------------------------------------
class TwoPathways:
    """A stem and two parallel pathways of two saturating layers each (torch), with a card declaring them."""

    @staticmethod
    def module():
        import torch

        torch.manual_seed(0)

        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.stem = torch.nn.Sequential(torch.nn.Linear(144, 32), torch.nn.Tanh())
                for p in ("p1", "p2"):
                    for k in ("a", "b"):
                        setattr(self, f"{p}{k}", torch.nn.Sequential(torch.nn.Linear(32 if k == "a" else 24, 24), torch.nn.Tanh()))
                for layer in self.modules():
                    if isinstance(layer, torch.nn.Linear):
                        torch.nn.init.normal_(layer.weight, std=2.5 / np.sqrt(layer.in_features))
                        torch.nn.init.normal_(layer.bias, std=0.5)

            def forward(self, x):
                s = self.stem(x.flatten(1))
                return torch.cat([self.p1b(self.p1a(s)), self.p2b(self.p2a(s))], dim=1)

        return Net()


def test_pathway_analysis_recovers_which_pathway_drives_which_area(tmp_path):
    import torch
    from PIL import Image

    from brainbench.activations import extract
    from brainbench.analysis._pathways import pathways
    from brainbench.benchmark import Dataset
    from brainbench.model import ModelAdapter
    from brainbench.recording import make_recording
    from brainbench.registry import ModelPlugin, default_registry
    from brainbench.stimuli import StimulusSet
    from brainbench.store import Store

    rng = np.random.default_rng(0)
    paths = []
    for i in range(90):
        path = tmp_path / f"img{i:03d}.png"
        Image.fromarray(rng.integers(0, 256, (12, 12), dtype=np.uint8)).save(path)
        paths.append(path)
    stimuli = StimulusSet("pathway_images", "vision", [p.stem for p in paths], paths)
    layers = ["stem", "p1a", "p1b", "p2a", "p2b"]
    card = {"pathways": {"path1": ["p1a", "p1b"], "path2": ["p2a", "p2b"]}, "shared_layers": ["stem"]}

    def preprocess(files):
        return torch.as_tensor(np.stack([np.asarray(Image.open(f), dtype=np.float32) / 64 - 2 for f in files]))

    def build(weights=None, device="cpu"):
        return ModelAdapter("two_pathways", "vision", TwoPathways.module(), layers, preprocess, {"kind": "test: 12x12 gray /64 - 2"})

    store = Store(tmp_path / "cache")
    truth = extract(build(), stimuli, ["p1b", "p2b"], store=store, progress=False)
    n_units = 16
    parts, regions = [], []
    for region, layer in (("R1", "p1b"), ("R2", "p2b")):  # R1 reads out pathway 1, R2 pathway 2
        signal = np.asarray(truth[layer], dtype=np.float64) @ rng.standard_normal((24, n_units))
        parts.append(signal[None] + 0.3 * signal.std() * rng.standard_normal((6, *signal.shape)))
        regions += [region] * n_units
    recording = make_recording(np.concatenate(parts, axis=2), stimuli.ids, {
        "neuroid_id": [f"u{i}" for i in range(2 * n_units)], "region": regions, "subject": [f"m{i % 4}" for i in range(2 * n_units)],
    })
    dataset = Dataset("pw", recording, stimuli)
    registry = Registry()
    registry.add(default_registry().metric("ridge"))
    registry.add(DatasetPlugin("pw", "vision", "trials", ("R1", "R2"), lambda data_dir=None: dataset, "ridge",
                               protocol_for=lambda metric: Protocol(kind="kfold", n_splits=3, inner_splits=2, n_bootstrap=300),
                               streams={"R1": "ventral", "R2": "dorsal"}, streams_source="planted: R1 reads pathway 1, R2 pathway 2"))
    registry.add(ModelPlugin("two_pathways", "vision", "untrained", build, card))
    analysis = pathways("two_pathways", registry=registry, store=store, progress=False, log=lambda m: None)
    rows = {r.benchmark: r for r in analysis.rows}
    assert analysis.scores["path1"]["pw.R1.ridge"]["chosen_layer"] == "p1b"
    assert analysis.scores["path2"]["pw.R2.ridge"]["chosen_layer"] == "p2b"
    assert rows["pw.R1.ridge"].verdict == "A > B" and rows["pw.R2.ridge"].verdict == "B > A"
    r1 = rows["pw.R1.ridge"].differences["stimuli"]
    assert r1.ci95[0] > 0 and r1.p_holm < 0.01
    # the double dissociation: path1 - path2 is positive in R1 (ventral) and negative in R2 (dorsal)
    (interaction,) = analysis.interactions
    assert interaction.family == "pw.ridge" and interaction.streams == ("ventral", "dorsal")
    assert interaction.in_stream[0] > 0 > interaction.in_stream[1] and interaction.ci95[0] > 0 and interaction.p_holm < 0.01
    assert analysis.as_dict()["interactions"][0]["areas"] == {"ventral": ["R1"], "dorsal": ["R2"]}


def _stored_entry(benchmark: str, point: float, samples: np.ndarray, n_stimuli: int = 100) -> dict:
    from brainbench import bootstrap

    return {"benchmark": benchmark, "version": "1", "ceiled": point, "n_stimuli": n_stimuli,
            "bootstrap": {"statistic": "ceiled", "stimuli": bootstrap.block(0, samples)}}


def test_stream_interaction_pairs_areas_on_the_same_image_resamples():
    """Recovered truths on synthetic stored resamples: (1) a pathway offset that is the same in every area
    (no specialisation) gives an interaction of 0 whose interval covers 0, however large the offset;
    (2) image noise shared by all areas (the same resamples) cancels in the interaction, so its interval
    is far narrower than if the areas were treated as independent; (3) the layers of one area count
    once (the area's mean), and a region in no stream is left out."""
    from brainbench.analysis._streams import stream_interactions
    from brainbench.registry import DatasetPlugin

    rng = np.random.default_rng(3)
    shared = rng.normal(0, 0.05, 1000)  # what the drawn images do to every area's pathway difference
    regions = ("V1", "L", "AL_l23", "AL_l5", "PM")
    plugin = DatasetPlugin("syn", "vision", "trials", regions, lambda data_dir=None: None, "ridge",
                           region_groups={"AL_l23": "AL", "AL_l5": "AL"},
                           streams={"L": "ventral", "AL_l23": "dorsal", "AL_l5": "dorsal", "PM": "dorsal"}, streams_source="test")
    registry = Registry()
    registry.add(plugin)

    def runs(offsets: dict):
        a, b = {}, {}
        for region in regions:
            name = f"syn.{region}.ridge"
            own = rng.normal(0, 0.002, 1000)
            a[name] = _stored_entry(name, 0.5 + offsets[region], 0.5 + offsets[region] + shared + own)
            b[name] = _stored_entry(name, 0.5, 0.5 + own * 0)
        return a, b

    (null,) = stream_interactions(*runs(dict.fromkeys(regions, 0.2)), registry)
    assert abs(null.interaction) < 1e-12 and null.ci95[0] < 0 < null.ci95[1] and null.p > 0.5
    assert null.areas == {"ventral": ["L"], "dorsal": ["AL", "PM"]}
    assert null.se < 0.01  # independent areas would give about 0.05 * sqrt(1 + 1/2) = 0.06
    planted = {"V1": 5.0, "L": 0.1, "AL_l23": -0.1, "AL_l5": -0.3, "PM": 0.0}  # V1 is in no stream: its 5.0 must not count
    (found,) = stream_interactions(*runs(planted), registry)
    assert found.interaction == pytest.approx(0.1 - ((-0.1 - 0.3) / 2 + 0.0) / 2) and found.p_holm < 1e-6


# -- command line ---------------------------------------------------------------------------------------
def test_compare_command_prints_the_table_and_names_a_missing_result(capsys, tmp_path):
    from brainbench.cli import main

    assert main(["compare", "efficientnet_lite0", "pixels", "--benchmark", "allen_np.VISp.ridge", "--json", str(tmp_path / "c.json")]) == 0
    out = capsys.readouterr().out
    assert "allen_np.VISp.ridge" in out and "A > B" in out and "Holm" in out
    import json

    saved = json.loads((tmp_path / "c.json").read_text())
    assert saved["rows"][0]["verdict"] == "A > B" and saved["rows"][0]["stimuli"]["p_holm"] < 0.05
    assert main(["compare", "efficientnet_lite0", "no_such_model"]) == 2
    err = capsys.readouterr().err
    assert "no result for model 'no_such_model'" in err and "brainbench score --model no_such_model" in err
    assert main(["compare", "efficientnet_lite0", "pixels", "--alpha", "2"]) == 2
    assert "--alpha must be between 0 and 1" in capsys.readouterr().err


def test_hierarchy_command_explains_what_is_missing(capsys, tmp_path):
    import json

    from brainbench.cli import main

    partial = json.loads((__import__("pathlib").Path(__file__).parents[1] / "leaderboard" / "results" / "pixels.json").read_text())
    partial["scores"] = [s for s in partial["scores"] if s["benchmark"] in ("allen_np.VISp.ridge", "allen_np.VISl.ridge")]
    path = tmp_path / "pixels_partial.json"
    path.write_text(json.dumps(partial))
    assert main(["analyze", "hierarchy", "--model", str(path), "--dataset", "allen_np", "--no-record"]) == 2
    err = capsys.readouterr().err
    assert "2 of the 6 hierarchy regions" in err and "brainbench score --model pixels" in err


def test_an_unscored_dataset_leaves_the_overall_score_undefined():
    result = _result("m", "vision", [_entry("np.V1.ridge", 0.2), _entry("np.V2.ridge", 0.4)])  # no 'tp' scores at all
    o = overall_score(result, _registry())
    assert o.datasets["np"].value == pytest.approx(0.3)
    assert o.datasets["tp"].value is None and o.datasets["tp"].missing == ["V1_l2", "V1_l4", "V2_l2"]
    assert o.value is None


def test_discriminability_degenerate_inputs_are_undefined_not_errors():
    rng = np.random.default_rng(2)
    nan_samples = np.full(50, np.nan)
    results = [_result(n, "vision", [_entry("np.V1.ridge", 0.3, samples=nan_samples)]) for n in ("a", "b")]
    assert discriminability(results, "np.V1.ridge")["fraction_separated"] is None
    flat = [_result(n, "vision", [_entry("np.V1.ridge", v, samples=np.full(50, v))]) for n, v in (("a", 0.3), ("b", 0.4))]
    assert discriminability(flat, "np.V1.ridge")["spread_over_ci"] is None
    # a model scored under another benchmark version is left out, not the others
    odd = _result("odd", "vision", [{**_entry("np.V1.ridge", 0.5), "version": "0"}])
    usual = [_result(n, "vision", [_entry("np.V1.ridge", v, samples=v + rng.normal(0, 0.01, 50))]) for n, v in (("a", 0.3), ("b", 0.4))]
    assert discriminability([odd, *usual], "np.V1.ridge")["n_models"] == 2


def test_permutations_move_region_groups_together():
    """Six areas with two cortical layers each: the null assigns the six area positions to the areas
    (720 assignments, layers moving with their area), not 12 positions to 12 regions independently."""
    from brainbench.analysis._hierarchy import permutation_p

    positions = np.repeat(np.arange(1.0, 7.0), 2)
    groups = [f"A{int(x)}" for x in positions]
    depths = positions / 6 + np.tile([0.0, 0.01], 6)  # the planted order, a small layer offset
    rho = spearman_columns(positions, depths[:, None])[0]
    p_grouped, n_grouped = permutation_p(positions, depths, rho, groups)
    p_free, n_free = permutation_p(positions, depths, rho)
    assert n_grouped == 720 and p_grouped == pytest.approx(1 / 720)
    assert n_free == 20000 and p_free < p_grouped  # treating the 12 regions as independent overstates the evidence


def test_an_analysis_never_rewrites_the_published_results_unasked(capsys, tmp_path, monkeypatch):
    """`analyze hierarchy` found the checkout's published result by default and wrote into it; it now
    prints, says why it did not record and how to, and records into the user's own results."""
    import json
    import shutil

    from brainbench.cli import main

    published = Path(__file__).parents[1] / "leaderboard" / "results" / "efficientnet_lite0.json"
    before = published.read_bytes()
    monkeypatch.chdir(tmp_path)  # no ./results: the published file is the one found
    assert main(["analyze", "hierarchy", "--model", "efficientnet_lite0", "--dataset", "allen_np"]) == 0
    out, err = capsys.readouterr()
    assert "Spearman rho" in out and "recorded in" not in out and published.read_bytes() == before
    assert f"printed, not recorded: {published} is one of the checkout's published results" in err
    assert f"pass --results {published.parent}" in err
    own = tmp_path / "results" / "efficientnet_lite0.json"
    own.parent.mkdir()
    shutil.copy(published, own)
    assert main(["analyze", "hierarchy", "--model", "efficientnet_lite0", "--dataset", "allen_np"]) == 0
    assert f"recorded in {Path('results') / 'efficientnet_lite0.json'}" in capsys.readouterr().out
    assert "allen_np.ridge" in json.loads(own.read_text())["analyses"]["hierarchy"] and published.read_bytes() == before


def test_a_pathways_run_on_fewer_benchmarks_does_not_replace_a_fuller_record(capsys, tmp_path, monkeypatch):
    import json
    import shutil

    from brainbench.analysis import _pathways
    from brainbench.analysis._record import recording_problem
    from brainbench.cli import main

    own = tmp_path / "results" / "bakhtiari_cpc_p2.json"
    own.parent.mkdir()
    shutil.copy(Path(__file__).parents[1] / "leaderboard" / "results" / "bakhtiari_cpc_p2.json", own)
    before = own.read_bytes()
    recorded = json.loads(before)["analyses"]["pathways"]
    (key, previous), = recorded.items()
    covered = [row["benchmark"] for row in previous["comparison"]]
    assert len(covered) > 1
    result = {**json.loads(before), "_path": str(own)}
    assert recording_problem(result, "pathways", key, None) is None and recording_problem(result, "pathways", key, covered) is None
    assert f"over {len(covered)} benchmarks, and this run covers 1 of them" in recording_problem(result, "pathways", key, covered[:1])

    def scoring_would_start(*args, **kwargs):  # the note must come before the minutes of scoring
        raise _pathways.BrainbenchError("scoring started")

    monkeypatch.setattr(_pathways, "pathways", scoring_would_start)
    assert main(["analyze", "pathways", "--model", "bakhtiari_cpc_p2", "--benchmark", covered[0], "--results", str(own.parent)]) == 2
    err = capsys.readouterr().err
    assert err.index("note: the analysis will be printed, not recorded") < err.index("scoring started")
    assert "recording it would replace the fuller one. To record: run it without --benchmark" in err and own.read_bytes() == before


def test_neuroids_without_a_finite_score_are_flagged():
    """A metric that gave NaN for half the neuroids was scored over the rest with no flag."""
    population = SimulatedPopulation(n_units=24, n_animals=4, seed=3)
    latent, recording = population.draw(0)
    recording.values[:, :, :6] = 1.0  # six units respond the same to every stimulus: their r is undefined
    benchmark = simulated_benchmark(recording, RidgeMetric())
    entry = score_features(benchmark, {"latent": latent})
    assert entry["n_neuroids"] == 24 and entry["n_neuroids_scored"] == 18
    assert "6 of 24 neuroids have no finite score" in " ".join(entry["flags"]) and np.isfinite(entry["raw"])
    clean = score_features(simulated_benchmark(population.draw(0)[1], RidgeMetric()), {"latent": latent})
    assert not any("no finite score" in flag for flag in clean["flags"])
