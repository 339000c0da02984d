"""``brainbench analyze hierarchy|ranking|pathways|splits|discriminability``: answers from scored results."""
from __future__ import annotations

import sys

import numpy as np

from . import benchmark_ids, comma_list, known_benchmarks, seed_count, test_level


def register(sub) -> None:
    p = sub.add_parser("analyze", help="analyses of scored models: hierarchy, ranking, pathways, splits, discriminability")
    what = p.add_subparsers(dest="analysis", metavar="ANALYSIS", required=True)
    h = what.add_parser("hierarchy", help="do the model's stages follow the brain's hierarchy? (best-layer depth vs area)")
    h.add_argument("--model", required=True, help="model name or result JSON file")
    h.add_argument("--dataset", action="append", help="dataset(s) with a declared hierarchy (default: every such dataset of the model's modality)")
    h.add_argument("--versus", help="a second model (name or result file): is --model's correspondence stronger? (paired over the same resamples)")
    _common(h, record=True)
    h.set_defaults(func=run_hierarchy)
    r = what.add_parser("ranking", help="per-modality ranking by the overall score, with 95%% intervals and ties")
    r.add_argument("--modality", choices=["vision", "audio"], default="vision")
    _common(r)
    r.set_defaults(func=run_ranking)
    w = what.add_parser("pathways", help="score each declared pathway of a model alone and compare them per area (paired)")
    w.add_argument("--model", required=True, help="a registered model whose card declares pathways")
    w.add_argument("--benchmark", action="append", help="benchmark id(s) (default: every default benchmark of the model's modality)")
    w.add_argument("--contrast", help="the two pathways to compare, e.g. path1,path2 (default: the first two declared)")
    w.add_argument("--data-dir", help="folder holding the dataset folders")
    w.add_argument("--cache-dir", help="activation/score cache (default: $BRAINBENCH_CACHE or ~/.cache/brainbench)")
    w.add_argument("--weights", help="explicit pretrained weights file for the model")
    w.add_argument("--device", default="cpu", help="cpu or cuda")
    _common(w, record=True)
    w.set_defaults(func=run_pathways)
    s = what.add_parser("splits", help="how much another split assignment (protocol seed) moves a score or a paired difference, beside its interval")
    s.add_argument("--model", required=True, help="a registered model (its activations are re-used from the store)")
    s.add_argument("--versus", help="a second model: the spread of the paired difference --model - --versus")
    s.add_argument("--dataset", default="allen_np", help="dataset whose protocol seed is varied (default allen_np)")
    s.add_argument("--benchmark", action="append", help="benchmark id(s) of that dataset (default: its default benchmarks)")
    s.add_argument("--seeds", type=seed_count, default=10, help="protocol seeds 0..N-1 (default 10; seed 0 is the reported one)")
    s.add_argument("--data-dir", help="folder holding the dataset folders")
    s.add_argument("--cache-dir", help="activation/score cache (default: $BRAINBENCH_CACHE or ~/.cache/brainbench)")
    s.add_argument("--weights", help="explicit pretrained weights file for the model")
    s.add_argument("--device", default="cpu", help="cpu or cuda")
    s.add_argument("--alpha", type=test_level, default=0.05, help="test level for the per-seed paired tests (default 0.05)")
    s.set_defaults(func=run_splits)
    d = what.add_parser("discriminability", help="how many model pairs each benchmark separates")
    d.add_argument("--benchmark", action="append", help="benchmark id(s), repeatable or comma-separated (default: every benchmark in the results)")
    _common(d)
    d.set_defaults(func=run_discriminability)


def _common(p, record: bool = False) -> None:
    p.add_argument("--results", action="append", help="folder of result files (repeatable; a later folder wins for a model in both, as on the leaderboard; default: the built-in leaderboard results, then ./results)")
    p.add_argument("--alpha", type=test_level, default=0.05, help="test level (default 0.05)")
    if record:
        p.add_argument("--no-record", action="store_true", help="print only; do not write the analysis into the result file")


