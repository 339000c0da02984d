"""Data manifests: the files a dataset consists of, pinned by sha256 and size, and where each comes from.

A dataset plugin owns its manifest: it is kept in the plugin's folder beside the loader and declared
as ``DatasetPlugin(manifest=...)``. Everything that reads pins reads it: ``brainbench data
fetch|import|list`` (brainbench.fetch), the data check before scoring (brainbench.integrity) and
``brainbench check``. Two ways to write one:

- ``manifest.json``, data only, read with :func:`read_manifest` (datasets/nh2015)::

      {"name": "toy_ecog", "folder": "toy_ecog", "origin": "the lab's repository, commit 1a2b3c",
       "files": [{"path": "electrodes.csv", "sha256": "<64 hex>", "size": 1234, "url": "https://..."}]}

  A file built from upstream files by a converter says ``"derive": "NAME"`` (and ``"also": [further
  upstream URLs]``); ``read_manifest(path, converters={"NAME": function})`` binds the name.
- ``manifest.py`` building a :class:`Manifest` in code: URL patterns, tables of pins, converters from
  the plugin folder (datasets/allen_neuropixels, datasets/allen_2p_rdms).

A converter is ``f(upstreams, target, expected_sha256)``: ``upstreams`` are the downloaded upstream
files as ``[(url, local path)]`` (the file's ``url`` first, then ``also``); it writes ``target`` only if
the bytes it built hash to ``expected_sha256`` (:func:`brainbench.converters.write_verified`), and
otherwise raises ``brainbench.fetch.ChecksumError`` / ``FetchError`` naming the upstream file (its
``culprits`` are deleted, so the next fetch downloads them again).

This module imports nothing heavy (``brainbench data list`` answers without numpy's friends).
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Callable

from .errors import DataNotFoundError, PluginError, UnknownNameError

#: f([(upstream url, local file)], target path, expected sha256) -> None; raises FetchError
Converter = Callable[[list[tuple[str, Path]], Path, str], None]

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class FileSpec:
    """One file of a dataset: where it goes, what it must hash to, and where it comes from.

    ``url=None``: no public host serves this exact file (see the manifest's ``rebuild``, a mirror, or
    ``brainbench data import``). With ``derive``, the file is built from the upstream file at ``url``
    (and those in ``also``) by that converter, and ``sha256`` is that of the built file, so the
    conversion is checked byte for byte.
    """

    #: path inside the dataset folder, with forward slashes (e.g. "images/scene_000.png")
    path: str
    #: sha256 of the published file, 64 lower-case hex digits
    sha256: str
    #: size of the published file in bytes
    size: int
    #: the pinned upstream URL (a file at a fixed commit or version), or None
    url: str | None = None
    #: converter building this file from the upstream file(s); None: the download is the file
    derive: Converter | None = None
    #: further upstream URLs the converter reads
    also: tuple[str, ...] = ()

    def __post_init__(self):
        problems = _file_problems(self)
        if problems:
            raise PluginError(f"manifest file {self.path!r}: " + "; ".join(problems))

    @property
    def upstream_urls(self) -> tuple[str, ...]:
        return (self.url, *self.also) if self.url else ()


@dataclass(frozen=True)
class Manifest:
    """The data of one dataset: a folder under a data root and every file in it, pinned."""

    #: the dataset plugin's name (``brainbench data fetch NAME``); equal to ``DatasetPlugin.name``
    name: str
    #: the folder the files live in under a data root (see brainbench.paths)
    folder: str
    files: tuple[FileSpec, ...]
    #: where the files come from, in words (shown by ``data fetch``)
    origin: str
    #: how to get files that no public host serves (``url=None``), shown when they are asked for
    rebuild: str = ""
    #: files of other datasets this one reads, as (dataset name, path prefix): e.g. shared stimuli
    #: ``(("nh2015", "wav/"),)``; they are verified before scoring too
    shares: tuple[tuple[str, str], ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "files", tuple(self.files))
        object.__setattr__(self, "shares", tuple(tuple(s) for s in self.shares))
        problems = []
        if not isinstance(self.name, str) or not _NAME.fullmatch(self.name):
            problems.append(f"name {self.name!r} must be lower-case letters, digits and _ (the dataset plugin's name)")
        if not isinstance(self.folder, str) or not self.folder or "/" in self.folder or self.folder in (".", ".."):
            problems.append(f"folder {self.folder!r} must be one folder name (created under a data root)")
        if not self.files or not all(isinstance(f, FileSpec) for f in self.files):
            problems.append("files must be a non-empty list of FileSpec")
        paths = [f.path for f in self.files if isinstance(f, FileSpec)]
        duplicates = sorted({p for p in paths if paths.count(p) > 1})
        if duplicates:
            problems.append(f"files listed twice: {', '.join(duplicates[:3])}")
        if not all(len(s) == 2 and all(isinstance(x, str) for x in s) for s in self.shares):
            problems.append("shares must be (dataset name, path prefix) pairs")
        if problems:
            raise PluginError(f"manifest {self.name!r}: " + "; ".join(problems))

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def pins(self) -> dict[str, str]:
        """path -> pinned sha256 of every file."""
        return {f.path: f.sha256 for f in self.files}

    def find(self, data_dir=None) -> Path | None:
        """The dataset's folder along the data search path (brainbench.paths), or None."""
        from .paths import find_dataset_dir

        return find_dataset_dir(self.folder, data_dir)

    def locate(self, data_dir=None) -> Path:
        """The dataset's folder, with every file present; else DataNotFoundError naming the folders
        searched or the files missing, and the fix."""
        from .paths import data_search_path

        self._check_explicit_entry(data_dir)
        folder = self.find(data_dir)
        fix = f"`brainbench data fetch {self.name}` (or `brainbench data import DIR` with a copy you have)"
        if folder is None:
            searched = "\n".join(f"  {where}: {root / self.folder}" for where, root in data_search_path(data_dir))
            raise DataNotFoundError(f"{self.name}: data not found. Looked for the folder {self.folder!r} in:\n{searched}\nFix: {fix}.")
        missing = [f.path for f in self.files if not (folder / f.path).is_file()]
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise DataNotFoundError(f"{folder} is incomplete: missing {shown}. Fix: {fix}.")
        return folder

    def _check_explicit_entry(self, data_dir) -> None:
        problem = explicit_entry_problem(self.name, self.folder, data_dir)
        if problem:
            raise DataNotFoundError(problem)

    def checksums(self, folder: Path) -> dict[str, str]:
        """path -> sha256 of the files now in ``folder`` (remembered per file identity, so files the
        check before scoring just hashed are not hashed again): a Dataset's ``checksums``."""
        from .integrity import folder_digests

        return folder_digests(Path(folder), [f.path for f in self.files])

    def pinned_checksums(self, folder: Path, paths=None) -> tuple[dict[str, str], list[str]]:
        """sha256 of ``paths`` (default: every file) in ``folder``, and a warning for each that differs
        from its pin: a loader's ``Dataset(checksums=..., warnings=...)``. Hashes are remembered per
        file identity (``sha256_file``), so files the check before scoring just hashed cost nothing."""
        from .stimuli import sha256_file

        pins = self.pins
        checksums, warnings = {}, []
        for path in pins if paths is None else paths:
            checksums[path] = digest = sha256_file(Path(folder) / path)
            if digest != pins[path]:
                warnings.append(
                    f"{Path(folder) / path}: sha256 {digest[:12]}... differs from the published {pins[path][:12]}...; "
                    "scores are not comparable with the leaderboard unless this is a deliberate rebuild"
                )
        return checksums, warnings

    def to_json(self) -> dict:
        """The manifest as ``manifest.json`` holds it (converters by their function name)."""
        files = []
        for f in self.files:
            entry = {"path": f.path, "sha256": f.sha256, "size": f.size, "url": f.url}
            if f.derive is not None:
                function = getattr(f.derive, "func", f.derive)  # a functools.partial names its function
                entry["derive"] = getattr(function, "__name__", repr(function))
            if f.also:
                entry["also"] = list(f.also)
            files.append(entry)
        document = {"name": self.name, "folder": self.folder, "origin": self.origin, "files": files}
        if self.rebuild:
            document["rebuild"] = self.rebuild
        if self.shares:
            document["shares"] = [list(s) for s in self.shares]
        return document


