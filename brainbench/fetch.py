"""Checksummed, resumable, atomic downloads of dataset files: the generic machinery behind
``brainbench data fetch|import|list``.

What to download is not here: every dataset plugin owns a manifest (brainbench.manifest; kept in its
folder: the files, their sha256 and size, the pinned URLs and the converters), found through the
registry, so built-in, entry-point and folder plugins are fetched alike.

- ``fetch(name)`` downloads into the user cache (:func:`brainbench.paths.user_data_dir`). Files land in
  a staging folder ``<cache>/.incoming/<folder>`` as ``<file>.part``; an interrupted download resumes
  with an HTTP ``Range`` request; a file whose sha256 differs is deleted and reported (URL, expected and
  actual digest); the dataset folder appears under its final name only when every file is verified,
  by one directory rename, so a loader never sees half a dataset. A file with a converter is built
  from its upstream files (downloaded once each, even when several outputs read them) and checked by
  the sha256 of the result.
- ``$BRAINBENCH_MIRROR`` (or ``mirror=``) replaces every URL by ``<mirror>/<folder>/<path>``: a mirror
  serves the brainbench files themselves (tests point it at a server on 127.0.0.1).
- ``import_dir(path)`` takes a folder the user already has, verifies every checksum and copies (or
  links) it into the cache the same way.
- ``status(name)`` says where a dataset is, what is missing and whether the checksums hold.

Writes go through brainbench.atomic (fsync'ed, one rename). Nothing here is imported by the scoring
path; it only writes where ``brainbench.paths`` looks.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import shlex
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .atomic import publish
from .errors import DataNotFoundError
from .paths import data_search_path, user_data_dir
from .stimuli import sha256_file
from .store import human_size

if TYPE_CHECKING:
    from .manifest import FileSpec, Manifest

MIRROR_ENV = "BRAINBENCH_MIRROR"
CHUNK = 1 << 16
USER_AGENT = "brainbench-fetch/1"


class FetchError(DataNotFoundError):
    """A download failed, was interrupted, or produced a file whose checksum is wrong.

    ``culprits``: downloaded upstream files found at fault; they are deleted so the next fetch gets
    them again (a retry must never trip over the same bad file).
    """

    def __init__(self, message: str, culprits: tuple[Path, ...] = ()):
        super().__init__(message)
        self.culprits = tuple(culprits)


class ChecksumError(FetchError):
    """A file's sha256 differs from the pinned one."""


def mirror_url(mirror: str, manifest: Manifest, spec: FileSpec) -> str:
    return f"{mirror.rstrip('/')}/{manifest.folder}/{spec.path}"


def manifest_of(name: str, registry=None) -> Manifest:
    """The manifest of dataset ``name`` (brainbench.manifest.manifest_of)."""
    from .manifest import manifest_of as lookup

    return lookup(name, registry)


# -- downloading -------------------------------------------------------------------------------------
def _offline_help(url: str, target: Path, source_: Manifest, retry: str | None = None) -> str:
    return (
        f"Fix: check the network (or a proxy: $https_proxy), then run `{retry or f'brainbench data fetch {source_.name}'}` again "
        f"(finished files are kept and partial ones resume); or download {url} yourself to {target} "
        f"(the checksum is verified on the next fetch); or point ${MIRROR_ENV} at a mirror; or, with a copy of "
        f"the dataset folder, `brainbench data import DIR`."
    )


