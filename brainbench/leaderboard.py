"""The static leaderboard: result JSON files -> a folder that any static host (or ``file://``) can show.

The site is ``leaderboard/{index.html,app.js,style.css}`` (vanilla JS, no build step) plus the data the
builder writes beside them:

- ``data.js`` (``window.BRAINBENCH_DATA = {...}``, a script so that ``index.html`` opened from disk
  works, where browsers refuse ``fetch`` of local files) and the same object as ``data.json``: what the
  table needs and no more: per model one compact cell per benchmark (see ``CELL_FIELDS``), the overall
  score and the group means. It stays small at a thousand models.
- ``models/<id>.js`` (``window.BRAINBENCH_MODEL({...})``) and ``models/<id>.json``: everything else about
  one model (card, full score entries with layer profiles and bootstrap samples, provenance), loaded by
  the page only when a model page, a detail row or a comparison needs it.

Reading results is defensive and every score is checked (:mod:`brainbench.leaderboard_checks`): a file
that is not JSON, not a brainbench result, or names its model with hidden characters is reported and
skipped; a score that fails a check is shown as **invalid** (never "not run", never averaged); every
problem is listed with the file's path relative to the checkout (no absolute path is ever published).
Nothing from a result file is trusted as markup: app.js builds DOM nodes, never ``innerHTML``.

Benchmarks are grouped generically from their ids ``<dataset>.<region>.<metric>`` and the dataset
and metric plugins in the registry (regions in the dataset's order); a benchmark that is in a result
but no longer registered is still shown, without a data card.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import shlex
import shutil
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from . import __version__
from .errors import BrainbenchError
from .leaderboard_checks import (
    FORBIDDEN_CATEGORIES, benchmark_id_problem, bootstrap_problem, display_path, finite, score_problems, scrub_paths,
    text_problem,
)
from .paths import checkout_root
from .result import SCHEMA

SITE_SCHEMA = "brainbench.leaderboard/2"
MODEL_SCHEMA = "brainbench.leaderboard-model/1"
SITE_FILES = ("index.html", "app.js", "style.css")
#: one table cell per (model, benchmark), aligned with ``benchmarks``; null where the model has no result.
#: A failed or invalid cell is ``[status, message]``; trailing empty fields of a scored cell are left out.
CELL_FIELDS = ("status", "value", "raw", "ceiling", "ci_stimuli_low", "ci_stimuli_high", "ci_subjects_low",
               "ci_subjects_high", "chosen_layer", "flags")
#: fields of a score entry the site keeps; everything else (tracebacks, timings) stays in the result file
SCORE_FIELDS = (
    "benchmark", "version", "region", "metric", "score_name", "raw", "ceiling", "ceiled", "ceiling_note",
    "other_scores", "n_neuroids", "n_neuroids_scored", "n_stimuli", "n_subjects", "ci95_stimuli", "ci95_subjects",
    "chosen_layer", "chosen_layer_per_split", "layer_profile", "layer_order", "flags", "from_cache",
)
DIGITS = 6  # numbers in data.js: 6 decimals (the table shows 3); the model files keep full precision
MESSAGE_MAX = 400  # an error or invalid-score message in a table cell
TEXT_MAX = 20_000  # any other text from a result file (a card field, a bibtex entry)


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
    """Models read from result files, and every problem met on the way (relative path + what is wrong)."""

    models: dict[str, dict] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def problem(self, path: str, message: str, outcome: str = "file skipped", benchmark: str | None = None) -> None:
        entry = {"path": path, "problem": message, "outcome": outcome}
        if benchmark:
            entry["benchmark"] = benchmark
        self.problems.append(entry)


# -- cleaning ----------------------------------------------------------------------------------------
def _interval(x) -> list[float] | None:
    if isinstance(x, (list, tuple)) and len(x) == 2:
        lo, hi = finite(x[0]), finite(x[1])
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


def _visible(text: str) -> str:
    """Control and format characters (bidi overrides, NUL) in free text shown as U+FFFD; newlines and tabs kept."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(ch if ch in "\n\t" or unicodedata.category(ch) not in FORBIDDEN_CATEGORIES else "\ufffd" for ch in text)


