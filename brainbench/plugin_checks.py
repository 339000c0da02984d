"""``brainbench check`` for dataset and metric plugins: the contracts of docs/datasets.md and
docs/metrics.md, checked before anything long runs. Runs in the check subprocess (brainbench.checking).

A dataset plugin (``check_dataset``):

1. its declaration: every DatasetPlugin field (registry.dataset_plugin_problems), a registered metric
   that applies to its ``recording_kind`` (the default one among them), a Protocol per metric, the
   metric options accepted by the metric, the manifest's shares registered, a data card;
2. its data, where they are (else a warning with the fetch command): the files against the manifest's
   sha256, then ``load()``: a Dataset whose recording has the documented dims and coordinates, whose
   ``stimulus_id`` are the stimulus set's ids in order, whose regions hold neuroids, with enough
   stimuli for the protocol;
3. the default metric's benchmark run end to end on a small bootstrap, on the first region, with two
   made-up layers: the region's own mean responses (a positive control, which must score clearly
   higher) and noise: declaration, recording, protocol and metric work together. (Whether responses
   belong to the right stimuli only a model could tell; ``stimulus_id`` against the stimulus set's
   ids is what is checked.)

A metric plugin (``check_metric``): its factory builds a brainbench.metric.Metric; on a synthetic
recording of each kind it applies to (responses a known linear function of a hidden layer, plus
noise, several subjects and repeats) the benchmark runs, scores are finite and of the documented
shapes, the hidden layer is chosen over a noise layer, ``summarize_many``/``ceiling_many`` equal
``summarize``/``ceiling`` row by row, ``summarize_many_layers`` equals ``summarize_many`` per layer and
``evaluate_many`` equals ``evaluate`` per test set.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

CHECK_BOOTSTRAP = 20  # resamples in the check's runs: enough to exercise the code, quick
ALIGNED_MARGIN = 0.05  # the positive control must beat the noise layer by at least this much (raw score)


# -- datasets -------------------------------------------------------------------------------------------
def check_dataset(plugin, data_dir, registry, report) -> dict:
    """Every check of a dataset plugin; problems go to ``report`` (where: plugin, metric, manifest,
    card, data, recording, benchmark); returns what was measured."""
    from .registry import dataset_plugin_problems

    name = plugin.name
    info = {"name": name, "modality": plugin.modality, "recording_kind": plugin.recording_kind, "regions": list(plugin.regions)}
    for problem in dataset_plugin_problems(plugin):
        report.add("plugin", problem, model=name)
    metrics = _applicable_metrics(plugin, registry, report)
    info["benchmarks"] = [f"{name}.{region}.{m.name}" for m in metrics for region in plugin.regions]
    protocols = {m.name: _protocol(plugin, m.name, report) for m in metrics}
    _check_manifest(plugin, registry, report, info)
    _check_card(plugin, report)
    dataset = _load(plugin, data_dir, registry, report, info)
    if dataset is None or _failed(report, name):
        return info
    _check_recording(plugin, dataset, protocols, report, info)
    default = [m for m in metrics if m.name == plugin.default_metric and protocols[m.name] is not None]
    if default and not _failed(report, name):
        info["controls"] = _controls(plugin, dataset, default[0], protocols[default[0].name], report)
    return info


def _failed(report, name: str) -> bool:
    return any(f.model == name for f in report.errors)


def _applicable_metrics(plugin, registry, report) -> list:
    metrics = [m for m in registry.metrics.values() if plugin.recording_kind in m.applies_to]
    kinds = sorted({k for m in registry.metrics.values() for k in m.applies_to})
    if not metrics:
        report.add("recording_kind", f"no registered metric applies to recording_kind {plugin.recording_kind!r} (metrics apply to {kinds})", model=plugin.name)
    elif plugin.default_metric not in {m.name for m in metrics}:
        report.add("default_metric", f"{plugin.default_metric!r} is not a registered metric that applies to {plugin.recording_kind!r}; choose one of {[m.name for m in metrics]}", model=plugin.name)
    for metric_name in set(plugin.metric_options) | set(plugin.versions):
        if metric_name not in registry.metrics:
            report.add("metric_options", f"options or version given for {metric_name!r}, which is not a registered metric", "warning", plugin.name)
    for metric in metrics:
        try:
            _make(metric, plugin.metric_options.get(metric.name, {}))
        except Exception as exc:
            report.add("metric_options", f"metric {metric.name!r} refuses the options {plugin.metric_options.get(metric.name)}: {type(exc).__name__}: {exc}", model=plugin.name)
    return metrics


def _make(metric_plugin, options):
    try:
        return metric_plugin.factory(device="cpu", **options)
    except TypeError:
        return metric_plugin.factory(**options)


def _protocol(plugin, metric_name, report):
    from .benchmark import Protocol

    try:
        protocol = plugin.protocol_for(metric_name) if plugin.protocol_for else Protocol()
    except Exception as exc:
        report.add("protocol_for", f"protocol_for({metric_name!r}) raised {type(exc).__name__}: {exc}", model=plugin.name)
        return None
    if protocol is None:
        return Protocol()
    if not isinstance(protocol, Protocol):
        report.add("protocol_for", f"protocol_for({metric_name!r}) returned {type(protocol).__name__}, not a brainbench.benchmark.Protocol", model=plugin.name)
        return None
    return protocol


def _check_manifest(plugin, registry, report, info) -> None:
    from .manifest import manifests

    manifest = plugin.manifest
    if manifest is None:
        report.add("manifest", "no manifest: the data cannot be fetched (`brainbench data fetch`) nor verified before scoring; declare one (docs/datasets.md)", "warning", plugin.name)
        return
    info["manifest"] = {"folder": manifest.folder, "files": len(manifest.files), "bytes": manifest.total_bytes}
    unsourced = [f.path for f in manifest.files if f.url is None]
    if unsourced and not manifest.rebuild:
        report.add("manifest", f"{len(unsourced)} file(s) without a url (e.g. {unsourced[0]}) and no 'rebuild' note saying how to get them", model=plugin.name)
    known = manifests(registry)
    for other, _ in manifest.shares:
        if other != plugin.name and other not in known:
            report.add("manifest", f"shares files of dataset {other!r}, which is not a registered dataset with a manifest", model=plugin.name)


def _check_card(plugin, report) -> None:
    missing = [key for key in ("title", "citation") if not plugin.card.get(key)]
    if missing:
        report.add("card", f"the data card lacks {', '.join(missing)} (shown on the leaderboard; see docs/datasets.md)", "warning", plugin.name)


def _load(plugin, data_dir, registry, report, info):
    """The loaded Dataset, or None (data absent: a warning; data wrong: an error)."""
    from .benchmark import Dataset
    from .errors import DataNotFoundError
    from .fetch import status

    if plugin.manifest is not None:
        st = status(plugin.name, data_dir, registry=registry)
        info["data"] = {"state": st.state, "where": str(st.where) if st.where else None}
        if st.state == "missing":
            report.add("data", f"not on this machine (looked in every data root); fetch them with `brainbench data fetch {plugin.name}`, then check again to test the loader", "warning", plugin.name)
            return None
        if st.state != "ok":
            wrong = st.missing[:3] + st.bad[:3]
            report.add("data", f"{st.where}: {len(st.missing)} file(s) missing and {len(st.bad)} differing from the manifest's sha256 (e.g. {', '.join(wrong)}); fix: `brainbench data fetch {plugin.name}`", model=plugin.name)
            return None
    try:
        dataset = plugin.load(data_dir)
    except DataNotFoundError as exc:
        level = "warning" if plugin.manifest is None else "error"
        report.add("data", f"load() found no usable data: {exc}", level, plugin.name)
        return None
    except Exception as exc:
        report.add("load", f"load() raised {type(exc).__name__}: {exc}", model=plugin.name)
        return None
    if not isinstance(dataset, Dataset):
        report.add("load", f"load() returned {type(dataset).__name__}, not a brainbench.benchmark.Dataset", model=plugin.name)
        return None
    return dataset


def _check_recording(plugin, dataset, protocols, report, info) -> None:
    name, recording, stimuli = plugin.name, dataset.recording, dataset.stimuli
    if stimuli is None or stimuli.modality != plugin.modality:
        report.add("recording", f"the stimulus set's modality is {getattr(stimuli, 'modality', None)!r}, the plugin's {plugin.modality!r}", model=name)
        return
    if plugin.recording_kind == "rdm":
        _check_rdm_recording(plugin, recording, report)
    else:
        _check_trial_recording(plugin, recording, report, info)
    ids = [str(s) for s in recording["stimulus_id"].values] if "stimulus_id" in recording.coords else []
    if ids != [str(s) for s in stimuli.ids]:
        report.add("recording", f"the recording's stimulus_id ({len(ids)}, first {ids[:2]}) are not the stimulus set's ids in order ({len(stimuli.ids)}, first {list(stimuli.ids)[:2]})", model=name)
    info["n_stimuli"] = len(stimuli.ids)
    for metric_name, protocol in protocols.items():
        need = protocol.train_size + 2 if protocol and protocol.kind == "shuffle" and protocol.train_size else (protocol.n_splits * 2 if protocol else 0)
        if len(stimuli.ids) < need:
            report.add("protocol_for", f"{metric_name}: the protocol needs at least {need} stimuli, the dataset has {len(stimuli.ids)}", model=name)
    for warning in dataset.warnings:
        report.add("data", warning, "warning", name)


def _check_trial_recording(plugin, recording, report, info) -> None:
    from .recording import validate_recording

    name = plugin.name
    try:
        validate_recording(recording)
    except ValueError as exc:
        report.add("recording", f"{exc} (documented: dims (repetition, stimulus, neuroid); coordinates stimulus_id, neuroid_id, region, subject)", model=name)
        return
    regions = [str(r) for r in recording["region"].values]
    per_region = {r: regions.count(r) for r in plugin.regions if r != "all"}
    info.update(n_neuroids=len(regions), n_repetitions=int(recording.sizes["repetition"]),
                n_subjects=len(set(map(str, recording["subject"].values))), neuroids_per_region=per_region)
    empty = [r for r, n in per_region.items() if n == 0 and r not in plugin.derived_regions]
    if empty:
        report.add("regions", f"region(s) {empty} have no neuroid in the recording (its regions: {sorted(set(regions))}); a derived region other than 'all' needs its own handling", model=name)
    unused = sorted(set(regions) - set(plugin.regions))
    if unused and "all" not in plugin.regions:
        report.add("regions", f"neuroids of region(s) {unused} are in the recording but in no benchmark", "warning", name)
    if plugin.recording_kind == "trials" and recording.sizes["repetition"] < 2:
        report.add("recording", "recording_kind 'trials' with one repetition: no split-half ceiling can be computed (use 'components' if there are no repeats)", "warning", name)
    dead = int(np.all(~np.isfinite(recording.values), axis=(0, 1)).sum())
    if dead:
        report.add("recording", f"{dead} neuroid(s) have no finite response at all", "warning", name)


def _check_rdm_recording(plugin, recording, report) -> None:
    name = plugin.name
    if tuple(recording.dims) != ("region", "stimulus", "stimulus_b") or "region" not in recording.coords:
        report.add("recording", f"an 'rdm' recording has dims (region, stimulus, stimulus_b) and a region coordinate; got {tuple(recording.dims)}", model=name)
        return
    missing = sorted(set(plugin.regions) - {str(r) for r in recording["region"].values})
    if missing:
        report.add("regions", f"region(s) {missing} have no RDM in the recording", model=name)


def _controls(plugin, dataset, metric_plugin, protocol, report) -> dict | None:
    """Run one benchmark of the first region with two made-up layers: the region's own mean responses
    (must score clearly higher) and noise of the same width."""
    from .benchmark import Benchmark
    from .registry import resolve_reference

    region = plugin.regions[0]
    metric = _make(metric_plugin, plugin.metric_options.get(metric_plugin.name, {}))
    cls = resolve_reference(plugin.benchmark_class) or Benchmark
    bench = cls(name=f"{plugin.name}.{region}.{metric_plugin.name}", version="check", dataset=dataset, region=region, metric=metric,
                protocol=replace(protocol, n_bootstrap=CHECK_BOOTSTRAP, inter_animal_ceiling=False), aggregate=plugin.aggregate)
    try:
        own = _own_responses(bench)
        rng = np.random.default_rng(0)
        layers = {"noise": rng.standard_normal(own.shape)} if own is not None else {"noise": rng.standard_normal((len(dataset.stimuli.ids), 16))}
        if own is not None:
            layers["own_responses"] = own
        result = bench.run({k: metric.prepare(v) for k, v in layers.items()}, list(layers))
    except Exception as exc:
        report.add("benchmark", f"{bench.name} failed on made-up layers: {type(exc).__name__}: {exc}", model=plugin.name)
        return None
    scores = {layer: entry["raw"] for layer, entry in result["layer_profile"].items()}
    if own is not None and not (scores["own_responses"] is not None and scores["noise"] is not None and scores["own_responses"] > scores["noise"] + ALIGNED_MARGIN):
        report.add("benchmark", f"{bench.name}: the region's own mean responses as a layer score {scores['own_responses']} against noise's {scores['noise']}: "
                   "the benchmark cannot tell them apart (stimuli misaligned with the recording, or responses without signal?)", model=plugin.name)
    return {"benchmark": bench.name, "raw": scores, "ceiling": result["ceiling"]}


def _own_responses(bench) -> np.ndarray | None:
    """The region's trial-averaged responses (stimulus, neuroid), NaN as 0: the positive control."""
    recording = bench.region_recording()
    if "neuroid" not in recording.dims:
        return None
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(recording.values, axis=0)
    return np.nan_to_num(mean)