def download(url: str, target: Path, expected_sha256: str | None = None, expected_size: int | None = None,
             timeout: float = 60.0, source_: Manifest | None = None, log: Callable[[str], None] | None = None,
             retry: str | None = None) -> Path:
    """Download ``url`` to ``target`` through ``target.part``, resuming a partial file with HTTP Range.

    The file is renamed to ``target`` only after its sha256 (if given) matches; a mismatching file is
    deleted, so a retry starts clean. A dropped connection leaves the ``.part`` for the next call.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    offset = part.stat().st_size if part.exists() else 0
    if expected_size is not None and offset > expected_size:
        part.unlink()
        offset = 0
    help_text = _offline_help(url, target, source_, retry) if source_ else f"Fix: check the network and retry, or download {url} to {target} yourself."
    if not (expected_size is not None and offset == expected_size):
        response = _open(url, offset, timeout, help_text)
        if response is not None:
            with response:
                _receive(response, url, part, offset, expected_size, help_text)
    if expected_sha256 is not None:
        _verify(part, url, expected_sha256)
    publish(part, target)  # fsync'ed, the umask's permissions, one rename
    if log:
        log(f"  got {target.name} ({target.stat().st_size} bytes)")
    return target


def _open(url: str, offset: int, timeout: float, help_text: str):
    """The response for the bytes from ``offset`` on; None when the ``.part`` already holds the whole file."""
    headers = {"User-Agent": USER_AGENT}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:  # the .part already holds the whole file
            return None
        raise FetchError(f"downloading {url} failed: HTTP {exc.code} {exc.reason}. {help_text}") from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"cannot reach {url} ({reason}); you may be offline. {help_text}") from exc


def _receive(response, url: str, part: Path, offset: int, expected_size: int | None, help_text: str) -> None:
    """Append the body to ``part`` (from the start if the server ignored Range); a body cut short of the
    pinned size (or, without one, of the server's Content-Length) is an error that keeps ``part``."""
    status = getattr(response, "status", 200)
    if offset and status != 206:  # the server ignored Range: start over
        offset = 0
    if status == 206:
        content_range = response.headers.get("Content-Range", "")
        if not content_range.startswith(f"bytes {offset}-"):
            raise FetchError(f"{url}: the server answered Range bytes={offset}- with {content_range!r}. {help_text}")
    received = offset
    length = response.headers.get("Content-Length")
    # without a pinned size, the server's Content-Length is what tells a cut-off body
    announced = offset + int(length) if length and length.isdigit() else None
    try:
        with open(part, "ab" if offset else "wb") as out:
            while block := response.read(CHUNK):
                out.write(block)
                received += len(block)
    except (OSError, urllib.error.URLError, http.client.HTTPException) as exc:
        raise FetchError(
            f"download of {url} was interrupted after {received} bytes ({exc}); "
            f"the partial file {part} is kept: run the same command again to resume. {help_text}"
        ) from exc
    wanted = expected_size if expected_size is not None else announced
    if wanted is not None and received < wanted:
        raise FetchError(
            f"download of {url} stopped after {received} of {wanted} bytes; the partial file "
            f"{part} is kept: run the same command again to resume. {help_text}"
        )


def _verify(part: Path, url: str, expected_sha256: str) -> None:
    actual = sha256_file(part)
    if actual != expected_sha256:
        part.unlink()
        raise ChecksumError(
            f"checksum mismatch for {url}: sha256 {actual} but the pinned sha256 is {expected_sha256}. "
            f"The file was deleted (nothing was marked complete). The source changed or the download was "
            f"corrupted; retry, or use a mirror (${MIRROR_ENV}) or `brainbench data import DIR`."
        )


def _upstream_name(url: str) -> str:
    """A local name for an upstream file: its base name, prefixed by a digest of the URL (names repeat)."""
    return f"{hashlib.sha256(url.encode()).hexdigest()[:10]}-{url.rsplit('/', 1)[1]}"


def _file_ok(path: Path, spec: FileSpec, verify: bool = True) -> bool:
    if not path.is_file() or path.stat().st_size != spec.size:
        return False
    return (not verify) or sha256_file(path) == spec.sha256


def _staging_dir(root: Path, folder: str) -> Path:
    return root / ".incoming" / folder


def _promote(staging: Path, final: Path) -> None:
    """Move a verified staging folder to its final name (one rename; the old folder, if any, is replaced,
    but files in it that the staging folder does not hold, such as a user's notes, are moved over first)."""
    if final.exists():
        _carry_other_files(final, staging)
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        os.replace(final, old)
        os.replace(staging, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, final)


def _carry_other_files(final: Path, staging: Path) -> None:
    """Move every file of ``final`` that ``staging`` lacks into it, at the same relative path."""
    for path in sorted(final.rglob("*")):
        target = staging / path.relative_to(final)
        if path.is_file() and not path.is_symlink() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)


