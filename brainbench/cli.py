"""The ``brainbench`` command line.

Each sub-command lives in ``brainbench/commands/<name>.py`` and exposes ``register(subparsers)``;
the parser is assembled from whatever modules are there, so a new command is one new file.
Any BrainbenchError becomes a one-paragraph message on stderr and exit status 2.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from . import __version__, commands
from .errors import BrainbenchError


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
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except BrainbenchError as exc:
        print(f"brainbench: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("brainbench: interrupted; finished benchmarks are saved (result file and score cache)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
