"""The leaderboard in a real headless Chromium (Debian's chromium + chromium-driver, driven by Selenium).

Checks what a user sees: every result renders, sorting and filtering change the visible rows and the
URL, a model page draws its layer profile from the data, downloads hold exactly the rows in view, and
submitted strings (model names, cards, bibtex) render as text. Expected values are read from the
result files, never typed in. Screenshots of the table and a model page go to $BRAINBENCH_SHOTS
(default /tmp/lb-shots).

Without Chromium the tests skip with the reason, except in CI (CI=true) where they fail.
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from brainbench.leaderboard import build_site, builtin_results_dir, collect_results
from test_leaderboard import _two_pathway_card, pathway_analysis

XSS_NAME = "<img src=x onerror=alert(1)>"
SHOTS = Path(os.environ.get("BRAINBENCH_SHOTS", "/tmp/lb-shots"))
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must run the browser tests: {reason}")
    pytest.skip(reason)


def find_chromium() -> tuple[str | None, str | None]:
    """Paths of the browser and its driver: $BRAINBENCH_CHROMIUM / $BRAINBENCH_CHROMEDRIVER, else Debian's."""
    def existing(path):
        return path if path and Path(path).is_file() else None

    binary = os.environ.get("BRAINBENCH_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    driver = os.environ.get("BRAINBENCH_CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return existing(binary), existing(driver)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (pip install -e '.[test]')")
    binary, driver_path = find_chromium()
    if binary is None or driver_path is None:
        _unavailable("Chromium or chromedriver not found (apt-get install -y chromium chromium-driver, "
                     "or set $BRAINBENCH_CHROMIUM and $BRAINBENCH_CHROMEDRIVER)")
    profile = tempfile.mkdtemp(prefix="lb-chromium-profile-")
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={profile}", "--window-size=1500,1000"]:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The built-in results plus submissions that exercise escaping, coverage and a broken file."""
    builtin = builtin_results_dir()
    extra = tmp_path_factory.mktemp("submitted")
    pixels = json.loads((builtin / "pixels.json").read_text())
    evil = json.loads(json.dumps(pixels))
    evil["model"]["name"] = XSS_NAME
    evil["model"]["card"]["architecture"] = "<b>bold</b><script>window.pwned = 1</script>"
    evil["model"]["card"]["bibtex"] = "@misc{evil, title={<img src=y onerror=alert(3)>}}"
    (extra / "evil.json").write_text(json.dumps(evil))
    untrained = json.loads((builtin / "efficientnet_lite0_untrained.json").read_text())
    partial = json.loads(json.dumps(untrained))
    partial["model"]["name"] = "partial_untrained"
    # two mouse areas without a score: one failed, one not run
    failed_area, missing_area = "allen_np.VISam.ridge", "allen_np.VISpm.ridge"
    partial["scores"] = [s for s in untrained["scores"] if s["benchmark"] not in (failed_area, missing_area)]
    partial["failed"] = [{"benchmark": failed_area, "error": "RuntimeError: <i>boom</i>"}]
    (extra / "partial.json").write_text(json.dumps(partial))
    (extra / "broken.json").write_text(json.dumps(pixels)[:300])
    # a model whose card declares two pathways and whose result carries the pathway analysis (as the Bakhtiari networks will)
    two = json.loads((builtin / "alexnet_untrained.json").read_text())
    two["model"].update(name="bakhtiari_like", weights_sha256="b" * 64)
    two["model"]["card"].update(_two_pathway_card(two))
    two["analyses"] = {"pathways": {"early-vs-late": pathway_analysis(two)}}
    (extra / "two_pathways.json").write_text(json.dumps(two))
    out, data = build_site([extra], tmp_path_factory.mktemp("site"))
    expected = collect_results([builtin, extra])
    return {"dir": out, "url": (out / "index.html").as_uri(), "data": data, "models": expected.models, "broken": f"{extra.name}/broken.json"}


def _open(browser, url):
    browser.get(url)
    browser.execute_script("if (location.hash) window.dispatchEvent(new HashChangeEvent('hashchange'))")
    _wait(lambda: browser.find_elements("css selector", "#app h1"))


def _wait(condition, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the page")


def visible_models(browser) -> list[str]:
    # one script, so a re-render between two reads cannot leave a stale element
    return browser.execute_script("return Array.from(document.querySelectorAll('#leaderboard tr.model-row')).map(r => r.getAttribute('data-model'))")


def summary(site, name) -> dict:
    """A model's row in data.json (its rank, ranked score and group means, as the builder computed them)."""
    return next(m for m in site["data"]["models"] if m["name"] == name)


def ranked_order(site, modality, ascending=False) -> list[str]:
    """The models of one board by their ranked score (missing last, ties by name), as the table sorts them."""
    models = [m for m in site["data"]["models"] if m["modality"] == modality]
    scored = sorted((m for m in models if m["rank"]["value"] is not None), key=lambda m: ((1 if ascending else -1) * m["rank"]["value"], m["name"]))
    return [m["name"] for m in scored] + sorted(m["name"] for m in models if m["rank"]["value"] is None)


def fmt_ci(ci) -> str:
    return "[{:.3f}, {:.3f}]".format(*ci)


def r6(x):
    """A number as data.js publishes it (6 decimals; the model files keep full precision)."""
    return None if x is None else round(x, 6)


def screenshot(browser, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1500, min(max(height + 140, 700), 4000))
    browser.save_screenshot(str(SHOTS / name))
    browser.set_window_size(1500, 1000)


def test_table_renders_every_result_with_intervals_and_coverage(browser, site):
    for modality in ("vision", "audio"):
        _open(browser, site["url"] + ("#/?modality=audio" if modality == "audio" else ""))
        mine = {n: m for n, m in site["models"].items() if m["modality"] == modality}
        assert sorted(visible_models(browser)) == sorted(mine), "one modality's board at a time"
        columns = [b["id"] for b in site["data"]["benchmarks"] if b["modality"] == modality and (modality == "audio" or b["dataset"] == "allen_np")]
        for name, model in mine.items():
            row = next(r for r in browser.find_elements("css selector", "tr.model-row") if r.get_attribute("data-model") == name)
            for bench in columns:
                cell = row.find_element("css selector", f'td.score[data-benchmark="{bench}"]')
                if bench in model["scores"]:
                    entry = model["scores"][bench]
                    kind = "ceiled" if entry["ceiling"] is not None else "raw"
                    assert cell.find_element("css selector", ".value").text.startswith(f"{r6(entry[kind]):.3f}")
                    assert cell.find_element("css selector", ".ci").text == fmt_ci(map(r6, entry["ci95_stimuli"][kind]))
                    title = cell.get_attribute("title")
                    assert f"raw {entry['score_name']} {r6(entry['raw']):.3f}" in title
                    assert kind == "raw" or f"ceiling {r6(entry['ceiling']):.3f}" in title
                else:
                    expected = "failed" if bench in model["failed"] else "not run"
                    assert cell.get_attribute("data-status") == expected and cell.text == expected
            ranked = summary(site, name)["rank"]
            overall = row.find_element("css selector", "td.aggregate.overall")
            assert overall.find_element("css selector", ".value").text == ("—" if ranked["value"] is None else f"{ranked['value']:.3f}")
            if ranked["ci95"]:
                assert overall.find_element("css selector", ".ci").text == fmt_ci(ranked["ci95"])
            rank = row.find_element("css selector", "td.rank")
            shown = rank.get_attribute("textContent")  # what a screen reader reads; the "=" is what the eye sees
            assert shown == ("—" if ranked["rank"] is None else str(ranked["rank"]) + ("=, tied with next" if ranked["tied_with_next"] else ""))
    # the partial model: failed says why, in a tooltip; its Neuropixels mean and so its overall score are undefined, saying why
    _open(browser, site["url"])
    row = next(r for r in browser.find_elements("css selector", "tr.model-row") if r.get_attribute("data-model") == "partial_untrained")
    failed = row.find_element("css selector", 'td[data-status="failed"]')
    assert "RuntimeError: <i>boom</i>" in failed.get_attribute("title")
    overall = row.find_element("css selector", "td.aggregate.overall")
    assert "partial" in overall.get_attribute("class") and overall.find_element("css selector", ".coverage").text == "1/2 datasets"
    assert "allen_np (4/6 regions; 1 failed, 1 not run)" in overall.get_attribute("title")
    mean = row.find_element("css selector", "td.aggregate.group-mean.partial")
    assert mean.find_element("css selector", ".value").text == "—" and "a mean needs every region" in mean.get_attribute("title")
    # the broken file is named on the page, not silently dropped
    problems = browser.find_element("id", "problems")
    problems.click()
    assert site["broken"] in problems.text
    # raw scores and ceilings in the detail row
    allen = [b["id"] for b in site["data"]["benchmarks"] if b["dataset"] == "allen_np"]
    row.find_element("css selector", "button.expand").click()
    detail = next(r for r in browser.find_elements("css selector", "tr.detail-row") if r.get_attribute("data-model") == "partial_untrained")
    first = site["models"]["partial_untrained"]["scores"][allen[0]]
    assert f"{r6(first['raw']):.3f}" in detail.text and f"{r6(first['ceiling']):.3f}" in detail.text and first["chosen_layer"] in detail.text
    row.find_element("css selector", "button.expand").click()
    screenshot(browser, "leaderboard-table.png")


def test_each_board_says_what_it_is_ranked_by_and_marks_ties(browser, site):
    """Vision: the overall score (its definition written by the column); audio: the raw NH2015 column, which says so.
    A tie is a visible "=" and, for a screen reader, words; there is no view that mixes the modalities."""
    from selenium.webdriver.support.ui import Select

    _open(browser, site["url"])
    assert [o.get_attribute("value") for o in Select(browser.find_element("id", "modality")).options] == ["vision", "audio"]
    header = browser.find_element("css selector", 'th[data-key="overall"]')
    version = site["data"]["methods"]["overall"]["version"]
    assert header.text.startswith("overall") and f"definition v{version}" in header.get_attribute("title")
    assert site["data"]["methods"]["overall"]["definition"] in header.get_attribute("title")
    note = browser.find_element("id", "ranking-note").text
    assert f"overall score (definition v{version})" in note and "allen_2p_rdm, allen_np" in note
    tied = [m for m in site["data"]["models"] if m["modality"] == "vision" and m["rank"]["tied_with_next"]]
    assert tied, "the built-in vision board has a tie"
    for m in tied:
        cell = browser.find_element("css selector", f'tr.model-row[data-model="{m["name"]}"] td.rank')
        assert cell.get_attribute("data-tied") == "yes" and "tied with the next model" in cell.get_attribute("title")
        assert "tied with next" in cell.get_attribute("textContent"), "a screen reader reads the tie"
    _open(browser, site["url"] + "#/?modality=audio")
    header = browser.find_element("css selector", 'th[data-key="overall"]')
    assert header.text.startswith("nh2015 (raw)") and "no noise ceiling" in header.get_attribute("title")
    assert "ranked by nh2015 (raw r2): this dataset has no noise ceiling" in browser.find_element("id", "ranking-note").text
    assert visible_models(browser) == ranked_order(site, "audio")


def test_sorting_by_any_column_reorders_rows_and_is_in_the_url(browser, site):
    _open(browser, site["url"])
    models = {n: m for n, m in site["models"].items() if m["modality"] == "vision"}
    assert visible_models(browser) == ranked_order(site, "vision"), "the board starts in rank order"
    browser.find_element("css selector", 'button.sort[data-sort="overall"]').click()
    assert visible_models(browser) == ranked_order(site, "vision", ascending=True), "ties broken by name, missing scores last"
    assert browser.current_url.endswith("#/?dir=asc"), "the view is in the URL (defaults left out)"

    bench = "allen_np.VISpm.ridge"
    browser.find_element("css selector", f'button.sort[data-sort="b:{bench}"]').click()
    scored = [n for n in models if bench in models[n]["scores"]]
    unscored = sorted(n for n in models if n not in scored)
    expected = sorted(scored, key=lambda n: (-models[n]["scores"][bench]["ceiled"], n)) + unscored
    assert visible_models(browser) == expected, "descending, and models without the score last"
    assert "sort=b%3A" + bench in browser.current_url
    browser.find_element("css selector", f'button.sort[data-sort="b:{bench}"]').click()
    ascending = sorted(scored, key=lambda n: (models[n]["scores"][bench]["ceiled"], n))
    assert visible_models(browser) == ascending + unscored, "ascending, missing scores still last"
    browser.find_element("css selector", 'button.sort[data-sort="name"]').click()
    assert visible_models(browser) == sorted(models, key=str.lower)


def test_filters_change_rows_and_the_url_restores_them(browser, site):
    _open(browser, site["url"])
    models = {n: m for n, m in site["models"].items() if m["modality"] == "vision"}
    browser.find_element("css selector", 'input.training[value="untrained"]').click()
    assert sorted(visible_models(browser)) == sorted(n for n, m in models.items() if m["training"] == "untrained")
    browser.find_element("css selector", 'input.training[value="baseline"]').click()
    assert sorted(visible_models(browser)) == sorted(n for n, m in models.items() if m["training"] in ("untrained", "baseline"))
    search = browser.find_element("id", "search")
    search.send_keys("EFFICIENT")
    expected = sorted(n for n, m in models.items() if m["training"] in ("untrained", "baseline") and "efficient" in n.lower())
    assert expected
    _wait(lambda: sorted(visible_models(browser)) == expected)  # the search is debounced
    shared = browser.current_url
    assert "q=EFFICIENT" in shared and "training=untrained%2Cbaseline" in shared

    # a fresh load of the shared URL shows the same view
    _open(browser, site["url"])
    assert len(visible_models(browser)) == len(models)
    _open(browser, shared)
    assert sorted(visible_models(browser)) == expected
    assert browser.find_element("id", "search").get_attribute("value") == "EFFICIENT"
    assert browser.find_element("css selector", 'input.training[value="untrained"]').is_selected()

    # each board shows only its modality's columns and models; switching boards keeps the training filter
    from selenium.webdriver.support.ui import Select

    _open(browser, site["url"])
    shown = {th.find_element("css selector", "button.group-toggle").get_attribute("data-group") for th in browser.find_elements("css selector", "th.group")
             if th.find_elements("css selector", "button.group-toggle")}
    assert shown == {g["id"] for g in site["data"]["groups"] if g["modality"] == "vision" and len(g["benchmarks"]) > 1}
    Select(browser.find_element("id", "modality")).select_by_value("audio")
    assert sorted(visible_models(browser)) == sorted(n for n, m in site["models"].items() if m["modality"] == "audio")
    assert {b.get_attribute("data-sort")[2:].split(".")[0] for b in browser.find_elements("css selector", "button.sort") if b.get_attribute("data-sort")[:2] in ("b:", "g:")} == {"nh2015"}
    _open(browser, site["url"] + "#/?modality=all")  # an old link to "all modalities": the default board, never a mix
    assert sorted(visible_models(browser)) == sorted(models)


def test_model_page_shows_card_reproduce_command_and_layer_profile(browser, site):
    name = "efficientnet_lite0"
    model = site["models"][name]
    _open(browser, site["url"] + "#/model/" + quote(name))
    assert browser.find_element("css selector", "h1.model-name").text == name
    card = _wait(lambda: browser.find_elements("id", "model-card"))[0].text  # details load on demand
    assert model["weights_sha256"] in card and model["card"]["licence"] in card and model["card"]["architecture"] in card
    assert browser.find_element("css selector", "#reproduce pre").text.startswith(f"brainbench score --model {name}")

    plot = browser.find_element("css selector", 'svg.layer-profile[data-group="allen_np.ridge"]')
    series = plot.find_elements("css selector", "g.series")
    assert {s.get_attribute("data-benchmark") for s in series} == {b for b in model["scores"] if b.startswith("allen_np.")}
    for s in series:
        entry = model["scores"][s.get_attribute("data-benchmark")]
        points = [tuple(map(float, p.split(","))) for p in s.find_element("css selector", "polyline").get_attribute("points").split()]
        assert len(points) == len(entry["layer_order"])
        # the highest point (smallest SVG y) is the layer with the best profile score
        profile = [entry["layer_profile"][layer]["ceiled"] for layer in entry["layer_order"]]
        assert min(range(len(points)), key=lambda i: points[i][1]) == profile.index(max(profile))
        chosen = s.find_element("css selector", "circle.chosen")
        assert chosen.get_attribute("data-layer") == entry["chosen_layer"]
        assert s.find_elements("css selector", "line.chosen-ci"), "the reported score's interval is drawn"
    screenshot(browser, "model-page.png")


def test_downloads_hold_exactly_the_rows_in_view(browser, site):
    """Over HTTP this time (brainbench leaderboard serve), the way a hosted site is read."""
    from brainbench.commands.leaderboard import make_server

    server = make_server(site["dir"], port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        _open(browser, f"http://127.0.0.1:{port}/#/?training=untrained&sort=b%3Aallen_np.VISp.ridge&dir=desc")
        in_view = visible_models(browser)
        assert in_view and all(site["models"][n]["training"] == "untrained" for n in in_view)
        # columns: the benchmarks of the board in view (vision by default)
        assert {site["models"][n]["modality"] for n in in_view} == {"vision"}
        columns = [b["id"] for b in site["data"]["benchmarks"] if b["modality"] == "vision"]

        rows = list(csv.DictReader(io.StringIO(_download(browser, "download-csv", "brainbench-leaderboard.csv"))))
        assert list(dict.fromkeys(r["model"] for r in rows)) == in_view
        assert len(rows) == len(in_view) * len(columns)
        for r in rows:
            ranked = summary(site, r["model"])["rank"]
            assert r["ranked_by"] == "overall" and r["rank"] == ("" if ranked["rank"] is None else str(ranked["rank"]))
            assert r["ranked_value"] == ("" if ranked["value"] is None else str(ranked["value"]))
            assert r["ranked_ci95_low"] == ("" if ranked["ci95"] is None else str(ranked["ci95"][0]))
            assert r["tied_with_next"] == {True: "true", False: "false", None: ""}[ranked["tied_with_next"]]
            entry = site["models"][r["model"]]["scores"].get(r["benchmark"])
            if entry and entry["ceiled"] is None:  # no ceiling (NH2015): empty ceiled, the raw score's interval
                assert r["status"] == "scored" and r["ceiled"] == "" and float(r["raw"]) == pytest.approx(entry["raw"], abs=1e-6)
                assert float(r["ci95_low"]) == pytest.approx(entry["ci95_stimuli"]["raw"][0], abs=1e-6) and r["ci95_over"] == "stimuli"
            elif entry:
                assert r["status"] == "scored" and float(r["ceiled"]) == pytest.approx(entry["ceiled"], abs=1e-6) and float(r["raw"]) == pytest.approx(entry["raw"], abs=1e-6)
                assert float(r["ci95_low"]) == pytest.approx(entry["ci95_stimuli"]["ceiled"][0], abs=1e-6)
            else:
                assert r["ceiled"] == "" and r["status"] in ("not run", "failed", "n/a")

        doc = json.loads(_download(browser, "download-json", "brainbench-leaderboard.json"))
        assert [m["name"] for m in doc["models"]] == in_view
        assert doc["view"]["training"] == "untrained" and doc["ranking"]["by"] == "overall"
        assert [m["rank"] for m in doc["models"]] == [summary(site, n)["rank"] for n in in_view]

        bib = _download(browser, "download-bibtex", "brainbench-leaderboard.bib")
        assert site["data"]["datasets"]["allen_np"]["card"]["bibtex"].strip().splitlines()[0] in bib
        for name in in_view:
            if site["models"][name]["card"].get("bibtex"):
                assert site["models"][name]["card"]["bibtex"].strip() in bib
        assert "evil" not in bib, "only the models in view"
    finally:
        server.shutdown()
        server.server_close()


def _download(browser, button_id, filename) -> str:
    target = browser.downloads / filename
    if target.exists():
        target.unlink()
    browser.find_element("id", button_id).click()
    _wait(lambda: target.exists() and not list(browser.downloads.glob("*.crdownload")) and target.stat().st_size > 0)
    return target.read_text()


def test_submitted_strings_render_as_text_everywhere(browser, site):
    from selenium.common.exceptions import NoAlertPresentException

    _open(browser, site["url"])
    row = next(r for r in browser.find_elements("css selector", "tr.model-row") if r.get_attribute("data-model") == XSS_NAME)
    link = row.find_element("css selector", "a.model-link")
    assert link.text == XSS_NAME
    assert not browser.find_elements("css selector", "#app img")
    link.click()
    _wait(lambda: browser.find_elements("css selector", "h1.model-name"))
    assert browser.find_element("css selector", "h1.model-name").text == XSS_NAME
    card = _wait(lambda: browser.find_elements("id", "model-card"))[0]
    assert "<b>bold</b><script>window.pwned = 1</script>" in card.text
    assert not card.find_elements("css selector", "b, script")
    assert "<img src=y onerror=alert(3)>" in browser.find_element("css selector", "pre.bibtex").text
    # the reproduce command is shell-quoted, so copying it runs brainbench, not a redirection
    assert browser.find_element("css selector", "#reproduce pre").text.startswith(f"brainbench score --model '{XSS_NAME}'")
    _open(browser, site["url"] + "#/benchmark/allen_np.VISp.ridge")
    labels = [t.text for t in browser.find_elements("css selector", "svg.distribution text.model-label")]
    assert XSS_NAME in labels
    assert not browser.find_elements("css selector", "#app img")
    assert browser.execute_script("return window.pwned") is None
    with pytest.raises(NoAlertPresentException):
        _ = browser.switch_to.alert.text  # raises: no script opened an alert


def test_benchmark_page_shows_data_card_ceiling_and_every_models_score(browser, site):
    bench = "allen_np.VISam.ridge"
    _open(browser, site["url"] + "#/benchmark/" + bench)
    info = next(b for b in site["data"]["benchmarks"] if b["id"] == bench)
    card = site["data"]["datasets"]["allen_np"]["card"]
    data_card = browser.find_element("id", "data-card").text
    assert card["species"] in data_card and card["title"] in data_card and str(info["n_neuroids"]) in data_card
    ceiling = browser.find_element("id", "ceiling").text
    assert f"{info['ceiling']:.3f}" in ceiling and site["data"]["metrics"]["ridge"]["config"]["ceiling"] in ceiling
    scored = {n for n, m in site["models"].items() if bench in m["scores"]}
    dots = browser.find_elements("css selector", "svg.distribution g.model-dot")
    assert {d.get_attribute("data-model") for d in dots} == scored
    # best first, as in the data
    assert [d.get_attribute("data-model") for d in dots][0] == max(scored, key=lambda n: site["models"][n]["scores"][bench]["ceiled"])
    # read, not hover: the numbers are in a table beside the plot, best first, every model of the modality
    rows = browser.find_elements("css selector", "#score-table tbody tr")
    assert [r.get_attribute("data-model") for r in rows if r.get_attribute("data-status") == "scored"] == sorted(
        scored, key=lambda n: (-site["models"][n]["scores"][bench]["ceiled"], n))
    best = rows[0].find_elements("css selector", "td")
    entry = site["models"][rows[0].get_attribute("data-model")]["scores"][bench]
    assert best[1].text.startswith(f"{r6(entry['ceiled']):.3f}") and best[2].text == "[{:.3f}, {:.3f}]".format(*map(r6, entry["ci95_stimuli"]["ceiled"]))
    partial = next(r for r in rows if r.get_attribute("data-model") == "partial_untrained")
    assert partial.get_attribute("data-status") == "failed" and "boom" in partial.text


def test_a_group_collapses_to_its_mean_and_back(browser, site):
    _open(browser, site["url"])

    def region_columns():
        return [b.get_attribute("data-sort") for b in browser.find_elements("css selector", "button.sort") if b.get_attribute("data-sort").startswith("b:allen_np.")]

    allen = [b for b in next(g for g in site["data"]["groups"] if g["id"] == "allen_np.ridge")["benchmarks"]]
    assert region_columns() == ["b:" + b for b in allen]
    browser.find_element("css selector", 'button.group-toggle[data-group="allen_np.ridge"]').click()
    assert region_columns() == [] and "toggle=allen_np.ridge" in browser.current_url
    assert browser.find_elements("css selector", 'button.sort[data-sort="g:allen_np.ridge"]'), "the mean stays, sortable"
    browser.find_element("css selector", 'button.group-toggle[data-group="allen_np.ridge"]').click()
    assert region_columns() == ["b:" + b for b in allen] and "toggle" not in browser.current_url


def _signed(x: float) -> str:
    """A number as the page writes a signed value (a real minus sign)."""
    return ("+" if x >= 0 else "\u2212") + f"{abs(x):.3f}"


def test_model_page_shows_overall_score_hierarchy_and_pathways(browser, site):
    """Read, not hover: the overall score per dataset, the hierarchy plot and its table, the pathway plot and its table,
    each equal to the model file the builder wrote (which the Python tests pin to brainbench.analysis)."""
    name = "bakhtiari_like"
    detail = json.loads((site["dir"] / summary(site, name)["detail_json"]).read_text())
    _open(browser, site["url"] + "#/model/" + quote(name))
    overall = _wait(lambda: browser.find_elements("id", "overall"))[0]
    rows = {r.get_attribute("data-dataset"): r.find_elements("css selector", "td") for r in overall.find_elements("css selector", "tbody tr")}
    for dataset, d in detail["ranking"]["overall"]["datasets"].items():
        assert rows[dataset][1].text == f"{d['value']:.3f}" and rows[dataset][2].text == fmt_ci(d["ci95"])
    assert detail["ranking"]["overall"]["definition"] in overall.text

    for key, h in detail["hierarchy"].items():
        block = browser.find_element("css selector", f'.hierarchy-block[data-key="{key}"]')
        points = block.find_elements("css selector", "svg.hierarchy-plot g.region-point")
        assert [p.get_attribute("data-region") for p in points] == h["regions"], "x: the regions in hierarchy order"
        assert [float(p.get_attribute("data-depth")) for p in points] == pytest.approx([h["depth"][r] for r in h["regions"]])
        assert len(block.find_elements("css selector", "line.depth-ci")) == sum(h["depth_ci95"][r] is not None for r in h["regions"])
        table = {r.get_attribute("data-region"): [c.text for c in r.find_elements("css selector", "td")] for r in block.find_elements("css selector", "table.hierarchy-table tbody tr")}
        for region in h["regions"]:
            assert table[region][1:3] == [h["best_layer"][region], f"{h['depth'][region]:.2f}"]
        text = block.find_element("css selector", "p.rho").text
        if h["rho"] is None:
            assert text.startswith("Spearman ρ undefined") and h["note"] in text
        else:
            assert f"ρ = {_signed(h['rho'])}" in text and f"p = {h['p_permutation']:.4f}" in text
    assert "along its own pathway" in browser.find_element("id", "hierarchy").text

    analysis = detail["analyses"]["pathways"]["early-vs-late"]
    block = browser.find_element("css selector", '.pathway-block[data-key="early-vs-late"]')
    marks = block.find_elements("css selector", "svg.pathway-plot [data-benchmark]")
    assert len(marks) == 2 * len(analysis["comparison"]), "both pathways on every benchmark"
    for row, want in zip(block.find_elements("css selector", "table.pathway-table tbody tr"), analysis["comparison"]):
        cells = row.find_elements("css selector", "td")
        assert row.get_attribute("data-benchmark") == want["benchmark"]
        assert float(row.get_attribute("data-d")) == pytest.approx(want["stimuli"]["difference"])
        assert cells[3].text == fmt_ci(want["stimuli"]["ci95"]) and cells[6].text == "early > late"
    (interaction,) = analysis["interactions"]
    row = block.find_element("css selector", 'table.interaction-table tbody tr[data-family="allen_np.ridge"]')
    cells = row.find_elements("css selector", "td")
    assert cells[1].text == _signed(interaction["interaction"]) and cells[2].text == fmt_ci(interaction["ci95"])
    assert "ventral: VISl" in cells[4].text and "Wang, Sporns & Burkhalter 2012" in block.find_element("css selector", "table.interaction-table caption").text
    screenshot(browser, "model-hierarchy-pathways.png")


def test_benchmark_page_says_how_well_it_separates_models(browser, site):
    for bench in ("allen_np.VISp.ridge", "allen_2p_rdm.VISp_layer5.rsa", "nh2015.pitch.ridge"):
        info = next(b for b in site["data"]["benchmarks"] if b["id"] == bench)["discriminability"]
        _open(browser, site["url"] + "#/benchmark/" + bench)
        text = browser.find_element("id", "discriminability").text
        assert f"{info['n_separated']} of {info['n_pairs']} ({round(100 * info['fraction_separated'])}%)" in text
        assert f"{info['spread_over_ci']:.2f} (standard deviation of the scores {info['score_sd']:.3f}" in text
        assert ("read a ranking on this benchmark alone with care" in text) == (info["spread_over_ci"] < 1)
        assert site["data"]["methods"]["discriminability"]["method"] in text


def test_about_page_writes_the_definitions(browser, site):
    _open(browser, site["url"] + "#/about")
    text = browser.find_element("id", "app").text
    methods = site["data"]["methods"]
    assert f"Definition (version {methods['overall']['version']}): {methods['overall']['definition']}" in text
    assert methods["ties"] in text and methods["hierarchy"]["method"] in text and methods["pathways"]["method"] in text
    assert "audio: ranked by nh2015 (raw r2" in text and "Vision and audio are separate leaderboards" in text
