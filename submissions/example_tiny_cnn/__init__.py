"""Worked example of a model submission: copy this folder, then edit card.json, model.py and build().

The three things brainbench needs: the card (card.json, validated on import and by
``brainbench check``), a ``build(weights=None, device="cpu")`` that returns a ModelAdapter (the module,
its candidate layers, and the preprocessing that turns image files into its input batch), and
``PLUGINS``, the list the registry reads. Import torch and your network inside ``build()``: listing
the zoo (``brainbench list models``) then answers without importing them.
"""
from __future__ import annotations

from pathlib import Path

from brainbench.card import load_card, model_plugin
from brainbench.model import ModelAdapter, load_checkpoint, vision_preprocess

HERE = Path(__file__).resolve().parent
CARD = load_card(HERE / "card.json")  # raises naming every bad field; the registry records it and goes on


def build(weights=None, device="cpu") -> ModelAdapter:
    from .model import TinyCNN  # torch is imported here, when a model is built, not when plugins are listed

    module = TinyCNN()
    path = Path(weights) if weights else HERE / CARD["weights_file"]
    # weights_only: the file cannot run code; the sha256 is checked against the card
    module.load_state_dict(load_checkpoint(path, None if weights else CARD["weights_sha256"]), strict=True)
    # the same geometry and normalisation as in training (train.py): 64x64, (x - 0.5) / 0.25
    preprocess, description = vision_preprocess(73, 64, mean=(0.5,) * 3, std=(0.25,) * 3)
    return ModelAdapter(
        name=CARD["name"],
        modality=CARD["modality"],
        module=module,
        layers=CARD["layers"],
        preprocess=preprocess,
        preprocessing=description,
        weights_source=str(path),
    )


PLUGINS = [model_plugin(CARD, build, HERE)]
