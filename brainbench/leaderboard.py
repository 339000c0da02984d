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

from . import __version__, bootstrap
from .errors import BrainbenchError, OutputError
from .leaderboard_checks import (
    ANALYSES_MAX, ANALYSIS_KINDS, FORBIDDEN_CATEGORIES, NESTING_MAX, benchmark_id_problem, best_layer_problem, bootstrap_problem,
    build_difference, card_pathways_problem, display_path, finite, load_json_file, pathways_analysis_problem, score_problems, scrub_paths,
    text_problem,
)
from .paths import checkout_root, folder_problem
from .result import SCHEMA, check_output_dir, output_error

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
            _read_bootstrap(entry, cleaned, f"scores[{places[-1]}] ({bench})", shown, collected)
        record["scores"][bench] = cleaned


def _read_bootstrap(entry: dict, cleaned: dict, where: str, shown: str, collected: Collected) -> None:
    """The checked bootstrap block into ``cleaned``; a malformed one dropped (a malformed ``best_layer`` alone), listed."""
    bench = cleaned["benchmark"]
    why = bootstrap_problem(entry["bootstrap"], entry)
    if why:
        collected.problem(shown, f"{where}: {why}", outcome="bootstrap samples dropped", benchmark=bench)
        return
    stimuli = entry["bootstrap"]["stimuli"]
    keep_best = "best_layer" in stimuli
    if keep_best:
        why = best_layer_problem(stimuli, len(cleaned["layer_order"]))
        if why:
            collected.problem(shown, f"{where}: bootstrap.stimuli.{why}", outcome="best-layer resamples dropped (no hierarchy interval)", benchmark=bench)
            keep_best = False
    cleaned["bootstrap"] = _bootstrap_copy(entry["bootstrap"], keep_best)


def _bootstrap_copy(boot: dict, best_layer: bool = False) -> dict:
    """The checked bootstrap block, field by field (its base64 must not pass through the text cleaning)."""
    def samples(block):
        return None if block is None else {"seed": block["seed"], "n": block["n"], "samples": block["samples"]}

    stimuli = samples(boot["stimuli"])
    if best_layer:
        stimuli["best_layer"] = boot["stimuli"]["best_layer"]
    return {"statistic": boot["statistic"], "encoding": boot["encoding"], "stimuli": stimuli, "subjects": samples(boot.get("subjects"))}


def _read_failures(document: dict, record: dict, shown: str, collected: Collected) -> None:
    failed = document.get("failed") if isinstance(document.get("failed"), list) else []
    for i, entry in enumerate(failed):
        bench = entry.get("benchmark") if isinstance(entry, dict) else None
        if bench != "*" and benchmark_id_problem(bench):
            collected.problem(shown, f"failed[{i}] has no valid benchmark id ({bench!r})", outcome="failure entry skipped")
            continue
        record["failed"][bench] = _text(entry.get("error"), "failed (no message)")[:MESSAGE_MAX]


