"""``score``: the whole pipeline from a model and benchmark names to a result, as named steps.

1. resolve the benchmarks and load their datasets, each checked against its pinned digests
   (``brainbench.integrity``) before any file is read;
2. build the model (a failure is recorded, never scored as zero);
3. per dataset, under one ``timeout`` (a model x dataset cell): scores already in the cache, the memory
   preflight, activations (content-keyed store), then per benchmark the metric's per-layer preparation
   (shared by the benchmarks of that stimulus set) and the protocol.

Failures are contained: a benchmark or cell that fails (the model's forward raises, hangs past the
timeout, gives no finite score) is recorded with a one-line reason and its traceback, and the run goes
on. Only problems every cell would hit alike (data, cache, output folder: ``errors.STOPS_RUN``) stop it.
A null or non-finite score is never cached. The result is merged into ``out`` after every benchmark
(``result.save_result``), so an interrupted run keeps what it finished and never shrinks the file.
"""
from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Callable

import numpy as np

from .activations import activation_key, check_storage_dtype, constant_layers, extract
from .benchmark import Benchmark, Dataset, Protocol
from .checking import NEAR_CONSTANT_RTOL
from .errors import STOPS_RUN, BrainbenchError, CacheError, CellTimeout, PluginError
from .executor import ScoreOptions
from .integrity import verify_dataset
from .model import ModelAdapter, json_key
from .preflight import plan_memory, release_freed_memory
from .registry import Registry, default_registry, resolve_reference
from .result import SCHEMA, provenance, save_result
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
            _DATASET_CACHE[key] = registry.dataset(name).load(data_dir)
        return _DATASET_CACHE[key]


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
    """A failure's reason on one line (the traceback goes to the result file, not the terminal)."""
    text = exc if isinstance(exc, str) else (str(exc) if isinstance(exc, BrainbenchError) else f"{type(exc).__name__}: {exc}")
    text = " ".join(text.split()) or type(exc).__name__
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


@contextlib.contextmanager
def deadline(seconds: float | None, what: str):
    """Raise CellTimeout in this (main) thread after ``seconds``. Python code and sleeps are interrupted;
    a forward pass stuck inside one C call is interrupted when that call returns. Off the main thread
    (Dask workers) no alarm can be set, and the cell runs without a limit."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum, frame):
        raise CellTimeout(
            f"{what}: stopped after the timeout of {seconds:g} s (a hanging or very slow forward pass?). "
            "Fix: check the model with `brainbench check`, or raise --timeout."
        )

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- one run ---------------------------------------------------------------------------------------
class ScoreRun:
    """What one call of ``score`` carries between its steps: the options (executor.ScoreOptions, the
    one options object of a run), store, log, and the run's own result document (saved by merging
    into ``out``). ``extract_only``: the distributed engine's extraction task."""

    def __init__(self, options: ScoreOptions, store: Store, out, log: Callable[[str], None], extract_only: bool = False):
        self.options, self.store, self.out, self.log, self.extract_only = options, store, out, log, extract_only
        self.progress, self.device = options.progress, options.device
        self.started = time.time()
        self.warned: set[str] = set()
        self.document = {"schema": SCHEMA, "model": {}, "scores": [], "failed": [], "warnings": [], "timings": {}, "provenance": {}}
        self.modified_files: list[str] = []
        self.data_checked: dict[str, int] = {}  # dataset -> files checked against their pinned sha256

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

    def done(self, benchmark: str) -> bool:
        return any(e["benchmark"] == benchmark for e in self.document["scores"] + self.document["failed"])

    def fail(self, benchmark: str, exc: BaseException | str, prefix: str = "") -> None:
        reason = prefix + one_line(exc)
        trace = "" if isinstance(exc, str) else "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        error_type = "ScoreProblem" if isinstance(exc, str) else type(exc).__name__
        self.document["failed"].append({"benchmark": benchmark, "error": reason, "error_type": error_type, "traceback": trace})
        self.log(f"{benchmark}: FAILED: {reason}")

    def cache_write(self, write: Callable[[], None], what: str) -> None:
        """An optional cache write (scores, Gram matrices): a cache that takes no writes costs speed, not results."""
        try:
            write()
        except CacheError as exc:
            self.warn(f"{what} not cached: {exc}", once=what)

    def save(self) -> None:
        provenance_ = {**provenance(self.device, self.started), "data_files_checked_against_pins": self.data_checked}
        if self.options.allow_modified_data:
            provenance_["allow_modified_data"] = True
            provenance_["modified_files"] = sorted(set(self.modified_files))
        self.document["provenance"] = provenance_
        if self.out is not None and (self.document["scores"] or self.document["failed"]):
            save_result(self.out, self.document, self.log)


