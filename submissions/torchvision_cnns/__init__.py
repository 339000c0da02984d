"""Supervised ImageNet CNNs from torchvision: ResNet-50, AlexNet, VGG-16, and their untrained controls.

Pretrained weights come from torchvision's weights API: ``--weights FILE``, else torch's cache
(``$TORCH_HOME/hub/checkpoints``), else a download where the network allows. The sha256 prefix in
torchvision's file name is checked. Offline with no file: a clear error with the URL and the path;
never random weights. ``<model>_untrained`` is the same architecture, default init, seed 0.
"""
from __future__ import annotations

from pathlib import Path

from brainbench.errors import PluginError
from brainbench.model import ModelAdapter, torch_hub_checkpoint_dir, torchvision_weights, vision_preprocess
from brainbench.registry import ModelPlugin
from brainbench.card import bibtex_entry

HERE = Path(__file__).resolve().parent

SPECS = {
    "resnet50": {
        "builder": "resnet50",
        "weights": "ResNet50_Weights.IMAGENET1K_V1",
        "file": "resnet50-0676ba61.pth",  # torchvision's file name for these weights (checked when built)
        "layers": ["relu", "maxpool", "layer1", "layer2", "layer3.1", "layer3.3", "layer3", "layer4.1", "layer4", "avgpool", "fc"],
        "architecture": "ResNet-50 (bottleneck residual CNN), 25.6M parameters",
        "bibtex_key": "he2016resnet",
    },
    "alexnet": {
        "builder": "alexnet",
        "weights": "AlexNet_Weights.IMAGENET1K_V1",
        "file": "alexnet-owt-7be5be79.pth",
        "layers": ["features.1", "features.4", "features.7", "features.9", "features.11", "features.12", "classifier.2", "classifier.5", "classifier.6"],
        "architecture": "AlexNet (5 conv + 3 fully connected), 61M parameters",
        "bibtex_key": "krizhevsky2012alexnet",
    },
    "vgg16": {
        "builder": "vgg16",
        "weights": "VGG16_Weights.IMAGENET1K_V1",
        "file": "vgg16-397923af.pth",
        "layers": ["features.3", "features.8", "features.15", "features.22", "features.29", "features.30", "classifier.1", "classifier.4", "classifier.6"],
        "architecture": "VGG-16 (13 conv + 3 fully connected), 138M parameters",
        "bibtex_key": "simonyan2015vgg",
    },
}


def _weights_enum(spec):
    import torchvision.models as tvm

    enum_name, member = spec["weights"].split(".")
    return getattr(getattr(tvm, enum_name), member)


def _status(name):
    def status():  # no torchvision import: `brainbench list models` answers at once
        path = torch_hub_checkpoint_dir() / SPECS[name]["file"]
        return path.is_file(), str(path)

    return status


def _builder(name, pretrained):
    def build(weights=None, device="cpu"):
        import torchvision.models as tvm

        spec = SPECS[name]
        if pretrained:
            enum = _weights_enum(spec)
            if not enum.url.endswith("/" + spec["file"]):
                raise PluginError(f"{name}: torchvision now names these weights {enum.url}, not {spec['file']}; update SPECS")
            state, source = torchvision_weights(enum, weights)
            module = getattr(tvm, spec["builder"])(weights=None)
            module.load_state_dict(state, strict=True)
        else:
            import torch

            torch.manual_seed(0)
            module = getattr(tvm, spec["builder"])(weights=None)
            source = "untrained: default initialisation, torch.manual_seed(0)"
        # torchvision's own eval transform for these weights: resize 256, centre-crop 224, ImageNet mean/std
        preprocess, description = vision_preprocess(256, 224)
        return ModelAdapter(
            name=name if pretrained else f"{name}_untrained",
            modality="vision",
            module=module,
            layers=spec["layers"],
            preprocess=preprocess,
            preprocessing=description,
            weights_source=source,
        )

    return build


def _bibtex(key: str) -> str:
    return bibtex_entry(HERE / "bibtex.bib", key)


PLUGINS = []
for _name, _spec in SPECS.items():
    _card = {
        "architecture": _spec["architecture"],
        "training_data": "ImageNet-1k",
        "objective": "supervised classification",
        "weights_source": f"torchvision {_spec['weights']} (sha256 prefix checked from the file name)",
        # torchvision publishes the first 8 hex digits of each file's sha256 in its name; checked on load
        "weights_sha256": _spec["file"].rsplit("-", 1)[-1].split(".")[0],
        "licence": "BSD-3-Clause (torchvision)",
        "preprocessing": "resize 256, centre-crop 224, ImageNet mean/std",
        "layers": _spec["layers"],
        "bibtex": _bibtex(_spec["bibtex_key"]),
    }
    PLUGINS.append(ModelPlugin(_name, "vision", "supervised", _builder(_name, True), _card, _status(_name)))
    PLUGINS.append(
        ModelPlugin(
            f"{_name}_untrained",
            "vision",
            "untrained",
            _builder(_name, False),
            {**_card, "training_data": "none (control)", "objective": "none: random initialisation, seed 0", "weights_source": "none"},
            lambda: (True, "no weights needed"),
        )
    )
