"""``score``: a model and benchmark names to a result, in six named steps::

    resolve -> plan memory -> extract -> prepare -> evaluate -> record

- **resolve** (``_load_benchmarks``, ``_build_model``): the model reference (a registered name, a
  plugin folder anywhere, a file of precomputed activations or an extractor in memory:
  brainbench.model_source) and the benchmarks; every dataset is checked against its pinned digests
  (``brainbench.integrity``) before a file of it is read; the model is built (a failure is
  recorded, never scored as zero);
- **plan memory** (``_memory_plan``): per dataset, the memory preflight (brainbench.preflight)
  fits the batch sizes under the bound or refuses before any work;
- **extract** (``_extract_dataset``): activations through the feature-extractor protocol
  (brainbench.extractor, brainbench.activations) into the content-keyed store;
- **prepare** (``_prepare_layer``): per benchmark and layer, the metric's preparation (e.g. the Gram
  matrix), from the store when an earlier run made it;
- **evaluate** (``_evaluate``): the benchmark's protocol (splits, honest layer selection, ceiling,
  bootstrap);
- **record** (``_record``): the score cached and entered in the result.

The first three are one task per model (``extract_task``), the last three one task per benchmark
(``score_task``), which takes the extraction's outcome (``Extraction``) and never builds the model.
brainbench.executor runs that graph, serially or on Dask, and merges each model's result file after
every task; ``score`` below runs it for one model in this process.

Failures are contained: a benchmark or dataset that fails (the model's forward raises, hangs past the
timeout, gives no finite score) is recorded with a one-line reason and its traceback, and the run goes
on. Only problems every task would hit alike (data, cache, output folder: ``errors.STOPS_RUN``) and
bad arguments (an unknown ``--layers`` name) stop it. A null or non-finite score is never cached.
"""
from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from .activations import activation_key, check_storage_dtype, constant_layers, extract
from .benchmark import Benchmark, Dataset, Protocol
from .checking import NEAR_CONSTANT_RTOL
from .errors import PLUGIN_FAILURES, STOPS_RUN, BrainbenchError, CacheError, CellTimeout, PluginError, plugin_exit_reason
from .executor import ScoreOptions
from .extractor import FeatureExtractor
from .integrity import verify_dataset
from .model import json_key
from .model_source import ModelRef, build_extractor, model_info, refs_for
from .preflight import plan_memory, release_freed_memory
from .registry import Registry, default_registry, resolve_reference
from .result import SCHEMA
from .store import Store

# Bump whenever the scoring code changes numbers without changing a benchmark's config, so cached
# scores from older code are never reused (v2: the nested selection honours inner_splits; v3: 1,000
# resamples stored with every score, for paired comparisons and the best-layer spread).
SCORE_VERSION = "3"

_DATASET_CACHE: dict[tuple, Dataset] = {}
_DATASET_LOCK = threading.Lock()  # engine tasks run as threads: load each dataset once, not once per task
# model builds one at a time per process: untrained controls seed torch's global RNG, and two builds
# interleaving their draws would give both models other weights than a serial run's
_BUILD_LOCK = threading.Lock()


def load_dataset(registry: Registry, name: str, data_dir=None, store: Store | None = None) -> Dataset:
    """The dataset, loaded once per process for each content of its pinned files (a file changed on
    disk is loaded anew, never served from memory)."""
    state = verify_dataset(name, data_dir, allow_modified=True, store=store, registry=registry)
    key = (name, str(data_dir), tuple(sorted(state.digests.items())))
    with _DATASET_LOCK:
        if key not in _DATASET_CACHE:
            _DATASET_CACHE[key] = _load_with(registry.dataset(name), data_dir)
        return _DATASET_CACHE[key]


def _load_with(plugin, data_dir) -> Dataset:
    """A dataset plugin's ``load``, its failure one line naming the plugin (brainbench's own errors,
    which carry their fix, pass as they are)."""
    try:
        return plugin.load(data_dir)
    except BrainbenchError:
        raise
    except PLUGIN_FAILURES as exc:
        raise PluginError(f"dataset {plugin.name!r} ({plugin.source or 'plugin'}): its load() failed: {one_line(exc)}. "
                          f"Fix: `brainbench check {plugin.name}` shows where") from exc


