"""Shared fixtures. The real data live in ../shared/data beside the checkout (CI has them there)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from brainbench.registry import default_registry
from brainbench.store import Store

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("BRAINBENCH_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "allen_neuropixels_natural_scenes").is_dir():
        pytest.fail(f"the real data are expected at {SHARED_DATA} (set $BRAINBENCH_DATA)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def store(tmp_path_factory) -> Store:
    """One activation/score store for the session, so real-network activations are extracted once."""
    root = os.environ.get("BRAINBENCH_CACHE")
    return Store(root) if root else Store(tmp_path_factory.mktemp("brainbench-cache"))


@pytest.fixture(scope="session")
def registry():
    return default_registry()


@pytest.fixture(scope="session")
def allen(registry, shared_data):
    from brainbench.scoring import load_dataset

    return load_dataset(registry, "allen_np", shared_data)
