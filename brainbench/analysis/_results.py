"""Finding and reading result files for the analyses (compare, overall, hierarchy, pathways)."""
from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import BrainbenchError
from ..paths import checkout_root, folder_problem
from ..result import SCHEMA


def default_result_dirs() -> list[Path]:
    """Where results are looked for: ./results (what ``brainbench score`` writes), then the built-in
    leaderboard results of the checkout."""
    published = published_results_dir()
    return [Path("results")] + ([published] if published is not None else [])


def published_results_dir() -> Path | None:
    """The checkout's published results (leaderboard/results): read by default, written only when
    given explicitly (``--results``), never as a side effect of an analysis."""
    root = checkout_root()
    return None if root is None else root / "leaderboard" / "results"


def given_result_dirs(folders) -> list[Path] | None:
    """The ``--results`` folders a user gave (None: none given, use the defaults); one that is not a
    folder is an error naming it, never silently an empty set of results."""
    if not folders:
        return None
    dirs = [Path(folder).expanduser() for folder in folders]
    for folder in dirs:
        problem = folder_problem(folder)
        if problem:
            raise BrainbenchError(f"--results {folder} {problem}. Fix: give a folder of brainbench result JSON files "
                                  "(what `brainbench score --out` writes; default ./results)")
    return dirs


def read_result(path: str | os.PathLike) -> dict:
    path = Path(path)
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise BrainbenchError(f"cannot read result file {path}: {exc}") from exc
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise BrainbenchError(f"{path} is not a brainbench result (expected schema {SCHEMA!r})")
    if not isinstance(document.get("model"), dict) or not isinstance(document.get("scores", []), list):
        raise BrainbenchError(f"{path} is not a brainbench result: its 'model' is not an object or its 'scores' not a list")
    document.setdefault("_path", str(path))
    return document


def invalid_scores(result: dict) -> dict[str, str]:
    """benchmark -> why its entry cannot be used (the leaderboard's checks: a score that is not a finite
    number, out of its range, not raw / ceiling, an interval without it, unusable resamples). An
    analysis never uses such an entry; it treats the benchmark as not scored and says so. Kept in a
    result read from a file (``_invalid``): an analysis asks for every benchmark of every result."""
    if "_invalid" in result:
        return result["_invalid"]
    out = _invalid_entries(result)
    if result.get("_path"):
        result["_invalid"] = out
    return out


def _invalid_entries(result: dict) -> dict[str, str]:
    from ..leaderboard_checks import bootstrap_problem, score_problems

    out = {}
    for entry in result.get("scores", []):
        if not isinstance(entry, dict) or not isinstance(entry.get("benchmark"), str):
            continue
        problems = score_problems(entry)[0]
        if not problems and entry.get("bootstrap") is not None:
            problems = [why for why in [bootstrap_problem(entry["bootstrap"], entry)] if why]
        if problems:
            out[entry["benchmark"]] = problems[0]
    benchmarks = [e.get("benchmark") for e in result.get("scores", []) if isinstance(e, dict)]
    for name in {b for b in benchmarks if isinstance(b, str) and benchmarks.count(b) > 1}:
        out[name] = f"{benchmarks.count(name)} entries for this benchmark in one result"
    return out


def result_warnings(result: dict) -> list[str]:
    """One line per entry an analysis of ``result`` leaves out, naming its file and why."""
    where = result.get("_path") or model_name(result)
    return [f"{where}: {benchmark}: not used: {why}" for benchmark, why in sorted(invalid_scores(result).items())]


def find_result(model: str | dict, dirs: list[Path] | None = None) -> dict:
    """A result document: given as such, a path to a JSON file, or a model name looked up in ``dirs``."""
    if isinstance(model, dict):
        return model
    if str(model).endswith(".json") or os.sep in str(model):
        return read_result(model)
    published = published_results_dir() if dirs is None else None  # found there by default: read only
    dirs = dirs if dirs is not None else default_result_dirs()
    result = _by_file_name(str(model), dirs) or next((r for r in all_results(dirs) if model_name(r) == str(model)), None)
    if result is None:
        looked = ", ".join(str(d) for d in dirs)
        raise BrainbenchError(f"no result for model {model!r} in {looked}. Score it first (brainbench score --model {model}) or pass --results DIR")
    if published is not None and Path(result["_path"]).parent == published:
        result["_published"] = True
    return result


def _by_file_name(model: str, dirs: list[Path]) -> dict | None:
    """The result in the first ``<model>.json`` of ``dirs`` (None: no such file), which must be that
    model's; a file named otherwise is found by the model it holds, as ranking finds it."""
    for folder in dirs:
        candidate = Path(folder) / f"{model}.json"
        if candidate.is_file():
            result = read_result(candidate)
            if model_name(result) != model:
                raise BrainbenchError(f"{candidate} holds the result of model {model_name(result)!r}, not {model!r}. "
                                      f"Fix: give the file's path instead of a name, or rename it to {model_name(result)}.json")
            return result
    return None


def scores_by_benchmark(result: dict) -> dict[str, dict]:
    """The usable score entries of a result, by benchmark (see :func:`invalid_scores` for the others)."""
    invalid = invalid_scores(result)
    return {s["benchmark"]: s for s in result.get("scores", []) if isinstance(s, dict) and isinstance(s.get("benchmark"), str)
            and s["benchmark"] not in invalid}


def model_name(result: dict) -> str:
    return str(result.get("model", {}).get("name", "?"))


def all_results(dirs: list[Path] | None = None, warn=None) -> list[dict]:
    """Every result file in ``dirs``; a model found in an earlier file hides later copies. ``warn``
    (a function of one line) hears of every file left out and why, and of every entry not used."""
    seen: dict[str, str] = {}
    out = []
    for folder in dirs if dirs is not None else default_result_dirs():
        for path in sorted(Path(folder).glob("*.json")):
            try:
                result = read_result(path)
            except BrainbenchError as exc:
                _tell(warn, f"{path}: left out: {exc}")
                continue
            name = model_name(result)
            if name in seen:
                _tell(warn, f"{path}: left out: model {name!r} is already read from {seen[name]}")
                continue
            seen[name] = str(path)
            out.append(result)
            for line in result_warnings(result):
                _tell(warn, line)
    return out


def _tell(warn, line: str) -> None:
    if warn is not None:
        warn(line)