def _dirs(args):
    from ..analysis._results import given_result_dirs

    return given_result_dirs(args.results)


def run_hierarchy(args) -> int:
    from ..analysis import find_result, hierarchy
    from ..analysis._results import result_warnings
    from ..errors import BrainbenchError
    from ..analysis._record import record_analysis, recording_problem
    from ..registry import default_registry
    from ..table import format_table

    registry = default_registry()
    result = find_result(args.model, _dirs(args))
    versus = find_result(args.versus, _dirs(args)) if args.versus else None  # a --versus with no result is an error, said first
    for line in result_warnings(result) + (result_warnings(versus) if versus else []):
        _warn(line)
    modality = result["model"].get("modality")
    datasets = args.dataset or [d.name for d in registry.datasets.values() if d.modality == modality and d.hierarchy]
    if not datasets:
        raise BrainbenchError(f"no dataset declares a hierarchy for modality {modality!r} (model {result['model'].get('name')!r}): nothing to analyse. "
                              "Fix: give --dataset, or check the result's model.modality")
    for dataset in datasets:
        h = hierarchy(result, dataset, registry=registry)
        rows = [("region", "position", "best layer", "depth", "95% CI (stimuli)")]
        rows += [(r, f"{h.positions[r]:g}", h.best_layer[r], f"{h.depth[r]:.2f}", _ci(h.depth_ci95[r])) for r in h.regions]
        print(f"\n{h.model} on {dataset} ({h.metric}): hierarchy {h.hierarchy_source}")
        print(format_table(rows))
        rho = "undefined" if h.rho is None else f"{h.rho:+.3f}"
        print(f"Spearman rho {rho}, 95% CI {_ci(h.rho_ci95)}, permutation p {_p(h.p_permutation)} ({h.n_permutations} permutations, one-sided)")
        if h.note:
            print(f"note: {h.note}")
        if versus is not None:
            _print_versus(result, versus, dataset, registry, _dirs(args), args.alpha)
        if args.no_record:
            continue
        problem = recording_problem(result, "hierarchy", f"{dataset}.{h.metric}")
        if problem:
            print(f"note: printed, not recorded: {problem}", file=sys.stderr)
            continue
        path = record_analysis(result, "hierarchy", f"{dataset}.{h.metric}", h.as_dict())
        result = find_result(str(path))
        print(f"recorded in {path}")
    return 0


def run_splits(args) -> int:
    from ..analysis._splits import format_split_spread, split_spread
    from ..store import Store

    from ..errors import BrainbenchError
    from ..scoring import resolve_device

    if args.seeds < 2:
        raise BrainbenchError(f"--seeds {args.seeds}: a spread over split assignments needs at least 2 seeds. Fix: --seeds 2 or more (default 10)")
    _check_versus(args.model, args.versus)
    benchmarks = comma_list(args.benchmark) or None
    args.device = resolve_device(args.device)
    spread = split_spread(
        args.model, versus=args.versus, dataset=args.dataset, seeds=args.seeds, benchmarks=benchmarks, alpha=args.alpha,
        on_seed=lambda seed, model: print(f"seed {seed + 1}/{args.seeds}: scoring {model}", file=sys.stderr, flush=True),
        data_dir=args.data_dir, store=Store(args.cache_dir) if args.cache_dir else Store(), weights=args.weights, device=args.device,
    )
    print(format_split_spread(spread))
    return 0


def _check_versus(model: str, versus: str | None) -> None:
    """Before any scoring: --versus is a registered model, not --model itself, of --model's modality."""
    from ..errors import BrainbenchError
    from ..registry import default_registry

    if versus is None:
        return
    registry = default_registry()
    a, b = registry.model(model), registry.model(versus)  # unknown names: close matches, exit 2
    if a.name == b.name:
        raise BrainbenchError(f"--versus {versus} is --model itself: every difference is 0. Fix: give another model")
    if a.modality != b.modality:
        raise BrainbenchError(f"--versus {versus} is a {b.modality} model and {model} a {a.modality} one: they share no benchmark. "
                              "Fix: give a model of the same modality")


