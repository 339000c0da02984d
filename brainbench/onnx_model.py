"""ONNX models as feature extractors: intermediate tensors exposed as graph outputs, run with onnxruntime.

Any framework that exports ONNX (torch, TensorFlow via tf2onnx, JAX via jax2onnx, ...) gets in this
way. A layer is a named tensor of the graph (a node's output, e.g. ``/block3/block3.2/MaxPool_output_0``
as ``torch.onnx.export`` names them); ``tensors`` maps friendlier layer names onto them. The named
tensors are added to the graph's outputs, so one run of the graph returns every layer.

Two ways in:

- Python: ``OnnxExtractor(path, name, modality, layers, preprocess, preprocessing, tensors=...)``
  returned by a plugin's ``build()``;
- no Python: a folder holding the ``.onnx`` file and a ``card.json`` whose ``onnx_file`` names it,
  ``layers`` lists the layers, ``onnx_tensors`` maps them to tensor names (optional) and
  ``preprocessing`` is a dict of ``resize``, ``crop``, ``mean``, ``std`` (and ``scale``) for images
  (``card_plugin``; ``brainbench check FOLDER`` and ``brainbench score --model FOLDER`` take it).

Cache identity: the sha256 of the ``.onnx`` file, the preprocessing, the layer→tensor map, and the
compute settings (onnxruntime version, execution provider, thread count).
"""
from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .errors import PluginError
from .extractor import FeatureExtractor

_VISION_KEYS = ("resize", "crop", "mean", "std", "scale")


def _onnx():
    try:
        import onnx
        import onnxruntime
    except ImportError as exc:
        raise PluginError(f"ONNX models need onnx and onnxruntime: pip install onnx onnxruntime ({exc})") from exc
    return onnx, onnxruntime


def tensor_names(model) -> list[str]:
    """Every tensor a layer can name: the graph's inputs and every node's outputs, in graph order."""
    names = [i.name for i in model.graph.input]
    names += [out for node in model.graph.node for out in node.output if out]
    return list(dict.fromkeys(names))