def make_benchmark(registry: Registry, benchmark_id: str, data_dir=None, device: str = "cpu", store: Store | None = None) -> Benchmark:
    dataset_plugin, region, metric_plugin = registry.parse_benchmark(benchmark_id)
    dataset = load_dataset(registry, dataset_plugin.name, data_dir, store)
    metric = _make_metric(metric_plugin, device, dataset_plugin.metric_options.get(metric_plugin.name, {}))
    protocol = dataset_plugin.protocol_for(metric_plugin.name) if dataset_plugin.protocol_for else None
    cls = resolve_reference(dataset_plugin.benchmark_class) or Benchmark
    return cls(
        name=benchmark_id,
        version=str(dataset_plugin.versions.get(metric_plugin.name, "1")),
        dataset=dataset,
        region=region,
        metric=metric,
        protocol=protocol or Protocol(),
        aggregate=dataset_plugin.aggregate,
    )


def _make_metric(metric_plugin, device, options):
    try:
        return metric_plugin.factory(device=device, **options)
    except TypeError:
        return metric_plugin.factory(**options)


def resolve_benchmarks(registry: Registry, modality: str, benchmarks: list[str] | None, metric: str | None) -> list[str]:
    if benchmarks:
        for b in benchmarks:
            registry.parse_benchmark(b)  # raises with close matches
        wrong = [b for b in benchmarks if registry.parse_benchmark(b)[0].modality != modality]
        if wrong:
            raise BrainbenchError(f"benchmark(s) {wrong} are not {modality} benchmarks; this model's modality is {modality}")
        return list(benchmarks)
    if metric is not None:
        registry.metric(metric)
    names = registry.benchmark_names(modality=modality, metric=metric, default_only=True)
    if not names:
        raise BrainbenchError(f"no {modality} benchmarks" + (f" for metric {metric!r}" if metric else ""))
    return names


def name_list(value, what: str, option: str) -> list[str] | None:
    """Names given as one string or a list (``what``: benchmarks, layers), duplicates dropped in order; None
    for None. An empty list or a name that is not a non-empty string is an error (never "all of them")."""
    if value is None:
        return None
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, (list, tuple)) or not names or not all(isinstance(n, str) and n.strip() for n in names):
        raise BrainbenchError(f"{option}={value!r} names no {what}: give a name or a list of names, or None for the model's own")
    return list(dict.fromkeys(n.strip() for n in names))


def metric_problem(metric: str | None, benchmarks: list[str] | None, option: str = "--metric") -> None:
    """A metric given beside benchmark ids must be theirs: each id names its metric (it was ignored)."""
    other = [b for b in benchmarks or [] if metric is not None and b.rsplit(".", 1)[-1] != metric]
    if other:
        raise BrainbenchError(f"{option} {metric!r}, but benchmark {other[0]} is scored with {other[0].rsplit('.', 1)[-1]}: each "
                              f"benchmark id names its metric. Fix: leave {option} out, or give {metric} benchmarks")


def check_seconds(value, option: str = "timeout") -> float | None:
    """A time limit: None (no limit) or a finite number of seconds above 0."""
    import math

    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise BrainbenchError(f"{option}={value!r} is not a time limit. Fix: give a finite number of seconds above 0, or None for no limit")
    return float(value)


def check_batch_size(value) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise BrainbenchError(f"batch_size={value!r}: give a whole number of stimuli, at least 1 (or None for the model's own)")
    return value


def check_data_dir_argument(value):
    """``data_dir``: None (search the usual places) or a non-empty path."""
    if value is not None and (not isinstance(value, (str, os.PathLike)) or not str(value).strip()):
        raise BrainbenchError(f"data_dir={value!r} is not a folder path. Fix: give the data folder, or None to search "
                              "$BRAINBENCH_DATA, ../shared/data and the user cache")
    return value


