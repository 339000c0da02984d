"""NH2015: six fMRI response components of human auditory cortex for 165 natural sounds.

Reads ``components.mat`` (``R``: 165 sounds x 6 components, rows in the .mat's own order, which is
by category) and ``wav/<stim_name>.wav``. Rows are matched to wav files BY NAME, and the stimulus set
is put in stimulus-number order (stim1, stim2, ...), so nothing depends on how the .mat is sorted.
Every wav is checked against the published format (44.1 kHz, mono, exactly 2.000 s, not silent)
before any model sees it; a listed sound without its wav stops the load with the sound named.

The recording is (repetition=1, stimulus=165, neuroid=6): one "neuroid" per component, region = the
component name, subject = "pooled" (components are pooled over the ten listeners). Components have no
repeats, so no noise ceiling exists: results carry raw R² (and Pearson r) with a note saying so.
"""
from __future__ import annotations

import csv
import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from brainbench.audio import check_audio, check_wav_header, read_audio
from brainbench.errors import DataNotFoundError
from brainbench.manifest import read_manifest
from brainbench.paths import data_search_path, find_dataset_dir
from brainbench.registry import DatasetPlugin
from brainbench.stimuli import StimulusSet

if TYPE_CHECKING:
    from brainbench.benchmark import Dataset, Protocol

HERE = Path(__file__).resolve().parent
#: every file, its sha256, size and pinned URL (the authors' repository at fixed commits)
MANIFEST = read_manifest(HERE / "manifest.json")
FOLDER = MANIFEST.folder
FILES = {"components.mat": MANIFEST.pins["components.mat"]}
COMPONENTS = ("lowfreq", "highfreq", "envsounds", "pitch", "speech", "music")
REGIONS = COMPONENTS + ("all",)
N_SOUNDS = 165
SAMPLE_RATE = 44100
N_SAMPLES = 2 * SAMPLE_RATE


def locate(data_dir=None) -> Path:
    folder = find_dataset_dir(FOLDER, data_dir)
    if folder is None:
        searched = "\n".join(f"  {where}: {root / FOLDER}" for where, root in data_search_path(data_dir))
        raise DataNotFoundError(
            f"NH2015 natural-sounds data not found. Looked for the folder {FOLDER!r} in:\n{searched}\n"
            f"Fix: `brainbench data fetch nh2015` (downloads into the user cache), or point --data-dir / $BRAINBENCH_DATA "
            f"at a folder containing {FOLDER}/ with components.mat and wav/ (source: github.com/snormanhaignere/natsound165-neuron2015; "
            "see datasets/nh2015/README.md)."
        )
    missing = [name for name in FILES if not (folder / name).is_file()]
    if not (folder / "wav").is_dir():
        missing.append("wav/")
    if missing:
        raise DataNotFoundError(f"{folder} is incomplete: missing {', '.join(missing)}. Fix: `brainbench data fetch nh2015`.")
    return folder


def _read_mat(path: Path) -> dict:
    import scipy.io

    try:
        mat = scipy.io.loadmat(str(path), squeeze_me=True)
    except Exception as exc:  # scipy raises several types for truncated/corrupt files
        raise DataNotFoundError(f"{path} is corrupt or not a MATLAB file ({type(exc).__name__}: {exc}); re-fetch it") from exc
    missing = [k for k in ("R", "stim_names", "category_labels", "component_names") if k not in mat]
    if missing:
        raise DataNotFoundError(f"{path} lacks the variable(s) {missing}")
    responses = np.asarray(mat["R"], dtype=np.float64)
    names = [str(s) for s in np.atleast_1d(mat["stim_names"])]
    if responses.shape != (len(names), len(COMPONENTS)):
        raise DataNotFoundError(f"{path}: R has shape {responses.shape}, expected ({len(names)}, {len(COMPONENTS)})")
    components = tuple(str(c) for c in np.atleast_1d(mat["component_names"]))
    if components != COMPONENTS:
        raise DataNotFoundError(f"{path}: component_names are {components}, expected {COMPONENTS}")
    if len(set(names)) != len(names):
        raise DataNotFoundError(f"{path}: stim_names are not unique")
    categories = [str(c) for c in np.atleast_1d(mat["category_labels"])]
    return {"R": responses, "names": names, "categories": categories}


def _stim_number(name: str) -> int:
    match = re.match(r"stim(\d+)_", name)
    return int(match.group(1)) if match else 10**9


def _recording(responses, ids: list, categories: list):
    """The (1 repetition, sound, component) recording: components have no repeats."""
    from brainbench.recording import make_recording

    recording = make_recording(
        responses[None, :, :],
        ids,
        {"neuroid_id": list(COMPONENTS), "region": list(COMPONENTS), "subject": ["pooled"] * len(COMPONENTS)},
        attrs={"units": "component response (a.u.)", "dataset": "nh2015", "repeats": "none (components)"},
    )
    return recording.assign_coords(category=("stimulus", categories))


