"""Activation extraction through the feature-extractor protocol (brainbench.extractor), whatever runs
the model (torch, ONNX, a precomputed file): batches loaded on a prefetch thread, each layer's array
checked (brainbench.extractor.run_batch), streamed to a content-keyed store one batch at a time (each
layer's rows appended to its own file as they are produced), so memory holds one batch of one
forward pass, not a model's worth of layers.

Storage dtype: float32 (default) or float16 (half the disk and page cache; activations beyond
float16's range stop the run with the layer named). The dtype enters the cache key and the result.

Cache key of a layer's activations = sha256 of (weights hash, preprocessing, adapter code version,
layer name, stimulus-set content hash, extraction version, storage dtype, and how the numbers were
computed, ``extractor.compute_settings(device)``: for torch the device kind and, on the CPU, torch's
intra-op thread count, since 1 and 2 BLAS threads give activations differing in the 5th digit). Never a name alone: a key always means the same numbers.
"""
from __future__ import annotations

import contextlib
import math
from concurrent.futures import ThreadPoolExecutor, wait

import numpy as np
from tqdm.auto import tqdm

from .checking import NEAR_CONSTANT_RTOL
from .errors import CacheError, PluginError
from .extractor import FeatureExtractor, LayerProblems, run_batch
from .model import json_key
from .stimuli import StimulusSet
from .store import Store

EXTRACTION_VERSION = "2"  # v2: the compute settings are part of the key
STORAGE_DTYPES = ("float32", "float16")
FLOAT16_MAX = float(np.finfo(np.float16).max)


def check_storage_dtype(dtype: str) -> str:
    if dtype not in STORAGE_DTYPES:
        raise PluginError(f"activation storage dtype {dtype!r} is not supported; choose one of {', '.join(STORAGE_DTYPES)}")
    return dtype


def activation_key(extractor: FeatureExtractor, stimuli: StimulusSet, layer: str, dtype: str = "float32", device: str = "cpu") -> str:
    return json_key(
        {
            "model": extractor.identity(),
            "plugin_source_sha256": extractor.plugin_source_sha256,
            "layer": layer,
            "stimulus_set": stimuli.content_hash,
            "extraction_version": EXTRACTION_VERSION,
            "dtype": dtype,
            "compute": extractor.compute_settings(device),
        }
    )


def extract(
    extractor: FeatureExtractor,
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
    layers = list(layers or extractor.layers)
    check_storage_dtype(dtype)
    store = store or Store()
    keys = {layer: activation_key(extractor, stimuli, layer, dtype, device) for layer in layers}
    result = {layer: store.get_array("activations", keys[layer], finite=True) for layer in layers}
    todo = [layer for layer in layers if result[layer] is None]
    if todo:
        extractor.check_stimuli(stimuli)
        _extract_missing(extractor, stimuli, todo, keys, store, device, batch_size or extractor.batch_size, dtype, progress)
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


def _batches(extractor, stimuli, batch_size, prefetch, progress):
    """(rows, loaded batch) in stimulus order; the next batch is loaded while this one runs."""
    n = len(stimuli)
    bar = tqdm(range(0, n, batch_size), total=math.ceil(n / batch_size), desc=f"{extractor.name}: activations", unit="batch", disable=not progress)

    def load(start):
        return prefetch.submit(extractor.load, stimuli.ids[start : start + batch_size], stimuli.paths[start : start + batch_size])

    upcoming = load(0)
    for start in bar:
        batch = upcoming.result()
        if start + batch_size < n:
            upcoming = load(start + batch_size)
        yield min(batch_size, n - start), batch


def _checked_blocks(extractor, batch, layers, rows: int, dtype: str) -> dict[str, np.ndarray]:
    """One batch of every layer as float32 (rows, width) arrays, checked (brainbench.extractor.run_batch)."""
    blocks, problems = run_batch(extractor, batch, layers, rows)
    if problems:
        raise LayerProblems(extractor.name, problems)
    if dtype == "float16":
        for layer, block in blocks.items():
            if block.size and max(block.max(), -block.min()) > FLOAT16_MAX:
                raise PluginError(
                    f"model {extractor.name!r}: layer {layer!r} has activations beyond float16's range "
                    f"(|x| up to {max(block.max(), -block.min()):.3g} > {FLOAT16_MAX:.0f}); store this model in float32"
                )
    return blocks


def _extract_missing(extractor, stimuli, layers, keys, store, device, batch_size, dtype, progress):
    extractor.to_device(device)
    n = len(stimuli)
    writers, metas, spreads = {}, {}, {layer: _Spread() for layer in layers}
    with contextlib.ExitStack() as stack:
        # decoding and preprocessing of the next batch overlap this batch's forward pass (one
        # thread: load never runs concurrently with itself; one extra batch in memory)
        prefetch = stack.enter_context(ThreadPoolExecutor(max_workers=1, thread_name_prefix="brainbench-preprocess"))
        # and this batch's store writes (hashing, copying into the page cache) overlap the next batch's
        # forward pass: one thread, so each layer's rows are written in stimulus order; at most one batch
        # waits to be written (the preflight counts two batches of captured outputs)
        writing = _BackgroundWrites(stack.enter_context(ThreadPoolExecutor(max_workers=1, thread_name_prefix="brainbench-store")))
        with writing:
            for rows, batch in _batches(extractor, stimuli, batch_size, prefetch, progress):
                blocks = _checked_blocks(extractor, batch, layers, rows, dtype)
                for layer, block in blocks.items():
                    if layer not in writers:
                        metas[layer] = {"model": extractor.name, "layer": layer, "stimulus_set": stimuli.name, "storage_dtype": dtype}
                        writers[layer] = stack.enter_context(store.stream_writer("activations", keys[layer], (n, block.shape[1]), dtype, metas[layer]))
                    elif block.shape[1] != writers[layer].shape[1]:
                        raise PluginError(f"model {extractor.name!r}: layer {layer!r} changed width from {writers[layer].shape[1]} to {block.shape[1]} between batches")
                writing.submit([(writers[layer], spreads[layer], block) for layer, block in blocks.items()])
        for layer in layers:  # recorded with the entry (its metadata is written when the writer closes)
            metas[layer]["relative_spread"] = spreads[layer].relative


class _BackgroundWrites:
    """Row blocks appended to their stream writers (and their spread tracked) on one thread, one batch
    at a time.

    ``submit`` first waits for the previous batch's writes (raising their error, e.g. a full disk), so
    at most one batch is in flight. Leaving the block waits for the last one: a writer is never
    closed (its file published or discarded) while a write into it may still run."""

    def __init__(self, executor: ThreadPoolExecutor):
        self.executor, self.pending = executor, None

    def submit(self, appends: list) -> None:
        self._finish()
        self.pending = self.executor.submit(_append_all, appends)

    def _finish(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self._finish()
        elif self.pending is not None:
            wait([self.pending])  # another error is on its way out: let it, once the write is done


def _append_all(appends: list) -> None:
    for writer, spread, block in appends:
        spread.add(block)
        writer.append(block)  # batches come in stimulus order


def constant_layers(store: Store, keys: dict[str, str]) -> list[str]:
    """Layers whose stored activations barely vary across stimuli (relative spread at most
    NEAR_CONSTANT_RTOL, as ``brainbench check`` flags them): the model ignores its input there."""
    found = []
    for layer, key in keys.items():
        meta = store.get_meta("activations", key) or {}
        if meta.get("relative_spread") is not None and meta["relative_spread"] <= NEAR_CONSTANT_RTOL:
            found.append(layer)
    return found
