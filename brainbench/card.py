"""Model cards: what a submitted model is, how it was trained, where its weights come from.

A card is a flat dict (in a plugin folder, ``card.json``). Every problem is reported with the field
it concerns, all at once, so a submitter fixes a card in one pass::

    name            lower-case identifier, e.g. "my_cnn"
    modality        "vision" | "audio"
    training        "supervised" | "self-supervised" | "untrained" | "baseline"
    architecture    free text, e.g. "ResNet-50 (bottleneck residual CNN), 25.6M parameters"
    training_data   free text, e.g. "ImageNet-1k"; "none" for untrained controls and baselines
    objective       free text, e.g. "supervised classification", "masked autoencoding"
    weights_source  where the weights come from (URL, wheel, cache, a file in the folder, "none")
    weights_sha256  hex sha256 of the weights file (at least its first 8 digits); required for
                    supervised / self-supervised models
    weights_file    optional: file name (relative to the plugin folder) the builder loads
    preprocessing   free text or a dict: resize, crop, normalisation, sample rate, ...
    layers          non-empty list of unique module names (``dict(module.named_modules())`` keys)
    licence         licence of the code and weights, e.g. "MIT", "Apache-2.0"
    bibtex          a BibTeX entry, or the name of a .bib file in the plugin folder (may be empty
                    for baselines only)
    dependencies    optional list of pip requirements the builder imports (checked, never installed)
    pathways        optional, for networks with parallel streams: {pathway name: its candidate layers,
                    shallow to deep}; every layer among ``layers``, in their order, no layer in two
                    pathways
    shared_layers   optional list of candidate layers before the pathways split (e.g. a common stem)
    onnx_file       optional: an .onnx file in the folder; a folder with this card and no __init__.py
                    is an ONNX model plugin (brainbench.onnx_model); ``weights_sha256`` pins this file
    onnx_tensors    optional, with onnx_file: {layer name: tensor name in the graph} for layers that
                    are not themselves tensor names
"""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import PluginError
from .registry import MODALITIES, TRAINING_TYPES, ModelPlugin

REQUIRED = ("name", "modality", "training", "architecture", "training_data", "objective", "weights_source", "preprocessing", "layers", "licence", "bibtex")
OPTIONAL = ("weights_sha256", "weights_file", "dependencies", "description", "url", "authors", "pathways", "shared_layers", "onnx_file", "onnx_tensors")
PRETRAINED = ("supervised", "self-supervised")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_HEX = re.compile(r"^[0-9a-f]{8,64}$")


class CardError(PluginError):
    """A card with one or more bad fields; ``problems`` lists (field, message) pairs."""

    def __init__(self, where: str, problems: list["CardProblem"]):
        self.problems = problems
        lines = "\n".join(f"  {p.field}: {p.message}" for p in problems)
        super().__init__(f"model card {where} has {len(problems)} problem(s):\n{lines}")


@dataclass(frozen=True)
class CardProblem:
    field: str
    message: str
    #: warnings (e.g. an unknown field) are shown but do not fail a check
    severity: str = "error"


def _text(card: dict, key: str, problems: list, allow_empty: bool = False) -> None:
    value = card.get(key)
    if not isinstance(value, str):
        problems.append(CardProblem(key, f"must be a string, got {type(value).__name__}"))
    elif not allow_empty and not value.strip():
        problems.append(CardProblem(key, "is empty"))


def bibtex_entry(bib_file: Path, key: str) -> str:
    """The one entry of a plugin's bibtex.bib whose first line names ``key`` (model families share a file)."""
    entries = Path(bib_file).read_text().split("\n@")
    return next(("@" + e.lstrip("@")).strip() for e in entries if key in e.split("\n")[0])


def validate_card(card, folder: Path | None = None) -> list[CardProblem]:
    """Every problem of a card, each with its field name. ``folder`` resolves file references."""
    if not isinstance(card, dict):
        return [CardProblem("card", f"must be a JSON object / dict, got {type(card).__name__}")]
    problems = _field_names_problems(card) + _identity_problems(card) + _layers_problems(card)
    problems += _weights_problems(card, folder) + _bibtex_problems(card, folder)
    problems += _pathway_problems(card) + _onnx_problems(card, folder) + _dependencies_problems(card)
    return problems


def _field_names_problems(card: dict) -> list[CardProblem]:
    """Unknown fields (a warning, with the closest known name) and missing required ones."""
    problems = []
    known = REQUIRED + OPTIONAL
    for key in card:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(CardProblem(key, f"unknown field{hint}", "warning"))
    return problems + [CardProblem(key, "missing (required)") for key in REQUIRED if key not in card]


