"""Data verified before scoring: every file a benchmark reads is checked against its pinned sha256.

The pins are the dataset plugins' manifests (brainbench.manifest, ``DatasetPlugin.manifest``: responses,
metadata and every stimulus file), the same ones ``brainbench data fetch`` reads. A dataset may also
read files of another one (``Manifest.shares``: the 2-photon RDMs use the Neuropixels images), which
are checked too. Digests are remembered per file identity (device,
inode, size, mtime, ctime) in the cache (kind ``digests``, one entry per dataset folder), so a second
run stats the files and hashes nothing. A file that differs stops the run with its name and the fix,
unless the user says ``allow_modified=True`` (``--allow-modified-data``); the modified files are then
returned so that the result records them.

Datasets without a manifest (user-supplied recordings such as the Allen NWB files) have nothing to
check against; ``DataCheck.pinned`` is False for them.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CacheError, DataModifiedError, DataNotFoundError
from .paths import find_dataset_dir, user_data_dir
from .store import Store, file_identity, remember_digest, sha256_of

MEMO_KIND = "digests"


@dataclass
class DataCheck:
    dataset: str
    pinned: bool = False
    checked: int = 0
    modified: list[str] = field(default_factory=list)  # paths of files whose sha256 differs from the pin
    owners: list[str] = field(default_factory=list)  # the datasets those files belong to (what to re-fetch)
    digests: dict[str, str] = field(default_factory=dict)  # path -> sha256 of every checked file


def _memo_key(folder: Path) -> str:
    return hashlib.sha256(str(folder.resolve()).encode()).hexdigest()


def folder_digests(folder: Path, names: list[str], store: Store | None = None) -> dict[str, str]:
    """sha256 of ``folder/name`` for each name that exists, from the memo where the file is unchanged."""
    store = store or Store()
    key = _memo_key(folder)
    memo = store.get_json(MEMO_KIND, key) or {}
    digests, changed = {}, False
    for name in names:
        path = folder / name
        try:
            identity = list(file_identity(path))
        except OSError:
            continue  # missing: the loader names it
        known = memo.get(name)
        if known is not None and known[:-1] == identity:
            digests[name] = known[-1]
            remember_digest(path, known[-1], tuple(identity))
            continue
        digests[name] = sha256_of(path)
        memo[name] = identity + [digests[name]]
        changed = True
    if changed:
        try:
            store.put_json(MEMO_KIND, key, memo, {"folder": str(folder)})
        except CacheError:
            pass  # a read-only cache only costs the hashing next time
    return digests


def _pinned_files(name: str, data_dir, registry=None) -> list[tuple[str, Path, str, str]]:
    """(owning dataset, its folder, relative path, pinned sha256) of every file dataset ``name`` reads."""
    from .manifest import manifests

    known = manifests(registry)
    source = known.get(name)
    if source is None:
        return []
    files = []
    for other, prefix in ((name, ""), *source.shares):
        if other not in known:
            raise DataNotFoundError(f"{name} reads files of dataset {other!r} (its manifest's shares), which is not registered; "
                                    f"install or add that dataset plugin (known: {', '.join(sorted(known))})")
        src = known[other]
        folder = find_dataset_dir(src.folder, data_dir)
        if folder is not None:
            files += [(other, folder, spec.path, spec.sha256) for spec in src.files if spec.path.startswith(prefix)]
    return files


def verify_dataset(name: str, data_dir=None, allow_modified: bool = False, store: Store | None = None, registry=None) -> DataCheck:
    """Check every pinned file dataset ``name`` reads (its manifest, from ``registry``, default the
    default registry); raise DataModifiedError on a difference unless ``allow_modified``. Missing files
    are left to the loader, which names them."""
    check = DataCheck(dataset=name)
    files = _pinned_files(name, data_dir, registry)
    check.pinned = bool(files)
    by_folder: dict[tuple[str, Path], list[tuple[str, str]]] = {}
    for owner, folder, path, pin in files:
        by_folder.setdefault((owner, folder), []).append((path, pin))
    for (owner, folder), entries in by_folder.items():
        digests = folder_digests(folder, [path for path, _ in entries], store)
        for path, pin in entries:
            if path in digests:
                check.checked += 1
                check.digests[str(folder / path)] = digests[path]
                if digests[path] != pin:
                    check.modified.append(str(folder / path))
                    check.owners += [owner] if owner not in check.owners else []
    if check.modified and not allow_modified:
        roots = {folder.parent for _, folder in by_folder if any(Path(m).is_relative_to(folder) for m in check.modified)}
        raise DataModifiedError(modified_message(name, check.modified, check.owners, sorted(roots)))
    return check


def modified_message(name: str, modified: list[str], owners: list[str], roots: list[Path] = ()) -> str:
    """``roots``: the data roots holding the modified copies. A copy outside the user cache is searched
    before it, so the fix fetches into that root (a plain fetch would fill the cache and change nothing)."""
    shown = ", ".join(modified[:3]) + (f" and {len(modified) - 3} more" if len(modified) > 3 else "")
    elsewhere = [root for root in roots if Path(root) != user_data_dir()]
    where = f" --root {elsewhere[0]}" if len(elsewhere) == 1 else ""
    fetch = " and ".join(f"`brainbench data fetch {owner}{where}`" for owner in owners)
    return (
        f"{name}: {len(modified)} data file(s) differ from their pinned sha256 (edited, replaced or damaged): {shown}. "
        f"Scores on them would not be comparable with anyone's. Fix: restore the published files with {fetch} "
        "(or `brainbench data import DIR`), or pass --allow-modified-data to score them anyway (recorded in the result)."
    )