# -- files -------------------------------------------------------------------------------------------
def _nesting(document) -> int:
    """How deeply lists and objects nest (counted without recursion, so no file can exhaust the stack)."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            if depth <= NESTING_MAX:
                stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def _load_document(path: Path, shown: str, collected: Collected) -> dict | None:
    document, why = load_json_file(path)
    if why:
        collected.problem(shown, why)
        return None
    if _nesting(document) > NESTING_MAX:
        collected.problem(shown, f"nested more than {NESTING_MAX} levels deep (a result file is about 8); not read")
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
    card = _card(model.get("card"), shown, collected)
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
        "analyses": _read_analyses(document.get("analyses"), model["name"], shown, collected),
    }
    _read_scores(document, record, shown, collected)
    _read_failures(document, record, shown, collected)
    return record


def _card(card, shown: str, collected: Collected) -> dict:
    """The model card; declared pathways that are malformed are dropped (depths then run along the whole network), listed."""
    card = dict(card) if isinstance(card, dict) else {}
    why = card_pathways_problem(card)
    if why:
        collected.problem(shown, f"model.card: {why}", outcome="pathways ignored (layer depths along the whole network)")
        card.pop("pathways", None)
        card.pop("shared_layers", None)
    return card


def _read_analyses(analyses, model: str, shown: str, collected: Collected) -> dict:
    """Recorded analyses the site shows (``pathways``), each checked; a malformed one is listed, never shown.
    Recorded hierarchy analyses are not copied: the site computes its own from the scores."""
    if analyses is None:
        return {}
    if not isinstance(analyses, dict):
        collected.problem(shown, "analyses is not an object", outcome="analyses ignored")
        return {}
    for kind in analyses:
        if kind not in ANALYSIS_KINDS:
            collected.problem(shown, f"analyses.{str(kind)[:40]}: not an analysis the site knows ({', '.join(ANALYSIS_KINDS)})", outcome="analysis ignored")
    block = analyses.get("pathways")
    if block is None:
        return {}
    if not isinstance(block, dict) or len(block) > ANALYSES_MAX:
        collected.problem(shown, f"analyses.pathways must be an object of at most {ANALYSES_MAX} analyses", outcome="analysis not shown")
        return {}
    kept = {}
    for key, analysis in block.items():
        why = text_problem(key, "the analysis key") or pathways_analysis_problem(analysis, model)
        if why:
            collected.problem(shown, f"analyses.pathways[{ascii(str(key)[:60])}]: {why}", outcome="analysis not shown")
            continue
        kept[key] = _pathways_copy(analysis)
    return {"pathways": kept} if kept else {}


def _pathways_copy(a: dict) -> dict:
    """A checked pathway analysis, rebuilt field by field (numbers finite or None, text cleaned)."""
    def summary(x):
        return {"statistic": x["statistic"], "score": finite(x.get("score")), "raw": finite(x.get("raw")), "ceiling": finite(x.get("ceiling")),
                "ci95_stimuli": _interval(x.get("ci95_stimuli")), "ci95_subjects": _interval(x.get("ci95_subjects")),
                "chosen_layer": _text(x.get("chosen_layer")) or None}

    def difference(d):
        if d is None:
            return None
        out = {k: finite(d.get(k)) for k in ("a", "b", "difference", "se", "p", "p_holm")}
        out.update(ci95=_interval(d.get("ci95")), n_resamples=d["n_resamples"] if isinstance(d.get("n_resamples"), int) else None)
        return out

    rows = [{"benchmark": r["benchmark"], "verdict": r["verdict"], "separated": r.get("separated"), "note": _text(r.get("note")) or None,
             "stimuli": difference(r.get("stimuli")), "subjects": difference(r.get("subjects"))} for r in a["comparison"]]
    return {
        "pathways": {_clean(k): [_clean(x) for x in v] for k, v in a["pathways"].items()},
        "contrast": [_clean(c) for c in a["contrast"]],
        "scores": {_clean(p): {b: summary(x) for b, x in by.items()} for p, by in a["scores"].items()},
        "comparison": rows, "alpha": finite(a.get("alpha", 0.05)),
        "interactions": [_interaction_copy(i) for i in a.get("interactions") or []],
        "method": _text(a.get("method")), "version": _text(None if a.get("version") is None else str(a["version"])),
    }


def _interaction_copy(i: dict) -> dict:
    """A checked stream interaction (brainbench.analysis._streams), rebuilt field by field."""
    areas = i.get("areas") if isinstance(i.get("areas"), dict) else {}
    in_stream = i.get("in_stream") if isinstance(i.get("in_stream"), list) and len(i["in_stream"]) == 2 else [None, None]
    return {
        "family": _clean(i["family"]), "streams": [_clean(s) for s in i["streams"]],
        "areas": {_clean(s): [_clean(x) for x in v] for s, v in areas.items() if isinstance(v, list)},
        "in_stream": [finite(x) for x in in_stream], "interaction": finite(i["interaction"]), "ci95": _interval(i.get("ci95")),
        "p": finite(i.get("p")), "p_holm": finite(i.get("p_holm")), "source": _text(i.get("source")),
    }


def collect_results(folders: Iterable[str | Path]) -> Collected:
    """Read every ``*.json`` in the folders, in order; a later file for the same model adds to, or replaces, the earlier."""
    collected = Collected()
    folders = [Path(folder) for folder in folders]
    _check_result_folders(folders)
    for folder in folders:
        if not any(folder.glob("*.json")):
            collected.problem(display_path(folder, None, checkout_root()), "holds no result files (*.json)", outcome="nothing read")
        for path in sorted(folder.glob("*.json")):
            record = read_result(path, collected, folder)
            if record is None:
                continue
            collected.files.append(record["files"][0])
            _merge(collected, record)
    return collected


def _check_result_folders(folders: list[Path]) -> None:
    for folder in folders:
        problem = folder_problem(Path(folder))
        if problem:
            raise BrainbenchError(f"results folder {folder} {problem} (expected a folder of brainbench result JSON files)")


def _merge(collected: Collected, record: dict) -> None:
    name = record["name"]
    earlier = collected.models.get(name)
    if earlier is None:
        collected.models[name] = record
        return
    difference = build_difference(earlier, record)
    if difference is None:
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
        for kind, block in record["analyses"].items():  # a later analysis replaces one under the same key
            earlier["analyses"].setdefault(kind, {}).update(block)
        return
    collected.problem(
        earlier["files"][0],
        f"model {name!r} is also in {record['files'][0]} with {difference}; the later file replaces this one", outcome="file replaced",
    )
    collected.models[name] = record


# -- what the table shows ----------------------------------------------------------------------------
def cell_value(entry: dict) -> float | None:
    """The number a table cell shows: the ceiled score, or the raw score where the benchmark has no ceiling."""
    return entry["ceiled"] if entry.get("ceiling") is not None else entry["raw"]


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



# -- answers: the overall score and ranking per modality, group means, discriminability, hierarchy ----------
#: how ties are marked (brainbench.analysis.rank), as the site and data.json state it
TIES_METHOD = (
    "models sorted by the ranked score, best first; each is compared with the next one by the paired bootstrap test "
    "on the score's stored stimulus resamples (d +/- 1.96 se, two-sided normal p), Holm over the adjacent pairs; "
    "tied = that test does not separate them at alpha"
)
DISCRIMINABILITY_FIELDS = ("n_models", "n_pairs", "n_separated", "fraction_separated", "score_sd", "median_ci_half_width", "spread_over_ci", "alpha", "statistic", "note")


def analysis_result(record: dict) -> dict:
    """A site record as the analysis functions (brainbench.analysis) read a result file: its **valid** scores only
    (an invalid score never counts), each with its checked bootstrap block, and the card's declared pathways."""
    card = record.get("card") or {}
    return {"model": {"name": record["name"], "modality": record["modality"],
                      "card": {k: card[k] for k in ("pathways", "shared_layers") if k in card}},
            "scores": list(record["scores"].values())}


