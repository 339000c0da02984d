"""``brainbench score``: score one model (or several) on benchmarks and write result files."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from ..registry import default_registry
from ..scoring import score
from ..store import Store
from ..weights import set_weights_dir


def register(sub) -> None:
    p = sub.add_parser("score", help="score a model on benchmarks (default: every benchmark of its modality)")
    p.add_argument("--model", "--models", dest="models", required=True, help="model name, or comma-separated names")
    p.add_argument("--benchmark", "--benchmarks", dest="benchmarks", action="append", help="benchmark id (repeatable or comma-separated); default: all of the model's modality")
    p.add_argument("--metric", help="use this metric's benchmarks instead of the default metric (e.g. ridge)")
    p.add_argument("--data-dir", help="folder holding the dataset folders (else $BRAINBENCH_DATA, ../shared/data, user cache)")
    p.add_argument("--weights", help="explicit pretrained weights file for the model")
    p.add_argument("--weights-dir", help="folder holding pinned weights files (searched before $BRAINBENCH_WEIGHTS, ../shared/weights, the user cache)")
    p.add_argument("--device", default="auto", help="cpu, cuda, cuda:1, ... (default: cuda if available)")
    p.add_argument("--out", default="results", help="folder for result JSON files (default: ./results)")
    p.add_argument("--cache-dir", help="activation/score cache (default: $BRAINBENCH_CACHE or ~/.cache/brainbench)")
    p.add_argument("--no-score-cache", action="store_true", help="recompute scores even if cached")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("--layers", help="comma-separated candidate layers to score (default: the model's own list)")
    p.add_argument("--storage-dtype", choices=["float32", "float16"], default="float32", help="how activations are stored (float16: half the disk; recorded in the cache key and the result)")
    p.add_argument("--max-memory", help="memory bound, e.g. 8G: batch sizes are fitted under it, or the run is refused before it starts (default: the memory available)")
    p.add_argument("--batch-size", type=int, help="stimuli per forward pass (default: the model's)")
    p.add_argument("--executor", choices=["serial", "dask"], default="serial", help="serial (default), or dask: the model x benchmark grid as tasks on a Dask cluster")
    p.add_argument("--scheduler", help="with --executor dask: address of an existing Dask scheduler (default: a local in-process cluster)")
    p.add_argument("--workers", type=int, help="with --executor dask and no --scheduler: threads of the local cluster")
    p.set_defaults(func=run)


def resolve_device(device: str) -> str:
    if device == "auto":
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def run(args) -> int:
    registry = default_registry()
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    for m in models:
        registry.model(m)  # unknown names fail before any work, with close matches
    benchmarks = [b.strip() for group in (args.benchmarks or []) for b in group.split(",") if b.strip()] or None
    device = resolve_device(args.device)
    if args.max_memory is not None:
        from ..preflight import parse_memory

        parse_memory(args.max_memory)  # a malformed bound fails now, not after the model is built
    if args.batch_size is not None and args.batch_size < 1:
        from ..errors import BrainbenchError

        raise BrainbenchError(f"--batch-size must be at least 1, got {args.batch_size}")
    layers = [x.strip() for x in args.layers.split(",") if x.strip()] if args.layers else None
    set_weights_dir(args.weights_dir)
    if args.executor == "dask" or args.scheduler:
        return run_engine(args, models, benchmarks, device, layers)
    store = Store(args.cache_dir) if args.cache_dir else Store()
    status = 0
    for model in models:
        out = Path(args.out) / f"{model}.json"
        t0 = time.time()
        result = score(
            model,
            benchmarks=benchmarks,
            metric=args.metric,
            data_dir=args.data_dir,
            device=device,
            weights=args.weights,
            store=store,
            out=out,
            use_score_cache=not args.no_score_cache,
            registry=registry,
            progress=not args.quiet,
            layers=layers,
            storage_dtype=args.storage_dtype,
            max_memory=args.max_memory,
            batch_size=args.batch_size,
        )
        print_table(result, time.time() - t0)
        print(f"result written to {out}")
        if result["failed"]:
            status = 1
    return status


def run_engine(args, models, benchmarks, device, layers) -> int:
    """The model x benchmark grid on the distributed engine (brainbench.executor)."""
    from ..errors import BrainbenchError
    from ..executor import ScoreOptions, run_grid

    if layers:
        raise BrainbenchError("--layers applies to one model; with --executor dask every model scores its own candidate layers")
    options = ScoreOptions(
        data_dir=args.data_dir, device=device, weights=args.weights, weights_dir=args.weights_dir, cache_dir=args.cache_dir, metric=args.metric,
        storage_dtype=args.storage_dtype, max_memory=args.max_memory, batch_size=args.batch_size,
        use_score_cache=not args.no_score_cache,
    )
    t0 = time.time()
    status = 0

    def done(model, result):
        nonlocal status
        print_table(result, time.time() - t0)
        print(f"result written to {Path(args.out) / f'{model}.json'}")
        status = status or (1 if result["failed"] else 0)

    run_grid(models, benchmarks, options, "dask", args.scheduler, args.workers, out_dir=args.out, on_model_done=done)
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
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    model = result["model"]
    print(f"\n{model['name']} ({model['modality']}, {model['training']})", file=file)
    for i, row in enumerate(rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)), file=file)
        if i == 0:
            print("  ".join("-" * w for w in widths), file=file)
    prov = result["provenance"]
    print(f"wall time {wall:.1f} s, peak memory {prov.get('peak_memory_mb', 0):.0f} MB, device {prov.get('device')}", file=file)
    for s in result["scores"]:
        for flag in s.get("flags", []):
            print(f"note: {s['benchmark']}: {flag}", file=file)
