"""The wheel installs plugins under the brainbench namespace and no top-level `datasets`/`metrics`."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_wheel_contains_plugins_under_brainbench_only(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("brainbench-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {n.split("/")[0] for n in names if not n.startswith("brainbench-")}
    assert top_level == {"brainbench"}, top_level
    assert "brainbench/datasets/allen_neuropixels/__init__.py" in names
    assert "brainbench/datasets/allen_neuropixels/README.md" in names
    assert "brainbench/metrics/ridge/__init__.py" in names
    assert "brainbench/submissions/efficientnet_lite0/__init__.py" in names
    assert "brainbench/submissions/efficientnet_lite0/bibtex.bib" in names


def test_installed_brainbench_does_not_shadow_huggingface_datasets(tmp_path):
    # run from a neutral folder so the checkout's own datasets/ folder is not on sys.path
    for name in ("datasets", "metrics", "submissions"):
        probe = f"import importlib.util as u; s = u.find_spec({name!r}); print(s.origin if s else None)"
        origin = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()
        assert origin == "None" or not origin.startswith(str(REPO)), f"{name} resolves to the checkout: {origin}"
