"""Scoring a grid of models x benchmarks as a task graph, run by an executor: serially in this
process, or on a Dask distributed cluster. Both run the same graph: the same task functions with the
same arguments, in an order that respects its dependencies.

The graph (``task_graph``) has one extraction task per model (``scoring.extract_task``: resolve,
plan memory, extract, for every dataset its benchmarks use) and one task per (model, benchmark) cell
(``scoring.score_task``: prepare, evaluate, record), which takes its model's extraction as input, so
activations are computed once per model and stimulus set however many benchmarks use them, and a
cell never rebuilds the model. Every task goes through the content-keyed store, which makes the grid
resumable: a cell whose score key (activation keys + benchmark configuration) is in the store returns
from the cache, an extraction whose activations are stored does nothing, so an interrupted grid rerun
does only what is missing. A cell's numbers do not depend on where it ran: the Dask engine's results
equal a serial run's (tests/test_executor.py).

An executor is an ``Executor`` (``run(tasks, env, done)``); ``EXECUTORS`` maps the names ``--executor``
takes to them. The driver (``run_models``) merges each model's task documents into its result
file as they complete (in grid order), whichever executor ran them.

Dask, not Ray (see docs/performance.md): a local in-process cluster is one line with no daemon,
an existing cluster is an address (``--scheduler tcp://host:8786``), HPC schedulers are reached
through dask-jobqueue, and GPU requests are worker resources (``dask worker ADDR --resources GPU=1``).
The store must be on storage every worker sees (``--cache-dir`` on a shared file system).
"""
from __future__ import annotations

import abc
import logging
import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import BrainbenchError
from .registry import Registry, default_registry
from .result import SCHEMA, provenance, save_result, software

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
    #: seconds per model x dataset extraction and per benchmark (None: no limit); the CLI's default is DEFAULT_TIMEOUT_S
    timeout: float | None = None
    layers: tuple[str, ...] | None = None
    progress: bool = False


#: the CLI's default --timeout per extraction (model x dataset) and per benchmark: generous (the largest built-in model scores
#: every benchmark of a dataset in minutes on 2 CPU cores), but a hang ends as a recorded failure
DEFAULT_TIMEOUT_S = 2 * 3600.0


@dataclass(frozen=True)
class Cell:
    model: str
    benchmark: str


def _quiet(message: str) -> None:
    print(message, file=sys.stderr)


def resolve_models(models: list, registry: Registry) -> dict:
    """name -> ModelRef for names, plugin folders anywhere and references; two models of one name are an error."""
    from .model_source import ModelRef, refs_for

    refs = {}
    for model in models:
        for ref in [model] if isinstance(model, ModelRef) else refs_for(str(model), registry):
            if ref.name in refs and refs[ref.name] != ref:
                raise BrainbenchError(f"two models are named {ref.name!r} ({refs[ref.name].folder or 'registered'} and {ref.folder or 'registered'}); "
                                      "score them in separate runs")
            refs[ref.name] = ref
    return refs


def plan_grid(models: list, benchmarks: list[str] | None, metric: str | None, registry: Registry | None = None) -> list[Cell]:
    """The cells of the grid, in model-then-benchmark order; each model gets the benchmarks of its modality."""
    from .model_source import plugin_of
    from .scoring import resolve_benchmarks

    registry = registry or default_registry()
    cells = []
    for name, ref in resolve_models(models, registry).items():
        modality = plugin_of(ref, registry).modality
        names = benchmarks
        if benchmarks:  # a mixed list: each model takes those of its modality
            names = [b for b in benchmarks if registry.parse_benchmark(b)[0].modality == modality]
            if not names:
                raise BrainbenchError(f"none of the benchmarks {benchmarks} is a {modality} benchmark, the modality of model {name!r}")
        cells.extend(Cell(name, b) for b in resolve_benchmarks(registry, modality, names, metric))
    return cells


# -- the task graph ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Task:
    """One node of the graph: ``function(*args, *results of the tasks in after, env=...)``."""

    key: str
    function: Callable
    args: tuple
    after: tuple[str, ...] = ()
    model: str = ""
    benchmark: str | None = None  # None: the model's extraction


@dataclass
class TaskFailure:
    """A task that raised where the executor could not let it stop the run (a Dask worker)."""

    error: BaseException
    traceback: str


