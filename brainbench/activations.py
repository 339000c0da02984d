"""Activation extraction: forward hooks on named layers, batched under inference mode, streamed to a
content-keyed store one batch at a time (each layer's rows appended to its own file as they are
produced), so memory holds one batch of one forward pass, not a model's worth of layers.

Storage dtype: float32 (default) or float16 (half the disk and page cache; activations beyond
float16's range stop the run with the layer named). The dtype enters the cache key and the result.

Cache key of a layer's activations = sha256 of (weights hash, preprocessing, adapter code version,
layer name, stimulus-set content hash, extraction version, storage dtype, and how the numbers were
computed: the device kind and, on the CPU, torch's intra-op thread count, since 1 and 2 BLAS threads
give activations differing in the 5th digit). Never a name alone: a key always means the same numbers.
"""
from __future__ import annotations

import contextlib
import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
from tqdm.auto import tqdm

from .checking import NEAR_CONSTANT_RTOL
from .errors import CacheError, PluginError
from .model import ModelAdapter, json_key
from .stimuli import StimulusSet
from .store import Store

EXTRACTION_VERSION = "2"  # v2: the compute settings are part of the key
STORAGE_DTYPES = ("float32", "float16")
FLOAT16_MAX = float(np.finfo(np.float16).max)


def check_storage_dtype(dtype: str) -> str:
    if dtype not in STORAGE_DTYPES:
        raise PluginError(f"activation storage dtype {dtype!r} is not supported; choose one of {', '.join(STORAGE_DTYPES)}")
    return dtype


def compute_settings(device: str = "cpu") -> dict:
    """What, besides the inputs, decides an extraction's last digits: the device, and on the CPU the
    number of threads torch splits its kernels over (the split changes the order of float sums)."""
    if str(device).startswith("cuda"):
        return {"device": "cuda", "gpu": torch.cuda.get_device_name(torch.device(device)) if torch.cuda.is_available() else "unavailable"}
    return {"device": torch.device(device).type, "threads": torch.get_num_threads()}


def activation_key(adapter: ModelAdapter, stimuli: StimulusSet, layer: str, dtype: str = "float32", device: str = "cpu") -> str:
    return json_key(
        {
            "model": adapter.identity(),
            "layer": layer,
            "stimulus_set": stimuli.content_hash,
            "extraction_version": EXTRACTION_VERSION,
            "dtype": dtype,
            "compute": compute_settings(device),
        }
    )


def _first_tensor(output):
    if isinstance(output, torch.Tensor):
        return output
    if isinstance(output, (tuple, list)) and output and isinstance(output[0], torch.Tensor):
        return output[0]
    if hasattr(output, "last_hidden_state"):
        return output.last_hidden_state
    raise PluginError(f"layer output of type {type(output).__name__} is not a tensor")


def extract(
    adapter: ModelAdapter,
    stimuli: StimulusSet,
    layers: list[str] | None = None,
    store: Store | None = None,
    device: str = "cpu",
    batch_size: int | None = None,
    dtype: str = "float32",
    progress: bool = True,
) -> dict[str, np.ndarray]:
    """Activations (stimulus x feature, memory-mapped from the store) for each requested layer.

    Layers already in the store (intact: digest and finiteness checked) are not recomputed; the rest
    share one pass over the stimuli.
    """
    layers = list(layers or adapter.layers)
    check_storage_dtype(dtype)
    store = store or Store()
    keys = {layer: activation_key(adapter, stimuli, layer, dtype, device) for layer in layers}
    result = {layer: store.get_array("activations", keys[layer], finite=True) for layer in layers}
    todo = [layer for layer in layers if result[layer] is None]
    if todo:
        _extract_missing(adapter, stimuli, todo, keys, store, device, batch_size or adapter.batch_size, dtype, progress)
        for layer in todo:
            result[layer] = store.get_array("activations", keys[layer])
            if result[layer] is None:
                raise CacheError(f"the activations of layer {layer!r} just written to {store.root} cannot be read back intact; the cache's disk may be failing. Fix: point --cache-dir elsewhere.")
    return result


class _Spread:
    """How much a layer's activations vary across stimuli, relative to their size, tracked batch by
    batch: a layer that does not depend on its input is caught without a second pass."""

    def __init__(self):
        self.first, self.spread, self.scale = None, 0.0, 0.0

    def add(self, block: np.ndarray) -> None:
        if self.first is None:
            self.first = block[:1].copy()
        self.spread = max(self.spread, float(np.abs(block - self.first).max(initial=0.0)))
        self.scale = max(self.scale, float(np.abs(block).max(initial=0.0)))

    @property
    def relative(self) -> float:
        return self.spread / self.scale if self.scale else 0.0


