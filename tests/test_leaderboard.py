"""The leaderboard builder: reading result files defensively, grouping, merging, writing the site.

The browser tests (rendering, sorting, filtering, downloads, escaping) are in test_leaderboard_browser.py.
"""
from __future__ import annotations

import json
import threading
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from brainbench import bootstrap
from brainbench.cli import main
from brainbench.leaderboard import build_site, builtin_results_dir, collect_results, site_data
from brainbench.result import SCHEMA

BUILTIN = builtin_results_dir()


def builtin_result(name: str) -> dict:
    return json.loads((BUILTIN / f"{name}.json").read_text())


def entry_of(document: dict, benchmark: str) -> dict:
    return next(s for s in document["scores"] if s["benchmark"] == benchmark)


def test_builtin_results_are_complete_and_small():
    """A fresh build is never empty: the committed results cover the offline models on every mouse area."""
    files = sorted(BUILTIN.glob("*.json"))
    names = {p.stem for p in files}
    assert {"pixels", "efficientnet_lite0", "efficientnet_lite0_untrained", "alexnet_untrained"} <= names
    collected = collect_results([BUILTIN])
    assert collected.problems == []
    modalities = set()
    for name, model in collected.models.items():
        modality = model["modality"]
        modalities.add(modality)
        prefix, regions = ("allen_np.", {"VISp", "VISl", "VISal", "VISrl", "VISam", "VISpm"}) if modality == "vision" else (
            "nh2015.", {"lowfreq", "highfreq", "envsounds", "pitch", "speech", "music", "all"})
        covered = {b.split(".")[1] for b in model["scores"] if b.startswith(prefix)}
        assert covered == regions, name
        for bench, entry in model["scores"].items():
            if bench.startswith("allen_np."):  # what the table shows: ceiled = raw / ceiling, with an interval
                assert 0.5 < entry["ceiling"] <= 1 and entry["ceiled"] == pytest.approx(entry["raw"] / entry["ceiling"])
                low, high = entry["ci95_stimuli"]["ceiled"]
                assert low < high
    assert modalities == {"vision", "audio"}
    # result files only, no data: each holds 1,000 stimulus (and subject) resamples per score, 5.3 kB per source
    assert all(p.stat().st_size < 500_000 for p in files), "result files only, no data"


def test_groups_follow_benchmark_ids_and_dataset_regions(registry):
    data = site_data(collect_results([BUILTIN]), registry)
    allen = next(g for g in data["groups"] if g["id"] == "allen_np.ridge")
    # regions in the dataset plugin's order, not alphabetical
    assert [b.split(".")[1] for b in allen["benchmarks"]] == list(registry.datasets["allen_np"].regions)
    # every registered default benchmark is a column, even where no result has it (coverage is shown)
    ids = {b["id"] for b in data["benchmarks"]}
    assert set(registry.benchmark_names(default_only=True)) <= ids
    bench = next(b for b in data["benchmarks"] if b["id"] == "allen_np.VISp.ridge")
    assert bench["ceiling"] == pytest.approx(entry_of(builtin_result("pixels"), "allen_np.VISp.ridge")["ceiling"]) and 0.5 < bench["ceiling"] <= 1
    assert not bench["ceiling_values_differ"]
    assert "Spearman-Brown" in data["metrics"]["ridge"]["config"]["ceiling"]


def _write(folder: Path, name: str, content) -> Path:
    path = folder / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_malformed_and_partial_files_are_reported_with_their_path_and_skipped(tmp_path):
    good = builtin_result("pixels")
    _write(tmp_path, "good.json", good)
    truncated = _write(tmp_path, "truncated.json", json.dumps(good)[:500])
    _write(tmp_path, "other.json", {"schema": "something/else", "model": {"name": "x"}})
    _write(tmp_path, "noname.json", {"schema": SCHEMA, "model": {"card": {}}, "scores": []})
    _write(tmp_path, "noscores.json", {"schema": SCHEMA, "model": {"name": "half"}})
    bad_entry = json.loads(json.dumps(good))
    bad_entry["model"]["name"] = "pixels_with_bad_entry"
    bad_entry["scores"][0]["benchmark"] = "not-an-id"
    bad_entry["scores"][1]["raw"] = bad_entry["scores"][1]["ceiled"] = "NaN"
    _write(tmp_path, "bad_entry.json", bad_entry)
    _write(tmp_path, "list.json", "[1, 2]")

    collected = collect_results([tmp_path])
    by_file = {Path(p["path"]).name: p for p in collected.problems}
    assert set(collected.models) == {"pixels", "pixels_with_bad_entry"}
    # the path is published relative (folder name / file), never the build machine's absolute path
    assert by_file["truncated.json"]["path"] == f"{tmp_path.name}/{truncated.name}" and "not valid JSON" in by_file["truncated.json"]["problem"]
    assert "schema 'something/else'" in by_file["other.json"]["problem"]
    assert "model name" in by_file["noname.json"]["problem"]
    assert "no 'scores' list" in by_file["noscores.json"]["problem"]
    assert "not a brainbench result" in by_file["list.json"]["problem"]
    entry_problems = [p["problem"] for p in collected.problems if p["path"].endswith("bad_entry.json")]
    assert any("scores[0]" in p and "not-an-id" in p for p in entry_problems)
    assert any("scores[1]" in p and "not a finite number" in p for p in entry_problems)
    # the file's valid entries are kept; the non-finite one is invalid (shown as such, never as "not run")
    model = collected.models["pixels_with_bad_entry"]
    assert len(model["scores"]) == len(good["scores"]) - 2
    assert set(model["invalid"]) == {good["scores"][1]["benchmark"]}


