"""The builder checks every number and name it publishes (brainbench/leaderboard_checks.py).

Each broken score is built from a real built-in result with one field broken, and must come out
**invalid** with a message naming the problem (never "not run", never averaged), listed with the file's
relative path; ``--strict`` turns any problem into a non-zero exit. The page side of the same cases
(an invalid cell, a 1e-6 ceiling that must not stall the plots) is in test_leaderboard_browser_checks.py.
"""
from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from brainbench.cli import main
from brainbench.leaderboard import build_site, builtin_results_dir, collect_results, site_data
from brainbench.paths import checkout_root

BUILTIN = builtin_results_dir()
VISP = "allen_np.VISp.ridge"


def builtin_result(name: str) -> dict:
    return json.loads((BUILTIN / f"{name}.json").read_text())


def entry_of(document: dict, benchmark: str) -> dict:
    return next(s for s in document["scores"] if s["benchmark"] == benchmark)


def _tiny_ceiling(e):
    e["ceiling"] = 1e-6
    e["ceiled"] = e["raw"] / 1e-6
    for block in (e["ci95_stimuli"], e["ci95_subjects"]):
        block["ceiled"] = [v / 1e-6 for v in block["raw"]]


def _nan_ceiled(e):
    e["ceiled"] = float("nan")
    e["ci95_stimuli"]["ceiled"] = e["ci95_subjects"]["ceiled"] = None


def _inverted(e):
    e["ci95_stimuli"]["ceiled"] = e["ci95_stimuli"]["ceiled"][::-1]


def _outside(e):
    e["ci95_subjects"]["ceiled"] = [e["ceiled"] + 0.1, e["ceiled"] + 0.2]


def _ratio(e):
    e["ceiled"] = e["ceiled"] * 1.01


def _impossible_raw(e):
    e["raw"], e["ceiled"], e["ceiling"] = 1.7, 1.7 / e["ceiling"], e["ceiling"]
    for block in (e["ci95_stimuli"], e["ci95_subjects"]):
        block["raw"], block["ceiled"] = [1.6, 1.8], [1.6 / e["ceiling"], 1.8 / e["ceiling"]]


BROKEN = {
    "ceiling 1e-6": (_tiny_ceiling, "outside the plausible range"),
    "NaN ceiled": (_nan_ceiled, "not a finite number although the ceiling"),
    "inverted interval": (_inverted, "is inverted (low > high)"),
    "interval without its score": (_outside, "does not contain the score"),
    "ceiled is not raw / ceiling": (_ratio, "is not raw / ceiling"),
    "correlation above 1": (_impossible_raw, "outside its possible range"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_score_is_invalid_named_and_never_averaged(tmp_path, case):
    breaker, message = BROKEN[case]
    doc = builtin_result("efficientnet_lite0")
    doc["model"]["name"] = "broken"
    breaker(entry_of(doc, VISP))
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "broken.json").write_text(json.dumps(doc))
    collected = collect_results([tmp_path / "r"])
    model = collected.models["broken"]
    assert VISP not in model["scores"] and VISP in model["invalid"]
    assert any(message in p for p in model["invalid"][VISP]["problems"]), model["invalid"][VISP]["problems"]
    (problem,) = [p for p in collected.problems if p["benchmark"] == VISP]
    assert problem["path"] == "r/broken.json" and problem["outcome"] == "score shown as invalid" and message in problem["problem"]
    data = site_data(collected)
    summary = data["models"][0]
    cell = summary["cells"][[b["id"] for b in data["benchmarks"]].index(VISP)]
    assert cell[0] == "invalid" and message in cell[1]
    # never averaged: the Neuropixels mean (and so the overall score) needs every area, and says which is invalid
    assert summary["means"]["allen_np.ridge"] == {"value": None, "ci95": None, "scored": 5, "applicable": 6, "invalid": 1}
    assert summary["overall"]["value"] is None and summary["rank"]["rank"] is None
    assert summary["means"]["allen_2p_rdm.rsa"]["value"] is not None, "the other dataset keeps its value"


def test_a_duplicate_benchmark_and_a_ceiled_score_without_ceiling_are_invalid(tmp_path):
    doc = builtin_result("efficientnet_lite0")
    doc["scores"].append(json.loads(json.dumps(entry_of(doc, VISP))))
    audio = builtin_result("spectrotemporal")
    audio["scores"][0]["ceiled"] = 0.5
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "dup.json").write_text(json.dumps(doc))
    (tmp_path / "r" / "audio.json").write_text(json.dumps(audio))
    collected = collect_results([tmp_path / "r"])
    assert "appears 2 times" in collected.models["efficientnet_lite0"]["invalid"][VISP]["problems"][0]
    first = audio["scores"][0]["benchmark"]
    assert "without a noise ceiling" in collected.models["spectrotemporal"]["invalid"][first]["problems"][0]


