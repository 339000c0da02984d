"""The static leaderboard: result JSON files -> a folder that any static host (or ``file://``) can show.

The site is ``leaderboard/{index.html,app.js,style.css}`` (vanilla JS, no build step) plus the data the
builder writes beside them: ``data.js`` (``window.BRAINBENCH_DATA = {...}``, so that ``index.html``
opened from disk works, where browsers refuse ``fetch`` of local files) and the same object as
``data.json`` for scripts.

Reading results is defensive: a file that is not JSON (a truncated write), not a brainbench result,
or lacks the model or scores is reported with its path and skipped; a malformed score entry is
reported and dropped while the file's other scores are kept. Nothing from a result file is trusted
as markup: the page renders every string as text (app.js builds DOM nodes, never ``innerHTML``).

Benchmarks are grouped generically from their ids ``<dataset>.<region>.<metric>`` and the dataset
and metric plugins in the registry (regions in the dataset's order); a benchmark that is in a result
but no longer registered is still shown, without a data card.
"""
from __future__ import annotations

import json
import math
import shlex
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from . import __version__
from .errors import BrainbenchError
from .paths import checkout_root
from .result import SCHEMA

SITE_SCHEMA = "brainbench.leaderboard/1"
SITE_FILES = ("index.html", "app.js", "style.css")
#: fields of a score entry the site uses; everything else (tracebacks, timings) stays in the result file
SCORE_FIELDS = (
    "benchmark", "version", "region", "metric", "score_name", "raw", "ceiling", "ceiled", "ceiling_note",
    "other_scores", "n_neuroids", "n_neuroids_scored", "n_stimuli", "n_subjects", "ci95_stimuli", "ci95_subjects",
    "chosen_layer", "chosen_layer_per_split", "layer_profile", "layer_order", "flags", "from_cache",
)


def site_source_dir() -> Path:
    """The site's template folder (``leaderboard/`` in the checkout)."""
    root = checkout_root()
    folder = root / "leaderboard" if root else None
    if folder is None or not all((folder / name).is_file() for name in SITE_FILES):
        raise BrainbenchError(
            f"leaderboard site template not found (looked for {', '.join(SITE_FILES)} in "
            f"{folder or '<checkout>/leaderboard'}); the leaderboard builds from a source checkout of brainbench"
        )
    return folder


def builtin_results_dir() -> Path | None:
    root = checkout_root()
    folder = root / "leaderboard" / "results" if root else None
    return folder if folder is not None and folder.is_dir() else None


@dataclass
class Collected:
    """Models read from result files, and every problem met on the way (path + what is wrong)."""

    models: dict[str, dict] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def problem(self, path, message: str, skipped: str = "file") -> None:
        self.problems.append({"path": str(path), "problem": message, "skipped": skipped})


# -- validation ------------------------------------------------------------------------------------
def _number(x) -> float | None:
    """A finite float or None (JSON written by Python may hold NaN/Infinity; browsers reject those)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x) if math.isfinite(x) else None


def _interval(x) -> list[float] | None:
    if isinstance(x, (list, tuple)) and len(x) == 2:
        lo, hi = _number(x[0]), _number(x[1])
        if lo is not None and hi is not None:
            return [lo, hi]
    return None


def _ci(x) -> dict | None:
    if not isinstance(x, dict):
        return None
    out = {"raw": _interval(x.get("raw")), "ceiled": _interval(x.get("ceiled"))}
    if isinstance(x.get("n_bootstrap"), int):
        out["n_bootstrap"] = x["n_bootstrap"]
    return out if out["raw"] or out["ceiled"] else None


def _text(x, default: str = "") -> str:
    return x if isinstance(x, str) else default


def _clean(value: Any) -> Any:
    """JSON-safe copy: non-finite floats become None, unknown objects become strings."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


def split_benchmark_id(benchmark_id: str) -> tuple[str, str, str] | None:
    parts = benchmark_id.split(".") if isinstance(benchmark_id, str) else []
    return tuple(parts) if len(parts) == 3 and all(parts) else None  # type: ignore[return-value]