def _model_info(model, registry: Registry) -> tuple[str, dict]:
    if isinstance(model, ModelAdapter):
        return model.modality, {"name": model.name, "modality": model.modality, "training": "unknown", "card": {}}
    plugin = registry.model(model)
    return plugin.modality, {"name": plugin.name, "modality": plugin.modality, "training": plugin.training, "card": plugin.card}


def _load_benchmarks(run: ScoreRun, registry: Registry, benchmark_ids: list[str]) -> dict[str, list[Benchmark]]:
    """The benchmarks grouped by dataset, each dataset checked against its pins before it is read."""
    data_dir, allow = run.options.data_dir, run.options.allow_modified_data
    for name in dict.fromkeys(registry.parse_benchmark(b)[0].name for b in benchmark_ids):
        run.step(f"{name}: checking the data files against their pinned sha256")
        check = verify_dataset(name, data_dir, allow_modified=allow, store=run.store, registry=registry)
        if check.modified:
            run.modified_files += check.modified
            run.warn(f"{name}: scoring {len(check.modified)} modified data file(s) (--allow-modified-data): {', '.join(check.modified[:3])}")
        run.data_checked[name] = check.checked
    groups: dict[str, list[Benchmark]] = {}
    for b in benchmark_ids:
        bench = make_benchmark(registry, b, data_dir, run.device, run.store)
        groups.setdefault(bench.dataset.name, []).append(bench)
    for name, group in groups.items():
        run.document.setdefault("provenance_data", {})[name] = group[0].dataset.checksums
        for warning in group[0].dataset.warnings:
            run.warn(warning)
    return groups


def _build_model(run: ScoreRun, model, registry: Registry, weights):
    """The adapter, or None with the failure recorded (benchmark '*')."""
    if isinstance(model, ModelAdapter):
        return model
    plugin = registry.model(model)
    run.step(f"{plugin.name}: building the model")
    try:
        with _BUILD_LOCK:
            return plugin.build(weights=weights, device=run.device)
    except STOPS_RUN:
        raise
    except Exception as exc:  # a broken plugin, or weights that are not here: recorded, never scored as zero
        run.fail("*", exc, prefix="model build failed: ")
        return None


def candidate_layers(adapter: ModelAdapter, layers: list[str] | None) -> list[str]:
    """The layers to score: ``layers`` if given (each must be a module of the network), else the adapter's."""
    if not layers:
        return list(adapter.layers)
    import difflib

    names = [n for n, _ in adapter.module.named_modules() if n]
    unknown = [layer for layer in layers if layer not in names]
    if unknown:
        close = difflib.get_close_matches(unknown[0], names, n=3, cutoff=0.4)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise PluginError(
            f"--layers: {', '.join(map(repr, unknown))} is not a module of model {adapter.name!r}.{hint} "
            f"Fix: use names from the model's candidate layers {list(adapter.layers)} or from dict(module.named_modules())."
        )
    return list(layers)


def _prepare_layer(run: ScoreRun, metric, features, activation_key_: str, metric_key: str):
    """A metric's per-layer preparation (e.g. the Gram matrix), from the store when an earlier run
    made it: a grid's cells and re-scores of the same activations then skip the pass over the layer.
    A damaged or non-finite stored preparation is recomputed (the store says so)."""
    prepared_key = json_key({"prepared_version": "1", "activations": activation_key_, "metric": metric_key})
    cached = run.store.get_array("prepared", prepared_key, finite=True)
    if cached is not None:
        return np.array(cached)
    prepared = metric.prepare(features)
    if isinstance(prepared, np.ndarray) and prepared.ndim >= 1 and prepared.dtype != object and np.isfinite(prepared).all():
        run.cache_write(lambda: run.store.put_array("prepared", prepared_key, prepared, {"activations": activation_key_}), "prepared layers")
    return prepared


