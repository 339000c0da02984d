"""ViT-MAE encoder (Base, patch 16) via Hugging Face ``transformers``, with masking switched off.

MAE pre-trains by hiding 75% of the patches and shuffling the rest; scored as a model of the brain,
the encoder must see the whole image, in order. So the config's ``mask_ratio`` is 0.0 and the
forward pass hands the model ``noise = 0, 1, 2, ...`` (its argsort is the identity), so no patch is
dropped or moved and the activations are deterministic (``brainbench check`` verifies both).

Pretrained weights (``vit_mae``) come only from ``--weights`` (a Hugging Face model folder, or a
``.safetensors`` / ``.bin`` state dict of ViTMAEModel or ViTMAEForPreTraining) or the local Hugging
Face cache, with ``local_files_only=True``: never a download at score time, never random weights
in their place. ``vit_mae_untrained`` is the same architecture from the default config, seed 0.

Features: every token (CLS + 14x14 patches) of a block's output, flattened, as the CNNs' feature maps
are (197 x 768 = 151,296 per layer).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from brainbench.errors import WeightsUnavailableError
from brainbench.model import ModelAdapter, hf_cache_snapshot, load_checkpoint, vision_preprocess
from brainbench.registry import ModelPlugin

if TYPE_CHECKING:
    import torch

HERE = Path(__file__).resolve().parent
REPO = "facebook/vit-mae-base"
# the hub's LFS sha256 of model.safetensors at this revision, as published; not verifiable offline here,
# so a mismatch is reported (and recorded in the result's weights_source), not fatal
REVISION = "25b184bea5538bf5c4c852c79d221195fdd2778d"
WEIGHTS_SHA256 = "479dcef4bd5df06259399027b789f21e9d9a1b79f37155a64176d55bc26fdae8"
SEED = 0


def _block_prefix() -> str:
    # transformers 5 names the blocks "layers.N"; 4.x named them "encoder.layer.N" (read without importing it)
    from importlib import metadata

    try:
        major = int(metadata.version("transformers").split(".")[0])
    except (metadata.PackageNotFoundError, ValueError):
        major = 5
    return "layers." if major >= 5 else "encoder.layer."


def candidate_layers(n_blocks: int, prefix: str | None = None) -> list[str]:
    """The patch embedding, every second transformer block plus the last, and the final layer norm."""
    prefix = prefix or _block_prefix()
    blocks = sorted(set(range(0, n_blocks, 2)) | {n_blocks - 1})
    return ["embeddings"] + [f"{prefix}{i}" for i in blocks] + ["layernorm"]


def cached_snapshot() -> Path | None:
    """The local Hugging Face cache folder of facebook/vit-mae-base, or None (no network)."""
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(REPO, local_files_only=True))
    except Exception:  # not cached, or huggingface_hub missing
        return None


def weights_status():  # no huggingface_hub import: `brainbench list models` answers at once
    path = hf_cache_snapshot(REPO)
    return (path is not None, str(path) if path else f"Hugging Face cache entry {REPO} (absent)")


def _unavailable(detail: str) -> WeightsUnavailableError:
    return WeightsUnavailableError(
        f"pretrained ViT-MAE weights ({REPO}) are not on this machine: {detail}.\n"
        "Fix: on a machine with internet run\n"
        f"  python -c \"from huggingface_hub import snapshot_download; print(snapshot_download('{REPO}'))\"\n"
        "and copy the cache ($HF_HOME/hub, default ~/.cache/huggingface/hub) here, or pass --weights with the "
        "model folder (config.json + model.safetensors) or the model.safetensors file itself. brainbench never "
        "substitutes random weights; for the untrained control ask for 'vit_mae_untrained'."
    )


def _verify_sha256(path: Path) -> str:
    """'' if the file matches the pinned hash (or is not the published file), else a warning."""
    from brainbench.stimuli import sha256_file

    if path.suffix != ".safetensors" or not path.is_file():
        return ""
    digest = sha256_file(path)
    if digest == WEIGHTS_SHA256:
        return ""
    warning = f"sha256 {digest[:16]}... of {path} differs from the pinned {WEIGHTS_SHA256[:16]}... ({REPO}@{REVISION[:8]})"
    print(f"warning: vit_mae: {warning}", file=sys.stderr)
    return warning


def _state_dict_file(path: Path) -> dict:
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        return load_file(str(path))
    return load_checkpoint(path)  # torch.load(weights_only=True): no pickled code runs


def _load_pretrained(weights) -> tuple[torch.nn.Module, str]:
    from transformers import ViTMAEConfig, ViTMAEModel

    where = Path(weights).expanduser() if weights else cached_snapshot()
    if where is None:
        raise _unavailable("not in the local Hugging Face cache")
    if not where.exists():
        raise _unavailable(f"{where} does not exist")
    if where.is_dir():
        from transformers.utils import logging as hf_logging

        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()  # the decoder weights it skips are expected; missing ones are checked below
        try:
            module, info = ViTMAEModel.from_pretrained(str(where), local_files_only=True, mask_ratio=0.0, output_loading_info=True)
        except (OSError, ValueError) as exc:
            raise WeightsUnavailableError(f"cannot load ViT-MAE weights from {where}: {exc}") from exc
        finally:
            hf_logging.set_verbosity(verbosity)
        missing = sorted(info["missing_keys"])
        if missing:  # a partial checkpoint would leave layers at random init: refuse
            raise WeightsUnavailableError(f"{where} lacks {len(missing)} encoder weights, e.g. {missing[:3]}")
        weights_file = next((where / n for n in ("model.safetensors", "pytorch_model.bin") if (where / n).is_file()), where)
        warning = _verify_sha256(weights_file)
    else:
        state = _state_dict_file(where)
        # ViTMAEForPreTraining checkpoints prefix the encoder with "vit." and carry a decoder: keep the encoder
        if any(k.startswith("vit.") for k in state):
            state = {k[4:]: v for k, v in state.items() if k.startswith("vit.")}
        module = ViTMAEModel(ViTMAEConfig(mask_ratio=0.0))
        try:
            module.load_state_dict(state, strict=True)
        except RuntimeError as exc:
            raise WeightsUnavailableError(f"{where} is not a ViT-MAE Base state dict: {str(exc)[:400]}") from exc
        warning = _verify_sha256(where)
    return module, str(where) + (f" (warning: {warning})" if warning else "")


def build_untrained_module(**config_overrides) -> torch.nn.Module:
    """The architecture from its default (Base) config, masking off, seed 0; overrides shrink it for tests."""
    import torch
    from transformers import ViTMAEConfig, ViTMAEModel

    torch.manual_seed(SEED)
    return ViTMAEModel(ViTMAEConfig(**{**config_overrides, "mask_ratio": 0.0}))


def forward_unmasked(model, batch):
    # mask_ratio 0 keeps every patch; noise 0..N-1 makes MAE's shuffle the identity, so patch i stays token i+1
    import torch

    n_patches = model.embeddings.patch_embeddings.num_patches
    noise = torch.arange(n_patches, dtype=torch.float32, device=batch.device).expand(batch.shape[0], -1)
    return model(pixel_values=batch, noise=noise)


def make_adapter(name: str, module: torch.nn.Module, source: str) -> ModelAdapter:
    if module.config.mask_ratio != 0.0:
        raise ValueError(f"ViT-MAE must be scored with mask_ratio 0.0, got {module.config.mask_ratio}")
    size = module.config.image_size
    # MAE's evaluation transform: resize 256, centre-crop 224, ImageNet mean/std (bilinear here)
    preprocess, description = vision_preprocess(round(size * 256 / 224), size)
    description = {**description, "masking": "off (mask_ratio 0.0, identity patch order)"}
    return ModelAdapter(
        name=name,
        modality="vision",
        module=module,
        layers=candidate_layers(module.config.num_hidden_layers, "layers." if hasattr(module, "layers") else "encoder.layer."),
        preprocess=preprocess,
        preprocessing=description,
        forward=forward_unmasked,
        weights_source=source,
        batch_size=16,
    )


def _builder(pretrained: bool):
    def build(weights=None, device="cpu"):
        if pretrained:
            module, source = _load_pretrained(weights)
            return make_adapter("vit_mae", module, source)
        return make_adapter("vit_mae_untrained", build_untrained_module(), f"untrained: default ViTMAEConfig (Base), torch.manual_seed({SEED})")

    return build


_BASE_LAYERS = candidate_layers(12)
CARD = {
    "architecture": "ViT-Base/16 encoder of a masked autoencoder: patch embedding + 12 transformer blocks (768 wide), 86M parameters",
    "training_data": "ImageNet-1k training images (labels unused)",
    "objective": "self-supervised masked autoencoding (75% of patches hidden, normalised-pixel reconstruction); scored with masking off",
    "weights_source": f"Hugging Face {REPO} (revision {REVISION[:8]}) from the local cache or --weights (local_files_only)",
    "weights_sha256": WEIGHTS_SHA256,
    "preprocessing": "resize 256, centre-crop 224, ImageNet mean/std; mask_ratio 0.0 and identity patch order; every token flattened",
    "layers": _BASE_LAYERS,
    "licence": "code: Apache-2.0 (transformers); weights: the hub card says Apache-2.0, the original facebookresearch/mae release is CC BY-NC 4.0",
    "bibtex": (HERE / "bibtex.bib").read_text(),
    "dependencies": ["transformers>=4.40", "safetensors>=0.4"],
}

PLUGINS = [
    ModelPlugin("vit_mae", "vision", "self-supervised", _builder(True), CARD, weights_status),
    ModelPlugin(
        "vit_mae_untrained",
        "vision",
        "untrained",
        _builder(False),
        {**CARD, "training_data": "none (control)", "objective": f"none: random initialisation, seed {SEED}", "weights_source": "none", "weights_sha256": None},
        lambda: (True, "no weights needed"),
    ),
]