def explicit_entry_problem(name: str, folder: str, data_dir) -> str | None:
    """``paths.explicit_entry_problem`` with the fix for dataset ``name``: fetch it into that --data-dir."""
    from .paths import explicit_entry_problem as problem_of

    problem = problem_of(folder, data_dir)
    if problem is None:
        return None
    return (f"{problem}. Fix: remove or rename it, then put the {name} dataset folder there (brainbench data fetch {name} "
            f"--root {Path(data_dir).expanduser()}) or leave --data-dir out")


def _file_problems(spec: FileSpec) -> list[str]:
    problems = []
    path = spec.path
    if not isinstance(path, str) or not path or "\\" in path or PurePosixPath(path).is_absolute() or ".." in PurePosixPath(path).parts:
        problems.append("path must be relative, with forward slashes and no '..'")
    if not isinstance(spec.sha256, str) or not _SHA256.fullmatch(spec.sha256):
        problems.append(f"sha256 must be 64 lower-case hex digits, got {spec.sha256!r}")
    if not isinstance(spec.size, int) or isinstance(spec.size, bool) or spec.size < 0:
        problems.append(f"size must be a number of bytes, got {spec.size!r}")
    for url in (spec.url, *spec.also):
        if url is not None and not (isinstance(url, str) and re.match(r"(https?|file)://", url)):
            problems.append(f"url {url!r} must be an http(s):// or file:// address")
    if spec.derive is not None and not callable(spec.derive):
        problems.append(f"derive must be a converter function, got {spec.derive!r}")
    if spec.also and spec.derive is None:
        problems.append("also (further upstream files) needs a converter (derive)")
    return problems


