"""Model plugins that misbehave on purpose, for tests/test_faults.py.

Each is the pixel baseline (64x64 grayscale, 1,024 features after 2x2 subsampling) with one fault in
its forward pass: ``fault_raise`` raises, ``fault_hang`` never returns, ``fault_slow`` takes 0.3 s per
batch (a run long enough to be killed in the middle), ``fault_constant`` ignores its input (every
stimulus gives the same activations, so no benchmark can give a finite score).

In-process: ``register(default_registry())``; in a subprocess: ``python tests/fault_models.py ARGS``
runs ``brainbench ARGS`` with these plugins registered.
"""
from __future__ import annotations

import sys
import time

import torch

from brainbench.model import ModelAdapter, vision_preprocess
from brainbench.registry import ModelPlugin

FAULTS = ("raise", "hang", "slow", "constant")


class FaultyPixels(torch.nn.Module):
    def __init__(self, fault: str):
        super().__init__()
        self.fault = fault
        self.pixels = torch.nn.Identity()

    def forward(self, x):
        if self.fault == "raise":
            raise RuntimeError("boom: this plugin's forward pass is broken")
        if self.fault == "hang":
            time.sleep(3600)
        if self.fault == "slow":
            time.sleep(0.3)
        if self.fault == "constant":
            x = torch.full_like(x, 0.5)
        return self.pixels(x.mean(dim=1, keepdim=True)[:, :, ::2, ::2])


def build(fault: str):
    def build_(weights=None, device="cpu") -> ModelAdapter:
        preprocess, description = vision_preprocess(73, 64, mean=(0.0,) * 3, std=(1.0,) * 3)
        return ModelAdapter(f"fault_{fault}", "vision", FaultyPixels(fault), ["pixels"], preprocess, description,
                            weights_source="none (test model)", batch_size=4 if fault == "slow" else 32)

    return build_


def plugins() -> list[ModelPlugin]:
    return [ModelPlugin(f"fault_{fault}", "vision", "baseline", build(fault), {}, lambda: (True, "no weights needed")) for fault in FAULTS]


def register(registry) -> list[str]:
    names = []
    for plugin in plugins():
        if plugin.name not in registry.models:
            registry.add(plugin, "tests/fault_models.py")
        names.append(plugin.name)
    return names


if __name__ == "__main__":
    import signal

    from brainbench.cli import main
    from brainbench.registry import default_registry

    # the fault tests interrupt this process with SIGINT; a parent that ignores SIGINT (a CI job started
    # in the background, whose children inherit SIG_IGN) must not make those tests vacuous or failing
    signal.signal(signal.SIGINT, signal.default_int_handler)

    register(default_registry())
    sys.exit(main(sys.argv[1:]))