def resolve_device(device: str) -> str:
    """``auto`` -> cuda where a GPU is, else cpu; anything else must name a device this machine has."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        kind = torch.device(device).type
    except (RuntimeError, ValueError, TypeError):
        raise BrainbenchError(f"unknown device {device!r}. Fix: --device cpu, cuda, cuda:N or auto") from None
    if kind == "cuda" and not torch.cuda.is_available():
        raise BrainbenchError(f"--device {device}: no CUDA GPU is usable on this machine (torch.cuda.is_available() is False). Fix: --device cpu (or auto), or run where a GPU is")
    if kind == "cuda" and torch.device(device).index is not None and torch.device(device).index >= torch.cuda.device_count():
        raise BrainbenchError(f"--device {device}: this machine has {torch.cuda.device_count()} CUDA device(s). Fix: --device cuda:0 .. cuda:{torch.cuda.device_count() - 1}")
    if kind not in ("cpu", "cuda"):
        raise BrainbenchError(f"--device {device}: brainbench runs on cpu or cuda, not {kind}. Fix: --device cpu, cuda, cuda:N or auto")
    return device


# -- failures --------------------------------------------------------------------------------------
def one_line(exc: BaseException | str, limit: int = 500) -> str:
    """A failure's reason on one line (the traceback goes to the result file, not the terminal): the
    message's lines joined by "; " (by a space after one that ends in punctuation), cut at ``limit``."""
    if isinstance(exc, SystemExit):
        exc = plugin_exit_reason(exc)
    text = exc if isinstance(exc, str) else (str(exc) if isinstance(exc, BrainbenchError) or not str(exc) else f"{type(exc).__name__}: {exc}")
    joined = ""
    for line in filter(None, (" ".join(line.split()) for line in text.splitlines())):
        joined += ("" if not joined else " " if joined[-1] in ".:;,!?" else "; ") + line
    text = joined or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def score_problem(entry: dict) -> str | None:
    """Why a benchmark's entry is not a score (None: it is one). Nulls and non-finite numbers never
    pass for scores, and are never cached."""
    def finite(x):
        return isinstance(x, (int, float)) and bool(np.isfinite(x))

    if not finite(entry.get("raw")):
        return f"the benchmark gave no finite score (raw = {entry.get('raw')!r}): the activations or the model's outputs are degenerate (constant, NaN or inf)"
    has_ceiling = entry.get("ceiling_note") is None and "ceiling" in entry
    if has_ceiling and not (finite(entry.get("ceiling")) and finite(entry.get("ceiled"))):
        return f"the benchmark gave no finite ceiled score (ceiling = {entry.get('ceiling')!r}, ceiled = {entry.get('ceiled')!r})"
    return None


#: what a timeout most likely means in each phase a ``deadline`` bounds, and its fix
TIMEOUT_CAUSES = {
    "build": ("while building the model (a hanging or very slow build(): loading weights, a download, a lock?). "
              "Fix: check the model with `brainbench check`, or raise --timeout."),
    "extraction": "(a hanging or very slow forward pass?). Fix: check the model with `brainbench check`, or raise --timeout.",
    "scoring": ("while scoring its stored activations (the mapping, the layer choice and the bootstrap), not in the model. "
                "Fix: raise --timeout; it bounds each dataset's extraction and each benchmark's scoring separately."),
}


