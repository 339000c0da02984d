"""Where brainbench looks for data and keeps its caches.

Data are looked for, in order: an explicit ``--data-dir``; ``$BRAINBENCH_DATA``; a ``shared/data``
folder beside the source checkout (``<checkout>/../shared/data``); the user cache
(``$XDG_CACHE_HOME/brainbench/data`` or ``~/.cache/brainbench/data``). The first folder that holds the
dataset's sub-folder wins.
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def checkout_root() -> Path | None:
    """The source checkout this package runs from (editable install), or None for a wheel install."""
    root = PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() and (root / "brainbench").is_dir() else None


def cache_root() -> Path:
    """Root of brainbench's caches (activations, scores, downloaded data). ``$BRAINBENCH_CACHE`` wins."""
    if os.environ.get("BRAINBENCH_CACHE"):
        return Path(os.environ["BRAINBENCH_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "brainbench"


def user_data_dir() -> Path:
    return cache_root() / "data"


def check_weights_dir(weights_dir: str | os.PathLike | None) -> Path | None:
    """An explicit weights folder must exist: never silently fall back to other weights."""
    from .errors import WeightsUnavailableError

    return _explicit_folder(weights_dir, "weights", "--weights-dir", WeightsUnavailableError,
                            "Fix: give the folder that holds the weights files, or leave --weights-dir out")


def check_data_dir(data_dir: str | os.PathLike | None) -> Path | None:
    """An explicit data folder must exist: never silently fall back to other data."""
    from .errors import DataNotFoundError

    return _explicit_folder(data_dir, "data", "--data-dir", DataNotFoundError,
                            "Fix: give the folder that holds the dataset folders (or a dataset folder itself), or leave "
                            "--data-dir out to search $BRAINBENCH_DATA, ../shared/data and the user cache.")


def folder_problem(path: Path) -> str | None:
    """Why ``path`` is not a folder ("is a file, not a folder" / "does not exist"), or None if it is one."""
    if path.is_dir():
        return None
    return "is a file, not a folder" if path.exists() else "does not exist"


def _explicit_folder(given, noun: str, option: str, error, fix: str) -> Path | None:
    """``given`` as a path (None if not given); ``error`` naming it and the fix if it is not a folder."""
    if given is None:
        return None
    path = Path(given).expanduser()
    problem = folder_problem(path)
    if problem:
        raise error(f"{noun} folder not found: {option} {path} {problem}. {fix}")
    return path


def data_search_path(data_dir: str | os.PathLike | None = None) -> list[tuple[str, Path]]:
    """The candidate data roots, in priority order, each with where it came from. An explicit
    ``data_dir`` that does not exist is an error (DataNotFoundError), not a root to skip."""
    candidates: list[tuple[str, Path]] = []
    if data_dir is not None:
        candidates.append(("--data-dir", check_data_dir(data_dir)))
    if os.environ.get("BRAINBENCH_DATA"):
        candidates.append(("$BRAINBENCH_DATA", Path(os.environ["BRAINBENCH_DATA"]).expanduser()))
    root = checkout_root()
    if root is not None:
        candidates.append(("shared/data beside the checkout", root.parent / "shared" / "data"))
    candidates.append(("user cache", user_data_dir()))
    return candidates


def explicit_entry_problem(folder_name: str, data_dir) -> str | None:
    """Why ``<data_dir>/<folder_name>`` of an explicit ``--data-dir`` is there but not a dataset folder (a
    file, a broken link), or None. Such an entry is never skipped for another copy further down the path."""
    if data_dir is None:
        return None
    explicit = Path(data_dir).expanduser()
    entry = explicit / folder_name
    if (explicit.name == folder_name and explicit.is_dir()) or entry.is_dir() or not (entry.exists() or entry.is_symlink()):
        return None
    what = "is a broken or looping link" if entry.is_symlink() else "is a file"
    return f"{entry} {what}, not a dataset folder (--data-dir is searched first: no other copy is used)"


def find_dataset_dir(folder_name: str, data_dir: str | os.PathLike | None = None) -> Path | None:
    """The first ``<root>/<folder_name>`` that exists along the search path, else None.

    An explicit ``data_dir`` may also point at the dataset folder itself.
    """
    if data_dir is not None:
        explicit = Path(data_dir).expanduser()
        if explicit.name == folder_name and explicit.is_dir():
            return explicit
        problem = explicit_entry_problem(folder_name, data_dir)
        if problem:
            from .errors import DataNotFoundError

            raise DataNotFoundError(f"{problem}. Fix: remove or rename it and put the dataset folder there, or leave --data-dir out")
    for _, root in data_search_path(data_dir):
        if (root / folder_name).is_dir():
            return root / folder_name
    return None