def rankings(results: list[dict], registry, alpha: float = 0.05) -> dict[str, dict]:
    """``brainbench.analysis.rank_modality`` for each modality present: one leaderboard per modality, never mixed."""
    from .analysis import rank_modality

    boards = {}
    for m in sorted({r["model"]["modality"] for r in results}):
        boards[m] = rank_modality([r for r in results if r["model"]["modality"] == m], m, registry, alpha)
        boards[m]["by_dataset"] = _ranked_dataset(boards[m])
    return boards


def _ranked_dataset(board: dict) -> str | None:
    """The raw dataset a modality is ranked by when it has no ceiled dataset (as rank_modality picks it), else None."""
    if board["by"] == "overall":
        return None
    return sorted({name for o in board["scores"].values() for name, d in o.datasets.items() if d.statistic == "raw"})[0]


def _ranked_score(board: dict, name: str) -> tuple[float | None, Any, list[str]]:
    """(value, resamples, datasets they come from) of the score a model is ranked by."""
    o, by = board["scores"][name], board["by_dataset"]
    if by is None:
        counted = sorted(n for n, d in o.datasets.items() if d.statistic == "ceiled")
        return o.value, o.samples, counted
    d = o.datasets.get(by)
    return (d.value, d.samples, [by]) if d else (None, None, [])


