"""``brainbench score``: score one model (or several) on benchmarks and write result files."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from ..registry import default_registry
from ..scoring import score
from ..store import Store


def register(sub) -> None:
    p = sub.add_parser("score", help="score a model on benchmarks (default: every benchmark of its modality)")
    p.add_argument("--model", "--models", dest="models", required=True, help="model name, or comma-separated names")
    p.add_argument("--benchmark", "--benchmarks", dest="benchmarks", action="append", help="benchmark id (repeatable or comma-separated); default: all of the model's modality")
    p.add_argument("--metric", help="use this metric's benchmarks instead of the default metric (e.g. ridge)")
    p.add_argument("--data-dir", help="folder holding the dataset folders (else $BRAINBENCH_DATA, ../shared/data, user cache)")
    p.add_argument("--weights", help="explicit pretrained weights file for the model")
    p.add_argument("--device", default="auto", help="cpu, cuda, cuda:1, ... (default: cuda if available)")
    p.add_argument("--out", default="results", help="folder for result JSON files (default: ./results)")
    p.add_argument("--cache-dir", help="activation/score cache (default: $BRAINBENCH_CACHE or ~/.cache/brainbench)")
    p.add_argument("--no-score-cache", action="store_true", help="recompute scores even if cached")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
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
        )
        print_table(result, time.time() - t0)
        print(f"result written to {out}")
        if result["failed"]:
            status = 1
    return status


def _fmt(x, digits=3):
    return "—" if x is None else f"{x:.{digits}f}"


def print_table(result: dict, wall: float, file=sys.stdout) -> None:
    rows = [("benchmark", "chosen layer", "raw", "ceiling", "ceiled", "ceiled 95% CI (stimuli)", "time s")]
    for s in result["scores"]:
        ci = (s.get("ci95_stimuli") or {}).get("ceiled") or (s.get("ci95_stimuli") or {}).get("raw")
        rows.append(
            (
                s["benchmark"],
                s["chosen_layer"],
                _fmt(s["raw"]),
                _fmt(s["ceiling"]),
                _fmt(s["ceiled"]),
                f"[{_fmt(ci[0])}, {_fmt(ci[1])}]" if ci else "—",
                "cached" if s.get("from_cache") else f"{s['seconds']:.1f}",
            )
        )
    for f in result["failed"]:
        rows.append((f["benchmark"], "FAILED", "—", "—", "—", f["error"][:40], "—"))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    model = result["model"]
    print(f"\n{model['name']} ({model['modality']}, {model['training']})  score: {result['scores'][0]['score_name'] if result['scores'] else ''}", file=file)
    for i, row in enumerate(rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)), file=file)
        if i == 0:
            print("  ".join("-" * w for w in widths), file=file)
    prov = result["provenance"]
    print(f"wall time {wall:.1f} s, peak memory {prov.get('peak_memory_mb', 0):.0f} MB, device {prov.get('device')}", file=file)
    for s in result["scores"]:
        for flag in s.get("flags", []):
            print(f"note: {s['benchmark']}: {flag}", file=file)