def test_cli_build_reports_bad_files_and_writes_the_site(tmp_path, capsys):
    results = tmp_path / "results"
    results.mkdir()
    _write(results, "broken.json", '{"schema": "brainbench.result/1", "model": {"name": "cut"')
    out = tmp_path / "site"
    assert main(["leaderboard", "build", "--results", str(results), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "results/broken.json: not valid JSON" in captured.err and str(tmp_path) not in captured.err
    for name in ("index.html", "app.js", "style.css", "data.js", "data.json"):
        assert (out / name).is_file()
    data = json.loads((out / "data.json").read_text())
    assert {m["name"] for m in data["models"]} == {p.stem for p in BUILTIN.glob("*.json")}
    assert data["problems"][0]["path"] == "results/broken.json"
    for model in data["models"]:  # each model's details in a script (file://) and a JSON twin
        assert (out / model["detail"]).read_text().startswith("window.BRAINBENCH_MODEL({")
        assert json.loads((out / model["detail_json"]).read_text())["name"] == model["name"]
    # a missing results folder is a clear error, not a traceback
    assert main(["leaderboard", "build", "--results", str(tmp_path / "nope"), "--out", str(tmp_path / "new_site")]) == 2
    assert "results folder" in capsys.readouterr().err
    assert not (tmp_path / "new_site").exists()  # a failed build made no empty output folder
    # so is an --out that cannot take the site (here a file), said before any result is read
    (tmp_path / "a_file").write_text("keep me")
    assert main(["leaderboard", "build", "--out", str(tmp_path / "a_file")]) == 2
    err = capsys.readouterr().err
    assert f"cannot write the leaderboard site into {tmp_path / 'a_file'}: {tmp_path / 'a_file'} is a file, not a folder. Fix: pass --out" in err
    assert "Traceback" not in err and (tmp_path / "a_file").read_text() == "keep me"


def test_the_site_is_never_written_over_files_it_did_not_make(tmp_path, capsys):
    """`leaderboard build --out FOLDER` replaced a user's index.html, and wrote data.json into a results
    folder (later builds then reported it as a broken result); both are refused before any work."""
    from brainbench.cli import main

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "index.html").write_text("<h1>mine</h1>")
    results = tmp_path / "results"
    results.mkdir()
    (results / "pixels.json").write_bytes((BUILTIN / "pixels.json").read_bytes())
    for argv, message in ((["--out", str(mine)], "holds index.html, not written by a brainbench build, which the build would replace"),
                          (["--out", str(results), "--results", str(results)], "is a results folder this build reads"),
                          (["--out", str(results)], "holds brainbench result files (pixels.json)")):
        assert main(["leaderboard", "build", *argv]) == 2
        err = capsys.readouterr().err
        assert message in err and "Fix: choose an empty folder, or the folder of an earlier build" in err, err
    assert (mine / "index.html").read_text() == "<h1>mine</h1>" and sorted(p.name for p in results.iterdir()) == ["pixels.json"]
    # `serve` builds a missing site itself: its messages name its own option, --dir (they said --out)
    assert main(["leaderboard", "serve", "--dir", str(results)]) == 2
    err = capsys.readouterr().err
    assert f"--dir {results} holds brainbench result files (pixels.json)" in err and "--out" not in err, err
    site = tmp_path / "site"
    for _ in range(2):  # an earlier build's folder is rebuilt in place
        assert main(["leaderboard", "build", "--out", str(site)]) == 0
    assert (site / "index.html").read_text() != "<h1>mine</h1>"


def test_site_data_is_strict_json_and_cannot_close_a_script(tmp_path):
    doc = builtin_result("pixels")
    doc["model"]["name"] = "</script><script>alert(1)</script>"
    doc["model"]["card"]["licence"] = "line\u2028separator"
    visp = entry_of(doc, "allen_np.VISp.ridge")
    visp["ceiling"] = float("nan")  # Python's json writes NaN; browsers' JSON.parse rejects it
    visl = entry_of(doc, "allen_np.VISl.ridge")
    visl["layer_profile"]["pixels"]["raw"] = float("inf")
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "evil.json").write_text(json.dumps(doc))
    out, data = build_site([tmp_path / "r"], tmp_path / "site", include_builtin=False)

    def refuse(constant):
        raise ValueError(f"non-standard JSON constant {constant}")

    parsed = json.loads((out / "data.json").read_text(), parse_constant=refuse)
    summary = parsed["models"][0]
    assert summary["name"] == doc["model"]["name"]
    detail = json.loads((out / summary["detail_json"]).read_text(), parse_constant=refuse)
    assert detail["invalid"]["allen_np.VISp.ridge"]["entry"]["ceiling"] is None, "a NaN ceiling makes the score invalid"
    assert detail["scores"]["allen_np.VISl.ridge"]["layer_profile"]["pixels"]["raw"] is None
    assert "\u2028" not in detail["card"]["licence"], "line separators in free text are replaced"
    for script in [(out / "data.js").read_text(), (out / summary["detail"]).read_text()]:
        assert "</script" not in script.lower() and "\u2028" not in script


