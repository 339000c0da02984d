"""The visual backbone of Bakhtiari et al. 2021, written from its specification (not the authors' code).

A rotation-symmetric 3-D stem ``s1`` feeds P parallel pathways (``path1``, ``path2``) of ten bottleneck
residual blocks each; the output is the pathways' outputs concatenated along channels. Module names
equal the checkpoints' keys (after their prefix), so a checkpoint loads with ``strict=True``.

Shapes for a clip (batch, 3, T, 64, 64): ``s1`` -> (batch, C, T, 16, 16) with C = 256 / P; every
block of a pathway -> (batch, C / 2, T, 16, 16); the output -> (batch, 128, T, 16, 16).
"""
from __future__ import annotations

import math
from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn

from .layers import N_BLOCKS, STEM_CHANNELS, candidate_layers, pathway_layers  # noqa: F401  (re-exported)


class SymmetricConv3d(nn.Module):
    """A 3-D convolution whose kernel is its stored weight rotated by 0, 90, 180 and 270 degrees.

    ``weight`` has shape (out/4, in, kt, kh, kw); the applied kernel stacks the four rotations in the
    (kh, kw) plane along the output channels, in that order. No bias.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride, padding):
        super().__init__()
        if out_channels % 4:
            raise ValueError(f"out_channels must be a multiple of 4 (one quarter per rotation), got {out_channels}")
        self.stride, self.padding = tuple(stride), tuple(padding)
        self.weight = nn.Parameter(torch.empty(out_channels // 4, in_channels, *kernel_size))
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))  # nn.Conv3d's default initialisation

    def kernel(self) -> torch.Tensor:
        return torch.cat([torch.rot90(self.weight, k, dims=(3, 4)) for k in range(4)], dim=0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv3d(x, self.kernel(), None, self.stride, self.padding)


class Stem(nn.Module):
    """``s1``: symmetric conv (5x7x7, stride 1x2x2), BatchNorm, LeakyReLU(0.1), max-pool 1x3x3 stride 1x2x2."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = SymmetricConv3d(3, channels, (5, 7, 7), stride=(1, 2, 2), padding=(2, 3, 3))
        self.bn1 = nn.BatchNorm3d(channels, eps=1e-5)
        self.act = nn.LeakyReLU(0.1)
        self.pool = nn.MaxPool3d((1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(self.act(self.bn1(self.conv1(x))))


class Bottleneck(nn.Module):
    """``branch2``: conv a (t x 1 x 1) -> conv b (1 x 3 x 3) -> conv c (1 x 1 x 1), each with BatchNorm."""

    def __init__(self, in_channels: int, inner: int, out_channels: int, temporal: int):
        super().__init__()
        self.a = nn.Conv3d(in_channels, inner, (temporal, 1, 1), padding=(temporal // 2, 0, 0), bias=False)
        self.a_bn = nn.BatchNorm3d(inner, eps=1e-5)
        self.b = nn.Conv3d(inner, inner, (1, 3, 3), padding=(0, 1, 1), bias=False)
        self.b_bn = nn.BatchNorm3d(inner, eps=1e-5)
        self.c = nn.Conv3d(inner, out_channels, 1, bias=False)
        self.c_bn = nn.BatchNorm3d(out_channels, eps=1e-5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.a_bn(self.a(x)))
        x = F.relu(self.b_bn(self.b(x)))
        return self.c_bn(self.c(x))


class ResBlock(nn.Module):
    """relu(shortcut(x) + branch2(x)); the shortcut projects (``branch1`` + BN) where the width changes."""

    def __init__(self, in_channels: int, out_channels: int, temporal: int):
        super().__init__()
        self.branch2 = Bottleneck(in_channels, out_channels // 4, out_channels, temporal)
        self.project = in_channels != out_channels
        if self.project:
            self.branch1 = nn.Conv3d(in_channels, out_channels, 1, bias=False)
            self.branch1_bn = nn.BatchNorm3d(out_channels, eps=1e-5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = self.branch1_bn(self.branch1(x)) if self.project else x
        return F.relu(shortcut + self.branch2(x))


class Pathway(nn.Module):
    """Ten residual blocks ``res_blocks.res0..res9``; temporal kernel 1 in even blocks, 3 in odd ones."""

    def __init__(self, in_channels: int):
        super().__init__()
        out = in_channels // 2
        blocks = [(f"res{i}", ResBlock(in_channels if i == 0 else out, out, 1 if i % 2 == 0 else 3)) for i in range(N_BLOCKS)]
        self.res_blocks = nn.Sequential(OrderedDict(blocks))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.res_blocks(x)


class BakhtiariNet(nn.Module):
    """Stem ``s1`` and ``pathways`` parallel pathways fed by it; output: their concatenation (path1 first)."""

    def __init__(self, pathways: int):
        super().__init__()
        if pathways not in (1, 2):
            raise ValueError(f"the published networks have 1 or 2 pathways, got {pathways}")
        channels = STEM_CHANNELS // pathways
        self.n_pathways = pathways
        self.s1 = Stem(channels)
        for p in range(1, pathways + 1):
            self.add_module(f"path{p}", Pathway(channels))

    def forward(self, clip: torch.Tensor) -> torch.Tensor:
        stem = self.s1(clip)
        return torch.cat([getattr(self, f"path{p}")(stem) for p in range(1, self.n_pathways + 1)], dim=1)
