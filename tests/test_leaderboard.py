"""The leaderboard builder: reading result files defensively, grouping, merging, writing the site.

The browser tests (rendering, sorting, filtering, downloads, escaping) are in test_leaderboard_browser.py.
"""
from __future__ import annotations

import json
import threading
import urllib.request
from pathlib import Path

import pytest

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
    assert all(p.stat().st_size < 200_000 for p in files), "result files only, no data"


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
    assert main(["leaderboard", "build", "--results", str(tmp_path / "nope"), "--out", str(out)]) == 2
    assert "results folder" in capsys.readouterr().err


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