# -- metrics -------------------------------------------------------------------------------------------
SYNTHETIC = {"stimuli": 48, "hidden": 6, "neuroids": 24, "subjects": 3, "repetitions": 6, "noise": 0.5}


def check_metric(plugin, report) -> dict:
    """Every check of a metric plugin; returns what was measured per recording kind."""
    from .metric import Metric

    name = plugin.name
    info = {"name": name, "applies_to": list(plugin.applies_to)}
    if not isinstance(name, str) or not name.isidentifier() or name != name.lower():
        report.add("plugin", f"name {name!r} must be lower-case letters, digits and _", model=name)
    if isinstance(plugin.applies_to, str) or not plugin.applies_to:
        report.add("applies_to", f"applies_to must be a tuple of recording kinds, e.g. ('trials',); got {plugin.applies_to!r}", model=name)
        return info
    try:
        metric = _make(plugin, {})
    except Exception as exc:
        report.add("factory", f"factory() raised {type(exc).__name__}: {exc}", model=name)
        return info
    if not isinstance(metric, Metric):
        report.add("factory", f"factory() returned {type(metric).__name__}, not a brainbench.metric.Metric subclass", model=name)
        return info
    if metric.name != name:
        report.add("name", f"the metric object calls itself {metric.name!r}, the plugin {name!r}; results would carry both", "warning", name)
    info["per_neuroid"], info["primary"] = metric.per_neuroid, metric.primary
    info["runs"] = {}
    for kind in plugin.applies_to:
        if kind not in ("trials", "components", "rdm"):
            report.add("applies_to", f"recording kind {kind!r} has no synthetic recording in the check; it is not exercised", "warning", name)
            continue
        info["runs"][kind] = _synthetic_run(plugin, kind, report)
    return info


