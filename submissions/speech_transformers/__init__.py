"""Self-supervised speech transformers via Hugging Face ``transformers``: wav2vec 2.0 and HuBERT (Base).

Pretrained weights come only from (1) ``--weights DIR``, a local Hugging Face model folder
(config.json + model.safetensors / pytorch_model.bin), or (2) the local Hugging Face cache
(``$HF_HOME/hub``), always with ``local_files_only=True``: brainbench never downloads them at score
time and never substitutes random weights. Without them: WeightsUnavailableError with the fix.

``wav2vec2_untrained`` / ``hubert_untrained`` are the same architectures built from the default
(Base) config with ``torch.manual_seed(0)``: the controls for what training adds.

Input: mono, 16 kHz (soxr VHQ), RMS 0.01, then the model's own input normalisation
(zero mean, unit variance per sound when its feature extractor's ``do_normalize`` is true).
Candidate layers: the 7 convolutional feature-encoder blocks, the feature projection and every
transformer block. Each layer's output is mean-pooled over its time frames (20 ms hop after the
encoder); ``pooling`` is the one switch for time-resolved features.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from brainbench.audio import audio_preprocessing, load_batch, pool_time
from brainbench.errors import WeightsUnavailableError
from brainbench.model import ModelAdapter, hf_cache_snapshot
from brainbench.registry import ModelPlugin
from brainbench.card import bibtex_entry

if TYPE_CHECKING:
    import torch

HERE = Path(__file__).resolve().parent
SAMPLE_RATE = 16000
SEED = 0
SPECS = {
    "wav2vec2": {"repo": "facebook/wav2vec2-base", "model": "Wav2Vec2Model", "config": "Wav2Vec2Config", "bibtex_key": "baevski2020wav2vec"},
    "hubert": {"repo": "facebook/hubert-base-ls960", "model": "HubertModel", "config": "HubertConfig", "bibtex_key": "hsu2021hubert"},
}


def candidate_layers(config) -> list[str]:
    convs = [f"feature_extractor.conv_layers.{i}" for i in range(len(config.conv_dim))]
    blocks = [f"encoder.layers.{i}" for i in range(config.num_hidden_layers)]
    return convs + ["feature_projection"] + blocks


def cached_snapshot(repo: str) -> Path | None:
    """The local Hugging Face cache folder of ``repo``, or None (never touches the network)."""
    try:
        from huggingface_hub import snapshot_download

        # $HF_HUB_CACHE read at call time (huggingface_hub reads it once, at import)
        return Path(snapshot_download(repo, local_files_only=True, cache_dir=os.environ.get("HF_HUB_CACHE") or None))
    except Exception:  # LocalEntryNotFoundError, or huggingface_hub missing
        return None


def _weights_status(kind):
    def status():  # no huggingface_hub import: `brainbench list models` answers at once
        path = hf_cache_snapshot(SPECS[kind]["repo"])
        return (path is not None, str(path) if path else f"Hugging Face cache entry {SPECS[kind]['repo']} (absent)")

    return status


def _load_pretrained(kind: str, weights) -> tuple[torch.nn.Module, bool, str]:
    import transformers

    spec = SPECS[kind]
    where = Path(weights).expanduser() if weights else cached_snapshot(spec["repo"])
    if where is None or not where.is_dir():
        raise WeightsUnavailableError(
            f"pretrained {kind} weights ({spec['repo']}) are not on this machine"
            + (f": {weights} is not a folder" if weights else " (not in the local Hugging Face cache)")
            + ".\nFix: on a machine with internet run\n"
            f"  python -c \"from huggingface_hub import snapshot_download; print(snapshot_download('{spec['repo']}'))\"\n"
            "and copy the cache ($HF_HOME/hub, default ~/.cache/huggingface/hub) here, or pass --weights /path/to/model_folder "
            "(config.json + model.safetensors). brainbench never substitutes random weights; for the untrained control ask for "
            f"'{kind}_untrained'."
        )
    try:
        module = getattr(transformers, spec["model"]).from_pretrained(str(where), local_files_only=True)
    except (OSError, ValueError) as exc:
        raise WeightsUnavailableError(f"cannot load {kind} weights from {where}: {exc}") from exc
    do_normalize = True
    preprocessor = where / "preprocessor_config.json"
    if preprocessor.is_file():
        do_normalize = bool(json.loads(preprocessor.read_text()).get("do_normalize", True))
    return module, do_normalize, str(where)


def build_untrained_module(kind: str, **config_overrides) -> torch.nn.Module:
    """The architecture from its default config (optionally shrunk, e.g. for tests), seed 0."""
    import torch
    import transformers

    spec = SPECS[kind]
    config = getattr(transformers, spec["config"])(**config_overrides)
    torch.manual_seed(SEED)
    return getattr(transformers, spec["model"])(config)


def make_adapter(name: str, module: torch.nn.Module, do_normalize: bool, source: str, pooling: str = "mean", batch_size: int = 4) -> ModelAdapter:
    def preprocess(paths):
        waves = load_batch(paths, SAMPLE_RATE, min_duration_s=0.025)  # one 25 ms receptive field of the encoder
        if do_normalize:
            import torch

            waves = (waves - waves.mean(dim=1, keepdim=True)) / torch.sqrt(waves.var(dim=1, keepdim=True) + 1e-7)
        return waves

    def forward(model, batch):
        return model(input_values=batch)

    def features(layer, output):
        # conv blocks: (batch, channels, time); projection and transformer blocks: (batch, time, hidden)
        return pool_time(output, -1 if layer.startswith("feature_extractor") else 1, pooling)

    description = audio_preprocessing(SAMPLE_RATE, pooling=pooling, input_normalisation="zero mean, unit variance per sound" if do_normalize else "none")
    return ModelAdapter(
        name=name,
        modality="audio",
        module=module,
        layers=candidate_layers(module.config),
        preprocess=preprocess,
        preprocessing=description,
        forward=forward,
        features=features,
        weights_source=source,
        batch_size=batch_size,
    )


def _builder(kind: str, pretrained: bool):
    def build(weights=None, device="cpu", pooling="mean"):
        if pretrained:
            module, do_normalize, source = _load_pretrained(kind, weights)
            return make_adapter(kind, module, do_normalize, source, pooling)
        module = build_untrained_module(kind)
        return make_adapter(f"{kind}_untrained", module, True, f"untrained: default {SPECS[kind]['config']}, torch.manual_seed({SEED})", pooling)

    return build


def _bibtex(key: str) -> str:
    return bibtex_entry(HERE / "bibtex.bib", key)


PLUGINS = []
for _kind, _spec in SPECS.items():
    _card = {
        "architecture": f"{_spec['model']} Base: 7-block conv feature encoder + 12 transformer blocks (768 wide), ~95M parameters",
        "training_data": "LibriSpeech 960 h (unlabelled audio)",
        "objective": "self-supervised: contrastive (wav2vec 2.0)" if _kind == "wav2vec2" else "self-supervised: masked prediction of clustered units (HuBERT)",
        "weights_source": f"Hugging Face {_spec['repo']} from the local cache or --weights DIR (local_files_only)",
        "licence": "Apache-2.0 (transformers); weights: fairseq release, MIT",
        "preprocessing": "mono, 16 kHz (soxr VHQ), RMS 0.01, zero-mean/unit-variance; features mean-pooled over time frames",
        "layers": [f"feature_extractor.conv_layers.{i}" for i in range(7)] + ["feature_projection"] + [f"encoder.layers.{i}" for i in range(12)],
        "description": "layers: the 7 conv feature-encoder blocks, the feature projection and the 12 transformer blocks (Base), each mean-pooled over time frames",
        "bibtex": _bibtex(_spec["bibtex_key"]),
    }
    PLUGINS.append(ModelPlugin(_kind, "audio", "self-supervised", _builder(_kind, True), _card, _weights_status(_kind)))
    PLUGINS.append(
        ModelPlugin(
            f"{_kind}_untrained",
            "audio",
            "untrained",
            _builder(_kind, False),
            {**_card, "training_data": "none (control)", "objective": f"none: random initialisation, seed {SEED}", "weights_source": "none"},
            lambda: (True, "no weights needed"),
        )
    )
