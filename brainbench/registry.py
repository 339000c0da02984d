"""Plugin discovery: built-in plugin folders plus Python entry points.

Three places, each giving modules that expose ``PLUGINS``, a list of plugin objects:

- built-ins: the sub-packages of ``brainbench.submissions`` (models), ``brainbench.datasets`` and
  ``brainbench.metrics`` (the repository's ``submissions/``, ``datasets/`` and ``metrics/`` folders);
- entry points: a separate pip package adds plugins through the groups ``brainbench.models``,
  ``brainbench.datasets`` and ``brainbench.metrics``, each naming a plugin object or a list of them;
- plugin folders anywhere, nothing installed: ``$BRAINBENCH_PLUGINS`` (paths separated by ``:``, ``;``
  on Windows), ``Registry.discover(folders=...)`` or ``Registry.add_folder(path)`` (the CLI's
  ``--plugin PATH``). A path is a plugin folder (a package: ``__init__.py`` exposing ``PLUGINS``, of
  any kind) or a folder holding plugin folders. Each is imported once, under a private module name,
  when the first plugin of any kind is asked for.

A plugin that fails to import is recorded in ``Registry.failures`` with its error and never breaks
listing or scoring of the others.

Answering at once: each kind is discovered when first asked for (``list models`` imports no dataset
or metric plugin), plugin modules import torch inside ``build()``, and a built-in metric whose
``PLUGINS`` is a literal list of ``MetricPlugin(name=..., factory=<name>, applies_to=..., description=...)``
is read from its source without being imported; its factory is imported on first use.
"""
from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.util
import os
import pkgutil
import re
import sys
import threading
import traceback
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .errors import UnknownNameError, plugin_exit_reason
from .manifest import Manifest
from .paths import folder_problem

#: one plugin folder imported at a time (executor threads may resolve the same folder together)
_IMPORT_LOCK = threading.RLock()

if TYPE_CHECKING:
    from .benchmark import Dataset, Protocol
    from .metric import Metric

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
    """A named metric. The contract of the object ``factory`` builds is brainbench.metric.Metric
    (docs/metrics.md)."""

    #: lower-case identifier, the last part of benchmark ids ``<dataset>.<region>.<name>``
    name: str
    #: ``factory(**options)`` -> a brainbench.metric.Metric; options are the dataset's
    #: ``metric_options[name]``, plus ``device=`` where the factory accepts it
    factory: Callable[..., Metric]
    #: the dataset ``recording_kind``s this metric can score (e.g. ("trials", "components"))
    applies_to: tuple[str, ...]
    #: one line for ``brainbench list metrics``
    description: str = ""
    #: where it was found (set by the registry)
    source: str = ""


