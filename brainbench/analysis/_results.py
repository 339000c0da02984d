"""Finding and reading result files for the analyses (compare, overall, hierarchy, pathways)."""
from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import BrainbenchError
from ..paths import checkout_root
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
        if not folder.is_dir():
            what = "is a file, not a folder" if folder.exists() else "does not exist"
            raise BrainbenchError(f"--results {folder} {what}. Fix: give a folder of brainbench result JSON files "
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
    document.setdefault("_path", str(path))
    return document


def find_result(model: str | dict, dirs: list[Path] | None = None) -> dict:
    """A result document: given as such, a path to a JSON file, or a model name looked up in ``dirs``."""
    if isinstance(model, dict):
        return model
    if str(model).endswith(".json") or os.sep in str(model):
        return read_result(model)
    published = published_results_dir() if dirs is None else None  # found there by default: read only
    dirs = dirs if dirs is not None else default_result_dirs()
    for folder in dirs:
        candidate = Path(folder) / f"{model}.json"
        if candidate.is_file():
            result = read_result(candidate)
            if published is not None and Path(folder) == published:
                result["_published"] = True
            return result
    looked = ", ".join(str(d) for d in dirs)
    raise BrainbenchError(f"no result for model {model!r} in {looked}. Score it first (brainbench score --model {model}) or pass --results DIR")


def scores_by_benchmark(result: dict) -> dict[str, dict]:
    return {s["benchmark"]: s for s in result.get("scores", []) if isinstance(s, dict) and "benchmark" in s}


def model_name(result: dict) -> str:
    return str(result.get("model", {}).get("name", "?"))


def all_results(dirs: list[Path] | None = None) -> list[dict]:
    """Every result file in ``dirs``; a model found in an earlier folder hides later copies."""
    seen, out = set(), []
    for folder in dirs if dirs is not None else default_result_dirs():
        for path in sorted(Path(folder).glob("*.json")):
            try:
                result = read_result(path)
            except BrainbenchError:
                continue
            if model_name(result) not in seen:
                seen.add(model_name(result))
                out.append(result)
    return out
