"""``brainbench score``: score one model (or several) on benchmarks and write result files.

Exit status: 0 when every benchmark scored; 1 when some failed (each recorded in the result file with
its reason); 2 when the run could not start or had to stop (bad arguments, data, cache, output
folder: one line with the fix), or a recorded failure is one of brainbench's typed errors (missing
weights, memory refusal, timeout). 130 after Ctrl-C, 143 after SIGTERM: finished benchmarks are saved.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from .. import errors
from ..executor import DEFAULT_TIMEOUT_S, ScoreOptions
from ..registry import default_registry
from . import comma_list, positive_seconds


def register(sub) -> None:
    p = sub.add_parser(
        "score", help="score a model on benchmarks (default: every benchmark of its modality)",
        description="Score models on benchmarks. Each model's result merges into OUT/<model>.json: the benchmarks "
        "scored now replace their entries, the others are kept, and a run that stops early leaves the file as it was. "
        "Activations and scores are cached by content (--cache-dir), so a second run answers from the cache.",
        epilog="exit status: 0 every benchmark scored; 1 a model or benchmark failed with an unexpected error (its reason and "
        "traceback are in the result file); 2 a bad argument, an environment problem, or a failure whose message gives "
        "the fix (data, memory, timeout, weights); 130 or 143 interrupted (Ctrl-C, SIGTERM).",
    )
    p.add_argument("--model", "--models", dest="models", required=True,
                   help="model name, a model plugin folder anywhere (PATH), or comma-separated names/folders; with --activations, the name the result is filed under")
    p.add_argument("--activations", metavar="FILE", help="score precomputed activations (.npz, .h5/.hdf5, .nc keyed by stimulus id and layer) under the name --model gives")
    p.add_argument("--benchmark", "--benchmarks", dest="benchmarks", action="append", help="benchmark id (repeatable or comma-separated); default: all of the model's modality")
    p.add_argument("--metric", help="use this metric's benchmarks instead of the default metric (e.g. ridge)")
    p.add_argument("--data-dir", help="folder holding the dataset folders (else $BRAINBENCH_DATA, ../shared/data, user cache); must exist")
    p.add_argument("--allow-modified-data", action="store_true", help="score data files that differ from their pinned sha256 instead of stopping (recorded in the result)")
    p.add_argument("--weights", help="explicit pretrained weights file for the model (it is also built once without the file, "
                                     "to warn when the file changes nothing: a plugin that ignores --weights)")
    p.add_argument("--weights-dir", help="folder holding pinned weights files (searched before $BRAINBENCH_WEIGHTS, ../shared/weights, the user cache)")
    p.add_argument("--device", default="auto", help="cpu, cuda, cuda:1, ... (default: cuda if available)")
    p.add_argument("--out", default="results", help="folder for result JSON files (default: ./results); a run merges into <model>.json")
    p.add_argument("--cache-dir", help="activation/score cache (default: $BRAINBENCH_CACHE or ~/.cache/brainbench)")
    p.add_argument("--no-score-cache", action="store_true", help="recompute scores even if cached")
    p.add_argument("--quiet", action="store_true", help="no progress bars or progress lines")
    p.add_argument("--layers", help="comma-separated candidate layers to score (default: the model's own list)")
    p.add_argument("--storage-dtype", choices=["float32", "float16"], default="float32", help="how activations are stored (float16: half the disk; recorded in the cache key and the result)")
    p.add_argument("--max-memory", help="memory bound, e.g. 8G: batch sizes are fitted under it, or the run is refused before it starts (default: the memory available)")
    p.add_argument("--batch-size", type=int, help="stimuli per forward pass (default: the model's)")
    p.add_argument("--timeout", type=positive_seconds, metavar="SECONDS",
                   help=f"limit for each model's build, each model x dataset extraction and each benchmark's scoring (default {DEFAULT_TIMEOUT_S:.0f} s = 2 h); "
                        "what runs past it is recorded as failed and the run goes on")
    p.add_argument("--executor", choices=["serial", "dask"], default="serial", help="serial (default), or dask: the model x benchmark grid as tasks on a Dask cluster")
    p.add_argument("--scheduler", help="with --executor dask: address of an existing Dask scheduler (default: a local in-process cluster)")
    p.add_argument("--workers", type=int, help="with --executor dask and no --scheduler: threads of the local cluster")
    p.set_defaults(func=run)


def check_arguments(args) -> None:
    """Everything wrong with the arguments fails now, in one line, before any model is built."""
    if args.max_memory is not None:
        from ..preflight import parse_memory

        parse_memory(args.max_memory)
    if args.batch_size is not None and args.batch_size < 1:
        raise errors.BrainbenchError(f"--batch-size must be at least 1, got {args.batch_size}")
    if args.timeout is not None and args.executor == "dask":
        raise errors.BrainbenchError("--timeout is not applied on Dask workers (a time limit needs the main thread). Fix: leave "
                                     "--timeout out with --executor dask, or use the serial executor")
    args.timeout = args.timeout or (None if args.executor == "dask" else DEFAULT_TIMEOUT_S)
    from ..scoring import metric_problem

    metric_problem(args.metric, comma_list(args.benchmarks))
    if args.workers is not None and args.workers < 1:
        raise errors.BrainbenchError(f"--workers must be at least 1, got {args.workers}")
    dask_only = [flag for flag, value in (("--workers", args.workers), ("--scheduler", args.scheduler)) if value is not None]
    if dask_only and args.executor != "dask":
        verb, them = ("apply", "them") if len(dask_only) > 1 else ("applies", "it")
        raise errors.BrainbenchError(f"{' and '.join(dask_only)} only {verb} to --executor dask. Fix: add --executor dask, or leave {them} out")
    if args.workers is not None and args.scheduler is not None:
        raise errors.BrainbenchError("--workers sizes the local cluster; with --scheduler the cluster's own workers run the cells. Fix: leave one of them out")
    most = 8 * (os.cpu_count() or 1)
    if args.workers is not None and args.workers > most:
        raise errors.BrainbenchError(f"--workers {args.workers}: that many threads on {os.cpu_count()} CPU cores would only contend. Fix: at most {most}")
    if args.layers is not None and not comma_list([args.layers]):
        raise errors.BrainbenchError(f"--layers {args.layers!r} names no layer. Fix: give comma-separated layer names, or leave --layers out for the model's own list")


def fix_paths(args) -> None:
    """The folders and files the command line names, made absolute now: a plugin that changes the
    working directory (in its import or build) cannot move where results, cache or data are. Messages
    still name ``--out`` as given (``args.out_as_given``)."""
    args.out_as_given = args.out
    for option in ("out", "cache_dir", "data_dir", "weights", "weights_dir"):
        if getattr(args, option):
            setattr(args, option, str(Path(getattr(args, option)).expanduser().absolute()))


def check_places(args) -> None:
    """The output folder, the cache and an explicit data folder are usable (one line with the fix if not)."""
    from ..paths import check_data_dir, check_weights_dir
    from ..result import check_output_dir
    from ..store import Store

    check_data_dir(args.data_dir)
    check_weights_dir(args.weights_dir)
    check_output_dir(args.out)
    (Store(args.cache_dir) if args.cache_dir else Store()).check_usable()


def options_from(args, device: str, layers: list[str] | None, progress: bool) -> ScoreOptions:
    return ScoreOptions(
        data_dir=args.data_dir, device=device, weights=args.weights, weights_dir=args.weights_dir, cache_dir=args.cache_dir, metric=args.metric,
        storage_dtype=args.storage_dtype, max_memory=args.max_memory, batch_size=args.batch_size,
        use_score_cache=not args.no_score_cache, allow_modified_data=args.allow_modified_data, timeout=args.timeout,
        layers=tuple(layers) if layers else None, progress=progress,
    )


def exit_status(result: dict) -> int:
    """0: every benchmark scored; 2: a failure is a typed brainbench error (the fix is in its message); else 1."""
    status = 0
    for failure in result.get("failed", []):
        kind = getattr(errors, failure.get("error_type", ""), None)
        status = max(status, 2 if isinstance(kind, type) and issubclass(kind, errors.BrainbenchError) else 1)
    return status


def parse_names(args) -> tuple[list, list[str] | None, list[str] | None]:
    """(model references, benchmarks, layers), every name and folder checked before any work."""
    from ..executor import resolve_models
    from ..model_source import activations_ref

    registry = default_registry()
    names = comma_list([args.models])
    benchmarks = comma_list(args.benchmarks) or None  # a benchmark named twice is scored once
    if args.activations:
        if len(names) != 1:
            raise errors.BrainbenchError("--activations FILE scores one file: give the name of its result with --model NAME")
        models = [activations_ref(names[0], args.activations, registry, benchmarks)]
    else:
        models = list(resolve_models(names, registry).values())  # unknown names fail with close matches
    layers = comma_list([args.layers]) if args.layers else None  # a layer named twice is one candidate
    if layers and (args.executor == "dask" or args.scheduler or len(models) > 1):
        raise errors.BrainbenchError("--layers applies to one model; with several models or --executor dask every model scores its own candidate layers")
    return models, benchmarks, layers


def run(args) -> int:
    models, benchmarks, layers = parse_names(args)
    check_arguments(args)
    fix_paths(args)
    check_places(args)
    if not args.quiet:  # the first line within a second, before torch is imported
        print(f"brainbench: scoring {', '.join(m.name for m in models)}: loading torch and the scoring code", file=sys.stderr, flush=True)
    from ..executor import run_grid
    from ..scoring import resolve_device

    executor = "dask" if args.executor == "dask" or args.scheduler else "serial"
    options = options_from(args, resolve_device(args.device), layers, progress=not args.quiet and executor == "serial")
    t0 = time.time()
    status = 0

    def done(model, result):
        nonlocal status
        print_table(result, time.time() - t0)
        print(f"result written to {Path(args.out_as_given) / f'{model}.json'}")
        status = max(status, exit_status(result))

    run_grid(models, benchmarks, options, executor, args.scheduler, args.workers, out_dir=args.out, on_model_done=done)
    return status


def _fmt(x, digits=3):
    return "—" if x is None else f"{x:.{digits}f}"


def print_table(result: dict, wall: float, file=None) -> None:
    file = file or sys.stdout  # looked up per call, not bound at import (a replaced/captured stdout may be closed)
    # The interval is of the ceiled score where a ceiling exists, else of the raw score (e.g. NH2015).
    rows = [("benchmark", "score", "chosen layer", "raw", "ceiling", "ceiled", "95% CI over stimuli", "time s")]
    for s in result["scores"]:
        ci_all = s.get("ci95_stimuli") or {}
        ci, of = (ci_all.get("ceiled"), "ceiled") if ci_all.get("ceiled") else (ci_all.get("raw"), "raw")
        rows.append(
            (
                s["benchmark"],
                s.get("score_name", ""),
                s["chosen_layer"],
                _fmt(s["raw"]),
                _fmt(s["ceiling"]),
                _fmt(s["ceiled"]),
                f"[{_fmt(ci[0])}, {_fmt(ci[1])}] {of}" if ci else "—",
                "cached" if s.get("from_cache") else f"{s['seconds']:.1f}",
            )
        )
    for f in result["failed"]:
        rows.append((f["benchmark"], "", "FAILED", "—", "—", "—", f["error"][:40], "—"))
    from ..table import format_table

    model = result["model"]
    print(f"\n{model['name']} ({model['modality']}, {model['training']})", file=file)
    print(format_table(rows), file=file)
    prov = result["provenance"]
    print(f"wall time {wall:.1f} s, peak memory {prov.get('peak_memory_mb', 0):.0f} MB, device {prov.get('device')}", file=file)
    for s in result["scores"]:
        for flag in s.get("flags", []):
            print(f"note: {s['benchmark']}: {flag}", file=file)
