"""Bakhtiari et al. 2021: the self-supervised two-pathway network and its supervised and untrained controls.

Five models, one architecture family (``network.py``, written from the published specification):

- ``bakhtiari_cpc_p2``: two pathways, contrastive predictive coding (dense predictive coding) on UCF101;
- ``bakhtiari_actrec_p2`` / ``bakhtiari_actrec_p1``: two / one pathway, supervised action recognition on UCF101;
- ``bakhtiari_p2_untrained`` / ``bakhtiari_p1_untrained``: the same architectures, seeded initialisation.

Weights: the authors' checkpoints, pinned by sha256, found by :mod:`brainbench.weights` (``--weights``,
``--weights-dir``, ``$BRAINBENCH_WEIGHTS``, ``../shared/weights``, the user cache) or downloaded from the
authors' repository at a fixed commit. The checkpoints are pickles: they are read only by torch's
weights-only unpickler with exactly the numpy scalar types their bookkeeping entries need allowed, after
the sha256 check. Only the visual backbone is kept (its prefix stripped; the CPC aggregator and
predictor and the action classifier dropped by name); it must load with ``strict=True``.

Stimuli: a still image becomes a clip as in the authors' analysis code (see :func:`still_to_clip`);
a layer's features are its output averaged over the T = 5 frames, then flattened.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from brainbench import weights as weights_files
from brainbench.card import CardError, errors_only, model_plugin, validate_card
from brainbench.errors import WeightsUnavailableError
from brainbench.model import ModelAdapter, load_checkpoint
from brainbench.stimuli import load_image

from .layers import candidate_layers, parameter_count, pathway_layers

if TYPE_CHECKING:
    import torch

HERE = Path(__file__).resolve().parent

REPOSITORY = "https://github.com/ShahabBakht/ventral-dorsal-model"
COMMIT = "a959ac56650468894aa07a2e95eaf80250922791"
FOLDER = "bakhtiari2021_ventral_dorsal"
FRAMES = 5
SIZE = 64
UNTRAINED_SEED = 0


@dataclass(frozen=True)
class Checkpoint:
    weights: weights_files.WeightsFile
    pathways: int
    prefix: str  # the backbone's key prefix in the checkpoint
    drop: tuple[str, ...]  # prefixes of the non-backbone entries (dropped by name; anything else is an error)


def _file(name: str, sha256: str, size: int) -> weights_files.WeightsFile:
    return weights_files.WeightsFile(FOLDER, name, sha256, size, f"{REPOSITORY}/raw/{COMMIT}/Checkpoints/{name}")


CHECKPOINTS = {
    "bakhtiari_cpc_p2": Checkpoint(
        _file("cpc_p2.pth.tar", "cb05c812000cd19f3c7daf0e4d163feebcb806eddb170fbeaaf7b78e67b6a114", 3_732_562),
        2, "module.backbone.", ("module.agg.", "module.network_pred."),
    ),
    "bakhtiari_actrec_p2": Checkpoint(
        _file("act_recog_p2.pth.tar", "d2f3d1ae8e38e1a794eb762f88a4bb1f4f77eed58d4cdf664c44fdd6da8942f5", 2_294_841),
        2, "visualnet.", ("linear.",),
    ),
    "bakhtiari_actrec_p1": Checkpoint(
        _file("act_recog_p1.pth.tar", "a560d3063b39a424acbc4a27524b976930e112c5bda169948f52d7b694114eb6", 3_958_373),
        1, "visualnet.", ("linear.",),
    ),
}


# -- weights ------------------------------------------------------------------------------------------
def numpy_scalar_globals() -> list:
    """The only non-tensor types in the checkpoints: a numpy float64 scalar (``best_acc``) and its dtype.

    numpy 1.x pickles name ``numpy.core.multiarray.scalar``; numpy 2 moved it to ``numpy._core``.
    """
    try:
        from numpy._core.multiarray import scalar
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import scalar
    return [(scalar, "numpy.core.multiarray.scalar"), np.dtype, type(np.dtype(np.float64))]


def backbone_state(state: dict, checkpoint: Checkpoint, where: Path) -> dict:
    """The backbone's entries, prefix stripped; known non-backbone entries dropped; anything else refused."""
    kept, unexpected = {}, []
    for key, value in state.items():
        if key.startswith(checkpoint.prefix):
            kept[key[len(checkpoint.prefix):]] = value
        elif not key.startswith(checkpoint.drop):
            unexpected.append(key)
    if unexpected:
        raise WeightsUnavailableError(
            f"{where}: {len(unexpected)} unexpected entries {unexpected[:5]} (expected only {checkpoint.prefix}* and "
            f"{', '.join(p + '*' for p in checkpoint.drop)}): not the published {checkpoint.weights.name}"
        )
    return kept


