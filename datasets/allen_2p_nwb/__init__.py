"""Allen Brain Observatory Visual Coding 2-photon, natural scenes, read from the session-B NWB files.

Dataset ``allen_2p``: per-trial dF/F responses of every cell to the 118 natural scenes (recording
dims repetition x stimulus x neuroid; region = targeted area; subject = experiment container, i.e.
one mouse and field of view; per-cell depth, Cre line, Allen cell id). Reads every ``*.nwb`` in the
data folder ``allen_2p_nwb/`` (found like any brainbench data: --data-dir, $BRAINBENCH_DATA,
shared/data, user cache); the files come from the Allen Institute (``package_allensdk.py`` here
downloads them with allensdk's BrainObservatoryCache). The NWB layout and the allensdk source it
follows are documented in ``nwb.py``.

The plugin registers only where that folder exists, so machines without the (large) NWB files keep
their default benchmark list; ``brainbench data list`` reports it either way.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from brainbench.atomic import atomic_file
from brainbench.datasets.allen_neuropixels import HIERARCHY, HIERARCHY_SOURCE
from brainbench.errors import DataNotFoundError
from brainbench.paths import cache_root, data_search_path, find_dataset_dir
from brainbench.registry import DatasetPlugin
from brainbench.stimuli import StimulusSet

if TYPE_CHECKING:
    from brainbench.benchmark import Dataset, Protocol

from . import nwb

FOLDER = "allen_2p_nwb"
REGIONS = nwb.AREAS
HERE = Path(__file__).resolve().parent


def locate(data_dir=None) -> Path:
    folder = find_dataset_dir(FOLDER, data_dir)
    if folder is None or not any(folder.glob("*.nwb")):
        searched = "\n".join(f"  {where}: {root / FOLDER}" for where, root in data_search_path(data_dir))
        raise DataNotFoundError(
            f"no Allen 2-photon NWB files (*.nwb in a folder {FOLDER!r}) found in:\n{searched}\n"
            f"Fix: download the session-B files with datasets/allen_2p_nwb/package_allensdk.py (allensdk, own venv; "
            f"see docs/data.md) into <data root>/{FOLDER}/, or point --data-dir at such a folder."
        )
    return folder


def template_images(template: np.ndarray) -> list[Path]:
    """The template stack as PNG files, written once per distinct stack under the brainbench cache."""
    from PIL import Image

    digest = hashlib.sha256(np.ascontiguousarray(template).tobytes() + repr(template.shape).encode()).hexdigest()[:16]
    folder = cache_root() / "derived" / "allen_2p_templates" / digest
    paths = [folder / f"scene_{i:03d}.png" for i in range(len(template))]
    if not all(p.is_file() for p in paths):
        folder.mkdir(parents=True, exist_ok=True)
        for image, path in zip(template, paths):
            with atomic_file(path) as f:
                Image.fromarray(np.asarray(image, dtype=np.uint8), mode="L").save(f, format="PNG")
    return paths


def load(data_dir=None, window_s=(0.0, 0.5), baseline_s=0.0) -> Dataset:
    from brainbench.benchmark import Dataset
    from brainbench.recording import make_recording

    folder = locate(data_dir)
    blocks, coords, template, warnings, checksums = [], {k: [] for k in ("neuroid_id", "region", "subject", "cell_specimen_id", "depth_um", "cre_line", "experiment")}, None, [], {}
    for path in sorted(folder.glob("*.nwb")):
        try:
            session = nwb.read_session(path, load_template=template is None)
        except nwb.NotSessionB as exc:
            warnings.append(f"{exc}; skipped")
            continue
        except nwb.NWBLayoutError as exc:
            raise DataNotFoundError(str(exc)) from exc
        if session.session_type != "three_session_B":
            warnings.append(f"{path.name}: session type {session.session_type!r}, not three_session_B; skipped")
            continue
        if template is None:
            if session.template is None:
                raise DataNotFoundError(f"{path}: no natural-scenes template ({nwb.TEMPLATE})")
            template = session.template
        blocks.append(nwb.trial_responses(session, window_s, baseline_s, n_images=len(template)))
        n = len(session.cell_ids)
        coords["neuroid_id"] += [f"{session.experiment_id}/{c}" for c in session.cell_ids]
        coords["cell_specimen_id"] += [int(c) for c in session.cell_ids]
        coords["region"] += [session.area] * n
        coords["subject"] += [session.container_id] * n
        coords["depth_um"] += [session.depth_um] * n
        coords["cre_line"] += [session.cre_line] * n
        coords["experiment"] += [session.experiment_id] * n
        checksums[path.name] = f"size:{path.stat().st_size}"  # hashing GB-sized NWB files on every load is too slow
    if not blocks:
        raise DataNotFoundError(f"{folder}: no three_session_B NWB files ({'; '.join(warnings)})")
    n_rep = max(b.shape[0] for b in blocks)
    responses = np.concatenate([np.pad(b, ((0, n_rep - b.shape[0]), (0, 0), (0, 0)), constant_values=np.nan) for b in blocks], axis=2)
    ids = [f"scene_{i:03d}" for i in range(len(template))]
    recording = make_recording(responses, ids, coords, attrs={"units": "dF/F", "dataset": "allen_2p", "window_s": list(window_s)})
    stimuli = StimulusSet(name="allen_natural_scenes", modality="vision", ids=ids, paths=template_images(template))
    return Dataset(name="allen_2p", recording=recording, stimuli=stimuli, checksums=checksums, card=CARD, warnings=warnings)


def protocol_for(metric: str | None) -> Protocol:
    from brainbench.benchmark import Protocol

    # inner folds = the other outer folds (v2; see allen_np's protocol)
    return Protocol(kind="kfold", n_splits=5, seed=0, selection="nested", inner_splits=4, inner_folds="outer_folds")


def data_status():
    """For `brainbench data list`: (name, state, where, details)."""
    folder = find_dataset_dir(FOLDER)
    files = sorted(folder.glob("*.nwb")) if folder else []
    if not files:
        return [("allen_2p", "missing", "", f"user-supplied NWB files in <data root>/{FOLDER}/; see datasets/allen_2p_nwb/README.md")]
    size = sum(p.stat().st_size for p in files) / 2**30
    return [("allen_2p", "present", str(folder), f"{len(files)} NWB files, {size:.1f} GiB (checked when loaded)")]


CARD = {
    "title": "Allen Brain Observatory Visual Coding 2-photon, natural scenes (session B NWB files)",
    "species": "mouse (Mus musculus)",
    "method": "2-photon calcium imaging (GCaMP6f), dF/F",
    "regions": list(REGIONS),
    "stimuli": "118 natural scenes (grayscale, 918x1174), 250 ms each, 50 repeats",
    "response": "mean dF/F 0-0.5 s after onset, per presentation",
    "citation": "de Vries et al. 2020 Nat Neurosci 23:138",
    "bibtex": (HERE / "bibtex.bib").read_text(),
    "terms": "Allen Institute terms of use (non-commercial research, with citation)",
}

PLUGIN = DatasetPlugin(
    name="allen_2p",
    modality="vision",
    recording_kind="trials",
    regions=REGIONS,
    load=load,
    default_metric="ridge",
    card=CARD,
    protocol_for=protocol_for,
    versions={"ridge": "2", "pls": "2"},
    hierarchy=HIERARCHY,
    hierarchy_source=HIERARCHY_SOURCE,
)
PLUGINS = [PLUGIN] if find_dataset_dir(FOLDER) is not None else []