@dataclass
class DatasetPlugin:
    """A recording plus its stimulus set, and how it is benchmarked. The contract, with a worked
    example written from scratch, is docs/datasets.md.

    Every region gives one benchmark per applicable metric: ``<name>.<region>.<metric>``.
    """

    #: lower-case identifier: ``brainbench data fetch NAME``, the first part of benchmark ids
    name: str
    #: "vision" or "audio": the models of that modality are scored on it
    modality: str
    #: what ``load`` returns as the recording, which decides the metrics that apply (their
    #: ``MetricPlugin.applies_to``): "trials" (repetition x stimulus x neuroid, repeats give a
    #: ceiling), "components" (the same dims, one repetition: no ceiling), "rdm" (region x stimulus x
    #: stimulus dissimilarities, with ``benchmark_class=RDMBenchmark``)
    recording_kind: str
    #: the regions benchmarked: values of the recording's ``region`` coordinate, and/or derived ones
    #: (below); the region "all" means the whole recording (every neuroid)
    regions: tuple[str, ...]
    #: ``load(data_dir=None)`` -> brainbench.benchmark.Dataset (recording, stimulus set, checksums,
    #: card, warnings); ``data_dir`` as ``--data-dir`` (None: the data search path, brainbench.paths)
    load: Callable[..., Dataset]
    #: the metric of the default benchmarks (``brainbench score`` without --metric)
    default_metric: str
    #: the data card: title, species, method, regions, stimuli, response, citation, bibtex, terms, ...
    card: dict[str, Any] = field(default_factory=dict)
    #: metric name (or None) -> brainbench.benchmark.Protocol (splits, layer selection, bootstrap,
    #: inter-animal ceiling); None: ``Protocol()`` (5-fold, nested 4-fold layer selection)
    protocol_for: Callable[[str | None], Protocol] | None = None
    #: metric name -> benchmark version (bump when the data, protocol or metric changes the numbers);
    #: a metric not listed is version "1"
    versions: dict[str, str] = field(default_factory=dict)
    #: how per-neuroid scores and ceilings are pooled: "median" or "mean"
    aggregate: str = "median"
    #: metric name -> keyword arguments for that metric's factory (e.g. {"ridge": {"primary": "r2"}})
    metric_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the Benchmark class to build (a subclass for recordings that are not trial arrays, e.g.
    #: RDMBenchmark), or "module:attribute" naming it (imported when a benchmark is built); None: Benchmark
    benchmark_class: type | str | None = None
    #: region -> position in the brain's processing hierarchy (larger = later), for the layer-area
    #: correspondence analysis (brainbench.analysis.hierarchy); empty: no hierarchy is declared
    hierarchy: dict[str, float] = field(default_factory=dict)
    #: where the hierarchy comes from (a citation)
    hierarchy_source: str = ""
    #: region -> group averaged first in the overall score (e.g. the cortical layers of one area);
    #: a region not listed is its own group
    region_groups: dict[str, str] = field(default_factory=dict)
    #: region -> processing stream (exactly two names, e.g. "ventral"/"dorsal"), for the pathway analysis's
    #: double-dissociation test (brainbench.analysis._streams); a region not listed is in neither
    streams: dict[str, str] = field(default_factory=dict)
    #: where the stream assignment comes from (a citation); required when ``streams`` is given
    streams_source: str = ""
    #: regions that summarise others (e.g. NH2015 "all", the mean of its components): scored, shown,
    #: never counted again in the overall score
    derived_regions: tuple[str, ...] = ()
    #: the data's files, sha256, sizes, sources and converters (brainbench.manifest.Manifest, kept in
    #: the plugin folder): what ``brainbench data fetch|import|list`` and the check before scoring read;
    #: None: the data are supplied by the user and cannot be fetched or verified
    manifest: Manifest | None = None
    #: where it was found (set by the registry)
    source: str = ""


@dataclass
class PluginFailure:
    kind: str
    source: str
    error: str


PLUGINS_ENV = "BRAINBENCH_PLUGINS"
_BUILTIN = {"model": "brainbench.submissions", "dataset": "brainbench.datasets", "metric": "brainbench.metrics"}
_ENTRY_POINT_GROUPS = {"model": "brainbench.models", "dataset": "brainbench.datasets", "metric": "brainbench.metrics"}
_TYPES = {"model": ModelPlugin, "dataset": DatasetPlugin, "metric": MetricPlugin}


class Registry:
    def __init__(self):
        self._tables: dict[str, dict] = {"model": {}, "dataset": {}, "metric": {}}
        self._pending: set[str] = set()  # kinds discovered on first use
        self._entry_points = True
        self._folders: list[Path] = []  # plugin folders to import on first use
        self._folder_plugins: list[tuple[str, Any]] | None = None  # (source, plugin), once imported
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
    def discover(self, entry_points: bool = True, folders: list | None = None) -> "Registry":
        """Find the built-in plugins, the entry points and the plugin folders (``$BRAINBENCH_PLUGINS``,
        then ``folders``); each kind is imported when first used."""
        self._pending, self._entry_points = set(_BUILTIN), entry_points
        self._folders = [*env_plugin_folders(), *(Path(f).expanduser() for f in folders or ())]
        return self

    def add_folder(self, path) -> list:
        """Import the plugin folder ``path`` (or the plugin folders in it) now and register their plugins
        (any kind); returns them. A path that holds no plugin raises PluginError (``--plugin PATH`` was
        asked for explicitly); a plugin in it that fails to import is recorded, as in discovery."""
        from .errors import PluginError

        try:
            packages = plugin_packages(path)
        except OSError as exc:
            raise PluginError(f"--plugin {path}: {exc}") from exc
        found = []
        for package in packages:
            plugins = self._import_package(package)
            for plugin in plugins:
                try:
                    self.add(plugin, f"folder {package}")
                except (ValueError, TypeError) as exc:
                    raise PluginError(f"--plugin {path}: {exc}") from exc
            found += plugins
        return found

    def _import_package(self, package: Path) -> list:
        """The plugins a plugin folder exposes; [] with the failure recorded if it cannot be imported."""
        try:
            found = getattr(import_plugin_folder(package), "PLUGINS", None)
            if found is None:
                raise AttributeError(f"{package / '__init__.py'} defines no PLUGINS list")
            return list(found) if isinstance(found, (list, tuple)) else [found]
        except (Exception, SystemExit) as exc:  # a broken folder (even one calling sys.exit) must not break the others
            self.failures.append(PluginFailure("folder", str(package), _one_line(exc)))
            return []

    def _discover(self, kind: str) -> None:
        package_name = _BUILTIN[kind]
        package = importlib.import_module(package_name)
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            if info.name.startswith("_"):
                continue
            source = f"{package_name}.{info.name}"
            declared = _declared_metric_plugins(source) if kind == "metric" else None
            self._load(kind, source, (lambda d=declared: d) if declared else (lambda s=source: importlib.import_module(s).PLUGINS))
        if self._entry_points:
            for ep in metadata.entry_points(group=_ENTRY_POINT_GROUPS[kind]):
                self._load(kind, f"entry point {ep.name} ({ep.value})", ep.load)
        for source, plugin in self._from_folders():
            if isinstance(plugin, _TYPES[kind]):
                self._load(kind, source, lambda p=plugin: p)

    def _from_folders(self) -> list[tuple[str, Any]]:
        """(source, plugin) of every plugin folder, imported once; a folder that fails is recorded."""
        if self._folder_plugins is None:
            self._folder_plugins = []
            for folder in self._folders:
                try:
                    packages = plugin_packages(folder)
                except OSError as exc:
                    self.failures.append(PluginFailure("folder", str(folder), f"{PLUGINS_ENV}: {exc}"))
                    continue
                for package in packages:
                    self._folder_plugins += [(f"folder {package}", plugin) for plugin in self._import_package(package)]
        return self._folder_plugins

    def _load(self, kind: str, source: str, loader: Callable[[], Any]) -> None:
        try:
            found = loader()
            plugins = found if isinstance(found, (list, tuple)) else [found]
            for plugin in plugins:
                self.add(plugin, source)
        except (Exception, SystemExit) as exc:  # a broken plugin (even one calling sys.exit) must not break the others
            self.failures.append(PluginFailure(kind, source, _one_line(exc)))

    def add(self, plugin, source: str = "") -> None:
        for kind, cls in _TYPES.items():
            if isinstance(plugin, cls):
                table = self._table(kind)
                if table.get(plugin.name) is plugin:
                    return  # the same folder named twice ($BRAINBENCH_PLUGINS and --plugin)
                if plugin.name in table:
                    raise ValueError(f"{kind} plugin {plugin.name!r} from {source} is already registered by {table[plugin.name].source}")
                if kind == "model":
                    _check_model_plugin(plugin)
                elif kind == "dataset":
                    _check_dataset_plugin(plugin)
                plugin.source = plugin.source or source
                table[plugin.name] = plugin
                return
        raise TypeError(f"{source}: {plugin!r} is not a ModelPlugin, DatasetPlugin or MetricPlugin")

    def replacing(self, plugin) -> "Registry":
        """A copy of this registry (every kind discovered) with ``plugin`` in place of the registered
        plugin of the same kind and name; this registry is left as it was."""
        kind = next((k for k, cls in _TYPES.items() if isinstance(plugin, cls)), None)
        if kind is None:
            raise TypeError(f"{plugin!r} is not a ModelPlugin, DatasetPlugin or MetricPlugin")
        copy = Registry()
        copy._tables = {k: dict(self._table(k)) for k in self._tables}
        copy.failures = list(self.failures)
        if plugin.name not in copy._tables[kind]:
            raise UnknownNameError(kind, plugin.name, list(copy._tables[kind]))
        copy._tables[kind][plugin.name] = plugin
        return copy

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


def _check_dataset_plugin(plugin: DatasetPlugin) -> None:
    """The declarations that would otherwise fail late (benchmark ids, data commands) fail on registering."""
    problems = dataset_plugin_problems(plugin)
    if problems:
        raise ValueError(f"dataset {plugin.name!r}: " + "; ".join(problems))


def dataset_plugin_problems(plugin: DatasetPlugin) -> list[str]:
    """Every field of a DatasetPlugin that breaks its contract, in words (docs/datasets.md)."""
    problems = _dataset_identity_problems(plugin)
    regions = plugin.regions
    if isinstance(regions, str) or not isinstance(regions, (tuple, list)) or not regions or not all(isinstance(r, str) and r and "." not in r for r in regions):
        problems.append(f"regions must be a non-empty tuple of names without '.', got {regions!r}")
        regions = ()
    elif len(set(regions)) != len(regions):
        problems.append("regions are listed twice")
    return problems + _region_declaration_problems(plugin, set(regions)) + _manifest_problems(plugin)


def _dataset_identity_problems(plugin: DatasetPlugin) -> list[str]:
    problems = []
    if not isinstance(plugin.name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", plugin.name):
        problems.append(f"name {plugin.name!r} must be lower-case letters, digits and _")
    if plugin.modality not in MODALITIES:
        problems.append(f"modality must be one of {MODALITIES}, got {plugin.modality!r}")
    if not isinstance(plugin.recording_kind, str) or not plugin.recording_kind:
        problems.append(f"recording_kind must name the recording's kind (trials, components, rdm), got {plugin.recording_kind!r}")
    if not callable(plugin.load):
        problems.append("load must be a function load(data_dir=None) -> Dataset")
    if plugin.protocol_for is not None and not callable(plugin.protocol_for):
        problems.append("protocol_for must be a function metric -> Protocol, or None")
    if plugin.aggregate not in ("median", "mean"):
        problems.append(f"aggregate must be 'median' or 'mean', got {plugin.aggregate!r}")
    return problems


def _region_declaration_problems(plugin: DatasetPlugin, regions: set) -> list[str]:
    """hierarchy, region_groups, streams and derived_regions name benchmarked regions; streams are two, cited."""
    problems = []
    for what in ("hierarchy", "region_groups", "streams", "derived_regions"):
        unknown = sorted(set(getattr(plugin, what)) - regions)
        if unknown:
            problems.append(f"{what} names regions not in regions: {unknown}")
    names = set(plugin.streams.values())
    if plugin.streams and (len(names) != 2 or not all(isinstance(v, str) and v for v in names)):
        problems.append(f"streams must assign regions to exactly two named streams, got {sorted(map(str, names))}")
    if plugin.streams and not (isinstance(plugin.streams_source, str) and plugin.streams_source.strip()):
        problems.append("streams_source must say where the stream assignment comes from (a citation)")
    return problems


def _manifest_problems(plugin: DatasetPlugin) -> list[str]:
    if plugin.manifest is None:
        return []
    if not isinstance(plugin.manifest, Manifest):
        return [f"manifest must be a brainbench.manifest.Manifest (read_manifest('manifest.json')) or None, got {type(plugin.manifest).__name__}"]
    if plugin.manifest.name != plugin.name:
        return [f"its manifest is named {plugin.manifest.name!r}; use the dataset's name"]
    return []


def env_plugin_folders() -> list[Path]:
    """The plugin folders named by ``$BRAINBENCH_PLUGINS`` (os.pathsep-separated)."""
    return [Path(p).expanduser() for p in os.environ.get(PLUGINS_ENV, "").split(os.pathsep) if p.strip()]


def plugin_packages(folder) -> list[Path]:
    """The plugin folder ``folder`` (a package: it has an ``__init__.py``), or the plugin folders in it;
    OSError if it is neither."""
    folder = Path(folder).expanduser().resolve()
    problem = folder_problem(folder)
    if problem:
        raise FileNotFoundError(f"plugin folder {folder} {problem}")
    if (folder / "__init__.py").is_file():
        return [folder]
    packages = sorted(p for p in folder.iterdir() if (p / "__init__.py").is_file() and not p.name.startswith(("_", ".")))
    if not packages:
        raise FileNotFoundError(f"{folder} holds no plugin: a plugin folder has an __init__.py exposing PLUGINS (or holds such folders)")
    return packages


def import_plugin_folder(folder: Path):
    """Import a plugin folder (a package anywhere) under a private module name derived from its path,
    once per process, also when several threads (executor workers) ask at once; relative imports
    inside it work. Discovery and ``--model PATH`` share it, so one folder is one module."""
    folder = Path(folder).resolve()
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:10]
    name = "_brainbench_plugin_" + re.sub(r"\W", "_", folder.name) + "_" + digest
    with _IMPORT_LOCK:
        if name in sys.modules:
            return sys.modules[name]
        spec = importlib.util.spec_from_file_location(name, folder / "__init__.py", submodule_search_locations=[str(folder)])
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(name, None)
            raise
        return module


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return plugin_exit_reason(exc)
    if isinstance(exc, SyntaxError):  # the words `brainbench check` uses for it
        return f"syntax error in {exc.filename}, line {exc.lineno}: {exc.msg}"
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


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