# -- manifest.json -----------------------------------------------------------------------------------
_FILE_KEYS = {"path", "sha256", "size", "url", "derive", "also"}
_TOP_KEYS = {"name", "folder", "origin", "files", "rebuild", "shares"}


def read_manifest(path: str | os.PathLike, converters: dict[str, Converter] | None = None) -> Manifest:
    """A ``manifest.json`` as a Manifest; ``converters`` binds the names its files ``derive`` with.
    Every problem is a PluginError naming the file and the field."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PluginError(f"{path}: not a readable JSON manifest ({exc})") from exc
    if not isinstance(document, dict):
        raise PluginError(f"{path}: a manifest is a JSON object with the keys {sorted(_TOP_KEYS)}")
    unknown = sorted(set(document) - _TOP_KEYS)
    missing = sorted({"name", "folder", "origin", "files"} - set(document))
    if unknown or missing:
        raise PluginError(f"{path}: " + "; ".join(([f"unknown key(s) {unknown}"] if unknown else []) + ([f"missing key(s) {missing}"] if missing else [])))
    if not isinstance(document["files"], list):
        raise PluginError(f"{path}: files must be a list of {{path, sha256, size, url}} objects")
    files = [_file_from_json(entry, k, path, converters or {}) for k, entry in enumerate(document["files"])]
    try:
        return Manifest(
            name=document["name"], folder=document["folder"], files=tuple(files), origin=document["origin"],
            rebuild=document.get("rebuild", ""), shares=tuple(tuple(s) for s in document.get("shares", ())),
        )
    except PluginError as exc:
        raise PluginError(f"{path}: {exc}") from None


def _file_from_json(entry: Any, k: int, path: Path, converters: dict[str, Converter]) -> FileSpec:
    where = f"{path}: files[{k}]"
    if not isinstance(entry, dict) or not {"path", "sha256", "size"} <= set(entry) or set(entry) - _FILE_KEYS:
        raise PluginError(f"{where}: expected an object with path, sha256, size and optionally url, derive, also; got {entry!r}"[:400])
    derive = entry.get("derive")
    if derive is not None and derive not in converters:
        raise PluginError(f"{where}: converter {derive!r} is not among those given to read_manifest ({sorted(converters) or 'none'})")
    try:
        return FileSpec(entry["path"], entry["sha256"], entry["size"], entry.get("url"),
                        converters[derive] if derive is not None else None, tuple(entry.get("also", ())))
    except PluginError as exc:
        raise PluginError(f"{where}: {exc}") from None


def pin(path: str | os.PathLike) -> dict:
    """``{"sha256": ..., "size": ...}`` of a file: its entry's pins in a manifest.json."""
    from .stimuli import sha256_file

    return {"sha256": sha256_file(path), "size": Path(path).stat().st_size}


