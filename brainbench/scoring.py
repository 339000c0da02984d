"""``score``: the whole pipeline from a model and benchmark names to a result.

model -> adapter (real weights or a clear error) -> activations per stimulus set (content-keyed store)
-> per layer, the metric's preparation (shared by every benchmark of that stimulus set) -> each
benchmark's protocol -> scores, written to the result file after every benchmark so that an
interrupted run keeps what it finished (and a rerun takes finished benchmarks from the score cache).
"""
from __future__ import annotations

import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Callable

import numpy as np

from .activations import activation_key, check_storage_dtype, extract
from .benchmark import Benchmark, Dataset, Protocol
from .errors import BrainbenchError
from .model import ModelAdapter, json_key
from .preflight import plan_memory, release_freed_memory
from .registry import Registry, default_registry
from .result import SCHEMA, provenance, write_json_atomic
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


def load_dataset(registry: Registry, name: str, data_dir=None) -> Dataset:
    key = (name, str(data_dir))
    with _DATASET_LOCK:
        if key not in _DATASET_CACHE:
            _DATASET_CACHE[key] = registry.dataset(name).load(data_dir)
        return _DATASET_CACHE[key]


def make_benchmark(registry: Registry, benchmark_id: str, data_dir=None, device: str = "cpu") -> Benchmark:
    dataset_plugin, region, metric_plugin = registry.parse_benchmark(benchmark_id)
    dataset = load_dataset(registry, dataset_plugin.name, data_dir)
    metric = _make_metric(metric_plugin, device, dataset_plugin.metric_options.get(metric_plugin.name, {}))
    protocol = dataset_plugin.protocol_for(metric_plugin.name) if dataset_plugin.protocol_for else None
    cls = dataset_plugin.benchmark_class or Benchmark
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


