"""From scores to answers: paired model comparisons, benchmark discriminability, layer–area
correspondence (and its paired comparison between models), pathway analyses with their stream
interaction, and the per-modality overall score.

Everything here works on result documents (``brainbench score`` output) and the bootstrap resamples
stored in them, so an analysis of already-scored models takes seconds and never re-scores.
The statistics are defined in docs/statistics.md.
"""
from ._compare import Comparison, ComparisonRow, compare, format_comparison
from ._discriminability import discriminability
from ._hierarchy import HierarchyResult, hierarchy, layer_depths
from ._hierarchy_compare import HierarchyComparison, compare_hierarchy
from ._overall import OverallScore, overall_score, rank, rank_modality
from ._paired import PairedDifference, holm, paired_difference
from ._results import find_result, read_result
from ._streams import StreamInteraction, stream_interactions

__all__ = [
    "Comparison",
    "ComparisonRow",
    "HierarchyComparison",
    "HierarchyResult",
    "OverallScore",
    "PairedDifference",
    "StreamInteraction",
    "compare",
    "compare_hierarchy",
    "discriminability",
    "find_result",
    "format_comparison",
    "hierarchy",
    "holm",
    "layer_depths",
    "overall_score",
    "paired_difference",
    "rank",
    "rank_modality",
    "read_result",
    "stream_interactions",
]