# -- look-up through the registry --------------------------------------------------------------------
def manifests(registry=None) -> dict[str, Manifest]:
    """Dataset name -> manifest, for every registered dataset plugin that declares one."""
    from .registry import default_registry

    registry = registry or default_registry()
    return {name: plugin.manifest for name, plugin in registry.datasets.items() if plugin.manifest is not None}


def manifest_of(name: str, registry=None) -> Manifest:
    """The manifest of dataset ``name``; UnknownNameError (or a PluginError for a dataset without a
    manifest, registered or not, whose data are supplied by the user) otherwise."""
    from .registry import default_registry

    registry = registry or default_registry()
    known = manifests(registry)
    if name in known:
        return known[name]
    readme = _user_supplied_readme(name, registry)
    if readme is not None:
        raise PluginError(f"{name} has no pinned download: its data files are supplied by you; see {readme}. Fix: get them as "
                          f"that README says, into a data root (`brainbench data list` shows the roots and what it finds); "
                          f"`data fetch` and `data import` take only the pinned datasets: {', '.join(sorted(known))}")
    if name in registry.datasets:
        raise PluginError(f"dataset {name!r} has no manifest: its data are supplied by the user, not fetched "
                          f"(see its data card, {registry.datasets[name].source or 'its plugin folder'}). Fetchable: {', '.join(sorted(known))}")
    raise UnknownNameError("dataset", name, list(known))


def _user_supplied_readme(name: str, registry) -> str | None:
    """The README of the dataset plugin ``name`` that has no manifest: registered, or a built-in dataset
    module that registers only where its data are (it reports through ``data_status()``); else None."""
    plugin = registry.datasets.get(name)
    if plugin is not None:
        source = plugin.source or ""
        folder = Path(source.removeprefix("folder ")) if source.startswith("folder ") else _module_folder(source)
    else:
        folder = _unregistered_module_folder(name)
    if folder is None or not (folder / "README.md").is_file():
        return None
    return _shown(folder / "README.md")


def _module_folder(module_name: str) -> Path | None:
    import importlib.util

    try:
        spec = importlib.util.find_spec(module_name)
    except (ImportError, ValueError):
        return None
    return Path(spec.origin).parent if spec is not None and spec.origin else None


def _unregistered_module_folder(name: str) -> Path | None:
    """The folder of the built-in dataset module whose ``data_status()`` reports ``name``."""
    import importlib
    import pkgutil

    try:
        package = importlib.import_module("brainbench.datasets")
    except ImportError:
        return None
    for info in pkgutil.iter_modules(package.__path__):
        try:
            module = importlib.import_module(f"brainbench.datasets.{info.name}")
            rows = module.data_status() if hasattr(module, "data_status") else []
        except Exception:  # a broken plugin is reported by `brainbench data list`
            continue
        if any(row[0] == name for row in rows):
            return Path(module.__file__).parent
    return None


def _shown(path: Path) -> str:
    """``path`` relative to the source checkout when it is in it (datasets/x/README.md), else in full."""
    from .paths import checkout_root

    root = checkout_root()
    try:
        return str(path.resolve().relative_to(root)) if root is not None else str(path)
    except ValueError:
        return str(path)