def test_results_for_one_model_merge_by_benchmark_and_conflicts_are_reported(tmp_path):
    doc = builtin_result("efficientnet_lite0_untrained")
    first, second = json.loads(json.dumps(doc)), json.loads(json.dumps(doc))
    first["scores"] = doc["scores"][:2]
    first["failed"] = [{"benchmark": doc["scores"][3]["benchmark"], "error": "RuntimeError: out of memory"}]
    second["scores"] = doc["scores"][2:]
    for folder, part in (("a", first), ("b", second)):
        (tmp_path / folder).mkdir()
        _write(tmp_path / folder, "m.json", part)
    collected = collect_results([tmp_path / "a", tmp_path / "b"])
    model = collected.models[doc["model"]["name"]]
    assert set(model["scores"]) == {s["benchmark"] for s in doc["scores"]}
    assert model["failed"] == {}, "a later score replaces an earlier failure of the same benchmark"
    assert collected.problems == []

    other = json.loads(json.dumps(doc))
    other["model"]["weights_sha256"] = "0" * 64
    (tmp_path / "c").mkdir()
    _write(tmp_path / "c", "m.json", other)
    collected = collect_results([tmp_path / "a", tmp_path / "c"])
    assert collected.models[doc["model"]["name"]]["weights_sha256"] == "0" * 64
    assert "different weights" in collected.problems[0]["problem"]


def test_reproduce_command_names_benchmarks_only_when_not_the_default_set(tmp_path, registry):
    full = builtin_result("pixels")
    part = json.loads(json.dumps(full))
    part["model"]["name"] = "pixels_part"
    part["scores"] = full["scores"][:2]
    (tmp_path / "r").mkdir()
    _write(tmp_path / "r", "full.json", full)
    _write(tmp_path / "r", "part.json", part)
    models = {m["name"]: m for m in site_data(collect_results([tmp_path / "r"]), registry)["models"]}
    defaults = registry.benchmark_names(modality="vision", default_only=True)
    if sorted(defaults) == sorted(s["benchmark"] for s in full["scores"]):
        assert models["pixels"]["reproduce"] == "brainbench score --model pixels"
    ran = sorted(s["benchmark"] for s in part["scores"])
    assert models["pixels_part"]["reproduce"] == "brainbench score --model pixels_part --benchmark " + ",".join(ran)


def test_serve_binds_to_localhost_and_serves_the_site(tmp_path):
    from brainbench.commands.leaderboard import make_server

    out, _ = build_site(None, tmp_path / "site")
    server = make_server(out, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).read().decode()
        assert '<script src="data.js"></script>' in page
        data = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/data.json", timeout=10).read())
        assert len(data["models"]) == len(list(BUILTIN.glob("*.json")))
    finally:
        server.shutdown()
        server.server_close()