@contextlib.contextmanager
def deadline(seconds: float | None, what: str, phase: str):
    """Raise CellTimeout in this (main) thread after ``seconds``, its message saying what a timeout in
    ``phase`` (a key of TIMEOUT_CAUSES) most likely means. Python code and sleeps are interrupted;
    a forward pass stuck inside one C call is interrupted when that call returns. Off the main thread
    (Dask workers) no alarm can be set, and the cell runs without a limit."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum, frame):
        raise CellTimeout(f"{what}: stopped after the timeout of {seconds:g} s {TIMEOUT_CAUSES[phase]}")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)



# -- what a task carries ---------------------------------------------------------------------------
def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


@dataclass
class RunEnv:
    """What a task takes from the process it runs in: the registry, the store and the log. A worker
    of a distributed run makes its own from the run's options (``for_options``)."""

    registry: Registry
    store: Store
    log: Callable[[str], None] = _stderr
    warned: set = field(default_factory=set)  # warnings said once per run, not once per task

    @classmethod
    def for_options(cls, options: ScoreOptions) -> "RunEnv":
        from .weights import set_weights_dir

        if options.weights_dir:  # --weights-dir, on the worker that builds the model
            set_weights_dir(options.weights_dir)
        return cls(default_registry(), Store(options.cache_dir) if options.cache_dir else Store())


class ScoreRun:
    """One task's options, environment and document (the part of the result file it contributes)."""

    def __init__(self, options: ScoreOptions, env: RunEnv):
        self.options, self.env, self.store, self.log = options, env, env.store, env.log
        self.progress, self.device = options.progress, options.device
        self.warned = env.warned
        self.document = {"schema": SCHEMA, "model": {}, "scores": [], "failed": [], "warnings": [], "timings": {}, "provenance": {}}

    def step(self, message: str) -> None:
        if self.progress:
            self.log(message)

    def warn(self, message: str, once: str | None = None) -> None:
        if once is not None:
            if once in self.warned:
                return
            self.warned.add(once)
        self.log(f"warning: {message}")
        if message not in self.document["warnings"]:
            self.document["warnings"].append(message)

    def fail(self, benchmark: str, exc: BaseException | str, prefix: str = "") -> None:
        self.record_failure(benchmark, failure_record(exc, prefix))

    def record_failure(self, benchmark: str, failure: dict) -> None:
        self.document["failed"].append({"benchmark": benchmark, **failure})
        self.log(f"{benchmark}: FAILED: {failure['error']}")

    def cache_write(self, write: Callable[[], None], what: str) -> None:
        """An optional cache write (scores, Gram matrices): a cache that takes no writes costs speed, not results."""
        try:
            write()
        except CacheError as exc:
            self.warn(f"{what} not cached: {exc}", once=what)


def failure_record(exc: BaseException | str, prefix: str = "") -> dict:
    """A failure as the result file keeps it: one-line reason, error type, traceback."""
    trace = "" if isinstance(exc, str) else "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return {"error": prefix + one_line(exc), "error_type": "ScoreProblem" if isinstance(exc, str) else type(exc).__name__, "traceback": trace}


@dataclass
class Extraction:
    """What a model's extraction task hands to each of its benchmarks' tasks."""

    document: dict
    built: bool = False
    layer_order: list[str] = field(default_factory=list)
    keys: dict[str, dict[str, str]] = field(default_factory=dict)  # dataset -> layer -> activation key
    target_batch: dict[str, int] = field(default_factory=dict)  # dataset -> the memory plan's target batch
    failures: dict[str, dict] = field(default_factory=dict)  # dataset -> the failure that fails its benchmarks


# -- resolve ---------------------------------------------------------------------------------------------
def _load_benchmarks(run: ScoreRun, benchmark_ids: list[str]) -> dict[str, list[Benchmark]]:
    """The benchmarks grouped by dataset, each dataset checked against its pins before it is read."""
    registry, data_dir, allow = run.env.registry, run.options.data_dir, run.options.allow_modified_data
    provenance_ = run.document["provenance"]
    for name in dict.fromkeys(registry.parse_benchmark(b)[0].name for b in benchmark_ids):
        run.step(f"{name}: checking the data files against their pinned sha256")
        check = verify_dataset(name, data_dir, allow_modified=allow, store=run.store, registry=registry)
        if check.modified:
            provenance_["modified_files"] = sorted(set(provenance_.get("modified_files", [])) | set(check.modified))
            run.warn(f"{name}: scoring {len(check.modified)} modified data file(s) (--allow-modified-data): {', '.join(check.modified[:3])}")
        provenance_.setdefault("data_files_checked_against_pins", {})[name] = check.checked
    if allow:
        provenance_["allow_modified_data"] = True
        provenance_.setdefault("modified_files", [])
    groups: dict[str, list[Benchmark]] = {}
    for b in benchmark_ids:
        bench = make_benchmark(registry, b, data_dir, run.device, run.store)
        groups.setdefault(bench.dataset.name, []).append(bench)
    for name, group in groups.items():
        run.document.setdefault("provenance_data", {})[name] = group[0].dataset.checksums
        for warning in group[0].dataset.warnings:
            run.warn(warning)
    return groups


