"""From scores to answers: paired model comparisons, benchmark discriminability, layer–area
correspondence (and its paired comparison between models), pathway analyses with their stream
interaction, and the per-modality overall score.

Everything here but ``pathways`` and ``split_spread`` works on result documents (``brainbench score``
output) and the bootstrap resamples stored in them, so it takes seconds and never re-scores; those
two re-score from the stored activations.
The statistics are defined in docs/statistics.md.
"""
from ._compare import Comparison, ComparisonRow, compare, format_comparison
from ._discriminability import discriminability
from ._hierarchy import HierarchyResult, hierarchy, layer_depths
from ._hierarchy_compare import HierarchyComparison, compare_hierarchy
from ._overall import OverallScore, overall_score, rank, rank_modality
from ._paired import PairedDifference, holm, paired_difference
from ._results import find_result, read_result
from ._splits import SplitSpread, SplitSpreadRow, format_split_spread, split_spread
from ._streams import StreamInteraction, stream_interactions

__all__ = [
    "Comparison",
    "ComparisonRow",
    "HierarchyComparison",
    "HierarchyResult",
    "OverallScore",
    "PairedDifference",
    "SplitSpread",
    "SplitSpreadRow",
    "StreamInteraction",
    "compare",
    "compare_hierarchy",
    "discriminability",
    "find_result",
    "format_comparison",
    "format_split_spread",
    "hierarchy",
    "holm",
    "layer_depths",
    "overall_score",
    "paired_difference",
    "rank",
    "rank_modality",
    "read_result",
    "split_spread",
    "stream_interactions",
]
