"""Reproduce tiny_cnn.pt: train TinyCNN to tell the orientation of synthetic gratings (8 classes).

    python submissions/example_tiny_cnn/train.py   # ~2.5 CPU-minutes; prints the sha256

The images are generated here (oriented sinusoidal gratings at random frequency, phase, contrast and
position of a Gaussian window, plus pixel noise), so the example needs no data set. torch's CPU
kernels are not bit-identical across machines, so a retrained file can differ in its last bits:
the card pins the committed file by its sha256.
"""
from __future__ import annotations

import hashlib
import math
from pathlib import Path

import torch

try:
    from .model import TinyCNN
except ImportError:  # run as a script
    from model import TinyCNN

HERE = Path(__file__).resolve().parent
MEAN, STD = 0.5, 0.25  # the normalisation the plugin's preprocessing applies


def gratings(n: int, generator: torch.Generator, size: int = 64, n_classes: int = 8):
    labels = torch.randint(0, n_classes, (n,), generator=generator)
    theta = labels.float() * math.pi / n_classes
    freq = 0.05 + 0.15 * torch.rand(n, generator=generator)  # cycles per pixel
    phase = 2 * math.pi * torch.rand(n, generator=generator)
    contrast = 0.2 + 0.8 * torch.rand(n, generator=generator)
    centre = size * (0.3 + 0.4 * torch.rand(n, 2, generator=generator))
    sigma = size * (0.15 + 0.35 * torch.rand(n, generator=generator))
    yy, xx = torch.meshgrid(torch.arange(size).float(), torch.arange(size).float(), indexing="ij")
    x, y = xx[None], yy[None]
    along = x * torch.cos(theta)[:, None, None] + y * torch.sin(theta)[:, None, None]
    wave = torch.sin(2 * math.pi * freq[:, None, None] * along + phase[:, None, None])
    window = torch.exp(-((x - centre[:, 0, None, None]) ** 2 + (y - centre[:, 1, None, None]) ** 2) / (2 * sigma[:, None, None] ** 2))
    image = 0.5 + 0.5 * contrast[:, None, None] * wave * window
    image = (image + 0.05 * torch.randn(image.shape, generator=generator)).clamp(0, 1)
    return ((image[:, None].expand(-1, 3, -1, -1) - MEAN) / STD), labels


def train(out: Path = HERE / "tiny_cnn.pt", steps: int = 600, batch: int = 64, seed: int = 0) -> str:
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = TinyCNN()
    optimiser = torch.optim.Adam(model.parameters(), lr=3e-3)
    for step in range(steps):
        x, y = gratings(batch, generator)
        loss = torch.nn.functional.cross_entropy(model(x), y)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if step % 100 == 0 or step == steps - 1:
            print(f"step {step}: loss {loss.item():.3f}")
    model.eval()
    with torch.no_grad():
        x, y = gratings(1000, torch.Generator().manual_seed(seed + 1))
        accuracy = (model(x).argmax(1) == y).float().mean().item()
    print(f"held-out accuracy on 1000 new gratings: {accuracy:.3f} (chance 0.125)")
    torch.save(model.state_dict(), out)  # a plain state dict: loadable with weights_only=True
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    print(f"wrote {out}  sha256 {digest}")
    return digest


if __name__ == "__main__":
    train()