def board_info(board: dict) -> dict:
    """What data.json says about one modality's leaderboard: what it is ranked by, the definition, the tie rule."""
    scores = board["scores"].values()
    return {
        "modality": board["modality"], "by": board["by"], "by_dataset": board["by_dataset"], "alpha": board["alpha"],
        "ceiled_datasets": sorted({n for o in scores for n, d in o.datasets.items() if d.statistic == "ceiled"}),
        "raw_datasets": sorted({n for o in scores for n, d in o.datasets.items() if d.statistic == "raw"}),
        "n_models": len(board["rows"]), "n_ranked": sum(r["rank"] is not None for r in board["rows"]),
        "definition": board["definition"], "version": board["version"], "ties": TIES_METHOD,
    }


def _pair(x) -> list | None:
    return None if x is None else [_round(x[0]), _round(x[1])]


def _rank_summary(row: dict, board: dict) -> dict:
    """data.js: the model's place in its modality's ranking (6 decimals)."""
    value, samples, _ = _ranked_score(board, row["model"])
    return {"rank": row["rank"], "value": _round(value), "ci95": _pair(bootstrap.interval(samples)) if samples is not None else None,
            "tied_with_next": row["tied_with_next"], "p_holm_to_next": _round(row.get("p_holm_to_next"))}


def _ranking_detail(row: dict, board: dict) -> dict:
    """The model file: the ranking row and the overall score at full precision, with the ranked score's resamples
    (float32 base64, paired with another model's where both come from the same datasets)."""
    _, samples, datasets = _ranked_score(board, row["model"])
    out = _clean({"by": board["by"], "difference_to_next": None, "p_holm_to_next": None, **row, "overall": board["scores"][row["model"]].as_dict()})
    # base64 holds "/": it must not pass through the text cleaning (which shortens absolute paths)
    out["samples"] = None if samples is None else {"encoding": bootstrap.ENCODING, "n": int(samples.shape[0]), "datasets": datasets, "samples": bootstrap.encode(samples)}
    return out


def group_registries(groups: list[dict], registry) -> dict:
    """Per metric, a registry whose datasets score that metric by default, so that every group mean (dataset x
    metric) follows the overall score's dataset rule: regions of a group (the layers of one 2-photon area)
    averaged first, derived regions (NH2015 ``all``) left out, a missing region leaves the mean undefined."""
    from dataclasses import replace

    from .registry import DatasetPlugin, Registry

    out: dict = {}
    for g in groups:
        plugin = registry.datasets.get(g["dataset"])
        if plugin is None:  # in a result but not installed here: its regions as the results name them
            regions = tuple(b.split(".")[1] for b in g["benchmarks"])
            plugin = DatasetPlugin(g["dataset"], g["modality"], "unknown", regions, _no_data, g["metric"])
        elif plugin.default_metric != g["metric"]:
            plugin = replace(plugin, default_metric=g["metric"])
        out.setdefault(g["metric"], Registry()).add(plugin)
    return out


def _no_data(data_dir=None):
    raise BrainbenchError("the leaderboard reads scores, never data")


def group_means(record: dict, result: dict, groups: list[dict], registries: dict) -> dict:
    """Each group's mean (value, 95% interval, coverage) by the overall score's dataset rule."""
    from .analysis import overall_score as dataset_rule

    mine = [g for g in groups if g["modality"] == record["modality"]]
    scores = {}
    for metric in {g["metric"] for g in mine}:
        scores.update({(name, metric): d for name, d in dataset_rule(result, registries[metric]).datasets.items()})
    return {g["id"]: _mean_cell(record, g, scores.get((g["dataset"], g["metric"])), registries[g["metric"]].datasets[g["dataset"]]) for g in mine}