def task_graph(cells: list[Cell], refs: dict, options: ScoreOptions) -> list[Task]:
    """Per model: its extraction, then one task per benchmark depending on it (a topological order)."""
    from .scoring import extract_task, score_task

    tasks = []
    for model in dict.fromkeys(c.model for c in cells):
        benchmarks = [c.benchmark for c in cells if c.model == model]
        extraction = Task(f"extract-{model}", extract_task, (refs[model], benchmarks, options), model=model)
        tasks.append(extraction)
        tasks += [Task(f"score-{model}-{b}", score_task, (refs[model], b, options), (extraction.key,), model, b) for b in benchmarks]
    return tasks


# -- executors -------------------------------------------------------------------------------------------
class Executor(abc.ABC):
    """Runs a task graph: every task once, after the tasks it depends on, handing each result to
    ``done(task, result)`` as it completes. ``env`` (scoring.RunEnv) is this process's registry,
    store and log; an executor whose tasks run elsewhere passes None and the task makes its own."""

    name = ""

    @abc.abstractmethod
    def run(self, tasks: list[Task], env, done: Callable[[Task, object], None]) -> None:
        ...

    def describe(self) -> dict:
        return {"kind": self.name}


class SerialExecutor(Executor):
    """In this process, in graph order. A task's exception stops the run (the contained failures are
    recorded inside the tasks; what escapes them is an environment problem or a bad argument)."""

    name = "serial"

    def __init__(self, scheduler: str | None = None, workers: int | None = None, device: str = "cpu", log: Callable[[str], None] = _quiet):
        if scheduler:
            raise BrainbenchError("--scheduler needs --executor dask")

    def run(self, tasks, env, done):
        results = {}
        for task in tasks:
            results[task.key] = task.function(*task.args, *(results[key] for key in task.after), env=env)
            done(task, results[task.key])


class DaskExecutor(Executor):
    """On a Dask distributed cluster (``scheduler`` address, or a local in-process one with ``workers``
    threads). Tasks request the worker resource GPU=1 when the device is CUDA. A task that raises
    (or whose worker died) is handed to ``done`` as a TaskFailure: its cell is recorded as failed."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None, device: str = "cpu", log: Callable[[str], None] = _quiet):
        self.scheduler, self.workers, self.device, self.log = scheduler, workers, device, log
        self.info = {"kind": "dask"}

    def describe(self) -> dict:
        return self.info

    def run(self, tasks, env, done):
        from dask.distributed import as_completed

        client, cluster = dask_client(self.scheduler, self.workers, self.device)
        try:
            resources = self._resources(client)
            workers = client.scheduler_info()["workers"].values()
            self.info = {"kind": "dask", "scheduler": client.scheduler.address, "workers": len(workers),
                         "threads": sum(w.get("nthreads", 1) for w in workers), "gpu_resources": bool(resources)}
            cells = sum(task.benchmark is not None for task in tasks)
            self.log(f"dask: {cells} cells on {self.info['workers']} worker(s) with {self.info['threads']} thread(s) in all, at {self.info['scheduler']}"
                     + (" (GPU resources)" if resources else ""))
            futures = {}
            for task in tasks:  # the same functions and arguments as the serial executor; env is made on the worker
                futures[task.key] = client.submit(task.function, *task.args, *(futures[key] for key in task.after), env=None,
                                                  key=f"{task.key}-{time.time_ns()}", resources=resources, pure=False)
            tasks_of = {futures[task.key]: task for task in tasks}
            for future in as_completed(list(tasks_of)):
                try:
                    result = future.result()
                except Exception as exc:  # a worker died or the task raised: its cell fails, recorded
                    result = TaskFailure(exc, "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
                done(tasks_of[future], result)
        except KeyboardInterrupt:
            # the cells cancelled by the interrupt would each log a warning as the cluster closes
            logging.getLogger("distributed").setLevel(logging.ERROR)
            raise
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    def _resources(self, client) -> dict | None:
        if not _gpu_wanted(self.device):
            return None
        advertised = [w.get("resources", {}).get("GPU", 0) for w in client.scheduler_info()["workers"].values()]
        if not any(advertised):
            raise BrainbenchError(
                f"--device {self.device} but no worker of the Dask cluster advertises a GPU resource; "
                "start workers with `dask worker ADDRESS --resources GPU=1` (one per GPU) or use --device cpu"
            )
        return {"GPU": 1}


#: the executors ``--executor`` chooses from, by name
EXECUTORS: dict[str, type[Executor]] = {"serial": SerialExecutor, "dask": DaskExecutor}


def _gpu_wanted(device: str) -> bool:
    return str(device).startswith("cuda")


def _check_scheduler_address(scheduler: str) -> None:
    """A scheduler address is PROTOCOL://HOST:PORT with a port from 1 to 65535 (checked at once: a bad one
    waited 30 s for a connection, or ended in distributed's traceback)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(scheduler)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme not in ("tcp", "tls", "ucx", "ws", "wss") or not parts.hostname or not port:
        raise BrainbenchError(f"--scheduler {scheduler!r} is not a Dask scheduler address. Fix: give PROTOCOL://HOST:PORT, e.g. tcp://127.0.0.1:8786 "
                              "(what `dask scheduler` prints)")
    if parts.hostname.replace(".", "").isdigit() and any(int(x) > 255 for x in parts.hostname.split(".") if x.isdigit()):
        raise BrainbenchError(f"--scheduler {scheduler!r}: {parts.hostname} is not an IP address. Fix: give PROTOCOL://HOST:PORT, e.g. tcp://127.0.0.1:8786")