def synthetic_dataset(kind: str, seed: int = 0):
    """A made-up Dataset of ``kind`` whose responses are a known linear function of ``hidden`` (stimulus,
    feature) plus noise; returns (dataset, hidden). Its stimulus set is None (no files: no model runs)."""
    import xarray as xr

    from .benchmark import Dataset
    from .recording import make_recording

    p = SYNTHETIC
    rng = np.random.default_rng(seed)
    hidden = rng.standard_normal((p["stimuli"], p["hidden"]))
    signal = hidden @ rng.standard_normal((p["hidden"], p["neuroids"]))
    ids = [f"s{i:03d}" for i in range(p["stimuli"])]
    if kind == "rdm":
        centred = signal - signal.mean(axis=1, keepdims=True)
        rdm = 1 - np.corrcoef(centred + p["noise"] * rng.standard_normal(centred.shape))
        recording = xr.DataArray(rdm[None], dims=("region", "stimulus", "stimulus_b"),
                                 coords={"region": ["R"], "stimulus_id": ("stimulus", ids), "reliability": ("region", [0.9])})
        return Dataset(name="synthetic", recording=recording, stimuli=None), hidden
    repetitions = 1 if kind == "components" else p["repetitions"]
    trials = signal[None] + p["noise"] * rng.standard_normal((repetitions, *signal.shape))
    coords = {"neuroid_id": [f"n{i}" for i in range(p["neuroids"])], "region": ["R"] * p["neuroids"],
              "subject": [f"sub{i % p['subjects']}" for i in range(p["neuroids"])]}
    return Dataset(name="synthetic", recording=make_recording(trials, ids, coords), stimuli=None), hidden


