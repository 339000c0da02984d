"""The Bakhtiari et al. 2021 networks' layer names and sizes, without torch (listing the zoo, cards).

Everything here follows the specification that ``network.py`` implements; a test checks that the
parameter count below equals the torch module's.
"""
from __future__ import annotations

N_BLOCKS = 10
STEM_CHANNELS = 256  # C = STEM_CHANNELS / P


def pathway_layers(pathway: int) -> list[str]:
    return [f"path{pathway}.res_blocks.res{i}" for i in range(N_BLOCKS)]


def candidate_layers(pathways: int) -> list[str]:
    """``s1``, then each pathway's blocks, shallow to deep (path1 before path2)."""
    return ["s1"] + [layer for p in range(1, pathways + 1) for layer in pathway_layers(p)]


def parameter_count(pathways: int) -> int:
    """Learned parameters (convolution weights, BatchNorm scales and shifts) of the P-pathway network."""
    c = STEM_CHANNELS // pathways
    out, inner = c // 2, c // 8
    stem = (c // 4) * 3 * 5 * 7 * 7 + 2 * c
    blocks = 0
    for i in range(N_BLOCKS):
        temporal = 1 if i % 2 == 0 else 3
        width_in = c if i == 0 else out
        blocks += width_in * inner * temporal + inner * inner * 9 + inner * out + 2 * (2 * inner + out)
        if i == 0:
            blocks += c * out + 2 * out  # the projection shortcut and its BatchNorm
    return stem + pathways * blocks
