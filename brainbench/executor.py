"""Scoring a grid of models x benchmarks: serially, or as tasks on a Dask distributed cluster.

The grid is one extraction task per (model, dataset) and one scoring task per (model, benchmark)
cell, each cell depending on its model's extraction, so activations are computed once per model and
stimulus set however many benchmarks use them. Every task goes through ``scoring.score``, whose
content-keyed store makes the grid resumable: a cell whose score key (activation keys + benchmark
configuration) is already in the store returns from the cache, and an extraction whose activations
are stored does nothing, so an interrupted grid rerun does only what is missing. A cell's numbers do
not depend on where it ran: the engine's results equal a serial run's (tests/test_executor.py).

Dask, not Ray (see docs/performance.md): a local in-process cluster is one line with no daemon,
an existing cluster is an address (``--scheduler tcp://host:8786``), HPC schedulers are reached
through dask-jobqueue, and GPU requests are worker resources (``dask worker ADDR --resources GPU=1``).
The store must be on storage every worker sees (``--cache-dir`` on a shared file system).
"""
from __future__ import annotations

import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import BrainbenchError
from .registry import Registry, default_registry
from .result import SCHEMA, provenance, save_result

#: keys of a score entry that describe how it was obtained, not what was measured
RUN_FIELDS = ("seconds", "from_cache")


@dataclass(frozen=True)
class ScoreOptions:
    """Everything a task needs besides the model and benchmark names (picklable, sent to workers)."""

    data_dir: str | None = None
    device: str = "cpu"
    weights: str | None = None
    weights_dir: str | None = None
    cache_dir: str | None = None
    metric: str | None = None
    storage_dtype: str = "float32"
    max_memory: str | int | None = None
    batch_size: int | None = None
    use_score_cache: bool = True
    allow_modified_data: bool = False
    #: seconds per model x dataset cell (None: no limit); the CLI's default is DEFAULT_TIMEOUT_S
    timeout: float | None = None
    layers: tuple[str, ...] | None = None
    progress: bool = False

    def score_kwargs(self) -> dict:
        from .store import Store
        from .weights import set_weights_dir

        if self.weights_dir:  # --weights-dir, on the worker that builds the model
            set_weights_dir(self.weights_dir)

        return dict(
            data_dir=self.data_dir,
            device=self.device,
            weights=self.weights,
            store=Store(self.cache_dir) if self.cache_dir else Store(),
            storage_dtype=self.storage_dtype,
            max_memory=self.max_memory,
            batch_size=self.batch_size,
            use_score_cache=self.use_score_cache,
            allow_modified_data=self.allow_modified_data,
            timeout=self.timeout,
            layers=list(self.layers) if self.layers else None,
            progress=self.progress,
        )


#: the CLI's default --timeout per model x dataset cell: generous (the largest built-in model scores
#: every benchmark of a dataset in minutes on 2 CPU cores), but a hang ends as a recorded failure
DEFAULT_TIMEOUT_S = 2 * 3600.0


@dataclass(frozen=True)
class Cell:
    model: str
    benchmark: str


def plan_grid(models: list[str], benchmarks: list[str] | None, metric: str | None, registry: Registry | None = None) -> list[Cell]:
    """The cells of the grid, in model-then-benchmark order; each model gets the benchmarks of its modality."""
    from .scoring import resolve_benchmarks

    registry = registry or default_registry()
    cells = []
    for model in models:
        plugin = registry.model(model)
        names = benchmarks
        if benchmarks:  # a mixed list: each model takes those of its modality
            names = [b for b in benchmarks if registry.parse_benchmark(b)[0].modality == plugin.modality]
            if not names:
                raise BrainbenchError(f"none of the benchmarks {benchmarks} is a {plugin.modality} benchmark, the modality of model {model!r}")
        cells.extend(Cell(model, b) for b in resolve_benchmarks(registry, plugin.modality, names, metric))
    return cells


# -- tasks (module-level functions: they are pickled and sent to workers) -------------------------
def extract_task(model: str, benchmarks: list[str], options: ScoreOptions) -> dict:
    """Store the activations a model needs for these benchmarks (nothing if their scores are cached)."""
    from .scoring import score

    t = time.perf_counter()
    document = score(model, benchmarks=benchmarks, metric=options.metric, extract_only=True, log=_quiet, **options.score_kwargs())
    return {"model": model, "seconds": time.perf_counter() - t, "failed": document.get("failed", [])}


