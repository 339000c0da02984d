"""Allen Brain Observatory Visual Coding 2-photon, natural scenes: published population RDMs per area and layer.

The second recording method for mouse visual cortex (calcium imaging, other mice than the Neuropixels
data). Conwell et al. (2021) built, for each area and cortical layer, the 119 x 119 Pearson correlation
matrix of the population responses of reliable cells to the 118 natural scenes and the blank screen,
and its split-half noise ceiling. Regions are ``<AREA>_<layer>`` (e.g. ``VISp_layer23``). Only RSA
applies: there are no units or trials, only the matrices.

Index order: images 0..117 (Allen frame id), then 118 = the blank screen (the data README checked this
against the Neuropixels data). Models never see a blank screen here, so index 118 is dropped and the
RDMs are 118 x 118 over the Neuropixels stimulus images (same files, so activations are shared).
"""
from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from brainbench.datasets.allen_neuropixels import HIERARCHY, HIERARCHY_SOURCE, STREAMS, STREAMS_SOURCE
from brainbench.datasets.allen_neuropixels import MANIFEST as IMAGES_MANIFEST
from brainbench.errors import DataNotFoundError
from brainbench.registry import DatasetPlugin
from brainbench.stimuli import StimulusSet

if TYPE_CHECKING:
    from brainbench.benchmark import Dataset, Protocol

from .manifest import FOLDER as FOLDER, MANIFEST  # FOLDER re-exported  # the files, sha256, Conwell et al.'s repository, the converter

FILES = MANIFEST.pins
N_IMAGES = 118
BLANK_INDEX = 118  # last row/column: the blank (gray) screen
AREAS = ("VISp", "VISl", "VISal", "VISrl", "VISam", "VISpm")
REGIONS = (
    "VISp_layer23", "VISp_layer4", "VISp_layer5", "VISp_layer6",
    "VISl_layer23", "VISl_layer4", "VISl_layer5", "VISl_layer6",
    "VISal_layer23", "VISal_layer4", "VISal_layer5",
    "VISrl_layer23", "VISrl_layer4", "VISrl_layer5",
    "VISam_layer23", "VISam_layer4", "VISam_layer5",
    "VISpm_layer23", "VISpm_layer4", "VISpm_layer5", "VISpm_layer6",
)  # fmt: skip
HERE = Path(__file__).resolve().parent


def load(data_dir=None) -> Dataset:
    import xarray as xr
    
    from brainbench.benchmark import Dataset

    folder = MANIFEST.locate(data_dir)
    images_root = IMAGES_MANIFEST.find(data_dir)  # the stimuli: the Neuropixels images (shared)
    if images_root is None or not (images_root / "images").is_dir():
        raise DataNotFoundError(
            f"allen_2p_rdm: the natural-scene images it shares with allen_np are not found (folder {IMAGES_MANIFEST.folder!r}). "
            "Fix: `brainbench data fetch allen_np`, or point --data-dir / $BRAINBENCH_DATA at the folder that holds it."
        )
    checksums, warnings = MANIFEST.pinned_checksums(folder)

    ceilings = _read_ceilings(folder / "noise_ceiling.csv")
    try:
        archive = np.load(folder / "similarity.npz")
        matrices = {key: np.asarray(archive[key], dtype=np.float64) for key in REGIONS}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise DataNotFoundError(f"{folder / 'similarity.npz'} is corrupt or truncated ({exc}); re-fetch it") from exc
    except KeyError as exc:
        raise DataNotFoundError(f"{folder / 'similarity.npz'} lacks the matrix {exc}") from exc
    rdms = []
    for key in REGIONS:
        sim = matrices[key]
        if sim.shape != (N_IMAGES + 1, N_IMAGES + 1) or not np.allclose(sim, sim.T) or not np.allclose(np.diag(sim), 1):
            raise DataNotFoundError(f"{folder / 'similarity.npz'}[{key}]: expected a symmetric 119 x 119 correlation matrix with unit diagonal, got shape {sim.shape}")
        if key not in ceilings:
            raise DataNotFoundError(f"{folder / 'noise_ceiling.csv'} has no row for {key}")
        keep = np.delete(np.arange(N_IMAGES + 1), BLANK_INDEX)
        rdms.append(1.0 - sim[np.ix_(keep, keep)])
    stimulus_ids = [f"scene_{i:03d}" for i in range(N_IMAGES)]
    recording = xr.DataArray(
        np.stack(rdms),
        dims=("region", "stimulus", "stimulus_b"),
        coords={
            "region": list(REGIONS),
            "area": ("region", [r.split("_")[0] for r in REGIONS]),
            "cortical_layer": ("region", [r.split("_")[1] for r in REGIONS]),
            "reliability": ("region", [ceilings[r][0] for r in REGIONS]),
            "reliability_sem": ("region", [ceilings[r][1] for r in REGIONS]),
            "stimulus_id": ("stimulus", stimulus_ids),
        },
        attrs={"dataset": "allen_2p_rdm", "units": "1 - Pearson r (correlation distance)", "ceiling_source": "Conwell et al. 2021, rdms_noise_ceiling.csv"},
    )
    images = images_root / "images"
    stimuli = StimulusSet(name="allen_natural_scenes", modality="vision", ids=stimulus_ids, paths=[images / f"{sid}.png" for sid in stimulus_ids])
    return Dataset(name="allen_2p_rdm", recording=recording, stimuli=stimuli, checksums=checksums, card=CARD, warnings=warnings)


