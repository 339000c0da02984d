"""Download the Visual Coding 2-photon session-B NWB files with allensdk's BrainObservatoryCache.

allensdk pins old numpy/pandas: run this in its own environment, never in the scoring path:

    python3.11 -m venv ~/.venvs/allensdk   # checked with Python 3.11 (tests/test_allensdk_env.py)
    ~/.venvs/allensdk/bin/pip install "allensdk==2.16.2" "hdmf<4" "statsmodels<0.15" pillow
    ~/.venvs/allensdk/bin/python datasets/allen_2p_nwb/package_allensdk.py \
        --cache ~/allen_boc --out ~/brainbench_data/allen_2p_nwb --areas VISp VISl --max 4
    BRAINBENCH_DATA=~/brainbench_data brainbench data list

Selects experiments with ``get_ophys_experiments(session_types=["three_session_B"],
stimuli=["natural_scenes"], targeted_structures=..., cre_lines=..., imaging_depths=...)``, downloads
each NWB file (``get_ophys_experiment_data``; ~0.3-2 GB each), links or copies it into ``--out`` as
``<experiment_id>.nwb`` and writes ``experiments.json`` (id, area, depth, Cre line, container, size,
sha256). The allen_2p dataset plugin then reads the files directly with h5py (see nwb.py) and
builds the per-trial dF/F responses; ``--responses`` also writes them here as ``<id>_trials.npz``
(responses (repetition, 118, cells), cell ids) through the same reader.

The environment is the Neuropixels script's (its docstring says why each pin); tests/test_allensdk_env.py
runs this script's main() over a real BrainObservatoryCache with synthetic experiments.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load_reader():
    """nwb.py needs numpy and h5py only; load it by path (brainbench is not installed here)."""
    spec = importlib.util.spec_from_file_location("brainbench_allen_2p_nwb", HERE / "nwb.py")
    module = importlib.util.module_from_spec(spec)
    # registered first: @dataclass resolves the module's string annotations through sys.modules
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 22):
            h.update(block)
    return h.hexdigest()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", required=True, help="BrainObservatoryCache folder")
    parser.add_argument("--out", required=True, help="output folder, named allen_2p_nwb")
    parser.add_argument("--areas", nargs="*", default=["VISp", "VISl", "VISal", "VISrl", "VISam", "VISpm"])
    parser.add_argument("--cre-lines", nargs="*", help="only these Cre lines (default all)")
    parser.add_argument("--depths", nargs="*", type=int, help="only these imaging depths in microns (default all)")
    parser.add_argument("--max", type=int, help="at most this many experiments (for a small rebuild)")
    parser.add_argument("--copy", action="store_true", help="copy the NWB files instead of hard-linking")
    parser.add_argument("--responses", action="store_true", help="also write <id>_trials.npz per experiment")
    args = parser.parse_args(argv)

    from allensdk.core.brain_observatory_cache import BrainObservatoryCache  # allensdk env only

    boc = BrainObservatoryCache(manifest_file=str(Path(args.cache).expanduser() / "manifest.json"))
    query = dict(session_types=["three_session_B"], stimuli=["natural_scenes"], targeted_structures=args.areas)
    if args.cre_lines:
        query["cre_lines"] = args.cre_lines
    if args.depths:
        query["imaging_depths"] = args.depths
    experiments = sorted(boc.get_ophys_experiments(**query), key=lambda e: e["id"])[: args.max]
    out = Path(args.out).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    reader = load_reader() if args.responses else None
    listing = []
    for n, exp in enumerate(experiments, 1):
        print(f"[{n}/{len(experiments)}] experiment {exp['id']} {exp['targeted_structure']} {exp['imaging_depth']} um {exp['cre_line']}", file=sys.stderr)
        source = Path(boc.get_ophys_experiment_data(exp["id"]).nwb_file)
        target = out / f"{exp['id']}.nwb"
        if not target.exists():
            try:
                if args.copy:
                    raise OSError("copy requested")
                os.link(source, target)
            except OSError:
                shutil.copy2(source, target)
        listing.append({"id": exp["id"], "area": exp["targeted_structure"], "imaging_depth_um": exp["imaging_depth"],
                        "cre_line": exp["cre_line"], "container_id": exp["experiment_container_id"],
                        "bytes": target.stat().st_size, "sha256": sha256(target)})
        if reader is not None:
            import numpy as np

            session = reader.read_session(target)
            np.savez_compressed(out / f"{exp['id']}_trials.npz", responses=reader.trial_responses(session), cell_ids=session.cell_ids)
    (out / "experiments.json").write_text(json.dumps(listing, indent=1))
    print(f"{len(listing)} session-B experiments -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