def _score_entry(entry, where: str) -> tuple[dict | None, str | None]:
    """A cleaned score entry, or (None, why it is unusable)."""
    if not isinstance(entry, dict):
        return None, f"{where} is not an object"
    bench = entry.get("benchmark")
    if split_benchmark_id(bench) is None:
        return None, f"{where}: benchmark id {bench!r} is not of the form <dataset>.<region>.<metric>"
    raw, ceiled = _number(entry.get("raw")), _number(entry.get("ceiled"))
    if raw is None and ceiled is None:
        return None, f"{where} ({bench}): neither 'raw' nor 'ceiled' is a finite number"
    dataset, region, metric = split_benchmark_id(bench)
    out = {k: _clean(entry[k]) for k in SCORE_FIELDS if k in entry}
    out.update(
        benchmark=bench, region=_text(entry.get("region"), region), metric=_text(entry.get("metric"), metric),
        raw=raw, ceiled=ceiled, ceiling=_number(entry.get("ceiling")),
        ci95_stimuli=_ci(entry.get("ci95_stimuli")), ci95_subjects=_ci(entry.get("ci95_subjects")),
        chosen_layer=_text(entry.get("chosen_layer")) or None,
        flags=[f for f in entry.get("flags") or [] if isinstance(f, str)] if isinstance(entry.get("flags"), list) else [],
    )
    profile = entry.get("layer_profile")
    out["layer_profile"] = {}
    if isinstance(profile, dict):
        for layer, point in profile.items():
            if isinstance(point, dict):
                cleaned = {"raw": _number(point.get("raw")), "ceiled": _number(point.get("ceiled"))}
                for key in ("ci95", "ci95_ceiled", "ci95_raw"):  # intervals per layer, where a metric gives them
                    if _interval(point.get(key)):
                        cleaned[key] = _interval(point.get(key))
                out["layer_profile"][str(layer)] = cleaned
    order = entry.get("layer_order")
    out["layer_order"] = [str(x) for x in order] if isinstance(order, list) else list(out["layer_profile"])
    return out, None