def cell_task(cell: Cell, options: ScoreOptions, _extracted=None) -> dict:
    """Score one cell; returns the single-benchmark result document (errors recorded, never raised)."""
    from .scoring import score

    try:
        return score(cell.model, benchmarks=[cell.benchmark], metric=options.metric, log=_quiet, **options.score_kwargs())
    except BrainbenchError as exc:  # e.g. a memory refusal: this cell fails, the grid goes on
        return _failed_cell(cell, exc, traceback.format_exc())


def _failed_cell(cell: Cell, exc: BaseException, trace: str = "") -> dict:
    from .scoring import one_line

    plugin = default_registry().model(cell.model)
    model = {"name": plugin.name, "modality": plugin.modality, "training": plugin.training, "card": plugin.card}
    failure = {"benchmark": cell.benchmark, "error": one_line(exc), "error_type": type(exc).__name__, "traceback": trace}
    return {"model": model, "scores": [], "timings": {}, "failed": [failure]}


def _quiet(message: str) -> None:
    print(message, file=sys.stderr)


# -- assembling results ---------------------------------------------------------------------------
def merge_cells(model: str, cell_documents: list[dict], device: str, started: float, executor: dict) -> dict:
    """One result document per model from its cells' documents, benchmarks in grid order."""
    base = next((d for d in cell_documents if d.get("schema") == SCHEMA), cell_documents[0])
    document = {
        "schema": SCHEMA,
        "model": base["model"],
        "scores": [s for d in cell_documents for s in d.get("scores", [])],
        "failed": [],
        "warnings": list(dict.fromkeys(w for d in cell_documents for w in d.get("warnings", []))),
        "timings": {},
        "provenance": {},
    }
    seen_failures = set()
    for d in cell_documents:
        for failure in d.get("failed", []):
            marker = (failure["benchmark"], failure["error"])
            if marker not in seen_failures:  # a failed model build fails every cell the same way
                seen_failures.add(marker)
                document["failed"].append(failure)
        for key, value in d.get("timings", {}).items():
            document["timings"][key] = document["timings"].get(key, 0.0) + value
        for key in ("provenance_data", "activation_storage", "memory_plan"):
            if key in d:
                document.setdefault(key, {})
                for sub, value in d[key].items():
                    if isinstance(value, dict) and isinstance(document[key].get(sub), dict):
                        document[key][sub] = {**document[key][sub], **value}
                    else:
                        document[key][sub] = value
    document["provenance"] = {**provenance(device, started), "executor": executor}
    return document


def comparable(entry: dict) -> dict:
    """A score entry without how-it-ran fields, for comparing runs."""
    return {k: v for k, v in entry.items() if k not in RUN_FIELDS}


# -- running --------------------------------------------------------------------------------------
def run_serial(cells: list[Cell], options: ScoreOptions, on_model_done: Callable[[str, dict], None] | None = None,
               out_dir: str | os.PathLike | None = None) -> dict[str, dict]:
    """In this process, one model at a time (all its benchmarks in one ``score`` call, merged into
    ``<out_dir>/<model>.json`` after every benchmark). A model's failures are recorded in its result
    and the grid goes on; only problems every model would hit (errors.STOPS_RUN) stop it."""
    from .scoring import score

    results = {}
    for model in dict.fromkeys(c.model for c in cells):
        benchmarks = [c.benchmark for c in cells if c.model == model]
        out = Path(out_dir) / f"{model}.json" if out_dir is not None else None
        results[model] = score(model, benchmarks=benchmarks, metric=options.metric, log=_quiet, out=out, **options.score_kwargs())
        if on_model_done:
            on_model_done(model, results[model])
    return results


def _gpu_wanted(device: str) -> bool:
    return str(device).startswith("cuda")