def _synthetic_run(plugin, kind, report) -> dict | None:
    from .benchmark import Benchmark, Protocol, RDMBenchmark

    name = plugin.name
    metric = _make(plugin, {})
    if kind == "rdm" and not metric.accepts_rdm:
        report.add("applies_to", "applies to 'rdm' recordings but the metric's accepts_rdm is False", model=name)
        return None
    dataset, hidden = synthetic_dataset(kind)
    layers = {"hidden": hidden, "noise": np.random.default_rng(1).standard_normal(hidden.shape)}
    protocol = Protocol(kind="kfold", n_splits=3, selection="nested", inner_splits=3, n_bootstrap=CHECK_BOOTSTRAP)
    bench = (RDMBenchmark if kind == "rdm" else Benchmark)(name=f"synthetic.R.{name}", version="check", dataset=dataset, region="R", metric=metric, protocol=protocol)
    try:
        prepared = {k: metric.prepare(v) for k, v in layers.items()}
        result = bench.run(prepared, list(layers))
    except Exception as exc:
        report.add(f"{kind} recording", f"the benchmark failed on a synthetic {kind} recording: {type(exc).__name__}: {exc}", model=name)
        return None
    raw = {layer: entry["raw"] for layer, entry in result["layer_profile"].items()}
    where = f"{kind} recording"
    if result["raw"] is None:
        report.add(where, "the score on a synthetic recording is not finite", model=name)
    elif result["chosen_layer"] != "hidden" or not (raw["hidden"] or -np.inf) > (raw["noise"] or -np.inf):
        report.add(where, f"the layer the responses were made from scores {raw['hidden']}, a noise layer {raw['noise']} (chosen: {result['chosen_layer']}): "
                   "a higher score must mean more brain-like (negate distances)", model=name)
    _check_shapes(metric, bench, prepared, report, where, name)
    return {"raw": raw, "ceiling": result["ceiling"], "chosen_layer": result["chosen_layer"]}