def dask_client(scheduler: str | None = None, workers: int | None = None, device: str = "cpu"):
    """A client of an existing cluster (``scheduler`` address) or of a local in-process one."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise BrainbenchError("--executor dask needs Dask distributed: pip install 'brainbench[distributed]' (or: pip install dask distributed)") from exc
    if scheduler:
        _check_scheduler_address(scheduler)
        try:
            return Client(scheduler, timeout="30s"), None
        except (ValueError, TypeError) as exc:  # distributed's words for an address it cannot parse
            raise BrainbenchError(f"--scheduler {scheduler!r} is not a Dask scheduler address ({exc}). Fix: give tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786") from exc
        except (OSError, TimeoutError) as exc:
            raise BrainbenchError(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}. Start one with `dask scheduler` and workers with `dask worker {scheduler}`") from exc
    # in-process workers share the one device they were given: one GPU slot, so GPU tasks take turns
    # (several GPUs: start one worker per GPU with CUDA_VISIBLE_DEVICES set, and pass --scheduler)
    resources = {"GPU": 1} if _gpu_wanted(device) else None
    threads = workers or max(1, min(4, os.cpu_count() or 1))
    cluster = LocalCluster(processes=False, n_workers=1, threads_per_worker=threads, resources=resources, dashboard_address=None)
    return Client(cluster), cluster



# -- assembling results ---------------------------------------------------------------------------
def _failed_cell(task: Task, failure: TaskFailure, model: dict) -> dict:
    from .scoring import one_line

    record = {"benchmark": task.benchmark, "error": one_line(failure.error), "error_type": type(failure.error).__name__, "traceback": failure.traceback}
    return {"schema": SCHEMA, "model": model, "scores": [], "failed": [record], "timings": {}}


def merge_cells(model: str, cell_documents: list[dict], device: str, started: float, executor: dict, software_: dict | None = None) -> dict:
    """One result document per model from its tasks' documents, benchmarks in grid order; ``software_``:
    ``result.software()`` as the run found it (asked now if not given)."""
    base = max(cell_documents, key=lambda d: len(d.get("model", {})))  # the extraction's: weights hash, layers
    document = {
        "schema": SCHEMA,
        "model": base["model"],
        "scores": [s for d in cell_documents for s in d.get("scores", [])],
        "failed": [],
        "warnings": list(dict.fromkeys(w for d in cell_documents for w in d.get("warnings", []))),
        "timings": {},
        "provenance": {},
    }
    seen_failures, run_provenance = set(), {}
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
        for key, value in d.get("provenance", {}).items():  # data checked against pins, modified files
            run_provenance[key] = {**run_provenance.get(key, {}), **value} if isinstance(value, dict) else value
    document["provenance"] = {**provenance(device, started, software_), **run_provenance, "executor": executor}
    return document


def comparable(entry: dict) -> dict:
    """A score entry without how-it-ran fields, for comparing runs."""
    return {k: v for k, v in entry.items() if k not in RUN_FIELDS}


class _Results:
    """Each model's task documents as they complete. The model's result file is merged whenever the
    finished tasks form a longer prefix of its tasks in graph order (after every task when serial), so
    the file lists benchmarks in grid order whatever order a cluster finished them in. ``flush`` (when a
    run stops early) merges every finished task, so cells that finished after a still-running one are
    kept too."""

    def __init__(self, tasks: list[Task], options: ScoreOptions, executor: Executor, out_for, on_model_done, log):
        self.tasks, self.options, self.executor, self.out_for, self.on_model_done, self.log = tasks, options, executor, out_for, on_model_done, log
        self.started = time.time()
        self.software: dict | None = None  # result.software(), asked at the first merge (not at every one)
        self.documents: dict[str, dict] = {}  # task key -> document
        self.saved: dict[str, int] = {}  # model -> tasks in the prefix last merged into its file
        self.results: dict[str, dict] = {}

    def done(self, task: Task, result) -> None:
        if isinstance(result, TaskFailure):
            if task.benchmark is None:
                return  # a failed extraction fails its cells, each recorded there
            model = self.documents.get(f"extract-{task.model}", {}).get("model", {"name": task.model})
            result = _failed_cell(task, result, model)
        self.documents[task.key] = getattr(result, "document", result)  # an Extraction carries its document
        own = self._own(task.model)
        prefix = next((i for i, t in enumerate(own) if t.key not in self.documents), len(own))
        if prefix <= self.saved.get(task.model, 0):
            return
        self.saved[task.model] = prefix
        document = self._save(task.model, own[:prefix])
        if prefix == len(own):
            self.results[task.model] = document
            if self.on_model_done:
                self.on_model_done(task.model, document)

    def flush(self) -> None:
        """Merge into each model's file every finished task not yet in it (the run stops early)."""
        for model in dict.fromkeys(t.model for t in self.tasks):
            finished = [t for t in self._own(model) if t.key in self.documents]
            if len(finished) > self.saved.get(model, 0):
                self.saved[model] = len(finished)
                self._save(model, finished)

    def _own(self, model: str) -> list[Task]:
        return [t for t in self.tasks if t.model == model]

    def _save(self, model: str, finished: list[Task]) -> dict:
        if self.software is None:
            self.software = software()
        document = merge_cells(model, [self.documents[t.key] for t in finished], self.options.device, self.started, self.executor.describe(), self.software)
        out = self.out_for(model)
        if out is not None and (document["scores"] or document["failed"]):
            save_result(out, document, self.log)
        return document