def _scores_from_cache(run: ScoreRun, group: list[Benchmark], keys: dict) -> list[tuple[Benchmark, str]]:
    """Record the cached scores of this group; return the (benchmark, score key) pairs still to compute."""
    pending = []
    for bench in group:
        score_key = json_key({"score_version": SCORE_VERSION, "activations": keys, "benchmark": bench.config()})
        cached = run.store.get_json("scores", score_key) if run.options.use_score_cache else None
        if cached is not None and score_problem(cached) is None:
            run.step(f"{bench.name}: from score cache")
            run.document["scores"].append({**cached, "from_cache": True})
        else:
            pending.append((bench, score_key))
    return pending


def _memory_plan(run: ScoreRun, adapter, dataset, group, keys, layer_order):
    if all(run.store.has_array("activations", key) for key in keys.values()) and run.options.max_memory is None:
        return None
    run.step(f"{adapter.name}: memory preflight: one stimulus through the model to measure {len(layer_order)} candidate layer(s)")
    max_targets = max(int(b.region_recording().sizes.get("neuroid", 1)) for b in group)
    plan = plan_memory(adapter, dataset.stimuli, layer_order, max_targets, run.options.storage_dtype, run.options.batch_size, run.options.max_memory, run.device)
    run.document["memory_plan"] = {
        "estimated_peak_mb": plan.peak_bytes / 2**20,
        "bound_mb": plan.bound_bytes / 2**20 if plan.bound_bytes else None,
        "bound_source": plan.bound_source,
        "batch_size": plan.batch_size,
        "target_batch": plan.target_batch,
        "largest_layer_mb": plan.activation_bytes(plan.largest_layer) / 2**20,
    }
    run.step(f"{adapter.name}: memory plan: batch {plan.batch_size}, estimated peak {plan.peak_bytes / 2**20:.0f} MiB")
    for note in plan.notes:
        run.step(f"{adapter.name}: {note}")
    return plan


def _score_benchmark(run: ScoreRun, bench: Benchmark, score_key: str, features: dict, keys: dict, layer_order, plan, prepared_cache: dict) -> None:
    t = time.perf_counter()
    run.step(f"{bench.name}: scoring {len(layer_order)} layer(s)")
    try:
        if plan is not None:  # every Metric declares target_batch (metrics that fit nothing ignore it)
            bench.metric.target_batch = plan.target_batch
        metric_key = json_key(bench.metric.config())
        prepared = {}
        for layer in layer_order:
            if (metric_key, layer) not in prepared_cache:
                prepared_cache[(metric_key, layer)] = _prepare_layer(run, bench.metric, features[layer], keys[layer], metric_key)
            prepared[layer] = prepared_cache[(metric_key, layer)]
        release_freed_memory()
        entry = bench.run(prepared, layer_order, cache=run.store)
    except (CellTimeout, *STOPS_RUN):
        raise
    except Exception as exc:  # recorded as failed, never as zero
        run.fail(bench.name, exc)
        return
    problem = score_problem(entry)
    if problem is not None:
        run.fail(bench.name, problem)
        return
    entry["seconds"] = time.perf_counter() - t
    entry["config"] = bench.config()  # what produced the numbers: metric settings, protocol with its seeds, data checksums
    run.cache_write(lambda: run.store.put_json("scores", score_key, entry, {"benchmark": bench.name, "model": run.document["model"]["name"]}), "scores")
    run.document["scores"].append(entry)


def _score_dataset(run: ScoreRun, adapter, group: list[Benchmark], layer_order: list[str]) -> None:
    dataset = group[0].dataset
    dtype = run.options.storage_dtype
    keys = {layer: activation_key(adapter, dataset.stimuli, layer, dtype, run.device) for layer in layer_order}
    run.document["activation_storage"]["keys"][dataset.name] = keys
    pending = _scores_from_cache(run, group, keys)
    run.save()
    if not pending:
        return
    t = time.perf_counter()
    plan = _memory_plan(run, adapter, dataset, group, keys, layer_order)
    batch = plan.batch_size if plan else run.options.batch_size
    run.step(f"{adapter.name}: activations of {len(layer_order)} layer(s) for {len(dataset.stimuli)} stimuli (stored ones are read back)")
    features = extract(adapter, dataset.stimuli, layer_order, store=run.store, device=run.device, batch_size=batch, dtype=dtype, progress=run.progress)
    run.document["timings"][f"activations_{dataset.name}_s"] = time.perf_counter() - t
    release_freed_memory()
    if run.extract_only:
        return
    _refuse_constant_layers(run, adapter, keys)
    prepared_cache: dict[tuple, object] = {}
    for bench, score_key in pending:
        _score_benchmark(run, bench, score_key, features, keys, layer_order, plan, prepared_cache)
        run.save()