def test_a_ceiled_score_above_one_is_kept_and_flagged(tmp_path):
    doc = builtin_result("efficientnet_lite0")
    e = entry_of(doc, VISP)
    e["raw"], e["ceiling"] = 0.9, 0.85
    e["ceiled"] = e["raw"] / e["ceiling"]
    for block in (e["ci95_stimuli"], e["ci95_subjects"]):
        block["raw"] = [e["raw"] - 0.01, e["raw"] + 0.01]
        block["ceiled"] = [v / e["ceiling"] for v in block["raw"]]
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "high.json").write_text(json.dumps(doc))
    collected = collect_results([tmp_path / "r"])
    entry = collected.models["efficientnet_lite0"]["scores"][VISP]
    assert entry["ceiled"] > 1 and any("> 1" in f for f in entry["flags"])
    assert collected.problems == []


@pytest.mark.parametrize("name, why", [
    ("evil\u202eexe.pt", "U+202E"),                 # right-to-left override: shows as another name
    ("\u2066ab\u2069", "U+2066"),                    # bidi isolate
    ("nul\x00name", "U+0000"),
    ("zero\u200bwidth", "U+200B"),
    ("x" * 101, "101 characters long"),
    ("__proto__", "reserved"),
    ("constructor", "reserved"),
    (" padded", "leading or trailing"),
])
def test_names_that_could_deceive_a_reader_or_a_script_are_refused(tmp_path, name, why):
    doc = builtin_result("pixels")
    doc["model"]["name"] = name
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "m.json").write_text(json.dumps(doc))
    collected = collect_results([tmp_path / "r"])
    assert collected.models == {}
    (problem,) = collected.problems
    assert why in problem["problem"] and problem["outcome"] == "model refused" and problem["path"] == "r/m.json"


def test_malformed_bootstrap_samples_are_dropped_and_good_ones_stay_out_of_data_js(tmp_path):
    doc = builtin_result("efficientnet_lite0")
    good = np.linspace(0.2, 0.4, 50, dtype="<f4")
    encoded = base64.b64encode(good.tobytes()).decode()
    for e in doc["scores"]:
        e["bootstrap"] = {"statistic": "ceiled", "encoding": "float32-le-base64", "stimuli": {"seed": 0, "n": 50, "samples": encoded}, "subjects": None}
    entry_of(doc, "allen_np.VISl.ridge")["bootstrap"]["stimuli"]["n"] = 49
    entry_of(doc, "allen_np.VISal.ridge")["bootstrap"]["stimuli"]["samples"] = "not base64!"
    entry_of(doc, "allen_np.VISrl.ridge")["bootstrap"]["statistic"] = "raw"
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "m.json").write_text(json.dumps(doc))
    out, data = build_site([tmp_path / "r"], tmp_path / "site", include_builtin=False)
    problems = {p["benchmark"]: p["problem"] for p in data["problems"]}
    assert "need 196" in problems["allen_np.VISl.ridge"] and "base64" in problems["allen_np.VISal.ridge"]
    assert "must be 'ceiled'" in problems["allen_np.VISrl.ridge"]
    detail = json.loads((out / data["models"][0]["detail_json"]).read_text())
    assert detail["scores"][VISP]["bootstrap"]["stimuli"]["samples"] == encoded
    assert "bootstrap" not in detail["scores"]["allen_np.VISl.ridge"]
    assert "allen_np.VISl.ridge" in detail["scores"], "a score whose samples are broken is still a valid score"
    assert encoded not in (out / "data.js").read_text()


