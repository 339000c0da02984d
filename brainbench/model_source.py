"""Where a model comes from, and how a run gets its feature extractor (brainbench.extractor).

A :class:`ModelRef` names one of:

- a **registered** plugin (a built-in folder or a pip entry point), by name;
- a **plugin folder anywhere** on disk (``brainbench score --model PATH``, ``brainbench.score(PATH)``,
  ``brainbench check PATH``): a Python package exposing ``PLUGINS``, or a folder whose ``card.json``
  names an ``onnx_file`` (brainbench.onnx_model builds it, no Python needed);
- a file of **precomputed activations** (``brainbench score --activations FILE --model NAME``,
  brainbench.precomputed);
- an **extractor built in Python** (``brainbench.score(module_or_extractor)``), in this process only.

References are small and picklable (but for in-memory ones): executor tasks carry them to workers,
which resolve them again (a folder is imported once per process).
"""
from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import PluginError
from .registry import import_plugin_folder


class NoPlugins(PluginError):
    """A plugin folder that imports but registers no model."""


@dataclass(frozen=True)
class ModelRef:
    """What to score. ``name`` is what the result is filed under."""

    name: str
    folder: str | None = None
    activations: str | None = None
    modality: str | None = None
    extractor: object = field(default=None, compare=False, repr=False)

    @property
    def kind(self) -> str:
        if self.extractor is not None:
            return "in-memory"
        if self.activations:
            return "activations"
        return "folder" if self.folder else "registered"


# -- plugin folders anywhere --------------------------------------------------------------------------
def is_onnx_card_folder(folder: Path) -> bool:
    """A folder with no Python whose card.json names an ONNX file (brainbench.onnx_model builds it)."""
    card = Path(folder) / "card.json"
    if (Path(folder) / "__init__.py").is_file() or not card.is_file():
        return False
    try:
        return "onnx_file" in json.loads(card.read_text())
    except (OSError, ValueError, TypeError):
        return False


def folder_plugins(folder: Path) -> list:
    """What a plugin folder registers (its PLUGINS, or the model of an ONNX card). Import errors pass
    unchanged; a folder that registers nothing raises NoPlugins."""
    folder = Path(folder).resolve()
    if is_onnx_card_folder(folder):
        from .onnx_model import card_plugin

        return [card_plugin(folder)]
    if not (folder / "__init__.py").is_file():
        raise NoPlugins(f"{folder} is not a model plugin folder: it has no __init__.py (a Python plugin exposing PLUGINS) "
                        "and no card.json naming an onnx_file")
    plugins = getattr(import_plugin_folder(folder), "PLUGINS", None)
    if plugins is None:
        raise NoPlugins(f"{folder / '__init__.py'} defines no PLUGINS list")
    return list(plugins) if isinstance(plugins, (list, tuple)) else [plugins]


def folder_models(folder: Path) -> dict:
    """name -> ModelPlugin of a plugin folder; PluginError (one line, with the fix) if it cannot be used."""
    from .registry import ModelPlugin

    try:
        plugins = folder_plugins(folder)
    except PluginError:
        raise
    except (Exception, SystemExit) as exc:
        raise PluginError(f"model folder {folder}: importing it failed: {type(exc).__name__}: {exc}. "
                          f"Fix: `brainbench check {folder}` says where") from exc
    listed = [p for p in plugins if isinstance(p, ModelPlugin)]
    if not listed:
        raise NoPlugins(f"model folder {folder}: PLUGINS holds no brainbench.registry.ModelPlugin")
    twice = repeated_names(listed)
    if twice:
        raise PluginError(f"model folder {folder}: {twice}")
    return {p.name: p for p in listed}


def repeated_names(plugins: list) -> str | None:
    """What is wrong when one PLUGINS list names two plugins of one kind alike (one would hide the other)."""
    seen, repeated = set(), []
    for plugin in plugins:
        marker = (type(plugin).__name__, getattr(plugin, "name", None))
        if marker in seen and marker not in repeated:
            repeated.append(marker)
        seen.add(marker)
    if not repeated:
        return None
    listing = ", ".join(f"{kind} {name!r}" for kind, name in repeated)
    return f"PLUGINS lists {listing} more than once; only one would be used. Fix: give each plugin its own name, or list it once"


def _looks_like_path(text: str) -> bool:
    return os.sep in text or text.startswith((".", "~")) or (os.altsep is not None and os.altsep in text)


def refs_for(text: str, registry, name: str | None = None) -> list[ModelRef]:
    """The models ``text`` names: a registered name, or a plugin folder (every model it registers, or
    the one called ``name``). Unknown names fail with close matches, missing folders with the path."""
    if not _looks_like_path(text) and text in registry.models:
        return [ModelRef(text)]
    path = Path(text).expanduser()
    if path.is_dir():
        folder = str(path.resolve())
        models = folder_models(path)
        problem = name_clash(models, Path(folder), registry)
        if problem:
            raise PluginError(problem)
        if name is not None:
            if name not in models:
                raise PluginError(f"model folder {folder} has no model {name!r}; it registers {sorted(models)}")
            return [ModelRef(name, folder=folder)]
        return [ModelRef(model, folder=folder) for model in models]
    if _looks_like_path(text):
        raise PluginError(f"model folder {path} does not exist" if not path.exists() else f"{path} is a file; --model takes a plugin folder or a registered name")
    return [ModelRef(registry.model(text).name)]  # an unknown name raises UnknownNameError with close matches