def _reuse_existing(final: Path, staging: Path, src: Manifest) -> None:
    """Carry verified files of an existing (incomplete or stale) folder into the staging folder."""
    if not final.is_dir():
        return
    for spec in src.files:
        have, want = final / spec.path, staging / spec.path
        if not want.exists() and _file_ok(have, spec):
            want.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(have, want)


def fetch(name: str, root: str | os.PathLike | None = None, mirror: str | None = None, timeout: float = 60.0,
          log: Callable[[str], None] | None = print, registry=None) -> Path:
    """Download dataset ``name`` (its plugin's manifest) into ``root`` (default: the user cache);
    return its folder.

    Idempotent: verified files are skipped, partial ones resume. Raises FetchError naming the URL and
    the fix when a file cannot be had.
    """
    src = manifest_of(name, registry)
    # the command that resumes this fetch, as the user would type it (their --root and --mirror kept)
    retry = " ".join(["brainbench data fetch", name] + (["--root", shlex.quote(str(root))] if root is not None else [])
                     + (["--mirror", shlex.quote(mirror)] if mirror else []))
    root = Path(root).expanduser() if root is not None else user_data_dir()
    mirror = mirror if mirror is not None else os.environ.get(MIRROR_ENV) or None
    final = root / src.folder
    if final.is_dir() and all(_file_ok(final / spec.path, spec) for spec in src.files):
        if log:
            log(f"{name}: complete at {final} ({len(src.files)} files, checksums ok)")
        return final
    staging = _staging_dir(root, src.folder)
    staging.mkdir(parents=True, exist_ok=True)
    _reuse_existing(final, staging, src)
    todo = [spec for spec in src.files if not _file_ok(staging / spec.path, spec)]
    unavailable = [spec for spec in todo if not mirror and spec.url is None]
    if unavailable:
        raise FetchError(
            f"{name}: {len(unavailable)} of {len(src.files)} files (e.g. {unavailable[0].path}) have no public source that "
            f"serves them byte for byte. {src.rebuild}"
        )
    if log:
        where = f"mirror {mirror}" if mirror else src.origin
        log(f"{name}: fetching {len(todo)} of {len(src.files)} files ({human_size(sum(s.size for s in todo))}) from {where} into {final}")
    for number, spec in enumerate(todo, 1):
        target = staging / spec.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if log and len(todo) > 1:
            log(f"[{number}/{len(todo)}] {spec.path}")
        if mirror:
            download(mirror_url(mirror, src, spec), target, spec.sha256, spec.size, timeout, src, log, retry)
        elif spec.derive:
            upstreams = []
            for url in spec.upstream_urls:  # files shared by several outputs are downloaded once
                local = staging / ".upstream" / _upstream_name(url)
                if not local.exists():
                    download(url, local, None, None, timeout, src, log, retry)
                upstreams.append((url, local))
            try:
                spec.derive(upstreams, target, spec.sha256)
            except FetchError as exc:
                # do not keep upstream files that are unreadable or build the wrong bytes: the next fetch
                # downloads them again (all of them when the culprit is unknown)
                unknown = [local for _, local in upstreams] if isinstance(exc, ChecksumError) else []
                for path in exc.culprits or unknown:
                    path.unlink(missing_ok=True)
                raise
        else:
            download(spec.url, target, spec.sha256, spec.size, timeout, src, log, retry)
    shutil.rmtree(staging / ".upstream", ignore_errors=True)
    _promote(staging, final)
    if log:
        log(f"{name}: complete at {final} ({len(src.files)} files, checksums ok)")
    return final


# -- import ------------------------------------------------------------------------------------------
def _dataset_folder_in(path: Path, src: Manifest) -> Path | None:
    if (path / src.folder).is_dir():
        return path / src.folder
    if path.name == src.folder or any((path / spec.path).is_file() for spec in src.files[:1]):
        return path
    return None


