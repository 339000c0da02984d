"""Finding and reading result files for the analyses (compare, overall, hierarchy, pathways)."""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import BrainbenchError
from ..paths import checkout_root, folder_problem
from ..result import SCHEMA


def default_result_dirs() -> list[Path]:
    """Where results are looked for, in the leaderboard's order (a later folder wins): the built-in
    leaderboard results of the checkout, then ./results (what ``brainbench score`` writes)."""
    published = published_results_dir()
    return ([published] if published is not None else []) + [Path("results")]


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
    from ..leaderboard_checks import load_json_file

    path = Path(path)
    document, why = load_json_file(path)
    if why:
        raise BrainbenchError(f"cannot read result file {path}: {why}")
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise BrainbenchError(f"{path} is not a brainbench result (expected schema {SCHEMA!r})")
    if not isinstance(document.get("model"), dict) or not isinstance(document.get("scores"), list):
        raise BrainbenchError(f"{path} is not a brainbench result: its 'model' is not an object or it has no 'scores' list (a partial result?)")
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
    """The result in the ``<model>.json`` of the last of ``dirs`` that has one (a later folder wins; None:
    no such file), which must be that model's; a file named otherwise is found by the model it holds."""
    for folder in reversed(dirs):
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
    """One result per model from every result file in ``dirs``, read as the leaderboard reads them: in
    folder order, files sorted by name, a later file of the same build (weights and modality) adding its
    benchmarks to the earlier or replacing them, a later file of another build replacing the earlier.
    ``warn`` (a function of one line) hears of every file left out or replaced, and of every entry not used."""
    by_model: dict[str, dict] = {}
    for folder in dirs if dirs is not None else default_result_dirs():
        for path in sorted(Path(folder).glob("*.json")):
            try:
                result = read_result(path)
            except BrainbenchError as exc:
                _tell(warn, f"{path}: left out: {exc}")
                continue
            name = model_name(result)
            by_model[name] = result if name not in by_model else _later(by_model[name], result, warn)
    for result in by_model.values():
        for line in result_warnings(result):
            _tell(warn, line)
    return list(by_model.values())


def _later(earlier: dict, later: dict, warn) -> dict:
    """``later`` merged into ``earlier`` (the same build: per benchmark the later file wins), or in its place."""
    from ..leaderboard_checks import build_difference
    from ..result import merge_results

    difference = build_difference(earlier["model"], later["model"])
    if difference is not None:
        _tell(warn, f"{earlier['_path']}: replaced: model {model_name(later)!r} is also in {later['_path']} with {difference}")
        return later
    merged = merge_results({k: v for k, v in earlier.items() if k != "_invalid"}, {k: v for k, v in later.items() if k != "_invalid"})
    merged["_path"] = later["_path"]  # where an analysis of the merged result is written: the latest file
    return merged


def _tell(warn, line: str) -> None:
    if warn is not None:
        warn(line)
