"""The one way brainbench writes a file: whole or not at all, durable, with the user's permissions.

``atomic_file(path)`` yields a file object on a private temporary file in the target's folder; on a
clean exit it is flushed, fsync'ed, given the permissions the umask allows (``0o666 & ~umask``, as
``open()`` would; ``mkstemp`` alone gives 0600), renamed over ``path`` with ``os.replace`` and the
folder is fsync'ed so the rename survives a power cut. On any error, including KeyboardInterrupt, the
temporary file is removed and ``path`` is untouched. ``atomic_path`` is the same for writers that need
a path (a memory map, a library that opens the file itself).

Temporary files are named ``.tmp-<pid>-<host>-<token><suffix>`` (host: 8 hex digits of its name), so
``orphan_owner_alive`` can tell the leftovers of a killed process (its PID is gone on this host) from
the files of a writer still at work.

Standard library only: the packaging scripts load this file by path where brainbench is not installed.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import socket
from pathlib import Path

TMP_PREFIX = ".tmp-"
_HOST_ID = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]
_TEMP_NAME = re.compile(r"^\.tmp-(\d+)-([0-9a-f]{8})-")


def temp_name(suffix: str = "") -> str:
    return f"{TMP_PREFIX}{os.getpid()}-{_HOST_ID}-{secrets.token_hex(4)}{suffix}"


def orphan_owner_alive(name: str) -> bool | None:
    """Whether the process that created temporary file ``name`` still runs: True/False on this host,
    None when that cannot be known (another host, or a name from an older brainbench)."""
    match = _TEMP_NAME.match(name)
    if match is None or match.group(2) != _HOST_ID:
        return None
    try:
        os.kill(int(match.group(1)), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def current_umask() -> int:
    """The process umask, read without changing it (Linux /proc), else by the set-and-restore dance."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def fsync_dir(folder: str | os.PathLike) -> None:
    """Make renames in ``folder`` durable (a power cut after os.replace must not undo them)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def publish(tmp: Path, final: Path) -> None:
    """fsync ``tmp``, give it the umask's permissions, rename it over ``final``, fsync the folder."""
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.fchmod(fd, 0o666 & ~current_umask())
    finally:
        os.close(fd)
    os.replace(tmp, final)
    fsync_dir(final.parent)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str | None = None):
    """Yield a temporary path beside ``path``; on a clean exit it replaces ``path`` (see module doc)."""
    path = Path(path)
    tmp = path.with_name(temp_name(path.suffix if suffix is None else suffix))
    try:
        yield tmp
        publish(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike, mode: str = "wb", suffix: str | None = None):
    """Yield an open file (``mode`` "wb" or "w"); it becomes ``path`` on a clean exit, else vanishes."""
    with atomic_path(path, suffix) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
            yield f
            f.flush()


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    with atomic_file(path) as f:
        f.write(data)
    return Path(path)


def write_json(path: str | os.PathLike, document, indent: int | None = 1, **dump_options) -> Path:
    text = json.dumps(document, indent=indent, **{"default": str, **dump_options})
    return write_bytes(path, text.encode())