def _mean_cell(record: dict, group: dict, score, plugin) -> dict:
    ids = [f"{group['dataset']}.{r}.{group['metric']}" for r in plugin.regions if r not in plugin.derived_regions]
    failed_all = "*" in record["failed"]
    out = {"value": _round(score.value) if score else None, "ci95": _pair(score.ci95) if score else None,
           "scored": sum(b in record["scores"] for b in ids), "applicable": len(ids)}
    invalid = sum(b in record["invalid"] for b in ids)
    failed = sum(b not in record["scores"] and b not in record["invalid"] and (b in record["failed"] or failed_all) for b in ids)
    out.update({k: v for k, v in (("failed", failed), ("invalid", invalid)) if v})  # left out when zero (data.js stays small)
    return out


def benchmark_discriminability(bench: str, results: list[dict], alpha: float = 0.05) -> dict:
    """``brainbench.analysis.discriminability`` over the models with a valid score on ``bench`` (rounded for data.json)."""
    from .analysis import discriminability

    scored = [r for r in results if any(e["benchmark"] == bench for e in r["scores"])]
    try:
        d = discriminability(scored, bench, alpha)
    except (ArithmeticError, TypeError, ValueError) as exc:  # degenerate resamples (e.g. none finite in common)
        return {"n_scored": len(scored), "error": f"not computed: {exc.__class__.__name__}: {exc}"[:MESSAGE_MAX]}
    out = {k: (_round(d[k]) if isinstance(d.get(k), float) else d.get(k)) for k in DISCRIMINABILITY_FIELDS if k in d}
    return {"n_scored": len(scored), **out}


def model_hierarchies(record: dict, result: dict, registry) -> dict:
    """``brainbench.analysis.hierarchy`` for each dataset of the model's modality that declares a hierarchy and on
    which the model has a score; where it cannot be computed, the reason."""
    from .analysis import hierarchy

    out = {}
    for plugin in registry.datasets.values():
        if plugin.modality != record["modality"] or not plugin.hierarchy:
            continue
        metric = plugin.default_metric
        entries = [record["scores"][b] for b in (f"{plugin.name}.{r}.{metric}" for r in plugin.hierarchy) if b in record["scores"]]
        if not entries:
            continue
        key = f"{plugin.name}.{metric}"
        why = _layer_orders_problem(entries)
        try:
            out[key] = _clean(hierarchy(result, plugin.name, metric, registry=registry).as_dict()) if why is None else None
        except BrainbenchError as exc:
            why = str(exc)
        if why:
            out[key] = {"model": record["name"], "dataset": plugin.name, "metric": metric, "error": _clean(why)[:MESSAGE_MAX]}
    return out


def _layer_orders_problem(entries: list[dict]) -> str | None:
    """The hierarchy analysis reads every region's profile along one layer order."""
    order = entries[0]["layer_order"]
    if not order or any(e["layer_order"] != order for e in entries):
        return "the regions' scores list different candidate layers (layer_order); re-score them with one set of layers"
    missing = [layer for e in entries for layer in order if layer not in e["layer_profile"]]
    return f"layer {missing[0]!r} of layer_order has no layer_profile score" if missing else None


def methods() -> dict:
    """The definitions and versions of every derived number the site shows (data.json ``methods``)."""
    from .analysis import _discriminability, _hierarchy, _overall, _pathways

    return {
        "overall": {"definition": _overall.DEFINITION, "version": _overall.VERSION},
        "ties": TIES_METHOD,
        "discriminability": {"method": _discriminability.METHOD, "version": _discriminability.VERSION},
        "hierarchy": {"method": _hierarchy.METHOD, "version": _hierarchy.VERSION},
        "pathways": {"method": _pathways.METHOD, "version": _pathways.VERSION},
    }


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
            "hierarchy": dict(plugin.hierarchy),
            "hierarchy_source": plugin.hierarchy_source,
            "region_groups": dict(plugin.region_groups),
            "derived_regions": list(plugin.derived_regions),
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


