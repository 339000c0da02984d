"""Plugin discovery: built-in plugin folders plus Python entry points.

Built-ins are the sub-packages of ``brainbench.submissions`` (models), ``brainbench.datasets`` and
``brainbench.metrics`` (the repository's ``submissions/``, ``datasets/`` and ``metrics/`` folders);
each module exposes ``PLUGINS``, a list of plugin objects. A separate pip package adds plugins through
the entry-point groups ``brainbench.models``, ``brainbench.datasets`` and ``brainbench.metrics``, each
entry point naming a plugin object or a list of them.

A plugin that fails to import is recorded in ``Registry.failures`` with its error and never breaks
listing or scoring of the others.

Answering at once: each kind is discovered when first asked for (``list models`` imports no dataset
or metric plugin), plugin modules import torch inside ``build()``, and a built-in metric whose
``PLUGINS`` is a literal list of ``MetricPlugin(name=..., factory=<name>, applies_to=..., description=...)``
is read from its source without being imported; its factory is imported on first use.
"""
from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
import traceback
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from typing import Any, Callable

from .errors import UnknownNameError

MODALITIES = ("vision", "audio")
TRAINING_TYPES = ("supervised", "self-supervised", "untrained", "baseline")


@dataclass
class ModelPlugin:
    """A named, buildable model. ``build(weights=None, device='cpu')`` returns a ModelAdapter."""

    name: str
    modality: str
    training: str
    build: Callable[..., Any]
    card: dict = field(default_factory=dict)
    #: () -> (available: bool, where: str): are the weights on this machine, and where they are/belong
    weights_status: Callable[[], tuple[bool, str]] | None = None
    source: str = ""


@dataclass
class MetricPlugin:
    name: str
    factory: Callable[..., Any]
    applies_to: tuple[str, ...]
    description: str = ""
    source: str = ""


@dataclass
class DatasetPlugin:
    """A recording plus its stimulus set. ``load(data_dir)`` returns a brainbench.benchmark.Dataset."""

    name: str
    modality: str
    recording_kind: str  # "trials" (repetition x stimulus x neuroid), "components", "rdm", ...
    regions: tuple[str, ...]
    load: Callable[..., Any]
    default_metric: str
    card: dict = field(default_factory=dict)
    #: metric name -> Protocol; falls back to ``protocol_for(None)``
    protocol_for: Callable[[str | None], Any] | None = None
    #: metric name -> benchmark version (bump when the data, protocol or metric changes the numbers)
    versions: dict = field(default_factory=dict)
    aggregate: str = "median"
    #: metric name -> keyword arguments for that metric's factory (e.g. {"ridge": {"primary": "r2"}})
    metric_options: dict = field(default_factory=dict)
    #: the Benchmark class to build (a subclass for recordings that are not trial arrays, e.g. RDMs), or
    #: "module:attribute" naming it (imported when a benchmark is built)
    benchmark_class: Any = None
    #: region -> position in the brain's processing hierarchy (larger = later), for the layer-area
    #: correspondence analysis (brainbench.analysis.hierarchy); empty: no hierarchy is declared
    hierarchy: dict = field(default_factory=dict)
    #: where the hierarchy comes from (a citation)
    hierarchy_source: str = ""
    #: region -> group averaged first in the overall score (e.g. the cortical layers of one area);
    #: a region not listed is its own group
    region_groups: dict = field(default_factory=dict)
    #: regions that summarise others (e.g. NH2015 "all", the mean of its components): scored, shown,
    #: never counted again in the overall score
    derived_regions: tuple[str, ...] = ()
    source: str = ""


@dataclass
class PluginFailure:
    kind: str
    source: str
    error: str


_BUILTIN = {"model": "brainbench.submissions", "dataset": "brainbench.datasets", "metric": "brainbench.metrics"}
_ENTRY_POINT_GROUPS = {"model": "brainbench.models", "dataset": "brainbench.datasets", "metric": "brainbench.metrics"}
_TYPES = {"model": ModelPlugin, "dataset": DatasetPlugin, "metric": MetricPlugin}