def _hook_layers(adapter, module, layers):
    named = dict(module.named_modules())
    captured: dict[str, list] = {}

    def hook_for(layer):
        def hook(_module, _inputs, output):
            captured.setdefault(layer, []).append(adapter.features(layer, _first_tensor(output)).detach())

        return hook

    return captured, [named[layer].register_forward_hook(hook_for(layer)) for layer in layers]


def _batches(adapter, stimuli, batch_size, prefetch, progress):
    """(paths, preprocessed batch) in stimulus order; the next batch is decoded while this one runs."""
    n = len(stimuli)
    bar = tqdm(range(0, n, batch_size), total=math.ceil(n / batch_size), desc=f"{adapter.name}: activations", unit="batch", disable=not progress)
    upcoming = prefetch.submit(adapter.preprocess, stimuli.paths[0:batch_size])
    for start in bar:
        batch = upcoming.result()
        if start + batch_size < n:
            upcoming = prefetch.submit(adapter.preprocess, stimuli.paths[start + batch_size : start + 2 * batch_size])
        yield stimuli.paths[start : start + batch_size], batch


def _layer_block(adapter, layer: str, outputs: list, rows: int, dtype: str) -> np.ndarray:
    """One batch of one layer as a float32 (rows, width) array, checked."""
    if len(outputs) != 1:
        raise PluginError(
            f"model {adapter.name!r}: layer {layer!r} ran {len(outputs)} times in one forward pass; "
            "choose a module that runs exactly once (a shared activation module cannot be hooked)"
        )
    block = outputs[0].float().cpu().numpy()
    if block.shape[0] != rows:
        raise PluginError(f"model {adapter.name!r}: layer {layer!r} gave {block.shape[0]} rows for a batch of {rows}")
    # a float64 sum of float32/16 values cannot overflow: it is finite iff every value is
    if not np.isfinite(block.sum(dtype=np.float64)):
        raise PluginError(f"model {adapter.name!r}: layer {layer!r} produced non-finite activations")
    if dtype == "float16" and block.size and max(block.max(), -block.min()) > FLOAT16_MAX:
        raise PluginError(
            f"model {adapter.name!r}: layer {layer!r} has activations beyond float16's range "
            f"(|x| up to {max(block.max(), -block.min()):.3g} > {FLOAT16_MAX:.0f}); store this model in float32"
        )
    return block


def _extract_missing(adapter, stimuli, layers, keys, store, device, batch_size, dtype, progress):
    module = adapter.module.to(device)
    captured, handles = _hook_layers(adapter, module, layers)
    n = len(stimuli)
    writers, metas, spreads = {}, {}, {layer: _Spread() for layer in layers}
    with contextlib.ExitStack() as stack:
        # decoding and preprocessing of the next batch overlap this batch's forward pass (one
        # thread: preprocess never runs concurrently with itself; one extra batch in memory)
        prefetch = stack.enter_context(ThreadPoolExecutor(max_workers=1, thread_name_prefix="brainbench-preprocess"))
        try:
            for paths, batch in _batches(adapter, stimuli, batch_size, prefetch, progress):
                batch = batch.to(device) if isinstance(batch, torch.Tensor) else batch
                captured.clear()
                with torch.inference_mode():
                    adapter.forward(module, batch)
                for layer in layers:
                    block = _layer_block(adapter, layer, captured.get(layer, []), len(paths), dtype)
                    if layer not in writers:
                        metas[layer] = {"model": adapter.name, "layer": layer, "stimulus_set": stimuli.name, "storage_dtype": dtype}
                        writers[layer] = stack.enter_context(store.stream_writer("activations", keys[layer], (n, block.shape[1]), dtype, metas[layer]))
                    elif block.shape[1] != writers[layer].shape[1]:
                        raise PluginError(f"model {adapter.name!r}: layer {layer!r} changed width from {writers[layer].shape[1]} to {block.shape[1]} between batches")
                    spreads[layer].add(block)
                    writers[layer].append(block)  # batches come in stimulus order
            for layer in layers:  # recorded with the entry (its metadata is written when the writer closes)
                metas[layer]["relative_spread"] = spreads[layer].relative
        finally:
            for handle in handles:
                handle.remove()


def constant_layers(store: Store, keys: dict[str, str]) -> list[str]:
    """Layers whose stored activations barely vary across stimuli (relative spread at most
    NEAR_CONSTANT_RTOL, as ``brainbench check`` flags them): the model ignores its input there."""
    found = []
    for layer, key in keys.items():
        meta = store.get_meta("activations", key) or {}
        if meta.get("relative_spread") is not None and meta["relative_spread"] <= NEAR_CONSTANT_RTOL:
            found.append(layer)
    return found