def _model_summary(record: dict, answers: dict, benchmarks: list[dict], reproduce: str) -> dict:
    stem = detail_id(record["name"])
    card = record["card"] or {}
    overall = answers["overall"]
    return {
        "name": record["name"],
        "modality": record["modality"],
        "training": record["training"],
        "overall": {"value": _round(overall.value), "ci95": _pair(overall.ci95)},
        "rank": answers["rank"],
        "means": answers["means"],
        "cells": [_cell_or_failed_all(record, b) for b in benchmarks],
        "weights_file_sha256": card.get("weights_sha256") if isinstance(card.get("weights_sha256"), str) else None,
        "bibtex": card.get("bibtex") if isinstance(card.get("bibtex"), str) else None,
        "reproduce": reproduce,
        "detail": f"models/{stem}.js",
        "detail_json": f"models/{stem}.json",
    }


def _answers(collected: Collected, groups: list[dict], registry) -> tuple[dict, dict, list[dict]]:
    """(model name -> its overall score, rank, group means, ranking detail, hierarchies; modality -> board; analysis results)."""
    results = {name: analysis_result(record) for name, record in collected.models.items()}
    boards = rankings(list(results.values()), registry)
    registries = group_registries(groups, registry)
    rows = {modality: {r["model"]: r for r in board["rows"]} for modality, board in boards.items()}
    out = {}
    for name, record in collected.models.items():
        board, row = boards[record["modality"]], rows[record["modality"]][name]
        out[name] = {
            "overall": board["scores"][name], "rank": _rank_summary(row, board), "ranking": _ranking_detail(row, board),
            "means": group_means(record, results[name], groups, registries),
            "hierarchy": model_hierarchies(record, results[name], registry),
        }
    return out, boards, list(results.values())


def site_data(collected: Collected, registry=None) -> dict:
    """The object the table renders: benchmarks (grouped), dataset and metric cards, compact model rows, problems.

    The per-model detail objects are in ``data['details']`` (name -> object); :func:`build_site` writes them
    to ``models/`` and leaves them out of data.js."""
    if registry is None:
        from .registry import default_registry

        registry = default_registry()
    datasets, metrics, default_benchmarks = _registry_info(registry)
    modality_of = {d: info["modality"] for d, info in datasets.items()}
    for record in collected.models.values():
        _registry_problems(record, collected, modality_of, metrics)
    # columns: every default benchmark of a registered dataset, plus any benchmark some result has
    seen = list(default_benchmarks)
    for record in collected.models.values():
        for bench in list(record["scores"]) + list(record["invalid"]) + list(record["failed"]):
            if bench not in seen and split_benchmark_id(bench):
                seen.append(bench)
    benchmarks = sorted((_benchmark_info(b, collected, datasets, metrics) for b in seen), key=lambda b: _benchmark_order(b, datasets))
    groups = _groups(benchmarks, datasets)
    answers, boards, results = _answers(collected, groups, registry)
    for b in benchmarks:
        b["discriminability"] = benchmark_discriminability(b["id"], results)
    models, details = [], {}
    for record in sorted(collected.models.values(), key=lambda r: r["name"].lower()):
        reproduce = reproduce_command(record, default_benchmarks, modality_of)
        mine = answers[record["name"]]
        models.append(_model_summary(record, mine, benchmarks, reproduce))
        details[record["name"]] = {"schema": MODEL_SCHEMA, **record, "reproduce": reproduce, "ranking": mine["ranking"], "hierarchy": mine["hierarchy"]}
    return {
        "schema": SITE_SCHEMA,
        "generated_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "brainbench_version": __version__,
        "cell_fields": list(CELL_FIELDS),
        "benchmarks": benchmarks,
        "groups": groups,
        "datasets": datasets,
        "metrics": metrics,
        "rankings": {m: board_info(b) for m, b in boards.items()},
        "methods": methods(),
        "models": models,
        "problems": collected.problems,
        "details": details,
    }