def activations_ref(name: str, path: str | os.PathLike, registry, benchmarks: list[str] | None = None) -> ModelRef:
    """A precomputed-activations file scored under ``name``; its modality from the benchmarks, else the file."""
    from .precomputed import file_modality

    path = Path(path).expanduser()
    if not path.is_file():
        raise PluginError(f"activations file {path} does not exist")
    if name in registry.models:
        raise PluginError(f"{name!r} is a registered model; name precomputed activations something else (--model NAME names the result)")
    modality = registry.parse_benchmark(benchmarks[0])[0].modality if benchmarks else file_modality(path)
    if modality is None:
        raise PluginError(f"{path} does not say its modality: pass --benchmark (its modality is taken), or store a 'modality' "
                          "attribute ('vision' or 'audio') in the file")
    return ModelRef(name, activations=str(path.resolve()), modality=modality)


# -- resolving a reference ----------------------------------------------------------------------------
def plugin_of(ref: ModelRef, registry):
    """The ModelPlugin behind a reference (in-memory and precomputed ones get a card-less stand-in)."""
    from .registry import ModelPlugin

    if ref.kind == "registered":
        return registry.model(ref.name)
    if ref.kind == "folder":
        return folder_models(Path(ref.folder))[ref.name]
    modality = ref.extractor.modality if ref.extractor is not None else ref.modality
    return ModelPlugin(ref.name, modality, "unknown", lambda weights=None, device="cpu": None, {}, None, ref.activations or "in memory")


def model_info(ref: ModelRef, registry) -> dict:
    """The result's model entry before the model is built: name, modality, training, card."""
    plugin = plugin_of(ref, registry)
    info = {"name": plugin.name, "modality": plugin.modality, "training": plugin.training, "card": plugin.card}
    if ref.kind == "folder":
        info["source"] = ref.folder
    elif ref.kind == "activations":
        info["source"] = f"precomputed activations {ref.activations}"
    return info


def build_extractor(ref: ModelRef, registry, weights=None, device: str = "cpu"):
    """The feature extractor of a reference (a registered or folder plugin is built now)."""
    from .extractor import FeatureExtractor

    if ref.extractor is not None:
        return ref.extractor
    if ref.activations:
        from .precomputed import PrecomputedActivations

        return PrecomputedActivations(ref.activations, name=ref.name, modality=ref.modality)
    plugin = plugin_of(ref, registry)
    built = plugin.build(weights=weights, device=device)
    if not isinstance(built, FeatureExtractor):
        raise PluginError(f"model {ref.name!r}: build() returned {type(built).__name__}, not a brainbench.ModelAdapter "
                          "(or another brainbench.extractor.FeatureExtractor)")
    built.plugin_source_sha256 = plugin_source_digest(plugin.build)
    problem = extractor_problem(built, device)
    if problem:
        raise PluginError(f"model {ref.name!r}: {problem[1]}. Fix: correct the adapter; `brainbench check` runs every hook")
    return built


def extractor_problem(extractor, device: str = "cpu") -> tuple[str, str] | None:
    """(hook, why) a built model cannot be scored, found before any stimulus goes through it (None:
    it can): its identity hooks, the model part of every cache key, fail or are not JSON ("identity");
    its batch size is no count ("batch_size")."""
    from .errors import PLUGIN_FAILURES
    from .model import json_key

    try:
        json_key({"model": extractor.identity(), "compute": extractor.compute_settings(device)})
    except PLUGIN_FAILURES as exc:
        return "identity", (f"its identity (identity(): weights_hash, preprocessing, name, code_version; and compute_settings()), part of "
                            f"every cache key, failed: {type(exc).__name__}: {exc}")
    batch = extractor.batch_size
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        return "batch_size", f"its batch_size is {batch!r}; it must be a whole number of stimuli, at least 1"
    return None


def name_clash(models: dict, folder: Path, registry) -> str | None:
    """Why the models of a plugin ``folder`` cannot be scored under their names (None: they can): a
    name another plugin already registers. Results and the leaderboard file models by name, so its
    results would replace that model's (a copy of a built-in folder, run by its path, is not a clash)."""
    for name, plugin in models.items():
        other = registry.models.get(name)
        if other is not None and _defining_folder(other.build) != _defining_folder(plugin.build):
            return (f"model folder {folder} declares the model name {name!r}, which {other.source or 'another plugin'} already registers: "
                    "results are filed by model name, so its results would replace that model's. Fix: give it another name (card.json 'name')")
    return None


def _defining_file(build) -> Path | None:
    """The file of the module that defines ``build`` (a function or a functools.partial; None: not known)."""
    import sys

    function = build.func if isinstance(build, functools.partial) else build
    path = getattr(sys.modules.get(getattr(function, "__module__", None) or ""), "__file__", None)
    return None if path is None else Path(path)


def _defining_folder(build) -> Path | None:
    """The folder of the module that defines ``build`` (None: not known)."""
    path = _defining_file(build)
    return None if path is None else path.resolve().parent


def plugin_source_digest(build) -> str | None:
    """sha256 of the Python files of the plugin folder that defines ``build`` (None: not from a folder,
    e.g. an installed package's entry point, keyed by its ``code_version``). Computed once per module
    and process, as the code was imported."""
    path = _defining_file(build)
    if path is None or path.name != "__init__.py" or "site-packages" in path.parts:
        return None
    return _folder_source_digest(str(path.parent))


@functools.lru_cache(maxsize=None)
def _folder_source_digest(folder: str) -> str:
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*.py")):
        if "__pycache__" not in path.parts:
            digest.update(f"{path.relative_to(folder).as_posix()}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