def _identity_problems(card: dict) -> list[CardProblem]:
    """name, modality, training, the descriptive texts and the preprocessing."""
    problems: list[CardProblem] = []
    if "name" in card and (not isinstance(card["name"], str) or not _NAME.match(card["name"])):
        problems.append(CardProblem("name", f"must be a lower-case identifier (letters, digits, _ . -), got {card['name']!r}"))
    if "modality" in card and card["modality"] not in MODALITIES:
        problems.append(CardProblem("modality", f"must be one of {list(MODALITIES)}, got {card['modality']!r}"))
    if "training" in card and card["training"] not in TRAINING_TYPES:
        problems.append(CardProblem("training", f"must be one of {list(TRAINING_TYPES)}, got {card['training']!r}"))
    for key in ("architecture", "training_data", "objective", "weights_source", "licence"):
        if key in card:
            _text(card, key, problems)
    value = card.get("preprocessing")
    if "preprocessing" in card and not (isinstance(value, str) and value.strip()) and not (isinstance(value, dict) and value):
        problems.append(CardProblem("preprocessing", "must be a non-empty string or dict describing the input pipeline"))
    return problems


def _layers_problems(card: dict) -> list[CardProblem]:
    if "layers" not in card:
        return []
    layers = card["layers"]
    if not isinstance(layers, list) or not layers:
        return [CardProblem("layers", "must be a non-empty list of module names")]
    problems = []
    bad = [layer for layer in layers if not isinstance(layer, str) or not layer.strip()]
    if bad:
        problems.append(CardProblem("layers", f"entries must be non-empty strings, got {bad}"))
    duplicates = sorted({layer for layer in layers if isinstance(layer, str) and layers.count(layer) > 1})
    if duplicates:
        problems.append(CardProblem("layers", f"duplicate layer names {duplicates}"))
    return problems


def _weights_problems(card: dict, folder: Path | None) -> list[CardProblem]:
    """weights_sha256 (required of trained models) and weights_file (exists, matches the sha256)."""
    problems = []
    sha, training = card.get("weights_sha256"), card.get("training")
    if sha is not None and (not isinstance(sha, str) or not _HEX.match(sha)):
        problems.append(CardProblem("weights_sha256", f"must be 8 to 64 lower-case hex digits, got {sha!r}"))
    elif sha is None and training in PRETRAINED:
        problems.append(CardProblem("weights_sha256", f"missing: a {training} model must pin its weights by sha256 (at least the first 8 hex digits)"))
    weights_file = card.get("weights_file")
    if weights_file is None:
        return problems
    if not isinstance(weights_file, str) or not weights_file.strip():
        return problems + [CardProblem("weights_file", f"must be a file name, got {weights_file!r}")]
    if folder is None:
        return problems
    path = Path(folder) / weights_file
    if not path.is_file():
        return problems + [CardProblem("weights_file", f"weights file {path} does not exist")]
    if isinstance(sha, str) and _HEX.match(sha):
        from .stimuli import sha256_file

        digest = sha256_file(path)
        if not digest.startswith(sha):
            problems.append(CardProblem("weights_sha256", f"{path} has sha256 {digest}, the card says {sha}: wrong or corrupt file"))
    return problems


def _bibtex_problems(card: dict, folder: Path | None) -> list[CardProblem]:
    if "bibtex" not in card:
        return []
    bib = card["bibtex"]
    if not isinstance(bib, str):
        return [CardProblem("bibtex", f"must be a string, got {type(bib).__name__}")]
    text = bib.strip()
    if text.endswith(".bib") and "\n" not in text:
        if folder is not None and not (Path(folder) / text).is_file():
            return [CardProblem("bibtex", f"file {Path(folder) / text} does not exist")]
        return []
    if text and not text.startswith("@"):
        return [CardProblem("bibtex", "must be a BibTeX entry starting with '@' or a .bib file name")]
    if not text and card.get("training") != "baseline":
        return [CardProblem("bibtex", "is empty: cite the architecture (and the training method)")]
    return []


def _dependencies_problems(card: dict) -> list[CardProblem]:
    deps = card.get("dependencies")
    if deps is None:
        return []
    if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
        return [CardProblem("dependencies", f"must be a list of pip requirement strings, got {deps!r}")]
    return [CardProblem("dependencies", message) for message in missing_dependencies(deps)]


def _pathway_problems(card: dict) -> list[CardProblem]:
    """``pathways`` / ``shared_layers``: names of candidate layers, in depth order, each in one place only."""
    layers = card.get("layers") if isinstance(card.get("layers"), list) else []
    problems, owner = [], {}
    groups = []
    pathways = card.get("pathways")
    if pathways is not None:
        if not isinstance(pathways, dict) or not pathways:
            problems.append(CardProblem("pathways", f"must be a non-empty dict {{pathway name: [layers]}}, got {pathways!r}"))
        else:
            groups += [("pathways", f"pathway {name!r}", members) for name, members in pathways.items()]
    shared = card.get("shared_layers")
    if shared is not None:
        groups.append(("shared_layers", "shared_layers", shared))
    for field, what, members in groups:
        if not isinstance(members, list) or not members or not all(isinstance(m, str) for m in members):
            problems.append(CardProblem(field, f"{what} must be a non-empty list of layer names, got {members!r}"))
            continue
        unknown = [m for m in members if m not in layers]
        if unknown:
            problems.append(CardProblem(field, f"{what} lists {unknown}, which are not among the card's layers"))
        known = [m for m in members if m in layers]
        if len(set(members)) < len(members):
            problems.append(CardProblem(field, f"{what} lists a layer more than once"))
        elif known != sorted(known, key=layers.index):
            problems.append(CardProblem(field, f"{what} must list its layers shallow to deep, in the order of 'layers'"))
        for m in members:
            if m in owner and owner[m] != what:
                problems.append(CardProblem(field, f"layer {m!r} is in both {owner[m]} and {what}: pathways are disjoint"))
            owner.setdefault(m, what)
    return problems


