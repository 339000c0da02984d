"""``brainbench data fetch NAME | import DIR | list``: get the recordings from their original sources.

Every dataset plugin with a manifest (brainbench.manifest) takes part: built-in, from an entry point,
or from a plugin folder (``--plugin PATH``, repeatable, or ``$BRAINBENCH_PLUGINS``).
"""
from __future__ import annotations

import importlib
import pkgutil

from .. import fetch as fetching
from . import positive_seconds, url
from ..paths import data_search_path
from ..store import human_size

PLUGIN_HELP = "a dataset plugin folder (or a folder of plugin folders) to add, anywhere (repeatable; also $BRAINBENCH_PLUGINS)"


def register(sub) -> None:
    p = sub.add_parser("data", help="fetch, import or list the datasets (checksummed, resumable)")
    actions = p.add_subparsers(dest="data_action", metavar="ACTION", required=True)

    f = actions.add_parser("fetch", help="download a dataset from its pinned public source into the user cache")
    f.add_argument("names", nargs="+", metavar="NAME", help="dataset(s) with a manifest (see `brainbench data list`), or 'all'")
    f.add_argument("--mirror", type=url, help=f"base URL serving <folder>/<file> (default ${fetching.MIRROR_ENV}, else the original sources)")
    f.add_argument("--root", help="data root to fetch into (default: the user cache)")
    f.add_argument("--timeout", type=positive_seconds, default=60.0, help="seconds to wait for a server (default 60)")
    f.add_argument("--plugin", action="append", default=[], metavar="PATH", help=PLUGIN_HELP)
    f.set_defaults(func=run_fetch)

    i = actions.add_parser("import", help="verify a folder you already have and copy it into the user cache")
    i.add_argument("dir", help="a dataset folder, or a folder holding dataset folders")
    i.add_argument("--name", action="append", help="only this dataset (repeatable)")
    i.add_argument("--link", action="store_true", help="hard-link (or symlink) instead of copying")
    i.add_argument("--root", help="data root to import into (default: the user cache)")
    i.add_argument("--plugin", action="append", default=[], metavar="PATH", help=PLUGIN_HELP)
    i.set_defaults(func=run_import)

    ls = actions.add_parser("list", help="where each dataset is, what is missing, whether checksums hold")
    ls.add_argument("--data-dir", help="also look here first (as `score --data-dir`)")
    ls.add_argument("--quick", action="store_true", help="check sizes only, not sha256")
    ls.add_argument("--plugin", action="append", default=[], metavar="PATH", help=PLUGIN_HELP)
    ls.set_defaults(func=run_list)


def registry_with(plugin_folders):
    """The default registry, or, with plugin folders given on the command line, a registry that also
    holds their plugins (the default one is left as it is)."""
    from ..registry import Registry, default_registry

    if not plugin_folders:
        return default_registry()
    registry = Registry().discover()
    for folder in plugin_folders:
        registry.add_folder(folder)
    return registry


def run_fetch(args) -> int:
    from ..manifest import manifests

    _check_root(args.root)
    registry = registry_with(args.plugin)
    names = list(manifests(registry)) if args.names == ["all"] else args.names
    for name in names:
        fetching.manifest_of(name, registry)  # unknown names fail before any download
    for name in names:
        fetching.fetch(name, root=args.root, mirror=args.mirror, timeout=args.timeout, registry=registry)
    return 0


def _check_root(root) -> None:
    from pathlib import Path

    from ..errors import BrainbenchError

    if root is not None and Path(root).expanduser().exists() and not Path(root).expanduser().is_dir():
        raise BrainbenchError(f"--root {root} is a file, not a folder. Fix: give the data root folder to put the dataset folders in")


def run_import(args) -> int:
    _check_root(args.root)
    fetching.import_dir(args.dir, names=args.name, root=args.root, link=args.link, registry=registry_with(args.plugin))
    return 0


def _module_statuses(listed: set[str]):
    """Built-in dataset modules without a manifest (user-supplied recordings) report through their
    ``data_status()``, registered or not (allen_2p registers only where its NWB files are)."""
    try:
        package = importlib.import_module("brainbench.datasets")
    except ImportError:
        return []
    rows = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        try:
            module = importlib.import_module(f"brainbench.datasets.{info.name}")
            report = getattr(module, "data_status", None)
            if report is not None:
                rows += [row for row in report() if row[0] not in listed]
        except Exception as exc:  # one broken plugin must not hide the others
            rows.append((info.name, "error", "", f"status check failed: {exc}"))
    return rows