def _build_model(run: ScoreRun, ref: ModelRef):
    """The feature extractor, or None with the failure recorded (benchmark '*')."""
    if ref.extractor is None:
        run.step(f"{ref.name}: building the model" if not ref.activations else f"{ref.name}: opening {ref.activations}")
    try:
        with _BUILD_LOCK:
            return build_extractor(ref, run.env.registry, run.options.weights, run.device)
    except STOPS_RUN:
        raise
    except PLUGIN_FAILURES as exc:  # a broken plugin, or weights that are not here: recorded, never scored as zero
        run.fail("*", exc, prefix="model build failed: ")
        return None


def _warn_if_weights_ignored(run: ScoreRun, ref: ModelRef, extractor) -> None:
    """With --weights, build the model once more without it: the same weights mean the plugin ignored
    the file (or the file holds its default weights), which the user would otherwise never learn."""
    if not run.options.weights or ref.kind not in ("registered", "folder"):
        return
    try:
        default = build_extractor(ref, run.env.registry, None, run.device)
    except PLUGIN_FAILURES:
        return  # without the file the model cannot be built at all: it is used
    if default.weights_hash == extractor.weights_hash:
        run.warn(f"{ref.name}: --weights {run.options.weights} did not change the model's weights (sha256 {extractor.weights_hash[:12]}… "
                 "as without it): the plugin ignores --weights, or the file holds the default weights")


def candidate_layers(extractor: FeatureExtractor, layers: list[str] | None) -> list[str]:
    """The layers to score: ``layers`` if given (each must be one the model offers), else its candidate layers."""
    if not layers:
        return list(extractor.layers)
    import difflib

    names = extractor.available_layers()
    unknown = [layer for layer in layers if layer not in names]
    if unknown:
        close = difflib.get_close_matches(unknown[0], names, n=3, cutoff=0.4)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise PluginError(
            f"--layers: {', '.join(map(repr, unknown))} is not a {extractor.layer_noun} of model {extractor.name!r}.{hint} "
            f"Fix: use names from the model's candidate layers {list(extractor.layers)} or from its {extractor.layer_noun}s."
        )
    return list(layers)


def _cached_score(run: ScoreRun, bench: Benchmark, keys: dict) -> tuple[str, dict | None]:
    """(score key, the cached entry if it is a score and the score cache is in use)."""
    score_key = json_key({"score_version": SCORE_VERSION, "activations": keys, "benchmark": bench.config()})
    cached = run.store.get_json("scores", score_key) if run.options.use_score_cache else None
    return score_key, cached if cached is not None and score_problem(cached) is None else None


# -- plan memory, extract ----------------------------------------------------------------------------
def _memory_plan(run: ScoreRun, extractor, dataset, group, keys, layer_order):
    if all(run.store.has_array("activations", key) for key in keys.values()) and run.options.max_memory is None:
        return None
    run.step(f"{extractor.name}: memory preflight: one stimulus through the model to measure {len(layer_order)} candidate layer(s)")
    max_targets = max(int(b.region_recording().sizes.get("neuroid", 1)) for b in group)
    plan = plan_memory(extractor, dataset.stimuli, layer_order, max_targets, run.options.storage_dtype, run.options.batch_size, run.options.max_memory, run.device)
    run.document.setdefault("memory_plan", {}).update({
        "estimated_peak_mb": plan.peak_bytes / 2**20,
        "bound_mb": plan.bound_bytes / 2**20 if plan.bound_bytes else None,
        "bound_source": plan.bound_source,
        "batch_size": plan.batch_size,
        "target_batch": plan.target_batch,
        "largest_layer_mb": plan.activation_bytes(plan.largest_layer) / 2**20,
    })
    run.step(f"{extractor.name}: memory plan: batch {plan.batch_size}, estimated peak {plan.peak_bytes / 2**20:.0f} MiB")
    for note in plan.notes:
        run.step(f"{extractor.name}: {note}")
    return plan


