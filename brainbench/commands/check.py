"""``brainbench check PATH``: validate a model plugin (card, build, layers, cost) before scoring it."""
from __future__ import annotations

import sys

from . import check_json_option, positive_seconds, write_json_option


def register(sub) -> None:
    p = sub.add_parser(
        "check",
        help="check a plugin folder anywhere (model, dataset or metric) or a registered name",
        description="A model plugin: validates the card, builds the model in a subprocess, runs it on a tiny generated "
        "stimulus set on the CPU, checks every candidate layer and estimates the cost of the full benchmarks. "
        "A dataset plugin: its declaration, its manifest, its data (if here) against the manifest and the documented "
        "recording, and a benchmark run on made-up layers (docs/datasets.md). A metric plugin: its runs on synthetic "
        "recordings (docs/metrics.md). Exit status 1 if there is any problem.",
    )
    p.add_argument("path", help="plugin folder (e.g. submissions/my_model, ~/lab/toy_ecog) or a registered model, dataset or metric name")
    p.add_argument("--model", help="check only this model of a plugin that registers several")
    p.add_argument("--weights", help="explicit weights file to build with")
    p.add_argument("--weights-dir", help="folder holding pinned weights files (searched before $BRAINBENCH_WEIGHTS, ../shared/weights, the user cache)")
    p.add_argument("--timeout", type=positive_seconds, default=300, help="seconds allowed for import + build + run (default 300)")
    p.add_argument("--data-dir", help="data folder: where a dataset plugin's data are looked for first, and the stimulus counts of a model's memory estimate")
    p.add_argument("--json", dest="json_out", help="also write the report as JSON to this file")
    p.set_defaults(func=run)


def _mb(n: float) -> str:
    if n < 2**20:
        return f"{n / 2**10:,.0f} KB"
    return f"{n / 2**20:,.1f} MB" if n < 2**30 else f"{n / 2**30:,.2f} GB"


def print_report(report, file=None) -> None:
    file = file or sys.stdout  # looked up per call: a captured or replaced stdout is honoured
    print(f"brainbench check {report.target}", file=file)
    for info in report.models:
        print(f"\n{info['name']} ({info['modality']}, {info['training']}): built in {info['build_s']:.1f} s, "
              f"{_mb(info['parameter_bytes'])} of weights, {info['seconds_per_stimulus'] * 1000:.0f} ms per stimulus on the CPU", file=file)
        print(f"  weights: {info['weights_source']}", file=file)
        rows = [("layer", "width", "finite, stable, deterministic")]
        problem_layers = {f.where[6:] for f in report.errors if f.where.startswith("layer ") and f.model == info["name"]}
        for layer, layer_info in info["layers"].items():
            rows.append((layer, f"{layer_info['width']:,}", "PROBLEM" if layer in problem_layers else "ok"))
        from ..table import format_table

        print("\n".join("  " + line for line in format_table(rows, rule=False).splitlines()), file=file)
        for dataset, cost in info.get("cost", {}).items():
            if cost.get("stimuli") is None:
                print(f"  {dataset}: cost unknown ({cost.get('error')})", file=file)
                continue
            print(f"  full benchmarks on {dataset} ({cost['stimuli']} stimuli): activations {_mb(cost['activations_bytes'])} on disk, "
                  f"Gram matrices {_mb(cost['gram_bytes'])}, peak memory ~{_mb(cost['peak_bytes'])} above the interpreter's own, "
                  f"~{cost['cpu_seconds']:.{0 if cost['cpu_seconds'] >= 10 else 1}f} s of forward passes on this CPU", file=file)
    for info in report.datasets:
        print_dataset(info, file)
    for info in report.metrics:
        print_metric(info, file)
    warnings = [f for f in report.findings if f.severity != "error"]
    if warnings:
        print("\nwarnings:", file=file)
        for f in warnings:
            print(f"  {f.where}: {(f.model + ': ') if f.model else ''}{f.message}", file=file)
    if report.errors:
        print(f"\nFAILED: {len(report.errors)} problem(s):", file=file)
        for f in report.errors:
            print(f"  {f.where}: {(f.model + ': ') if f.model else ''}{f.message}", file=file)
    else:
        counts = [f"{len(items)} {kind}(s)" for kind, items in (("model", report.models), ("dataset", report.datasets), ("metric", report.metrics)) if items]
        print(f"\nPASSED ({', '.join(counts) or 'nothing checked'}, {report.seconds:.1f} s)", file=file)


def print_dataset(info: dict, file) -> None:
    print(f"\ndataset {info['name']} ({info['modality']}, recording kind {info['recording_kind']}): regions {', '.join(info['regions'])}", file=file)
    if "manifest" in info:
        m = info["manifest"]
        print(f"  manifest: {m['files']} file(s), {_mb(m['bytes'])}, folder {m['folder']}; data: {info.get('data', {}).get('state', '?')} {info.get('data', {}).get('where') or ''}".rstrip(), file=file)
    if "n_neuroids" in info:
        shape = f"{info['n_repetitions']} repetition(s) x {info['n_stimuli']} stimuli x {info['n_neuroids']} neuroids, {info['n_subjects']} subject(s)"
        print(f"  recording: {shape}; per region {info['neuroids_per_region']}", file=file)
    elif "n_stimuli" in info:
        print(f"  recording: {info['n_stimuli']} stimuli", file=file)
    controls = info.get("controls")
    if controls:
        raw = ", ".join(f"{layer} {value:.3f}" if value is not None else f"{layer} -" for layer, value in controls["raw"].items())
        print(f"  {controls['benchmark']} on made-up layers (raw): {raw}", file=file)
    print(f"  benchmarks: {', '.join(info.get('benchmarks', [])) or 'none'}", file=file)


def _number(value) -> str:
    return "none" if value is None else f"{value:.3f}"


def print_metric(info: dict, file) -> None:
    print(f"\nmetric {info['name']} (applies to {', '.join(info['applies_to'])}; primary {info.get('primary', '?')}, "
          f"{'per neuroid' if info.get('per_neuroid') else 'per population'})", file=file)
    for kind, run in (info.get("runs") or {}).items():
        if run:
            raw = ", ".join(f"{layer} {value:.3f}" if value is not None else f"{layer} -" for layer, value in run["raw"].items())
            print(f"  synthetic {kind} recording: {raw}; chosen {run['chosen_layer']}, ceiling {_number(run['ceiling'])}", file=file)


def run(args) -> int:
    from ..checking import check
    from ..paths import check_data_dir, check_weights_dir

    check_data_dir(args.data_dir)  # a mistyped folder is said, never a PASSED on other data or weights
    check_weights_dir(args.weights_dir)
    if args.json_out:
        check_json_option(args.json_out)  # before the build, which can take minutes
    report = check(args.path, model=args.model, weights=args.weights, timeout=args.timeout, data_dir=args.data_dir, weights_dir=args.weights_dir)
    print_report(report)
    if args.json_out:
        write_json_option(args.json_out, report.to_dict())
    if any(finding.where == "target" for finding in report.errors):
        return 2  # nothing to check: a usage error, as elsewhere
    return 0 if report.ok else 1