def dask_client(scheduler: str | None = None, workers: int | None = None, device: str = "cpu"):
    """A client of an existing cluster (``scheduler`` address) or of a local in-process one."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise BrainbenchError("--executor dask needs Dask distributed: pip install 'brainbench[distributed]' (or: pip install dask distributed)") from exc
    if scheduler:
        try:
            return Client(scheduler, timeout="30s"), None
        except (OSError, TimeoutError) as exc:
            raise BrainbenchError(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}. Start one with `dask scheduler` and workers with `dask worker {scheduler}`") from exc
    # in-process workers share the one device they were given: one GPU slot, so GPU tasks take turns
    # (several GPUs: start one worker per GPU with CUDA_VISIBLE_DEVICES set, and pass --scheduler)
    resources = {"GPU": 1} if _gpu_wanted(device) else None
    threads = workers or max(1, min(4, os.cpu_count() or 1))
    cluster = LocalCluster(processes=False, n_workers=1, threads_per_worker=threads, resources=resources, dashboard_address=None)
    return Client(cluster), cluster


def run_dask(
    cells: list[Cell],
    options: ScoreOptions,
    scheduler: str | None = None,
    workers: int | None = None,
    on_model_done: Callable[[str, dict], None] | None = None,
    log: Callable[[str], None] = _quiet,
) -> dict[str, dict]:
    from dask.distributed import as_completed

    started = time.time()
    client, cluster = dask_client(scheduler, workers, options.device)
    try:
        resources = None
        if _gpu_wanted(options.device):
            advertised = [w.get("resources", {}).get("GPU", 0) for w in client.scheduler_info()["workers"].values()]
            if not any(advertised):
                raise BrainbenchError(
                    f"--device {options.device} but no worker of the Dask cluster advertises a GPU resource; "
                    "start workers with `dask worker ADDRESS --resources GPU=1` (one per GPU) or use --device cpu"
                )
            resources = {"GPU": 1}
        info = {"kind": "dask", "scheduler": client.scheduler.address, "workers": len(client.scheduler_info()["workers"]), "gpu_resources": bool(resources)}
        log(f"dask: {len(cells)} cells on {info['workers']} worker(s) at {info['scheduler']}" + (" (GPU resources)" if resources else ""))
        registry = default_registry()
        extraction = {}
        for model in dict.fromkeys(c.model for c in cells):
            by_dataset: dict[str, list[str]] = {}
            for c in cells:
                if c.model == model:
                    by_dataset.setdefault(registry.parse_benchmark(c.benchmark)[0].name, []).append(c.benchmark)
            for dataset, benchmark_ids in by_dataset.items():
                extraction[(model, dataset)] = client.submit(
                    extract_task, model, benchmark_ids, options, key=f"extract-{model}-{dataset}-{time.time_ns()}", resources=resources, pure=False
                )
        futures = {}
        for c in cells:
            dataset = registry.parse_benchmark(c.benchmark)[0].name
            future = client.submit(cell_task, c, options, extraction[(c.model, dataset)], key=f"cell-{c.model}-{c.benchmark}-{time.time_ns()}", resources=resources, pure=False)
            futures[future] = c
        done: dict[Cell, dict] = {}
        results = {}
        for future in as_completed(futures):
            c = futures[future]
            try:
                done[c] = future.result()
            except Exception as exc:  # a worker died or the task raised: the cell fails, recorded
                done[c] = _failed_cell(c, exc, "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
            model_cells = [x for x in cells if x.model == c.model]
            if all(x in done for x in model_cells):
                results[c.model] = merge_cells(c.model, [done[x] for x in model_cells], options.device, started, info)
                if on_model_done:
                    on_model_done(c.model, results[c.model])
        return {model: results[model] for model in dict.fromkeys(c.model for c in cells)}
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_grid(
    models: list[str],
    benchmarks: list[str] | None,
    options: ScoreOptions,
    executor: str = "serial",
    scheduler: str | None = None,
    workers: int | None = None,
    out_dir: str | os.PathLike | None = None,
    on_model_done: Callable[[str, dict], None] | None = None,
) -> dict[str, dict]:
    """Score every (model, benchmark) cell; write ``<out_dir>/<model>.json`` as each model completes."""
    if executor not in ("serial", "dask"):
        raise BrainbenchError(f"unknown executor {executor!r}; choose serial or dask")
    cells = plan_grid(models, benchmarks, options.metric)

    if executor == "serial":
        return run_serial(cells, options, on_model_done, out_dir)

    def done(model, document):
        if out_dir is not None:
            save_result(Path(out_dir) / f"{model}.json", document, _quiet)
        if on_model_done:
            on_model_done(model, document)

    return run_dask(cells, options, scheduler, workers, done)

