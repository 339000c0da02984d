"""Pathway analysis: which of a network's parallel pathways matches which brain area best?

For a model whose card declares ``pathways`` (name -> that pathway's candidate layers, shallow to
deep), each pathway is scored as if it were a model of its own: the benchmark's full protocol, with
honest (held-out) layer selection restricted to that pathway's layers, on the activations already
stored for the whole model (nothing is extracted again). So each pathway's score is its best
held-out score on the area, with its own bootstrap intervals. Because every run of a benchmark draws
the same resamples, pathway 1 and pathway 2 are compared with the paired test of ``compare``
(difference, 95% interval, p), Holm-corrected over the areas, per resampling source.
"""
from __future__ import annotations

from dataclasses import dataclass, field


from ..errors import BrainbenchError
from ._compare import ComparisonRow, _correct
from ._paired import SOURCES, format_p, incompatibility, paired_difference
from ._streams import StreamInteraction, stream_interactions

VERSION = "2"
METHOD = (
    "each pathway scored alone (the benchmark's protocol, held-out layer selection among that pathway's layers "
    "only); pathway A - pathway B by the paired bootstrap test over the same resamples of stimuli (and of animals), "
    "Holm over the benchmarks per source; 'separated' as in brainbench compare; stream interaction (where the dataset "
    "declares two streams): mean A - B over stream-1 areas minus over stream-2 areas, on the same stimulus resamples, "
    "Holm over the interactions"
)


@dataclass
class PathwayAnalysis:
    model: str
    pathways: dict[str, list[str]]
    scores: dict[str, dict[str, dict]]  # pathway -> benchmark -> summary (score, interval, chosen layer)
    contrast: tuple[str, str]
    rows: list[ComparisonRow] = field(default_factory=list)
    alpha: float = 0.05
    failed: dict[str, dict[str, str]] = field(default_factory=dict)  # pathway -> benchmark -> why
    interactions: list[StreamInteraction] = field(default_factory=list)  # double dissociation per dataset (brainbench.analysis._streams)
    method: str = METHOD
    version: str = VERSION

    def as_dict(self) -> dict:
        return {
            "model": self.model, "pathways": self.pathways, "scores": self.scores, "contrast": list(self.contrast),
            "comparison": [r.as_dict() for r in self.rows], "failed": self.failed, "interactions": [i.as_dict() for i in self.interactions],
            "alpha": self.alpha, "method": self.method, "version": self.version,
        }


def declared_pathways(card: dict, model: str) -> dict[str, list[str]]:
    pathways = (card or {}).get("pathways") or {}
    if len(pathways) < 2:
        raise BrainbenchError(
            f"model {model!r} declares {len(pathways)} pathway(s) in its card; the pathway analysis needs at least two "
            "(card field 'pathways': {name: [layers, shallow to deep]}; see docs/submitting.md)"
        )
    return {name: list(layers) for name, layers in pathways.items()}


def pathways(model: str, benchmarks: list[str] | None = None, contrast: tuple[str, str] | None = None, alpha: float = 0.05,
             registry=None, **score_options) -> PathwayAnalysis:
    """Score each declared pathway of ``model`` alone and compare the first two (or ``contrast``)."""
    from ..registry import default_registry
    from ..scoring import score

    registry = registry or default_registry()
    declared, contrast = pathway_contrast(model, contrast, registry)
    documents = {name: score(model, benchmarks=benchmarks, layers=layers, registry=registry, **score_options) for name, layers in declared.items()}
    runs = {name: {s["benchmark"]: s for s in document["scores"]} for name, document in documents.items()}
    failed = {name: {f["benchmark"]: f.get("error", "failed") for f in document["failed"]} for name, document in documents.items()}
    names = list(dict.fromkeys([*runs[contrast[0]], *failed[contrast[0]], *runs[contrast[1]], *failed[contrast[1]]]))
    rows = [_row(b, runs[contrast[0]].get(b), runs[contrast[1]].get(b), contrast) for b in names]
    _correct(rows, alpha)
    summaries = {name: {b: _summary(e) for b, e in entries.items()} for name, entries in runs.items()}
    interactions = stream_interactions(runs[contrast[0]], runs[contrast[1]], registry)
    return PathwayAnalysis(model, declared, summaries, contrast, rows, alpha, failed={k: v for k, v in failed.items() if v}, interactions=interactions)


def pathway_contrast(model: str, contrast: tuple[str, str] | None = None, registry=None) -> tuple[dict[str, list[str]], tuple[str, str]]:
    """The pathways ``model`` declares, and the two compared: ``contrast``, or the first two declared."""
    from ..registry import default_registry

    declared = declared_pathways((registry or default_registry()).model(model).card, model)
    contrast = contrast or tuple(list(declared)[:2])
    unknown = [name for name in contrast if name not in declared]
    if unknown:
        raise BrainbenchError(f"unknown pathway(s) {unknown} of {model}; it declares {list(declared)}")
    return declared, contrast


def _row(benchmark: str, a: dict | None, b: dict | None, contrast: tuple[str, str]) -> ComparisonRow:
    missing = [name for name, entry in zip(contrast, (a, b)) if entry is None]
    if missing:
        return ComparisonRow(benchmark, note=f"failed for {', '.join(missing)} (see 'failed')")
    reason = incompatibility(a, b)
    if reason:
        return ComparisonRow(benchmark, note=reason)
    return ComparisonRow(benchmark, {s: paired_difference(a, b, s) for s in SOURCES if incompatibility(a, b, s) is None})


def _summary(entry: dict) -> dict:
    statistic = (entry.get("bootstrap") or {}).get("statistic", "ceiled" if entry.get("ceiled") is not None else "raw")
    ci = (entry.get("ci95_stimuli") or {}).get(statistic)
    ci_subjects = (entry.get("ci95_subjects") or {}).get(statistic)
    return {
        "statistic": statistic, "score": entry.get(statistic), "ci95_stimuli": ci, "ci95_subjects": ci_subjects,
        "chosen_layer": entry.get("chosen_layer"), "raw": entry.get("raw"), "ceiling": entry.get("ceiling"),
    }


def format_pathways(analysis: PathwayAnalysis) -> str:
    from ..table import format_table

    a, b = analysis.contrast
    rows = [("benchmark", f"{a} [95% CI]", "layer", f"{b} [95% CI]", "layer", f"{a} - {b}", "95% CI (stimuli)", "p Holm", "p Holm (animals)", "verdict")]
    empty = {"score": None, "ci95_stimuli": None, "chosen_layer": "—"}
    for r in analysis.rows:
        sa, sb = analysis.scores[a].get(r.benchmark, empty), analysis.scores[b].get(r.benchmark, empty)
        stim, subj = r.differences.get("stimuli"), r.differences.get("subjects")
        rows.append((
            r.benchmark, _score(sa), sa["chosen_layer"], _score(sb), sb["chosen_layer"],
            f"{stim.difference:+.3f}" if stim else "—", _ci(stim.ci95) if stim else (r.note or "—"),
            format_p(stim.p_holm) if stim else "—", format_p(subj.p_holm) if subj else "—", r.verdict.replace("A", a).replace("B", b),
        ))
    return format_table(rows)


def _score(s: dict) -> str:
    if s["score"] is None:
        return "—"
    return f"{s['score']:.3f} {_ci(s['ci95_stimuli'])}" if s["ci95_stimuli"] else f"{s['score']:.3f}"


def _ci(ci) -> str:
    return "—" if not ci else f"[{ci[0]:.3f}, {ci[1]:.3f}]"
