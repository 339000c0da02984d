"""The network itself: a four-block CNN small enough to train on a laptop CPU in a minute."""
from __future__ import annotations

import torch
from torch import nn


class TinyCNN(nn.Module):
    """64x64 RGB -> 8 orientation classes. Every block is its own module, so each can be hooked."""

    def __init__(self, n_classes: int = 8):
        super().__init__()
        self.block1 = nn.Sequential(nn.Conv2d(3, 8, 5, stride=2, padding=2), nn.ReLU())  # 8 x 32 x 32
        self.block2 = nn.Sequential(nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))  # 16 x 16 x 16
        self.block3 = nn.Sequential(nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))  # 32 x 8 x 8
        self.pool = nn.AdaptiveAvgPool2d(1)  # 32
        self.fc = nn.Linear(32, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.block3(self.block2(self.block1(x)))
        return self.fc(self.pool(x).flatten(1))