def run_pathways(args) -> int:
    from ..analysis._pathways import format_pathways, pathways
    from ..analysis._record import record_analysis
    from ..errors import BrainbenchError
    from ..store import Store

    from ..scoring import resolve_device

    benchmarks = comma_list(args.benchmark) or None
    contrast = tuple(x.strip() for x in args.contrast.split(",")) if args.contrast else None
    if contrast is not None and len(contrast) != 2:
        raise BrainbenchError(f"--contrast takes two pathway names separated by a comma, got {args.contrast!r}")
    if contrast is not None and contrast[0] == contrast[1]:
        raise BrainbenchError(f"--contrast {args.contrast}: a pathway against itself; every difference is 0. Fix: give two different pathways")
    args.device = resolve_device(args.device)
    result, key = _pathways_record_target(args, contrast, benchmarks)  # before the scoring, which takes minutes
    analysis = pathways(
        args.model, benchmarks=benchmarks, contrast=contrast, alpha=args.alpha, data_dir=args.data_dir,
        store=Store(args.cache_dir) if args.cache_dir else Store(), weights=args.weights, device=args.device,
        log=lambda message: None, progress=False,
    )
    a, b = analysis.contrast
    print(f"{args.model}: each pathway scored alone (held-out layer choice within the pathway); {a} - {b} paired over the same resamples, Holm over {len(analysis.rows)} benchmarks")
    print(format_pathways(analysis))
    if analysis.interactions:
        from ..analysis._streams import format_interactions

        print(f"\nstream interaction (double dissociation): mean {a} - {b} in one stream minus in the other, on the same image resamples; "
              "positive: {a} relatively better in the first stream".replace("{a}", a))
        print(format_interactions(analysis.interactions, analysis.contrast))
    for pathway, failures in analysis.failed.items():
        for benchmark, why in failures.items():
            print(f"FAILED: {pathway} on {benchmark}: {why}", file=sys.stderr)
    if result is not None:
        print(f"recorded in {record_analysis(result, 'pathways', key, analysis.as_dict())}")
    return 1 if analysis.failed else 0


def _pathways_record_target(args, contrast, benchmarks) -> tuple[dict | None, str]:
    """The result file the analysis will be recorded in and its key; (None, key) with a note on stderr,
    said before the work, when it will only be printed."""
    from ..analysis._pathways import pathway_contrast
    from ..analysis._record import recording_problem
    from ..analysis._results import find_result
    from ..errors import BrainbenchError

    _, (a, b) = pathway_contrast(args.model, contrast)
    key = f"{a}-vs-{b}"
    if args.no_record:
        return None, key
    dirs = _dirs(args)  # a --results folder that is not there is an error, before the work
    try:
        result = find_result(args.model, dirs)
    except BrainbenchError as exc:
        problem = str(exc)
    else:
        problem = recording_problem(result, "pathways", key, benchmarks)
    if problem:
        print(f"note: the analysis will be printed, not recorded: {problem}", file=sys.stderr)
        return None, key
    return result, key


def _print_versus(result, other, dataset: str, registry, dirs, alpha: float) -> None:
    from ..analysis._hierarchy_compare import compare_hierarchy
    from ..analysis._results import model_name
    from ..errors import BrainbenchError

    try:
        c = compare_hierarchy(result, other, dataset, registry=registry, result_dirs=dirs, alpha=alpha)
    except BrainbenchError as exc:
        print(f"versus {model_name(other)}: no paired test: {exc}")
        return
    verdict = "separated" if c.separated else "not separated"
    print(f"versus {c.model_b}: rho {c.rho_a:+.3f} - {c.rho_b:+.3f} = {c.difference:+.3f}, 95% CI {_ci(c.ci95)} "
          f"(percentile {_ci(c.ci95_percentile)}), p {_p(c.p)}; {c.model_a} higher on {c.a_above_b:.0%} of {c.n_resamples} "
          f"image resamples: {verdict} at alpha {alpha:g} (needs p < alpha and the percentile interval excluding 0)")


