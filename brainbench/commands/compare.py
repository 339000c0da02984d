"""``brainbench compare A B``: is model A more brain-like than model B, benchmark by benchmark, beyond noise?"""
from __future__ import annotations

import sys

from . import benchmark_ids, check_json_option, known_benchmarks, write_json_option


def register(sub) -> None:
    p = sub.add_parser("compare", help="paired comparison of two scored models (difference, 95%% CI, Holm-corrected p)")
    p.add_argument("model_a", help="model name (looked up in --results) or a result JSON file")
    p.add_argument("model_b", help="model name or a result JSON file")
    p.add_argument("--benchmark", "--benchmarks", dest="benchmarks", action="append", help="benchmark id(s) (repeatable or comma-separated); default: every benchmark both models have")
    p.add_argument("--results", action="append", help="folder of result files (repeatable; a later folder wins for a model in both, as on the leaderboard; default: the built-in leaderboard results, then ./results)")
    p.add_argument("--alpha", type=float, default=0.05, help="level of the Holm-corrected tests (default 0.05)")
    p.add_argument("--json", dest="json_out", help="also write the comparison as JSON to this file")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..analysis import compare, format_comparison
    from ..analysis._results import find_result, given_result_dirs, result_warnings
    from ..errors import BrainbenchError

    if not 0 < args.alpha < 1:
        raise BrainbenchError(f"--alpha must be between 0 and 1, got {args.alpha}")
    if args.json_out:
        check_json_option(args.json_out)
    if args.model_a == args.model_b:
        raise BrainbenchError(f"compare {args.model_a} with itself: every difference is 0. Fix: give two different models")
    dirs = given_result_dirs(args.results)
    results = [find_result(model, dirs) for model in (args.model_a, args.model_b)]
    benchmarks = benchmark_ids(args.benchmarks, known_benchmarks(results))
    for line in result_warnings(results[0]) + result_warnings(results[1]):
        print(f"warning: {line}", file=sys.stderr)
    comparison = compare(*results, benchmarks=benchmarks, alpha=args.alpha)
    if not comparison.rows:
        raise BrainbenchError(f"{comparison.model_a} and {comparison.model_b} have no benchmark in common")
    print(format_comparison(comparison))
    print(f"\nmethod: {comparison.method}", file=sys.stdout)
    if not any(row.differences for row in comparison.rows):
        notes = "; ".join(f"{row.benchmark}: {row.note}" for row in comparison.rows[:3])
        raise BrainbenchError(f"no benchmark could be compared ({notes}). Fix: pick benchmarks both results hold with stored resamples")
    if args.json_out:
        write_json_option(args.json_out, comparison.as_dict())
        print(f"comparison written to {args.json_out}")
    return 0
