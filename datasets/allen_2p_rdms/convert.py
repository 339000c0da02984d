"""Converter of the allen_2p_rdm manifest: Conwell et al.'s ``rdms_reliable.pkl`` -> ``similarity.npz``."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from brainbench.converters import load_arrays_pickle, npz_bytes, write_verified
from brainbench.fetch import ChecksumError, FetchError

N_WITH_BLANK = 119


def convert_conwell_rdms(upstream: Path, target: Path, expected_sha256: str) -> None:
    """``rdms_reliable.pkl`` ({area: {layer: (119, 119) correlation matrix}}) -> ``similarity.npz``.

    Keys become ``<area>_<layer>`` in sorted order. The published file puts the blank screen last
    (index 118); if the upstream matrices put it first, it is moved. The result must hash to the
    pinned sha256, so no guess about the order can go unnoticed. The pickle is read by an unpickler
    that allows only numpy arrays in dicts (brainbench.converters.load_arrays_pickle).
    """
    nested = load_arrays_pickle(upstream)
    try:
        arrays = {f"{area}_{layer}": np.asarray(m, dtype=np.float64) for area in sorted(nested) for layer, m in sorted(nested[area].items())}
    except (AttributeError, TypeError, ValueError) as exc:
        raise FetchError(f"{upstream}: not the expected pickle of {{area: {{layer: matrix}}}} ({exc})", (Path(upstream),)) from exc
    candidates = [arrays]
    if all(m.shape == (N_WITH_BLANK, N_WITH_BLANK) for m in arrays.values()):
        order = np.r_[1:N_WITH_BLANK, 0]
        candidates.append({k: m[np.ix_(order, order)] for k, m in arrays.items()})
    for candidate in candidates:
        data = npz_bytes(candidate)
        try:
            write_verified(data, target, expected_sha256, str(upstream))
            return
        except ChecksumError:
            continue
    raise ChecksumError(
        f"{upstream} converts to a similarity.npz whose sha256 differs from the published "
        f"{expected_sha256[:16]}... (keys: {', '.join(list(arrays)[:3])}...). The upstream file changed or "
        "is not the one the published data were built from; use a mirror or `brainbench data import`."
    )


def conwell_rdms(upstreams: list[tuple[str, Path]], target: Path, expected_sha256: str) -> None:
    """The manifest's converter: the one upstream pickle -> similarity.npz."""
    convert_conwell_rdms(upstreams[0][1], target, expected_sha256)