def load_pretrained(name: str, explicit=None) -> tuple["BakhtiariNet", Path]:  # noqa: F821
    from .network import BakhtiariNet

    checkpoint = CHECKPOINTS[name]
    path = weights_files.resolve(checkpoint.weights, explicit)  # sha256 verified before any unpickling
    state = load_checkpoint(path, None, allowed_globals=numpy_scalar_globals())
    module = BakhtiariNet(checkpoint.pathways)
    try:
        module.load_state_dict(backbone_state(state, checkpoint, path), strict=True)
    except RuntimeError as exc:  # missing or unexpected keys, wrong shapes
        raise WeightsUnavailableError(f"{path} does not fit the {checkpoint.pathways}-pathway network: {exc}") from exc
    return module.eval(), path  # inference: BatchNorm with its running statistics


# -- stimuli --------------------------------------------------------------------------------------------
#: the authors padded the 918 x 1174 Allen scenes with 128 zero columns on each side
PAD_FRACTION = 128 / 1174
#: the authors' channel construction from the [0, 1]-scaled image: (x + offset) * factor
CHANNELS = ((0.485, 0.229), (0.456, 0.224), (0.406, 0.225))


def _linear_coefficients(src: int, dst: int):
    """OpenCV INTER_LINEAR taps for one axis: source indices and weights in units of 1/2048 (float32 maths)."""
    scale = 1.0 / (dst / src)
    position = ((np.arange(dst) + 0.5) * scale - 0.5).astype(np.float32)
    left = np.floor(position).astype(np.int64)
    frac = (position - left).astype(np.float32)
    outside = (left < 0) | (left >= src - 1)  # clamped to the edge pixel
    frac[outside] = 0
    left = np.clip(left, 0, src - 1)
    right = np.minimum(left + 1, src - 1)
    return left, right, np.rint((np.float32(1) - frac) * 2048).astype(np.int64), np.rint(frac * 2048).astype(np.int64)