def test_strict_build_exits_non_zero_and_lists_every_problem_relative(tmp_path, capsys, monkeypatch):
    results = tmp_path / "broken-results"
    results.mkdir()
    doc = builtin_result("efficientnet_lite0")
    doc["model"]["name"] = "tiny_ceiling"
    _tiny_ceiling(entry_of(doc, VISP))
    (results / "tiny_ceiling.json").write_text(json.dumps(doc))
    nan = builtin_result("pixels")
    nan["model"]["name"] = "nan_ceiled"
    _nan_ceiled(entry_of(nan, VISP))
    (results / "nan_ceiled.json").write_text(json.dumps(nan))
    bidi = builtin_result("pixels")
    bidi["model"]["name"] = "\u202eevil"
    (results / "bidi.json").write_text(json.dumps(bidi))
    (results / "truncated.json").write_text(json.dumps(bidi)[:200])
    monkeypatch.chdir(tmp_path)
    assert main(["leaderboard", "build", "--results", "broken-results", "--out", "site"]) == 0, "without --strict the site is built"
    capsys.readouterr()
    assert main(["leaderboard", "build", "--results", "broken-results", "--out", "site", "--strict"]) == 1
    err = capsys.readouterr().err
    sys.__stdout__.write("\n--- brainbench leaderboard build --strict (broken folder) ---\n" + err)
    for path, text in [("broken-results/tiny_ceiling.json", "noise ceiling 1e-06 is outside the plausible range"),
                       ("broken-results/nan_ceiled.json", "not a finite number although the ceiling"),
                       ("broken-results/bidi.json", "U+202E"), ("broken-results/truncated.json", "not valid JSON")]:
        assert any(line.startswith(path + ": ") and text in line for line in err.splitlines()), (path, err)
    assert "--strict: 4 problem(s) in 4 result file(s)" in err and str(tmp_path) not in err


def test_nothing_published_holds_an_absolute_path(tmp_path):
    doc = builtin_result("efficientnet_lite0")
    doc["model"]["name"] = "with_paths"
    doc["provenance"]["command"] = f"brainbench score --model x --out {tmp_path}/results --cache-dir /root/.cache/bb"
    doc["model"]["weights_source"] = f"{checkout_root()}/weights/x.pth"
    doc["failed"] = [{"benchmark": "allen_2p_rdm.VISp_layer23.rsa", "error": f'File "{tmp_path}/a/b.py", line 3: boom'}]
    doc["scores"] = [s for s in doc["scores"] if s["benchmark"] != "allen_2p_rdm.VISp_layer23.rsa"]
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "m.json").write_text(json.dumps(doc))
    (tmp_path / "r" / "bad.json").write_text("{")
    out, _ = build_site([tmp_path / "r"], tmp_path / "site")
    forbidden = [str(checkout_root()), str(tmp_path), "/work/", "/tmp/", "/root/", str(Path.home()) + "/"]
    for path in sorted(out.rglob("*")):
        if path.is_file():
            text = path.read_text()
            leaks = [f for f in forbidden if f in text]
            assert not leaks, f"{path.relative_to(out)} publishes {leaks}"
    data = json.loads((out / "data.json").read_text())
    model = next(m for m in data["models"] if m["name"] == "with_paths")
    detail = json.loads((out / model["detail_json"]).read_text())
    assert detail["weights_source"] == "weights/x.pth", "relative to the checkout"
    assert "--out results" in detail["provenance"]["command"]


