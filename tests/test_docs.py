"""The code in the docs runs, so the docs cannot drift from the code.

Each page's fenced blocks run in order, in one namespace, in a fresh temporary folder outside the
repository, with an empty brainbench cache (the real data stay where the checkout finds them):

- ```python blocks are executed;
- a block whose info string has ``file=PATH`` (any language) is written to PATH instead: the files
  of a plugin folder, shown on the page as files;
- ```python no-run blocks are skipped (kept rare: a block that needs the reader's own model).

The worked examples are then checked for what they claim: the dataset plugin of docs/datasets.md,
written outside the repository from the page alone, is listed, fetched from a server on 127.0.0.1,
checked and scored; the metric of docs/metrics.md is checked and scored.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from brainbench import paths
from brainbench.registry import default_registry

DOCS = Path(__file__).resolve().parents[1] / "docs"
FENCE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```[ \t]*$", re.M | re.S)


def blocks(page: Path) -> list[tuple[str, str, str, int]]:
    """(language, info, code, line) of every fenced block of ``page``."""
    text = page.read_text()
    return [(m[1], m[2].strip(), m[3], text[: m.start()].count("\n") + 2) for m in FENCE.finditer(text)]


def run_page(page: Path, folder: Path) -> dict:
    """Run the page's blocks in ``folder``; returns the namespace they ran in."""
    namespace: dict = {"__name__": f"docs_{page.stem}"}
    os.chdir(folder)
    for language, info, code, line in blocks(page):
        target = re.search(r"file=(\S+)", info)
        if target:
            path = folder / target[1]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(code)
        elif language == "python" and "no-run" not in info.split():
            exec(compile(code, f"{page.name}, block at line {line}", "exec"), namespace)
    return namespace


@pytest.fixture
def page_env(tmp_path, monkeypatch):
    """A fresh folder outside the repository, an empty cache, the venv's commands on PATH."""
    folder = tmp_path / "reader"
    folder.mkdir()
    monkeypatch.chdir(folder)  # restored afterwards
    monkeypatch.setenv("BRAINBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    monkeypatch.delenv("BRAINBENCH_PLUGINS", raising=False)
    monkeypatch.delenv("BRAINBENCH_MIRROR", raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))  # a page may add its plugin folder
    default_registry.cache_clear()
    yield folder
    default_registry.cache_clear()
    for name, module in list(sys.modules.items()):  # modules a page imported from its folder (its converter)
        if str(getattr(module, "__file__", None) or "").startswith(str(tmp_path)):
            del sys.modules[name]


def test_pages_have_code_and_no_run_is_rare():
    counts = {page: [info for language, info, _, _ in blocks(DOCS / page) if language == "python"] for page in ("datasets.md", "metrics.md", "submitting.md")}
    assert all(counts.values()), counts
    skipped = sum("no-run" in info.split() for infos in counts.values() for info in infos)
    assert skipped <= 1, counts


def test_datasets_page_worked_example_is_listed_fetched_checked_and_scored(page_env, shared_data):
    assert not str(page_env).startswith(str(paths.checkout_root() or "/nonexistent"))  # outside the repository
    ns = run_page(DOCS / "datasets.md", page_env)
    row = next(line for line in ns["listed"].splitlines() if line.startswith("toy_ecog "))
    assert "missing" in row and "0/2" in row and "brainbench data fetch toy_ecog" in row
    assert "toy_ecog: complete at" in ns["fetched"] and str(page_env.parent / "cache" / "data" / "toy_ecog") in ns["fetched"]
    row = next(line for line in ns["listed_after"].splitlines() if line.startswith("toy_ecog "))
    assert " ok " in row and "2/2" in row
    assert "PASSED (1 dataset(s)" in ns["checked"] and "HG': 15, 'STG': 21" in ns["checked"]
    scores = ns["scores"]
    assert set(scores) == {"toy_ecog.HG.ridge", "toy_ecog.STG.ridge", "toy_ecog.all.ridge"}
    # the ground truth is recovered: HG was made from band energy (the cochleagram), STG from its fluctuation (modulation)
    assert scores["toy_ecog.HG.ridge"]["chosen_layer"] == "cochleagram"
    assert scores["toy_ecog.STG.ridge"]["chosen_layer"] == "modulation"
    for entry in scores.values():
        assert entry["n_subjects"] == 3 and entry["ci95_subjects"] is not None
        assert 0.5 < entry["ceiled"] < 1.1, entry["ceiled"]


def test_metrics_page_worked_metric_is_checked_and_scored(page_env, shared_data):
    ns = run_page(DOCS / "metrics.md", page_env)
    assert "PASSED (1 metric(s)" in ns["checked"]
    entry = ns["entry"]
    assert entry["benchmark"] == "allen_np.VISp.one_to_one" and entry["metric"] == "one_to_one"
    assert 0.0 < entry["raw"] < entry["ceiling"] < 1.0


def test_submitting_page_runs(page_env):
    run_page(DOCS / "submitting.md", page_env)
