"""The leaderboard site at a thousand models: data size, first render, sort and search, in headless Chromium.

    python benchmarks/site_scale.py [--models 1000] [--repeats 5] [--keep DIR]

Generates N synthetic result files from the built-in ones (each benchmark's scores, intervals, layer
profile and stored bootstrap resamples shifted by a random amount, ceiled = raw / ceiling kept exact, each
model's resamples given a little noise of their own so that paired tests are not trivial; the best-layer
resamples are the template's; 80% vision, 20% audio models), builds the site (ranking, overall intervals
and ties, group means, discriminability of every benchmark and the hierarchy analysis of every model, all
at build time), opens it from file:// in Debian's chromium (the flags the browser tests use) and prints:

  build                   seconds to build the site, and of that the analyses (ranking, means, discriminability, hierarchy)
  data.js size            bytes of the table data (goal < 3 MB)
  first render            navigation start -> the table drawn (performance mark at the end of the route), ms (goal < 1000)
  sort                    click on a column's sort button -> rows reordered and laid out (forced layout), ms (goal < 100)
  search keystroke        one typed character: the input handler (the filter itself runs 150 ms later, debounced), ms (goal < 50)
  search filter           the debounced filter applied to every row, with layout, ms (reported; not a keystroke)
  DOM nodes               elements in the page after the first render
  model page              navigation -> the model page with its detail file loaded and drawn, ms

Timings are the median of --repeats runs (the machine is shared). Not a unit test: it prints figures.
"""
from __future__ import annotations

import argparse
import base64
import copy
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import goal  # noqa: E402

from brainbench.leaderboard import build_site, builtin_results_dir  # noqa: E402

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
TEMPLATES = {"vision": "efficientnet_lite0", "audio": "spectrotemporal"}
TRAININGS = ["supervised", "self-supervised", "untrained", "baseline"]


def _shift(entry: dict, delta: float, rng: random.Random | None = None, noise: float = 0.01) -> None:
    """Move a score entry's raw score, interval, profile and stored resamples by ``delta`` (on the raw scale),
    keeping it consistent; the resamples also get independent noise (sd ``noise``, seeded by ``rng``)."""
    ceiling = entry.get("ceiling")
    entry["raw"] += delta
    if ceiling is not None:
        entry["ceiled"] = entry["raw"] / ceiling
    for source in ("ci95_stimuli", "ci95_subjects"):
        block = entry.get(source)
        if block:
            block["raw"] = [v + delta for v in block["raw"]]
            if ceiling is not None:
                block["ceiled"] = [v / ceiling for v in block["raw"]]
    for point in (entry.get("layer_profile") or {}).values():
        if point.get("raw") is not None:
            point["raw"] += delta
            if ceiling is not None:
                point["ceiled"] = point["raw"] / ceiling
    _shift_resamples(entry.get("bootstrap"), delta / ceiling if ceiling is not None else delta, rng, noise)


def _shift_resamples(boot: dict | None, delta: float, rng: random.Random | None, noise: float) -> None:
    import numpy as np

    from brainbench import bootstrap

    generator = np.random.default_rng(rng.getrandbits(32) if rng else 0)
    for source in ("stimuli", "subjects"):
        block = (boot or {}).get(source)
        if block:
            values = bootstrap.decode(block["samples"]) + delta
            block["samples"] = bootstrap.encode(values + generator.normal(0, noise, values.shape))


def bootstrap_block(entry: dict, rng: random.Random, n: int = 1000, spread: float = 0.03, subjects: bool = True) -> dict:
    """Synthetic bootstrap samples around an entry's score (seed 0 for stimuli, 1 for subjects)."""
    import numpy as np

    statistic = "ceiled" if entry.get("ceiling") is not None else "raw"
    center = entry[statistic]

    def samples(seed):
        values = np.asarray([center + rng.gauss(0, spread) for _ in range(n)], dtype="<f4")
        return {"seed": seed, "n": n, "samples": base64.b64encode(values.tobytes()).decode("ascii")}

    return {"statistic": statistic, "encoding": "float32-le-base64", "stimuli": samples(0),
            "subjects": samples(1) if subjects and entry.get("ci95_subjects") else None}


def synthetic_results(folder: Path, n_models: int, seed: int = 0, bootstrap: bool = False) -> list[str]:
    """Write ``n_models`` result files to ``folder``; returns their model names."""
    rng = random.Random(seed)
    builtin = builtin_results_dir()
    templates = {m: json.loads((builtin / f"{name}.json").read_text()) for m, name in TEMPLATES.items()}
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for i in range(n_models):
        modality = "vision" if i % 5 else "audio"
        document = copy.deepcopy(templates[modality])
        name = f"synthetic_{modality}_{i:04d}"
        document["model"].update(name=name, training=TRAININGS[i % 4], weights_sha256=f"{i:064x}")
        level = rng.uniform(-0.15, 0.15)
        for entry in document["scores"]:
            _shift(entry, level + rng.gauss(0, 0.02), rng)
            if bootstrap:
                entry["bootstrap"] = bootstrap_block(entry, rng)
        (folder / f"{name}.json").write_text(json.dumps(document))
        names.append(name)
    return names