def read_result(path: Path, collected: Collected) -> dict | None:
    """One result file as a site model record, or None (with the reason recorded) if unusable."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        collected.problem(path, f"cannot be read: {exc}")
        return None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        collected.problem(path, f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); a truncated or partial write?")
        return None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        found = document.get("schema") if isinstance(document, dict) else type(document).__name__
        collected.problem(path, f"not a brainbench result (schema {found!r}, expected {SCHEMA!r})")
        return None
    model = document.get("model")
    if not isinstance(model, dict) or not isinstance(model.get("name"), str) or not model["name"].strip():
        collected.problem(path, "has no model name (expected model.name, a non-empty string)")
        return None
    if not isinstance(document.get("scores"), list):
        collected.problem(path, "has no 'scores' list (a partial result?)")
        return None
    name = model["name"]
    card = model.get("card") if isinstance(model.get("card"), dict) else {}
    provenance = document.get("provenance") if isinstance(document.get("provenance"), dict) else {}
    record = {
        "name": name,
        "modality": _text(model.get("modality"), "unknown"),
        "training": _text(model.get("training"), "unknown"),
        "card": _clean(card),
        "weights_sha256": _text(model.get("weights_sha256")) or None,
        "weights_source": _text(model.get("weights_source")) or None,
        "preprocessing": _clean(model.get("preprocessing")),
        "layers": [str(x) for x in model.get("layers")] if isinstance(model.get("layers"), list) else [],
        "provenance": _clean({k: provenance.get(k) for k in ("brainbench_git_sha", "packages", "python", "platform", "device", "command", "started_utc", "wall_seconds", "peak_memory_mb", "gpu") if k in provenance}),
        "provenance_data": _clean(document.get("provenance_data") or {}),
        "files": [str(path)],
        "scores": {},
        "failed": {},
    }
    for i, entry in enumerate(document["scores"]):
        cleaned, why = _score_entry(entry, f"scores[{i}]")
        if cleaned is None:
            collected.problem(path, why, skipped="score entry")
            continue
        record["scores"][cleaned["benchmark"]] = cleaned
    failed = document.get("failed") if isinstance(document.get("failed"), list) else []
    for i, entry in enumerate(failed):
        if not isinstance(entry, dict) or not isinstance(entry.get("benchmark"), str):
            collected.problem(path, f"failed[{i}] has no benchmark id", skipped="failure entry")
            continue
        record["failed"][entry["benchmark"]] = _text(entry.get("error"), "failed (no message)")
    return record


def collect_results(folders: Iterable[str | Path]) -> Collected:
    """Read every ``*.json`` in the folders, in order; a later file for the same model adds to, or replaces, the earlier."""
    collected = Collected()
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            raise BrainbenchError(f"results folder {folder} does not exist (expected a folder of brainbench result JSON files)")
        for path in sorted(folder.glob("*.json")):
            record = read_result(path, collected)
            if record is None:
                continue
            collected.files.append(str(path))
            _merge(collected, record, path)
    return collected


def _merge(collected: Collected, record: dict, path: Path) -> None:
    name = record["name"]
    earlier = collected.models.get(name)
    if earlier is None:
        collected.models[name] = record
        return
    if earlier["weights_sha256"] == record["weights_sha256"] and earlier["modality"] == record["modality"]:
        # same model scored in several runs (e.g. one benchmark at a time): the later file wins per benchmark
        earlier["scores"].update(record["scores"])
        for bench in record["scores"]:
            earlier["failed"].pop(bench, None)
        for bench, error in record["failed"].items():
            if bench not in earlier["scores"]:  # a failed rerun never hides a score that exists
                earlier["failed"][bench] = error
        earlier["files"] += record["files"]
        earlier["provenance"] = record["provenance"] or earlier["provenance"]
        return
    collected.problem(
        earlier["files"][0],
        f"model {name!r} is also in {path} with different weights (sha256 {str(record['weights_sha256'])[:12]} vs "
        f"{str(earlier['weights_sha256'])[:12]}); the later file replaces this one",
    )
    collected.models[name] = record


# -- site data -------------------------------------------------------------------------------------
def _registry_info(registry) -> tuple[dict, dict, list[str]]:
    datasets, metrics = {}, {}
    for name, plugin in registry.datasets.items():
        datasets[name] = {
            "name": name,
            "modality": plugin.modality,
            "recording_kind": plugin.recording_kind,
            "regions": list(plugin.regions),
            "default_metric": plugin.default_metric,
            "versions": _clean(plugin.versions),
            "aggregate": plugin.aggregate,
            "card": _clean(plugin.card),
        }
    for name, plugin in registry.metrics.items():
        config = {}
        try:  # the metric's own description of itself (solver, ceiling method); cheap to construct
            config = plugin.factory().config()
        except Exception:
            pass
        metrics[name] = {"name": name, "description": plugin.description or _first_paragraph(plugin.factory), "config": _clean(config), "applies_to": list(plugin.applies_to)}
    return datasets, metrics, registry.benchmark_names(default_only=True)


def _first_paragraph(obj) -> str:
    import inspect

    module = inspect.getmodule(obj)
    doc = (module.__doc__ if module else None) or (obj.__doc__ or "")
    return " ".join(doc.strip().split("\n\n")[0].split())


def reproduce_command(record: dict, default_benchmarks: list[str], modality_of: dict[str, str]) -> str:
    """The ``brainbench score`` command that recomputes this model's scores (and its failures)."""
    ran = sorted((set(record["scores"]) | set(record["failed"])) - {"*"})
    defaults = sorted(b for b in default_benchmarks if modality_of.get(b.split(".")[0]) == record["modality"])
    command = f"brainbench score --model {shlex.quote(record['name'])}"
    if ran and ran != defaults:
        command += " --benchmark " + shlex.quote(",".join(ran))
    return command