def _clean(value: Any) -> Any:
    """JSON-safe copy: non-finite floats become None, strings lose hidden characters and absolute paths."""
    if isinstance(value, dict):
        return {_clean(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        if len(value) > TEXT_MAX:
            value = value[:TEXT_MAX] + f"… [{len(value) - TEXT_MAX} more characters not shown]"
        return scrub_paths(_visible(value), _ROOT)
    if value is None or isinstance(value, (int, bool)):
        return value
    return _clean(str(value))


_ROOT = checkout_root()  # resolved once: _clean runs on every string of every result file


def _text(x, default: str = "") -> str:
    return _clean(x) if isinstance(x, str) else default


def _label(x, default: str) -> str:
    """A short label (modality, training type): plain text or the default."""
    return x if isinstance(x, str) and text_problem(x, "label", limit=40) is None else default


def split_benchmark_id(benchmark_id: str) -> tuple[str, str, str] | None:
    return tuple(benchmark_id.split(".")) if benchmark_id_problem(benchmark_id) is None else None  # type: ignore[return-value]


# -- score entries -----------------------------------------------------------------------------------
def _cleaned_entry(entry: dict, bench: str) -> dict:
    _, region, metric = bench.split(".")
    out = {k: _clean(entry[k]) for k in SCORE_FIELDS if k in entry}
    out.update(
        benchmark=bench, region=_text(entry.get("region"), region), metric=_text(entry.get("metric"), metric),
        raw=finite(entry.get("raw")), ceiled=finite(entry.get("ceiled")), ceiling=finite(entry.get("ceiling")),
        ci95_stimuli=_ci(entry.get("ci95_stimuli")), ci95_subjects=_ci(entry.get("ci95_subjects")),
        chosen_layer=_text(entry.get("chosen_layer")) or None,
        flags=[_clean(f) for f in entry.get("flags") or [] if isinstance(f, str)] if isinstance(entry.get("flags"), list) else [],
    )
    out["layer_profile"] = _layer_profile(entry.get("layer_profile"))
    order = entry.get("layer_order")
    out["layer_order"] = [_clean(str(x)) for x in order] if isinstance(order, list) else list(out["layer_profile"])
    return out


def _layer_profile(profile) -> dict:
    out = {}
    if isinstance(profile, dict):
        for layer, point in profile.items():
            if isinstance(point, dict):
                cleaned = {"raw": finite(point.get("raw")), "ceiled": finite(point.get("ceiled"))}
                for key in ("ci95", "ci95_ceiled", "ci95_raw"):  # intervals per layer, where a metric gives them
                    if _interval(point.get(key)):
                        cleaned[key] = _interval(point.get(key))
                out[_clean(str(layer))] = cleaned
    return out


def _read_scores(document: dict, record: dict, shown: str, collected: Collected) -> None:
    """Each score entry into ``record['scores']`` (valid) or ``record['invalid']`` (with why); problems listed."""
    seen: dict[str, list[int]] = {}
    for i, entry in enumerate(document["scores"]):
        bench = entry.get("benchmark") if isinstance(entry, dict) else None
        why = "is not an object" if not isinstance(entry, dict) else benchmark_id_problem(bench)
        if why:
            collected.problem(shown, f"scores[{i}]: {why}", outcome="entry skipped (no column to show it in)")
            continue
        seen.setdefault(bench, []).append(i)
    for bench, places in seen.items():
        entry = document["scores"][places[-1]]
        problems, flags = score_problems(entry)
        if len(places) > 1:
            problems.insert(0, f"the benchmark appears {len(places)} times in this file (scores{places}); which one is the score?")
        cleaned = _cleaned_entry(entry, bench)
        cleaned["flags"] = cleaned["flags"] + [f for f in flags if f not in cleaned["flags"]]
        if problems:
            for problem in problems:
                collected.problem(shown, f"scores[{places[-1]}] ({bench}): {problem}", outcome="score shown as invalid", benchmark=bench)
            record["invalid"][bench] = {"problems": problems, "entry": cleaned}
            continue
        if "bootstrap" in entry:
            why = bootstrap_problem(entry["bootstrap"], entry)
            if why:
                collected.problem(shown, f"scores[{places[-1]}] ({bench}): {why}", outcome="bootstrap samples dropped", benchmark=bench)
            else:
                cleaned["bootstrap"] = _bootstrap_copy(entry["bootstrap"])
        record["scores"][bench] = cleaned


def _bootstrap_copy(boot: dict) -> dict:
    """The checked bootstrap block, field by field (its base64 must not pass through the text cleaning)."""
    def samples(block):
        return None if block is None else {"seed": block["seed"], "n": block["n"], "samples": block["samples"]}

    return {"statistic": boot["statistic"], "encoding": boot["encoding"], "stimuli": samples(boot["stimuli"]), "subjects": samples(boot.get("subjects"))}


def _read_failures(document: dict, record: dict, shown: str, collected: Collected) -> None:
    failed = document.get("failed") if isinstance(document.get("failed"), list) else []
    for i, entry in enumerate(failed):
        bench = entry.get("benchmark") if isinstance(entry, dict) else None
        if bench != "*" and benchmark_id_problem(bench):
            collected.problem(shown, f"failed[{i}] has no valid benchmark id ({bench!r})", outcome="failure entry skipped")
            continue
        record["failed"][bench] = _text(entry.get("error"), "failed (no message)")[:MESSAGE_MAX]


# -- files -------------------------------------------------------------------------------------------
def _load_document(path: Path, shown: str, collected: Collected) -> dict | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        collected.problem(shown, f"cannot be read: {exc.__class__.__name__}")
        return None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        collected.problem(shown, f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); a truncated or partial write?")
        return None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        found = document.get("schema") if isinstance(document, dict) else type(document).__name__
        collected.problem(shown, f"not a brainbench result (schema {found!r}, expected {SCHEMA!r})")
        return None
    model = document.get("model")
    if not isinstance(model, dict) or not isinstance(model.get("name"), str) or not model["name"].strip():
        collected.problem(shown, "has no model name (expected model.name, a non-empty string)")
        return None
    why = text_problem(model["name"], "model.name")
    if why:
        collected.problem(shown, why, outcome="model refused")
        return None
    if not isinstance(document.get("scores"), list):
        collected.problem(shown, "has no 'scores' list (a partial result?)")
        return None
    return document


def read_result(path: Path, collected: Collected, folder: Path | None = None) -> dict | None:
    """One result file as a site model record, or None (with the reason recorded) if unusable."""
    shown = display_path(path, folder, checkout_root())
    document = _load_document(path, shown, collected)
    if document is None:
        return None
    model = document["model"]
    card = model.get("card") if isinstance(model.get("card"), dict) else {}
    provenance = document.get("provenance") if isinstance(document.get("provenance"), dict) else {}
    record = {
        "name": model["name"],
        "modality": _label(model.get("modality"), "unknown"),
        "training": _label(model.get("training"), "unknown"),
        "card": _clean(card),
        "weights_sha256": _text(model.get("weights_sha256")) or None,
        "weights_source": _text(model.get("weights_source")) or None,
        "preprocessing": _clean(model.get("preprocessing")),
        "layers": [_clean(str(x)) for x in model.get("layers")] if isinstance(model.get("layers"), list) else [],
        "provenance": _clean({k: provenance.get(k) for k in ("brainbench_git_sha", "packages", "python", "platform", "device", "command", "started_utc", "wall_seconds", "peak_memory_mb", "gpu") if k in provenance}),
        "provenance_data": _clean(document.get("provenance_data") or {}),
        "files": [shown],
        "scores": {},
        "invalid": {},
        "failed": {},
    }
    _read_scores(document, record, shown, collected)
    _read_failures(document, record, shown, collected)
    return record


def collect_results(folders: Iterable[str | Path]) -> Collected:
    """Read every ``*.json`` in the folders, in order; a later file for the same model adds to, or replaces, the earlier."""
    collected = Collected()
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            raise BrainbenchError(f"results folder {folder} does not exist (expected a folder of brainbench result JSON files)")
        for path in sorted(folder.glob("*.json")):
            record = read_result(path, collected, folder)
            if record is None:
                continue
            collected.files.append(record["files"][0])
            _merge(collected, record)
    return collected


def _merge(collected: Collected, record: dict) -> None:
    name = record["name"]
    earlier = collected.models.get(name)
    if earlier is None:
        collected.models[name] = record
        return
    if earlier["weights_sha256"] == record["weights_sha256"] and earlier["modality"] == record["modality"]:
        # same model scored in several runs (e.g. one benchmark at a time): the later file wins per benchmark
        for kind, other in (("scores", "invalid"), ("invalid", "scores")):
            for bench, entry in record[kind].items():
                earlier[other].pop(bench, None)
                earlier["failed"].pop(bench, None)
                earlier[kind][bench] = entry
        for bench, error in record["failed"].items():
            if bench not in earlier["scores"] and bench not in earlier["invalid"]:  # a failed rerun never hides a result
                earlier["failed"][bench] = error
        earlier["files"] += record["files"]
        earlier["provenance"] = record["provenance"] or earlier["provenance"]
        return
    collected.problem(
        earlier["files"][0],
        f"model {name!r} is also in {record['files'][0]} with different weights (sha256 {str(record['weights_sha256'])[:12]} vs "
        f"{str(earlier['weights_sha256'])[:12]}); the later file replaces this one", outcome="file replaced",
    )
    collected.models[name] = record


# -- what the table shows ----------------------------------------------------------------------------
def cell_value(entry: dict) -> float | None:
    """The number a table cell shows: the ceiled score, or the raw score where the benchmark has no ceiling."""
    return entry["ceiled"] if entry.get("ceiling") is not None else entry["raw"]


def mean_over(record: dict, benchmark_ids: Iterable[str]) -> dict:
    """Plain mean of the cell values over the given benchmarks, with how many it covers (invalid and failed never count)."""
    values, failed, invalid, applicable = [], 0, 0, 0
    for bench in benchmark_ids:
        applicable += 1
        if bench in record["scores"]:
            values.append(cell_value(record["scores"][bench]))
        elif bench in record["invalid"]:
            invalid += 1
        elif bench in record["failed"] or "*" in record["failed"]:
            failed += 1
    return {"value": _round(sum(values) / len(values)) if values else None, "scored": len(values),
            "applicable": applicable, "failed": failed, "invalid": invalid}


def overall_score(record: dict, benchmarks: list[dict]) -> dict:
    """The leaderboard's **overall** column: the mean of the model's cell values (ceiled, or raw where a
    benchmark has no ceiling) over every benchmark of its modality that it has a valid score on, and
    how many of the applicable benchmarks that covers (``scored``/``applicable``; failures and invalid
    scores are counted apart, never as zero). One function, so a better overall (per modality, with an
    interval) replaces it in one place."""
    return mean_over(record, [b["id"] for b in benchmarks if b["modality"] == record["modality"]])


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, DIGITS)


def table_cell(record: dict, bench: str) -> list | None:
    """The compact cell of ``CELL_FIELDS`` for data.js, or None (no result)."""
    if bench in record["scores"]:
        e = record["scores"][bench]
        kind = "ceiled" if e.get("ceiling") is not None else "raw"
        stim = (e.get("ci95_stimuli") or {}).get(kind) or [None, None]
        subj = (e.get("ci95_subjects") or {}).get(kind) or [None, None]
        cell = ["scored", _round(cell_value(e)), _round(e["raw"]), _round(e.get("ceiling")), *map(_round, stim), *map(_round, subj),
                e.get("chosen_layer"), "; ".join(e.get("flags") or []) or None]
        while cell[-1] is None:  # trailing empty fields are left out (a reader treats a missing field as null)
            cell.pop()
        return cell
    if bench in record["invalid"]:
        return ["invalid", "; ".join(record["invalid"][bench]["problems"])[:MESSAGE_MAX]]
    if bench in record["failed"]:
        return ["failed", record["failed"][bench]]
    return None


def _cell_or_failed_all(record: dict, bench: dict) -> list | None:
    cell = table_cell(record, bench["id"])
    if cell is None and "*" in record["failed"] and bench["modality"] == record["modality"]:
        return ["failed", record["failed"]["*"]]  # the whole run failed: every benchmark of its modality
    return cell


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
    ran = sorted((set(record["scores"]) | set(record["invalid"]) | set(record["failed"])) - {"*"})
    defaults = sorted(b for b in default_benchmarks if modality_of.get(b.split(".")[0]) == record["modality"])
    command = f"brainbench score --model {shlex.quote(record['name'])}"
    if ran and ran != defaults:
        command += " --benchmark " + shlex.quote(",".join(ran))
    return command


def _benchmark_info(bench: str, collected: Collected, datasets: dict, metrics: dict) -> dict:
    dataset, region, metric = bench.split(".")
    entries = [r["scores"][bench] for r in collected.models.values() if bench in r["scores"]]
    first = entries[0] if entries else {}
    ceilings = [e["ceiling"] for e in entries if e.get("ceiling") is not None]
    return {
        "id": bench,
        "dataset": dataset,
        "region": region,
        "metric": metric,
        "modality": (datasets.get(dataset) or {}).get("modality")
        or next((r["modality"] for r in collected.models.values() if bench in r["scores"] or bench in r["invalid"]), "unknown"),
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
        # which intervals exist: the page falls back visibly to stimuli where there is none over subjects
        "intervals": [s for s in ("stimuli", "subjects") if any(e.get(f"ci95_{s}") for e in entries)],
    }


def _groups(benchmarks: list[dict], datasets: dict) -> list[dict]:
    groups: list[dict] = []
    for b in benchmarks:
        gid = f"{b['dataset']}.{b['metric']}"
        if not groups or groups[-1]["id"] != gid:
            title = (datasets.get(b["dataset"], {}).get("card") or {}).get("title") or b["dataset"]
            groups.append({"id": gid, "dataset": b["dataset"], "metric": b["metric"], "modality": b["modality"], "title": title, "benchmarks": []})
        groups[-1]["benchmarks"].append(b["id"])
    return groups


def detail_id(name: str) -> str:
    """The file stem of a model's detail files: a hash, so any model name makes a safe file name."""
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]