def _analyses_seconds(results: Path) -> dict:
    """Seconds of each analysis the build runs, timed again on their own (the build interleaves them)."""
    from brainbench import leaderboard as lb
    from brainbench.registry import default_registry

    registry = default_registry()
    collected = lb.collect_results([results])
    data = lb.site_data(collected, registry)  # warm: registry and imports
    results_ = {n: lb.analysis_result(r) for n, r in collected.models.items()}
    times = {}
    t = time.perf_counter()
    lb.rankings(list(results_.values()), registry)
    times["ranking"] = time.perf_counter() - t
    t = time.perf_counter()
    registries = lb.group_registries(data["groups"], registry)
    for name, record in collected.models.items():
        lb.group_means(record, results_[name], data["groups"], registries)
    times["group means"] = time.perf_counter() - t
    t = time.perf_counter()
    for b in data["benchmarks"]:
        lb.benchmark_discriminability(b["id"], list(results_.values()))
    times["discriminability"] = time.perf_counter() - t
    t = time.perf_counter()
    for name, record in collected.models.items():
        lb.model_hierarchies(record, results_[name], registry)
    times["hierarchy"] = time.perf_counter() - t
    times["total"] = sum(times.values())
    return times


def _browser(profile: str):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("BRAINBENCH_CHROMIUM") or shutil.which("chromium")
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={profile}", "--window-size=1500,1000"]:
        options.add_argument(flag)
    driver_path = os.environ.get("BRAINBENCH_CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=Service(driver_path), options=options)


def _wait(condition, timeout=60.0):
    end = time.time() + timeout
    while time.time() < end:
        if condition():
            return
        time.sleep(0.01)
    raise RuntimeError("timed out waiting for the page")


def _rendered(driver) -> float | None:
    return driver.execute_script("const m = performance.getEntriesByName('brainbench-rendered'); return m.length ? m[0].startTime : null")


SORT_JS = """
const button = document.querySelector('button.sort[data-sort="' + arguments[0] + '"]');
const t = performance.now(); button.click(); document.body.offsetHeight; return performance.now() - t;"""
KEY_JS = """
const box = document.getElementById('search'); box.focus();
const t = performance.now(); box.value += arguments[0];
box.dispatchEvent(new InputEvent('input', {bubbles: true, data: arguments[0]})); document.body.offsetHeight; return performance.now() - t;"""
FILTER_JS = """
const box = document.getElementById('search');
const t = performance.now(); box.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true})); document.body.offsetHeight;
return performance.now() - t;"""


def measure(site: Path, repeats: int) -> dict:
    url = (site / "index.html").as_uri()
    profile = tempfile.mkdtemp(prefix="lb-scale-profile-")
    driver = _browser(profile)
    try:
        first, sort, keys, filters, pages = [], [], [], [], []
        nodes = 0
        for _ in range(repeats):
            driver.get("about:blank")  # a real load every time (the same URL again would only change the hash)
            driver.get(url + "#/")
            _wait(lambda: _rendered(driver) is not None)
            first.append(_rendered(driver))
            nodes = driver.execute_script("return document.getElementsByTagName('*').length")
            for key in ("b:allen_np.VISp.ridge", "name", "overall"):
                sort.append(driver.execute_script(SORT_JS, key))
            for char in "syn":
                keys.append(driver.execute_script(KEY_JS, char))
            filters.append(driver.execute_script(FILTER_JS))
            name = driver.execute_script("return document.querySelector('#leaderboard tr.model-row:not([hidden])').getAttribute('data-model')")
            driver.execute_script("performance.clearMarks('brainbench-rendered'); window.T0 = performance.now(); location.hash = '#/model/' + encodeURIComponent(arguments[0])", name)
            _wait(lambda: driver.execute_script("return !!document.querySelector('#layer-profiles')"))
            pages.append(driver.execute_script("return performance.now() - window.T0"))
        return {"first_ms": statistics.median(first), "sort_ms": statistics.median(sort), "sort_max_ms": max(sort),
                "key_ms": statistics.median(keys), "key_max_ms": max(keys), "filter_ms": statistics.median(filters),
                "nodes": nodes, "model_page_ms": statistics.median(pages)}
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep", help="build the site in this folder and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="lb-scale-"))
    try:
        t = time.perf_counter()
        synthetic_results(work / "results", args.models)
        generate_s = time.perf_counter() - t
        t = time.perf_counter()
        site, data = build_site([work / "results"], Path(args.keep) if args.keep else work / "site", include_builtin=False)
        build_s = time.perf_counter() - t
        analyses_s = _analyses_seconds(work / "results")
        size = (site / "data.js").stat().st_size
        figures = measure(site, args.repeats)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(data['models'])} models, {len(data['benchmarks'])} benchmarks (generated in {generate_s:.1f} s)")
    print(f"build:            {build_s:.1f} s, of which the analyses {analyses_s['total']:.1f} s (" + ", ".join(f"{k} {v:.1f} s" for k, v in analyses_s.items() if k != "total") + ")")
    tied = sum(bool(m["rank"]["tied_with_next"]) for m in data["models"])
    separated = [b["discriminability"].get("fraction_separated") for b in data["benchmarks"]]
    print(f"answers:          {sum(m['rank']['rank'] is not None for m in data['models'])} models ranked, {tied} tied with the next; "
          f"pairs separated per benchmark {min(x for x in separated if x is not None):.0%}-{max(x for x in separated if x is not None):.0%}")
    print(f"data.js:          {size / 1e6:.2f} MB   {goal(size / 1e6, 3, '<=')}")
    print(f"first render:     {figures['first_ms']:.0f} ms   {goal(figures['first_ms'], 1000, '<=')}")
    print(f"sort:             {figures['sort_ms']:.0f} ms median, {figures['sort_max_ms']:.0f} ms max   {goal(figures['sort_max_ms'], 100, '<=')}")
    print(f"search keystroke: {figures['key_ms']:.1f} ms median, {figures['key_max_ms']:.1f} ms max   {goal(figures['key_max_ms'], 50, '<=')}")
    print(f"search filter:    {figures['filter_ms']:.0f} ms (debounced, 150 ms after the last keystroke)")
    print(f"DOM nodes:        {figures['nodes']}")
    print(f"model page:       {figures['model_page_ms']:.0f} ms (detail file loaded on demand)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
