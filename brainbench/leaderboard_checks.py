"""What a result file must satisfy before the leaderboard shows it: names, benchmark ids, scores, samples.

Every check returns the problems it finds as sentences that name the field and the fix; the builder
(:mod:`brainbench.leaderboard`) lists them with the file's path, marks a bad score **invalid** (never
"not run", never averaged), and refuses a model whose name could deceive a reader (bidirectional
overrides, control characters) or a script (``__proto__``).
"""
from __future__ import annotations

import base64
import binascii
import json
import math
import os
import re
import unicodedata
from pathlib import Path

import numpy as np

NAME_MAX = 100
NESTING_MAX = 64  # a result file nests about 8 levels deep; far deeper is refused (it could only exhaust the stack)
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


def load_json_file(path: Path):
    """(document, None), or (None, why the file cannot be a result) for a file read as JSON: a folder or
    a broken link in its place, an unreadable file, text that is not UTF-8 (a leading byte-order mark is
    accepted), invalid JSON, a number longer than Python reads. Shared by the leaderboard and the
    analyses, so both refuse the same files with the same words."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        return None, "is a folder, not a file (a result is a .json file)"
    except FileNotFoundError:
        return None, f"is a broken link (to {os.readlink(path)})" if path.is_symlink() else "does not exist"
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or exc})"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}); a result file is written as UTF-8 JSON"
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); a truncated or partial write?"
    except ValueError:  # Python refuses integers of more than sys.get_int_max_str_digits() digits
        return None, "holds a number with thousands of digits, which no score or count can be; not read"
    except RecursionError:
        return None, f"nested more than {NESTING_MAX} levels deep (a result file is about 8); not read"


def build_difference(earlier: dict, later: dict) -> str | None:
    """How two results of one model name differ in what was scored (None: the same build, so their
    benchmarks can be merged): the weights' sha256, or the modality. Leaderboard and analyses alike."""
    a, b = earlier.get("weights_sha256"), later.get("weights_sha256")
    if a != b:
        return f"different weights (sha256 {str(b)[:12]} vs {str(a)[:12]})"
    a, b = earlier.get("modality"), later.get("modality")
    return f"different modality ({b} vs {a})" if a != b else None


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
    problems += _layer_problems(entry)
    flags = []
    value = finite(ceiled)
    if not problems and value is not None and value > 1.0 + TOLERANCE:
        flags.append(f"ceiled score {value:.3f} > 1: above the noise ceiling (kept, not clipped)")
    return problems, flags


def _layer_problems(entry: dict) -> list[str]:
    """A reported layer (overall or per split) that is not among the layers the entry says it scored."""
    order = entry.get("layer_order")
    if not isinstance(order, list) or not order:
        return []
    chosen = [entry.get("chosen_layer")] + list(entry.get("chosen_layer_per_split") or [])
    stray = [layer for layer in chosen if layer is not None and layer not in order]
    return [f"chosen layer {stray[0]!r} is not one of the entry's layer_order ({len(order)} layers)"] if stray else []


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


def best_layer_problem(block: dict, n_layers: int) -> str | None:
    """Why a stimulus block's ``best_layer`` (base64 of n little-endian int16 indices into ``layer_order``) cannot be
    used for the hierarchy analysis (None if it can). Call after :func:`bootstrap_problem` found the block sound."""
    text = block.get("best_layer")
    if not isinstance(text, str):
        return "best_layer is not a base64 string"
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return "best_layer is not valid base64"
    if len(raw) != 2 * block["n"]:
        return f"best_layer decodes to {len(raw)} bytes; n = {block['n']} int16 indices need {2 * block['n']}"
    indices = np.frombuffer(raw, dtype="<i2")
    outside = indices[(indices < 0) | (indices >= n_layers)]
    if outside.size:
        return f"best_layer holds index {int(outside[0])}, outside the {n_layers} layers of layer_order"
    return None


# -- model cards: declared pathways ------------------------------------------------------------------
PATHWAYS_MAX = 16
LAYERS_MAX = 2000
LAYER_NAME_MAX = 300


def _layer_list_problem(layers, what: str) -> str | None:
    if not isinstance(layers, list) or len(layers) > LAYERS_MAX:
        return f"{what} must be a list of at most {LAYERS_MAX} layer names"
    if not all(isinstance(x, str) and 0 < len(x) <= LAYER_NAME_MAX for x in layers):
        return f"{what} must hold layer names (non-empty strings of at most {LAYER_NAME_MAX} characters)"
    return None


def card_pathways_problem(card: dict) -> str | None:
    """Why a card's ``pathways`` / ``shared_layers`` cannot be used for layer depths (None if absent or usable)."""
    pathways, shared = card.get("pathways"), card.get("shared_layers")
    if pathways is None and shared is None:
        return None
    if not isinstance(pathways, dict) or not 0 < len(pathways) <= PATHWAYS_MAX:
        return f"card.pathways must be an object of 1 to {PATHWAYS_MAX} pathways {{name: [layers, shallow to deep]}}"
    for name, layers in pathways.items():
        why = text_problem(name, "a pathway name") or _layer_list_problem(layers, f"card.pathways[{name!r}]")
        if why:
            return why
    return None if shared is None else _layer_list_problem(shared, "card.shared_layers")


