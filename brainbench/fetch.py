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
from .errors import CacheError, DataNotFoundError
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
def _offline_help(url: str, target: Path, source_: Manifest, retry: str | None = None, mirror: str | None = None) -> str:
    other = "or leave --mirror and $" + MIRROR_ENV + " out to use the original sources" if mirror else f"or point ${MIRROR_ENV} at a mirror"
    return (
        f"Fix: check the network (or a proxy: $https_proxy), then run `{retry or f'brainbench data fetch {source_.name}'}` again "
        f"(finished files are kept and partial ones resume); or download {url} yourself to {target} "
        f"(the checksum is verified on the next fetch); {other}; or, with a copy of "
        f"the dataset folder, `brainbench data import DIR`."
    )


def _wrong_file_help(mirror: str | None) -> str:
    """Why a complete download is not the pinned file, and the fix: a mirror in use is the likely cause."""
    if mirror:
        return (f"The mirror {mirror} is the likely cause: its copy is not the published file. Fix: repair or update the "
                f"mirror's copy, or leave --mirror and ${MIRROR_ENV} out to download from the original sources, or "
                f"`brainbench data import DIR` with a copy you have.")
    return (f"The source changed or the download was corrupted. Fix: retry, or use a mirror (${MIRROR_ENV}) or "
            f"`brainbench data import DIR`.")