def _onnx_problems(card: dict, folder: Path | None) -> list[CardProblem]:
    """``onnx_file`` names a file in the folder (matching ``weights_sha256``); ``onnx_tensors`` maps layers to tensor names."""
    problems = []
    onnx_file, tensors = card.get("onnx_file"), card.get("onnx_tensors")
    if onnx_file is not None:
        if not isinstance(onnx_file, str) or not onnx_file.strip().endswith(".onnx"):
            problems.append(CardProblem("onnx_file", f"must be the name of an .onnx file in the folder, got {onnx_file!r}"))
        elif folder is not None and not (Path(folder) / onnx_file).is_file():
            problems.append(CardProblem("onnx_file", f"ONNX file {Path(folder) / onnx_file} does not exist"))
        elif folder is not None and isinstance(card.get("weights_sha256"), str) and _HEX.match(card["weights_sha256"]) and not card.get("weights_file"):
            from .stimuli import sha256_file

            digest = sha256_file(Path(folder) / onnx_file)
            if not digest.startswith(card["weights_sha256"]):
                problems.append(CardProblem("weights_sha256", f"{Path(folder) / onnx_file} has sha256 {digest}, the card says {card['weights_sha256']}: wrong or corrupt file"))
    if tensors is not None:
        layers = card.get("layers") if isinstance(card.get("layers"), list) else []
        if onnx_file is None:
            problems.append(CardProblem("onnx_tensors", "only means something with onnx_file"))
        elif not isinstance(tensors, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tensors.items()):
            problems.append(CardProblem("onnx_tensors", f"must map layer names to tensor names (strings), got {tensors!r}"))
        elif set(tensors) - set(layers):
            problems.append(CardProblem("onnx_tensors", f"maps {sorted(set(tensors) - set(layers))}, which are not among the card's layers"))
    return problems


def missing_dependencies(requirements: list[str]) -> list[str]:
    """A message for each requirement not satisfied here. brainbench never installs them itself."""
    from importlib import metadata

    from packaging.requirements import InvalidRequirement, Requirement

    messages = []
    for text in requirements:
        try:
            requirement = Requirement(text)
        except InvalidRequirement as exc:
            messages.append(f"{text!r} is not a valid pip requirement: {exc}")
            continue
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            messages.append(f"{text!r} is not installed; brainbench never installs a plugin's dependencies: pip install '{text}'")
            continue
        if requirement.specifier and not requirement.specifier.contains(installed, prereleases=True):
            messages.append(f"{text!r} is required but {requirement.name} {installed} is installed: pip install '{text}'")
    return messages


def errors_only(problems: list[CardProblem]) -> list[CardProblem]:
    return [p for p in problems if p.severity == "error"]


def load_card(path: str | Path) -> dict:
    """Read and validate ``card.json``; raise CardError naming every bad field. A ``bibtex`` that names
    a .bib file is replaced by the file's text."""
    path = Path(path)
    card = read_card_file(path)
    problems = errors_only(validate_card(card, path.parent))
    if problems:
        raise CardError(str(path), problems)
    bib = card["bibtex"].strip()
    if bib.endswith(".bib") and "\n" not in bib:
        card = {**card, "bibtex": (path.parent / bib).read_text()}
    return card


def read_card_file(path: Path) -> dict:
    if not path.is_file():
        raise CardError(str(path), [CardProblem("card", f"{path} does not exist")])
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise CardError(str(path), [CardProblem("card", f"not valid JSON: {exc}")]) from exc


def card_of(plugin: ModelPlugin) -> dict:
    """The full card of a registered plugin: its name, modality and training plus its card dict."""
    return {**plugin.card, "name": plugin.name, "modality": plugin.modality, "training": plugin.training}


def model_plugin(card: dict, build: Callable, folder: Path | None = None, weights_status: Callable | None = None) -> ModelPlugin:
    """A ModelPlugin from a validated card. Weights status: the card's ``weights_file`` if it names one,
    "no weights needed" for untrained controls and baselines, else ``weights_status``."""
    if weights_status is None:
        if (card.get("weights_file") or card.get("onnx_file")) and folder is not None:
            path = Path(folder) / (card.get("weights_file") or card["onnx_file"])
            weights_status = lambda: (path.is_file(), str(path))  # noqa: E731
        elif card["training"] not in PRETRAINED:
            weights_status = lambda: (True, "no weights needed")  # noqa: E731
    fields = {k: v for k, v in card.items() if k not in ("name", "modality", "training")}
    return ModelPlugin(card["name"], card["modality"], card["training"], build, fields, weights_status)
