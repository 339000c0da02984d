"""How much does the arbitrary split assignment move a score, beside the interval that is reported?

A benchmark's splits come from its protocol's seed (0 for every built-in benchmark), so every model is
scored on the same folds and a paired test compares like with like. But those folds are one draw:
another seed gives other outer folds, other inner folds and possibly other chosen layers. The
stimulus bootstrap holds the splits and the chosen layers fixed, so that variation is not in the
reported interval. ``split_spread`` re-scores from stored activations under protocol seeds
0..S-1 (nothing else changes; the bootstrap draws are the same for every seed and model) and gives,
per benchmark, of a model's score or of the paired difference with a second model:
- the value on every seed, and sd_seed, their standard deviation (ddof 1);
- se_boot, the bootstrap standard error at the protocol's own seed (the one the reported interval
  uses), and the ratio sd_seed / se_boot;
- for a pair: on how many seeds the paired test over stimuli (unadjusted, at alpha) separates them;
- an interval that adds the two variances around the reported value: v_0 ± 1.96·sqrt(se_boot² +
  sd_seed²), and for a pair the p-value of that test, Holm over the benchmarks: separated "with
  splits" when it is below alpha. It treats the seed as one more independent source of error; with
  few seeds sd_seed is itself uncertain (10 seeds: its relative s.e. is about 24%).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

from ..errors import BrainbenchError
from ._paired import Z95, format_p, holm, standard_error, stored_resamples, two_sided_p

__all__ = ["SplitSpread", "SplitSpreadRow", "format_split_spread", "reseeded", "split_spread", "with_protocol"]

MIN_SEEDS = 2


@dataclass
class SplitSpreadRow:
    benchmark: str
    statistic: str  # "ceiled" | "raw"
    values: list[float]  # per seed, seed 0 first (A − B for a pair)
    sd_seed: float
    se_boot: float
    ratio: float | None  # sd_seed / se_boot; None when se_boot is 0
    ci95_bootstrap: list[float]
    ci95_with_splits: list[float]
    separated_seeds: int | None = None  # pairs: seeds whose paired test (stimuli, unadjusted) separates them
    p_with_splits: float | None = None  # pairs: two-sided p of v_0 with se sqrt(se_boot² + sd_seed²)
    p_holm_with_splits: float | None = None  # that p, Holm over the benchmarks of the analysis


@dataclass
class SplitSpread:
    model: str
    versus: str | None
    dataset: str
    seeds: list[int]
    alpha: float
    rows: list[SplitSpreadRow]

    def as_dict(self) -> dict:
        return asdict(self)


def split_spread(model: str, versus: str | None = None, dataset: str = "allen_np", seeds: int = 10, benchmarks: list[str] | None = None,
                 alpha: float = 0.05, registry=None, on_seed=None, **score_options) -> SplitSpread:
    """Re-score ``model`` (and ``versus``) on ``dataset``'s benchmarks under protocol seeds
    0..seeds-1 and compare the spread over seeds with the bootstrap error (module docstring).
    ``on_seed(seed, model)`` is called before each re-score (progress); ``score_options`` go to
    ``brainbench.scoring.score`` (store, data_dir, weights, device ...)."""
    from ..registry import default_registry

    registry = registry or default_registry()
    plugin = registry.dataset(dataset)
    if seeds < MIN_SEEDS:
        raise BrainbenchError(f"split_spread needs at least {MIN_SEEDS} seeds to estimate a spread, got {seeds}. Fix: --seeds 10")
    benchmarks = benchmarks or [f"{dataset}.{region}.{plugin.default_metric}" for region in plugin.regions]
    foreign = [b for b in benchmarks if b.split(".")[0] != dataset]
    if foreign:
        raise BrainbenchError(f"{', '.join(foreign)}: not a benchmark of dataset {dataset!r}. Fix: pass --dataset {foreign[0].split('.')[0]}, or benchmarks of {dataset}")
    models = [model] if versus is None else [model, versus]
    runs = {(m, s): _scores(m, benchmarks, reseeded(registry, dataset, s), on_seed, s, score_options) for s in range(seeds) for m in models}
    rows = [_row(b, [[runs[(m, s)][b] for s in range(seeds)] for m in models], alpha) for b in benchmarks]
    if versus is not None:
        for row, p in zip(rows, holm([r.p_with_splits for r in rows])):
            row.p_holm_with_splits = float(p)
    return SplitSpread(model, versus, dataset, list(range(seeds)), alpha, rows)


def reseeded(registry, dataset: str, seed: int):
    """``registry`` with ``dataset``'s protocols drawing their splits from their seed + ``seed`` (0: the
    registry itself); the given registry is left as it was."""
    return registry if seed == 0 else with_protocol(registry, dataset, lambda protocol: replace(protocol, seed=protocol.seed + seed))


def with_protocol(registry, dataset: str, change):
    """A copy of ``registry`` whose ``dataset`` gives ``change(protocol)`` for every metric's protocol."""
    from ..benchmark import Protocol

    plugin = registry.dataset(dataset)
    protocol_for = plugin.protocol_for
    return registry.replacing(replace(plugin, protocol_for=lambda metric: change(protocol_for(metric) if protocol_for else Protocol())))


