"""``compare``: is model A more brain-like than model B on each benchmark, beyond noise?"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._paired import SOURCES, PairedDifference, format_p, holm, incompatibility, paired_difference
from ._results import find_result, invalid_scores, model_name, scores_by_benchmark

METHOD = (
    "paired bootstrap: the same resamples of stimuli (and, separately, of animals) for both models, each "
    "model's reported layer held fixed, the ceiling recomputed on every resample; difference A - B of the "
    "ceiled score (raw where a benchmark has no ceiling) with a normal-approximation 95% interval and "
    "two-sided p from the bootstrap standard error; Holm correction over the benchmarks compared, per "
    "source; 'separated' = Holm-adjusted p < alpha over stimuli and, where the benchmark has several "
    "animals, over animals too. The split assignment (the protocol's seed) is held fixed as well: "
    "`brainbench analyze splits` measures what another assignment adds"
)
VERSION = "1"


@dataclass
class ComparisonRow:
    benchmark: str
    differences: dict[str, PairedDifference] = field(default_factory=dict)
    note: str | None = None  # why a row has no test
    separated: bool | None = None

    @property
    def verdict(self) -> str:
        if self.separated is None:
            return "n/a"
        if not self.separated:
            return "not separated"
        return "A > B" if self.differences["stimuli"].difference > 0 else "B > A"

    def as_dict(self) -> dict:
        return {
            "benchmark": self.benchmark,
            "verdict": self.verdict,
            "separated": self.separated,
            "note": self.note,
            **{source: d.as_dict() for source, d in self.differences.items()},
        }


@dataclass
class Comparison:
    model_a: str
    model_b: str
    alpha: float
    rows: list[ComparisonRow]
    method: str = METHOD
    version: str = VERSION

    def as_dict(self) -> dict:
        return {
            "model_a": self.model_a, "model_b": self.model_b, "alpha": self.alpha, "method": self.method,
            "version": self.version, "rows": [r.as_dict() for r in self.rows],
        }


def compare(a, b, benchmarks: list[str] | None = None, alpha: float = 0.05, result_dirs=None) -> Comparison:
    """Paired comparison of two scored models (names, result paths or result documents)."""
    result_a, result_b = find_result(a, result_dirs), find_result(b, result_dirs)
    scores_a, scores_b = scores_by_benchmark(result_a), scores_by_benchmark(result_b)
    invalid = {model_name(result_a): invalid_scores(result_a), model_name(result_b): invalid_scores(result_b)}
    names = benchmarks or [name for name in scores_a if name in scores_b]
    rows = [_row(name, scores_a.get(name), scores_b.get(name), model_name(result_a), model_name(result_b), invalid) for name in names]
    _correct(rows, alpha)
    return Comparison(model_name(result_a), model_name(result_b), alpha, rows)


def _row(benchmark: str, a: dict | None, b: dict | None, name_a: str, name_b: str, invalid: dict | None = None) -> ComparisonRow:
    missing = [name for name, entry in ((name_a, a), (name_b, b)) if entry is None]
    unusable = [f"{name}: {invalid[name][benchmark]}" for name in missing if benchmark in (invalid or {}).get(name, {})]
    if unusable:
        return ComparisonRow(benchmark, note=f"invalid score ({'; '.join(unusable)})")
    if missing:
        return ComparisonRow(benchmark, note=f"not scored for {', '.join(missing)}")
    reason = incompatibility(a, b, "stimuli")
    if reason:
        return ComparisonRow(benchmark, note=reason)
    row = ComparisonRow(benchmark)
    for source in SOURCES:
        if incompatibility(a, b, source) is None:
            row.differences[source] = paired_difference(a, b, source)
    return row


def _correct(rows: list[ComparisonRow], alpha: float) -> None:
    """Holm over the rows, per source; then each row's verdict."""
    for source in SOURCES:
        tested = [r for r in rows if source in r.differences]
        adjusted = holm([r.differences[source].p for r in tested])
        for r, p in zip(tested, adjusted):
            r.differences[source] = _with_holm(r.differences[source], p)
    for r in rows:
        if "stimuli" in r.differences:
            r.separated = all(np.isfinite(d.p_holm) and d.p_holm < alpha for d in r.differences.values())


def _with_holm(d: PairedDifference, p: float) -> PairedDifference:
    from dataclasses import replace

    return replace(d, p_holm=float(p))


def format_comparison(comparison: Comparison) -> str:
    """The table ``brainbench compare`` prints."""
    from ..table import format_table

    header = ("benchmark", "stat", "A", "B", "A - B", "95% CI (stimuli)", "p Holm", "95% CI (animals)", "p Holm", "verdict")
    rows = [header]
    for r in comparison.rows:
        stim, subj = r.differences.get("stimuli"), r.differences.get("subjects")
        if stim is None:
            rows.append((r.benchmark, "", "", "", "", r.note or "", "", "", "", r.verdict))
            continue
        rows.append((
            r.benchmark, stim.statistic, f"{stim.a:.3f}", f"{stim.b:.3f}", f"{stim.difference:+.3f}",
            _ci(stim.ci95), format_p(stim.p_holm), _ci(subj.ci95) if subj else "—", format_p(subj.p_holm) if subj else "—", r.verdict,
        ))
    title = f"A = {comparison.model_a}, B = {comparison.model_b}; alpha {comparison.alpha}, Holm over {sum(1 for r in comparison.rows if r.differences)} benchmarks"
    return title + "\n" + format_table(rows)


def _ci(ci) -> str:
    return f"[{ci[0]:+.3f}, {ci[1]:+.3f}]"
