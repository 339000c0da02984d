"""``brainbench.score``: a model name, a plugin folder, a feature extractor, or a torch.nn.Module held
in memory with no plugin folder::

    import brainbench, torchvision
    net = torchvision.models.resnet18(weights=None)
    result = brainbench.score(net, layers=["layer2", "layer4"], benchmarks=["allen_np.VISp.ridge"])

``preprocessing`` says how image files become the module's input:
- ``None`` (vision): resize the shorter side to 256, centre-crop 224, ImageNet mean/std;
- a dict of brainbench.model.vision_preprocess arguments: ``{"resize": 73, "crop": 64, "mean": ..., "std": ..., "scale": 1.0}``;
- a callable ``paths -> batch`` (any modality), or a ``(callable, description dict)`` pair.
The description enters the cache key, and caches are keyed by the module's weights hash too, so two
different modules never share activations.
"""
from __future__ import annotations

import hashlib
import inspect
from typing import Callable

import torch

from .errors import PluginError
from .model import ModelAdapter, flatten_features, vision_preprocess
from .registry import MODALITIES
from .scoring import check_batch_size
from .scoring import score as _score_core

_VISION_KEYS = ("resize", "crop", "mean", "std", "scale")


def _custom_description(function: Callable) -> dict:
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):  # built in C, or defined at an interactive prompt
        source = repr(function)
    return {
        "kind": "custom",
        "function": getattr(function, "__qualname__", repr(function)),
        "source_sha256": hashlib.sha256(source.encode()).hexdigest(),
    }


def resolve_preprocessing(preprocessing, modality: str):
    """(preprocess, description) from the forms listed in the module docstring."""
    if preprocessing is None:
        if modality != "vision":
            raise PluginError(f"preprocessing is required for a {modality} module: pass a callable paths -> batch")
        return vision_preprocess(256, 224)
    if isinstance(preprocessing, dict):
        if modality != "vision":
            raise PluginError("a preprocessing dict describes image resizing; for audio pass a callable paths -> batch")
        unknown = sorted(set(preprocessing) - set(_VISION_KEYS))
        if unknown:
            raise PluginError(f"unknown preprocessing key(s) {unknown}; known: {list(_VISION_KEYS)}")
        return vision_preprocess(**preprocessing)
    if isinstance(preprocessing, tuple) and len(preprocessing) == 2 and callable(preprocessing[0]) and isinstance(preprocessing[1], dict):
        return preprocessing
    if callable(preprocessing):
        return preprocessing, _custom_description(preprocessing)
    raise PluginError(f"preprocessing must be None, a dict, a callable or a (callable, dict) pair, got {type(preprocessing).__name__}")


def _check_module_name(name: str | None, registry=None) -> None:
    """A name for an in-memory module's results: a plain identifier (it names the result file) that no
    registered model has (its results would replace that model's, as a plugin folder's would)."""
    import re

    from .registry import default_registry

    if name is None:
        return
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise PluginError(f"name={name!r}: give a plain name (letters, digits, _ . -), which also names the result file")
    if name in (registry or default_registry()).models:
        raise PluginError(f"name={name!r} is a registered model: this module's results would replace its scores. Fix: give another name")


def adapter_for_module(
    module: torch.nn.Module,
    layers: list[str] | None,
    preprocessing=None,
    modality: str = "vision",
    name: str | None = None,
    features: Callable | None = None,
    forward: Callable | None = None,
    batch_size: int = 32,
) -> ModelAdapter:
    """Wrap an in-memory module as a ModelAdapter (layers checked against its named modules)."""
    if not isinstance(module, torch.nn.Module):
        raise PluginError(f"expected a torch.nn.Module, got {type(module).__name__}")
    if modality not in MODALITIES:
        raise PluginError(f"modality must be one of {MODALITIES}, got {modality!r}")
    if not layers:
        names = [n for n, _ in module.named_modules() if n]
        shown = ", ".join(names[:25]) + (f", ... ({len(names)} in all)" if len(names) > 25 else "")
        raise PluginError(f"layers=[...] is required: name the modules to score. This module has: {shown}")
    preprocess, description = resolve_preprocessing(preprocessing, modality)
    extra = {}
    if features is not None:
        extra["features"] = features
    if forward is not None:
        extra["forward"] = forward
    return ModelAdapter(
        name=name or f"inmemory_{type(module).__name__.lower()}",
        modality=modality,
        module=module,
        layers=list(layers),
        preprocess=preprocess,
        preprocessing=description,
        weights_source="in-memory module (identified by its weights sha256)",
        batch_size=batch_size,
        **({"features": flatten_features} | extra),
    )


def score(
    model,
    benchmarks: list[str] | None = None,
    metric: str | None = None,
    *,
    layers: list[str] | None = None,
    preprocessing=None,
    modality: str = "vision",
    name: str | None = None,
    features: Callable | None = None,
    forward: Callable | None = None,
    batch_size: int | None = None,
    **kwargs,
) -> dict:
    """Score a registered model name, a model plugin folder anywhere (a path; ``name`` picks one model
    of a folder that registers several), a feature extractor (a ModelAdapter, an ONNX model, any
    brainbench.extractor.FeatureExtractor), or an in-memory torch.nn.Module.

    For a module, ``layers`` is required; see the module docstring for ``preprocessing``. Everything
    else (``data_dir``, ``store``, ``out``, ``device``, ...) is passed to brainbench.scoring.score.
    """
    check_batch_size(batch_size)
    if isinstance(model, torch.nn.Module):
        _check_module_name(name, kwargs.get("registry"))
        was_training = model.training  # the adapter puts it in eval mode
        try:
            adapter = adapter_for_module(model, layers, preprocessing, modality, name, features, forward, batch_size or 32)
            return _score_core(adapter, benchmarks, metric, **kwargs)
        finally:
            model.train(was_training)  # scored in eval mode; the caller's module is left as it was given
    return _score_core(model, benchmarks, metric, layers=layers, name=name, batch_size=batch_size, **kwargs)