def _prepare_layer(store: Store, metric, activation_key_: str, metric_key: str):
    """A metric's per-layer preparation (e.g. the Gram matrix), from the store when an earlier run
    made it: a grid's cells and re-scores of the same activations then skip the pass over the layer.

    One layer at a time: its activations are mapped, prepared, and the mapping let go.
    """
    prepared_key = json_key({"prepared_version": "1", "activations": activation_key_, "metric": metric_key})
    cached = store.get_array("prepared", prepared_key)
    if cached is not None:
        return np.array(cached)
    features = store.get_array("activations", activation_key_)
    prepared = metric.prepare(features)
    del features
    if isinstance(prepared, np.ndarray) and prepared.ndim >= 1 and prepared.dtype != object:
        with store.stream_writer("prepared", prepared_key, prepared.shape, prepared.dtype, {"activations": activation_key_}) as writer:
            writer.append(prepared)
    return prepared


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
) -> dict:
    """Score a model (registered name, or a ModelAdapter built in Python) on benchmarks.

    Returns the result document (also written to ``out`` if given, after every benchmark).
    ``storage_dtype``: how activations are stored (float32, or float16: half the disk; part of the
    cache keys and the result). ``max_memory`` (bytes or '8G'): the memory preflight fits batch sizes
    under it or refuses with ResourceError before any work (default bound: the memory available).
    ``extract_only``: stop after the activations of the benchmarks not yet in the score cache are
    stored (the distributed engine's extraction task; the document then has no scores).
    """
    check_storage_dtype(storage_dtype)
    started = time.time()
    registry = registry or default_registry()
    store = store or Store()
    log = log or (lambda msg: print(msg, file=sys.stderr))

    t = time.perf_counter()
    if isinstance(model, ModelAdapter):
        adapter, plugin_info = model, {"name": model.name, "modality": model.modality, "training": "unknown", "card": {}}
    else:
        plugin = registry.model(model)
        plugin_info = {"name": plugin.name, "modality": plugin.modality, "training": plugin.training, "card": plugin.card}
        try:
            with _BUILD_LOCK:
                adapter = plugin.build(weights=weights, device=device)
        except BrainbenchError:
            raise
        except Exception as exc:  # a broken plugin: recorded as failed, never scored as zero
            document = {
                "schema": SCHEMA,
                "model": plugin_info,
                "scores": [],
                "failed": [{"benchmark": "*", "error": f"model build failed: {type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}],
                "timings": {},
                "provenance": provenance(device, started),
            }
            if out is not None:
                write_json_atomic(out, document)
            log(f"{plugin.name}: model build FAILED: {type(exc).__name__}: {exc}")
            return document
    build_seconds = time.perf_counter() - t
    benchmark_ids = resolve_benchmarks(registry, adapter.modality, benchmarks, metric)
    layer_order = list(layers or adapter.layers)

    document = {
        "schema": SCHEMA,
        "model": {
            **plugin_info,
            "weights_sha256": adapter.weights_hash,
            "weights_source": adapter.weights_source,
            "preprocessing": adapter.preprocessing,
            "layers": layer_order,
        },
        "scores": [],
        "failed": [],
        "timings": {"build_model_s": build_seconds},
        "provenance": {},
        "activation_storage": {"dtype": storage_dtype, "keys": {}},
    }

    def save():
        document["provenance"] = provenance(device, started)
        if out is not None:
            write_json_atomic(out, document)

    built = {b: make_benchmark(registry, b, data_dir, device) for b in benchmark_ids}
    by_dataset: dict[str, list[Benchmark]] = {}
    for bench in built.values():
        by_dataset.setdefault(bench.dataset.name, []).append(bench)

    for dataset_name, group in by_dataset.items():
        dataset = group[0].dataset
        document["provenance_data"] = document.get("provenance_data", {}) | {dataset_name: dataset.checksums}
        for warning in dataset.warnings:
            log(f"warning: {warning}")
        keys = {layer: activation_key(adapter, dataset.stimuli, layer, storage_dtype) for layer in layer_order}
        document["activation_storage"]["keys"][dataset_name] = keys
        pending = []
        for bench in group:
            score_key = json_key({"score_version": SCORE_VERSION, "activations": keys, "benchmark": bench.config()})
            cached = store.get_json("scores", score_key) if use_score_cache else None
            if cached is not None:
                log(f"{bench.name}: from score cache")
                document["scores"].append({**cached, "from_cache": True})
            else:
                pending.append((bench, score_key))
        save()
        if not pending:
            continue
        t = time.perf_counter()
        plan = None
        if not all(store.has_array("activations", key) for key in keys.values()) or max_memory is not None:
            max_targets = max(int(b.region_recording().sizes.get("neuroid", 1)) for b in group)
            plan = plan_memory(adapter, dataset.stimuli, layer_order, max_targets, storage_dtype, batch_size, max_memory, device)
            document["memory_plan"] = {
                "estimated_peak_mb": plan.peak_bytes / 2**20,
                "bound_mb": plan.bound_bytes / 2**20 if plan.bound_bytes else None,
                "bound_source": plan.bound_source,
                "batch_size": plan.batch_size,
                "target_batch": plan.target_batch,
                "largest_layer_mb": plan.activation_bytes(plan.largest_layer) / 2**20,
            }
            for note in plan.notes:
                log(f"{adapter.name}: {note}")
        extract(
            adapter, dataset.stimuli, layer_order, store=store, device=device,
            batch_size=plan.batch_size if plan else batch_size, dtype=storage_dtype, progress=progress,
        )
        document["timings"][f"activations_{dataset_name}_s"] = time.perf_counter() - t
        release_freed_memory()
        if extract_only:
            continue
        prepared_cache: dict[tuple, object] = {}
        for bench, score_key in pending:
            t = time.perf_counter()
            try:
                if plan is not None and hasattr(bench.metric, "target_batch"):
                    bench.metric.target_batch = plan.target_batch
                metric_key = json_key(bench.metric.config())
                prepared = {}
                for layer in layer_order:
                    cache_key = (metric_key, layer)
                    if cache_key not in prepared_cache:
                        prepared_cache[cache_key] = _prepare_layer(store, bench.metric, keys[layer], metric_key)
                    prepared[layer] = prepared_cache[cache_key]
                release_freed_memory()
                entry = bench.run(prepared, layer_order)
                entry["seconds"] = time.perf_counter() - t
                # what produced the numbers: metric settings, protocol with its seeds, data checksums
                entry["config"] = bench.config()
                store.put_json("scores", score_key, entry, {"benchmark": bench.name, "model": adapter.name})
                document["scores"].append(entry)
            except BrainbenchError:
                raise
            except Exception as exc:  # recorded as failed, never as zero
                document["failed"].append({"benchmark": bench.name, "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()})
                log(f"{bench.name}: FAILED: {type(exc).__name__}: {exc}")
            save()
    save()
    return document
