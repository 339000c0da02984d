"""brainbench: how brain-like is an artificial network?

Public surface::

    brainbench.score(model, benchmarks=None, metric=None, ...)  # a name, ModelAdapter or nn.Module (layers=[...]) -> result
    brainbench.ModelAdapter                                      # wrap any torch.nn.Module
    brainbench.default_registry()                                # models, datasets, metrics, benchmarks

The names are imported on first use (PEP 562), so ``import brainbench`` and the command line's
quick answers (``--help``, ``list``, ``data list``, ``cache info``) do not import torch.
"""
__version__ = "0.1.0"

from .errors import BrainbenchError  # noqa: E402

_LAZY = {"score": ("inmemory", "score"), "ModelAdapter": ("model", "ModelAdapter"), "default_registry": ("registry", "default_registry")}

__all__ = ["score", "ModelAdapter", "default_registry", "BrainbenchError", "__version__"]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(f".{module}", __name__), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'brainbench' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
