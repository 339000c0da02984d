"""The pixel baseline: the image itself (grayscale, 64x64 after the models' resize/crop geometry).

A non-learned control every network must beat: what a linear map from raw pixels explains.
"""
from __future__ import annotations

from brainbench.model import ModelAdapter, vision_preprocess
from brainbench.registry import ModelPlugin


def pixels_module():
    """Identity with a named layer to hook: grayscale luminance of the preprocessed image."""
    import torch  # here, not at import: listing plugins does not import torch

    class Pixels(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.pixels = torch.nn.Identity()

        def forward(self, x):
            return self.pixels(x.mean(dim=1, keepdim=True))

    return Pixels()


def build(weights=None, device="cpu") -> ModelAdapter:
    # same field of view as the CNNs (resize 256 / crop 224 = resize 73 / crop 64), values in [0, 1]
    preprocess, description = vision_preprocess(73, 64, mean=(0.0,) * 3, std=(1.0,) * 3)
    return ModelAdapter("pixels", "vision", pixels_module(), ["pixels"], preprocess, description, weights_source="none (non-learned baseline)")


PLUGINS = [
    ModelPlugin(
        "pixels",
        "vision",
        "baseline",
        build,
        {
            "architecture": "identity on 64x64 grayscale pixels (4,096 features)",
            "training_data": "none",
            "objective": "none: non-learned baseline",
            "weights_source": "none",
            "licence": "MIT",
            "preprocessing": "resize 73, centre-crop 64, grayscale in [0, 1]",
            "layers": ["pixels"],
            "bibtex": "",
        },
        lambda: (True, "no weights needed"),
    )
]
