"""docs/findings.md states results; these tests recompute them from the built-in results, so the
document cannot drift from the numbers it reports (after a re-score, rerun the commands and edit it)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from brainbench.analysis import compare, find_result

ROOT = Path(__file__).resolve().parent.parent
BUILTIN = [ROOT / "leaderboard" / "results"]
FINDINGS = (ROOT / "docs" / "findings.md").read_text()
AREAS = ("VISp", "VISl", "VISrl", "VISal", "VISpm", "VISam")


def _signed(x: float) -> str:
    return ("+" if x >= 0 else "−") + f"{abs(x):.3f}"


def _ci(ci) -> str:
    return f"[{_signed(ci[0])}, {_signed(ci[1])}]"


def _table_row(first_cell: str) -> list[str]:
    line = next(line.strip() for line in FINDINGS.splitlines() if line.strip().startswith(f"| {first_cell} |"))
    return [cell.strip().strip("*") for cell in line.strip("|").split("|")]


def test_the_self_supervised_vs_supervised_table_is_what_compare_gives():
    comparison = compare("bakhtiari_cpc_p2", "bakhtiari_actrec_p2", result_dirs=BUILTIN)
    rows = {r.benchmark: r for r in comparison.rows}
    assert not any(r.separated for r in comparison.rows), "the document says no benchmark separates them"
    for area in AREAS:
        d = rows[f"allen_np.{area}.ridge"].differences["stimuli"]
        _, difference, ci = _table_row(area)
        # "−0.000": the document keeps the sign of a difference that rounds to zero
        assert difference.replace("−0.000", "+0.000") == _signed(d.difference).replace("−0.000", "+0.000"), area
        assert ci == _ci(d.ci95), area


@pytest.mark.parametrize("model", ["cpc_p2", "actrec_p2", "p2_untrained"])
def test_the_stream_interactions_are_the_recorded_ones(model):
    result = find_result(f"bakhtiari_{model}", BUILTIN)
    (analysis,) = result["analyses"]["pathways"].values()
    recorded = {i["family"]: i for i in analysis["interactions"]}
    cells = _table_row(next(c for c in (f"{model} (self-supervised)", f"{model} (supervised)", f"{model} (control)") if f"| {c} |" in FINDINGS))
    for family, cell in (("allen_np.ridge", cells[1]), ("allen_2p_rdm.rsa", cells[2])):
        i = recorded[family]
        value, ci = re.fullmatch(r"(\S+) (\[.*\])", cell).groups()
        assert value.replace("−0.000", "+0.000") == _signed(i["interaction"]).replace("−0.000", "+0.000") and ci == _ci(i["ci95"]), (model, family)
        separated = i["p_holm"] < 0.05
        assert (f"**{cell}**" in FINDINGS) == separated, f"{model} {family}: bold exactly when separated"


@pytest.mark.parametrize("other", ["bakhtiari_actrec_p2", "bakhtiari_actrec_p1", "bakhtiari_p2_untrained", "efficientnet_lite0"])
def test_the_hierarchy_comparisons_are_what_versus_gives(other):
    from brainbench.analysis._hierarchy_compare import compare_hierarchy

    c = compare_hierarchy("bakhtiari_cpc_p2", other, "allen_2p_rdm", result_dirs=BUILTIN)
    cells = _table_row(other)
    assert cells[1] == _signed(c.difference) and cells[2] == _ci(c.ci95) and cells[3] == _ci(c.ci95_percentile), other
    assert cells[4] == f"{c.p:.4f}" and cells[5].startswith(f"{c.a_above_b:.0%}") and not c.separated, other