def _extract_dataset(run: ScoreRun, extractor, group: list[Benchmark], extraction: Extraction) -> None:
    """plan memory -> extract, for the benchmarks of one dataset whose scores are not cached."""
    dataset, layer_order = group[0].dataset, extraction.layer_order
    keys = {layer: activation_key(extractor, dataset.stimuli, layer, run.options.storage_dtype, run.device) for layer in layer_order}
    extraction.keys[dataset.name] = keys
    run.document["activation_storage"]["keys"][dataset.name] = keys
    if all(_cached_score(run, bench, keys)[1] is not None for bench in group):
        return
    t = time.perf_counter()
    plan = _memory_plan(run, extractor, dataset, group, keys, layer_order)
    if plan is not None:
        extraction.target_batch[dataset.name] = plan.target_batch
    run.step(f"{extractor.name}: activations of {len(layer_order)} layer(s) for {len(dataset.stimuli)} stimuli (stored ones are read back)")
    extract(extractor, dataset.stimuli, layer_order, store=run.store, device=run.device, batch_size=plan.batch_size if plan else run.options.batch_size,
            dtype=run.options.storage_dtype, progress=run.progress)
    run.document["timings"][f"activations_{dataset.name}_s"] = time.perf_counter() - t
    release_freed_memory()
    _refuse_constant_layers(run, extractor, keys)


def _refuse_constant_layers(run: ScoreRun, extractor, keys: dict) -> None:
    """A model whose activations do not depend on the stimulus has no score (not one near zero)."""
    constant = constant_layers(run.store, keys)
    if constant and len(constant) == len(keys):
        raise PluginError(
            f"model {extractor.name!r}: the activations of every candidate layer are (nearly) the same for every stimulus "
            f"(relative spread <= {NEAR_CONSTANT_RTOL:g}): the model ignores its input, so no score is meaningful. "
            "Fix: check the preprocessing and forward(); `brainbench check` shows it."
        )
    if constant:
        run.warn(f"{extractor.name}: layer(s) {', '.join(constant)} give (nearly) the same activations for every stimulus; they cannot be chosen meaningfully")


def extract_task(ref: ModelRef, benchmark_ids: list[str], options: ScoreOptions, env: RunEnv | None = None) -> Extraction:
    """resolve -> plan memory -> extract, for one model and its benchmarks (every dataset they use).

    A dataset whose memory plan or extraction fails (under the per-dataset ``timeout``) is recorded in
    ``failures`` and fails its benchmarks; environment problems (STOPS_RUN) and bad ``layers`` raise."""
    env = env or RunEnv.for_options(options)
    run = ScoreRun(options, env)
    run.document["model"] = model_info(ref, env.registry)
    groups = _load_benchmarks(run, benchmark_ids)
    extraction = Extraction(run.document)
    t = time.perf_counter()
    try:
        with deadline(options.timeout, ref.name, phase="build"):  # a build that hangs fails this model, not the grid
            extractor = _build_model(run, ref)
    except CellTimeout as exc:  # the alarm came as the build returned: it still counts as the build's
        run.fail("*", exc, prefix="model build failed: ")
        extractor = None
    if extractor is None:
        return extraction
    extraction.built, extraction.layer_order = True, candidate_layers(extractor, list(options.layers or []))
    run.document["model"] = {**run.document["model"], "weights_sha256": extractor.weights_hash, "weights_source": extractor.weights_source,
                             "plugin_source_sha256": extractor.plugin_source_sha256,
                             "preprocessing": extractor.preprocessing, "layers": extraction.layer_order}
    run.document["timings"]["build_model_s"] = time.perf_counter() - t
    _warn_if_weights_ignored(run, ref, extractor)
    run.document["activation_storage"] = {"dtype": options.storage_dtype, "keys": {}}
    for name, group in groups.items():
        try:
            with deadline(options.timeout, f"{extractor.name} on {name}", phase="extraction"):
                _extract_dataset(run, extractor, group, extraction)
        except STOPS_RUN:
            raise
        except PLUGIN_FAILURES as exc:  # the model failed on this dataset: its benchmarks fail, the grid goes on
            extraction.failures[name] = failure_record(exc)
    return extraction


