"""``brainbench list models|benchmarks|datasets|metrics``."""
from __future__ import annotations

from .data import registry_with


def register(sub) -> None:
    p = sub.add_parser("list", help="list registered models, benchmarks, datasets or metrics")
    p.add_argument("what", choices=["models", "benchmarks", "datasets", "metrics"], nargs="?", default="models")
    p.add_argument("--plugin", action="append", default=[], metavar="PATH",
                   help="a plugin folder (or a folder of plugin folders) to add, anywhere (repeatable; also $BRAINBENCH_PLUGINS)")
    p.set_defaults(func=run)


def _table(rows):
    from ..table import format_table

    print(format_table(rows))


def run(args) -> int:
    reg = registry_with(args.plugin)
    if args.what == "models":
        rows = [("model", "modality", "training", "weights here", "where")]
        for name, plugin in sorted(reg.models.items()):
            try:
                available, where = plugin.weights_status() if plugin.weights_status else (None, "")
            except Exception as exc:  # a plugin's status check must not break the listing
                available, where = False, f"status check failed: {exc}"
            rows.append((name, plugin.modality, plugin.training, {True: "yes", False: "NO", None: "?"}[available], where))
        _table(rows)
    elif args.what == "benchmarks":
        rows = [("benchmark", "modality", "version", "default")]
        for b in sorted(reg.benchmark_names()):
            dataset, _, metric = reg.parse_benchmark(b)
            rows.append((b, dataset.modality, dataset.versions.get(metric.name, "1"), "yes" if metric.name == dataset.default_metric else ""))
        _table(rows)
    elif args.what == "datasets":
        rows = [("dataset", "modality", "recording", "regions")]
        for name, d in sorted(reg.datasets.items()):
            rows.append((name, d.modality, d.recording_kind, ", ".join(d.regions)))
        _table(rows)
    else:
        rows = [("metric", "applies to", "description")]
        for name, m in sorted(reg.metrics.items()):
            rows.append((name, ", ".join(m.applies_to), m.description))
        _table(rows)
    for failure in reg.failures:
        print(f"plugin failed to load: {failure.kind} {failure.source}: {failure.error}")
    return 0
