"""``brainbench cache info|clear``."""
from __future__ import annotations

import errno

from ..store import KINDS, Store, cache_write_error, human_size


def register(sub) -> None:
    p = sub.add_parser("cache", help="inspect or clear the activation and score cache",
                       description="Inspect or clear the cache's entries: " + ", ".join(KINDS) + ". Downloaded data and weights under the "
                                   "same root, and any other folder there, are never counted or deleted.")
    p.add_argument("action", choices=["info", "clear"])
    p.add_argument("--kind", choices=KINDS, help="only this kind of entry")
    p.add_argument("--orphans", action="store_true", help="with clear: remove only temporary files left by writers that are gone (their process ended; from another host: older than a day); safe while other runs use the cache")
    p.add_argument("--cache-dir", help="cache root (default: $BRAINBENCH_CACHE or ~/.cache/brainbench)")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..errors import BrainbenchError

    store = Store(args.cache_dir) if args.cache_dir else Store()
    if args.orphans and args.action != "clear":
        raise BrainbenchError("--orphans applies to `cache clear` only. Fix: `brainbench cache clear --orphans`")
    if store.root.exists() and not store.root.is_dir():  # the store's own words for it (cache info must not create the folder)
        raise cache_write_error(store.root, NotADirectoryError(errno.ENOTDIR, "not a folder"))
    if args.cache_dir and not store.root.exists():  # a mistyped --cache-dir is said, never 'freed 0 B'
        raise BrainbenchError(f"--cache-dir {store.root} does not exist. Fix: give the folder a run used (default: $BRAINBENCH_CACHE or ~/.cache/brainbench)")
    if args.action == "info":
        print(f"cache root: {store.root}")
        info = store.info()
        if not info:
            print("  (empty)")
        for kind, s in info.items():
            if args.kind and kind != args.kind:
                continue
            print(f"  {kind}: {s['entries']} entries, {human_size(s['bytes'])}, {s['orphan_temp_files']} temporary files")
    else:
        cleared = store.clear(args.kind, orphans_only=args.orphans)  # CacheError (exit 2) if files could not be removed
        files = f"{cleared.files} {'temporary ' if args.orphans else ''}file{'' if cleared.files == 1 else 's'}"
        print(f"freed {human_size(cleared.bytes)} ({files}) from {store.root}")
    return 0