def _read_ceilings(path: Path) -> dict[str, tuple[float, float]]:
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        return {f"{row['area']}_{row['layer']}": (float(row["mean"]), float(row["sem"])) for row in rows}
    except (KeyError, ValueError, UnicodeDecodeError) as exc:
        raise DataNotFoundError(f"{path} is malformed ({exc}); expected columns area, layer, mean, sem") from exc


def protocol_for(metric: str | None) -> Protocol:
    from brainbench.benchmark import Protocol

    # RSA fits nothing: 2-fold over images; the layer is chosen on one half, scored on the other, both ways
    return Protocol(kind="kfold", n_splits=2, seed=0, selection="nested", inner_splits=1)


CARD = {
    "title": "Allen Brain Observatory Visual Coding 2-photon, natural scenes: population RDMs per area and layer",
    "species": "mouse (Mus musculus)",
    "method": "2-photon calcium imaging; Pearson correlation matrices of reliable cells' mean responses",
    "regions": list(REGIONS),
    "stimuli": "118 natural scenes (the blank screen in the published matrices is dropped)",
    "response": "1 - Pearson r between population response patterns (correlation distance)",
    "ceiling": "published split-half reliability of each RDM (Conwell et al. 2021); r-scale ceiling = its square root",
    "citation": "de Vries et al. 2020 Nat Neurosci 23:138; Conwell et al. 2021 NeurIPS",
    "bibtex": (HERE / "bibtex.bib").read_text(),
    "terms": "Allen Institute terms of use (non-commercial research, with citation)",
}

PLUGINS = [
    DatasetPlugin(
        name="allen_2p_rdm",
        modality="vision",
        recording_kind="rdm",
        regions=REGIONS,
        load=load,
        default_metric="rsa",
        card=CARD,
        protocol_for=protocol_for,
        versions={"rsa": "1"},
        # the published ceiling is the reliability of the Pearson r between half-data RDMs
        metric_options={"rsa": {"comparator": "pearson"}},
        benchmark_class="brainbench.benchmark:RDMBenchmark",  # imported when a benchmark is built
        hierarchy={region: HIERARCHY[region.split("_")[0]] for region in REGIONS},
        hierarchy_source=HIERARCHY_SOURCE + " (every cortical layer of an area takes the area's position)",
        region_groups={region: region.split("_")[0] for region in REGIONS},
        streams={region: STREAMS[region.split("_")[0]] for region in REGIONS if region.split("_")[0] in STREAMS},
        streams_source=STREAMS_SOURCE + " (every cortical layer of an area in the area's stream)",
        manifest=MANIFEST,
    )
]