def _check_evaluate_many(metric, prepared, target, train, splits, report, where, name) -> None:
    """evaluate_many on one training set and several test sets equals evaluate on each (compared through
    summarize: outputs are the metric's own; tests are other splits' test stimuli, so any stimuli)."""
    tests = [test for _, test in splits]
    try:
        many = metric.evaluate_many(prepared, target, train, tests)
    except Exception as exc:
        report.add(where, f"evaluate_many raised {type(exc).__name__}: {exc}", model=name)
        return
    loop = [metric.evaluate(prepared, target, train, test) for test in tests]
    if len(many) != len(tests):
        report.add(where, f"evaluate_many returned {len(many)} outputs for {len(tests)} test sets", model=name)
        return
    for got, want in zip(many, loop):
        try:
            same = np.allclose(metric.summarize([got], target)[metric.primary], metric.summarize([want], target)[metric.primary], atol=1e-6, equal_nan=True)
        except Exception as exc:  # an output summarize cannot read
            report.add(where, f"summarize of an evaluate_many output raised {type(exc).__name__}: {exc}", model=name)
            return
        if not same:
            report.add(where, "evaluate_many differs from evaluate on each test set", model=name)
            return


def _check_shapes(metric, bench, prepared, report, where, name) -> None:
    """summarize's shapes, and summarize_many / summarize_many_layers / evaluate_many / ceiling_many
    equal to their row-by-row (layer-by-layer, split-by-split) definitions."""
    from .bootstrap import stimulus_counts

    recording = bench.region_recording()
    target = bench.target(recording)
    outer = bench.protocol.splits(len(recording["stimulus_id"]))
    outputs = [metric.evaluate(prepared["hidden"], target, tr, te) for tr, te in outer]
    scores = metric.summarize(outputs, target)
    if metric.primary not in scores:
        report.add(where, f"summarize returned {sorted(scores)}, without the primary score {metric.primary!r}", model=name)
        return
    expected = (recording.sizes["neuroid"],) if metric.per_neuroid and "neuroid" in recording.dims else (1,)
    if np.shape(scores[metric.primary]) != expected:
        report.add(where, f"summarize()[{metric.primary!r}] has shape {np.shape(scores[metric.primary])}, expected {expected} (per_neuroid={metric.per_neuroid})", model=name)
        return
    counts = stimulus_counts(len(recording["stimulus_id"]), 4, 7)
    many = metric.summarize_many(outputs, target, counts)[metric.primary]
    loop = np.stack([metric.summarize(outputs, target, row)[metric.primary] for row in counts])
    if not np.allclose(many, loop, atol=1e-6, equal_nan=True):
        report.add(where, f"summarize_many differs from summarize row by row (max difference {np.nanmax(np.abs(many - loop)):.3g})", model=name)
    try:
        layers = list(metric.summarize_many_layers([outputs, outputs], target, counts))
    except Exception as exc:
        report.add(where, f"summarize_many_layers raised {type(exc).__name__}: {exc}", model=name)
        layers = [many, many]
    if len(layers) != 2 or not all(np.allclose(values, many, atol=1e-6, equal_nan=True) for values in layers):
        report.add(where, "summarize_many_layers differs from summarize_many layer by layer", model=name)
    _check_evaluate_many(metric, prepared["hidden"], target, outer[0][0], outer[1:], report, where, name)
    ceiling_data = bench.ceiling_data(recording)
    ceilings = metric.ceiling_many(ceiling_data, counts)
    rows = [metric.ceiling(ceiling_data, row) for row in counts]
    if (ceilings is None) != any(r is None for r in rows) or (ceilings is not None and not np.allclose(ceilings, np.stack(rows), atol=1e-6, equal_nan=True)):
        report.add(where, "ceiling_many differs from ceiling row by row", model=name)
