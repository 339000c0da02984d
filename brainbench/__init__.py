"""brainbench: how brain-like is an artificial network?

Public surface::

    brainbench.score(model, benchmarks=None, metric=None, ...)  # a name, ModelAdapter or nn.Module (layers=[...]) -> result
    brainbench.ModelAdapter                                      # wrap any torch.nn.Module
    brainbench.default_registry()                                # models, datasets, metrics, benchmarks
"""
__version__ = "0.1.0"

from .errors import BrainbenchError  # noqa: E402
from .model import ModelAdapter  # noqa: E402
from .registry import default_registry  # noqa: E402
from .inmemory import score  # noqa: E402  (core scoring.score plus in-memory torch modules)

__all__ = ["score", "ModelAdapter", "default_registry", "BrainbenchError", "__version__"]