def import_dir(path: str | os.PathLike, names: list[str] | None = None, root: str | os.PathLike | None = None,
               link: bool = False, log: Callable[[str], None] | None = print, registry=None) -> dict[str, Path]:
    """Verify and copy (or hard-link / symlink with ``link``) datasets found in ``path`` into the cache.

    ``path`` is a dataset folder or a folder holding dataset folders. Every file is checked against the
    manifest before anything is placed; a missing or mismatching file stops the import with its name.
    """
    from .manifest import manifests

    path = Path(path).expanduser().resolve()
    if not path.is_dir():
        raise DataNotFoundError(f"{path} is not a folder; give a dataset folder (e.g. .../nh2015_natural_sounds) or the folder holding it")
    root = Path(root).expanduser() if root is not None else user_data_dir()
    chosen = [manifest_of(n, registry) for n in names] if names else list(manifests(registry).values())
    found = {src.name: folder for src in chosen if (folder := _dataset_folder_in(path, src)) is not None}
    if not found:
        known = ", ".join(f"{s.folder}/ ({s.name})" for s in chosen)
        raise DataNotFoundError(f"no brainbench dataset found in {path}; expected one of: {known}")
    placed = {}
    by_name = {src.name: src for src in chosen}
    for name, folder in found.items():
        src = by_name[name]
        missing = [spec.path for spec in src.files if not (folder / spec.path).is_file()]
        wrong = [spec.path for spec in src.files if spec.path not in missing and not _file_ok(folder / spec.path, spec)]
        if missing or wrong:
            parts = []
            if missing:
                parts.append(f"{len(missing)} missing (e.g. {', '.join(missing[:3])})")
            if wrong:
                parts.append(f"{len(wrong)} with a wrong size or sha256 (e.g. {', '.join(wrong[:3])})")
            raise ChecksumError(f"{folder} is not the published {name} dataset: {'; '.join(parts)}. Nothing was imported.")
        final = root / src.folder
        if final.resolve() == folder.resolve():
            placed[name] = final
            continue
        staging = _staging_dir(root, src.folder)
        shutil.rmtree(staging, ignore_errors=True)
        for spec in src.files:
            target = staging / spec.path
            target.parent.mkdir(parents=True, exist_ok=True)
            if link:
                try:
                    os.link(folder / spec.path, target)
                except OSError:  # another file system: fall back to a symlink
                    os.symlink(folder / spec.path, target)
            else:
                shutil.copy2(folder / spec.path, target)
        _promote(staging, final)
        placed[name] = final
        if log:
            log(f"{name}: imported {len(src.files)} verified files from {folder} into {final}" + (" (linked)" if link else ""))
    return placed


# -- status ------------------------------------------------------------------------------------------
@dataclass
class Status:
    name: str
    folder: str
    where: Path | None = None  # the folder the loaders would use
    origin: str = ""  # which data root it came from
    n_files: int = 0
    missing: list[str] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)
    verified: bool = False
    partial_bytes: int = 0  # bytes waiting in the staging folder of the user cache

    @property
    def state(self) -> str:
        if self.where is None:
            return "missing"
        if self.missing or self.bad:
            return "incomplete" if not self.bad else "corrupt"
        return "ok" if self.verified else "present"


def status(name: str, data_dir=None, verify: bool = True, registry=None) -> Status:
    """Where dataset ``name`` would be loaded from and whether its files match its manifest (sha256
    remembered per file identity, so an unchanged folder is not hashed again)."""
    from .integrity import folder_digests

    src = manifest_of(name, registry)
    st = Status(name=name, folder=src.folder, n_files=len(src.files))
    for where, root in data_search_path(data_dir):
        folder = root / src.folder
        if folder.is_dir():
            st.where, st.origin = folder, where
            break
    staging = _staging_dir(user_data_dir(), src.folder)
    if staging.is_dir():
        st.partial_bytes = sum(p.stat().st_size for p in staging.rglob("*") if p.is_file())
    if st.where is None:
        st.missing = [spec.path for spec in src.files]
        return st
    st.missing = [spec.path for spec in src.files if not (st.where / spec.path).is_file()]
    sized = [spec for spec in src.files if spec.path not in st.missing and (st.where / spec.path).stat().st_size == spec.size]
    digests = folder_digests(st.where, [spec.path for spec in sized]) if verify else {}
    st.bad = [
        spec.path for spec in src.files
        if spec.path not in st.missing and (spec not in sized or (verify and digests.get(spec.path) != spec.sha256))
    ]
    st.verified = verify
    return st