def with_outputs(model, names: Sequence[str]):
    """A copy of ``model`` whose graph outputs include ``names`` (typed by ONNX shape inference)."""
    onnx, _ = _onnx()
    exposed = onnx.ModelProto()
    exposed.CopyFrom(model)
    try:
        inferred = onnx.shape_inference.infer_shapes(model).graph
        typed = {v.name: v for v in [*inferred.value_info, *inferred.output, *inferred.input]}
    except Exception:  # shape inference is a convenience: untyped float outputs work too
        typed = {}
    present = {o.name for o in exposed.graph.output}
    for name in names:
        if name not in present:
            exposed.graph.output.append(typed.get(name) or onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
            present.add(name)
    return exposed


def default_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


class OnnxExtractor(FeatureExtractor):
    """A ``.onnx`` file run by onnxruntime. ``preprocess(paths)`` gives the graph's input batch (a numpy
    array or a torch tensor); ``features(layer, array)`` turns a layer's output into (batch, features)
    (default: flatten)."""

    layer_noun = "tensor"

    def __init__(self, path, name: str, modality: str, layers: Sequence[str], preprocess: Callable, preprocessing: dict,
                 tensors: dict | None = None, features: Callable | None = None, batch_size: int = 32,
                 weights_source: str | None = None, code_version: str = "1", threads: int | None = None):
        onnx, _ = _onnx()
        self.path = Path(path)
        if not self.path.is_file():
            raise PluginError(f"ONNX model file {self.path} does not exist")
        self.name, self.modality, self.layers = name, modality, list(layers)
        self.preprocess, self.features = preprocess, features
        self.batch_size, self.code_version = batch_size, code_version
        self.weights_source = weights_source or str(self.path)
        self.threads = threads or default_threads()
        try:
            self._model = onnx.load(str(self.path))
        except Exception as exc:
            raise PluginError(f"cannot read ONNX model {self.path}: {type(exc).__name__}: {exc}") from exc
        self._names = tensor_names(self._model)
        self.tensors = {layer: (tensors or {}).get(layer, layer) for layer in self.layers}
        self._check_tensors()
        self.preprocessing = {**preprocessing, "onnx_tensors": self.tensors}
        self._session, self._provider, self._hash = None, "CPUExecutionProvider", None

    def _check_tensors(self) -> None:
        missing = {layer: tensor for layer, tensor in self.tensors.items() if tensor not in self._names}
        if missing:
            hints = {tensor: difflib.get_close_matches(tensor, self._names, n=3, cutoff=0.3) for tensor in missing.values()}
            raise PluginError(f"model {self.name!r}: tensor(s) not in the ONNX graph {self.path.name}: {hints}. "
                              f"Its tensors: {', '.join(self._names[:20])}{', ...' if len(self._names) > 20 else ''}")

    # -- the feature-extractor hooks ---------------------------------------------------------------
    @property
    def weights_hash(self) -> str:
        if self._hash is None:
            from .stimuli import sha256_file

            self._hash = sha256_file(self.path)
        return self._hash

    def compute_settings(self, device: str = "cpu") -> dict:
        _, ort = _onnx()
        return {"runtime": f"onnxruntime {ort.__version__}", "provider": self._provider_for(device), "threads": self.threads}

    def to_device(self, device: str) -> None:
        provider = self._provider_for(device)
        if self._session is None or provider != self._provider:
            self._provider, self._session = provider, None

    def load(self, ids, paths):
        batch = self.preprocess(list(paths))
        return batch.detach().cpu().numpy() if hasattr(batch, "detach") else np.asarray(batch)

    def __call__(self, batch, layers):
        session = self._open()
        names = [self.tensors[layer] for layer in layers]
        feed = session.get_inputs()[0]
        fixed = feed.shape[0] if feed.shape and isinstance(feed.shape[0], int) else None
        if fixed is not None and fixed != len(batch):  # a graph exported for one batch size: stimulus by stimulus
            parts = [self._run(session, feed.name, batch[i : i + 1], names) for i in range(len(batch))]
            outputs = [np.concatenate([p[j] for p in parts]) for j in range(len(names))]
        else:
            outputs = self._run(session, feed.name, batch, names)
        return {layer: self._features(layer, output) for layer, output in zip(layers, outputs)}

    @property
    def parameter_bytes(self) -> int:
        return sum(int(np.prod(t.dims, dtype=np.int64)) * 4 for t in self._model.graph.initializer)

    def available_layers(self) -> list[str]:
        return list(dict.fromkeys([*self.layers, *self._names]))

    # -- helpers -------------------------------------------------------------------------------------
    def _features(self, layer, output):
        output = np.asarray(output)
        return self.features(layer, output) if self.features is not None else output.reshape(output.shape[0], -1)

    @staticmethod
    def _run(session, input_name, batch, names):
        return session.run(names, {input_name: np.ascontiguousarray(batch, dtype=np.float32)})

    def _provider_for(self, device: str) -> str:
        if str(device).startswith("cuda"):
            _, ort = _onnx()
            if "CUDAExecutionProvider" not in ort.get_available_providers():
                raise PluginError(f"--device {device}: this onnxruntime has no CUDA provider. Fix: pip install onnxruntime-gpu, or --device cpu")
            return "CUDAExecutionProvider"
        return "CPUExecutionProvider"

    def _open(self):
        if self._session is None:
            _, ort = _onnx()
            options = ort.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.log_severity_level = 3
            exposed = with_outputs(self._model, list(self.tensors.values()))
            self._session = ort.InferenceSession(exposed.SerializeToString(), options, providers=[self._provider])
        return self._session

    def __getstate__(self):  # the session is rebuilt where the extractor is unpickled
        return {**self.__dict__, "_session": None}


# -- a card-only folder ------------------------------------------------------------------------------------
def card_preprocessing(card: dict):
    """(preprocess, description) from an ONNX card's ``preprocessing`` dict (images only)."""
    from .model import vision_preprocess

    spec = card.get("preprocessing")
    if card.get("modality") != "vision" or not isinstance(spec, dict) or not {"resize", "crop"} <= set(spec) or set(spec) - set(_VISION_KEYS):
        raise PluginError(
            f"model {card.get('name')!r}: a card-only ONNX model needs 'preprocessing' as a dict of {list(_VISION_KEYS)} "
            "with resize and crop (images). For other inputs write a Python plugin whose build() returns "
            "brainbench.onnx_model.OnnxExtractor with your own preprocess()"
        )
    return vision_preprocess(**{k: tuple(v) if isinstance(v, list) else v for k, v in spec.items()})


def card_plugin(folder: Path):
    """The ModelPlugin of a folder holding card.json (with ``onnx_file``) and the .onnx file."""
    from .card import load_card, model_plugin
    from .model import file_status

    folder = Path(folder).resolve()
    card = load_card(folder / "card.json")
    path = folder / card["onnx_file"]

    def build(weights=None, device="cpu") -> OnnxExtractor:
        source = Path(weights) if weights else path
        if not weights and card.get("weights_sha256"):
            from .errors import WeightsChecksumError
            from .stimuli import sha256_file

            digest = sha256_file(source)
            if not digest.startswith(card["weights_sha256"]):
                raise WeightsChecksumError(f"{source} has sha256 {digest[:16]}..., the card says {card['weights_sha256']}: wrong or corrupt file")
        preprocess, description = card_preprocessing(card)
        return OnnxExtractor(source, card["name"], card["modality"], card["layers"], preprocess, description,
                             tensors=card.get("onnx_tensors"), weights_source=str(source))

    return model_plugin(card, build, folder, weights_status=lambda: file_status(path))