def site_data(collected: Collected, registry=None) -> dict:
    """The object the page renders: models, benchmarks (grouped), dataset and metric cards, problems."""
    if registry is None:
        from .registry import default_registry

        registry = default_registry()
    datasets, metrics, default_benchmarks = _registry_info(registry)
    modality_of = {d: info["modality"] for d, info in datasets.items()}
    # columns: every default benchmark of a registered dataset, plus any benchmark some result has
    seen = list(default_benchmarks)
    for record in collected.models.values():
        for bench in list(record["scores"]) + list(record["failed"]):
            if bench not in seen and split_benchmark_id(bench):
                seen.append(bench)
    benchmarks = []
    for bench in seen:
        dataset, region, metric = split_benchmark_id(bench)
        entries = [r["scores"][bench] for r in collected.models.values() if bench in r["scores"]]
        first = entries[0] if entries else {}
        ceilings = [e["ceiling"] for e in entries if e.get("ceiling") is not None]
        benchmarks.append({
            "id": bench,
            "dataset": dataset,
            "region": region,
            "metric": metric,
            "modality": modality_of.get(dataset) or next((r["modality"] for r in collected.models.values() if bench in r["scores"]), "unknown"),
            "registered": dataset in datasets and metric in metrics,
            "version": str(first.get("version") or (datasets.get(dataset, {}).get("versions") or {}).get(metric, "")),
            "score_name": first.get("score_name"),
            # the ceiling belongs to the data, not the model; differing values mean different data versions
            "ceiling": ceilings[0] if ceilings else None,
            "ceiling_values_differ": len({round(c, 9) for c in ceilings}) > 1,
            "ceiling_note": first.get("ceiling_note"),
            "n_neuroids": first.get("n_neuroids"),
            "n_stimuli": first.get("n_stimuli"),
            "n_subjects": first.get("n_subjects"),
        })
    benchmarks.sort(key=lambda b: _benchmark_order(b, datasets))
    groups: list[dict] = []
    for b in benchmarks:
        gid = f"{b['dataset']}.{b['metric']}"
        if not groups or groups[-1]["id"] != gid:
            title = (datasets.get(b["dataset"], {}).get("card") or {}).get("title") or b["dataset"]
            groups.append({"id": gid, "dataset": b["dataset"], "metric": b["metric"], "modality": b["modality"], "title": title, "benchmarks": []})
        groups[-1]["benchmarks"].append(b["id"])
    models = []
    for record in collected.models.values():
        models.append({**record, "reproduce": reproduce_command(record, default_benchmarks, modality_of)})
    models.sort(key=lambda m: m["name"].lower())
    return {
        "schema": SITE_SCHEMA,
        "generated_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "brainbench_version": __version__,
        "benchmarks": benchmarks,
        "groups": groups,
        "datasets": datasets,
        "metrics": metrics,
        "models": models,
        "problems": [{**p, "path": p["path"]} for p in collected.problems],
    }


def _benchmark_order(b: dict, datasets: dict) -> tuple:
    dataset_names = list(datasets)
    info = datasets.get(b["dataset"])
    d_rank = dataset_names.index(b["dataset"]) if info else len(dataset_names)
    modality_rank = {"vision": 0, "audio": 1}.get(b["modality"], 2)
    m_rank = 0 if info and info["default_metric"] == b["metric"] else 1
    regions = info["regions"] if info else []
    r_rank = regions.index(b["region"]) if b["region"] in regions else len(regions)
    return (modality_rank, d_rank, b["dataset"], m_rank, b["metric"], r_rank, b["region"])


def build_site(results: Iterable[str | Path] | None = None, out: str | Path = "site", include_builtin: bool = True, registry=None) -> tuple[Path, dict]:
    """Write the static site to ``out``; returns (out, site data). Problems are in ``data['problems']``."""
    source = site_source_dir()
    folders = []
    builtin = builtin_results_dir()
    if include_builtin and builtin is not None:
        folders.append(builtin)
    folders += [Path(r) for r in results or []]
    if not folders:
        raise BrainbenchError("no result folders to build from (the built-in leaderboard/results/ is missing; pass --results DIR)")
    collected = collect_results(folders)
    data = site_data(collected, registry)
    out = Path(out)
    if out.resolve() == source.resolve():
        raise BrainbenchError(f"--out {out} is the site's source folder; choose another folder (default: site/)")
    out.mkdir(parents=True, exist_ok=True)
    for name in SITE_FILES:
        shutil.copyfile(source / name, out / name)
    payload = json.dumps(data, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    (out / "data.json").write_text(payload)
    # ensure_ascii keeps U+2028/2029 out; "</" is escaped so the payload could also be inlined in a <script>
    (out / "data.js").write_text("window.BRAINBENCH_DATA = " + payload.replace("</", "<\\/") + ";\n")
    return out, data