class Registry:
    def __init__(self):
        self._tables: dict[str, dict] = {"model": {}, "dataset": {}, "metric": {}}
        self._pending: set[str] = set()  # kinds discovered on first use
        self._entry_points = True
        self.failures: list[PluginFailure] = []

    @property
    def models(self) -> dict[str, ModelPlugin]:
        return self._table("model")

    @property
    def datasets(self) -> dict[str, DatasetPlugin]:
        return self._table("dataset")

    @property
    def metrics(self) -> dict[str, MetricPlugin]:
        return self._table("metric")

    def _table(self, kind: str) -> dict:
        if kind in self._pending:
            self._pending.discard(kind)
            self._discover(kind)
        return self._tables[kind]

    # -- discovery -------------------------------------------------------------------------------
    def discover(self, entry_points: bool = True) -> "Registry":
        """Find the built-in plugins and the entry points; each kind is imported when first used."""
        self._pending, self._entry_points = set(_BUILTIN), entry_points
        return self

    def _discover(self, kind: str) -> None:
        package_name = _BUILTIN[kind]
        package = importlib.import_module(package_name)
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            if info.name.startswith("_"):
                continue
            source = f"{package_name}.{info.name}"
            declared = _declared_metric_plugins(source) if kind == "metric" else None
            self._load(kind, source, (lambda d=declared: d) if declared else (lambda s=source: getattr(importlib.import_module(s), "PLUGINS")))
        if self._entry_points:
            for ep in metadata.entry_points(group=_ENTRY_POINT_GROUPS[kind]):
                self._load(kind, f"entry point {ep.name} ({ep.value})", ep.load)

    def _load(self, kind: str, source: str, loader: Callable[[], Any]) -> None:
        try:
            found = loader()
            plugins = found if isinstance(found, (list, tuple)) else [found]
            for plugin in plugins:
                self.add(plugin, source)
        except Exception as exc:  # a broken plugin must not break the others
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            self.failures.append(PluginFailure(kind, source, detail))

    def add(self, plugin, source: str = "") -> None:
        for kind, cls in _TYPES.items():
            if isinstance(plugin, cls):
                table = self._table(kind)
                if plugin.name in table:
                    raise ValueError(f"{kind} plugin {plugin.name!r} from {source} is already registered by {table[plugin.name].source}")
                if kind == "model":
                    _check_model_plugin(plugin)
                plugin.source = plugin.source or source
                table[plugin.name] = plugin
                return
        raise TypeError(f"{source}: {plugin!r} is not a ModelPlugin, DatasetPlugin or MetricPlugin")

    # -- look-up ---------------------------------------------------------------------------------
    def model(self, name: str) -> ModelPlugin:
        if name not in self.models:
            raise UnknownNameError("model", name, list(self.models))
        return self.models[name]

    def dataset(self, name: str) -> DatasetPlugin:
        if name not in self.datasets:
            raise UnknownNameError("dataset", name, list(self.datasets))
        return self.datasets[name]

    def metric(self, name: str) -> MetricPlugin:
        if name not in self.metrics:
            raise UnknownNameError("metric", name, list(self.metrics))
        return self.metrics[name]

    def benchmark_names(self, modality: str | None = None, metric: str | None = None, default_only: bool = False) -> list[str]:
        """Benchmark ids ``<dataset>.<region>.<metric>`` for every dataset region and applicable metric."""
        names = []
        for dataset in self.datasets.values():
            if modality and dataset.modality != modality:
                continue
            for metric_plugin in self.metrics.values():
                if dataset.recording_kind not in metric_plugin.applies_to:
                    continue
                if metric and metric_plugin.name != metric:
                    continue
                if default_only and metric is None and metric_plugin.name != dataset.default_metric:
                    continue
                names += [f"{dataset.name}.{region}.{metric_plugin.name}" for region in dataset.regions]
        return names

    def parse_benchmark(self, benchmark_id: str) -> tuple[DatasetPlugin, str, MetricPlugin]:
        known = self.benchmark_names()
        parts = benchmark_id.split(".")
        if benchmark_id not in known or len(parts) != 3:
            raise UnknownNameError("benchmark", benchmark_id, known)
        dataset, region, metric = parts
        return self.datasets[dataset], region, self.metrics[metric]


def _check_model_plugin(plugin: ModelPlugin) -> None:
    if plugin.modality not in MODALITIES:
        raise ValueError(f"model {plugin.name!r}: modality must be one of {MODALITIES}, got {plugin.modality!r}")
    if plugin.training not in TRAINING_TYPES:
        raise ValueError(f"model {plugin.name!r}: training must be one of {TRAINING_TYPES}, got {plugin.training!r}")


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    return Registry().discover()


def resolve_reference(reference):
    """An object, or the object named by "module:attribute" (imported now)."""
    if not isinstance(reference, str):
        return reference
    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)


class _DeferredFactory:
    """A metric factory named in a plugin's source, imported on first use."""

    def __init__(self, module: str, attribute: str):
        self.module, self.attribute = module, attribute

    def resolve(self):
        try:
            return getattr(importlib.import_module(self.module), self.attribute)
        except Exception as exc:
            from .errors import PluginError

            raise PluginError(f"metric plugin {self.module} failed to import: {type(exc).__name__}: {exc}") from exc

    def __call__(self, *args, **kwargs):
        return self.resolve()(*args, **kwargs)

    @property
    def __doc__(self):
        return self.resolve().__doc__


def _declared_metric_plugins(module_name: str) -> list[MetricPlugin] | None:
    """The MetricPlugins of a module whose ``PLUGINS`` is a literal list of ``MetricPlugin(...)`` calls
    with keyword arguments (literals, and a bare name for the factory), read without importing it;
    None when it is declared any other way (the module is then imported)."""
    try:
        spec = importlib.util.find_spec(module_name)
        tree = ast.parse(open(spec.origin, encoding="utf-8").read())
    except (ImportError, OSError, SyntaxError, TypeError, AttributeError):
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["PLUGINS"]:
            if not isinstance(node.value, ast.List):
                return None
            try:
                return [_literal_metric_plugin(call, module_name) for call in node.value.elts]
            except (ValueError, TypeError):
                return None
    return None


def _literal_metric_plugin(call, module_name: str) -> MetricPlugin:
    if not (isinstance(call, ast.Call) and getattr(call.func, "id", None) == "MetricPlugin" and not call.args):
        raise ValueError("not a literal MetricPlugin(...) call")
    options = {}
    for keyword in call.keywords:
        if keyword.arg == "factory" and isinstance(keyword.value, ast.Name):
            options["factory"] = _DeferredFactory(module_name, keyword.value.id)
        else:
            options[keyword.arg] = ast.literal_eval(keyword.value)  # ValueError if not a literal
    return MetricPlugin(**options)