def test_unbounded_text_is_cut_and_hidden_characters_shown(tmp_path):
    doc = builtin_result("pixels")
    doc["model"]["card"]["architecture"] = "x" * 1_000_000
    doc["model"]["card"]["licence"] = "MIT\u202e\x00"
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "m.json").write_text(json.dumps(doc))
    card = collect_results([tmp_path / "r"]).models["pixels"]["card"]
    assert len(card["architecture"]) < 20_100 and card["architecture"].endswith("[980000 more characters not shown]")
    assert card["licence"] == "MIT\ufffd\ufffd"


@pytest.mark.parametrize("depth", [900, 100_000])
def test_a_deeply_nested_file_is_refused_not_a_crash(tmp_path, depth):
    """900 levels passed json.loads but exhausted the stack while the builder cleaned the card; 100,000 exhausted json itself."""
    text = json.dumps(builtin_result("pixels")).replace('"card": {', '"card": {"deep": ' + "[" * depth + "]" * depth + ", ", 1)
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "deep.json").write_text(text)
    (tmp_path / "r" / "fine.json").write_text(json.dumps(builtin_result("efficientnet_lite0")))
    collected = collect_results([tmp_path / "r"])
    assert list(collected.models) == ["efficientnet_lite0"]
    (problem,) = collected.problems
    assert problem["path"] == "r/deep.json" and "nested more than 64 levels deep" in problem["problem"] and problem["outcome"] == "file skipped"


def test_the_leaderboard_and_the_analyses_read_odd_files_alike(tmp_path):
    """Found by a hostile sweep: a 5,000-digit number gave a traceback in `leaderboard build` and
    Python's own advice (sys.set_int_max_str_digits) in the analyses; a folder named x.json or a
    non-UTF-8 file gave bare exception names; a byte-order mark was refused as a 'truncated write'; two
    files of one model were merged by the leaderboard but the first one alone was used by the analyses."""
    from brainbench.analysis._results import all_results

    folder = tmp_path / "r"
    folder.mkdir()
    pixels = builtin_result("pixels")
    (folder / "a_huge.json").write_text(json.dumps(pixels).replace('"raw": ', '"raw": ' + "9" * 5000 + ", \"x\": ", 1))
    (folder / "b_folder.json").mkdir()
    (folder / "c_latin1.json").write_bytes(json.dumps(builtin_result("alexnet_untrained")).replace("alexnet", "alexn\u00e9t").encode("latin-1"))
    (folder / "d_link.json").symlink_to(folder / "nowhere.json")
    first, second = (dict(pixels, scores=[e]) for e in (pixels["scores"][0], pixels["scores"][1]))
    (folder / "e_pixels_part1.json").write_text(json.dumps(first))
    (folder / "f_pixels_part2.json").write_text("\ufeff" + json.dumps(second))  # saved by an editor that writes a BOM
    expected = {"a_huge.json": "holds a number with thousands of digits", "b_folder.json": "is a folder, not a file",
                "c_latin1.json": "is not UTF-8 text (byte 0xe9 at position", "d_link.json": "is a broken link (to "}

    collected = collect_results([folder])
    problems = {Path(p["path"]).name: p["problem"] for p in collected.problems}
    assert set(problems) == set(expected) and all(expected[name] in problems[name] for name in expected), problems
    assert sorted(collected.models["pixels"]["scores"]) == sorted(e["benchmark"] for e in pixels["scores"][:2])

    warnings = []
    (merged,) = all_results([folder], warn=warnings.append)
    left_out = {Path(line.split(": left out: ")[0]).name: line for line in warnings if ": left out: " in line}
    assert set(left_out) == set(expected) and all(expected[name] in left_out[name] for name in expected), warnings
    assert [e["benchmark"] for e in merged["scores"]] == [e["benchmark"] for e in pixels["scores"][:2]]  # both files, as on the site
    assert not any("set_int_max_str_digits" in line for line in warnings + list(problems.values()))


