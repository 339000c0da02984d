"""Plugin discovery: built-in plugin folders plus Python entry points.

Built-ins are the sub-packages of ``brainbench.submissions`` (models), ``brainbench.datasets`` and
``brainbench.metrics`` (the repository's ``submissions/``, ``datasets/`` and ``metrics/`` folders);
each module exposes ``PLUGINS``, a list of plugin objects. A separate pip package adds plugins through
the entry-point groups ``brainbench.models``, ``brainbench.datasets`` and ``brainbench.metrics``, each
entry point naming a plugin object or a list of them.

A plugin that fails to import is recorded in ``Registry.failures`` with its error and never breaks
listing or scoring of the others.
"""
from __future__ import annotations

import importlib
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
    #: the Benchmark class to build (a subclass for recordings that are not trial arrays, e.g. RDMs)
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
        self.models: dict[str, ModelPlugin] = {}
        self.datasets: dict[str, DatasetPlugin] = {}
        self.metrics: dict[str, MetricPlugin] = {}
        self.failures: list[PluginFailure] = []

    # -- discovery -------------------------------------------------------------------------------
    def discover(self, entry_points: bool = True) -> "Registry":
        for kind, package_name in _BUILTIN.items():
            package = importlib.import_module(package_name)
            for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
                if info.name.startswith("_"):
                    continue
                source = f"{package_name}.{info.name}"
                self._load(kind, source, lambda s=source: getattr(importlib.import_module(s), "PLUGINS"))
        if entry_points:
            for kind, group in _ENTRY_POINT_GROUPS.items():
                for ep in metadata.entry_points(group=group):
                    self._load(kind, f"entry point {ep.name} ({ep.value})", ep.load)
        return self

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
                table = getattr(self, kind + "s")
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