# -- recorded analyses (result["analyses"]) ------------------------------------------------------------
#: analyses the site shows from a result file; "hierarchy" is recomputed at build time from the scores
ANALYSIS_KINDS = ("pathways", "hierarchy")
ANALYSES_MAX = 20
ROWS_MAX = 2000
NOTE_MAX = 2000
VERDICTS = ("A > B", "B > A", "not separated", "n/a")
PATHWAY_FIELDS = {"model", "pathways", "scores", "contrast", "comparison", "failed", "interactions", "alpha", "method", "version"}
INTERACTION_FIELDS = {"family", "streams", "areas", "statistic", "in_stream", "interaction", "se", "ci95", "p", "n_resamples", "p_holm", "source"}
SUMMARY_FIELDS = {"statistic", "score", "ci95_stimuli", "ci95_subjects", "chosen_layer", "raw", "ceiling"}
ROW_FIELDS = {"benchmark", "verdict", "separated", "note", "stimuli", "subjects"}
DIFFERENCE_FIELDS = {"benchmark", "source", "statistic", "a", "b", "difference", "se", "ci95", "p", "n_resamples", "p_holm"}


def _fields_problem(block, known: set, required: tuple, what: str) -> str | None:
    if not isinstance(block, dict):
        return f"{what} is not an object"
    unknown = sorted(str(k)[:40] for k in block if k not in known)
    if unknown:
        return f"{what} has unknown field(s) {unknown}"
    missing = [k for k in required if k not in block]
    return f"{what} lacks {missing}" if missing else None


def _number_problem(x, what: str, optional: bool = False) -> str | None:
    if optional and _undefined(x):
        return None
    return None if finite(x) is not None else f"{what} {x!r} is not a finite number"