def run_list(args) -> int:
    """Exit status 1 if a dataset that is present has missing or corrupt files (or a plugin reports an error)."""
    from ..manifest import manifests

    registry = registry_with(args.plugin)
    print("data roots searched, in order:")
    for where, root in data_search_path(args.data_dir):
        print(f"  {where}: {root}" + ("" if root.is_dir() else "  (absent)"))
    rows = [("dataset", "status", "files", "where", "details")]
    pinned = manifests(registry)
    for name, src in pinned.items():
        st = fetching.status(name, args.data_dir, verify=not args.quick, registry=registry)
        have = st.n_files - len(st.missing)
        rows.append((name, st.state, f"{have}/{st.n_files}", f"{st.where} [{st.origin}]" if st.where else "-", _detail(name, src, st)))
    module_rows = _module_statuses(set(pinned))
    reported = set(pinned) | {row[0] for row in module_rows}
    for name, plugin in registry.datasets.items():
        if name not in reported:
            rows.append((name, "unpinned", "-", "-", f"no manifest: data supplied by the user, not fetched or verified ({plugin.source})"))
    for name, state, where, detail in module_rows:
        rows.append((name, state, "-", where or "-", detail))
    for failure in registry.failures:
        if failure.kind in ("dataset", "folder"):
            rows.append((failure.source, "error", "-", "-", plugin_failure_detail(failure)))
    from ..table import format_table

    print(format_table(rows))
    problems = [row[0] for row in rows[1:] if row[1] in PROBLEM_STATES]
    if problems:
        print(f"problem with {', '.join(problems)}: see the details above for the fix")
        return 1
    return 0


#: states that make ``data list`` exit non-zero (a dataset that is simply absent is not a problem)
PROBLEM_STATES = ("corrupt", "incomplete", "error")


def plugin_failure_detail(failure) -> str:
    """A plugin that failed to load, on one line: what the registry recorded and what to do."""
    what = " ".join(failure.error.split())
    fix = (f"correct the plugin (`brainbench check {failure.source}` checks it), or leave it out" if failure.kind == "folder"
           else f"correct or uninstall the plugin {failure.source}")
    return f"plugin failed to load: {what}. Fix: {fix}"



def _detail(name, src, st) -> str:
    if st.problem:
        return st.problem
    if st.state == "missing":
        if any(spec.url is None for spec in src.files):  # no public host: mirror, import or rebuild
            detail = f"get: brainbench data fetch {name} --mirror URL, or data import DIR, or rebuild (docs/data.md)"
        else:
            detail = f"fetch: brainbench data fetch {name} ({human_size(src.total_bytes)})"
        if st.partial_bytes:
            detail += f"; {human_size(st.partial_bytes)} already downloaded (resumes)"
        return detail
    if st.missing or st.bad:
        return "; ".join(_file_parts(st)) + f"; fix: {_repair_advice(name, st)}"
    return "sha256 ok" if st.verified else "sizes ok (sha256 not checked: --quick)"


def _file_parts(st) -> list[str]:
    """The files that are not right, in words: missing ones, ones that are something else, wrong ones."""
    absent = [path for path in st.missing if path not in st.why]
    parts = [f"missing {', '.join(absent[:3])}{' ...' if len(absent) > 3 else ''}"] if absent else []
    parts += [f"{path} {reason}" for path, reason in list(st.why.items())[:3]]
    if st.bad:
        parts.append(f"checksum FAILED {', '.join(st.bad[:3])}{' ...' if len(st.bad) > 3 else ''}")
    return parts


def _repair_advice(name, st) -> str:
    """A copy outside the user cache is searched first: a fetch into the cache would not replace it."""
    if st.origin == "user cache":
        return f"brainbench data fetch {name}"
    root = st.where.parent
    return (f"repair or remove the copy in {st.origin} {root} (it is searched before the user cache, where a plain "
            f"`brainbench data fetch {name}` puts it), or fetch into it: brainbench data fetch {name} --root {root}")
