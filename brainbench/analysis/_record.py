"""Writing an analysis into the result file it was computed from, so the site shows the same numbers."""
from __future__ import annotations

import copy
from pathlib import Path

from ..errors import BrainbenchError
from ..result import write_json_atomic


def recording_problem(result: dict, kind: str, key: str, benchmarks: list[str] | None = None) -> str | None:
    """Why ``record_analysis(result, kind, key, ...)`` must not write (None: it may), said before the
    work: a result read from the checkout's published results by default (they change only when that
    folder is named), or an analysis over ``benchmarks`` that would replace one over more of them."""
    path = result.get("_path")
    if not path:
        return "this result was not read from a file; there is nothing to record the analysis in"
    if result.get("_published"):
        return (f"{path} is one of the checkout's published results, which an analysis rewrites only when that folder is "
                f"given. To record: pass --results {Path(path).parent}, or score the model into your own results first "
                f"(brainbench score --model {result.get('model', {}).get('name', 'M')})")
    previous = ((result.get("analyses") or {}).get(kind) or {}).get(key)
    covered = [row.get("benchmark") for row in (previous or {}).get("comparison", []) if isinstance(row, dict)]
    if benchmarks is not None and not set(covered) <= set(benchmarks):
        return (f"{path} already holds the {kind} analysis {key!r} over {len(covered)} benchmarks, and this run covers "
                f"{len(set(covered) & set(benchmarks))} of them (--benchmark): recording it would replace the fuller one. "
                "To record: run it without --benchmark")
    return None


def record_analysis(result: dict, kind: str, key: str, payload: dict) -> Path:
    """``result["analyses"][kind][key] = payload``, written back to the result's file (atomically)."""
    problem = recording_problem(result, kind, key)
    if problem:
        raise BrainbenchError(f"not recorded: {problem}")
    document = copy.deepcopy({k: v for k, v in result.items() if not k.startswith("_")})
    document.setdefault("analyses", {}).setdefault(kind, {})[key] = payload
    try:
        return write_json_atomic(result["_path"], document)
    except OSError as exc:
        raise BrainbenchError(f"cannot write the analysis into {result['_path']}: {exc}. Pass --no-record to only print it") from exc
