"""PESTO (Riou et al. 2023) from the pesto-pitch 2.0.1 wheel, with its own HCQT front end and hookable taps.

The wheel's ``pesto/__init__.py`` imports ``pesto.core``, which imports torchaudio only to read audio
files; brainbench does not install torchaudio (its wheels pin their own torch). So the installed folder
is registered as the package ``pesto`` WITHOUT executing its ``__init__`` and only ``pesto.model`` /
``pesto.data`` (pure torch + scipy) are imported. The checkpoint pickles omegaconf containers in its
hparams: it is loaded with ``weights_only=True`` and an allowlist of those omegaconf classes, after its
sha256 is checked against the pinned release. The hookable taps (``PestoTaps``) are torch code and
live in nets.py; this module imports torch only when a model is built.
"""
from __future__ import annotations

import collections
import importlib
import importlib.util
import sys
import typing

from brainbench.errors import WeightsUnavailableError

PIP = "pesto-pitch==2.0.1"
# pesto.core.predict's default model_name: the newer checkpoint (variable-Q CQT with gamma=7, 3 prefilter
# layers, trained confidence head); mir-1k.ckpt is the ISMIR 2023 paper's original configuration.
CHECKPOINT = "mir-1k_g7"
SHA256 = {
    "mir-1k_g7": "16c32e06ddd950e3e4866dfa3c7f8a87c4988f8adf43e57977b189f031f26f3e",
    "mir-1k": "f48c355153fc2fce13393a216ff1629cdfe776b527ce11c8e879df9165e1fb3d",
}
RATE = 16000  # MIR-1K, the training set, is 16 kHz; the HCQT kernels are built for this rate
HOP_MS = 10.0  # pesto's default step size
# mir-1k_g7's hyperparameters, written out so that the untrained control has the same architecture
# without the checkpoint; the pretrained build checks the checkpoint's own values equal these.
ENCODER = {
    "n_chan_input": 1, "n_chan_layers": [40, 30, 30, 10, 3], "n_prefilt_layers": 3, "prefilt_kernel_size": 39,
    "residual": True, "n_bins_in": 219, "output_dim": 384, "activation_fn": "leaky", "a_lrelu": 0.3, "p_dropout": 0.2,
}
HCQT = {"harmonics": [1], "fmin": 27.5, "fmax": None, "bins_per_semitone": 3, "n_bins": 251, "center_bins": True, "gamma": 7, "center": True}
CROP = {"min_steps": -16, "max_steps": 16}
LAYERS = ["prefilt1", "prefilt2", "prefilt3", "pointwise1", "pointwise2", "pointwise3", "pointwise4", "pitch_probs"]


def pesto_modules():
    """(pesto.model, pesto.data) from the installed wheel, without running pesto/__init__.py (see above)."""
    if "pesto" not in sys.modules:
        spec = importlib.util.find_spec("pesto")
        if spec is None or not spec.submodule_search_locations:
            raise WeightsUnavailableError(
                f"PESTO's weights and model code ship in the PyPI package {PIP}, which is not installed.\n"
                f"Fix: pip install --no-deps -r submissions/audio_wheels/requirements.txt   (or: pip install --no-deps {PIP} omegaconf)"
            )
        # module_from_spec sets __path__ to the installed folder; not exec'd, so pesto.core/torchaudio never load.
        # It must be named "pesto" (pesto/utils/hcqt.py imports pesto.utils.cached_conv absolutely); so after
        # this, `import pesto` in the same process gives the package without pesto.predict (which needs torchaudio).
        sys.modules["pesto"] = importlib.util.module_from_spec(spec)
    try:
        return importlib.import_module("pesto.model"), importlib.import_module("pesto.data")
    except ImportError as exc:
        raise WeightsUnavailableError(f"cannot import PESTO's model code from {PIP}: {exc}. Fix: pip install --no-deps {PIP} scipy") from exc


def _plain(value):
    """omegaconf containers -> plain Python (Resnet1d appends to its n_chan_layers list)."""
    if hasattr(value, "items"):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) or type(value).__name__ == "ListConfig":
        return [_plain(v) for v in value]
    return value


def load_checkpoint(path) -> dict:
    try:
        from omegaconf.base import ContainerMetadata, Metadata
        from omegaconf.dictconfig import DictConfig
        from omegaconf.listconfig import ListConfig
        from omegaconf.nodes import AnyNode
    except ImportError as exc:
        raise WeightsUnavailableError("PESTO's checkpoint stores its hparams as omegaconf objects. Fix: pip install omegaconf") from exc
    import torch

    allowed = [ContainerMetadata, Metadata, DictConfig, ListConfig, AnyNode, typing.Any, collections.defaultdict, dict, list, int]
    try:
        with torch.serialization.safe_globals(allowed):
            checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise WeightsUnavailableError(f"cannot load weights file {path}: {exc}") from exc
    hparams, hcqt = _plain(checkpoint["hparams"]), _plain(checkpoint["hcqt_params"])
    encoder = {k: hparams["encoder"].get(k) for k in ENCODER}  # it also holds keys Resnet1d ignores (fc_margin, spiral)
    if encoder != ENCODER or hcqt != HCQT or hparams["pitch_shift"] != CROP:
        raise WeightsUnavailableError(f"{path}: hyperparameters differ from PESTO {CHECKPOINT}'s ({hparams}, {hcqt})")
    return checkpoint["state_dict"]


def build_pesto(state_dict=None, seed: int = 0):
    """pesto.model.PESTO at 16 kHz, 10 ms hop; loaded strictly from ``state_dict`` or seeded-random."""
    import torch

    model, data = pesto_modules()
    if state_dict is None:
        torch.manual_seed(seed)
    preprocessor = data.Preprocessor(hop_size=HOP_MS, sampling_rate=RATE, **HCQT)
    encoder = model.Resnet1d(**{**ENCODER, "n_chan_layers": list(ENCODER["n_chan_layers"])})
    net = model.PESTO(encoder, preprocessor=preprocessor, crop_kwargs=dict(CROP), reduction="alwa")
    if state_dict is not None:
        # the HCQT kernels are computed from the rate, not stored: every other tensor must match
        missing, unexpected = net.load_state_dict(state_dict, strict=False)
        missing = [k for k in missing if not k.startswith("preprocessor.hcqt_kernels.")]
        if missing or unexpected:
            raise WeightsUnavailableError(f"PESTO checkpoint does not fit the model: missing {missing}, unexpected {unexpected}")
    return net.eval()
