"""brainbench's image preprocessing (resize the shorter side, centre-crop, scale, normalise) gives
torchvision's numbers bit for bit, without importing torchvision, and refuses settings that would pad."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from brainbench.errors import PluginError
from brainbench.model import IMAGENET_MEAN, IMAGENET_STD, image_transform, vision_preprocess
from brainbench.stimuli import load_image

#: the settings the built-in plugins use: ImageNet CNNs, EfficientNet-Lite0 (TF-Lite), ViT-MAE, pixels
SETTINGS = [
    (256, 224, IMAGENET_MEAN, IMAGENET_STD, 1.0),
    (256, 224, (127 / 255,) * 3, (128 / 255,) * 3, 1.0),
    (round(224 * 256 / 224), 224, (0.5,) * 3, (0.25,) * 3, 1.0),
    (73, 64, (0.0,) * 3, (1.0,) * 3, 255.0),
]


def _torchvision(resize, crop, mean, std, scale):
    from torchvision import transforms

    return transforms.Compose([
        transforms.Resize(resize, interpolation=transforms.InterpolationMode.BILINEAR, antialias=True),
        transforms.CenterCrop(crop),
        transforms.ToTensor(),
        transforms.Lambda(lambda x: x * scale),
        transforms.Normalize(mean, std),
    ])


def _odd_images():
    """Portrait, landscape, square, already the resize size, offsets that round half to even, colour."""
    rng = np.random.default_rng(0)
    sizes = [(300, 200), (200, 300), (257, 256), (256, 256), (256, 401), (225, 400), (73, 90), (1174, 918), (65, 64)]
    return [Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8), "RGB") for w, h in sizes]


def test_the_same_numbers_as_torchvision_on_every_allen_scene_and_odd_sizes(allen):
    images = [load_image(path) for path in allen.stimuli.paths] + _odd_images()
    for setting in SETTINGS:
        ours, theirs = image_transform(*setting), _torchvision(*setting)
        for i, image in enumerate(images):
            a, b = ours(image), theirs(image)
            assert a.dtype == b.dtype == torch.float32 and a.shape == b.shape == (3, setting[1], setting[1])
            assert torch.equal(a, b), (setting, i, image.size, float((a - b).abs().max()))


def test_building_a_vision_model_imports_no_torchvision(allen):
    code = (
        "import sys\n"
        "from brainbench.registry import default_registry\n"
        "model = default_registry().model('efficientnet_lite0').build()\n"
        f"batch = model.preprocess([{str(allen.stimuli.paths[0])!r}])\n"
        "assert tuple(batch.shape) == (1, 3, 224, 224), batch.shape\n"
        "print('torchvision' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"


def test_settings_that_would_pad_or_divide_by_zero_are_refused():
    with pytest.raises(PluginError, match=r"centre crop \(300\) must be positive and at most the resized shorter side \(256\).*Fix: resize >= crop"):
        vision_preprocess(256, 300)
    with pytest.raises(PluginError, match="std of 0"):
        vision_preprocess(256, 224, std=(0.2, 0.0, 0.2))
