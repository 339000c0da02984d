"""The feature-extractor protocol: what brainbench needs from a model, whatever runs it.

A feature extractor turns a batch of stimuli into named layer arrays::

    batch = extractor.load(ids, paths)       # decode + preprocess one batch (runs on a prefetch thread)
    arrays = extractor(batch, layers)        # {layer: (len(ids), features) array}

Extraction (``brainbench.activations``), the memory preflight (``brainbench.preflight``) and
``brainbench check`` (``brainbench.checking``) call nothing else, so a torch module
(``brainbench.ModelAdapter``), an ONNX graph (``brainbench.onnx_model.OnnxExtractor``), activations
a lab computed elsewhere (``brainbench.precomputed.PrecomputedActivations``) or a JAX/TensorFlow
function wrapped in a subclass all go through the same code, the same checks and the same cache.

Required: ``name``, ``modality``, ``layers``, ``preprocessing`` (attributes), ``weights_hash``
(property) and ``__call__``. Every other hook is named here with its default:

=====================  ============================================================================
hook                   default
=====================  ============================================================================
``batch_size``         32 stimuli per call (the memory preflight may lower it)
``weights_source``     "" (where the weights came from, for the result)
``code_version``       "1": bump when your code changes what a layer's activations are (code in a
                       plugin folder is keyed by its content anyway: ``plugin_source_sha256``)
``plugin_source_sha256`` None; set by brainbench when it builds the model from a plugin folder: the
                       sha256 of the folder's Python files, part of every activation cache key
``identity()``         weights hash + preprocessing + adapter name + code version: the model part of
                       every activation cache key
``compute_settings``   ``{"device": <kind>}``: what besides the inputs decides the last digits
                       (torch adds its thread count); part of the cache key
``load(ids, paths)``   ``list(paths)``: the batch your ``__call__`` receives
``to_device(device)``  nothing: move weights to "cpu" / "cuda:N" before the first call
``check_stimuli(s)``   nothing: refuse a stimulus set it cannot serve (precomputed files: missing ids)
``probe(batch, ls)``   ``(self(batch, ls), widest layer's bytes per stimulus)``: the arrays and the
                       largest intermediate output per stimulus, for the memory estimate
``parameter_bytes``    0: memory the weights take
``available_layers``   ``layers``: names ``--layers`` may choose from
``layer_noun``         "layer": what a layer is called in messages ("module", "tensor")
=====================  ============================================================================

``__call__`` may raise :class:`LayerProblems` to report per-layer problems (with the layers that
worked); :func:`run_batch` checks every array the same way for every kind of extractor: one row per
stimulus, two dimensions, at least one feature, finite.
"""
from __future__ import annotations

import abc
from typing import Sequence

import numpy as np

from .errors import PluginError


class LayerProblems(PluginError):
    """One call of an extractor gave no usable array for some layers: ``problems`` says why, per
    layer; ``arrays`` holds the layers that worked."""

    def __init__(self, model: str, problems: dict[str, str], arrays: dict | None = None):
        self.model, self.problems, self.arrays = model, dict(problems), dict(arrays or {})
        listing = "; ".join(f"layer {layer!r} {message}" for layer, message in self.problems.items())
        super().__init__(f"model {model!r}: {listing}")


class FeatureExtractor(abc.ABC):
    """Base class (and documentation) of every model brainbench scores; see the module docstring."""

    #: the name results are filed under
    name: str
    #: "vision" or "audio"
    modality: str
    #: candidate layers, shallow to deep: the keys of the arrays ``__call__`` returns
    layers: list[str]
    #: description of the input pipeline (resize, crop, normalisation, sample rate, ...): part of
    #: every activation cache key and of the result
    preprocessing: dict
    batch_size: int = 32
    weights_source: str = ""
    code_version: str = "1"
    layer_noun: str = "layer"
    #: set by brainbench (never by the plugin) when the model is built from a plugin folder: the
    #: sha256 of that folder's Python files, so edited code never reads activations of the old code
    plugin_source_sha256: str | None = None

    @property
    @abc.abstractmethod
    def weights_hash(self) -> str:
        """sha256 that identifies the weights (or the file the activations come from)."""

    @abc.abstractmethod
    def __call__(self, batch, layers: Sequence[str]) -> dict[str, np.ndarray]:
        """{layer: (batch, features) array} for one batch from ``load``."""

    def identity(self) -> dict:
        """Everything about the model that changes activations (the content part of cache keys)."""
        return {
            "weights_sha256": self.weights_hash,
            "preprocessing": self.preprocessing,
            "adapter": self.name,
            "adapter_code_version": self.code_version,
        }

    def compute_settings(self, device: str = "cpu") -> dict:
        return {"device": str(device).split(":")[0]}

    def load(self, ids: Sequence[str], paths: Sequence) -> object:
        return list(paths)

    def to_device(self, device: str) -> None:
        return None

    def check_stimuli(self, stimuli) -> None:
        return None

    def probe(self, batch, layers: Sequence[str]) -> tuple[dict[str, np.ndarray], int]:
        arrays = self(batch, layers)
        return arrays, max((np.asarray(a)[:1].size * 4 for a in arrays.values()), default=0)

    @property
    def parameter_bytes(self) -> int:
        return 0

    def available_layers(self) -> list[str]:
        return list(self.layers)


def as_block(array, rows: int) -> np.ndarray:
    """One layer's output for a batch as a float32 (rows, width) array, or ValueError saying what is wrong."""
    block = np.asarray(array)
    if block.ndim != 2 or block.shape[0] != rows:
        raise ValueError(f"features have shape {tuple(block.shape)} for a batch of {rows}; expected (batch, width) = ({rows}, width)")
    if block.shape[1] == 0:
        raise ValueError("has zero features")
    if not np.issubdtype(block.dtype, np.number) or np.issubdtype(block.dtype, np.complexfloating):
        raise ValueError(f"features are of type {block.dtype}, not real numbers")
    block = block.astype(np.float32, copy=False)
    # a float64 sum of float32 values cannot overflow: it is finite iff every value is
    if not np.isfinite(block.sum(dtype=np.float64)):
        raise ValueError("produced non-finite activations (NaN or inf)")
    return block


def run_batch(extractor: FeatureExtractor, batch, layers: Sequence[str], rows: int) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """One call of the extractor with every layer's array checked: (good blocks, problem per layer).

    Exceptions other than per-layer problems (a forward pass that raises) pass unchanged."""
    problems: dict[str, str] = {}
    try:
        arrays = extractor(batch, list(layers))
    except LayerProblems as exc:
        arrays, problems = exc.arrays, dict(exc.problems)
    blocks = {}
    for layer in layers:
        if layer in problems:
            continue
        if layer not in arrays:
            problems[layer] = "gave no output"
            continue
        try:
            blocks[layer] = as_block(arrays[layer], rows)
        except ValueError as exc:
            problems[layer] = str(exc)
    return blocks, problems
