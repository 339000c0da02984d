/* brainbench leaderboard: a static, dependency-free page over window.BRAINBENCH_DATA (written by
 * `brainbench leaderboard build`), with each model's details in models/<id>.js, loaded on demand.
 *
 * Security rules: every string from a result file (model names, cards, errors, bibtex) is untrusted.
 * The page is built only with createElement / createTextNode / setAttribute; innerHTML is never used.
 * Names are keys of Map objects (never of plain objects), so no name can reach Object.prototype.
 *
 * Routes (in the URL hash, so the state is shareable and works from file://):
 *   #/?q=&modality=&training=a,b&metric=&ci=&sort=&dir=&toggle=   the main table
 *   #/model/<name>   #/benchmark/<id>   #/compare/<name>,<name>[,...]   #/benchmarks   #/about
 *
 * Extending: a new table column is one entry in FIXED_COLUMNS; a new section of the model or
 * benchmark page is one function in MODEL_SECTIONS or BENCHMARK_SECTIONS.
 */
(function () {
  "use strict";

  const DATA = window.BRAINBENCH_DATA;
  const SVGNS = "http://www.w3.org/2000/svg";
  const TRAININGS = ["supervised", "self-supervised", "untrained", "baseline"];
  const PALETTE = ["#0072b2", "#c45100", "#00845f", "#b8558f", "#8f6a00", "#3f8fc4", "#7a5195", "#666666"];
  // one leaderboard per modality (vision and audio are never ranked together): the table always shows one
  const MODALITIES = DATA ? Array.from(new Set(DATA.models.map((m) => m.modality).concat(DATA.groups.map((g) => g.modality)))).sort((a, b) =>
    (a === "vision" ? -1 : b === "vision" ? 1 : a === "audio" ? -1 : b === "audio" ? 1 : a < b ? -1 : 1)) : [];
  const DEFAULT_STATE = { q: "", modality: MODALITIES[0] || "", training: "", metric: "", ci: "stimuli", sort: "overall", dir: "desc", toggle: "" };
  const COLLAPSE_ABOVE = 8; // groups with more benchmarks than this start collapsed to their mean
  const SEARCH_DELAY_MS = 150;
  const PAGE_ROWS = 50; // the table shows this many rows, more on request (sorting and search cover every model)
  const PLOT_ROWS_MAX = 40; // the score plot of a benchmark shows the best 40; its table shows every model
  const AXIS_LIMITS = [-1, 1.5]; // plots never stretch beyond this, whatever a value is
  const Z95 = 1.959964; // the 97.5% normal quantile, as the compare view documents it
  const has = (obj, key) => obj !== null && obj !== undefined && Object.prototype.hasOwnProperty.call(obj, key);

  // ---------------------------------------------------------------------------------------------
  // DOM helpers (text only: strings become text nodes, never markup)
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    setAttrs(node, attrs);
    children.forEach((c) => append(node, c));
    return node;
  }
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVGNS, tag);
    setAttrs(node, attrs);
    children.forEach((c) => append(node, c));
    return node;
  }
  function setAttrs(node, attrs) {
    if (!attrs) return;
    for (const k of Object.keys(attrs)) {
      const v = attrs[k];
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = String(v);
      else if (k.slice(0, 2) === "on" && typeof v === "function") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k === "className" ? "class" : k, String(v));
    }
  }
  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach((c) => append(node, c)); return; }
    node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
  const isNum = (x) => typeof x === "number" && isFinite(x);
  const fmt = (x, digits) => (isNum(x) ? Number(x).toFixed(digits === undefined ? 3 : digits) : "—");
  const fmtCI = (ci) => (ci ? "[" + fmt(ci[0]) + ", " + fmt(ci[1]) + "]" : "");
  const fmtP = (p) => (!isNum(p) ? "—" : p < 1e-4 ? "< 0.0001" : p.toFixed(4));
  const modelHref = (name) => "#/model/" + encodeURIComponent(name);
  const benchHref = (id) => "#/benchmark/" + encodeURIComponent(id);
  const compareHref = (names) => "#/compare/" + names.map(encodeURIComponent).join(",");
  const isText = (x) => typeof x === "string" && x.length > 0;
  const unique = (xs) => Array.from(new Set(xs));
  function asText(x) {
    if (x === null || x === undefined) return "";
    if (typeof x === "number") return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
    if (Array.isArray(x)) return x.map(asText).join(", ");
    if (typeof x === "object") return Object.keys(x).map((k) => k + ": " + (typeof x[k] === "object" && x[k] !== null && !Array.isArray(x[k]) ? "{" + asText(x[k]) + "}" : asText(x[k]))).join("; ");
    return String(x);
  }
  function setTitle(...parts) { document.title = parts.concat(["brainbench"]).join(" · "); }

  // ---------------------------------------------------------------------------------------------
  // Data access
  const BENCH = new Map(), BENCH_INDEX = new Map(), MODELS = new Map(), GROUPS = new Map();
  const DATASETS = new Map(Object.entries((DATA && DATA.datasets) || {}));
  const METRICS = new Map(Object.entries((DATA && DATA.metrics) || {}));
  if (DATA) {
    DATA.benchmarks.forEach((b, i) => { BENCH.set(b.id, b); BENCH_INDEX.set(b.id, i); });
    DATA.models.forEach((m) => MODELS.set(m.name, m));
    DATA.groups.forEach((g) => GROUPS.set(g.id, g));
  }
  const pair = (lo, hi) => (isNum(lo) && isNum(hi) ? [lo, hi] : null);

  /** Why a benchmark has no interval over subjects (the page then shows the stimulus interval, and says so). */
  function noSubjectsReason(b) {
    return b && b.n_subjects === 1 ? "this benchmark has one subject" : "this benchmark has no interval over subjects";
  }

  /** One cell: status scored | invalid | failed | not run | n/a; value = ceiled, or raw where there is no ceiling.
   * ci is over the requested source, or over stimuli with `fallback` saying why. */
  function cell(model, id, ciKind) {
    const b = BENCH.get(id), c = BENCH_INDEX.has(id) ? model.cells[BENCH_INDEX.get(id)] : null;
    if (c && c[0] === "scored") {
      const stimuli = pair(c[4], c[5]), subjects = pair(c[6], c[7]);
      let ci = stimuli, source = stimuli ? "stimuli" : null, fallback = null;
      if (ciKind === "subjects") {
        if (subjects) { ci = subjects; source = "subjects"; } else if (stimuli) fallback = noSubjectsReason(b);
      }
      return { status: "scored", value: c[1], raw: c[2], ceiling: isNum(c[3]) ? c[3] : null, ceiled: isNum(c[3]), ci: ci, source: source, fallback: fallback, layer: c[8] || null, flags: c[9] || null };
    }
    if (c) return { status: c[0], value: null, message: c[1] };
    if (b && b.modality !== model.modality) return { status: "n/a", value: null };
    return { status: "not run", value: null };
  }
  function groupMean(model, gid) { return has(model.means, gid) ? model.means[gid] : null; }
  const RANKINGS = new Map(Object.entries((DATA && DATA.rankings) || {}));
  const METHODS = (DATA && DATA.methods) || {};
  const board = (modality) => RANKINGS.get(modality) || { by: "overall", by_dataset: null, ceiled_datasets: [], raw_datasets: [], n_ranked: 0, n_models: 0, alpha: 0.05 };
  /** The mean of a dataset's default benchmarks (the dataset's value in the overall score), from the model's group means. */
  function datasetMean(model, dataset) {
    const ds = DATASETS.get(dataset);
    return ds ? groupMean(model, dataset + "." + ds.default_metric) : null;
  }
  /** What the ranked score covers: the datasets it averages (ceiled) or the raw dataset it is, and what is missing. */
  function coverage(model) {
    const b = board(model.modality), names = b.by_dataset ? [b.by_dataset] : b.ceiled_datasets;
    const parts = names.map((d) => ({ dataset: d, mean: datasetMean(model, d) }));
    const counted = parts.filter((p) => p.mean && p.mean.value !== null);
    const missing = parts.filter((p) => !p.mean || p.mean.value === null).map((p) => {
      const m = p.mean;
      if (!m || !m.scored) return p.dataset + " (not scored)";
      const why = [m.invalid ? m.invalid + " invalid" : "", m.failed ? m.failed + " failed" : "", m.applicable - m.scored - (m.invalid || 0) - (m.failed || 0) > 0 ? (m.applicable - m.scored - (m.invalid || 0) - (m.failed || 0)) + " not run" : ""].filter(isText);
      return p.dataset + " (" + m.scored + "/" + m.applicable + " regions; " + why.join(", ") + ")";
    });
    return { names: names, counted: counted.length, total: names.length, missing: missing };
  }
  /** The board's ranked score in words: "overall" (ceiled datasets) or the raw dataset it is ranked by. */
  function rankedLabel(modality) {
    const b = board(modality);
    return b.by_dataset ? b.by_dataset + " (raw)" : "overall";
  }
  function rankedTitle(modality) {
    const b = board(modality), o = METHODS.overall || {};
    return b.by_dataset
      ? "ranked by " + b.by_dataset + ", raw " + scoreNameOf(b.by_dataset) + ": this dataset has no noise ceiling, so it is never averaged with ceiled scores; mean over its regions" +
        (((DATASETS.get(b.by_dataset) || {}).derived_regions || []).length ? " (" + DATASETS.get(b.by_dataset).derived_regions.join(", ") + ", a summary of the others, left out)" : "") + ", 95% CI over stimulus resamples"
      : "overall score, definition v" + (o.version || "?") + ": " + (o.definition || "");
  }
  function scoreNameOf(dataset) {
    const b = DATA.benchmarks.find((x) => x.dataset === dataset && x.score_name);
    return b ? b.score_name : "score";
  }

  // Per-model details (card, layer profiles, bootstrap samples): models/<id>.js calls window.BRAINBENCH_MODEL(detail)
  const DETAILS = new Map(); // name -> Promise
  const ARRIVED = new Map(); // name -> detail object (set by the script)
  window.BRAINBENCH_MODEL = function (detail) { if (detail && typeof detail.name === "string") ARRIVED.set(detail.name, detail); };
  function loadDetail(model) {
    if (DETAILS.has(model.name)) return DETAILS.get(model.name);
    const promise = new Promise((resolve, reject) => {
      if (ARRIVED.has(model.name)) { resolve(ARRIVED.get(model.name)); return; }
      const script = document.createElement("script");
      script.src = model.detail;
      script.onload = () => (ARRIVED.has(model.name) ? resolve(ARRIVED.get(model.name)) : reject(new Error(model.detail + " did not describe " + model.name)));
      script.onerror = () => reject(new Error("could not load " + model.detail + " (rebuild the site with `brainbench leaderboard build`)"));
      document.head.appendChild(script);
    });
    DETAILS.set(model.name, promise);
    promise.catch(() => DETAILS.delete(model.name));
    return promise;
  }

  // ---------------------------------------------------------------------------------------------
  // Paired bootstrap differences (the compare view)
  /** Base64 of little-endian float32 values -> Float64Array. */
  function decodeFloat32(base64) {
    const bytes = atob(base64), view = new DataView(new ArrayBuffer(bytes.length));
    for (let i = 0; i < bytes.length; i++) view.setUint8(i, bytes.charCodeAt(i));
    const out = new Float64Array(bytes.length >> 2);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }
  /** erfc(x) for x >= 0 (Chebyshev fit, relative error < 1.2e-7). */
  function erfc(x) {
    const t = 1 / (1 + 0.5 * x);
    return t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
      t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  }
  /** The arithmetic of the compare view, for one resampling source over the benchmarks shown.
   * rows: [{d: A's point score - B's, a: A's bootstrap samples, b: B's (same resamples)}].
   * Per row: d_b = a_b - b_b over the b where both are finite; se = std(d_b, ddof=1); 95% CI d +- 1.959964 se;
   * two-sided p = 2 (1 - Phi(|d| / se)); then Holm's step-down adjustment over the rows. */
  function pairedDifferences(rows) {
    const out = rows.map((r) => {
      const diffs = [];
      for (let i = 0; i < Math.min(r.a.length, r.b.length); i++) { const x = r.a[i] - r.b[i]; if (isFinite(x)) diffs.push(x); }
      const n = diffs.length;
      if (n < 2) return { d: r.d, n: n, se: null, lo: null, hi: null, p: null, pHolm: null };
      const mean = diffs.reduce((s, x) => s + x, 0) / n;
      const se = Math.sqrt(diffs.reduce((s, x) => s + (x - mean) * (x - mean), 0) / (n - 1));
      const p = se > 0 ? Math.min(1, erfc(Math.abs(r.d) / se / Math.SQRT2)) : (r.d === 0 ? 1 : 0);
      return { d: r.d, n: n, se: se, lo: r.d - Z95 * se, hi: r.d + Z95 * se, p: p, pHolm: null };
    });
    const tested = out.map((r, i) => i).filter((i) => out[i].p !== null).sort((i, j) => out[i].p - out[j].p);
    let running = 0;
    tested.forEach((i, k) => { running = Math.max(running, Math.min(1, (tested.length - k) * out[i].p)); out[i].pHolm = running; });
    return out;
  }
  window.BRAINBENCH_STATS = { decodeFloat32: decodeFloat32, pairedDifferences: pairedDifferences };

  // ---------------------------------------------------------------------------------------------
  // Routing, URL state, scroll memory
  function parseHash() {
    const h = location.hash.replace(/^#\/?/, "");
    const q = h.indexOf("?");
    const path = q >= 0 ? h.slice(0, q) : h, query = q >= 0 ? h.slice(q + 1) : "";
    const params = new URLSearchParams(query), state = {};
    Object.keys(DEFAULT_STATE).forEach((k) => { state[k] = params.has(k) ? params.get(k) : DEFAULT_STATE[k]; });
    if (state.sort === "avg") state.sort = "overall"; // links made before the overall column had its name
    if (MODALITIES.indexOf(state.modality) < 0) state.modality = DEFAULT_STATE.modality; // "all modalities" is gone: one board at a time
    const raw = path.split("/");
    const decode = (p) => { try { return decodeURIComponent(p); } catch (e) { return p; } };
    return { page: decode(raw[0] || ""), rest: raw.slice(1).join("/"), decode: decode, state: state };
  }
  function stateToHash(state) {
    const params = new URLSearchParams();
    Object.keys(DEFAULT_STATE).forEach((k) => { if (state[k] !== DEFAULT_STATE[k] && state[k] !== "") params.set(k, state[k]); });
    const s = params.toString();
    return "#/" + (s ? "?" + s : "");
  }

  const SCROLL = new Map(); // location.hash -> {x, y, tableX, tableY}
  let scrollTicking = false;
  function rememberScroll() {
    if (scrollTicking) return;
    scrollTicking = true;
    requestAnimationFrame(() => {
      scrollTicking = false;
      const wrap = document.querySelector(".table-wrap");
      SCROLL.set(location.hash, { x: window.scrollX, y: window.scrollY, tableX: wrap ? wrap.scrollLeft : 0, tableY: wrap ? wrap.scrollTop : 0 });
    });
  }
  function restoreScroll() {
    const saved = SCROLL.get(location.hash);
    const wrap = document.querySelector(".table-wrap");
    if (wrap && saved) { wrap.scrollLeft = saved.tableX; wrap.scrollTop = saved.tableY; }
    window.scrollTo(saved ? saved.x : 0, saved ? saved.y : 0);
  }

  let firstRoute = true;
  function route() {
    const app = document.getElementById("app");
    app.textContent = "";
    if (!DATA) {
      app.appendChild(el("p", { className: "problem" }, "No data: data.js is missing or failed to load. Run `brainbench leaderboard build` and open the index.html it writes."));
      return;
    }
    const r = parseHash(), page = r.page;
    document.querySelectorAll("nav a").forEach((a) => {
      const active = a.getAttribute("data-nav") === (page === "" ? "table" : page === "benchmark" ? "benchmarks" : page);
      a.classList.toggle("active", active);
      if (active) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    });
    if (page === "model") renderModel(app, r.decode(r.rest));
    else if (page === "benchmark") renderBenchmark(app, r.decode(r.rest));
    else if (page === "compare") renderCompare(app, r.rest.split(",").filter((p) => p !== "").map(r.decode));
    else if (page === "benchmarks") renderBenchmarkList(app);
    else if (page === "about") renderAbout(app);
    else renderTable(app, r.state);
    restoreScroll();
    performance.mark("brainbench-rendered");
    if (!firstRoute) { const h1 = app.querySelector("h1"); if (h1) { h1.setAttribute("tabindex", "-1"); h1.focus({ preventScroll: true }); } }
    firstRoute = false;
  }

  // ---------------------------------------------------------------------------------------------
  // Main table
  function visibleGroups(state) {
    return DATA.groups.filter((g) => g.modality === state.modality && (!state.metric || g.metric === state.metric));
  }
  function modelMatches(m, state, trainings, q) {
    if (m.modality !== state.modality) return false;
    if (trainings.length && trainings.indexOf(m.training) < 0) return false;
    return !q || m.name.toLowerCase().indexOf(q) >= 0;
  }
  function visibleModels(state) {
    const q = state.q.trim().toLowerCase(), trainings = state.training ? state.training.split(",") : [];
    return DATA.models.filter((m) => modelMatches(m, state, trainings, q));
  }
  const visibleBenchIds = (groups) => [].concat(...groups.map((g) => g.benchmarks));

  /** The columns every row has, in order. A new column is one entry here: header, sort value, cell. */
  const FIXED_COLUMNS = [
    { key: "rank", label: "#", className: "rank", title: "rank in this modality's leaderboard; = : the paired test does not separate the model from the next one (tied)", cell: rankCell },
    { key: "name", label: "model", className: "name", sort: (m) => m.name.toLowerCase(), ascending: true, cell: nameCell },
    { key: "overall", label: (state) => rankedLabel(state.modality), className: "overall", title: (state) => rankedTitle(state.modality),
      sort: (m) => m.rank.value, cell: overallCell },
    { key: "training", label: "training", className: "training narrow-hide", sort: (m) => m.training, ascending: true,
      cell: (m) => el("td", { className: "training narrow-hide" }, el("span", { className: "tag training-" + m.training }, m.training)) },
  ];

  function sortValue(model, key, state) {
    const column = FIXED_COLUMNS.find((c) => c.key === key && c.sort);
    if (column) return column.sort(model);
    if (key.slice(0, 2) === "g:") { const mean = groupMean(model, key.slice(2)); return mean ? mean.value : null; }
    if (key.slice(0, 2) === "b:") return cell(model, key.slice(2), state.ci).value;
    return null;
  }
  function sortModels(models, state) {
    const dir = state.dir === "asc" ? 1 : -1;
    const keyed = models.map((m) => ({ m: m, v: sortValue(m, state.sort, state) }));
    keyed.sort((a, b) => {
      const missingA = a.v === null || a.v === undefined, missingB = b.v === null || b.v === undefined;
      if (missingA !== missingB) return missingA ? 1 : -1; // missing scores last in either direction
      if (!missingA && a.v !== b.v) return (a.v < b.v ? -1 : 1) * dir;
      return a.m.name < b.m.name ? -1 : a.m.name > b.m.name ? 1 : 0; // ties: by name, the same in every browser
    });
    return keyed.map((k) => k.m);
  }

  const SELECTED = new Set(); // models ticked for the compare view
  let shownRows = PAGE_ROWS; // kept while the page is open, so coming back shows as many rows as before

  const TIED = "tied with the next model (the paired test does not separate them)";
  function rankCell(m) {
    const r = m.rank;
    if (!r.rank) return el("td", { className: "rank", title: "not ranked: no " + rankedLabel(m.modality) + " score" }, "—");
    return el("td", { className: "rank", "data-rank": r.rank, "data-tied": r.tied_with_next ? "yes" : "no", title: r.tied_with_next ? "rank " + r.rank + ", " + TIED : "rank " + r.rank },
      String(r.rank), r.tied_with_next ? el("span", { className: "tie", "aria-hidden": "true" }, "=") : null,
      r.tied_with_next ? el("span", { className: "visually-hidden" }, ", tied with next") : null);
  }
  /** The ranked score: value, 95% interval, tie with the next model, and what it covers. */
  function overallCell(m) {
    const r = m.rank, cov = coverage(m), partial = cov.counted < cov.total;
    const title = [rankedLabel(m.modality) + (r.value === null ? ": none" : " " + fmt(r.value) + " " + fmtCI(r.ci95))];
    if (r.value !== null) title.push("averages " + cov.counted + " of " + cov.total + " datasets" + (partial ? " — not comparable one-to-one with models that have all of them" : ""));
    if (cov.missing.length) title.push("without a value: " + cov.missing.join("; ") + " (a dataset missing a region has no value, never zero)");
    if (r.tied_with_next) title.push(TIED + ": paired p (Holm) " + fmtP(r.p_holm_to_next));
    else if (r.tied_with_next === false) title.push("separated from the next model: paired p (Holm) " + fmtP(r.p_holm_to_next));
    return el("td", { className: "aggregate overall" + (partial ? " partial" : ""), title: title.join("\n"), "data-value": r.value === null ? "" : r.value, "data-tied": r.tied_with_next ? "yes" : "no" },
      el("span", { className: "value" }, fmt(r.value)),
      r.ci95 ? el("span", { className: "ci" }, fmtCI(r.ci95)) : null,
      el("span", { className: "coverage" }, cov.counted + "/" + cov.total + (cov.total === 1 ? " dataset" : " datasets")));
  }
  function rankingNote(modality) {
    const b = board(modality), o = METHODS.overall || {};
    const what = b.by_dataset
      ? ["The " + modality + " leaderboard is ranked by ", el("strong", null, b.by_dataset + " (raw " + scoreNameOf(b.by_dataset) + ")"),
        ": this dataset has no noise ceiling, so its raw scores are never averaged with ceiled ones; the column is the mean over its regions, with its 95% interval."]
      : ["The " + modality + " leaderboard is ranked by the ", el("strong", null, "overall score"), " (definition v" + (o.version || "?") + "): the mean over the ceiled datasets (" + b.ceiled_datasets.join(", ") +
        ") of each dataset's mean over its areas (the cortical layers of an area averaged first), with its 95% interval over stimulus resamples."];
    return el("p", { className: "ranking-note", id: "ranking-note" }, what,
      " “=” marks a model the paired bootstrap test (Holm over neighbours, α = " + b.alpha + ") does not separate from the next one. Vision and audio are separate leaderboards. ",
      el("a", { href: "#/about" }, "Definitions."));
  }

  function nameCell(m) {
    // listeners are on the table body (one for all rows), not on each of a thousand rows
    return el("th", { className: "name", scope: "row" },
      el("button", { type: "button", className: "expand", "aria-expanded": "false", "data-focus": "expand:" + m.name, "aria-label": "details of " + m.name, title: "raw scores, ceilings and chosen layers" }, "▸"),
      el("input", { type: "checkbox", className: "pick", "aria-label": "select " + m.name + " to compare", "data-focus": "pick:" + m.name, checked: SELECTED.has(m.name) ? "checked" : null }),
      " ", el("a", { href: modelHref(m.name), className: "model-link", title: m.name }, m.name));
  }

  function renderTable(app, state) {
    setTitle("Leaderboard");
    const metrics = unique(DATA.groups.filter((g) => g.modality === state.modality).map((g) => g.metric));
    const view = { rows: new Map(), tbody: null, empty: null, columns: 0, groupColumns: [] };
    const more = el("div", { className: "more-rows", id: "more-rows" });

    function update(patch, how) {
      Object.assign(state, patch);
      history.replaceState(null, "", stateToHash(state));
      if (how === "rows") refresh(); else rebuild();
    }
    const search = el("input", { id: "search", type: "search", placeholder: "search model names", value: state.q, "aria-label": "search model names", autocomplete: "off" });
    let searchTimer = null;
    search.addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(() => update({ q: search.value }, "rows"), SEARCH_DELAY_MS); });
    search.addEventListener("keydown", (e) => { if (e.key === "Enter") { clearTimeout(searchTimer); update({ q: search.value }, "rows"); } });
    const modality = select("modality", "leaderboard (modality)", MODALITIES.map((m) => [m, m + " leaderboard"]), state.modality,
      (v) => update({ modality: v, metric: "", toggle: "", sort: /^[gb]:/.test(state.sort) ? "overall" : state.sort }));
    const metric = select("metric", "metric", [["", "all metrics"]].concat(metrics.map((m) => [m, m])), state.metric, (v) => update({ metric: v }));
    const ci = select("ci", "intervals", [["stimuli", "95% CI over stimuli"], ["subjects", "95% CI over subjects, else stimuli"]], state.ci, (v) => update({ ci: v }));
    const chosen = state.training ? state.training.split(",") : [];
    const trainingBoxes = TRAININGS.concat(unique(DATA.models.map((m) => m.training)).filter((t) => TRAININGS.indexOf(t) < 0)).map((t) => {
      const box = el("input", { type: "checkbox", className: "training", value: t, checked: chosen.indexOf(t) >= 0 ? "checked" : null });
      box.addEventListener("change", () => {
        const on = Array.from(document.querySelectorAll("input.training")).filter((b) => b.checked).map((b) => b.value);
        update({ training: on.join(",") }, "rows");
      });
      return el("label", { className: "chip training-" + t }, box, " " + t);
    });
    const compareButton = el("button", { id: "compare-selected", type: "button", disabled: "disabled", onclick: () => { location.hash = compareHref(Array.from(SELECTED)); } }, "compare selected");
    const downloads = el("span", { className: "downloads" }, "Download what is in view: ",
      el("button", { id: "download-csv", type: "button", onclick: () => downloadCSV(state) }, "CSV"),
      el("button", { id: "download-json", type: "button", onclick: () => downloadJSON(state) }, "JSON"),
      el("button", { id: "download-bibtex", type: "button", onclick: () => downloadBibtex(state) }, "BibTeX"));
    const controls = el("div", { className: "controls", role: "search" },
      el("div", { className: "control-row" }, search, modality, metric, ci, el("button", { id: "reset", type: "button", onclick: () => { location.hash = "#/"; } }, "reset")),
      el("div", { className: "control-row" }, el("span", { className: "label" }, "training: "), trainingBoxes, compareButton, downloads));
    const summary = el("p", { id: "summary", className: "summary", "aria-live": "polite" });
    const tableWrap = el("div", { className: "table-wrap", tabindex: "0", role: "region", "aria-label": "leaderboard table (scrolls)" });
    tableWrap.addEventListener("scroll", rememberScroll, { passive: true });
    app.appendChild(el("h1", null, "Leaderboard"));
    app.appendChild(el("p", { className: "lede" },
      "Ceiled scores (the metric's score divided by the data's noise ceiling; raw where a benchmark has none, marked “raw”) with 95% bootstrap intervals. Open a row (▸) for raw scores, ceilings and chosen layers. A missing score says “not run”, “failed” or “invalid”, never zero; each mean says how many regions it covers. ",
      el("a", { href: "#/about" }, "How the scores are computed.")));
    app.appendChild(rankingNote(state.modality));
    app.appendChild(controls);
    app.appendChild(summary);
    app.appendChild(tableWrap);
    app.appendChild(more);
    app.appendChild(problemsNote());

    function updateCompareButton() {
      compareButton.disabled = SELECTED.size < 2;
      compareButton.textContent = "compare selected (" + SELECTED.size + ")";
    }
    updateCompareButton();

    function sortHeader(key, label, title, extraClass, ascendingFirst) {
      const th = el("th", { className: "sortable " + (extraClass || ""), "data-key": key, "aria-sort": "none", title: title || null, scope: "col" },
        el("button", { type: "button", className: "sort", "data-sort": key, onclick: () => {
          const active = state.sort === key;
          const dir = active ? (state.dir === "asc" ? "desc" : "asc") : (ascendingFirst ? "asc" : "desc");
          update({ sort: key, dir: dir }, "rows");
        } }, label, el("span", { className: "arrow", "aria-hidden": "true" })));
      return th;
    }

    function rebuild() {
      const focusKey = document.activeElement && document.activeElement.getAttribute("data-focus");
      const groups = visibleGroups(state);
      tableWrap.textContent = "";
      view.rows = new Map();
      const table = el("table", { id: "leaderboard", className: "leaderboard" });
      table.appendChild(el("caption", { className: "visually-hidden" }, "Models by benchmark; sortable columns"));
      const head1 = el("tr", { className: "head-groups" }), head2 = el("tr", { className: "head-columns" });
      head1.appendChild(el("th", { colspan: 2, className: "corner sticky-name" }, ""));
      head1.appendChild(el("th", { colspan: FIXED_COLUMNS.length - 2, className: "corner-rest" }, ""));
      const resolve = (x) => (typeof x === "function" ? x(state) : x);
      FIXED_COLUMNS.forEach((c) => head2.appendChild(c.sort ? sortHeader(c.key, resolve(c.label), resolve(c.title), c.className, c.ascending)
        : el("th", { className: c.className, scope: "col", title: resolve(c.title) || null }, resolve(c.label))));
      let columns = FIXED_COLUMNS.length;
      const groupColumns = [];
      groups.forEach((g, gi) => {
        const withMean = g.benchmarks.length > 1, shut = collapsed(g, state), parity = gi % 2 ? " odd" : " even";
        const toggle = withMean ? el("button", { type: "button", className: "group-toggle", "data-group": g.id, "data-focus": "toggle:" + g.id, "aria-expanded": shut ? "false" : "true",
          "aria-label": (shut ? "show the " + g.benchmarks.length + " benchmarks of " : "collapse to the mean: ") + g.title + " " + g.metric, onclick: () => {
            const toggled = state.toggle ? state.toggle.split(",") : [], at = toggled.indexOf(g.id);
            if (at >= 0) toggled.splice(at, 1); else toggled.push(g.id);
            update({ toggle: toggled.join(",") });
          } }, shut ? "+" + g.benchmarks.length : "−") : null;
        const span = shut ? 1 : g.benchmarks.length + (withMean ? 1 : 0);
        head1.appendChild(el("th", { colspan: span, className: "group" + parity + (shut ? " collapsed" : ""), title: g.title + " · " + g.metric, scope: "colgroup" },
          toggle, " ", shut ? g.dataset : g.title, " · ", el("span", { className: "metric" }, g.metric)));
        if (withMean) { head2.appendChild(sortHeader("g:" + g.id, "mean", "mean over " + g.title + " (" + g.metric + ")" + groupRule(g) + "; undefined where a region has no valid score", "group-mean" + parity)); groupColumns.push({ mean: g, parity: parity }); columns++; }
        if (shut) return;
        g.benchmarks.forEach((id) => {
          const th = sortHeader("b:" + id, BENCH.get(id).region, id, "bench" + parity);
          th.appendChild(el("a", { className: "bench-link", href: benchHref(id), "aria-label": "benchmark page: " + id, title: "benchmark page: " + id }, "i"));
          head2.appendChild(th);
          groupColumns.push({ bench: id, parity: parity });
          columns++;
        });
      });
      view.columns = columns;
      table.appendChild(el("thead", null, head1, head2));
      const tbody = el("tbody");
      tbody.addEventListener("click", (e) => {
        const button = e.target.closest("button.expand");
        if (button) toggleDetail(button.closest("tr").getAttribute("data-model"), button);
      });
      tbody.addEventListener("change", (e) => {
        if (!e.target.matches("input.pick")) return;
        const name = e.target.closest("tr").getAttribute("data-model");
        if (e.target.checked) SELECTED.add(name); else SELECTED.delete(name);
        updateCompareButton();
      });
      view.groupColumns = groupColumns;
      view.empty = el("tr", null, el("td", { colspan: columns, className: "empty" }, "No model matches these filters."));
      view.tbody = tbody;
      table.appendChild(tbody);
      tableWrap.appendChild(table);
      refresh();
      stickHeader(head1, head2);
      if (focusKey) { const target = tableWrap.querySelector('[data-focus="' + CSS.escape(focusKey) + '"]'); if (target) target.focus(); }
    }

    function modelRow(m, groupColumns) {
      const tr = el("tr", { className: "model-row", "data-model": m.name });
      FIXED_COLUMNS.forEach((c) => tr.appendChild(c.cell(m, view, state)));
      groupColumns.forEach((gc) => tr.appendChild(gc.mean ? aggregateCell(groupMean(m, gc.mean.id), "group-mean" + gc.parity, gc.mean)
        : scoreCell(m, gc.bench, state.ci, gc.parity)));
      return tr;
    }

    function toggleDetail(name, button) {
      const row = view.rows.get(name);
      if (!row) return;
      if (row.detail) { row.detail.remove(); row.detail = null; } else {
        const benchIds = visibleBenchIds(visibleGroups(state));
        row.detail = el("tr", { className: "detail-row", "data-model": name }, el("td", { colspan: view.columns }, detailTable(row.model, benchIds, state.ci)));
        row.tr.after(row.detail);
      }
      button.textContent = row.detail ? "▾" : "▸";
      button.setAttribute("aria-expanded", row.detail ? "true" : "false");
    }

    /** Sort and filter every model (cheap), then show the first `shownRows` of them (rows are built once, when first shown). */
    function refresh() {
      const q = state.q.trim().toLowerCase(), trainings = state.training ? state.training.split(",") : [];
      const matching = sortModels(DATA.models.filter((m) => modelMatches(m, state, trainings, q)), state);
      const shown = matching.slice(0, shownRows);
      const fragment = document.createDocumentFragment();
      shown.forEach((m) => {
        let r = view.rows.get(m.name);
        if (!r) { r = { tr: modelRow(m, view.groupColumns), detail: null, model: m }; view.rows.set(m.name, r); }
        fragment.appendChild(r.tr);
        if (r.detail) fragment.appendChild(r.detail);
      });
      if (!shown.length) fragment.appendChild(view.empty);
      view.tbody.textContent = "";
      view.tbody.appendChild(fragment);
      tableWrap.querySelectorAll("th.sortable").forEach((th) => {
        const active = th.getAttribute("data-key") === state.sort;
        th.setAttribute("aria-sort", active ? (state.dir === "asc" ? "ascending" : "descending") : "none");
        th.querySelector(".arrow").textContent = active ? (state.dir === "asc" ? " ▲" : " ▼") : "";
      });
      const benchmarks = visibleBenchIds(visibleGroups(state)).length;
      summary.textContent = matching.length + " of " + DATA.models.length + " models, " + benchmarks + " of " + DATA.benchmarks.length + " benchmarks in view" +
        (shown.length < matching.length ? "; showing the first " + shown.length : "");
      more.textContent = "";
      if (shown.length < matching.length) {
        more.appendChild(el("button", { type: "button", id: "show-more", onclick: () => { shownRows += PAGE_ROWS; refresh(); } }, "show " + Math.min(PAGE_ROWS, matching.length - shown.length) + " more"));
        more.appendChild(el("button", { type: "button", id: "show-all", onclick: () => { shownRows = Infinity; refresh(); } }, "show all " + matching.length));
        more.appendChild(el("span", { className: "note" }, " " + (matching.length - shown.length) + " more models match; the search box finds any of them."));
      }
    }

    rebuild();
  }

  /** Sticky header rows: the second row sits below the first. */
  function stickHeader(head1, head2) {
    const h = head1.getBoundingClientRect().height;
    head2.querySelectorAll("th").forEach((th) => { th.style.top = h + "px"; });
  }

  /** A group shows only its mean when it is large (or the user collapsed it); the URL's toggle lists groups flipped from that default. */
  function collapsed(g, state) {
    const flipped = (state.toggle ? state.toggle.split(",") : []).indexOf(g.id) >= 0;
    return g.benchmarks.length > 1 && ((g.benchmarks.length > COLLAPSE_ABOVE) !== flipped);
  }

  /** How a group's mean is taken (the overall score's dataset rule), in words. */
  function groupRule(g) {
    const ds = DATASETS.get(g.dataset) || {}, parts = [];
    if (ds.region_groups && Object.keys(ds.region_groups).length) parts.push("the regions of one area (its cortical layers) averaged first, then the areas");
    if (ds.derived_regions && ds.derived_regions.length) parts.push(ds.derived_regions.join(", ") + " (a summary of the others) left out");
    return parts.length ? " (" + parts.join("; ") + ")" : "";
  }
  function aggregateCell(avg, cls, g) {
    if (!avg || !avg.applicable) return el("td", { className: "aggregate status-na " + cls, title: "no benchmark in view applies to this model" }, el("span", { className: "status" }, "n/a"));
    const failed = avg.failed || 0, invalid = avg.invalid || 0, notRun = avg.applicable - avg.scored - failed - invalid;
    const over = g.title + " · " + g.metric;
    const title = avg.value !== null
      ? "mean " + fmt(avg.value) + " " + fmtCI(avg.ci95) + " over the " + avg.applicable + " regions of " + over + groupRule(g) + "; 95% CI over stimulus resamples"
      : avg.scored ? "no mean: " + (avg.applicable - avg.scored) + " of " + avg.applicable + " regions of " + over + " without a valid score (" + failed + " failed, " + invalid + " invalid, " + notRun + " not run); a mean needs every region and never counts a missing one as zero"
      : "no valid scores on " + over;
    return el("td", { className: "aggregate " + cls + (avg.scored < avg.applicable ? " partial" : ""), title: title, "data-value": avg.value === null ? "" : avg.value },
      el("span", { className: "value" }, fmt(avg.value)),
      avg.ci95 ? el("span", { className: "ci" }, fmtCI(avg.ci95)) : null,
      el("span", { className: "coverage" }, avg.scored + "/" + avg.applicable));
  }

  function scoreBin(v) { return "s" + Math.max(0, Math.min(10, Math.round(v * 10))); }

  function scoreCell(model, id, ciKind, parity) {
    const c = cell(model, id, ciKind), b = BENCH.get(id);
    const attrs = { className: "score status-" + c.status.replace(/[^a-z]/g, "") + parity, "data-benchmark": id, "data-status": c.status };
    if (c.status === "scored") {
      attrs.title = id + "\n" + (c.ceiled ? "ceiled " : "raw (no noise ceiling) ") + fmt(c.value) + " " + fmtCI(c.ci) + (c.source ? " over " + c.source : "") +
        (c.fallback ? " — " + c.fallback : "") + "\nraw " + (b.score_name || "score") + " " + fmt(c.raw) + (c.ceiled ? "\nceiling " + fmt(c.ceiling) : "") +
        "\nchosen layer " + (c.layer || "—") + (c.flags ? "\n⚑ " + c.flags : "");
      attrs["data-value"] = c.value;
      attrs.className += " " + scoreBin(c.value);
      return el("td", attrs,
        el("span", { className: "value" }, fmt(c.value), c.ceiled ? null : el("sup", null, "raw"), c.flags ? el("sup", { className: "flag", "aria-label": "flagged" }, "⚑") : null),
        c.ci ? el("span", { className: "ci" + (c.fallback ? " fallback" : "") }, fmtCI(c.ci), c.fallback ? el("span", { className: "ci-source" }, " stimuli") : null) : null);
    }
    attrs.title = c.status === "failed" ? "failed: " + c.message : c.status === "invalid" ? "invalid: " + c.message
      : c.status === "n/a" ? "not applicable: a " + (b || {}).modality + " benchmark" : "not run: no result for this benchmark";
    return el("td", attrs, el("span", { className: "status" }, c.status));
  }

  function detailTable(model, benchIds, ciKind) {
    const t = el("table", { className: "detail" }, el("thead", null, el("tr", null,
      ["benchmark", "status", "score", "95% CI", "CI over", "raw", "ceiling", "chosen layer", "units", "flags"].map((h) => el("th", { scope: "col" }, h)))));
    const body = el("tbody");
    benchIds.forEach((id) => {
      const c = cell(model, id, ciKind), b = BENCH.get(id);
      if (c.status === "n/a") return;
      const scored = c.status === "scored";
      body.appendChild(el("tr", null,
        el("td", null, el("a", { href: benchHref(id) }, id)),
        el("td", { className: "status-" + c.status.replace(/[^a-z]/g, "") }, c.message ? c.status + ": " + c.message : c.status),
        el("td", null, scored ? fmt(c.value) + (c.ceiled ? "" : " (raw)") : ""), el("td", null, scored ? fmtCI(c.ci) : ""),
        el("td", null, scored && c.source ? c.source + (c.fallback ? " — " + c.fallback : "") : ""),
        el("td", null, scored ? fmt(c.raw) : ""), el("td", null, scored ? (c.ceiled ? fmt(c.ceiling) : "none") : ""),
        el("td", null, scored ? c.layer || "" : ""), el("td", null, isNum(b.n_neuroids) ? String(b.n_neuroids) : ""),
        el("td", null, c.flags || "")));
    });
    t.appendChild(body);
    return t;
  }

  function problemsNote() {
    if (!DATA.problems.length) return el("span");
    const files = unique(DATA.problems.map((p) => p.path));
    return el("details", { className: "problems", id: "problems" },
      el("summary", null, DATA.problems.length + " problem" + (DATA.problems.length > 1 ? "s" : "") + " in " + files.length + " result file" + (files.length > 1 ? "s" : "") + " (never scored as zero)"),
      el("ul", null, DATA.problems.map((p) => el("li", null, el("code", null, p.path), " — ", p.problem, " (" + p.outcome + ")"))));
  }

  function select(id, label, options, value, onchange) {
    const s = el("select", { id: id, "aria-label": label });
    options.forEach((o) => s.appendChild(el("option", { value: o[0], selected: o[0] === value ? "selected" : null }, o[1])));
    s.addEventListener("change", () => onchange(s.value));
    return s;
  }

  // ---------------------------------------------------------------------------------------------
  // Downloads: exactly the rows (models) and columns (benchmarks) in view
  function viewRows(state) {
    const groups = visibleGroups(state), benchIds = visibleBenchIds(groups);
    return { benchIds: benchIds, groups: groups, models: sortModels(visibleModels(state), state) };
  }
  function csvField(x) {
    if (x === null || x === undefined) return "";
    let s = String(x);
    if (typeof x === "string" && /^[=+\-@\t\r]/.test(s)) s = "'" + s; // no formula injection in spreadsheets
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function downloadCSV(state) {
    const v = viewRows(state);
    const header = ["model", "modality", "training", "benchmark", "dataset", "region", "metric", "status", "ceiled", "ci95_low", "ci95_high", "ci95_over", "ci95_note", "raw", "ceiling", "score_name", "chosen_layer", "n_neuroids", "ranked_by", "rank", "tied_with_next", "ranked_value", "ranked_ci95_low", "ranked_ci95_high"];
    const lines = [header.join(",")];
    v.models.forEach((m) => {
      v.benchIds.forEach((id) => {
        const c = cell(m, id, state.ci), b = BENCH.get(id), scored = c.status === "scored";
        lines.push([m.name, m.modality, m.training, id, b.dataset, b.region, b.metric, c.status, scored && c.ceiled ? c.value : null,
          c.ci ? c.ci[0] : null, c.ci ? c.ci[1] : null, c.ci ? c.source : null, c.fallback || (c.message || null), scored ? c.raw : null,
          scored && c.ceiled ? c.ceiling : null, b.score_name, scored ? c.layer : null, b.n_neuroids, board(m.modality).by, m.rank.rank, m.rank.tied_with_next,
          m.rank.value, m.rank.ci95 ? m.rank.ci95[0] : null, m.rank.ci95 ? m.rank.ci95[1] : null].map(csvField).join(","));
      });
    });
    save("brainbench-leaderboard.csv", lines.join("\n") + "\n", "text/csv");
  }
  function downloadJSON(state) {
    const v = viewRows(state);
    const doc = {
      schema: "brainbench.leaderboard-view/3", generated_utc: DATA.generated_utc, view: state,
      benchmarks: v.benchIds.map((id) => BENCH.get(id)),
      models: v.models.map((m) => {
        const scores = v.benchIds.map((id) => {
          const c = cell(m, id, state.ci);
          return { benchmark: id, status: c.status, value: c.value, ceiled: c.status === "scored" ? c.ceiled : null, ci95: c.ci || null, ci95_over: c.source || null,
            ci95_note: c.fallback || null, raw: c.status === "scored" ? c.raw : null, ceiling: c.status === "scored" ? c.ceiling : null,
            chosen_layer: c.layer || null, flags: c.flags || null, message: c.message || null };
        });
        return { name: m.name, modality: m.modality, training: m.training, weights_file_sha256: m.weights_file_sha256, reproduce: m.reproduce,
          overall: m.overall, rank: m.rank, means: m.means, scores: scores };
      }),
      ranking: board(state.modality), methods: METHODS,
    };
    save("brainbench-leaderboard.json", JSON.stringify(doc, null, 1), "application/json");
  }
  /** BibTeX entries of a text: [{key, text}] (a key is what a paper's \cite uses, so it must be unique). */
  function bibEntries(text) {
    const out = [], starts = [];
    const re = /@\s*([A-Za-z]+)\s*[{(]\s*([^,\s]+)\s*,/g;
    let match;
    while ((match = re.exec(text))) starts.push({ at: match.index, key: match[2] });
    starts.forEach((s, i) => out.push({ key: s.key, text: text.slice(s.at, i + 1 < starts.length ? starts[i + 1].at : text.length).trim() }));
    return out;
  }
  /** One entry per key: the same key twice keeps the first; two different works under one key get the second renamed. */
  function mergeBibtex(sources) {
    const byKey = new Map(), parts = [];
    sources.forEach((s) => {
      if (!isText(s.bibtex)) return;
      const kept = [];
      bibEntries(s.bibtex).forEach((e) => {
        let key = e.key, text = e.text;
        if (byKey.has(key)) {
          if (byKey.get(key) === text.replace(/\s+/g, " ")) return;
          let n = 2;
          while (byKey.has(key + "_" + n)) n++;
          text = text.replace(e.key, key + "_" + n);
          key = key + "_" + n;
        }
        byKey.set(key, text.replace(/\s+/g, " "));
        kept.push(text);
      });
      if (kept.length) parts.push("% " + s.label.replace(/[\r\n]/g, " ") + "\n" + kept.join("\n\n") + "\n");
    });
    return parts.join("\n");
  }
  function downloadBibtex(state) {
    const v = viewRows(state);
    const sources = unique(v.groups.map((g) => g.dataset)).map((d) => ({ label: "dataset " + d, bibtex: ((DATASETS.get(d) || {}).card || {}).bibtex }))
      .concat(v.models.map((m) => ({ label: "model " + m.name, bibtex: m.bibtex })));
    save("brainbench-leaderboard.bib", mergeBibtex(sources), "application/x-bibtex");
  }
  function save(filename, text, type) {
    const url = URL.createObjectURL(new Blob([text], { type: type + ";charset=utf-8" }));
    const a = el("a", { href: url, download: filename, className: "hidden-download" });
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 1000);
  }

  // ---------------------------------------------------------------------------------------------
  // Model page: sections drawn from the model's detail file
  const CARD_FIELDS = [["architecture", "architecture"], ["training_data", "training data"], ["objective", "objective"], ["weights_source", "weights (card)"], ["licence", "licence"], ["preprocessing", "preprocessing"]];

  function renderModel(app, name) {
    const m = MODELS.get(name);
    if (!m) { setTitle("Not found"); app.appendChild(notFound("model", name)); return; }
    setTitle(m.name);
    app.appendChild(el("p", { className: "crumbs" }, el("a", { href: "#/" }, "← leaderboard")));
    app.appendChild(el("h1", { className: "model-name" }, m.name));
    app.appendChild(el("p", { id: "model-summary" }, el("span", { className: "tag" }, m.modality), " ", el("span", { className: "tag training-" + m.training }, m.training), " ", rankSentence(m)));
    const body = el("div", { id: "model-body" }, el("p", { className: "loading" }, "Loading the model's details…"));
    app.appendChild(body);
    loadDetail(m).then((detail) => {
      if (!body.isConnected) return;
      body.textContent = "";
      const toc = el("nav", { className: "toc", "aria-label": "sections" }, "Jump to: ");
      body.appendChild(toc);
      MODEL_SECTIONS.forEach((section) => { const node = section(m, detail); if (node) body.appendChild(node); });
      tableOfContents(toc, body);
      restoreScroll();
      performance.mark("brainbench-rendered");
    }).catch((error) => { body.textContent = ""; body.appendChild(el("p", { className: "problem" }, error.message)); });
  }

  function tableOfContents(toc, body) {
    // the page is hash-routed, so in-page links would change the route: buttons scroll instead
    body.querySelectorAll("section[data-toc]").forEach((s, i) => {
      toc.appendChild(document.createTextNode(i ? " · " : ""));
      toc.appendChild(el("button", { type: "button", className: "link", onclick: () => { s.scrollIntoView({ block: "start" }); const h = s.querySelector("h2"); if (h) { h.setAttribute("tabindex", "-1"); h.focus({ preventScroll: true }); } } }, s.getAttribute("data-toc")));
    });
  }

  /** The sections of a model page, in order: each is (summary, detail) -> element or null. */
  const MODEL_SECTIONS = [modelCardSection, reproduceSection, compareSection, overallSection, modelScoresSection, areaMapSection, hierarchySection, pathwaysSection,
    layerProfilesSection, modelBibtexSection, invalidSection, failuresSection, provenanceSection];

  /** "overall 0.266 [0.227, 0.298], rank 1 of 5 in the vision leaderboard (tied with the next)". */
  function rankSentence(m) {
    const r = m.rank, b = board(m.modality);
    if (r.value === null) return rankedLabel(m.modality) + ": none (" + (coverage(m).missing.join("; ") || "no score") + ")";
    return [rankedLabel(m.modality) + " ", el("strong", null, fmt(r.value)), " " + fmtCI(r.ci95) + ", rank " + r.rank + " of " + b.n_ranked + " in the " + m.modality + " leaderboard" +
      (r.tied_with_next ? " (tied with the next model)" : "")];
  }

  function overallSection(m, d) {
    const rk = d.ranking;
    if (!rk || !rk.overall) return null;
    const b = board(m.modality), o = rk.overall, cov = coverage(m);
    const names = Object.keys(o.datasets || {});
    const rows = names.map((name) => {
      const x = o.datasets[name], counted = b.by_dataset ? name === b.by_dataset : x.statistic === "ceiled";
      return el("tr", { "data-dataset": name }, el("th", { scope: "row" }, name), el("td", null, x.statistic === "raw" ? "raw " + scoreNameOf(name) + " (no ceiling)" : "ceiled"),
        el("td", null, fmt(x.value)), el("td", null, fmtCI(x.ci95)), el("td", null, x.n_regions + (x.missing.length ? " (missing " + x.missing.join(", ") + ")" : "")),
        el("td", null, counted ? (b.by_dataset ? "ranked by this" : "averaged") : "reported apart (raw)"));
    });
    const s = section("overall", "Overall score",
      el("p", null, rankSentence(m), rk.difference_to_next !== null && rk.difference_to_next !== undefined
        ? "; difference to the next model " + fmt(rk.difference_to_next) + ", paired p (Holm over neighbours) " + fmtP(rk.p_holm_to_next) + (rk.tied_with_next ? ": not separated" : ": separated") + "." : "."),
      cov.counted < cov.total && rk.value !== null ? el("p", { className: "problem" }, "This score averages " + cov.counted + " of the " + cov.total + " datasets of the " + m.modality + " leaderboard (" + cov.missing.join("; ") + "): not comparable one-to-one with models that have all of them.") : null,
      el("div", { className: "scroll-x" }, el("table", { className: "plain", id: "overall-table" }, el("caption", null, "Per dataset: the mean over its regions (the layers of an area averaged first), 95% CI over stimulus resamples"),
        el("thead", null, el("tr", null, ["dataset", "scores", "value", "95% CI", "regions", "in the ranking"].map((h) => el("th", { scope: "col" }, h)))), el("tbody", null, rows))),
      el("p", { className: "note" }, "Definition v" + o.version + ": " + o.definition + ". Ties: " + (METHODS.ties || "") + "."));
    return s;
  }

  function modelCardSection(m, d) {
    const card = d.card || {};
    const rows = CARD_FIELDS.filter((f) => has(card, f[0]) && card[f[0]] !== "").map((f) => [f[1], asText(card[f[0]])]);
    rows.push(["weights file", d.weights_source || "—"]);
    rows.push(["weights sha256", isText(card.weights_sha256) ? el("code", { className: "hash", id: "weights-sha256" }, card.weights_sha256) : "— (the card pins no weights file)"]);
    rows.push(["candidate layers", d.layers.length + ": " + d.layers.join(", ")]);
    Object.keys(card).forEach((k) => {
      const known = CARD_FIELDS.some((f) => f[0] === k) || ["bibtex", "layers", "weights_sha256"].indexOf(k) >= 0;
      if (!known && card[k] !== "" && card[k] !== null) rows.push([k.replace(/_/g, " "), asText(card[k])]);
    });
    if (isText(d.weights_sha256)) rows.push(["state-dict sha256", el("span", null, el("code", { className: "hash state-dict" }, d.weights_sha256), el("span", { className: "note" }, " — a hash of the loaded tensors (the cache key), not of a file"))]);
    return section("model-card", "Model card", defList(rows));
  }

  function reproduceSection(m, d) {
    const prov = d.provenance || {}, card = d.card || {};
    return section("reproduce", "Reproduce",
      el("pre", { className: "command" }, el("code", null, d.reproduce)),
      el("p", { className: "note" }, "Scored with brainbench " + ((prov.packages || {}).brainbench || "?") + (prov.brainbench_git_sha ? " at git " + prov.brainbench_git_sha : "") +
        (prov.started_utc ? " on " + prov.started_utc : "") + (prov.device ? ", device " + prov.device : "") + (prov.wall_seconds ? ", " + fmt(prov.wall_seconds, 0) + " s" : "") + ". " +
        (isText(card.weights_sha256) ? "The weights file must have the sha256 above (" + card.weights_sha256 + ")." : "The card pins no weights file by sha256.")),
      prov.command ? el("p", { className: "note" }, "Command as recorded: ", el("code", null, prov.command)) : null);
  }

  function compareSection(m) {
    const others = DATA.models.filter((o) => o.modality === m.modality && o.name !== m.name);
    if (!others.length) return null;
    const picker = select("compare-with", "compare with", others.map((o) => [o.name, o.name]), others[0].name, () => {});
    return section("compare-with-section", "Compare", el("p", null, el("label", { for: "compare-with" }, "Compare with "), picker, " ",
      el("button", { type: "button", id: "compare-go", onclick: () => { location.hash = compareHref([m.name, picker.value]); } }, "compare")));
  }

  function modelScoresSection(m) {
    const s = section("model-scores", "Scores");
    DATA.groups.forEach((g) => {
      const ids = g.benchmarks.filter((id) => cell(m, id).status !== "n/a");
      if (!ids.length) return;
      const mean = groupMean(m, g.id) || { value: null, ci95: null, scored: 0, applicable: ids.length };
      s.appendChild(el("h3", null, g.title, " · ", g.metric, el("span", { className: "coverage-note" }, "  mean " + fmt(mean.value) + (mean.ci95 ? " " + fmtCI(mean.ci95) : "") +
        " over " + mean.scored + "/" + mean.applicable + " regions" + groupRule(g))));
      s.appendChild(el("div", { className: "scroll-x" }, detailTable(m, ids, "stimuli")));
    });
    return s;
  }

  function invalidSection(m, d) {
    const ids = Object.keys(d.invalid || {});
    if (!ids.length) return null;
    return section("invalid", "Invalid scores", el("p", { className: "note" }, "These scores failed the builder's checks; they are not shown as numbers and not averaged."),
      el("ul", null, ids.map((b) => el("li", null, el("code", null, b), ": ", d.invalid[b].problems.join("; ")))));
  }
  function failuresSection(m, d) {
    const ids = Object.keys(d.failed || {});
    if (!ids.length) return null;
    return section("failures", "Failures", el("ul", null, ids.map((b) => el("li", null, el("code", null, b), ": ", d.failed[b]))));
  }
  function modelBibtexSection(m, d) {
    return isText((d.card || {}).bibtex) ? section("bibtex", "BibTeX", el("pre", { className: "bibtex" }, d.card.bibtex)) : null;
  }
  function provenanceSection(m, d) {
    const prov = d.provenance || {};
    return section("provenance", "Provenance", defList([
      ["packages", Object.keys(prov.packages || {}).map((k) => k + " " + prov.packages[k]).join(", ")],
      ["python / platform", (prov.python || "") + " " + (prov.platform || "")],
      ["peak memory", prov.peak_memory_mb ? fmt(prov.peak_memory_mb, 0) + " MB" : "—"],
      ["data checksums", asText(d.provenance_data)],
      ["result files", d.files.join(", ")],
    ]));
  }

  function section(id, title, ...children) {
    return el("section", { id: id, "data-toc": title.toLowerCase(), "aria-labelledby": id + "-h" }, el("h2", { id: id + "-h" }, title), children);
  }
  function defList(rows) {
    return el("dl", null, rows.map((r) => [el("dt", null, r[0]), el("dd", null, r[1])]));
  }
  function notFound(kind, name) {
    return el("div", null, el("h1", null, "Not found"), el("p", { className: "problem" }, "No " + kind + " named “", name, "” in this leaderboard."), el("p", null, el("a", { href: "#/" }, "← leaderboard")));
  }

  // ---------------------------------------------------------------------------------------------
  // Plots (SVG at their natural size, so text stays legible on a phone; axes clamped, so no value can stall a page)
  function plotWidth(max) {
    const app = document.getElementById("app");
    if (!app) return max;
    const style = getComputedStyle(app), inner = app.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return Math.max(300, Math.min(max, inner - 2));
  }
  /** A [lo, hi] axis range covering the values, clamped to AXIS_LIMITS, and its tick step (at most ~10 ticks). */
  function axisRange(values) {
    const finiteValues = values.filter(isNum);
    let lo = Math.min(0, ...finiteValues), hi = Math.max(0.1, ...finiteValues);
    lo = Math.max(AXIS_LIMITS[0], Math.floor(lo * 10) / 10);
    hi = Math.min(AXIS_LIMITS[1], Math.ceil(hi * 10 - 1e-9) / 10);
    const span = hi - lo, step = span > 1.2 ? 0.5 : span > 0.6 ? 0.2 : 0.1;
    const ticks = [];
    for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + 1e-9 && ticks.length < 40; k++) ticks.push(Math.round(k * step * 10) / 10);
    return { lo: lo, hi: hi, ticks: ticks, clamp: (v) => Math.max(lo, Math.min(hi, v)) };
  }

  function layerProfilesSection(m, d) {
    const s = section("layer-profiles", "Layer profiles", el("p", { className: "note" },
      "Lines: each candidate layer's score over all folds (for this plot only). Marker: the reported score, at the layer chosen by nested cross-validation on training stimuli only (the most frequent choice over folds), with its 95% interval over stimuli."));
    let any = false;
    DATA.groups.forEach((g) => {
      const ids = g.benchmarks.filter((id) => has(d.scores, id));
      if (!ids.length) return;
      any = true;
      s.appendChild(layerProfile(d, g, ids));
    });
    if (!any) s.appendChild(el("p", null, "No scores, so no layer profile."));
    return s;
  }

  /** Score vs layer depth per region of the group; the chosen layer marked with the reported score and its interval.
   * Up to 8 regions share one plot (a line each); more become small multiples on a shared y scale. */
  function layerProfile(d, group, ids) {
    let layers = [];
    ids.forEach((id) => (d.scores[id].layer_order || []).forEach((l) => { if (layers.indexOf(l) < 0) layers.push(l); }));
    if (!layers.length) layers = d.layers.slice();
    const useCeiled = ids.every((id) => d.scores[id].ceiling !== null && d.scores[id].ceiling !== undefined);
    const key = useCeiled ? "ceiled" : "raw";
    const values = [];
    ids.forEach((id) => {
      const e = d.scores[id];
      layers.forEach((l) => { const p = has(e.layer_profile, l) ? e.layer_profile[l] : null; if (p && isNum(p[key])) values.push(p[key]); });
      if (isNum(e[key])) values.push(e[key]);
      const ci = e.ci95_stimuli && e.ci95_stimuli[key];
      if (ci) values.push(ci[0], ci[1]);
    });
    const range = axisRange(values);
    const axisLabel = (useCeiled ? "ceiled " : "raw ") + (d.scores[ids[0]].score_name || "score") + (useCeiled ? "" : " (no noise ceiling)");
    const caption = el("figcaption", null, group.title + " · " + group.metric);
    if (ids.length <= 8) {
      return el("figure", { className: "profile plot-scroll" }, profilePlot(d, group, ids, layers, key, range, axisLabel, { W: plotWidth(760), H: Math.max(340, 124 + ids.length * 18), legend: true }), caption);
    }
    const grid = el("div", { className: "small-multiples" }, ids.map((id, k) => profilePlot(d, group, [id], layers, key, range, axisLabel, { W: 300, H: 230, legend: false, title: d.scores[id].region, colorIndex: k })));
    return el("figure", { className: "profile" }, grid, caption);
  }

  function profilePlot(d, group, ids, layers, key, range, axisLabel, o) {
    const W = o.W, H = o.H, L = o.legend ? 56 : 44, R = o.legend ? Math.min(150, W * 0.25) : 26, T = o.title ? 26 : 28, B = o.legend ? 96 : 78;
    const pw = W - L - R, ph = H - T - B;
    const x = (i) => L + (layers.length > 1 ? (i / (layers.length - 1)) * pw : pw / 2);
    const y = (v) => T + ph - ((range.clamp(v) - range.lo) / (range.hi - range.lo)) * ph;
    const root = svg("svg", { className: "layer-profile", "data-group": group.id, viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img",
      "aria-label": "layer profile of " + d.name + " on " + group.title + (o.title ? ", " + o.title : "") });
    root.appendChild(svg("title", null, "Layer profile: " + d.name + " · " + group.title + " · " + group.metric + (o.title ? " · " + o.title : "")));
    if (o.title) root.appendChild(svg("text", { x: L + pw / 2, y: 15, "text-anchor": "middle", className: "panel-title" }, o.title));
    range.ticks.forEach((t) => {
      root.appendChild(svg("line", { x1: L, x2: L + pw, y1: y(t), y2: y(t), className: Math.abs(t) < 1e-9 ? "zero" : "grid" }));
      root.appendChild(svg("text", { x: L - 6, y: y(t) + 4, "text-anchor": "end", className: "tick" }, fmt(t, 1)));
    });
    if (o.legend) root.appendChild(svg("text", { x: 14, y: T + ph / 2, transform: "rotate(-90 14 " + (T + ph / 2) + ")", "text-anchor": "middle", className: "axis-label" }, axisLabel));
    const labelEvery = Math.ceil(layers.length / Math.max(4, Math.floor(pw / 28))); // keep rotated labels from overlapping on deep networks
    layers.forEach((l, i) => {
      root.appendChild(svg("line", { x1: x(i), x2: x(i), y1: T + ph, y2: T + ph + 4, className: "axis" }));
      if (i % labelEvery === 0 || i === layers.length - 1) {
        root.appendChild(svg("text", { x: x(i), y: T + ph + 10, transform: "rotate(40 " + x(i) + " " + (T + ph + 10) + ")", className: "tick layer-name" },
          l.length > 22 ? l.slice(0, 10) + "…" + l.slice(-11) : l, svg("title", null, l)));
      }
    });
    root.appendChild(svg("line", { x1: L, x2: L + pw, y1: T + ph, y2: T + ph, className: "axis" }));
    if (o.legend) root.appendChild(svg("text", { x: L + pw / 2, y: H - 4, "text-anchor": "middle", className: "axis-label" }, "layer (input → output)"));
    ids.forEach((id, k) => {
      const e = d.scores[id], color = PALETTE[(o.colorIndex || k) % PALETTE.length];
      const series = svg("g", { className: "series", "data-benchmark": id });
      const pts = [];
      const point = (l) => (has(e.layer_profile, l) ? e.layer_profile[l] : null);
      layers.forEach((l, i) => {
        const p = point(l);
        if (!p || !isNum(p[key])) return;
        pts.push([x(i), y(p[key])]);
        const band = p.ci95 || p["ci95_" + key];
        if (band) series.appendChild(svg("line", { x1: x(i), x2: x(i), y1: y(band[0]), y2: y(band[1]), stroke: color, className: "layer-ci" }));
      });
      if (pts.length > 1) series.appendChild(svg("polyline", { points: pts.map((p) => p[0].toFixed(1) + "," + p[1].toFixed(1)).join(" "), stroke: color, className: "profile-line" }));
      layers.forEach((l, i) => {
        const p = point(l);
        if (!p || !isNum(p[key])) return;
        series.appendChild(svg("circle", { cx: x(i), cy: y(p[key]), r: 3, fill: color, className: "layer-point" }, svg("title", null, e.region + " · " + l + ": " + fmt(p[key]))));
      });
      const ci = e.ci95_stimuli && e.ci95_stimuli[key];
      const at = layers.indexOf(e.chosen_layer);
      if (at >= 0 && isNum(e[key])) {
        const cx = x(at) + (k - (ids.length - 1) / 2) * 3; // small dodge so overlapping choices stay visible
        if (ci) series.appendChild(svg("line", { x1: cx, x2: cx, y1: y(ci[0]), y2: y(ci[1]), stroke: color, className: "chosen-ci" }));
        series.appendChild(svg("circle", { cx: cx, cy: y(e[key]), r: 6.5, stroke: color, className: "chosen", "data-layer": e.chosen_layer },
          svg("title", null, e.region + ": chosen layer " + e.chosen_layer + " (per fold: " + (e.chosen_layer_per_split || []).join(", ") + "); reported " + key + " " + fmt(e[key]) + " " + fmtCI(ci))));
      }
      root.appendChild(series);
      if (!o.legend) return;
      const ly = T + 4 + k * 18;
      root.appendChild(svg("g", { className: "legend" },
        svg("line", { x1: L + pw + 16, x2: L + pw + 36, y1: ly, y2: ly, stroke: color, className: "profile-line" }),
        svg("circle", { cx: L + pw + 26, cy: ly, r: 5, stroke: color, className: "chosen-legend" }),
        svg("text", { x: L + pw + 42, y: ly + 4, className: "legend-text" }, e.region)));
    });
    return root;
  }

  // Layer-area hierarchy (computed at build time by brainbench.analysis.hierarchy)
  const fmtSigned = (x) => (isNum(x) ? (x >= 0 ? "+" : "−") + Math.abs(x).toFixed(3) : "—");
  function rhoSentence(h) {
    if (h.rho === null || h.rho === undefined) return "Spearman ρ undefined: " + (h.note || "no correspondence can be read") + ".";
    return "Spearman ρ = " + fmtSigned(h.rho) + (h.rho_ci95 ? ", 95% CI [" + fmtSigned(h.rho_ci95[0]) + ", " + fmtSigned(h.rho_ci95[1]) + "] over stimulus resamples" : " (no 95% interval: see the note)") +
      ", permutation p = " + fmtP(h.p_permutation) + " (" + h.n_permutations + (h.n_permutations > 40320 || h.regions.length > 8 ? " random" : " (all)") +
      " assignments of the positions to the regions, one-sided)." + (h.note ? " Note: " + h.note + "." : "");
  }
  function hierarchySection(m, d) {
    const keys = Object.keys(d.hierarchy || {});
    if (!keys.length) return null;
    const method = METHODS.hierarchy || {};
    const s = section("hierarchy", "Layer–area hierarchy", el("p", { className: "note" },
      "Does the network's depth follow the brain's hierarchy? For each region, the layer with the best cross-validated score (y: its relative depth, 0 = first candidate layer, 1 = last; along its own pathway where the model declares pathways), " +
      "with a 95% interval over stimulus resamples, against the region's position in the hierarchy (x). Method v" + (method.version || "?") + ": " + (method.method || "") + "."));
    keys.forEach((key) => {
      const h = d.hierarchy[key];
      const block = el("div", { className: "hierarchy-block", "data-key": key }, el("h3", null, h.dataset + " · " + h.metric));
      if (isText(h.error)) { block.appendChild(el("p", { className: "note hierarchy-error" }, "Not computed: " + h.error)); s.appendChild(block); return; }
      block.appendChild(el("p", { className: "rho" }, rhoSentence(h)));
      block.appendChild(el("figure", { className: "plot-scroll" }, hierarchyPlot(m, h), el("figcaption", null, "hierarchy: " + h.hierarchy_source)));
      const rows = h.regions.map((r) => el("tr", { "data-region": r }, el("th", { scope: "row" }, r), el("td", null, asText(h.positions[r])), el("td", null, h.best_layer[r]),
        el("td", null, fmt(h.depth[r], 2)), el("td", null, h.depth_ci95[r] ? "[" + fmt(h.depth_ci95[r][0], 2) + ", " + fmt(h.depth_ci95[r][1], 2) + "]" : "—")));
      block.appendChild(el("div", { className: "scroll-x" }, el("table", { className: "plain hierarchy-table" }, el("caption", null, "Best layer per region"),
        el("thead", null, el("tr", null, ["region", "position", "best layer", "depth", "95% CI"].map((x) => el("th", { scope: "col" }, x)))), el("tbody", null, rows))));
      s.appendChild(block);
    });
    return s;
  }
  /** Room below a plot for its rotated (40°) labels of at most 22 characters, and the axis title. */
  function labelMargin(labels) {
    return 44 + Math.round(4.6 * Math.min(22, Math.max(4, ...labels.map((l) => String(l).length))));
  }
  /** Best-layer depth (y, 0..1) against hierarchy position (x; regions in order, a gap between positions). */
  function hierarchyPlot(m, h) {
    const regions = h.regions, slots = [];
    let at = 0;
    regions.forEach((r, i) => { if (i && h.positions[r] !== h.positions[regions[i - 1]]) at += 0.8; slots.push(at); at += 1; });
    const B = labelMargin(regions), H = 244 + B;
    const span = Math.max(1, at - 1), W = plotWidth(Math.max(380, Math.min(960, 200 + regions.length * 34))), L = 60, R = 84, T = 34;
    const pw = W - L - R, ph = H - T - B;
    const x = (k) => L + 16 + (regions.length > 1 ? slots[k] / span : 0.5) * (pw - 32);
    const y = (v) => T + ph - Math.max(0, Math.min(1, v)) * ph;
    const root = svg("svg", { className: "hierarchy-plot", "data-dataset": h.dataset, viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img",
      "aria-label": "best-layer depth against hierarchy position for " + m.name + " on " + h.dataset + "; " + rhoSentence(h) });
    root.appendChild(svg("title", null, "Layer–area hierarchy: " + m.name + " · " + h.dataset));
    [0, 0.25, 0.5, 0.75, 1].forEach((t) => {
      root.appendChild(svg("line", { x1: L, x2: L + pw, y1: y(t), y2: y(t), className: "grid" }));
      root.appendChild(svg("text", { x: L - 6, y: y(t) + 4, "text-anchor": "end", className: "tick" }, t.toFixed(2)));
    });
    root.appendChild(svg("text", { x: 14, y: T + ph / 2, transform: "rotate(-90 14 " + (T + ph / 2) + ")", "text-anchor": "middle", className: "axis-label" }, "best-layer depth (0 first, 1 last)"));
    const groups = (DATASETS.get(h.dataset) || {}).region_groups || {};
    unique(regions.map((r) => h.positions[r])).forEach((pos) => {  // one label per hierarchy position, above its regions
      const ks = regions.map((r, k) => k).filter((k) => h.positions[regions[k]] === pos);
      const cx = (x(ks[0]) + x(ks[ks.length - 1])) / 2, names = unique(ks.map((k) => (has(groups, regions[k]) ? groups[regions[k]] : null)).filter(isText));
      root.appendChild(svg("text", { x: cx, y: T - 10, "text-anchor": "middle", className: "level-label" }, (names.length === 1 ? names[0] + " · " : "") + asText(pos)));
      if (ks[0] > 0) root.appendChild(svg("line", { x1: x(ks[0]) - 0.45 * (pw - 32) / span, x2: x(ks[0]) - 0.45 * (pw - 32) / span, y1: T - 4, y2: T + ph, className: "level-sep" }));
    });
    root.appendChild(svg("line", { x1: L, x2: L + pw, y1: T + ph, y2: T + ph, className: "axis" }));
    regions.forEach((r, k) => {
      const ci = h.depth_ci95[r], g = svg("g", { className: "region-point", "data-region": r, "data-depth": h.depth[r] });
      if (ci) g.appendChild(svg("line", { x1: x(k), x2: x(k), y1: y(ci[0]), y2: y(ci[1]), className: "depth-ci" }));
      g.appendChild(svg("circle", { cx: x(k), cy: y(h.depth[r]), r: 5, className: "depth-point" },
        svg("title", null, r + " (position " + asText(h.positions[r]) + "): best layer " + h.best_layer[r] + ", depth " + fmt(h.depth[r], 2) + (ci ? " [" + fmt(ci[0], 2) + ", " + fmt(ci[1], 2) + "]" : ""))));
      g.appendChild(svg("text", { x: x(k), y: T + ph + 10, transform: "rotate(40 " + x(k) + " " + (T + ph + 10) + ")", className: "tick layer-name" }, r.length > 22 ? r.slice(0, 21) + "…" : r));
      root.appendChild(g);
    });
    root.appendChild(svg("text", { x: L + pw / 2, y: H - 4, "text-anchor": "middle", className: "axis-label" }, "region, in hierarchy order →"));
    return root;
  }

  // Pathways (recorded by `brainbench analyze pathways`, checked by the builder)
  function pathwaysSection(m, d) {
    const block = (d.analyses || {}).pathways || {}, keys = Object.keys(block);
    if (!keys.length) return null;
    const method = METHODS.pathways || {};
    const s = section("pathways", "Pathways", el("p", { className: "note" },
      "Each declared pathway scored as a model of its own (held-out layer choice among its layers only) and the two compared per area on the same resamples. Method v" + (method.version || "?") + ": " + (method.method || "") + "."));
    keys.forEach((key) => s.appendChild(pathwayBlock(key, block[key])));
    return s;
  }
  function verdictText(verdict, a, b) {
    return verdict === "A > B" ? a + " > " + b : verdict === "B > A" ? b + " > " + a : verdict;
  }
  function pathwayBlock(key, an) {
    const a = an.contrast[0], b = an.contrast[1];
    const benches = an.comparison.map((r) => r.benchmark);
    const sa = has(an.scores, a) ? an.scores[a] : {}, sb = has(an.scores, b) ? an.scores[b] : {};
    const scoreText = (x) => (x && isNum(x.score) ? fmt(x.score) + (x.statistic === "raw" ? " (raw)" : "") + " " + fmtCI(x.ci95_stimuli) : "—");
    const rows = an.comparison.map((r) => {
      const st = r.stimuli, sj = r.subjects, xa = has(sa, r.benchmark) ? sa[r.benchmark] : null, xb = has(sb, r.benchmark) ? sb[r.benchmark] : null;
      return el("tr", { "data-benchmark": r.benchmark, "data-verdict": r.verdict, "data-d": st ? st.difference : "" },
        el("th", { scope: "row" }, r.benchmark), el("td", null, scoreText(xa), xa && xa.chosen_layer ? el("span", { className: "note" }, " " + xa.chosen_layer) : null),
        el("td", null, scoreText(xb), xb && xb.chosen_layer ? el("span", { className: "note" }, " " + xb.chosen_layer) : null),
        el("td", null, st ? fmtSigned(st.difference) : "—"), el("td", null, st ? fmtCI(st.ci95) : r.note || "—"), el("td", null, st ? fmtP(st.p_holm) : "—"),
        el("td", null, sj ? fmtP(sj.p_holm) : "—"), el("td", { className: r.separated ? "separated" : "" }, verdictText(r.verdict, a, b)));
    });
    return el("div", { className: "pathway-block", "data-key": key },
      el("h3", null, a + " vs " + b),
      el("figure", { className: "plot-scroll" }, pathwayPlot(an, benches, a, b), el("figcaption", null, "Each pathway's held-out score per benchmark with its 95% interval over stimuli")),
      el("div", { className: "scroll-x" }, el("table", { className: "plain pathway-table" },
        el("caption", null, a + " − " + b + ": paired difference over the same resamples, 95% CI over stimuli, Holm over the " + an.comparison.length + " benchmarks (α = " + an.alpha + ")"),
        el("thead", null, el("tr", null, ["benchmark", a + " [95% CI] layer", b + " [95% CI] layer", a + " − " + b, "95% CI (stimuli)", "p Holm (stimuli)", "p Holm (animals)", "verdict"].map((x) => el("th", { scope: "col" }, x)))),
        el("tbody", null, rows))),
      interactionTable(an.interactions || [], a, b));
  }
  /** The stream interaction: does the pathway difference change sign between the two streams (a double dissociation)? */
  function interactionTable(items, a, b) {
    if (!items.length) return null;
    const rows = items.map((i) => el("tr", { "data-family": i.family },
      el("th", { scope: "row" }, i.family), el("td", null, i.streams[0] + " " + fmtSigned(i.in_stream[0]) + ", " + i.streams[1] + " " + fmtSigned(i.in_stream[1])),
      el("td", null, fmtSigned(i.interaction)), el("td", null, fmtCI(i.ci95)), el("td", null, fmtP(i.p_holm)),
      el("td", { className: "note" }, i.streams.map((s) => s + ": " + ((i.areas || {})[s] || []).join(", ")).join("; "))));
    return el("div", { className: "scroll-x" }, el("table", { className: "plain interaction-table" },
      el("caption", null, "Stream interaction: mean " + a + " − " + b + " over the first stream's areas minus over the second's, on the same image resamples (positive: " + a + " relatively better in the first stream). Streams: " + (items[0].source || "as the dataset declares")),
      el("thead", null, el("tr", null, ["dataset.metric", "mean " + a + " − " + b + " per stream", "interaction", "95% CI (stimuli)", "p Holm", "areas"].map((x) => el("th", { scope: "col" }, x)))),
      el("tbody", null, rows)));
  }
  function pathwayAxis(series, benches) {
    const kinds = unique([].concat(...series.map((sr) => benches.map((id) => (has(sr[1], id) ? sr[1][id].statistic : null)))).filter(isText));
    return kinds.length === 1 && kinds[0] === "ceiled" ? "ceiled score (1 = noise ceiling)" : kinds.length === 1 ? "raw score (no noise ceiling)" : "score (ceiled; raw where no ceiling)";
  }
  function pathwayPlot(an, benches, a, b) {
    const series = [[a, an.scores[a] || {}, 0], [b, an.scores[b] || {}, 1]], values = [0];
    series.forEach((sr) => benches.forEach((id) => { const x = has(sr[1], id) ? sr[1][id] : null; if (x && isNum(x.score)) { values.push(x.score); if (x.ci95_stimuli) values.push(x.ci95_stimuli[0], x.ci95_stimuli[1]); } }));
    const B = labelMargin(benches.map((id) => (BENCH.has(id) ? BENCH.get(id).region : id))), H = 250 + B;
    const range = axisRange(values), W = plotWidth(Math.max(380, Math.min(960, 220 + benches.length * 44))), L = 56, R = 84, T = 40;
    const pw = W - L - R, ph = H - T - B;
    const x = (k) => L + (benches.length > 1 ? (k + 0.5) / benches.length : 0.5) * pw;
    const y = (v) => T + ph - ((range.clamp(v) - range.lo) / (range.hi - range.lo)) * ph;
    const root = svg("svg", { className: "pathway-plot", viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img", "aria-label": "scores of pathways " + a + " and " + b + " per benchmark (the table below has the numbers)" });
    root.appendChild(svg("title", null, "Pathways " + a + " and " + b));
    range.ticks.forEach((t) => {
      root.appendChild(svg("line", { x1: L, x2: L + pw, y1: y(t), y2: y(t), className: Math.abs(t) < 1e-9 ? "zero" : "grid" }));
      root.appendChild(svg("text", { x: L - 6, y: y(t) + 4, "text-anchor": "end", className: "tick" }, fmt(t, 1)));
    });
    root.appendChild(svg("text", { x: 14, y: T + ph / 2, transform: "rotate(-90 14 " + (T + ph / 2) + ")", "text-anchor": "middle", className: "axis-label" }, pathwayAxis(series, benches)));
    benches.forEach((id, k) => {
      const label = BENCH.has(id) ? BENCH.get(id).region : id;
      root.appendChild(svg("text", { x: x(k), y: T + ph + 10, transform: "rotate(40 " + x(k) + " " + (T + ph + 10) + ")", className: "tick layer-name" }, label.length > 22 ? label.slice(0, 21) + "…" : label, svg("title", null, id)));
    });
    series.forEach((sr) => {
      const color = PALETTE[sr[2]], g = svg("g", { className: "pathway-series", "data-pathway": sr[0] });
      benches.forEach((id, k) => {
        const v = has(sr[1], id) ? sr[1][id] : null;
        if (!v || !isNum(v.score)) return;
        const cx = x(k) + (sr[2] ? 6 : -6), ci = v.ci95_stimuli;
        if (ci) g.appendChild(svg("line", { x1: cx, x2: cx, y1: y(ci[0]), y2: y(ci[1]), stroke: color, className: "dist-ci" }));
        const tip = svg("title", null, sr[0] + " · " + id + ": " + fmt(v.score) + " " + fmtCI(ci) + (v.chosen_layer ? " (layer " + v.chosen_layer + ")" : ""));
        g.appendChild(sr[2] ? svg("rect", { x: cx - 4.5, y: y(v.score) - 4.5, width: 9, height: 9, fill: color, "data-benchmark": id, "data-score": v.score }, tip)
          : svg("circle", { cx: cx, cy: y(v.score), r: 5, fill: color, "data-benchmark": id, "data-score": v.score }, tip));
      });
      root.appendChild(g);
      const lx = L + 8 + sr[2] * Math.min(220, pw / 2);
      root.appendChild(sr[2] ? svg("rect", { x: lx - 4.5, y: 12, width: 9, height: 9, fill: color }) : svg("circle", { cx: lx, cy: 16.5, r: 5, fill: color }));
      root.appendChild(svg("text", { x: lx + 10, y: 21, className: "legend-text" }, sr[0].length > 28 ? sr[0].slice(0, 27) + "…" : sr[0]));
    });
    root.appendChild(svg("line", { x1: L, x2: L + pw, y1: T + ph, y2: T + ph, className: "axis" }));
    root.appendChild(svg("text", { x: L + pw / 2, y: H - 4, "text-anchor": "middle", className: "axis-label" }, "benchmark (region)"));
    return root;
  }

  // Mouse visual areas, dorsal view of the right hemisphere (anterior up, lateral right), approximate layout
  const MOUSE_AREAS = [
    ["VISp", "M150,250 C140,200 170,165 215,160 C262,156 300,185 305,230 C310,280 270,318 220,320 C178,322 155,292 150,250 Z", [226, 245]],
    ["VISl", "M305,230 C300,200 312,185 330,180 C352,176 368,196 366,228 C364,262 346,290 325,296 C300,300 292,282 300,262 Z", [333, 240]],
    ["VISal", "M300,180 C296,160 300,140 318,128 C338,118 360,128 364,150 C368,170 352,180 330,180 C316,181 306,184 300,180 Z", [333, 155]],
    ["VISrl", "M215,160 C220,138 238,120 262,112 C286,106 306,116 316,130 C302,142 298,160 300,182 C276,165 246,156 215,160 Z", [262, 140]],
    ["VISam", "M150,190 C148,160 160,130 184,116 C206,104 232,106 248,116 C232,126 220,142 215,160 C185,164 162,176 150,190 Z", [194, 142]],
    ["VISpm", "M150,250 C142,228 142,205 150,190 C130,196 112,216 108,244 C104,276 118,304 140,316 C160,326 176,324 178,318 C160,300 152,276 150,250 Z", [128, 262]],
  ];
  function areaMapSection(m) {
    const maps = DATA.groups.filter((g) => g.modality === m.modality && MOUSE_AREAS.filter((a) => g.benchmarks.some((id) => BENCH.get(id).region === a[0])).length >= 3);
    if (!maps.length) return null;
    const s = section("area-map", "Mouse visual areas", el("p", { className: "note" },
      "A schematic of the six visual areas on the dorsal surface of mouse cortex (right hemisphere seen from above; approximate layout, not to scale), each coloured by this model's score on it. Grey: no valid score."));
    maps.forEach((g) => s.appendChild(areaMap(m, g)));
    return s;
  }
  function areaMap(m, g) {
    const W = 400, H = 380;
    const root = svg("svg", { className: "area-map", "data-group": g.id, viewBox: "60 60 " + W + " " + H, width: W, height: H, role: "img",
      "aria-label": "map of mouse visual areas coloured by " + m.name + "'s scores on " + g.title + " (" + g.metric + ")" });
    root.appendChild(svg("title", null, "Mouse visual areas: " + m.name + " · " + g.title + " · " + g.metric));
    MOUSE_AREAS.forEach((a) => {
      const id = g.benchmarks.find((b) => BENCH.get(b).region === a[0]);
      const c = id ? cell(m, id) : { status: "not run", value: null };
      const scored = c.status === "scored";
      const area = svg("g", { className: "map-area " + (scored ? scoreBin(c.value) : "unscored"), "data-area": a[0], "data-value": scored ? c.value : "" },
        svg("path", { d: a[1], className: "area-shape" }, svg("title", null, a[0] + ": " + (scored ? fmt(c.value) + " " + fmtCI(c.ci) : c.status))),
        svg("text", { x: a[2][0], y: a[2][1], "text-anchor": "middle", className: "area-name" }, a[0]),
        svg("text", { x: a[2][0], y: a[2][1] + 14, "text-anchor": "middle", className: "area-score" }, scored ? fmt(c.value, 2) : c.status));
      root.appendChild(area);
    });
    root.appendChild(svg("text", { x: 250, y: 80, "text-anchor": "middle", className: "compass" }, "anterior ↑"));
    root.appendChild(svg("text", { x: 250, y: 425, "text-anchor": "middle", className: "compass" }, "posterior"));
    root.appendChild(svg("text", { x: 70, y: 250, className: "compass" }, "medial"));
    root.appendChild(svg("text", { x: 450, y: 250, "text-anchor": "end", className: "compass" }, "lateral"));
    return el("figure", { className: "area-figure plot-scroll" }, root, el("figcaption", null, g.title + " · " + g.metric + " (" + (g.benchmarks.every((id) => BENCH.get(id).ceiling !== null) ? "ceiled" : "raw") + ")"));
  }

  // ---------------------------------------------------------------------------------------------
  // Benchmark pages
  function renderBenchmarkList(app) {
    setTitle("Benchmarks");
    app.appendChild(el("h1", null, "Benchmarks"));
    const t = el("table", { className: "plain", id: "benchmark-list" }, el("thead", null, el("tr", null,
      ["benchmark", "dataset", "region", "metric", "modality", "units", "stimuli", "ceiling", "models scored", "pairs separated", "spread / CI"].map((h) => el("th", { scope: "col" }, h)))));
    const body = el("tbody");
    DATA.benchmarks.forEach((b) => {
      const applicable = DATA.models.filter((m) => m.modality === b.modality);
      const scored = applicable.filter((m) => cell(m, b.id).status === "scored").length, x = b.discriminability;
      body.appendChild(el("tr", null, el("td", null, el("a", { href: benchHref(b.id) }, b.id)), el("td", null, b.dataset), el("td", null, b.region), el("td", null, b.metric),
        el("td", null, b.modality), el("td", null, isNum(b.n_neuroids) ? String(b.n_neuroids) : "—"),
        el("td", null, isNum(b.n_stimuli) ? String(b.n_stimuli) : "—"), el("td", null, b.ceiling === null ? "none" : fmt(b.ceiling)), el("td", null, scored + "/" + applicable.length),
        el("td", null, x && isNum(x.fraction_separated) ? x.n_separated + "/" + x.n_pairs : "—"), el("td", null, x && isNum(x.spread_over_ci) ? fmt(x.spread_over_ci, 2) : "—")));
    });
    t.appendChild(body);
    app.appendChild(el("div", { className: "scroll-x" }, t));
  }

  /** The sections of a benchmark page, in order: each is (benchmark) -> element or null. */
  const BENCHMARK_SECTIONS = [dataCardSection, metricSection, ceilingSection, discriminabilitySection, benchmarkScoresSection];

  /** How well this benchmark separates the models scored on it (brainbench.analysis.discriminability, at build time). */
  function discriminabilitySection(b) {
    const x = b.discriminability, method = METHODS.discriminability || {};
    if (!x) return null;
    const s = section("discriminability", "Discriminability");
    if (isText(x.error)) { s.appendChild(el("p", { className: "note" }, "Not computed: " + x.error)); return s; }
    if (isText(x.note) && (x.fraction_separated === null || x.fraction_separated === undefined)) { s.appendChild(el("p", { className: "note" }, "Not computed: " + x.note + ".")); return s; }
    if (!x.n_models || x.n_models < 2) {
      s.appendChild(el("p", null, "It takes two models with stored bootstrap resamples to say whether this benchmark separates models; " + (x.n_models || 0) + " of the " + x.n_scored + " models scored here have them."));
      return s;
    }
    const pct = Math.round(100 * x.fraction_separated);
    s.appendChild(defList([
      ["models compared", x.n_models + (x.n_scored > x.n_models ? " of the " + x.n_scored + " scored (the others have no resamples paired with these)" : "")],
      ["pairs separated", x.n_separated + " of " + x.n_pairs + " (" + pct + "%) at α = " + x.alpha + ", Holm over the pairs"],
      ["spread / CI half-width", fmt(x.spread_over_ci, 2) + " (standard deviation of the scores " + fmt(x.score_sd) + " / median half-width of their 95% intervals " + fmt(x.median_ci_half_width) + ")"],
    ]));
    s.appendChild(el("p", { className: "prose", id: "discriminability-meaning" },
      "What it means: of every two models scored here, " + pct + "% differ by more than this benchmark's stimulus sampling would explain (paired bootstrap test, corrected for testing " + x.n_pairs + " pairs). " +
      "The spread compares how far apart the models' scores are with how wide each one's interval is: below about 1 the models mostly sit inside each other's intervals and an order on this benchmark is mostly noise. " +
      (x.spread_over_ci < 1 ? "Here it is " + fmt(x.spread_over_ci, 2) + ": read a ranking on this benchmark alone with care." : "Here it is " + fmt(x.spread_over_ci, 2) + ": the models spread beyond their intervals.")));
    s.appendChild(el("p", { className: "note" }, "Method v" + (method.version || "?") + ": " + (method.method || "") + "."));
    return s;
  }

  function renderBenchmark(app, id) {
    const b = BENCH.get(id);
    if (!b) { setTitle("Not found"); app.appendChild(notFound("benchmark", id)); return; }
    setTitle(b.id, "benchmark");
    app.appendChild(el("p", { className: "crumbs" }, el("a", { href: "#/" }, "← leaderboard"), " · ", el("a", { href: "#/benchmarks" }, "all benchmarks")));
    app.appendChild(el("h1", null, b.id));
    const siblings = DATA.benchmarks.filter((x) => x.dataset === b.dataset && x.metric === b.metric);
    app.appendChild(el("p", { className: "siblings" }, "Regions: ", siblings.map((s, i) => [i ? " · " : "", s.id === b.id ? el("strong", null, s.region) : el("a", { href: benchHref(s.id) }, s.region)])));
    if (!b.registered) app.appendChild(el("p", { className: "problem" }, "This benchmark is in a result file but its dataset or metric is not installed here, so its data card is missing."));
    BENCHMARK_SECTIONS.forEach((sectionOf) => { const node = sectionOf(b); if (node) app.appendChild(node); });
  }

  function dataCardSection(b) {
    const ds = DATASETS.get(b.dataset) || {}, card = ds.card || {};
    const rows = [["dataset", card.title ? card.title + " (" + b.dataset + ")" : b.dataset], ["region", b.region]];
    [["species", "species"], ["method", "method"], ["response", "response"], ["stimuli", "stimuli"]].forEach((f) => { if (has(card, f[0]) && card[f[0]]) rows.push([f[1], asText(card[f[0]])]); });
    rows.push(["units in this region", isNum(b.n_neuroids) ? String(b.n_neuroids) : "—"]);
    if (b.n_subjects) rows.push(["subjects in this region", String(b.n_subjects)]);
    if (b.n_stimuli) rows.push(["stimuli scored", String(b.n_stimuli)]);
    const skip = ["title", "species", "method", "response", "stimuli", "bibtex", "regions", "citation", "terms"].concat(b.ceiling === null ? ["ceiling"] : []);
    Object.keys(card).forEach((k) => {
      if (skip.indexOf(k) < 0 && card[k] !== "") rows.push([k.replace(/^n_/, "").replace(/_/g, " ") + (k.slice(0, 2) === "n_" ? " (whole dataset)" : ""), asText(card[k])]);
    });
    if (card.citation) rows.push(["citation", asText(card.citation)]);
    if (card.terms) rows.push(["terms", asText(card.terms)]);
    return section("data-card", "Data", defList(rows), isText(card.bibtex) ? el("details", null, el("summary", null, "BibTeX"), el("pre", { className: "bibtex" }, card.bibtex)) : null);
  }

  function metricSection(b) {
    const ds = DATASETS.get(b.dataset) || {}, metric = METRICS.get(b.metric) || {}, config = metric.config || {};
    const rows = [["metric", b.metric], ["what it does", metric.description || "—"], ["score", b.score_name || "—"], ["benchmark version", b.version || "—"]];
    // the ceiling is described in its own section (or not at all, where there is none); "primary" is the benchmark's score above
    Object.keys(config).forEach((k) => { if (["ceiling", "name", "primary"].indexOf(k) < 0) rows.push([k === "version" ? "metric version" : k.replace(/_/g, " "), asText(config[k])]); });
    if (ds.aggregate) rows.push(["aggregate over units", ds.aggregate]);
    rows.push(["intervals", b.intervals.length ? "95% bootstrap over " + b.intervals.join(" and over ") + (b.intervals.indexOf("subjects") < 0 ? " (" + noSubjectsReason(b) + ")" : "") : "none"]);
    return section("metric", "Metric", defList(rows));
  }

  function ceilingSection(b) {
    if (b.ceiling === null) {
      return section("scale", "Score scale", defList([["scores shown", "raw " + (b.score_name || "score") + " values"], ["why", b.ceiling_note || "this benchmark's data give no way to estimate the best achievable score"]]));
    }
    const ds = DATASETS.get(b.dataset) || {}, config = (METRICS.get(b.metric) || {}).config || {};
    return section("ceiling", "Noise ceiling", defList([
      ["ceiling", fmt(b.ceiling) + (b.ceiling_values_differ ? " (results disagree on the ceiling: they were computed on different data versions)" : "")],
      ["how it is computed", b.ceiling_note || (config.ceiling ? asText(config.ceiling) : "—")],
      ["ceiled score", "the score divided by the ceiling" + (ds.aggregate ? " (where the metric scores units one by one, both are their " + ds.aggregate + " over units)" : "") + "; values above 1 are kept and flagged, never clipped"],
    ]));
  }

  function benchmarkScoresSection(b) {
    const entries = DATA.models.filter((m) => m.modality === b.modality).map((m) => ({ m: m, c: cell(m, b.id, "stimuli") }));
    const scored = entries.filter((x) => x.c.status === "scored").sort((p, q) => q.c.value - p.c.value || (p.m.name < q.m.name ? -1 : 1));
    const others = entries.filter((x) => x.c.status !== "scored");
    const label = (b.ceiling === null ? "raw " + (b.score_name || "score") + " (no noise ceiling)" : "ceiled score (1 = noise ceiling)") + ", 95% CI over stimuli";
    const s = section("distribution", "Scores across models");
    const table = el("table", { className: "plain scores-table", id: "score-table" },
      el("caption", null, label),
      el("thead", null, el("tr", null, ["#", "model", b.ceiling === null ? "raw " + (b.score_name || "score") : "ceiled", "95% CI", "raw", "chosen layer"].map((h) => el("th", { scope: "col" }, h)))));
    const body = el("tbody");
    scored.forEach((x, i) => body.appendChild(el("tr", { "data-model": x.m.name, "data-status": "scored" }, el("td", null, String(i + 1)), el("th", { scope: "row" }, el("a", { href: modelHref(x.m.name) }, x.m.name)),
      el("td", null, fmt(x.c.value), x.c.flags ? el("sup", { className: "flag", title: x.c.flags }, "⚑") : null), el("td", null, fmtCI(x.c.ci)), el("td", null, fmt(x.c.raw)), el("td", null, x.c.layer || ""))));
    others.forEach((x) => body.appendChild(el("tr", { "data-model": x.m.name, "data-status": x.c.status }, el("td", null, ""), el("th", { scope: "row" }, el("a", { href: modelHref(x.m.name) }, x.m.name)),
      el("td", { colspan: 4, className: "status-" + x.c.status.replace(/[^a-z]/g, "") }, x.c.status + (x.c.message ? ": " + x.c.message : "")))));
    table.appendChild(body);
    s.appendChild(el("div", { className: "score-layout" }, el("div", { className: "scroll-x score-table-wrap" }, table), el("div", { className: "plot-scroll" }, distributionPlot(b, scored, label))));
    return s;
  }

  function distributionPlot(b, scored, axisLabel) {
    if (!scored.length) return el("p", null, "No model has a valid score on this benchmark yet.");
    const shown = scored.slice(0, PLOT_ROWS_MAX);
    const W = plotWidth(640), cols = W < 520 ? 2 : 4, row = 22, L = Math.min(220, Math.round(W * 0.38)), R = 24, T = cols === 2 ? 48 : 30, B = 40, H = T + B + row * shown.length;
    const values = [0, 1];
    shown.forEach((s) => { values.push(s.c.value); if (s.c.ci) values.push(s.c.ci[0], s.c.ci[1]); });
    const range = axisRange(values);
    const x = (v) => L + (range.clamp(v) - range.lo) / (range.hi - range.lo) * (W - L - R);
    const root = svg("svg", { className: "distribution", viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img", "aria-label": "scores of the best " + shown.length + " models on " + b.id });
    range.ticks.forEach((t) => {
      root.appendChild(svg("line", { x1: x(t), x2: x(t), y1: T - 6, y2: H - B, className: Math.abs(t) < 1e-9 ? "zero" : (Math.abs(t - 1) < 1e-9 && b.ceiling !== null ? "ceiling-line" : "grid") }));
      root.appendChild(svg("text", { x: x(t), y: H - B + 16, "text-anchor": "middle", className: "tick" }, fmt(t, 1)));
    });
    root.appendChild(svg("text", { x: W / 2, y: H - 6, "text-anchor": "middle", className: "axis-label" }, axisLabel));
    const maxChars = Math.floor((L - 14) / 7);
    shown.forEach((s, i) => {
      const yy = T + i * row + row / 2, color = PALETTE[TRAININGS.indexOf(s.m.training) >= 0 ? TRAININGS.indexOf(s.m.training) : 7];
      const g = svg("g", { className: "model-dot", "data-model": s.m.name });
      const name = s.m.name.length > maxChars ? s.m.name.slice(0, maxChars - 1) + "…" : s.m.name;
      // labels, not links: the table beside the plot links every model (links inside an image would be nested controls)
      g.appendChild(svg("text", { x: L - 10, y: yy + 4, "text-anchor": "end", className: "model-label" }, name, svg("title", null, s.m.name)));
      if (s.c.ci) g.appendChild(svg("line", { x1: x(s.c.ci[0]), x2: x(s.c.ci[1]), y1: yy, y2: yy, stroke: color, className: "dist-ci" }));
      g.appendChild(svg("circle", { cx: x(s.c.value), cy: yy, r: 5, fill: color }, svg("title", null, s.m.name + " (" + s.m.training + "): " + fmt(s.c.value) + " " + fmtCI(s.c.ci))));
      root.appendChild(g);
    });
    const legend = svg("g", { className: "legend" });
    TRAININGS.forEach((t, i) => {
      const lx = 8 + (i % cols) * Math.floor((W - 16) / cols), ly = 12 + Math.floor(i / cols) * 18;
      legend.appendChild(svg("circle", { cx: lx + 5, cy: ly, r: 5, fill: PALETTE[i] }));
      legend.appendChild(svg("text", { x: lx + 14, y: ly + 4, className: "legend-text" }, t));
    });
    root.appendChild(legend);
    const figure = el("figure", { className: "dist-figure" }, root);
    if (scored.length > shown.length) figure.appendChild(el("figcaption", { className: "note" }, "The plot shows the best " + shown.length + " of " + scored.length + " models; the table has all of them."));
    return figure;
  }

  // ---------------------------------------------------------------------------------------------
  // Compare view: side by side per benchmark, and paired bootstrap differences where the samples allow
  function renderCompare(app, names) {
    setTitle("Compare " + names.join(", "));
    app.appendChild(el("p", { className: "crumbs" }, el("a", { href: "#/" }, "← leaderboard")));
    app.appendChild(el("h1", null, "Compare"));
    const models = names.map((n) => MODELS.get(n));
    const missing = names.filter((n, i) => !models[i]);
    if (missing.length || names.length < 2) {
      app.appendChild(el("p", { className: "problem" }, names.length < 2 ? "Pick two or more models (tick them in the table, or use “compare” on a model page)." : "No model named " + missing.map((n) => "“" + n + "”").join(", ") + " in this leaderboard."));
      return;
    }
    app.appendChild(el("p", null, models.map((m, i) => [i ? " vs " : "", el("a", { href: modelHref(m.name) }, m.name)])));
    const body = el("div", { id: "compare-body" }, el("p", { className: "loading" }, "Loading the models' details…"));
    app.appendChild(body);
    Promise.all(models.map(loadDetail)).then((details) => {
      if (!body.isConnected) return;
      body.textContent = "";
      body.appendChild(sideBySide(models));
      for (let i = 0; i < models.length; i++) for (let j = i + 1; j < models.length; j++) {
        if (models[i].modality === models[j].modality) body.appendChild(differenceSection(models[i], models[j], details[i], details[j]));
      }
      restoreScroll();
      performance.mark("brainbench-rendered");
    }).catch((error) => { body.textContent = ""; body.appendChild(el("p", { className: "problem" }, error.message)); });
  }

  function sideBySide(models) {
    const s = section("side-by-side", "Scores side by side");
    const ids = DATA.benchmarks.filter((b) => models.some((m) => m.modality === b.modality)).map((b) => b.id);
    const head = el("tr", null, el("th", { scope: "col" }, "benchmark"), models.map((m) => el("th", { scope: "col" }, m.name)));
    const body = el("tbody", null, el("tr", { className: "overall-row" }, el("th", { scope: "row" }, "ranked score (rank)"), models.map((m) => el("td", { "data-value": m.rank.value === null ? "" : m.rank.value },
      m.rank.value === null ? "—" : [rankedLabel(m.modality) + " " + fmt(m.rank.value) + " ", el("span", { className: "ci" }, fmtCI(m.rank.ci95)), " (rank " + m.rank.rank + (m.rank.tied_with_next ? ", tied with next" : "") + ")"]))));
    ids.forEach((id) => body.appendChild(el("tr", { "data-benchmark": id }, el("th", { scope: "row" }, el("a", { href: benchHref(id) }, id)), models.map((m) => {
      const c = cell(m, id, "stimuli");
      return el("td", { "data-status": c.status }, c.status === "scored" ? [fmt(c.value) + (c.ceiled ? "" : " raw") + " ", el("span", { className: "ci" }, fmtCI(c.ci))] : c.status);
    }))));
    s.appendChild(el("div", { className: "scroll-x" }, el("table", { className: "plain compare-table" }, el("thead", null, head), body)));
    return s;
  }

  /** Why the paired difference of two entries cannot be shown (null if it can). */
  function pairingProblem(a, b) {
    if (!a || !b) return "not scored by both";
    if (!a.bootstrap || !b.bootstrap) return "bootstrap samples missing for " + (!a.bootstrap && !b.bootstrap ? "both" : !a.bootstrap ? "the first" : "the second") + " model";
    if (String(a.version) !== String(b.version)) return "different benchmark versions (" + a.version + " vs " + b.version + ")";
    if (a.bootstrap.statistic !== b.bootstrap.statistic) return "samples of different statistics (" + a.bootstrap.statistic + " vs " + b.bootstrap.statistic + ")";
    const sa = a.bootstrap.stimuli, sb = b.bootstrap.stimuli;
    if (sa.seed !== sb.seed || sa.n !== sb.n) return "different stimulus resamples (seed " + sa.seed + "/n " + sa.n + " vs seed " + sb.seed + "/n " + sb.n + ")";
    return null;
  }
  function subjectsPairing(a, b) {
    const sa = a.bootstrap.subjects, sb = b.bootstrap.subjects;
    if (!sa && !sb) return { use: false, why: "no resampling over subjects" };
    if (!sa || !sb) return { use: false, why: "subject samples for only one model" };
    if (sa.seed !== sb.seed || sa.n !== sb.n) return { use: false, why: "different subject resamples" };
    return { use: true };
  }

  function differenceSection(A, B, dA, dB) {
    const ids = DATA.benchmarks.filter((b) => b.modality === A.modality).map((b) => b.id);
    const rows = ids.map((id) => {
      const a = has(dA.scores, id) ? dA.scores[id] : null, b = has(dB.scores, id) ? dB.scores[id] : null;
      const why = pairingProblem(a, b);
      if (why) return { id: id, why: why };
      const stat = a.bootstrap.statistic, subj = subjectsPairing(a, b);
      return { id: id, d: a[stat] - b[stat], stat: stat, a: a, b: b, subjects: subj };
    });
    const paired = rows.filter((r) => !r.why);
    const stim = pairedDifferences(paired.map((r) => ({ d: r.d, a: decodeFloat32(r.a.bootstrap.stimuli.samples), b: decodeFloat32(r.b.bootstrap.stimuli.samples) })));
    const withSubjects = paired.filter((r) => r.subjects.use);
    const subj = pairedDifferences(withSubjects.map((r) => ({ d: r.d, a: decodeFloat32(r.a.bootstrap.subjects.samples), b: decodeFloat32(r.b.bootstrap.subjects.samples) })));
    paired.forEach((r, i) => { r.stimuli = stim[i]; });
    withSubjects.forEach((r, i) => { r.subjectStats = subj[i]; });
    const title = A.name + " − " + B.name;
    const s = el("section", { className: "difference", "data-pair": A.name + "\n" + B.name, "aria-label": "paired differences " + title },
      el("h2", null, "Paired differences: ", title),
      el("p", { className: "note" }, "d = the first model's score minus the second's (ceiled where the benchmark has a ceiling, else raw), on the same bootstrap resamples of stimuli (and of subjects where there are some). " +
        "95% CI d ± 1.96·se with se the standard deviation of the paired sample differences; two-sided normal p, Holm-adjusted over the benchmarks below (per source). " +
        "Separated: Holm p < 0.05 over stimuli and, where there are subjects, over subjects."));
    const head = el("tr", null, ["benchmark", "d", "95% CI (stimuli)", "p Holm (stimuli)", "95% CI (subjects)", "p Holm (subjects)", "separated"].map((h) => el("th", { scope: "col" }, h)));
    const body = el("tbody");
    rows.forEach((r) => {
      if (r.why) { body.appendChild(el("tr", { "data-benchmark": r.id, "data-shown": "no" }, el("th", { scope: "row" }, r.id), el("td", { colspan: 6, className: "note" }, "not shown: " + r.why))); return; }
      const st = r.stimuli, sj = r.subjectStats;
      const separated = st.pHolm !== null && st.pHolm < 0.05 && (!r.subjects.use || (sj && sj.pHolm !== null && sj.pHolm < 0.05));
      body.appendChild(el("tr", { "data-benchmark": r.id, "data-shown": "yes", "data-d": r.d, "data-p-stimuli": st.pHolm, "data-p-subjects": sj ? sj.pHolm : "", "data-separated": separated ? "yes" : "no" },
        el("th", { scope: "row" }, r.id), el("td", null, fmt(r.d) + (r.stat === "raw" ? " (raw)" : "")), el("td", null, fmtCI([st.lo, st.hi])), el("td", null, fmtP(st.pHolm)),
        el("td", null, sj ? fmtCI([sj.lo, sj.hi]) : r.subjects.why), el("td", null, sj ? fmtP(sj.pHolm) : "—"), el("td", { className: separated ? "separated" : "" }, separated ? "yes" : "no")));
    });
    s.appendChild(el("div", { className: "scroll-x" }, el("table", { className: "plain difference-table" }, el("thead", null, head), body)));
    s.appendChild(overallDifference(A, B, dA, dB));
    return s;
  }

  /** The two models' ranked scores (overall, or the raw dataset of a board without a ceiling), paired on their stored resamples. */
  function overallDifference(A, B, dA, dB) {
    const label = rankedLabel(A.modality), ra = dA.ranking || {}, rb = dB.ranking || {}, sa = ra.samples, sb = rb.samples;
    let why = null;
    if (!isNum(ra.value) || !isNum(rb.value)) why = "a " + label + " score is missing for " + (isNum(ra.value) ? B.name : A.name);
    else if (!sa || !sb) why = "no stored resamples of the " + label + " score for " + (!sa ? A.name : B.name);
    else if (sa.n !== sb.n || (sa.datasets || []).join(",") !== (sb.datasets || []).join(",")) why = "the two scores average different datasets (" + (sa.datasets || []).join(", ") + " vs " + (sb.datasets || []).join(", ") + ")";
    const p = el("p", { className: "overall-difference", "data-shown": why ? "no" : "yes" });
    if (why) { p.appendChild(document.createTextNode(label + " difference not shown: " + why + ".")); return p; }
    const r = pairedDifferences([{ d: ra.value - rb.value, a: decodeFloat32(sa.samples), b: decodeFloat32(sb.samples) }])[0];
    p.setAttribute("data-d", r.d);
    p.setAttribute("data-p", r.p === null ? "" : r.p);
    p.appendChild(document.createTextNode(label + " difference (" + A.name + " − " + B.name + "): " + fmt(r.d) + ", 95% CI " + fmtCI([r.lo, r.hi]) + ", paired p " + fmtP(r.p) +
      " (one test on the resamples of the whole score, not part of the Holm family above)" + (r.p !== null && r.p < 0.05 ? ": separated." : ": not separated.")));
    return p;
  }

  // ---------------------------------------------------------------------------------------------
  function renderAbout(app) {
    setTitle("About the scores");
    app.appendChild(el("h1", null, "About the scores"));
    [
      "Each benchmark id is <dataset>.<region>.<metric>. A model's features at each candidate layer are mapped to the recorded responses by the metric (e.g. cross-validated ridge regression); the score is aggregated over units (median for the mouse data).",
      "The ceiled score divides the raw score by the noise ceiling, the score a perfect model of the trial-averaged response would reach given the trial-to-trial noise. Scores above 1 are kept and flagged (⚑), never clipped. Benchmarks whose data have no repeats (NH2015) have no ceiling: their raw scores are shown, marked “raw”.",
      "Intervals are 95% bootstrap intervals over stimuli (the score and ceiling recomputed on the same resample, without refitting) or over subjects; pick one above the table. Where a benchmark has no interval over subjects (one subject, or a pooled recording) the stimulus interval is shown and labelled as such.",
      "The reported layer is chosen honestly: inside each outer fold by an inner cross-validation on that fold's training stimuli only. The layer profile (every layer's score over all folds) is shown for insight, not used for the score.",
      "Missing scores are shown as “not run” (no result), “failed” (the run raised an error, recorded in the result file) or “invalid” (the result file's numbers failed a check: a non-finite value, an implausible ceiling, an interval that does not contain its score, a duplicate), never as zero and never averaged.",
      "Compare two or more models (tick them in the table) to see their scores side by side and, where both results carry bootstrap samples on the same resamples, the paired difference per benchmark with Holm-adjusted p-values.",
    ].forEach((p) => app.appendChild(el("p", { className: "prose" }, p)));
    aboutAnswers().forEach((node) => app.appendChild(node));
    app.appendChild(el("p", null, "Generated " + DATA.generated_utc + " by brainbench " + DATA.brainbench_version + " from " + DATA.models.length + " models."));
    app.appendChild(problemsNote());
  }

  /** The definitions behind the overall score, its ranking and ties, discriminability, hierarchy and pathways (from data.json). */
  function aboutAnswers() {
    const o = METHODS.overall || {}, out = [el("h2", { id: "overall-definition" }, "The overall score and the ranking")];
    out.push(el("p", { className: "prose" }, "Vision and audio are separate leaderboards: the table always shows one modality, and no number averages the two. Each leaderboard is ranked by one defined score:"));
    out.push(el("ul", { className: "prose" }, MODALITIES.map((m) => {
      const b = board(m);
      return el("li", { "data-modality": m }, el("strong", null, m + ": "), b.by_dataset
        ? "ranked by " + b.by_dataset + " (raw " + scoreNameOf(b.by_dataset) + ", the mean over its regions): this dataset has no noise ceiling, so its raw scores are never averaged with ceiled ones; the column says so."
        : "ranked by the overall score, the mean over the ceiled datasets " + b.ceiled_datasets.join(", ") + (b.raw_datasets.length ? "; " + b.raw_datasets.join(", ") + " (no ceiling) is its own column, never averaged in" : "") + ".",
      " " + b.n_ranked + " of " + b.n_models + " models ranked.");
    })));
    out.push(el("p", { className: "prose", id: "definition" }, el("strong", null, "Definition (version " + (o.version || "?") + "): "), o.definition || "—", "."));
    out.push(el("p", { className: "prose" }, "Only valid scores count: an invalid, failed or missing region leaves its dataset without a value (shown as such, never as zero), and the coverage beside the score says how many of the leaderboard's datasets it averages. The group “mean” columns follow the same rule, so the 2-photon mean is the mean over areas of the mean over each area's cortical layers — the dataset's value in the overall score."));
    out.push(el("p", { className: "prose", id: "ties-definition" }, el("strong", null, "Ties (“=”): "), (METHODS.ties || "") + ". A tie says the data cannot order the two models; it is not evidence that they are equal."));
    const d = METHODS.discriminability || {}, h = METHODS.hierarchy || {}, pw = METHODS.pathways || {};
    out.push(el("h2", null, "Benchmark discriminability"));
    out.push(el("p", { className: "prose" }, "Each benchmark page says how many pairs of the models scored on it are separated, and the spread of their scores relative to the width of their intervals (below about 1, a ranking on that benchmark is mostly noise). Method v" + (d.version || "?") + ": " + (d.method || "") + "."));
    out.push(el("h2", null, "Layer–area hierarchy"));
    out.push(el("p", { className: "prose" }, "Each model page plots, per region, the relative depth of the layer that fits it best against the region's position in the brain's hierarchy, with Spearman's ρ, its interval and a permutation p. Method v" + (h.version || "?") + ": " + (h.method || "") + "."));
    out.push(el("h2", null, "Pathways"));
    out.push(el("p", { className: "prose" }, "For a model whose card declares parallel pathways and whose result file carries the analysis (brainbench analyze pathways --model M), the model page compares the pathways per area. Method v" + (pw.version || "?") + ": " + (pw.method || "") + "."));
    return out;
  }

  function renderFooter() {
    const f = document.getElementById("footer");
    if (!DATA) return;
    f.appendChild(el("span", null, "Generated " + DATA.generated_utc + " by brainbench " + DATA.brainbench_version + " · " + DATA.models.length + " models · " + DATA.benchmarks.length + " benchmarks · ",
      el("a", { href: "data.json" }, "data.json")));
  }

  const skip = document.querySelector(".skip-link"); // the hash is the route, so the skip link moves focus itself
  if (skip) skip.addEventListener("click", (e) => { e.preventDefault(); document.getElementById("app").focus(); });
  if ("scrollRestoration" in history) history.scrollRestoration = "manual";
  window.addEventListener("scroll", rememberScroll, { passive: true });
  window.addEventListener("hashchange", route);
  renderFooter();
  route();
})();