def _model_summary(record: dict, benchmarks: list[dict], groups: list[dict], reproduce: str) -> dict:
    stem = detail_id(record["name"])
    card = record["card"] or {}
    return {
        "name": record["name"],
        "modality": record["modality"],
        "training": record["training"],
        "overall": overall_score(record, benchmarks),
        "means": {g["id"]: mean_over(record, g["benchmarks"]) for g in groups if g["modality"] == record["modality"]},
        "cells": [_cell_or_failed_all(record, b) for b in benchmarks],
        "weights_file_sha256": card.get("weights_sha256") if isinstance(card.get("weights_sha256"), str) else None,
        "bibtex": card.get("bibtex") if isinstance(card.get("bibtex"), str) else None,
        "reproduce": reproduce,
        "detail": f"models/{stem}.js",
        "detail_json": f"models/{stem}.json",
    }


def site_data(collected: Collected, registry=None) -> dict:
    """The object the table renders: benchmarks (grouped), dataset and metric cards, compact model rows, problems.

    The per-model detail objects are in ``data['details']`` (name -> object); :func:`build_site` writes them
    to ``models/`` and leaves them out of data.js."""
    if registry is None:
        from .registry import default_registry

        registry = default_registry()
    datasets, metrics, default_benchmarks = _registry_info(registry)
    modality_of = {d: info["modality"] for d, info in datasets.items()}
    # columns: every default benchmark of a registered dataset, plus any benchmark some result has
    seen = list(default_benchmarks)
    for record in collected.models.values():
        for bench in list(record["scores"]) + list(record["invalid"]) + list(record["failed"]):
            if bench not in seen and split_benchmark_id(bench):
                seen.append(bench)
    benchmarks = sorted((_benchmark_info(b, collected, datasets, metrics) for b in seen), key=lambda b: _benchmark_order(b, datasets))
    groups = _groups(benchmarks, datasets)
    models, details = [], {}
    for record in sorted(collected.models.values(), key=lambda r: r["name"].lower()):
        reproduce = reproduce_command(record, default_benchmarks, modality_of)
        models.append(_model_summary(record, benchmarks, groups, reproduce))
        details[record["name"]] = {"schema": MODEL_SCHEMA, **record, "reproduce": reproduce}
    return {
        "schema": SITE_SCHEMA,
        "generated_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "brainbench_version": __version__,
        "cell_fields": list(CELL_FIELDS),
        "benchmarks": benchmarks,
        "groups": groups,
        "datasets": datasets,
        "metrics": metrics,
        "models": models,
        "problems": collected.problems,
        "details": details,
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


# -- writing ---------------------------------------------------------------------------------------
_DETAIL_FILE = re.compile(r"^[0-9a-f]{16}\.(js|json)$")


def _json(obj) -> str:
    return json.dumps(obj, ensure_ascii=True, allow_nan=False, separators=(",", ":"))


def _script(prefix: str, payload: str, suffix: str) -> str:
    # ensure_ascii keeps U+2028/2029 out; "</" is escaped so the payload could also be inlined in a <script>
    return prefix + payload.replace("</", "<\\/") + suffix


def write_site(data: dict, out: Path, source: Path) -> None:
    """index.html, app.js, style.css, data.js/json and models/<id>.js/json (stale model files removed)."""
    out.mkdir(parents=True, exist_ok=True)
    for name in SITE_FILES:
        shutil.copyfile(source / name, out / name)
    details = data.get("details") or {}
    table = {k: v for k, v in data.items() if k != "details"}
    payload = _json(table)
    (out / "data.json").write_text(payload)
    (out / "data.js").write_text(_script("window.BRAINBENCH_DATA = ", payload, ";\n"))
    folder = out / "models"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        if _DETAIL_FILE.match(old.name):
            old.unlink()
    for name, detail in details.items():
        stem = detail_id(name)
        body = _json(detail)
        (folder / f"{stem}.json").write_text(body)
        (folder / f"{stem}.js").write_text(_script("window.BRAINBENCH_MODEL(", body, ");\n"))


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
    data = site_data(collect_results(folders), registry)
    out = Path(out)
    if out.resolve() == source.resolve():
        raise BrainbenchError(f"--out {out} is the site's source folder; choose another folder (default: site/)")
    write_site(data, out, source)
    return out, data
