"""Model adapters: a torch module, its preprocessing, and the names of its candidate layers.

Weights are never silently replaced: a pretrained model whose weights are neither in the standard
cache nor given as a file (nor downloadable) raises WeightsUnavailableError saying where to put them.
Untrained networks exist only as separately named controls.

torch is imported inside the functions that need it, so plugins can register (and ``brainbench list``
can answer) without importing it.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

if TYPE_CHECKING:
    import torch

from .extractor import FeatureExtractor, LayerProblems
from .errors import PluginError, UnsafeWeightsError, WeightsChecksumError, WeightsUnavailableError
from .stimuli import load_image

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def state_dict_sha256(module: torch.nn.Module) -> str:
    """Content hash of a module's parameters and buffers (names, dtypes, shapes and bytes)."""
    import torch

    h = hashlib.sha256()
    for name, tensor in module.state_dict().items():
        t = tensor.detach().cpu().contiguous().reshape(-1)
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


def flatten_features(layer: str, output: torch.Tensor) -> torch.Tensor:
    """Default activations of a layer: every unit of every channel and position, flattened."""
    return output.reshape(output.shape[0], -1)


@dataclass
class ModelAdapter(FeatureExtractor):
    """A torch module as a feature extractor (brainbench.extractor.FeatureExtractor).

    ``preprocess(paths) -> batch`` turns stimulus files into the module's input; ``forward(module,
    batch)`` runs it (default ``module(batch)``); ``features(layer, output)`` turns a hooked layer's
    output into (batch, features) — vision flattens, audio pools over time. ``preprocessing`` describes
    the input pipeline and enters the cache key and the result. Layers are names of modules
    (``dict(module.named_modules())``), each hooked by brainbench.torch_hooks, the one hook runner.
    """

    name: str
    modality: str
    module: torch.nn.Module
    layers: list[str]
    preprocess: Callable[[Sequence[Path]], object]
    preprocessing: dict
    forward: Callable[[torch.nn.Module, object], object] = field(default=lambda module, batch: module(batch))
    features: Callable[[str, torch.Tensor], torch.Tensor] = flatten_features
    #: bump when the adapter's code changes what a layer's activations are
    code_version: str = "1"
    weights_source: str = ""
    batch_size: int = 32
    _weights_hash: str | None = None
    _device: str = field(default="cpu", init=False, repr=False)
    layer_noun = "module"

    def __post_init__(self):
        import torch

        from .registry import MODALITIES

        if self.modality not in MODALITIES:
            raise PluginError(f"model {self.name!r}: modality {self.modality!r} is not one brainbench scores; give one of {', '.join(MODALITIES)}")
        if not isinstance(self.module, torch.nn.Module):
            raise PluginError(f"model {self.name!r}: module is a {type(self.module).__name__}, not a torch.nn.Module. Fix: pass the network itself")
        if isinstance(self.layers, str) or not self.layers or not all(isinstance(layer, str) for layer in self.layers):
            raise PluginError(f"model {self.name!r}: layers={self.layers!r}; give a list of module names to score (e.g. from "
                              "dict(module.named_modules()))")
        if len(set(self.layers)) != len(self.layers):
            raise PluginError(f"model {self.name!r}: layers lists {sorted({x for x in self.layers if self.layers.count(x) > 1})} more than once")
        self.module.eval()
        names = dict(self.module.named_modules())
        missing = [layer for layer in self.layers if layer not in names]
        if missing:
            import difflib

            hints = {m: difflib.get_close_matches(m, list(names), n=3) for m in missing}
            raise PluginError(f"model {self.name!r}: candidate layer(s) not in the module: {hints}")

    @property
    def weights_hash(self) -> str:
        if self._weights_hash is None:
            self._weights_hash = state_dict_sha256(self.module)
        return self._weights_hash

    # -- the feature-extractor hooks ---------------------------------------------------------------
    def load(self, ids, paths):
        return self.preprocess(list(paths))

    def to_device(self, device: str) -> None:
        self.module.to(device)
        self._device = device

    def compute_settings(self, device: str = "cpu") -> dict:
        from .torch_hooks import compute_settings

        return compute_settings(device)

    def __call__(self, batch, layers):
        from .torch_hooks import once_per_pass, run_hooked

        captured, problems = run_hooked(self.module, self.forward, self._on_device(batch), layers, self.features)
        arrays = once_per_pass(captured, problems)
        if problems:
            raise LayerProblems(self.name, problems, arrays)
        return arrays

    def probe(self, batch, layers):
        """The layers' arrays and the largest output of any module, per stimulus (4 bytes at least per value)."""
        from .torch_hooks import once_per_pass, run_hooked

        largest = [0]

        def measure(tensor):
            largest[0] = max(largest[0], tensor.numel() * max(tensor.element_size(), 4))

        captured, problems = run_hooked(self.module, self.forward, self._on_device(batch), layers, self.features, measure)
        arrays = once_per_pass(captured, problems)
        if problems:
            raise LayerProblems(self.name, problems, arrays)
        return arrays, largest[0]

    @property
    def parameter_bytes(self) -> int:
        return sum(t.numel() * t.element_size() for t in self.module.state_dict().values())

    def available_layers(self) -> list[str]:
        return [name for name, _ in self.module.named_modules() if name]

    def _on_device(self, batch):
        import torch

        return batch.to(self._device) if isinstance(batch, torch.Tensor) else batch


