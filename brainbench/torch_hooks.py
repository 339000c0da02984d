"""The one hook runner for torch modules: a forward pass with forward hooks on named modules.

``brainbench.ModelAdapter`` calls it to extract activations, to probe a model's memory and in
``brainbench check``; nothing else in brainbench registers hooks.
"""
from __future__ import annotations

from typing import Callable, Sequence

import torch

from .errors import PluginError


def first_tensor(output) -> torch.Tensor:
    """The tensor a module's output stands for (a tuple's first, a model output's last hidden state)."""
    if isinstance(output, torch.Tensor):
        return output
    if isinstance(output, (tuple, list)) and output and isinstance(output[0], torch.Tensor):
        return output[0]
    if hasattr(output, "last_hidden_state"):
        return output.last_hidden_state
    raise PluginError(f"gives a {type(output).__name__}, not a tensor. Fix: hook a submodule whose output is a tensor, or give the "
                      "adapter features=(layer, output) -> (batch, features) tensor that picks one")


def output_tensors(output) -> list[torch.Tensor]:
    """Every tensor a module's output holds at its top level (for measuring the working set)."""
    if isinstance(output, torch.Tensor):
        return [output]
    if isinstance(output, (tuple, list)):
        return [o for o in output if isinstance(o, torch.Tensor)]
    if hasattr(output, "last_hidden_state") and isinstance(output.last_hidden_state, torch.Tensor):
        return [output.last_hidden_state]
    return []


def run_hooked(
    module: torch.nn.Module,
    forward: Callable,
    batch,
    layers: Sequence[str],
    features: Callable[[str, torch.Tensor], torch.Tensor],
    every_output: Callable[[torch.Tensor], None] | None = None,
) -> tuple[dict[str, list[torch.Tensor]], dict[str, str]]:
    """``forward(module, batch)`` under inference mode with a hook on each of ``layers``.

    Returns (layer -> ``features(layer, output)`` of every call of that module in the pass, layer ->
    why ``features`` failed). A failing ``features`` is recorded for its layer and the pass goes on;
    an exception of the forward pass itself propagates. ``every_output`` (optional) sees the output
    tensors of every module, for the memory probe. Hooks are always removed.
    """
    named = dict(module.named_modules())
    captured: dict[str, list[torch.Tensor]] = {layer: [] for layer in layers}
    problems: dict[str, str] = {}

    def hook_for(layer):
        def hook(_module, _inputs, output):
            try:
                tensor = first_tensor(output)
            except PluginError as exc:  # what the module gives, not a features() failure
                problems[layer] = str(exc)
                return
            try:
                if tensor.ndim == 0:  # features() would fail with a bare IndexError
                    problems[layer] = "gives a scalar (a 0-d tensor), not one row per stimulus: hook a module whose output has a batch dimension"
                    return
                captured[layer].append(features(layer, tensor).detach())
            except Exception as exc:  # recorded per layer; the forward pass goes on
                problems[layer] = f"features() failed: {type(exc).__name__}: {exc}"

        return hook

    def any_module_hook(_module, _inputs, output):
        for tensor in output_tensors(output):
            every_output(tensor)

    handles = []
    try:
        if every_output is not None:
            handles += [sub.register_forward_hook(any_module_hook) for name, sub in named.items() if name]
        handles += [named[layer].register_forward_hook(hook_for(layer)) for layer in layers]
        with torch.inference_mode():
            forward(module, batch)
    finally:
        for handle in handles:
            handle.remove()
    return captured, problems


def once_per_pass(captured: dict[str, list[torch.Tensor]], problems: dict[str, str]) -> dict:
    """The one output of each layer as a float32 numpy array; a layer that ran other than once is a problem."""
    arrays = {}
    for layer, outputs in captured.items():
        if layer in problems:
            continue
        if len(outputs) != 1:
            problems[layer] = (
                f"ran {len(outputs)} times in one forward pass; hook a module that runs exactly once "
                "(a shared activation module cannot be hooked)"
            )
            continue
        if outputs[0].is_meta:
            problems[layer] = ("gives a tensor on the meta device (shapes, no values): the module's weights were never loaded. "
                               "Fix: materialise it (module.to_empty(device=...) then load_state_dict) before scoring")
            continue
        if outputs[0].is_complex():  # .float() would drop the imaginary part without a word
            problems[layer] = ("gives complex activations; brainbench scores real features: return e.g. .abs(), or "
                               "torch.view_as_real(x).flatten(1) to keep both parts")
            continue
        arrays[layer] = outputs[0].float().cpu().numpy()
    return arrays


def compute_settings(device: str = "cpu") -> dict:
    """What, besides the inputs, decides an extraction's last digits: the device, and on the CPU the
    number of threads torch splits its kernels over (the split changes the order of float sums)."""
    if str(device).startswith("cuda"):
        return {"device": "cuda", "gpu": torch.cuda.get_device_name(torch.device(device)) if torch.cuda.is_available() else "unavailable"}
    return {"device": torch.device(device).type, "threads": torch.get_num_threads()}
