"""CLI sub-commands, one module each, each exposing ``register(subparsers)``."""


def comma_list(values) -> list[str]:
    """Names from repeatable, comma-separated options (``--benchmark a,b --benchmark c``), blanks dropped;
    a name given twice is kept once, where it first appears."""
    return list(dict.fromkeys(x.strip() for group in values or [] for x in group.split(",") if x.strip()))


def benchmark_ids(values, known, option: str = "--benchmark") -> list[str] | None:
    """The benchmark ids an option gives (repeatable, comma-separated), duplicates dropped in order; None
    when the option is not given. Given with no id, or with an id outside ``known`` (the registry's and
    the results' benchmarks), it is an error naming the closest ids."""
    import difflib

    from ..errors import BrainbenchError

    if values is None:
        return None
    names = comma_list(values)
    if not names:
        raise BrainbenchError(f"{option} {','.join(values)!r} names no benchmark. Fix: give benchmark ids, or leave {option} out for all of them")
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=3)
            raise BrainbenchError(f"unknown benchmark {name!r}" + (f"; did you mean: {', '.join(close)}?" if close else "")
                                  + " Fix: `brainbench list benchmarks` lists them")
    return names


def known_benchmarks(results: list[dict]) -> set[str]:
    """Benchmark ids an analysis can be asked for: the registry's, and any a result holds."""
    from ..registry import default_registry

    held = {e.get("benchmark") for r in results for e in r.get("scores", []) + r.get("failed", []) if isinstance(e, dict)}
    return set(default_registry().benchmark_names()) | {b for b in held if isinstance(b, str)}


def positive_seconds(text: str) -> float:
    """argparse type of a time limit: a number of seconds above 0."""
    import math

    value = _number(text, float)
    if not (value > 0 and math.isfinite(value)):
        raise _argument_error(f"{text!r} is not a time limit: give a finite number of seconds above 0")
    return value


def test_level(text: str) -> float:
    """argparse type of --alpha: a level strictly between 0 and 1."""
    value = _number(text, float)
    if not 0 < value < 1:
        raise _argument_error(f"{text!r} is not a test level: give a number between 0 and 1, e.g. 0.05")
    return value


def seed_count(text: str) -> int:
    """argparse type of --seeds: how many protocol seeds, each a full re-score (1 to 1000)."""
    value = _number(text, int)
    if not 1 <= value <= 1000:
        raise _argument_error(f"{text!r} seeds: give a count from 1 to 1000 (each seed re-scores every benchmark)")
    return value


def tcp_port(text: str) -> int:
    """argparse type of --port: a TCP port number, 0 to 65535 (0: the system picks a free one)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise _argument_error(f"{text!r} is not a port: give a number from 1 to 65535, or 0 for a free one")
    return value


def url(text: str) -> str:
    """argparse type of --mirror: an http(s) or file URL."""
    if not text.startswith(("http://", "https://", "file://")):
        raise _argument_error(f"{text!r} is not a URL: give one starting with http://, https:// or file://")
    return text


def _number(text: str, kind):
    try:
        return kind(text)
    except ValueError:
        raise _argument_error(f"{text!r} is not {'a number' if kind is float else 'a whole number'}") from None


def _argument_error(message: str):
    import argparse

    return argparse.ArgumentTypeError(message)


def check_json_option(path, option: str = "--json") -> None:
    """Before any work: the folder of the file an option names exists (it is made) and takes files, and
    the file is not a folder or a brainbench result (which the write would replace); else one
    OutputError line with the fix."""
    from pathlib import Path

    from ..errors import OutputError
    from ..result import is_result_file, probe_writable

    path = Path(path).expanduser()
    if path.is_dir():
        raise OutputError(f"cannot write {option} {path}: it is a folder. Fix: pass {option} with a file path, e.g. {path / 'comparison.json'}")
    if is_result_file(path):
        raise OutputError(f"{option} {path} is a brainbench result file, which the write would replace. "
                          f"Fix: pass {option} with another file name")
    try:
        probe_writable(path.parent)
    except OSError as exc:
        raise _json_option_error(path, exc, option) from None


def write_json_option(path, document: dict, option: str = "--json"):
    """Write ``document`` to the file an option names, whole or not at all, creating its folder; a path
    that cannot take it is one OutputError line with the fix, not a traceback."""
    from pathlib import Path

    from ..atomic import write_json

    path = Path(path).expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return write_json(path, document, indent=2)
    except OSError as exc:
        raise _json_option_error(path, exc, option) from None


def _json_option_error(path, exc: OSError, option: str):
    from ..errors import OutputError
    from ..result import unwritable_reason

    return OutputError(f"cannot write {option} {path}: {unwritable_reason(path.parent, exc)}. Fix: pass {option} with a file path you can write to.")