# -- vision preprocessing ---------------------------------------------------------------------------
def image_transform(resize: int, crop: int, mean=IMAGENET_MEAN, std=IMAGENET_STD, scale: float = 1.0):
    """An RGB PIL image -> (3, crop, crop) float32 tensor: the shorter side resized to ``resize`` (PIL's
    antialiased bilinear), centre-cropped, pixels in [0, scale], then (x - mean) / std per channel.

    The same numbers, bit for bit, as torchvision's ``Compose([Resize(resize, BILINEAR, antialias=True),
    CenterCrop(crop), ToTensor(), x * scale, Normalize(mean, std)])`` on PIL images (tests/test_preprocessing.py
    compares them on every Allen scene and on odd sizes), without importing torchvision: its import pulls
    in torch._dynamo, 3.9 s of every command that builds a vision model here (5.6 s against torch's 1.7).
    """
    if not 0 < crop <= resize:
        raise PluginError(f"vision preprocessing: the centre crop ({crop}) must be positive and at most the resized shorter side ({resize}); "
                          "a larger crop would pad the image with black. Fix: resize >= crop")
    import torch

    mean_t = torch.as_tensor(mean, dtype=torch.float32).view(-1, 1, 1)
    std_t = torch.as_tensor(std, dtype=torch.float32).view(-1, 1, 1)
    if (std_t == 0).any():
        raise PluginError(f"vision preprocessing: a normalisation std of 0 ({tuple(std)}) divides by zero")

    def transform(image):
        pixels = np.array(_centre_crop(_resize_shorter_side(image, resize), crop).convert("RGB"), dtype=np.uint8, copy=True)
        tensor = torch.from_numpy(pixels).permute(2, 0, 1).contiguous().to(torch.float32).div(255)
        return (tensor * scale).sub_(mean_t).div_(std_t)

    return transform


def _resize_shorter_side(image, size: int):
    """PIL bilinear (antialiased) resize of the shorter side to ``size``; the longer side scaled and
    truncated to an integer; an image already that size is returned as it is."""
    from PIL import Image

    width, height = image.size
    short, long = (width, height) if width <= height else (height, width)
    new_long = int(size * long / short)
    new_width, new_height = (size, new_long) if width <= height else (new_long, size)
    if (new_width, new_height) == (width, height):
        return image
    return image.resize((new_width, new_height), Image.BILINEAR)


def _centre_crop(image, size: int):
    """The central size x size pixels; offsets rounded as Python rounds (half to even)."""
    width, height = image.size
    top, left = int(round((height - size) / 2.0)), int(round((width - size) / 2.0))
    return image.crop((left, top, left + size, top + size))