def test_browser_tests_fail_in_ci_and_skip_elsewhere_without_chromium(tmp_path, monkeypatch):
    from test_leaderboard_browser import _unavailable, find_chromium

    monkeypatch.setenv("BRAINBENCH_CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("BRAINBENCH_CHROMEDRIVER", str(tmp_path / "no-driver"))
    assert find_chromium() == (None, None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the browser tests: no chromium"):
        _unavailable("no chromium")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no chromium"):
        _unavailable("no chromium")


def test_build_reads_the_default_results_folder_of_score(tmp_path, monkeypatch, capsys):
    """`brainbench score` writes ./results; `brainbench leaderboard build` then shows the new model without flags."""
    doc = builtin_result("pixels")
    doc["model"]["name"] = "my_new_model"
    (tmp_path / "results").mkdir()
    _write(tmp_path / "results", "my_new_model.json", doc)
    monkeypatch.chdir(tmp_path)
    assert main(["leaderboard", "build"]) == 0
    assert "reading ./results" in capsys.readouterr().out
    names = {m["name"] for m in json.loads((tmp_path / "site" / "data.json").read_text())["models"]}
    assert names == {"my_new_model"} | {p.stem for p in BUILTIN.glob("*.json")}


# -- issue 13: the site shows the answers of brainbench.analysis, computed at build time -------------------
def _site(registry, *folders, builtin=True):
    collected = collect_results(([BUILTIN] if builtin else []) + list(folders))
    return collected, site_data(collected, registry)


def test_site_ranking_equals_the_analysis_api_and_the_cli_on_builtin_results(registry, capsys):
    """The same numbers on the site, in data.json and from `brainbench analyze ranking` (built-in results)."""
    from brainbench.analysis import rank_modality
    from brainbench.analysis._results import all_results

    _, data = _site(registry)
    results = all_results([BUILTIN])
    for modality in ("vision", "audio"):
        board = rank_modality(results, modality, registry)
        info = data["rankings"][modality]
        assert (info["by"], info["definition"], info["version"]) == (board["by"], board["definition"], board["version"])
        summaries = {m["name"]: m for m in data["models"] if m["modality"] == modality}
        assert set(summaries) == {r["model"] for r in board["rows"]}
        for row in board["rows"]:
            mine, detail, o = summaries[row["model"]], data["details"][row["model"]], board["scores"][row["model"]]
            assert mine["rank"]["rank"] == row["rank"] and mine["rank"]["tied_with_next"] == row["tied_with_next"]
            assert detail["ranking"]["value"] == row["value"] and detail["ranking"]["p_holm_to_next"] == row.get("p_holm_to_next")
            assert detail["ranking"]["overall"] == json.loads(json.dumps(o.as_dict()))  # full precision in the model file
            assert mine["overall"]["value"] == (None if o.value is None else pytest.approx(o.value, abs=1e-6))
            if o.ci95:
                assert mine["overall"]["ci95"] == pytest.approx(o.ci95, abs=1e-6)
        assert main(["analyze", "ranking", "--modality", modality, "--results", str(BUILTIN)]) == 0
        printed = {line.split()[1]: line.split() for line in capsys.readouterr().out.splitlines()[2:] if line[:1].isdigit() or line[:1] == "—"}
        for name, mine in summaries.items():
            value = mine["rank"]["value"]
            assert printed[name][2] == ("—" if value is None else f"{value:.3f}"), (name, printed[name])
            if mine["rank"]["ci95"]:
                assert f"[{mine['rank']['ci95'][0]:.3f}," in printed[name]
    ranked = [m for m in data["models"] if m["rank"]["rank"] is not None]
    assert len(ranked) >= 9 and any(m["rank"]["tied_with_next"] for m in ranked), "the built-in boards have ties"


def test_group_means_follow_the_overall_scores_dataset_rule(registry):
    """The 2-photon mean averages the layers of an area first (= the dataset's value in overall_score), NH2015's
    mean leaves out its derived `all`, and each mean carries its interval."""
    from brainbench.analysis import overall_score

    _, data = _site(registry)
    flat_differs = False
    for summary in data["models"]:
        detail = data["details"][summary["name"]]
        o = overall_score({"model": {"name": summary["name"], "modality": summary["modality"]}, "scores": list(detail["scores"].values())}, registry)
        for dataset, d in o.datasets.items():
            gid = f"{dataset}.{registry.datasets[dataset].default_metric}"
            mean = summary["means"][gid]
            assert mean["value"] == pytest.approx(d.value, abs=1e-6) and mean["ci95"] == pytest.approx(d.ci95, abs=1e-6)
            assert mean["applicable"] == len([r for r in registry.datasets[dataset].regions if r not in registry.datasets[dataset].derived_regions])
        if "allen_2p_rdm.rsa" in summary["means"] and summary["means"]["allen_2p_rdm.rsa"]["value"] is not None:
            flat = np.mean([e["ceiled"] for b, e in detail["scores"].items() if b.startswith("allen_2p_rdm.")])
            flat_differs |= abs(flat - summary["means"]["allen_2p_rdm.rsa"]["value"]) > 1e-4
        if summary["means"].get("nh2015.ridge", {}).get("value") is not None:
            components = [detail["scores"][f"nh2015.{c}.ridge"]["raw"] for c in ("lowfreq", "highfreq", "envsounds", "pitch", "speech", "music")]
            assert summary["means"]["nh2015.ridge"]["value"] == pytest.approx(np.mean(components), abs=1e-6)
    assert flat_differs, "areas with 3 and 4 layers: the mean over areas differs from the flat mean over 21 matrices"


def test_audio_is_ranked_by_nh2015_and_vision_never_mixed_in(registry, tmp_path):
    """Audio has no ceiled dataset: its board is ranked by the raw NH2015 column and says so; a vision result
    carrying an NH2015 score does not move its vision score."""
    doc = builtin_result("efficientnet_lite0")
    doc["model"]["name"] = "vision_with_audio_score"
    doc["scores"].append(json.loads(json.dumps(entry_of(builtin_result("aisfx"), "nh2015.pitch.ridge"))))
    (tmp_path / "r").mkdir()
    _write(tmp_path / "r", "m.json", doc)
    _, data = _site(registry, tmp_path / "r")
    audio = data["rankings"]["audio"]
    assert audio["by_dataset"] == "nh2015" and audio["by"].startswith("nh2015 (raw: this dataset has no noise ceiling")
    assert data["rankings"]["vision"]["by"] == "overall" and data["rankings"]["vision"]["ceiled_datasets"] == ["allen_2p_rdm", "allen_np"]
    models = {m["name"]: m for m in data["models"]}
    for m in models.values():
        if m["modality"] == "audio":
            assert m["overall"]["value"] is None, "no ceiled audio dataset: nothing to average"
            assert m["rank"]["value"] == m["means"]["nh2015.ridge"]["value"]
    for modality in ("vision", "audio"):
        ranks = sorted(m["rank"]["rank"] for m in models.values() if m["modality"] == modality and m["rank"]["rank"])
        assert ranks == list(range(1, len(ranks) + 1)), "one ranking per modality"
    mixed, pure = models["vision_with_audio_score"], models["efficientnet_lite0"]
    assert mixed["overall"] == pure["overall"] and "nh2015.ridge" not in mixed["means"]


def test_an_invalid_score_never_counts(registry, tmp_path):
    """An invalid region leaves its dataset (and so the overall score) undefined: never averaged, never zero."""
    from brainbench.analysis import overall_score

    doc = builtin_result("efficientnet_lite0")
    doc["model"]["name"] = "one_invalid"
    e = entry_of(doc, "allen_2p_rdm.VISl_layer4.rsa")
    e["ceiled"] = e["raw"] / e["ceiling"] * 1.5  # not raw / ceiling: invalid
    (tmp_path / "r").mkdir()
    _write(tmp_path / "r", "m.json", doc)
    collected, data = _site(registry, tmp_path / "r", builtin=False)
    (summary,) = data["models"]
    assert "allen_2p_rdm.VISl_layer4.rsa" in collected.models["one_invalid"]["invalid"]
    assert summary["means"]["allen_2p_rdm.rsa"] == {"value": None, "ci95": None, "scored": 20, "applicable": 21, "invalid": 1}
    assert summary["means"]["allen_np.ridge"]["value"] is not None
    assert summary["overall"]["value"] is None and summary["rank"]["rank"] is None
    without = {**doc, "scores": [s for s in doc["scores"] if s is not e]}
    assert overall_score(without, registry).value is None, "the same as the analysis of the file without that score"
    assert data["details"]["one_invalid"]["ranking"]["overall"]["datasets"]["allen_2p_rdm"]["missing"] == ["VISl_layer4"]


def _paired_copy(doc: dict, name: str, shift: float, shared: dict, rng, own_sd: float = 0.002, n: int = 1000) -> dict:
    """``doc`` under ``name``, every score moved by ``shift`` (on its own scale), with resamples that pair:
    resample b of every model is its score + shared[benchmark][b] (the same stimuli) + a little of its own."""
    doc = json.loads(json.dumps(doc))
    doc["model"].update(name=name, weights_sha256=f"{abs(hash(name)):064x}"[:64])
    for e in doc["scores"]:
        ceiling = e.get("ceiling")
        move = shift * ceiling if ceiling is not None else shift
        e["raw"] += move
        if ceiling is not None:
            e["ceiled"] = e["raw"] / ceiling
        for key in ("ci95_stimuli", "ci95_subjects"):
            if e.get(key):
                e[key]["raw"] = [v + move for v in e[key]["raw"]]
                if ceiling is not None:
                    e[key]["ceiled"] = [v / ceiling for v in e[key]["raw"]]
        statistic = e["bootstrap"]["statistic"]
        noise = shared.setdefault(e["benchmark"], rng.normal(0, 0.02, n))
        e["bootstrap"]["stimuli"].update(n=n, samples=bootstrap.encode(e[statistic] + noise + rng.normal(0, own_sd, n)))
        e["bootstrap"]["stimuli"].pop("best_layer", None)
        e["bootstrap"]["subjects"] = None
    return doc


def test_ties_are_marked_where_the_paired_test_cannot_order_two_models(registry, tmp_path):
    from brainbench.analysis import rank_modality

    rng, shared = np.random.default_rng(3), {}
    base = builtin_result("efficientnet_lite0")
    docs = [_paired_copy(base, name, shift, shared, rng) for name, shift in (("best", 0.05), ("close", 0.0495), ("middle", -0.02), ("far", -0.1))]
    (tmp_path / "r").mkdir()
    for doc in docs:
        _write(tmp_path / "r", f"{doc['model']['name']}.json", doc)
    _, data = _site(registry, tmp_path / "r", builtin=False)
    ranks = {m["name"]: m["rank"] for m in data["models"]}
    assert [(n, ranks[n]["rank"], ranks[n]["tied_with_next"]) for n in ("best", "close", "middle", "far")] == [
        ("best", 1, True), ("close", 2, False), ("middle", 3, False), ("far", 4, None)]
    board = rank_modality(docs, "vision", registry)
    assert [(r["model"], r["rank"], r["tied_with_next"]) for r in board["rows"]] == [(n, ranks[n]["rank"], ranks[n]["tied_with_next"]) for n in ("best", "close", "middle", "far")]
    assert ranks["best"]["p_holm_to_next"] > 0.05 > ranks["close"]["p_holm_to_next"]


def test_discriminability_and_hierarchy_equal_the_analysis_api(registry):
    from brainbench.analysis import discriminability, hierarchy
    from brainbench.analysis._results import all_results

    _, data = _site(registry)
    results = all_results([BUILTIN])
    for b in data["benchmarks"]:
        want = discriminability(results, b["id"])
        got = b["discriminability"]
        assert got["n_models"] == want["n_models"] and got["n_separated"] == want["n_separated"] and got["n_pairs"] == want["n_pairs"]
        for key in ("fraction_separated", "spread_over_ci", "score_sd", "median_ci_half_width"):
            assert got[key] == (None if want.get(key) is None else pytest.approx(want[key], abs=1e-6)), (b["id"], key)
    assert data["methods"]["discriminability"]["version"] and data["methods"]["hierarchy"]["method"]
    computed = 0
    for result in results:
        detail = data["details"][result["model"]["name"]]
        for key, got in detail["hierarchy"].items():
            dataset = key.split(".")[0]
            if "error" in got:
                with pytest.raises(Exception, match=got["error"][:40].replace("(", r"\(").replace(")", r"\)")):
                    hierarchy(result, dataset, registry=registry)
                continue
            assert got == json.loads(json.dumps(hierarchy(result, dataset, registry=registry).as_dict())), (result["model"]["name"], key)
            computed += 1
    assert computed >= 10  # every vision model on both mouse datasets, the audio models on NH2015


def test_best_layer_resamples_are_kept_and_checked(registry, tmp_path):
    doc = builtin_result("efficientnet_lite0")
    doc["model"]["name"] = "bad_best_layer"
    n_layers = len(entry_of(doc, VISP)["layer_order"])
    entry_of(doc, VISP)["bootstrap"]["stimuli"]["best_layer"] = bootstrap.encode_index(np.full(1000, n_layers))  # one past the last layer
    entry_of(doc, "allen_np.VISl.ridge")["bootstrap"]["stimuli"]["best_layer"] = bootstrap.encode_index(np.zeros(999))
    (tmp_path / "r").mkdir()
    _write(tmp_path / "r", "m.json", doc)
    collected, data = _site(registry, tmp_path / "r", builtin=False)
    problems = {p["benchmark"]: p for p in collected.problems}
    assert f"index {n_layers}, outside the {n_layers} layers" in problems[VISP]["problem"]
    assert "need 2000" in problems["allen_np.VISl.ridge"]["problem"]
    assert {p["outcome"] for p in problems.values()} == {"best-layer resamples dropped (no hierarchy interval)"}
    scores = data["details"]["bad_best_layer"]["scores"]
    assert "best_layer" not in scores[VISP]["bootstrap"]["stimuli"] and scores[VISP]["bootstrap"]["stimuli"]["samples"], "the score's samples stay"
    good = entry_of(doc, "allen_np.VISal.ridge")["bootstrap"]["stimuli"]["best_layer"]
    assert scores["allen_np.VISal.ridge"]["bootstrap"]["stimuli"]["best_layer"] == good, "copied unaltered"
    hierarchies = data["details"]["bad_best_layer"]["hierarchy"]
    assert "no stored best-layer resamples" in hierarchies["allen_np.ridge"]["error"] and "rho" in hierarchies["allen_2p_rdm.rsa"]


VISP = "allen_np.VISp.ridge"


def _two_pathway_card(doc: dict) -> dict:
    layers = entry_of(doc, VISP)["layer_order"]
    half = (len(layers) - 1) // 2
    return {"shared_layers": layers[:1], "pathways": {"early": layers[1:1 + half], "late": layers[1 + half:]}}


def test_hierarchy_depths_run_along_declared_pathways(registry, tmp_path):
    """A model card with pathways (the Bakhtiari networks): depths are along each pathway, as the analysis computes them."""
    from brainbench.analysis import hierarchy, layer_depths

    doc = builtin_result("alexnet_untrained")
    doc["model"]["name"] = "two_pathways"
    doc["model"]["card"].update(_two_pathway_card(doc))
    (tmp_path / "r").mkdir()
    _write(tmp_path / "r", "m.json", doc)
    _, data = _site(registry, tmp_path / "r", builtin=False)
    got = data["details"]["two_pathways"]["hierarchy"]["allen_np.ridge"]
    assert got == json.loads(json.dumps(hierarchy(doc, "allen_np", registry=registry).as_dict()))
    depths = layer_depths(entry_of(doc, VISP)["layer_order"], doc["model"]["card"])
    assert all(got["depth"][r] == pytest.approx(depths[layer]) for r, layer in got["best_layer"].items())
    assert depths != layer_depths(entry_of(doc, VISP)["layer_order"]), "the pathways change the depths"


def pathway_analysis(doc: dict, seed: int = 0) -> dict:
    """A recorded pathway analysis of ``doc``'s model, made by the analysis code itself (brainbench.analysis):
    pathway 'early' scores 0.05 above 'late' on the Neuropixels areas, with paired resamples."""
    from brainbench.analysis import compare
    from brainbench.analysis._pathways import PathwayAnalysis, _summary
    from brainbench.analysis._streams import stream_interactions
    from brainbench.registry import default_registry

    rng, shared = np.random.default_rng(seed), {}
    np_only = {**doc, "scores": [s for s in doc["scores"] if s["benchmark"].startswith("allen_np.")]}
    early, late = _paired_copy(np_only, "early", 0.05, shared, rng), _paired_copy(np_only, "late", 0.0, shared, rng)
    comparison = compare(early, late)
    scores = {name: {e["benchmark"]: _summary(e) for e in d["scores"]} for name, d in (("early", early), ("late", late))}
    card = doc["model"]["card"]
    runs = [{e["benchmark"]: e for e in d["scores"]} for d in (early, late)]
    analysis = PathwayAnalysis(doc["model"]["name"], card["pathways"], scores, ("early", "late"), comparison.rows,
                               interactions=stream_interactions(*runs, default_registry()))
    return json.loads(json.dumps(analysis.as_dict()))


def test_a_pathway_analysis_is_carried_through(registry, tmp_path):
    doc = builtin_result("alexnet_untrained")
    doc["model"]["name"] = "bakhtiari_like"
    doc["model"]["card"].update(_two_pathway_card(doc))
    recorded = pathway_analysis(doc)
    doc["analyses"] = {"pathways": {"early-vs-late": recorded}, "hierarchy": {"allen_np.ridge": {"anything": 1}}}
    (tmp_path / "r").mkdir()
    _write(tmp_path / "r", "m.json", doc)
    collected, data = _site(registry, tmp_path / "r", builtin=False)
    assert collected.problems == []
    shown = data["details"]["bakhtiari_like"]["analyses"]
    assert set(shown) == {"pathways"}, "a recorded hierarchy is not copied: the site computes its own"
    got = shown["pathways"]["early-vs-late"]
    assert got["contrast"] == ["early", "late"] and got["pathways"] == recorded["pathways"]
    assert [r["verdict"] for r in got["comparison"]] == [r["verdict"] for r in recorded["comparison"]]
    assert {r["verdict"] for r in got["comparison"]} == {"A > B"}
    for mine, theirs in zip(got["comparison"], recorded["comparison"]):
        for key in ("difference", "se", "p", "p_holm", "a", "b"):
            assert mine["stimuli"][key] == theirs["stimuli"][key]
        assert mine["stimuli"]["ci95"] == theirs["stimuli"]["ci95"]
    assert got["scores"]["early"][VISP]["score"] == recorded["scores"]["early"][VISP]["score"]
    (interaction,) = got["interactions"]  # ventral VISl vs the four dorsal areas, on the shared resamples
    assert interaction["family"] == "allen_np.ridge" and interaction["streams"] == ["ventral", "dorsal"]
    assert interaction["interaction"] == recorded["interactions"][0]["interaction"] and abs(interaction["interaction"]) < 0.01
    assert interaction["areas"] == {"ventral": ["VISl"], "dorsal": ["VISal", "VISam", "VISpm", "VISrl"]}


def _hostile(analysis: dict, case: str) -> tuple:
    a = json.loads(json.dumps(analysis))
    if case == "NaN difference":
        a["comparison"][0]["stimuli"]["difference"] = float("nan")
        return a, "difference nan is not a finite number"
    if case == "unknown field":
        a["comparison"][1]["onclick"] = "alert(1)"
        return a, "unknown field(s) ['onclick']"
    if case == "markup verdict":
        a["comparison"][0]["verdict"] = "<img src=x onerror=alert(1)>"
        return a, "verdict"
    if case == "another model":
        a["model"] = "someone_else"
        return a, "analysis of model 'someone_else'"
    if case == "huge":
        a["comparison"] = a["comparison"] * 400  # 2,400 rows: more than any page should draw
        return a, "at most 2000 rows"
    if case == "contrast":
        a["contrast"] = ["early", "nowhere"]
        return a, "contrast must name two different declared pathways"
    if case == "inverted interval":
        a["comparison"][0]["stimuli"]["ci95"] = [0.3, 0.1]
        return a, "inverted"
    if case == "probability":
        a["comparison"][0]["stimuli"]["p_holm"] = 7.0
        return a, "is not a probability"
    if case == "NaN interaction":
        a["interactions"][0]["interaction"] = float("nan")
        return a, "interactions[0].interaction nan is not a finite number"
    if case == "not an object":
        return [1, 2, 3], "is not an object"
    raise ValueError(case)


HOSTILE = ["NaN difference", "unknown field", "markup verdict", "another model", "huge", "contrast", "inverted interval", "probability", "NaN interaction", "not an object"]


@pytest.mark.parametrize("case", HOSTILE)
def test_a_malformed_pathway_analysis_is_listed_never_shown(registry, tmp_path, case):
    doc = builtin_result("alexnet_untrained")
    doc["model"]["name"] = "bakhtiari_like"
    doc["model"]["card"].update(_two_pathway_card(doc))
    good = pathway_analysis(doc)
    bad, message = _hostile(good, case)
    doc["analyses"] = {"pathways": {"bad": bad, "good": good}}
    (tmp_path / "r").mkdir()
    _write(tmp_path / "r", "m.json", doc)
    out, data = build_site([tmp_path / "r"], tmp_path / "site", include_builtin=False)
    (problem,) = data["problems"]
    assert problem["path"] == "r/m.json" and problem["outcome"] == "analysis not shown" and message in problem["problem"], problem
    assert problem["problem"].startswith("analyses.pathways['bad']")
    detail = json.loads((out / data["models"][0]["detail_json"]).read_text())
    assert list(detail["analyses"]["pathways"]) == ["good"], "the well-formed analysis beside it is still shown"


def test_malformed_analyses_and_card_pathways_are_listed(registry, tmp_path):
    doc = builtin_result("alexnet_untrained")
    doc["model"]["name"] = "odd"
    doc["model"]["card"]["pathways"] = ["not", "a", "mapping"]
    doc["analyses"] = {"pathways": "nope", "mystery": {}}
    (tmp_path / "r").mkdir()
    _write(tmp_path / "r", "m.json", doc)
    collected, data = _site(registry, tmp_path / "r", builtin=False)
    messages = sorted(f"{p['problem']} [{p['outcome']}]" for p in collected.problems)
    assert messages == [
        "analyses.mystery: not an analysis the site knows (pathways, hierarchy) [analysis ignored]",
        "analyses.pathways must be an object of at most 20 analyses [analysis not shown]",
        "model.card: card.pathways must be an object of 1 to 16 pathways {name: [layers, shallow to deep]} [pathways ignored (layer depths along the whole network)]",
    ]
    assert "pathways" not in data["details"]["odd"]["card"] and data["details"]["odd"]["analyses"] == {}
    assert "rho" in data["details"]["odd"]["hierarchy"]["allen_np.ridge"], "the hierarchy is still computed, along the whole network"


@pytest.mark.parametrize("case", ["no finite resample", "no spread"])
def test_degenerate_resamples_leave_discriminability_undefined_not_a_crash(registry, tmp_path, case):
    """No finite resample in common, or every interval of zero width: the numbers that need them are
    undefined (None, with a note where no test is possible), the site builds, and other benchmarks are
    unaffected."""
    (tmp_path / "r").mkdir()
    for name in ("efficientnet_lite0", "pixels"):
        doc = builtin_result(name)
        e = entry_of(doc, VISP)
        constant = np.full(1000, np.nan) if case == "no finite resample" and name == "pixels" else np.full(1000, e["ceiled"])
        e["bootstrap"]["stimuli"]["samples"] = bootstrap.encode(constant)
        _write(tmp_path / "r", f"{name}.json", doc)
    _, data = _site(registry, tmp_path / "r", builtin=False)
    got = next(b for b in data["benchmarks"] if b["id"] == VISP)["discriminability"]
    assert "error" not in got and got["spread_over_ci"] is None
    if case == "no finite resample":
        assert got["fraction_separated"] is None and "no test is possible" in got["note"]
    else:
        assert got["n_pairs"] == 1 and got["fraction_separated"] is not None
    assert next(b for b in data["benchmarks"] if b["id"] == "allen_np.VISl.ridge")["discriminability"]["n_pairs"] == 1
