"""The tree passes ruff with the project's configuration (pyproject.toml: pyflakes, bugbear, McCabe
complexity at most 15 per function), so CI fails on an unused import, a loop-variable closure bug or
a function that grew into a story."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    run = subprocess.run([ruff, "check", "--no-cache", str(REPO)], capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, f"ruff check found problems (fix them, or justify an ignore in pyproject.toml):\n{run.stdout}{run.stderr}"


def test_ruff_enforces_the_complexity_bound(tmp_path):
    """The bound is live: a function with 16 branches is reported as too complex."""
    branches = "\n".join(f"    if x == {i}:\n        return {i}" for i in range(16))
    (tmp_path / "complex.py").write_text(f"def f(x):\n{branches}\n    return -1\n")
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    run = subprocess.run([ruff, "check", "--no-cache", "--config", str(REPO / "pyproject.toml"), str(tmp_path / "complex.py")], capture_output=True, text=True)
    assert run.returncode == 1 and "C901" in run.stdout, run.stdout
