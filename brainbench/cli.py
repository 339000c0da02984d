"""The ``brainbench`` command line.

Each sub-command lives in ``brainbench/commands/<name>.py`` and exposes ``register(subparsers)``;
the parser is assembled from whatever modules are there, so a new command is one new file. Command
modules import only what their ``register`` needs (no torch): ``brainbench --help``, ``list``,
``data list`` and ``cache info`` answer at once.

Any BrainbenchError becomes a one-line message on stderr and exit status 2. Ctrl-C (130) and SIGTERM
(143) stop a run the same way: finished benchmarks are saved, temporary files are removed.
"""
from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import signal
import sys
import threading

from . import __version__, commands
from .errors import BrainbenchError


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every ``finally`` runs (temporary files go, results stay)."""


def _on_sigterm(signum, frame):
    raise Terminated()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="brainbench", description="How brain-like is your network? Score models against real recordings.")
    parser.add_argument("--version", action="version", version=f"brainbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{commands.__name__}.{info.name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    empty = empty_option(args)
    if empty:
        parser.error(f"{empty} is empty: give a path or name (an empty one would quietly mean the current folder, or everything)")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if threading.current_thread() is threading.main_thread() else None
    try:
        return int(args.func(args) or 0)
    except BrainbenchError as exc:
        print(f"brainbench: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        how, code = ("terminated (SIGTERM)", 143) if isinstance(exc, Terminated) else ("interrupted", 130)
        saved = "finished benchmarks are saved (result file and score cache), nothing half-written was kept" if args.func.__module__.endswith(".score") else "nothing half-written was kept"
        print(f"brainbench: {how}; {saved}", file=sys.stderr)
        return code
    except BrokenPipeError:  # `brainbench list models | head -1`: the reader has all it wanted
        _silence_stdout()
        return 128 + signal.SIGPIPE
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


#: options (by their dest) whose value names a path, a model or benchmarks: never an empty string
NAMED_OPTIONS = {"out": "--out", "results": "--results", "json_out": "--json", "root": "--root", "dir": "the folder", "data_dir": "--data-dir",
                 "cache_dir": "--cache-dir", "weights": "--weights", "weights_dir": "--weights-dir", "plugin": "--plugin",
                 "activations": "--activations", "mirror": "--mirror", "model": "--model", "models": "--models", "path": "the plugin path", "model_a": "model A", "model_b": "model B", "names": "a dataset name",
                 "benchmark": "--benchmark", "benchmarks": "--benchmark", "versus": "--versus", "dataset": "--dataset",
                 "scheduler": "--scheduler", "metric": "--metric"}


def empty_option(args) -> str | None:
    """The first of NAMED_OPTIONS given as an empty (or blank) string, or None."""
    for dest, option in NAMED_OPTIONS.items():
        value = getattr(args, dest, None)
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and not v.strip() for v in values):
            return f"{option} {value!r}" if not isinstance(value, list) else f"{option} ''"
    return None


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush does not fail on the closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":
    sys.exit(main())