# -- running ------------------------------------------------------------------------------------------
def run_models(models: list, benchmarks: list[str] | None, options: ScoreOptions, executor: str = "serial", scheduler: str | None = None,
               workers: int | None = None, env=None, out_for: Callable[[str], Path | None] = lambda name: None,
               on_model_done: Callable[[str, dict], None] | None = None) -> dict[str, dict]:
    """Score every (model, benchmark) cell of ``models`` (names, plugin folders, ModelRefs) with the named
    executor; ``out_for(model)`` is the result file merged after every task (None: none)."""
    from .scoring import RunEnv

    if executor not in EXECUTORS:
        raise BrainbenchError(f"unknown executor {executor!r}; choose one of {', '.join(EXECUTORS)}")
    env = env or RunEnv.for_options(options)
    refs = resolve_models(models, env.registry)
    in_memory = [name for name, ref in refs.items() if ref.kind == "in-memory"]
    if in_memory and executor != "serial":
        raise BrainbenchError(f"model(s) {in_memory} exist only in this process: score them with the serial executor, or as a plugin folder")
    cells = plan_grid(list(refs.values()), benchmarks, options.metric, env.registry)
    runner = EXECUTORS[executor](scheduler=scheduler, workers=workers, device=options.device, log=env.log)
    tasks = task_graph(cells, refs, options)
    results = _Results(tasks, options, runner, out_for, on_model_done, env.log)
    try:
        runner.run(tasks, env if isinstance(runner, SerialExecutor) else None, results.done)
    except BaseException:  # interrupted, or a task's error stopped a serial run: keep what finished
        results.flush()
        raise
    return {model: results.results[model] for model in refs}


def run_grid(
    models: list,
    benchmarks: list[str] | None,
    options: ScoreOptions,
    executor: str = "serial",
    scheduler: str | None = None,
    workers: int | None = None,
    out_dir: str | os.PathLike | None = None,
    on_model_done: Callable[[str, dict], None] | None = None,
) -> dict[str, dict]:
    """Score every (model, benchmark) cell; ``<out_dir>/<model>.json`` is merged after every task."""
    out_for = (lambda name: Path(out_dir) / f"{name}.json") if out_dir is not None else (lambda name: None)
    return run_models(models, benchmarks, options, executor, scheduler, workers, out_for=out_for, on_model_done=on_model_done)
