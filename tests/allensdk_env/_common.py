"""What both allensdk check scripts share (they run as scripts in the allensdk venv, so this is
imported from their own folder, not from the brainbench package)."""
from __future__ import annotations

import importlib.util
from pathlib import Path


class CheckFailed(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def load_module(path: Path, name: str):
    """Import a packaging script by file path (it is not part of an installed package)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