def vision_preprocess(resize: int = 256, crop: int = 224, mean=IMAGENET_MEAN, std=IMAGENET_STD, scale: float = 1.0):
    """A (preprocess, description) pair for images, as the model was trained."""
    transform = image_transform(resize, crop, mean, std, scale)

    def preprocess(paths):
        import torch

        return torch.stack([transform(load_image(p)) for p in paths])

    description = {
        "kind": "image",
        "color": "RGB (grayscale replicated to 3 channels)",
        "resize_shorter_side": resize,
        "interpolation": "bilinear, antialiased",
        "center_crop": crop,
        "pixel_scale": scale,
        "normalize_mean": list(mean),
        "normalize_std": list(std),
    }
    return preprocess, description


# -- weights ----------------------------------------------------------------------------------------
def torch_hub_checkpoint_dir() -> Path:
    """torch.hub's checkpoint folder, found as torch.hub.get_dir() finds it ($TORCH_HOME, else
    $XDG_CACHE_HOME/torch, else ~/.cache/torch), without importing torch unless it already is."""
    import sys

    if "torch" in sys.modules:  # honours torch.hub.set_dir()
        return Path(sys.modules["torch"].hub.get_dir()) / "checkpoints"
    home = os.getenv("TORCH_HOME", os.path.join(os.getenv("XDG_CACHE_HOME", "~/.cache"), "torch"))
    return Path(os.path.expanduser(home)) / "hub" / "checkpoints"


def load_checkpoint(path: Path, expected_sha256_prefix: str | None = None, allowed_globals: Sequence = ()) -> dict:
    """Load a state dict without executing pickled code (weights_only), checking the hash if known.

    ``allowed_globals``: the few extra types a checkpoint's pickle may name besides tensors and
    containers (entries for ``torch.serialization.safe_globals``: an object, or ``(object, "module.name")``
    for a name it had in an older library), e.g. the numpy scalars of a training script's bookkeeping.
    Anything else the pickle asks for is refused with UnsafeWeightsError, without being executed.
    """
    path = Path(path)
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        raise WeightsUnavailableError(f"weights file {path} {what}. Fix: give the checkpoint file itself (--weights FILE)")
    if expected_sha256_prefix:
        from .stimuli import sha256_file

        digest = sha256_file(path)
        if not digest.startswith(expected_sha256_prefix):
            raise WeightsChecksumError(
                f"weights file {path} has sha256 {digest[:16]}..., expected a hash starting {expected_sha256_prefix}: "
                "the file is corrupt, truncated or not these weights. Delete it and fetch it again."
            )
    import torch

    try:
        with _allowing(allowed_globals, path):
            state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise _refusal(path, exc, allowed_globals) from exc
    except Exception as exc:
        raise WeightsUnavailableError(
            f"cannot load weights file {path}: it is not a PyTorch checkpoint torch.load can read "
            f"({type(exc).__name__}: {exc}). Fix: give the model's own .pt/.pth checkpoint (--weights FILE), or delete a damaged file and fetch it again"
        ) from exc
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    return state


def _allowing(allowed_globals: Sequence, path: Path):
    if not allowed_globals:
        return contextlib.nullcontext()
    import torch

    if not hasattr(torch.serialization, "safe_globals"):
        raise WeightsUnavailableError(
            f"loading {path} safely needs torch.serialization.safe_globals (torch >= 2.6; this is torch "
            f"{torch.__version__}): pip install 'torch>=2.6'"
        )
    return torch.serialization.safe_globals(list(allowed_globals))


def _global_name(entry) -> str:
    if isinstance(entry, tuple):
        return entry[1]
    return f"{getattr(entry, '__module__', '?')}.{getattr(entry, '__qualname__', repr(entry))}"


