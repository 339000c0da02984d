"""The allen_2p_rdm manifest: Conwell et al. 2021's published RDMs and noise ceilings, from their
repository at a pinned commit (``similarity.npz`` converted from ``rdms_reliable.pkl`` by
convert.py, ``noise_ceiling.csv`` verbatim). The stimuli are the Neuropixels images (``shares``)."""
from __future__ import annotations

from brainbench.manifest import FileSpec, Manifest

from . import convert

FOLDER = "allen_2p_natural_scenes_rdms"
CONWELL_REPO = "https://raw.githubusercontent.com/ColinConwell/DeepMouseTrap"
CONWELL_COMMIT = "706ab15a823db0067af9eae31efba872e0c0825c"  # neural_data/rdms_*.{pkl,csv}
UPSTREAM = f"{CONWELL_REPO}/{CONWELL_COMMIT}/neural_data"

MANIFEST = Manifest(
    name="allen_2p_rdm",
    folder=FOLDER,
    files=(
        FileSpec("noise_ceiling.csv", "967f6478c7ed33228dd21cf98fd44a735dcc6d7cd661b8054055c921bfd75a0c", 1134, f"{UPSTREAM}/rdms_noise_ceiling.csv"),
        FileSpec("similarity.npz", "866c1227a9b9051ba908051e50152d09430603176ad7d7c0fbe8f7a1b166cf1d", 1923612, f"{UPSTREAM}/rdms_reliable.pkl", convert.conwell_rdms),
    ),
    origin="Conwell et al. 2021 (NeurIPS), repository ColinConwell/DeepMouseTrap, built with allensdk from "
    "the Allen Brain Observatory Visual Coding 2-photon data",
    shares=(("allen_np", "images/"),),  # the stimuli are the Neuropixels images
)