# -- prepare, evaluate, record ------------------------------------------------------------------------
def _prepare_layer(run: ScoreRun, metric, layer: str, activation_key_: str, metric_key: str):
    """A metric's per-layer preparation (e.g. the Gram matrix), from the store when an earlier run
    made it: a grid's cells and re-scores of the same activations then skip the pass over the layer
    (the activations are not even read). A damaged or non-finite stored preparation is recomputed
    (the store says so)."""
    prepared_key = json_key({"prepared_version": "1", "activations": activation_key_, "metric": metric_key})
    cached = run.store.get_array("prepared", prepared_key, finite=True)
    if cached is not None:
        return np.array(cached)
    prepared = metric.prepare(_stored_features(run, layer, activation_key_))
    if isinstance(prepared, np.ndarray) and prepared.ndim >= 1 and prepared.dtype != object and np.isfinite(prepared).all():
        run.cache_write(lambda: run.store.put_array("prepared", prepared_key, prepared, {"activations": activation_key_}), "prepared layers")
    return prepared


def _stored_features(run: ScoreRun, layer: str, key: str):
    features = run.store.get_array("activations", key, finite=True)
    if features is None:
        raise BrainbenchError(f"the activations of layer {layer!r} are no longer in the store {run.store.root} "
                              "(removed while the run went on?). Fix: run the command again")
    return features


def _evaluate(run: ScoreRun, bench: Benchmark, extraction: Extraction) -> dict:
    """prepare every layer, then the benchmark's protocol."""
    keys = extraction.keys[bench.dataset.name]
    run.step(f"{bench.name}: scoring {len(extraction.layer_order)} layer(s)")
    if bench.dataset.name in extraction.target_batch:  # every Metric declares target_batch (metrics that fit nothing ignore it)
        bench.metric.target_batch = extraction.target_batch[bench.dataset.name]
    metric_key = json_key(bench.metric.config())
    prepared = {layer: _prepare_layer(run, bench.metric, layer, keys[layer], metric_key) for layer in extraction.layer_order}
    release_freed_memory()
    return bench.run(prepared, extraction.layer_order, cache=run.store)


def _record(run: ScoreRun, bench: Benchmark, score_key: str, entry: dict, seconds: float) -> None:
    problem = score_problem(entry)
    if problem is not None:
        run.fail(bench.name, problem)
        return
    entry["seconds"] = seconds
    entry["config"] = bench.config()  # what produced the numbers: metric settings, protocol with its seeds, data checksums
    run.cache_write(lambda: run.store.put_json("scores", score_key, entry, {"benchmark": bench.name, "model": run.document["model"]["name"]}), "scores")
    run.document["scores"].append(entry)


