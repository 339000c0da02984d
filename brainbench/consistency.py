"""Inter-animal consistency: how well one animal's units are predicted from the other animals'.

Nayebi et al. (2023, PLoS Comput Biol) judge mouse models against the inter-animal consistency rather
than against trial-to-trial reliability alone: a model is as good as it can be expected to be when it
predicts an animal's units as well as the other animals of the same area do. Here each animal in turn
is the target; the source is the trial-averaged units of all other animals in the same area, treated
exactly as a model layer: the same metric (``metric.prepare`` on the source "features"), the same
splits and the same summary. So for ridge/PLS it is the same cross-validated mapping and Pearson r per
unit (aggregated over all units of all target animals like the model's score), for RSA/CKA the
agreement of one animal's population geometry with the others' (averaged over target animals).

Caveats (stated in the result): the source animals' responses are themselves noisy trial averages and
a finite sample of units, so this is a conservative (low) ceiling, and a model can exceed it; for
population metrics one animal's population is smaller than the pooled population the model is
compared with, which lowers it further.
"""
from __future__ import annotations

import numpy as np

from .recording import trial_average


def inter_animal_consistency(benchmark, recording, agg) -> dict:
    """``ceiling_inter_animal`` (+ per-animal values and a subject-bootstrap interval). It depends on the
    recording, metric and protocol only, never on the model (so brainbench caches it per benchmark)."""
    metric = benchmark.metric
    if "neuroid" not in recording.dims or "subject" not in recording.coords:
        return {"ceiling_inter_animal": None, "inter_animal_note": "no per-animal units in this recording"}
    subjects = np.asarray(recording["subject"].values)
    unique = np.unique(subjects)
    if len(unique) < 2:
        return {"ceiling_inter_animal": None, "inter_animal_note": "fewer than two animals"}
    n = recording.sizes["stimulus"]
    splits = benchmark.protocol.splits(n)
    per_animal, per_unit_values, unit_animals = {}, [], []
    for animal in unique:
        own = recording.isel(neuroid=np.flatnonzero(subjects == animal))
        others = recording.isel(neuroid=np.flatnonzero(subjects != animal))
        source = trial_average(others)
        source = source[:, np.all(np.isfinite(source), axis=0)]
        prepared = metric.prepare(source)
        target = benchmark.target(own)
        outputs = [metric.evaluate(prepared, target, train, test) for train, test in splits]
        values = np.asarray(metric.summarize(outputs, target)[metric.primary], dtype=float)
        per_animal[str(animal)] = _f(agg(values))
        if metric.per_neuroid:
            per_unit_values.append(values)
            unit_animals += [str(animal)] * len(values)
    if metric.per_neuroid:
        pooled = np.concatenate(per_unit_values)
        consistency = agg(pooled)
        groups = {a: np.flatnonzero(np.asarray(unit_animals) == a) for a in per_animal}
        resample = lambda drawn: agg(np.concatenate([pooled[groups[a]] for a in drawn]))  # noqa: E731
    else:
        animal_values = np.array([v if v is not None else np.nan for v in per_animal.values()])
        consistency = np.nanmean(animal_values)
        index = {a: i for i, a in enumerate(per_animal)}
        resample = lambda drawn: np.nanmean(animal_values[[index[a] for a in drawn]])  # noqa: E731
    rng = np.random.default_rng(benchmark.protocol.bootstrap_seed + 2)
    names = list(per_animal)
    draws = [resample([names[i] for i in rng.integers(0, len(names), len(names))]) for _ in range(benchmark.protocol.n_bootstrap)]
    draws = np.asarray(draws, dtype=float)
    draws = draws[np.isfinite(draws)]
    consistency = _f(consistency)
    return {
        "ceiling_inter_animal": consistency,
        "ci95_ceiling_inter_animal": [float(np.percentile(draws, 2.5)), float(np.percentile(draws, 97.5))] if draws.size else None,
        "inter_animal_per_animal": per_animal,
        "inter_animal_note": (
            f"each of {len(unique)} animals predicted from the other animals' trial-averaged units with the "
            f"benchmark's own metric ({metric.name}) and splits; conservative (source animals are noisy, finite samples)"
        ),
    }


def _f(x):
    if x is None:
        return None
    x = float(x)
    return x if np.isfinite(x) else None