def _undefined(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _pair_problem(x, what: str) -> str | None:
    """None, an undefined pair (NaN: too few finite resamples) or [low, high], finite and ordered."""
    if x is None:
        return None
    if not isinstance(x, (list, tuple)) or len(x) != 2:
        return f"{what} {str(x)[:60]} is not a pair of numbers"
    if all(_undefined(v) for v in x):
        return None
    if any(finite(v) is None for v in x):
        return f"{what} {str(x)[:60]} is not two finite numbers"
    return f"{what} {list(x)!r} is inverted (low > high)" if x[0] > x[1] + TOLERANCE else None


def _short_text_problem(x, what: str, limit: int = NOTE_MAX, optional: bool = True) -> str | None:
    if x is None and optional:
        return None
    if not isinstance(x, str) or len(x) > limit:
        return f"{what} must be text of at most {limit} characters"
    return None


def _summary_problem(summary, what: str) -> str | None:
    why = _fields_problem(summary, SUMMARY_FIELDS, ("statistic", "score"), what)
    if why:
        return why
    if summary["statistic"] not in ("ceiled", "raw"):
        return f"{what}.statistic {str(summary['statistic'])[:40]!r} is not 'ceiled' or 'raw'"
    for key in ("score", "raw", "ceiling"):
        why = _number_problem(summary.get(key), f"{what}.{key}", optional=True)
        if why:
            return why
    for key in ("ci95_stimuli", "ci95_subjects"):
        why = _pair_problem(summary.get(key), f"{what}.{key}")
        if why:
            return why
    return _short_text_problem(summary.get("chosen_layer"), f"{what}.chosen_layer", LAYER_NAME_MAX)


def _difference_problem(d, what: str) -> str | None:
    why = _fields_problem(d, DIFFERENCE_FIELDS, ("difference", "ci95"), what)
    if why:
        return why
    for key in ("a", "b", "difference"):
        why = _number_problem(d.get(key), f"{what}.{key}", optional=key != "difference")
        if why:
            return why
    for key in ("se", "p", "p_holm"):
        why = _number_problem(d.get(key), f"{what}.{key}", optional=True)
        if why:
            return why
    for key in ("p", "p_holm"):
        if finite(d.get(key)) is not None and not 0 <= d[key] <= 1:
            return f"{what}.{key} {d[key]!r} is not a probability"
    return _pair_problem(d.get("ci95"), f"{what}.ci95")


def _row_problem(row, what: str) -> str | None:
    why = _fields_problem(row, ROW_FIELDS, ("benchmark", "verdict"), what)
    if why:
        return why
    why = benchmark_id_problem(row["benchmark"])
    if why:
        return f"{what}: {why}"
    if row["verdict"] not in VERDICTS:
        return f"{what}.verdict {str(row['verdict'])[:40]!r} is not one of {list(VERDICTS)}"
    if row.get("separated") not in (None, True, False):
        return f"{what}.separated must be true, false or null"
    why = _short_text_problem(row.get("note"), f"{what}.note")
    for source in ("stimuli", "subjects"):
        if why is None and row.get(source) is not None:
            why = _difference_problem(row[source], f"{what}.{source}")
    return why


def _pathway_scores_problem(scores, pathways: dict, what: str) -> str | None:
    if not isinstance(scores, dict) or any(name not in pathways for name in scores):
        return f"{what} must be an object keyed by the declared pathways"
    for name, by_benchmark in scores.items():
        if not isinstance(by_benchmark, dict) or len(by_benchmark) > ROWS_MAX:
            return f"{what}[{name!r}] must be an object of at most {ROWS_MAX} benchmarks"
        for bench, summary in by_benchmark.items():
            why = benchmark_id_problem(bench) or _summary_problem(summary, f"{what}[{name!r}][{bench!r}]")
            if why:
                return why
    return None


def pathways_analysis_problem(block, model: str) -> str | None:
    """Why a recorded pathway analysis (``PathwayAnalysis.as_dict()``) cannot be shown (None if it can):
    only known fields, finite numbers, valid benchmark ids and verdicts, bounded text and sizes."""
    why = _fields_problem(block, PATHWAY_FIELDS, ("pathways", "scores", "contrast", "comparison"), "the analysis")
    if why:
        return why
    if block.get("model") is not None and block["model"] != model:
        return f"it is an analysis of model {str(block['model'])[:100]!r}, not of {model!r}"
    why = card_pathways_problem({"pathways": block["pathways"]})
    if why:
        return why.replace("card.pathways", "pathways")
    contrast = block["contrast"]
    if not isinstance(contrast, list) or len(contrast) != 2 or contrast[0] == contrast[1] or any(c not in block["pathways"] for c in contrast):
        return "contrast must name two different declared pathways"
    if not isinstance(block["comparison"], list) or len(block["comparison"]) > ROWS_MAX:
        return f"comparison must be a list of at most {ROWS_MAX} rows"
    for i, row in enumerate(block["comparison"]):
        why = _row_problem(row, f"comparison[{i}]")
        if why:
            return why
    alpha = finite(block.get("alpha", 0.05))
    if alpha is None or not 0 < alpha < 1:
        return f"alpha {block.get('alpha')!r} is not a level between 0 and 1"
    return (_pathway_scores_problem(block["scores"], block["pathways"], "scores") or _pathway_failures_problem(block.get("failed"), block["pathways"])
            or _interactions_problem(block.get("interactions"))
            or _short_text_problem(block.get("method"), "method")
            or _short_text_problem(None if block.get("version") is None else str(block["version"]), "version", 40))


def _interactions_problem(items) -> str | None:
    """``interactions``: the stream double-dissociation tests (absent in analyses recorded before them)."""
    if items is None:
        return None
    if not isinstance(items, list) or len(items) > ANALYSES_MAX:
        return f"interactions must be a list of at most {ANALYSES_MAX}"
    for i, item in enumerate(items):
        what = f"interactions[{i}]"
        why = _fields_problem(item, INTERACTION_FIELDS, ("family", "streams", "interaction", "ci95", "p"), what)
        if why:
            return why
        streams = item["streams"]
        if not isinstance(streams, list) or len(streams) != 2 or any(text_problem(s, "a stream name") for s in streams):
            return f"{what}.streams must name two streams"
        why = (_number_problem(item["interaction"], f"{what}.interaction") or _pair_problem(item["ci95"], f"{what}.ci95")
               or _number_problem(item["p"], f"{what}.p", optional=True) or _number_problem(item.get("p_holm"), f"{what}.p_holm", optional=True)
               or _short_text_problem(item.get("source"), f"{what}.source") or text_problem(item["family"], f"{what}.family"))
        if why:
            return why
    return None


def _pathway_failures_problem(failed, pathways: dict) -> str | None:
    """``failed``: pathway -> benchmark id -> why it failed (absent or empty when nothing failed)."""
    if failed is None:
        return None
    if not isinstance(failed, dict) or any(name not in pathways for name in failed):
        return "failed must map declared pathways to {benchmark: reason}"
    for name, entries in failed.items():
        if not isinstance(entries, dict) or len(entries) > ROWS_MAX:
            return f"failed[{name!r}] must map at most {ROWS_MAX} benchmark ids to reasons"
        for bench, why in entries.items():
            problem = benchmark_id_problem(bench) or _short_text_problem(why, f"failed[{name!r}][{bench!r}]")
            if problem:
                return problem
    return None


# -- paths --------------------------------------------------------------------------------------------
_ABSOLUTE = re.compile(r"(?<![\w.:/~-])(/(?:[^\s/'\"<>|;:,]+/)+[^\s/'\"<>|;:,]*)")


def display_path(path: str | Path, folder: str | Path | None = None, root: Path | None = None) -> str:
    """A path as published: relative to the checkout, else to the working folder, else ``<folder name>/<file>``."""
    path = Path(path).parent.resolve() / Path(path).name  # a link is shown by its own name, not its target's
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