def score_task(ref: ModelRef, benchmark_id: str, options: ScoreOptions, extraction: Extraction, env: RunEnv | None = None) -> dict:
    """prepare -> evaluate -> record, for one benchmark, from the activations its model's extraction
    stored. Returns the benchmark's document (its score or its failure; errors recorded, not raised)."""
    env = env or RunEnv.for_options(options)
    run = ScoreRun(options, env)
    run.document["model"] = extraction.document["model"]
    if not extraction.built:
        return run.document  # the build failure is in the extraction's document, once
    bench = make_benchmark(env.registry, benchmark_id, options.data_dir, run.device, run.store)
    if bench.dataset.name in extraction.failures:
        run.record_failure(bench.name, extraction.failures[bench.dataset.name])
        return run.document
    score_key, cached = _cached_score(run, bench, extraction.keys[bench.dataset.name])
    if cached is not None:
        run.step(f"{bench.name}: from score cache")
        run.document["scores"].append({**cached, "from_cache": True})
        return run.document
    t = time.perf_counter()
    try:
        with deadline(options.timeout, f"{ref.name} on {bench.name}", phase="scoring"):
            entry = _evaluate(run, bench, extraction)
    except STOPS_RUN:
        raise
    except PLUGIN_FAILURES as exc:  # recorded as failed, never as zero
        run.fail(bench.name, exc)
        return run.document
    _record(run, bench, score_key, entry, time.perf_counter() - t)
    return run.document


# -- one model, in this process ----------------------------------------------------------------------
def model_ref(model, registry: Registry, name: str | None = None) -> ModelRef:
    """A reference to what ``score`` was given: an extractor (e.g. a ModelAdapter), a registered name,
    or a plugin folder anywhere (with several models, ``name`` picks one)."""
    if isinstance(model, FeatureExtractor):
        return ModelRef(name or model.name, extractor=model)
    if isinstance(model, ModelRef):
        return model
    if not isinstance(model, (str, Path)):
        raise PluginError(f"cannot score a {type(model).__name__}: pass a model name, a plugin folder, a torch.nn.Module or a FeatureExtractor")
    refs = refs_for(str(model), registry, name)
    if len(refs) > 1:
        raise PluginError(f"{model} registers {len(refs)} models ({', '.join(r.name for r in refs)}); pick one with name=...")
    return refs[0]


def score(
    model,
    benchmarks: list[str] | None = None,
    metric: str | None = None,
    data_dir=None,
    device: str = "cpu",
    weights: str | None = None,
    store: Store | None = None,
    out: str | Path | None = None,
    layers: list[str] | None = None,
    use_score_cache: bool = True,
    registry: Registry | None = None,
    log: Callable[[str], None] | None = None,
    progress: bool = True,
    storage_dtype: str = "float32",
    max_memory: int | str | None = None,
    batch_size: int | None = None,
    allow_modified_data: bool = False,
    timeout: float | None = None,
    name: str | None = None,
) -> dict:
    """Score a model — a registered name, a plugin folder anywhere (``name`` picks one of several),
    a feature extractor built in Python (e.g. a ModelAdapter) — on benchmarks, in this process.

    Returns this run's result document (also merged into ``out`` if given, after every benchmark).
    ``storage_dtype``: how activations are stored (float32, or float16: half the disk; part of the
    cache keys and the result). ``max_memory`` (bytes or '8G'): the memory preflight fits batch sizes
    under it or refuses with ResourceError before any work (default bound: the memory available).
    ``allow_modified_data``: score data files that differ from their pins (recorded in the result)
    instead of stopping. ``timeout``: seconds per model x dataset extraction and per benchmark (None: no limit).
    """
    from .executor import run_models

    check_storage_dtype(storage_dtype)
    benchmarks, layers = name_list(benchmarks, "benchmark", "benchmarks"), name_list(layers, "layer", "layers")
    metric_problem(metric, benchmarks, "metric")
    registry = registry or default_registry()
    store = Store(store) if isinstance(store, (str, os.PathLike)) else (store or Store())
    options = ScoreOptions(data_dir=check_data_dir_argument(data_dir), device=resolve_device(device), weights=weights, cache_dir=str(store.root),
                           metric=metric, storage_dtype=storage_dtype, max_memory=max_memory, batch_size=check_batch_size(batch_size),
                           use_score_cache=use_score_cache, allow_modified_data=allow_modified_data, timeout=check_seconds(timeout),
                           layers=tuple(layers) if layers else None, progress=progress)
    ref = model_ref(model, registry, name)
    env = RunEnv(registry, store, log or _stderr)
    return run_models([ref], benchmarks, options, env=env, out_for=lambda _name: out)[ref.name]