def _refusal(path: Path, exc: Exception, allowed_globals: Sequence) -> UnsafeWeightsError:
    """The error for a pickle the weights-only unpickler rejected: what it asked for, and that nothing ran."""
    allowed = ", ".join(_global_name(entry) for entry in allowed_globals) or "none"
    return UnsafeWeightsError(
        f"refused to load {path}: the weights-only unpickler rejected it ({_rejection_detail(str(exc))}). "
        f"It was NOT executed: brainbench reads weights only with torch.load(weights_only=True), which builds "
        f"tensors and containers and, here, only these extra types: {allowed}. The file is not a plain "
        "checkpoint (tampered with, or corrupt): delete it and get the published file again."
    )


def _rejection_detail(text: str) -> str:
    """The line of torch's message that says what the pickle asked for (its wording varies by version)."""
    named = re.search(r"GLOBAL ([\w.]+)", text)
    if named:
        return f"its pickle asks for {named.group(1)}"
    boilerplate = ("Weights only load failed", "(1)", "(2)", "Check the documentation", "Please file an issue")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith(boilerplate)]
    return (lines[0] if lines else text.strip()).replace("WeightsUnpickler error: ", "")


def torchvision_weights(weights_enum, explicit_file: str | os.PathLike | None = None, allow_download: bool | None = None) -> tuple[dict, str]:
    """State dict of torchvision pretrained weights: explicit file, then torch's cache, then download.

    Returns (state_dict, where it came from). The file's sha256 prefix (torchvision puts it in the file
    name) is checked. Offline with no file: WeightsUnavailableError with the path and the URL.
    """
    url = weights_enum.url
    filename = url.rsplit("/", 1)[-1]
    prefix = filename.rsplit("-", 1)[-1].split(".")[0] if "-" in filename else None
    if explicit_file is not None:
        return load_checkpoint(Path(explicit_file), prefix), str(explicit_file)
    cached = torch_hub_checkpoint_dir() / filename
    if cached.is_file():
        return load_checkpoint(cached, prefix), str(cached)
    if allow_download is None:
        allow_download = os.environ.get("BRAINBENCH_OFFLINE", "") not in ("1", "true", "yes")
    error = "downloads disabled by BRAINBENCH_OFFLINE"
    if allow_download:
        import torch

        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            torch.hub.download_url_to_file(url, str(cached), hash_prefix=prefix, progress=True)
            return load_checkpoint(cached, prefix), url
        except Exception as exc:  # no network, DNS failure, HTTP error, hash mismatch
            error = f"{type(exc).__name__}: {exc}"
            if cached.exists() and cached.stat().st_size == 0:
                cached.unlink()
    raise WeightsUnavailableError(
        f"pretrained weights {weights_enum} are not on this machine and could not be downloaded ({error}).\n"
        f"Fix: on a machine with internet, download\n  {url}\nand put it at\n  {cached}\n"
        f"(or pass --weights /path/to/{filename}). brainbench never substitutes random weights; "
        "for an untrained control, ask for the model's '_untrained' variant by name."
    )


def hf_cache_snapshot(repo: str) -> Path | None:
    """The snapshot folder the Hugging Face cache holds for ``repo`` at its ``main`` ref (as
    ``snapshot_download(local_files_only=True)`` resolves it), found without importing
    huggingface_hub: for weights_status checks that must answer at once. None if absent."""
    hub = os.environ.get("HF_HUB_CACHE") or os.path.join(os.environ.get("HF_HOME", os.path.join(os.environ.get("XDG_CACHE_HOME", "~/.cache"), "huggingface")), "hub")
    folder = Path(os.path.expanduser(hub)) / f"models--{repo.replace('/', '--')}"
    try:
        snapshot = folder / "snapshots" / (folder / "refs" / "main").read_text().strip()
    except OSError:
        return None
    return snapshot if snapshot.is_dir() else None


def file_status(path: Path) -> tuple[bool, str]:
    return path.is_file(), str(path)


def json_key(obj) -> str:
    """Canonical sha256 of a JSON-able object."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=_json_default).encode()).hexdigest()


def _json_default(obj):
    if isinstance(obj, (np.integer, np.floating)):
        return obj.item()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj)}")