def load(data_dir=None) -> Dataset:
    from brainbench.benchmark import Dataset

    folder = locate(data_dir)
    checksums, warnings = MANIFEST.pinned_checksums(folder, FILES)
    mat = _read_mat(folder / "components.mat")
    if len(mat["names"]) != N_SOUNDS:
        warnings.append(f"{folder / 'components.mat'} lists {len(mat['names'])} sounds, the published set has {N_SOUNDS}")
    _check_category_csv(folder, mat, warnings)

    # match rows to wavs by name; canonical order = stimulus number
    wav_dir = folder / "wav"
    order = sorted(range(len(mat["names"])), key=lambda i: (_stim_number(mat["names"][i]), mat["names"][i]))
    ids = [mat["names"][i] for i in order]
    paths = [wav_dir / f"{sid}.wav" for sid in ids]
    missing = [sid for sid, p in zip(ids, paths) if not p.is_file()]
    if missing:
        raise DataNotFoundError(
            f"{len(missing)} sound(s) listed in components.mat have no wav in {wav_dir}: {', '.join(missing[:5])}"
            + (" ..." if len(missing) > 5 else "")
            + ". Re-fetch the stimuli; brainbench never scores a partial stimulus set."
        )
    extra = sorted({p.stem for p in wav_dir.glob("*.wav")} - set(ids))
    if extra:
        warnings.append(f"{wav_dir}: {len(extra)} wav file(s) not listed in components.mat are ignored, e.g. {extra[0]}.wav")
    for path in paths:
        check_wav_header(path, SAMPLE_RATE, 1, N_SAMPLES)
        samples, rate = read_audio(path)
        check_audio(samples, rate, path)  # silence

    categories = [mat["categories"][i] for i in order]
    stimuli = StimulusSet(name="nh2015_165_natural_sounds", modality="audio", ids=ids, paths=paths, metadata={"category": categories})
    recording = functools.partial(_recording, mat["R"][order], ids, categories)  # built when first used
    return Dataset(name="nh2015", recording=recording, stimuli=stimuli, checksums=checksums, card=CARD, warnings=warnings)


def _check_category_csv(folder: Path, mat: dict, warnings: list) -> None:
    path = folder / "category_labels.csv"
    if not path.is_file():
        return
    with open(path, newline="") as f:
        from_csv = {row[0]: row[1] for row in csv.reader(f) if len(row) >= 2}
    disagree = [n for n, c in zip(mat["names"], mat["categories"]) if from_csv.get(n, c) != c]
    if disagree:
        warnings.append(f"{path}: category of {len(disagree)} sound(s) disagrees with components.mat, e.g. {disagree[0]}")


def protocol_for(metric: str | None) -> Protocol:
    from brainbench.benchmark import Protocol

    # As published (Kell et al. 2018; Tuckute et al. 2023): 10 random splits of 83 training / 82 test
    # sounds, fixed seed; the layer is chosen on splits 1-5 and reported on splits 6-10.
    return Protocol(kind="shuffle", n_splits=10, train_size=83, seed=0, selection="held_out_splits")


#: primary-like acoustic components (tonotopic low/high frequency, broadband environmental sounds,
#: pitch: in and around primary auditory cortex) before the category-selective speech and music
#: components of non-primary cortex (Norman-Haignere et al. 2015), which Tuckute et al. 2023 found
#: best predicted by later model stages
HIERARCHY = {"lowfreq": 1, "highfreq": 1, "envsounds": 1, "pitch": 1, "speech": 2, "music": 2}
HIERARCHY_SOURCE = (
    "primary-like acoustic components (lowfreq, highfreq, envsounds, pitch) < non-primary speech and music "
    "components (Norman-Haignere et al. 2015 Neuron 88:1281; model stages: Tuckute et al. 2023 PLoS Biol 21:e3002366)"
)

CARD = {
    "title": "NH2015: fMRI response components of human auditory cortex, 165 natural sounds",
    "species": "human (Homo sapiens)",
    "method": "fMRI (3T), voxel decomposition into six response components (pooled over 10 listeners)",
    "regions": list(REGIONS),
    "n_components": len(COMPONENTS),
    "n_subjects": 10,
    "stimuli": "165 natural sounds, 2 s each, 44.1 kHz mono, RMS-normalised; 11 categories",
    "response": "component response profile over the 165 sounds (no repeats, so no noise ceiling)",
    "score": "R² on held-out sounds (primary) and Pearson r, mean over components for 'all'",
    "citation": "Norman-Haignere, Kanwisher & McDermott 2015 Neuron 88:1281; Kell et al. 2018 Neuron 98:630; Tuckute et al. 2023 PLoS Biol 21:e3002366",
    "bibtex": (HERE / "bibtex.bib").read_text(),
    "terms": "no licence stated by the authors' repository (snormanhaignere/natsound165-neuron2015); cite the paper",
}

PLUGINS = [
    DatasetPlugin(
        name="nh2015",
        modality="audio",
        recording_kind="components",
        regions=REGIONS,
        load=load,
        default_metric="ridge",
        card=CARD,
        protocol_for=protocol_for,
        versions={"ridge": "1"},
        aggregate="mean",
        metric_options={"ridge": {"primary": "r2"}},
        hierarchy=HIERARCHY,
        hierarchy_source=HIERARCHY_SOURCE,
        derived_regions=("all",),
        manifest=MANIFEST,
    )
]