def download(url: str, target: Path, expected_sha256: str | None = None, expected_size: int | None = None,
             timeout: float = 60.0, source_: Manifest | None = None, log: Callable[[str], None] | None = None,
             retry: str | None = None, mirror: str | None = None) -> Path:
    """Download ``url`` to ``target`` through ``target.part``, resuming a partial file with HTTP Range.

    The file is renamed to ``target`` only after its size and sha256 (if given) match; a mismatching file
    is deleted, so a retry starts clean. A dropped connection leaves the ``.part`` for the next call.
    ``mirror``: the mirror ``url`` is on, named in messages as the likely cause of a wrong file.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    offset = part.stat().st_size if part.exists() else 0
    if expected_size is not None and offset > expected_size:
        part.unlink()
        offset = 0
    help_text = _offline_help(url, target, source_, retry, mirror) if source_ else f"Fix: check the network and retry, or download {url} to {target} yourself."
    if not (expected_size is not None and offset == expected_size):
        response = _open(url, offset, timeout, help_text, mirror)
        if response is not None:
            with response:
                _receive(response, url, part, offset, expected_size, help_text, mirror)
    if expected_sha256 is not None:
        _verify(part, url, expected_sha256, mirror)
    publish(part, target)  # fsync'ed, the umask's permissions, one rename
    if log:
        log(f"  got {target.name} ({target.stat().st_size} bytes)")
    return target


def _open(url: str, offset: int, timeout: float, help_text: str, mirror: str | None = None):
    """The response for the bytes from ``offset`` on; None when the ``.part`` already holds the whole file."""
    headers = {"User-Agent": USER_AGENT}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:  # the .part already holds the whole file
            return None
        raise FetchError(_http_error_message(url, exc.code, exc.reason, mirror, help_text)) from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        maybe = f"the mirror {mirror} is down or its address is wrong, or you may be offline" if mirror else "you may be offline"
        raise FetchError(f"cannot reach {url} ({reason}); {maybe}. {help_text}") from exc


def _http_error_message(url: str, code: int, reason, mirror: str | None, help_text: str) -> str:
    """The server answered, with an error status: the network is fine, the file is not there (or not served)."""
    who = f"the mirror {mirror}" if mirror else "the server"
    what = f"{who} answered HTTP {code} ({reason}) for {url}"
    if code in (404, 410) and mirror:
        return (f"{what}: it does not hold this file. Fix: check the mirror's address (it must serve <folder>/<file>, "
                f"as {url}) and that it holds the dataset; or leave --mirror and ${MIRROR_ENV} out to download from "
                f"the original sources; or `brainbench data import DIR` with a copy you have.")
    if code in (404, 410):
        return (f"{what}: the pinned source no longer serves this file. Fix: point ${MIRROR_ENV} at a mirror that "
                f"holds it, or `brainbench data import DIR` with a copy you have.")
    return f"{what}: it is reachable but did not serve the file (a passing failure, or access refused). {help_text}"


def _receive(response, url: str, part: Path, offset: int, expected_size: int | None, help_text: str,
             mirror: str | None = None) -> None:
    """Append the body to ``part`` (from the start if the server ignored Range); a body cut short of the
    pinned size (or, without one, of the server's Content-Length) is an error that keeps ``part``; a
    whole file of another size than the pinned one is deleted and reported with both sizes."""
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
    if expected_size is not None and received != expected_size and (received > expected_size or received == announced):
        part.unlink()
        raise ChecksumError(f"{url} is {_size(received)} where {_size(expected_size)} is pinned: not the published file. "
                            f"The file was deleted (nothing was marked complete). {_wrong_file_help(mirror)}")
    wanted = expected_size if expected_size is not None else announced
    if wanted is not None and received < wanted:
        raise FetchError(
            f"download of {url} stopped after {received} of {wanted} bytes; the partial file "
            f"{part} is kept: run the same command again to resume. {help_text}"
        )


def _size(n: int) -> str:
    return f"{human_size(n)} ({n} bytes)"


def _verify(part: Path, url: str, expected_sha256: str, mirror: str | None = None) -> None:
    actual = sha256_file(part)
    if actual != expected_sha256:
        part.unlink()
        raise ChecksumError(
            f"checksum mismatch for {url}: sha256 {actual} but the pinned sha256 is {expected_sha256}. "
            f"The file was deleted (nothing was marked complete). {_wrong_file_help(mirror)}"
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


def _make_staging(root: Path, folder: str, fresh: bool = False) -> Path:
    """The staging folder of ``folder`` under ``root``, created (emptied first with ``fresh``); a root
    that cannot be written is a CacheError naming it and the OS error."""
    staging = _staging_dir(root, folder)
    if fresh:
        shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise unwritable_root(root, exc) from exc
    return staging


def unwritable_root(root: Path, exc: OSError) -> CacheError:
    why = f"{exc.strerror}: {exc.filename}" if exc.strerror and exc.filename else str(exc)
    return CacheError(f"cannot create/write the data root {root} ({why}). Fix: give a --root folder you can write")


def _tidy_incoming(root: Path) -> None:
    """Remove the staging area ``<root>/.incoming`` once nothing waits in it."""
    try:
        (root / ".incoming").rmdir()
    except OSError:  # absent, or partial downloads of other datasets are in it
        pass


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
            shutil.copyfile(have, want)  # contents only: the umask's permissions, not the old file's


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
    staging = _make_staging(root, src.folder)
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
            download(mirror_url(mirror, src, spec), target, spec.sha256, spec.size, timeout, src, log, retry, mirror)
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
    _tidy_incoming(root)
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
    by_name = {src.name: src for src in chosen}
    return {name: _import_one(by_name[name], folder, root, link, log) for name, folder in found.items()}


def why_not_a_file(path: Path) -> str:
    """"" for a regular file (or a link to one); else what ``path`` is instead, in words."""
    if path.is_file():
        return ""
    if path.is_dir():
        return "is a folder, not a file"
    if path.is_symlink():
        return "is a broken or looping link"
    return "is not a regular file" if path.exists() else "missing"


def _file_problems(folder: Path, src: Manifest) -> list[str]:
    """What keeps ``folder`` from being the published dataset, in words (empty when it is)."""
    why = {spec.path: why_not_a_file(folder / spec.path) for spec in src.files}
    missing = [path for path, reason in why.items() if reason == "missing"]
    odd = [f"{path} {reason}" for path, reason in why.items() if reason and reason != "missing"]
    wrong = [spec.path for spec in src.files if not why[spec.path] and not _file_ok(folder / spec.path, spec)]
    parts = [f"{len(missing)} missing (e.g. {', '.join(missing[:3])})"] if missing else []
    parts += odd[:3]
    if wrong:
        parts.append(f"{len(wrong)} with a wrong size or sha256 (e.g. {', '.join(wrong[:3])})")
    return parts


def _import_one(src: Manifest, folder: Path, root: Path, link: bool, log) -> Path:
    """Verify ``folder`` against ``src`` and place it as ``<root>/<src.folder>``; returns that folder."""
    problems = _file_problems(folder, src)
    if problems:
        raise ChecksumError(f"{folder} is not the published {src.name} dataset: {'; '.join(problems)}. Nothing was imported. "
                            f"Fix: replace those files in {folder} with the published ones, or get the dataset with "
                            f"`brainbench data fetch {src.name}`.")
    final = root / src.folder
    if final.resolve() == folder.resolve():
        if log:
            log(f"{src.name}: {folder} is already the dataset folder under the data root {root}; its {len(src.files)} files "
                f"are verified: nothing to import")
        return final
    if root.resolve().is_relative_to(folder.resolve()):
        raise DataNotFoundError(f"--root {root} is inside the dataset folder {folder} being imported: the copy would be nested in "
                                f"itself. Fix: give --root the folder that holds dataset folders (e.g. {folder.parent}), or leave "
                                f"--root out to import into the user cache")
    staging = _make_staging(root, src.folder, fresh=True)
    try:
        _place_files(src, folder, staging, link)
    except OSError as exc:
        raise unwritable_root(root, exc) from exc
    _promote(staging, final)
    _tidy_incoming(root)
    if log:
        log(f"{src.name}: imported {len(src.files)} verified files from {folder} into {final}" + (" (linked)" if link else ""))
    return final


def _place_files(src: Manifest, folder: Path, staging: Path, link: bool) -> None:
    """Copy (contents only, with the umask's permissions) or link every file of ``src`` into ``staging``."""
    for spec in src.files:
        target = staging / spec.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if not link:
            shutil.copyfile(folder / spec.path, target)
            continue
        try:
            os.link(folder / spec.path, target)
        except OSError:  # another file system: fall back to a symlink
            os.symlink(folder / spec.path, target)


# -- status ------------------------------------------------------------------------------------------
@dataclass
class Status:
    name: str
    folder: str
    where: Path | None = None  # the folder the loaders would use
    origin: str = ""  # which data root it came from
    n_files: int = 0
    missing: list[str] = field(default_factory=list)  # not a regular file (absent, a folder, a broken link)
    bad: list[str] = field(default_factory=list)
    verified: bool = False
    partial_bytes: int = 0  # bytes waiting in the staging folder of the user cache
    why: dict[str, str] = field(default_factory=dict)  # missing path -> what it is instead, when it is there
    problem: str = ""  # the dataset folder itself cannot be used (e.g. a file in --data-dir)

    @property
    def state(self) -> str:
        if self.problem:
            return "error"
        if self.where is None:
            return "missing"
        if self.missing or self.bad:
            return "incomplete" if not self.bad else "corrupt"
        return "ok" if self.verified else "present"


def _locate(st: Status, data_dir) -> None:
    """Set where the loaders would find the dataset. An explicit ``data_dir`` may be the dataset folder
    itself; an entry of that name in it that is not a folder is a problem, never skipped for other data."""
    from .manifest import explicit_entry_problem

    explicit = Path(data_dir).expanduser() if data_dir is not None else None
    if explicit is not None and explicit.name == st.folder and explicit.is_dir():
        st.where, st.origin = explicit, "--data-dir"
        return
    st.problem = explicit_entry_problem(st.name, st.folder, data_dir) or ""
    if st.problem:
        st.where, st.origin = explicit / st.folder, "--data-dir"
        return
    for where, root in data_search_path(data_dir):
        if (root / st.folder).is_dir():
            st.where, st.origin = root / st.folder, where
            return


def status(name: str, data_dir=None, verify: bool = True, registry=None) -> Status:
    """Where dataset ``name`` would be loaded from and whether its files match its manifest (sha256
    remembered per file identity, so an unchanged folder is not hashed again)."""
    from .integrity import folder_digests

    src = manifest_of(name, registry)
    st = Status(name=name, folder=src.folder, n_files=len(src.files))
    _locate(st, data_dir)
    staging = _staging_dir(user_data_dir(), src.folder)
    if staging.is_dir():
        st.partial_bytes = sum(p.stat().st_size for p in staging.rglob("*") if p.is_file())
    if st.where is None or st.problem:
        st.missing = [spec.path for spec in src.files]
        return st
    why = {spec.path: why_not_a_file(st.where / spec.path) for spec in src.files}
    st.missing = [path for path, reason in why.items() if reason]
    st.why = {path: reason for path, reason in why.items() if reason and reason != "missing"}
    sized = [spec for spec in src.files if spec.path not in st.missing and (st.where / spec.path).stat().st_size == spec.size]
    digests = folder_digests(st.where, [spec.path for spec in sized]) if verify else {}
    st.bad = [
        spec.path for spec in src.files
        if spec.path not in st.missing and (spec not in sized or (verify and digests.get(spec.path) != spec.sha256))
    ]
    st.verified = verify
    return st