def resize_like_opencv(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """``cv2.resize(image, (width, height))`` for a uint8 image, bit for bit (OpenCV's fixed-point bilinear).

    Bilinear with half-pixel centres and no antialiasing; 11-bit weights; the vertical pass as OpenCV's
    SIMD code does it (rows >> 4, products >> 16, then (+2) >> 2). Matches OpenCV 4.5.5 and 5.0.0 on all
    118 Allen scenes (tests/test_bakhtiari.py). PIL's bilinear, by contrast, antialiases and differs from
    it by up to 208 grey levels (mean 15) on these images.
    """
    pixels = image.astype(np.int64)
    x0, x1, wx0, wx1 = _linear_coefficients(pixels.shape[1], width)
    y0, y1, wy0, wy1 = _linear_coefficients(pixels.shape[0], height)
    rows = pixels[:, x0] * wx0 + pixels[:, x1] * wx1
    mixed = ((rows[y0] >> 4) * wy0[:, None] >> 16) + ((rows[y1] >> 4) * wy1[:, None] >> 16)
    return ((mixed + 2) >> 2).astype(np.uint8)


def still_to_clip(path, frames: int = FRAMES) -> torch.Tensor:
    """One image -> a (3, frames, 64, 64) clip, as the authors fed the Allen natural scenes to these nets.

    Grayscale; zero columns left and right (128 px for a 1174-px-wide scene); resized to 64 x 64 as
    OpenCV does; scaled ``(x - min) / max``; three channels ``(x + 0.485) * 0.229``, ``(x + 0.456) *
    0.224``, ``(x + 0.406) * 0.225`` (their analysis code's transform); repeated over the frames.
    """
    gray = np.asarray(load_image(Path(path)).convert("L"))
    pad = round(PAD_FRACTION * gray.shape[1])
    small = resize_like_opencv(np.pad(gray, ((0, 0), (pad, pad))), SIZE, SIZE)
    scaled = (small - small.min()) / max(int(small.max()), 1)  # an all-black image stays zeros, not 0/0
    channels = np.stack([(scaled + offset) * factor for offset, factor in CHANNELS])
    import torch

    clip = torch.from_numpy(channels.astype(np.float32))
    return clip[:, None].expand(3, frames, SIZE, SIZE).contiguous()


def preprocess(paths) -> torch.Tensor:
    import torch

    return torch.stack([still_to_clip(p) for p in paths])


def mean_over_time(layer: str, output: torch.Tensor) -> torch.Tensor:
    """(batch, channels, T, H, W) -> (batch, channels * H * W): the frames' mean, flattened."""
    return output.mean(dim=2).reshape(output.shape[0], -1)


PREPROCESSING = {
    "kind": "still image as a clip (the authors' analysis code for the Allen natural scenes)",
    "color": "grayscale (RGB converted with ITU-R 601 luma)",
    "pad_left_right": "zeros, 128/1174 of the width on each side (128 px for the 918 x 1174 Allen scenes)",
    "resize": [SIZE, SIZE],
    "interpolation": "OpenCV INTER_LINEAR on uint8 (no antialiasing), reproduced bit for bit",
    "scale": "(x - min) / max",
    "channels": "(x + 0.485) * 0.229, (x + 0.456) * 0.224, (x + 0.406) * 0.225",
    "frames": FRAMES,
    "temporal_reduction": "mean over the frames, then flatten (channels x 16 x 16)",
}


# -- plugins --------------------------------------------------------------------------------------------
def _adapter(name: str, module, source: str) -> ModelAdapter:
    return ModelAdapter(
        name=name,
        modality="vision",
        module=module,
        layers=candidate_layers(module.n_pathways),
        preprocess=preprocess,
        preprocessing=PREPROCESSING,
        features=mean_over_time,
        weights_source=source,
    )


def _pretrained_builder(name: str):
    def build(weights=None, device="cpu") -> ModelAdapter:
        module, path = load_pretrained(name, weights)
        return _adapter(name, module, str(path))

    return build


def _untrained_builder(name: str, pathways: int):
    def build(weights=None, device="cpu") -> ModelAdapter:
        import torch

        from .network import BakhtiariNet

        torch.manual_seed(UNTRAINED_SEED)
        module = BakhtiariNet(pathways)
        return _adapter(name, module, f"untrained: default initialisation, torch.manual_seed({UNTRAINED_SEED})")

    return build


def _architecture(pathways: int) -> str:
    stem = 256 // pathways
    params = parameter_count(pathways)
    paths = "two parallel pathways" if pathways == 2 else "one pathway"
    return (
        f"Bakhtiari et al. 2021 3-D ResNet: rotation-symmetric 3-D conv stem s1 ({stem} channels, 5x7x7), then "
        f"{paths} of 10 bottleneck residual blocks ({stem // 2} channels each; temporal kernel 1/3 alternating); "
        f"{params / 1e6:.2f}M parameters"
    )


def _card(name: str, pathways: int, training: str, objective: str, checkpoint: Checkpoint | None) -> dict:
    layers = candidate_layers(pathways)
    card = {
        "name": name,
        "modality": "vision",
        "training": training,
        "architecture": _architecture(pathways),
        "training_data": "UCF101 action videos (clips of 5 frames, 64 x 64)" if checkpoint else "none (control)",
        "objective": objective,
        "weights_source": checkpoint.weights.url if checkpoint else "none",
        "licence": (
            "none stated: the authors' repository (ShahabBakht/ventral-dorsal-model) has no licence file, so "
            "the weights are not redistributed here, only downloaded from it; the network code is brainbench's "
            "own implementation of the published specification. Cite the paper."
        ),
        "preprocessing": PREPROCESSING,
        "layers": layers,
        "pathways": {f"path{p}": pathway_layers(p) for p in range(1, pathways + 1)},
        "shared_layers": ["s1"],
        "bibtex": (HERE / "bibtex.bib").read_text(),  # the paper, dense predictive coding, UCF101
        "url": REPOSITORY,
    }
    if checkpoint:
        card["weights_sha256"] = checkpoint.weights.sha256
    problems = errors_only(validate_card(card, HERE))
    if problems:
        raise CardError(name, problems)
    return card


CPC = "self-supervised contrastive predictive coding (dense predictive coding: a ConvGRU predicts the next clips' embeddings), 100 epochs"
ACTION = "supervised action recognition (UCF101, 101 classes)"
UNTRAINED = f"none: random initialisation, torch.manual_seed({UNTRAINED_SEED})"


def _pretrained(name: str, training: str, objective: str):
    checkpoint = CHECKPOINTS[name]
    card = _card(name, checkpoint.pathways, training, objective, checkpoint)
    return model_plugin(card, _pretrained_builder(name), HERE, lambda: weights_files.status(checkpoint.weights))


PLUGINS = [
    _pretrained("bakhtiari_cpc_p2", "self-supervised", CPC),
    _pretrained("bakhtiari_actrec_p2", "supervised", ACTION),
    _pretrained("bakhtiari_actrec_p1", "supervised", ACTION),
    model_plugin(_card("bakhtiari_p2_untrained", 2, "untrained", UNTRAINED, None), _untrained_builder("bakhtiari_p2_untrained", 2), HERE),
    model_plugin(_card("bakhtiari_p1_untrained", 1, "untrained", UNTRAINED, None), _untrained_builder("bakhtiari_p1_untrained", 1), HERE),
]