def _registry_problems(record: dict, collected: Collected, modality_of: dict, metrics: dict) -> None:
    """What a readable result holds that this installation cannot place: nothing at all, a modality no
    registered dataset has, a benchmark whose dataset or metric is not registered, or a benchmark of
    another modality than the model's. Each is shown as it is, and listed (``--strict`` fails on it)."""
    where = record["files"][-1]
    benches = list(record["scores"]) + list(record["invalid"]) + list(record["failed"])
    if not benches:
        collected.problem(where, f"model {record['name']!r} has no scores, failures or invalid entries (an empty result?)", outcome="model listed without scores")
    if record["modality"] not in set(modality_of.values()):
        known = ", ".join(sorted(set(modality_of.values())))
        collected.problem(where, f"model modality {record['modality']!r} is not that of any registered dataset ({known})", outcome="model shown as it is")
    for bench in benches:
        dataset, _, metric = split_benchmark_id(bench) or (bench, "", "")
        if dataset not in modality_of or metric not in metrics:
            collected.problem(where, f"{bench}: not a registered benchmark here (its dataset or metric plugin is not installed)",
                              outcome="shown without a data card", benchmark=bench)
        elif modality_of[dataset] != record["modality"]:
            collected.problem(where, f"{bench}: a {modality_of[dataset]} benchmark, in the result of a model whose modality is {record['modality']!r}",
                              outcome="shown as it is", benchmark=bench)


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


def site_folder_problem(out: Path, result_folders: list[Path]) -> str | None:
    """Why the site must not be written into ``out`` (None: it may): it is a folder of results (read
    now, or holding result files that later builds would read as broken ones), or it holds files the
    build would replace that an earlier build did not write."""
    from .result import is_result_file

    if not out.is_dir():
        return None
    if any(out.resolve() == Path(folder).resolve() for folder in result_folders):
        return "is a results folder this build reads"
    results = sorted(p.name for p in out.glob("*.json") if is_result_file(p))
    if results:
        return f"holds brainbench result files ({', '.join(results[:3])}); the site's data.json would sit among them"
    clash = [name for name in (*SITE_FILES, "data.json", "data.js") if (out / name).exists()]
    if clash and not _is_site_data(out / "data.json"):
        return f"holds {', '.join(clash)}, not written by a brainbench build, which the build would replace"
    return None


def _is_site_data(path: Path) -> bool:
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and str(document.get("schema", "")).startswith("brainbench.leaderboard/")


def build_site(results: Iterable[str | Path] | None = None, out: str | Path = "site", include_builtin: bool = True, registry=None,
               option: str = "--out") -> tuple[Path, dict]:
    """Write the static site to ``out``; returns (out, site data). Problems are in ``data['problems']``.
    ``option``: the command-line option that named ``out`` (for the messages)."""
    source = site_source_dir()
    folders = []
    builtin = builtin_results_dir()
    if include_builtin and builtin is not None:
        folders.append(builtin)
    folders += [Path(r) for r in results or []]
    if not folders:
        raise BrainbenchError("no result folders to build from (the built-in leaderboard/results/ is missing; pass --results DIR)")
    out = Path(out)
    if out.resolve() == source.resolve():
        raise BrainbenchError(f"{option} {out} is the site's source folder; choose another folder (default: site/)")
    problem = site_folder_problem(out, folders)
    if problem:
        raise OutputError(f"{option} {out} {problem}. Fix: choose an empty folder, or the folder of an earlier build (default: site/)")
    _check_result_folders(folders)  # before the output folder is made: a failed build leaves nothing behind
    check_output_dir(out, "the leaderboard site", option)  # before reading every result: a bad --out is told at once
    data = site_data(collect_results(folders), registry)
    try:
        write_site(data, out, source)
    except OSError as exc:  # e.g. the disk filled up while writing
        raise output_error(out, exc, "the leaderboard site", option) from None
    return out, data
