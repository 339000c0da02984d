"""What a result file must satisfy before the leaderboard shows it: names, benchmark ids, scores, samples.

Every check returns the problems it finds as sentences that name the field and the fix; the builder
(:mod:`brainbench.leaderboard`) lists them with the file's path, marks a bad score **invalid** (never
"not run", never averaged), and refuses a model whose name could deceive a reader (bidirectional
overrides, control characters) or a script (``__proto__``).
"""
from __future__ import annotations

import base64
import binascii
import math
import os
import re
import unicodedata
from pathlib import Path

NAME_MAX = 100
#: names that would reach Object.prototype in a browser if used as plain-object keys
RESERVED_NAMES = frozenset({"__proto__", "constructor", "prototype", "hasOwnProperty", "toString", "valueOf", "__defineGetter__",
                            "__defineSetter__", "__lookupGetter__", "__lookupSetter__", "isPrototypeOf", "propertyIsEnumerable",
                            "toLocaleString"})
#: unicode categories a displayed name may not hold: control, format (bidi overrides, zero-width), private, unassigned
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
BENCHMARK_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{1,64}$")
#: a noise ceiling on the r scale lies in (0, 1]; below 0.05 the data hold almost no signal and a ceiled score explodes
CEILING_RANGE = (0.05, 1.0)
#: scores bounded by construction (correlations in [-1, 1]; R^2 at most 1)
SCORE_BOUNDS = {"pearson": (-1.0, 1.0), "pearson_r": (-1.0, 1.0), "spearman": (-1.0, 1.0), "kendall_tau_a": (-1.0, 1.0),
                "r": (-1.0, 1.0), "cka": (-1.0, 1.0), "r2": (-math.inf, 1.0)}
TOLERANCE = 1e-9
BOOTSTRAP_ENCODING = "float32-le-base64"
BOOTSTRAP_SOURCES = ("stimuli", "subjects")


def text_problem(value, what: str, limit: int = NAME_MAX) -> str | None:
    """Why ``value`` cannot be shown as a name (None if it can): empty, too long, hidden characters, reserved."""
    if not isinstance(value, str) or not value.strip():
        return f"{what} must be a non-empty string, got {value!r}"
    if len(value) > limit:
        return f"{what} is {len(value)} characters long; at most {limit} are allowed (shorten it)"
    for ch in value:
        if unicodedata.category(ch) in FORBIDDEN_CATEGORIES:
            label = unicodedata.name(ch, "a control or format character")
            return (f"{what} {ascii(value)} contains U+{ord(ch):04X} ({label}); names must be plain visible text "
                    "(bidirectional overrides and control characters can make a name display as another)")
    if value != value.strip():
        return f"{what} {value!r} has leading or trailing spaces"
    if value in RESERVED_NAMES:
        return f"{what} {value!r} is reserved (a JavaScript object property); choose another name"
    return None


def benchmark_id_problem(bench) -> str | None:
    if not isinstance(bench, str) or not BENCHMARK_ID.match(bench):
        return (f"benchmark id {bench!r} is not of the form <dataset>.<region>.<metric> "
                "(letters, digits, '_' and '-' in each part)")
    return None