def run_ranking(args) -> int:
    from ..analysis import rank_modality
    from ..analysis._results import all_results
    from ..table import format_table

    board = rank_modality(all_results(_dirs(args), warn=_warn), args.modality, alpha=args.alpha)
    datasets = sorted({d for o in board["scores"].values() for d in o.datasets})
    rows = [("rank", "model", f"score ({board['by']})", "95% CI", "vs next", *datasets)]
    for row in board["rows"]:
        o = board["scores"][row["model"]]
        cells = [f"{_v(o.datasets[d].value)} {_ci(o.datasets[d].ci95)}" if d in o.datasets else "—" for d in datasets]
        ci = o.ci95 if board["by"] == "overall" else o.datasets[board["by"].split(" ")[0]].ci95 if row["rank"] else None
        tie = {True: "tied", False: "separated", None: ""}[row["tied_with_next"]]
        rows.append((row["rank"] or "—", row["model"], _v(row["value"]), _ci(ci), tie, *cells))
    print(f"{args.modality} ranking by {board['by']}; ties: paired test with the next model, Holm over adjacent pairs, alpha {args.alpha}")
    print(format_table(rows))
    for line in _unranked_notes(board, args.modality, _dirs(args)):
        print(f"note: {line}", file=sys.stderr)
    print(f"\ndefinition (v{board['version']}): {board['definition']}")
    return 0


def _unranked_notes(board: dict, modality: str, dirs) -> list[str]:
    """Why a row shows "—": which datasets lack which regions, or no result of the modality at all."""
    from ..analysis._results import default_result_dirs

    if not board["rows"]:
        return [f"no {modality} result in {', '.join(str(d) for d in (dirs or default_result_dirs()))}: nothing to rank"]
    notes = []
    for row in board["rows"]:
        score = board["scores"][row["model"]]
        if not score.datasets:
            notes.append(f"{row['model']}: no default {modality} benchmark scored")
        for name, dataset in score.datasets.items():
            if dataset.value is None and dataset.missing:
                shown = ", ".join(dataset.missing[:3]) + (f" and {len(dataset.missing) - 3} more" if len(dataset.missing) > 3 else "")
                notes.append(f"{row['model']}: {name} undefined: not scored on {shown} (a dataset missing a region is undefined, never zero)")
    return notes


def run_discriminability(args) -> int:
    from ..analysis import discriminability
    from ..analysis._results import all_results, scores_by_benchmark
    from ..table import format_table

    results = all_results(_dirs(args), warn=_warn)
    names = benchmark_ids(args.benchmark, known_benchmarks(results)) or sorted({b for r in results for b in scores_by_benchmark(r)})
    rows = [("benchmark", "models", "pairs separated", "spread / CI half-width")]
    for name in names:
        d = discriminability(results, name, args.alpha)
        frac = "—" if d["fraction_separated"] is None else f"{d['n_separated']}/{d['n_pairs']} ({d['fraction_separated']:.0%})"
        rows.append((name, d["n_models"], frac, "—" if d["spread_over_ci"] is None else f"{d['spread_over_ci']:.2f}"))
    print(f"paired tests over stimuli, Holm over each benchmark's pairs, alpha {args.alpha}")
    print(format_table(rows))
    return 0


def _warn(line: str) -> None:
    print(f"warning: {line}", file=sys.stderr)


def _ci(ci) -> str:
    return "—" if not ci else f"[{ci[0]:.3f}, {ci[1]:.3f}]"


def _v(x) -> str:
    return "—" if x is None or not np.isfinite(x) else f"{x:.3f}"


def _p(p) -> str:
    return "—" if p is None else f"{p:.4f}"