def _refuse_constant_layers(run: ScoreRun, adapter, keys: dict) -> None:
    """A model whose activations do not depend on the stimulus has no score (not one near zero)."""
    constant = constant_layers(run.store, keys)
    if constant and len(constant) == len(keys):
        raise PluginError(
            f"model {adapter.name!r}: the activations of every candidate layer are (nearly) the same for every stimulus "
            f"(relative spread <= {NEAR_CONSTANT_RTOL:g}): the model ignores its input, so no score is meaningful. "
            "Fix: check the preprocessing and forward(); `brainbench check` shows it."
        )
    if constant:
        run.warn(f"{adapter.name}: layer(s) {', '.join(constant)} give (nearly) the same activations for every stimulus; they cannot be chosen meaningfully")


def _score_cell(run: ScoreRun, adapter, group: list[Benchmark], layer_order: list[str]) -> None:
    """One model x dataset cell under its timeout; a failure fails the cell's unfinished benchmarks."""
    try:
        with deadline(run.options.timeout, f"{adapter.name} on {group[0].dataset.name}"):
            _score_dataset(run, adapter, group, layer_order)
    except STOPS_RUN:
        raise
    except Exception as exc:
        for bench in group:
            if not run.done(bench.name):
                run.fail(bench.name, exc)
        run.save()


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
    extract_only: bool = False,
    allow_modified_data: bool = False,
    timeout: float | None = None,
) -> dict:
    """Score a model (registered name, or a ModelAdapter built in Python) on benchmarks.

    Returns this run's result document (also merged into ``out`` if given, after every benchmark).
    ``storage_dtype``: how activations are stored (float32, or float16: half the disk; part of the
    cache keys and the result). ``max_memory`` (bytes or '8G'): the memory preflight fits batch sizes
    under it or refuses with ResourceError before any work (default bound: the memory available).
    ``extract_only``: stop after the activations of the benchmarks not yet in the score cache are
    stored (the distributed engine's extraction task; the document then has no scores).
    ``allow_modified_data``: score data files that differ from their pins (recorded in the result)
    instead of stopping. ``timeout``: seconds per model x dataset cell (None: no limit).
    """
    check_storage_dtype(storage_dtype)
    registry = registry or default_registry()
    store = store or Store()
    options = ScoreOptions(data_dir=data_dir, device=device, weights=weights, cache_dir=str(store.root), metric=metric,
                           storage_dtype=storage_dtype, max_memory=max_memory, batch_size=batch_size, use_score_cache=use_score_cache,
                           allow_modified_data=allow_modified_data, timeout=timeout, layers=tuple(layers) if layers else None, progress=progress)
    run = ScoreRun(options, store, out, log or (lambda msg: print(msg, file=sys.stderr)), extract_only)
    modality, plugin_info = _model_info(model, registry)
    run.document["model"] = plugin_info
    groups = _load_benchmarks(run, registry, resolve_benchmarks(registry, modality, benchmarks, metric))

    t = time.perf_counter()
    adapter = _build_model(run, model, registry, weights)
    if adapter is None:
        run.save()
        return run.document
    layer_order = candidate_layers(adapter, list(options.layers or []))
    run.document["model"] = {**plugin_info, "weights_sha256": adapter.weights_hash, "weights_source": adapter.weights_source,
                             "preprocessing": adapter.preprocessing, "layers": layer_order}
    run.document["timings"]["build_model_s"] = time.perf_counter() - t
    run.document["activation_storage"] = {"dtype": storage_dtype, "keys": {}}
    for group in groups.values():
        _score_cell(run, adapter, group, layer_order)
    run.save()
    return run.document
