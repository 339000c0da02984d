"""Stimulus sets: ordered stimulus ids, the files behind them, per-stimulus metadata, and a content hash.

The content hash (sha256 over ids and file bytes) is what caches are keyed by, so a changed image
never reuses activations computed for the old one. File digests are remembered per file identity, so
files already checked against their pins (brainbench.integrity) are not hashed twice.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from .errors import StimulusError
from .store import sha256_of


def sha256_file(path: str | Path) -> str:
    """sha256 of a file's bytes, remembered per file identity (inode, size, mtime, ctime) in this process."""
    return sha256_of(Path(path))


@dataclass
class StimulusSet:
    """An ordered set of stimuli of one modality ('vision' or 'audio').

    ``ids[i]`` is the stimulus whose file is ``paths[i]``; ``metadata`` holds per-stimulus columns
    (lists of the same length), e.g. a sound's category.
    """

    name: str
    modality: str
    ids: list[str]
    paths: list[Path]
    metadata: dict[str, list] = field(default_factory=dict)

    def __post_init__(self):
        self.paths = [Path(p) for p in self.paths]
        if len(self.ids) != len(self.paths):
            raise StimulusError(f"stimulus set {self.name!r}: {len(self.ids)} ids but {len(self.paths)} files")
        if len(set(self.ids)) != len(self.ids):
            raise StimulusError(f"stimulus set {self.name!r}: stimulus ids are not unique")
        for key, column in self.metadata.items():
            if len(column) != len(self.ids):
                raise StimulusError(f"stimulus set {self.name!r}: metadata {key!r} has {len(column)} values for {len(self.ids)} stimuli")
        missing = [str(p) for p in self.paths if not p.is_file()]
        if missing:
            raise StimulusError(
                f"stimulus set {self.name!r}: {len(missing)} stimulus file(s) missing, e.g. {missing[0]}"
            )

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def content_hash(self) -> str:
        h = hashlib.sha256()
        h.update(json.dumps([self.modality, list(self.ids)]).encode())
        for path in self.paths:
            h.update(bytes.fromhex(sha256_file(path)))
        return h.hexdigest()

    def subset(self, index) -> "StimulusSet":
        index = np.asarray(index)
        return StimulusSet(
            name=f"{self.name}[{len(index)}]",
            modality=self.modality,
            ids=[self.ids[i] for i in index],
            paths=[self.paths[i] for i in index],
            metadata={k: [v[i] for i in index] for k, v in self.metadata.items()},
        )


def load_image(path: Path):
    """Decode an image file to an RGB PIL image (grayscale is replicated to three channels)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.load()
            return image.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise StimulusError(f"cannot decode image {path}: {exc}. Replace or re-fetch the file.") from exc
