"""Writing an analysis into the result file it was computed from, so the site shows the same numbers."""
from __future__ import annotations

import copy
from pathlib import Path

from ..errors import BrainbenchError
from ..result import write_json_atomic


def record_analysis(result: dict, kind: str, key: str, payload: dict) -> Path:
    """``result["analyses"][kind][key] = payload``, written back to the result's file (atomically)."""
    path = result.get("_path")
    if not path:
        raise BrainbenchError("this result was not read from a file; nothing to record the analysis in")
    document = copy.deepcopy({k: v for k, v in result.items() if k != "_path"})
    document.setdefault("analyses", {}).setdefault(kind, {})[key] = payload
    try:
        return write_json_atomic(path, document)
    except OSError as exc:
        raise BrainbenchError(f"cannot write the analysis into {path}: {exc}. Pass --no-record to only print it") from exc
