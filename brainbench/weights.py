"""Pinned pretrained-weights files: where brainbench looks for one, and how it gets it.

A :class:`WeightsFile` names one published file: the folder it lives in under a weights root, its
file name, sha256 and size, and the public URL it comes from. :func:`resolve` returns the first copy
found, in this order:

1. an explicit file (``--weights FILE``);
2. ``--weights-dir DIR`` (:func:`set_weights_dir`);
3. ``$BRAINBENCH_WEIGHTS``;
4. ``<checkout>/../shared/weights/<folder>`` beside the source checkout;
5. the user cache ``<cache root>/weights/<folder>`` (``$BRAINBENCH_CACHE`` moves it);

and otherwise downloads the pinned URL into the user cache with :func:`brainbench.fetch.download`
(through ``<file>.part``, resumed with HTTP Range after an interruption, renamed into place only once
its sha256 matches), unless ``$BRAINBENCH_OFFLINE`` is set. ``$BRAINBENCH_MIRROR`` replaces the URL
by ``<mirror>/<folder>/<file>``, as for the data. A directory given by option or variable may hold
the file itself or the ``<folder>`` that holds it.

The first copy found must have the pinned sha256; a copy that does not is refused (never skipped in
favour of another) before anything in it is read. Offline with no copy: WeightsUnavailableError
naming the URL, every place looked and where to put the file.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import WeightsChecksumError, WeightsUnavailableError
from . import paths

WEIGHTS_ENV = "BRAINBENCH_WEIGHTS"
OFFLINE_ENV = "BRAINBENCH_OFFLINE"
_weights_dir: Path | None = None  # --weights-dir, for this process


@dataclass(frozen=True)
class WeightsFile:
    folder: str  # folder under a weights root, e.g. "bakhtiari2021_ventral_dorsal"
    name: str  # file name, e.g. "cpc_p2.pth.tar"
    sha256: str
    size: int
    url: str  # the pinned public source


def set_weights_dir(path: str | os.PathLike | None) -> None:
    """``--weights-dir``: a folder searched before ``$BRAINBENCH_WEIGHTS`` (None: no such folder)."""
    global _weights_dir
    _weights_dir = Path(path).expanduser() if path else None


def weights_dir() -> Path | None:
    return _weights_dir


def offline() -> bool:
    return os.environ.get(OFFLINE_ENV, "").lower() in ("1", "true", "yes")


def user_weights_dir() -> Path:
    return paths.cache_root() / "weights"


def places(spec: WeightsFile) -> list[tuple[str, Path]]:
    """Every path where a copy of ``spec`` is looked for, in priority order, each with its origin."""
    found: list[tuple[str, Path]] = []
    for origin, root in _roots():
        found.append((origin, root / spec.folder / spec.name))
        if origin in ("--weights-dir", f"${WEIGHTS_ENV}"):
            found.append((origin, root / spec.name))
    return found


def _roots() -> list[tuple[str, Path]]:
    roots = []
    if _weights_dir is not None:
        roots.append(("--weights-dir", _weights_dir))
    if os.environ.get(WEIGHTS_ENV):
        roots.append((f"${WEIGHTS_ENV}", Path(os.environ[WEIGHTS_ENV]).expanduser()))
    root = paths.checkout_root()
    if root is not None:
        roots.append(("shared/weights beside the checkout", root.parent / "shared" / "weights"))
    roots.append(("user cache", user_weights_dir()))
    return roots


def cached_path(spec: WeightsFile) -> Path:
    """Where a download of ``spec`` lands."""
    return user_weights_dir() / spec.folder / spec.name


def source_url(spec: WeightsFile) -> str:
    mirror = os.environ.get("BRAINBENCH_MIRROR")
    return f"{mirror.rstrip('/')}/{spec.folder}/{spec.name}" if mirror else spec.url


def find(spec: WeightsFile) -> tuple[str, Path] | None:
    """The first existing copy along :func:`places` (not yet verified), or None."""
    return next(((origin, path) for origin, path in places(spec) if path.is_file()), None)


def status(spec: WeightsFile) -> tuple[bool, str]:
    """(is a copy on this machine, where it is or would be downloaded to); downloads nothing."""
    hit = find(spec)
    if hit is not None:
        return True, str(hit[1])
    return False, f"absent; downloaded on first use from {spec.url} to {cached_path(spec)}"


def verify(spec: WeightsFile, path: Path, origin: str) -> Path:
    """``path`` if its sha256 is the pinned one; else WeightsChecksumError (the file is not read further)."""
    from .stimuli import sha256_file

    actual = sha256_file(path)
    if actual != spec.sha256:
        raise WeightsChecksumError(
            f"weights file {path} (found via {origin}) has sha256 {actual}, but {spec.name} must have sha256 "
            f"{spec.sha256}: it is corrupt, truncated or a different file, and was refused before anything in "
            f"it was unpickled. Fix: delete it, or replace it with the published file from {spec.url}"
            + (" (or delete it and run again: brainbench downloads it)." if origin == "user cache" else ".")
        )
    return path


def resolve(spec: WeightsFile, explicit: str | os.PathLike | None = None) -> Path:
    """A verified local copy of ``spec``: explicit file, search path, else a download (see the module doc)."""
    if explicit is not None:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise WeightsUnavailableError(f"--weights {path}: no such file (expected {spec.name} from {spec.url})")
        return verify(spec, path, "--weights")
    hit = find(spec)
    if hit is not None:
        return verify(spec, hit[1], hit[0])
    if offline():
        raise _unavailable(spec, f"downloads are disabled by ${OFFLINE_ENV}")
    return _download(spec)


def _download(spec: WeightsFile) -> Path:
    from .fetch import FetchError, download

    url, target = source_url(spec), cached_path(spec)
    try:
        return download(url, target, expected_sha256=spec.sha256, expected_size=spec.size, log=None)
    except FetchError as exc:  # offline, HTTP error, interrupted (the .part is kept), wrong checksum
        raise _unavailable(spec, f"the download failed: {exc}") from exc


def _unavailable(spec: WeightsFile, reason: str) -> WeightsUnavailableError:
    looked = "\n".join(f"  {path}  ({origin})" for origin, path in places(spec))
    return WeightsUnavailableError(
        f"pretrained weights {spec.name} are not on this machine and were not downloaded ({reason}).\n"
        f"Looked in:\n{looked}\n"
        f"Fix: download\n  {spec.url}\n(sha256 {spec.sha256}) and put it at\n  {cached_path(spec)}\n"
        f"or in a folder given by --weights-dir or ${WEIGHTS_ENV} (or pass --weights FILE); or unset "
        f"${OFFLINE_ENV} where the network allows. brainbench never substitutes random weights."
    )