def _scores(model: str, benchmarks: list[str], registry, on_seed, seed: int, score_options) -> dict[str, dict]:
    from ..scoring import score

    if on_seed:
        on_seed(seed, model)
    document = score(model, benchmarks=benchmarks, registry=registry, **{"progress": False, "log": lambda message: None, **score_options})
    if document["failed"]:
        failure = document["failed"][0]
        raise BrainbenchError(f"{model} under split seed {seed}: {failure.get('benchmark')} failed: {failure.get('error', 'failed')}")
    return {s["benchmark"]: s for s in document["scores"]}


def _row(benchmark: str, entries: list[list[dict]], alpha: float) -> SplitSpreadRow:
    """entries[model][seed]; one model: its score, two: the difference."""
    statistic = entries[0][0]["bootstrap"]["statistic"]
    values = np.array([[float(e[statistic]) for e in per_seed] for per_seed in entries])
    samples = [[stored_resamples(e) for e in per_seed] for per_seed in entries]
    if len(entries) == 2:
        values = values[0] - values[1]
        samples = [a - b for a, b in zip(*samples)]
    else:
        values, samples = values[0], samples[0]
    se = [standard_error(s) for s in samples]
    sd = float(np.std(values, ddof=1))
    combined = float(np.hypot(se[0], sd))
    separated = sum(two_sided_p(v, e) < alpha for v, e in zip(values, se)) if len(entries) == 2 else None
    v0 = float(values[0])
    return SplitSpreadRow(
        benchmark=benchmark, statistic=statistic, values=[float(v) for v in values], sd_seed=sd, se_boot=se[0],
        ratio=sd / se[0] if se[0] > 0 else None, ci95_bootstrap=[v0 - Z95 * se[0], v0 + Z95 * se[0]],
        ci95_with_splits=[v0 - Z95 * combined, v0 + Z95 * combined], separated_seeds=separated,
        p_with_splits=two_sided_p(v0, combined) if len(entries) == 2 else None,
    )


def format_split_spread(spread: SplitSpread) -> str:
    from ..table import format_table

    what = f"A = {spread.model}, B = {spread.versus}: A - B" if spread.versus else spread.model
    header = ["benchmark", "stat", "seed 0", "sd over seeds", "bootstrap se", "ratio", "95% CI (bootstrap)", "95% CI (+ splits)"]
    if spread.versus:
        header += [f"separated (of {len(spread.seeds)} seeds)", "p Holm (+ splits)", "verdict (+ splits)"]
    rows = []
    for r in spread.rows:
        row = [r.benchmark, r.statistic, f"{r.values[0]:+.3f}" if spread.versus else f"{r.values[0]:.3f}", f"{r.sd_seed:.4f}", f"{r.se_boot:.4f}",
               "—" if r.ratio is None else f"{r.ratio:.2f}", _ci(r.ci95_bootstrap), _ci(r.ci95_with_splits)]
        if spread.versus:
            verdict = "not separated" if not (r.p_holm_with_splits is not None and r.p_holm_with_splits < spread.alpha) else ("A > B" if r.values[0] > 0 else "B > A")
            row += [str(r.separated_seeds), format_p(r.p_holm_with_splits), verdict]
        rows.append(row)
    ratios = [r.ratio for r in spread.rows if r.ratio is not None]
    lines = [f"{what} on {spread.dataset}: protocol seeds {spread.seeds[0]}..{spread.seeds[-1]} (other splits, so possibly other chosen layers; the same bootstrap draws)", format_table([header, *rows])]
    if ratios:
        lines.append(f"median sd over seeds / bootstrap se: {np.median(ratios):.2f} (range {min(ratios):.2f}-{max(ratios):.2f}); "
                     "the reported interval holds the splits fixed, '+ splits' adds their spread")
    return "\n".join(lines)


def _ci(ci) -> str:
    return f"[{ci[0]:+.3f}, {ci[1]:+.3f}]"