def finite(x) -> float | None:
    """A finite float or None (JSON written by Python may hold NaN/Infinity; booleans are not numbers)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x) if math.isfinite(x) else None


def score_problems(entry: dict) -> tuple[list[str], list[str]]:
    """(problems that make the score invalid, flags to show beside a valid score) for one score entry."""
    problems: list[str] = []
    raw = finite(entry.get("raw"))
    if raw is None:
        problems.append(f"raw score {entry.get('raw')!r} is not a finite number")
    else:
        problems += _bounds_problems(raw, entry.get("score_name"))
    ceiling, ceiled = entry.get("ceiling"), entry.get("ceiled")
    if ceiling is None:
        if ceiled is not None:
            problems.append(f"ceiled score {ceiled!r} is given without a noise ceiling")
    else:
        problems += _ceiling_problems(ceiling, ceiled, raw)
    for source in BOOTSTRAP_SOURCES:
        problems += _interval_problems(entry, source)
    flags = []
    value = finite(ceiled)
    if not problems and value is not None and value > 1.0 + TOLERANCE:
        flags.append(f"ceiled score {value:.3f} > 1: above the noise ceiling (kept, not clipped)")
    return problems, flags


def _bounds_problems(raw: float, score_name) -> list[str]:
    low, high = SCORE_BOUNDS.get(score_name, (-math.inf, math.inf))
    if raw < low - TOLERANCE or raw > high + TOLERANCE:
        return [f"raw {score_name} {raw!r} is outside its possible range [{low}, {high}]"]
    return []


def _ceiling_problems(ceiling, ceiled, raw: float | None) -> list[str]:
    c = finite(ceiling)
    if c is None:
        return [f"noise ceiling {ceiling!r} is not a finite number"]
    low, high = CEILING_RANGE
    if not low - TOLERANCE <= c <= high + TOLERANCE:
        return [f"noise ceiling {c!r} is outside the plausible range [{low}, {high}] (a ceiling that small makes the ceiled score meaningless)"]
    value = finite(ceiled)
    if value is None:
        return [f"ceiled score {ceiled!r} is not a finite number although the ceiling {c:.4g} is"]
    if raw is not None and not math.isclose(value, raw / c, rel_tol=1e-6, abs_tol=1e-9):
        return [f"ceiled score {value!r} is not raw / ceiling = {raw / c!r}"]
    return []


def _interval_problems(entry: dict, source: str) -> list[str]:
    block = entry.get(f"ci95_{source}")
    if block is None:
        return []
    if not isinstance(block, dict):
        return [f"ci95_{source} is not an object"]
    problems = []
    for kind in ("raw", "ceiled"):
        interval, point = block.get(kind), finite(entry.get(kind))
        if interval is None:
            continue
        where = f"ci95_{source}.{kind}"
        if not isinstance(interval, (list, tuple)) or len(interval) != 2 or any(finite(v) is None for v in interval):
            problems.append(f"{where} {interval!r} is not two finite numbers")
        elif interval[0] > interval[1] + TOLERANCE:
            problems.append(f"{where} [{interval[0]!r}, {interval[1]!r}] is inverted (low > high)")
        elif point is not None and not interval[0] - TOLERANCE <= point <= interval[1] + TOLERANCE:
            problems.append(f"{where} [{interval[0]:.4g}, {interval[1]:.4g}] does not contain the score {point:.4g}")
    return problems


def bootstrap_problem(boot, entry: dict) -> str | None:
    """Why a score's ``bootstrap`` block cannot be used for paired differences (None if it can)."""
    if not isinstance(boot, dict):
        return "bootstrap is not an object"
    statistic = boot.get("statistic")
    expected = "ceiled" if entry.get("ceiling") is not None else "raw"
    if statistic != expected:
        return f"bootstrap.statistic is {statistic!r}; this score {'has' if expected == 'ceiled' else 'has no'} ceiling, so it must be {expected!r}"
    if boot.get("encoding") != BOOTSTRAP_ENCODING:
        return f"bootstrap.encoding is {boot.get('encoding')!r}, expected {BOOTSTRAP_ENCODING!r}"
    if not isinstance(boot.get("stimuli"), dict):
        return "bootstrap.stimuli is missing"
    for source in BOOTSTRAP_SOURCES:
        block = boot.get(source)
        if block is None and source == "subjects":
            continue
        why = _samples_problem(block)
        if why:
            return f"bootstrap.{source}: {why}"
    return None


def _samples_problem(block) -> str | None:
    if not isinstance(block, dict):
        return "not an object"
    seed, n, samples = block.get("seed"), block.get("n"), block.get("samples")
    if isinstance(seed, bool) or not isinstance(seed, int):
        return f"seed {seed!r} is not an integer"
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        return f"n {n!r} is not an integer >= 2"
    if not isinstance(samples, str):
        return "samples is not a base64 string"
    try:
        size = len(base64.b64decode(samples, validate=True))
    except (binascii.Error, ValueError):
        return "samples is not valid base64"
    if size != 4 * n:
        return f"samples decode to {size} bytes; n = {n} float32 values need {4 * n}"
    return None


# -- paths --------------------------------------------------------------------------------------------
_ABSOLUTE = re.compile(r"(?<![\w.:/~-])(/(?:[^\s/'\"<>|;:,]+/)+[^\s/'\"<>|;:,]*)")


def display_path(path: str | Path, folder: str | Path | None = None, root: Path | None = None) -> str:
    """A path as published: relative to the checkout, else to the working folder, else ``<folder name>/<file>``."""
    path = Path(path).resolve()
    for base in (root, Path.cwd()):
        if base is not None:
            try:
                return path.relative_to(Path(base).resolve()).as_posix()
            except ValueError:
                pass
    if folder is not None:
        folder = Path(folder).resolve()
        try:
            return (Path(folder.name) / path.relative_to(folder)).as_posix()
        except ValueError:
            pass
    return path.name


def scrub_paths(text: str, root: Path | None = None) -> str:
    """Absolute paths in free text (commands, errors, weight sources) made relative or cut to their tail.

    Under the checkout: relative to it; inside a ``site-packages`` folder: from there on; elsewhere: the
    file name only. The build machine's folder layout is never published."""
    if "/" not in text or not _ABSOLUTE.search(text):
        return text
    resolved_root = str(root.resolve()) + os.sep if root is not None else None

    def replace(match: re.Match) -> str:
        path = match.group(1)
        if resolved_root and (path + os.sep).startswith(resolved_root):
            return path[len(resolved_root):] or "."
        if "/site-packages/" in path:
            return "site-packages/" + path.split("/site-packages/", 1)[1]
        return path.rstrip("/").rsplit("/", 1)[-1] or "/"

    return _ABSOLUTE.sub(replace, text)