def test_another_build_of_a_model_is_named_by_what_differs(tmp_path):
    """The leaderboard said 'different weights (sha256 e3b0c44298fc vs e3b0c44298fc)' for two files that
    differed only in modality; the analyses kept the first file where the leaderboard kept the later."""
    from brainbench.analysis._results import all_results

    folder = tmp_path / "r"
    folder.mkdir()
    pixels = builtin_result("pixels")
    (folder / "a.json").write_text(json.dumps(pixels))
    (folder / "b.json").write_text(json.dumps({**pixels, "model": {**pixels["model"], "modality": "audio"}, "scores": pixels["scores"][:1]}))
    (problem,) = collect_results([folder]).problems
    assert "with different modality (audio vs vision); the later file replaces this one" in problem["problem"]
    warnings = []
    (kept,) = all_results([folder], warn=warnings.append)
    assert kept["model"]["modality"] == "audio" and len(kept["scores"]) == 1
    assert any("a.json: replaced: model 'pixels' is also in" in line and "different modality (audio vs vision)" in line for line in warnings)


def test_strict_fails_on_results_this_installation_cannot_place(tmp_path, capsys):
    """`leaderboard build --strict` exited 0 over a result with no scores, a modality no dataset has
    ('smell'), a benchmark no plugin registers ('nope.X.y'), a vision score filed under an audio model,
    and a results folder holding no result file at all."""
    pixels = builtin_result("pixels")
    vision = pixels["scores"][0]
    cases = {"empty": {**pixels, "scores": [], "failed": []},
             "smelly": {**pixels, "model": {**pixels["model"], "name": "smelly", "modality": "smell"}, "scores": [vision]},
             "nope": {**pixels, "model": {**pixels["model"], "name": "nope"}, "scores": [{**vision, "benchmark": "nope.X.y"}]},
             "heard": {**pixels, "model": {**pixels["model"], "name": "heard", "modality": "audio"}, "scores": [vision]}}
    folder, empty = tmp_path / "r", tmp_path / "none"
    folder.mkdir()
    empty.mkdir()
    for name, document in cases.items():
        (folder / f"{name}.json").write_text(json.dumps(document))
    problems = {p["problem"] for p in site_data(collect_results([folder, empty]))["problems"]}
    for expected in ("model 'pixels' has no scores, failures or invalid entries (an empty result?)",
                     "model modality 'smell' is not that of any registered dataset (audio, vision)",
                     "nope.X.y: not a registered benchmark here (its dataset or metric plugin is not installed)",
                     f"{vision['benchmark']}: a vision benchmark, in the result of a model whose modality is 'audio'",
                     "holds no result files (*.json)"):
        assert any(expected in p for p in problems), (expected, problems)
    assert main(["leaderboard", "build", "--no-builtin", "--results", str(folder), "--results", str(empty), "--out", str(tmp_path / "site"), "--strict"]) == 1
    err = capsys.readouterr().err
    assert "--strict:" in err and "holds no result files" in err and "has no scores, failures or invalid entries" in err


def test_a_chosen_layer_the_entry_never_scored_makes_it_invalid(tmp_path):
    """`compare` took an entry whose chosen_layer was 'nonexistent' without a word."""
    from brainbench.analysis._results import invalid_scores
    from brainbench.leaderboard_checks import score_problems

    pixels = builtin_result("efficientnet_lite0")
    entry = dict(pixels["scores"][0])
    assert entry["chosen_layer"] in entry["layer_order"] and score_problems(entry)[0] == []
    for field, value in (("chosen_layer", "nonexistent"), ("chosen_layer_per_split", [entry["layer_order"][0], "nonexistent"])):
        bad = {**entry, field: value}
        assert score_problems(bad)[0] == [f"chosen layer 'nonexistent' is not one of the entry's layer_order ({len(entry['layer_order'])} layers)"]
        assert entry["benchmark"] in invalid_scores({**pixels, "scores": [bad]})
