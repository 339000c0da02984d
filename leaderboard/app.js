/* brainbench leaderboard: a static, dependency-free page over window.BRAINBENCH_DATA (written by
 * `brainbench leaderboard build`).
 *
 * Security rule: every string from a result file (model names, cards, errors, bibtex) is untrusted.
 * The page is built only with createElement / createTextNode / setAttribute; innerHTML is never used.
 *
 * Routes (in the URL hash, so the state is shareable and works from file://):
 *   #/?q=&modality=&training=a,b&metric=&ci=&sort=&dir=   the main table
 *   #/model/<name>   #/benchmark/<id>   #/benchmarks   #/about
 */
(function () {
  "use strict";

  var DATA = window.BRAINBENCH_DATA;
  var SVGNS = "http://www.w3.org/2000/svg";
  var TRAININGS = ["supervised", "self-supervised", "untrained", "baseline"];
  var PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7a5195", "#666666"];
  var DEFAULT_STATE = { q: "", modality: "", training: "", metric: "", ci: "stimuli", sort: "avg", dir: "desc", toggle: "" };
  var COLLAPSE_ABOVE = 8; // groups with more benchmarks than this start collapsed to their mean

  // ---------------------------------------------------------------------------------------------
  // DOM helpers (text only: strings become text nodes, never markup)
  function el(tag, attrs) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS(SVGNS, tag);
    setAttrs(node, attrs);
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }
  function setAttrs(node, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") node.textContent = String(v);
      else if (k.slice(0, 2) === "on" && typeof v === "function") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k === "className" ? "class" : k, String(v));
    });
  }
  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
    node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
  function fmt(x, digits) {
    return (x === null || x === undefined || !isFinite(x)) ? "—" : Number(x).toFixed(digits === undefined ? 3 : digits);
  }
  function fmtCI(ci) { return ci ? "[" + fmt(ci[0]) + ", " + fmt(ci[1]) + "]" : ""; }
  function modelHref(name) { return "#/model/" + encodeURIComponent(name); }
  function benchHref(id) { return "#/benchmark/" + encodeURIComponent(id); }
  function isText(x) { return typeof x === "string" && x.length > 0; }
  function asText(x) {
    if (x === null || x === undefined) return "";
    if (typeof x === "number") return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
    if (Array.isArray(x)) return x.map(asText).join(", ");
    if (typeof x === "object") return Object.keys(x).map(function (k) { return k + ": " + (typeof x[k] === "object" && x[k] !== null && !Array.isArray(x[k]) ? "{" + asText(x[k]) + "}" : asText(x[k])); }).join("; ");
    return String(x);
  }

  // ---------------------------------------------------------------------------------------------
  // Data access
  var BENCH = {}, DATASETS = (DATA && DATA.datasets) || {}, METRICS = (DATA && DATA.metrics) || {};
  if (DATA) DATA.benchmarks.forEach(function (b) { BENCH[b.id] = b; });
  function modelByName(name) {
    for (var i = 0; i < DATA.models.length; i++) if (DATA.models[i].name === name) return DATA.models[i];
    return null;
  }

  /** One cell: status scored | failed | not run | n/a (other modality); value = ceiled, or raw where there is no ceiling. */
  function cell(model, benchId, ciKind) {
    var b = BENCH[benchId], entry = model.scores[benchId];
    if (entry) {
      var ceiled = entry.ceiled !== null && entry.ceiled !== undefined;
      var cis = entry["ci95_" + (ciKind || "stimuli")] || entry.ci95_stimuli || entry.ci95_subjects || null;
      var ci = cis ? (ceiled ? cis.ceiled : cis.raw) : null;
      return { status: "scored", value: ceiled ? entry.ceiled : entry.raw, uncelied: !ceiled, ci: ci || null, entry: entry };
    }
    var error = model.failed[benchId] || (b && b.modality === model.modality ? model.failed["*"] : undefined);
    if (error !== undefined) return { status: "failed", value: null, error: error };
    if (b && b.modality !== model.modality) return { status: "n/a", value: null };
    return { status: "not run", value: null };
  }

  /** Mean of a model's values over the given benchmarks, with how many it averages out of how many apply. */
  function average(model, benchIds, ciKind) {
    var sum = 0, scored = 0, applicable = 0, failed = 0;
    benchIds.forEach(function (id) {
      var c = cell(model, id, ciKind);
      if (c.status === "n/a") return;
      applicable++;
      if (c.status === "scored") { sum += c.value; scored++; }
      if (c.status === "failed") failed++;
    });
    return { value: scored ? sum / scored : null, scored: scored, applicable: applicable, failed: failed };
  }

  // ---------------------------------------------------------------------------------------------
  // Routing and URL state
  function parseHash() {
    var h = location.hash.replace(/^#\/?/, "");
    var q = h.indexOf("?");
    var path = q >= 0 ? h.slice(0, q) : h, query = q >= 0 ? h.slice(q + 1) : "";
    var params = new URLSearchParams(query), state = {};
    Object.keys(DEFAULT_STATE).forEach(function (k) { state[k] = params.has(k) ? params.get(k) : DEFAULT_STATE[k]; });
    return { parts: path.split("/").map(function (p) { try { return decodeURIComponent(p); } catch (e) { return p; } }), state: state };
  }
  function stateToHash(state) {
    var params = new URLSearchParams();
    Object.keys(DEFAULT_STATE).forEach(function (k) { if (state[k] !== DEFAULT_STATE[k] && state[k] !== "") params.set(k, state[k]); });
    var s = params.toString();
    return "#/" + (s ? "?" + s : "");
  }

  function route() {
    var app = document.getElementById("app");
    app.textContent = "";
    if (!DATA) {
      app.appendChild(el("p", { className: "problem" }, "No data: data.js is missing or failed to load. Run `brainbench leaderboard build` and open the index.html it writes."));
      return;
    }
    var r = parseHash(), page = r.parts[0] || "";
    document.querySelectorAll("nav a").forEach(function (a) {
      a.classList.toggle("active", a.getAttribute("data-nav") === (page === "" ? "table" : page === "benchmark" ? "benchmarks" : page));
    });
    if (page === "model") renderModel(app, r.parts.slice(1).join("/"));
    else if (page === "benchmark") renderBenchmark(app, r.parts.slice(1).join("/"));
    else if (page === "benchmarks") renderBenchmarkList(app);
    else if (page === "about") renderAbout(app);
    else renderTable(app, r.state);
    window.scrollTo(0, 0);
  }

  // ---------------------------------------------------------------------------------------------
  // Main table
  function visibleGroups(state) {
    // a group that applies to no model in view would be a column of "n/a": leave it out
    var modalities = unique(visibleModels(state).map(function (m) { return m.modality; }));
    return DATA.groups.filter(function (g) {
      return (!state.modality || g.modality === state.modality) && (!state.metric || g.metric === state.metric) &&
        (state.modality || modalities.indexOf(g.modality) >= 0);
    });
  }
  function visibleModels(state) {
    var q = state.q.trim().toLowerCase(), trainings = state.training ? state.training.split(",") : [];
    return DATA.models.filter(function (m) {
      if (state.modality && m.modality !== state.modality) return false;
      if (trainings.length && trainings.indexOf(m.training) < 0) return false;
      if (q && m.name.toLowerCase().indexOf(q) < 0) return false;
      return true;
    });
  }
  function visibleBenchIds(groups) { return [].concat.apply([], groups.map(function (g) { return g.benchmarks; })); }

  function sortValue(model, key, benchIds, state) {
    if (key === "name") return model.name.toLowerCase();
    if (key === "modality" || key === "training") return model[key];
    if (key === "avg") return average(model, benchIds, state.ci).value;
    if (key.slice(0, 2) === "g:") {
      var g = DATA.groups.filter(function (x) { return x.id === key.slice(2); })[0];
      return g ? average(model, g.benchmarks, state.ci).value : null;
    }
    if (key.slice(0, 2) === "b:") return cell(model, key.slice(2), state.ci).value;
    return null;
  }
  function sortModels(models, state, benchIds) {
    var dir = state.dir === "asc" ? 1 : -1;
    var keyed = models.map(function (m) { return { m: m, v: sortValue(m, state.sort, benchIds, state) }; });
    keyed.sort(function (a, b) {
      var missingA = a.v === null || a.v === undefined, missingB = b.v === null || b.v === undefined;
      if (missingA !== missingB) return missingA ? 1 : -1; // missing scores last in either direction
      if (!missingA && a.v !== b.v) return (a.v < b.v ? -1 : 1) * dir;
      return a.m.name < b.m.name ? -1 : a.m.name > b.m.name ? 1 : 0; // ties: by name, the same in every browser
    });
    return keyed.map(function (k) { return k.m; });
  }

  function renderTable(app, state) {
    var modalities = unique(DATA.models.map(function (m) { return m.modality; }).concat(DATA.groups.map(function (g) { return g.modality; })));
    var metrics = unique(DATA.groups.map(function (g) { return g.metric; }));
    function update(patch) {
      Object.keys(patch).forEach(function (k) { state[k] = patch[k]; });
      history.replaceState(null, "", stateToHash(state));
      fill();
    }
    var search = el("input", { id: "search", type: "search", placeholder: "search model names", value: state.q, "aria-label": "search model names" });
    search.addEventListener("input", function () { update({ q: search.value }); });
    var modality = select("modality", [["", "all modalities"]].concat(modalities.map(function (m) { return [m, m]; })), state.modality, function (v) { update({ modality: v }); });
    var metric = select("metric", [["", "all metrics"]].concat(metrics.map(function (m) { return [m, m]; })), state.metric, function (v) { update({ metric: v }); });
    var ci = select("ci", [["stimuli", "95% CI over stimuli"], ["subjects", "95% CI over subjects"]], state.ci, function (v) { update({ ci: v }); });
    var chosen = state.training ? state.training.split(",") : [];
    var trainingBoxes = TRAININGS.concat(unique(DATA.models.map(function (m) { return m.training; })).filter(function (t) { return TRAININGS.indexOf(t) < 0; })).map(function (t) {
      var box = el("input", { type: "checkbox", className: "training", value: t, checked: chosen.indexOf(t) >= 0 ? "checked" : null });
      box.addEventListener("change", function () {
        var on = Array.prototype.filter.call(document.querySelectorAll("input.training"), function (b) { return b.checked; }).map(function (b) { return b.value; });
        update({ training: on.join(",") });
      });
      return el("label", { className: "chip training-" + t }, box, " " + t);
    });
    var downloads = el("span", { className: "downloads" }, "Download what is in view: ",
      el("button", { id: "download-csv", type: "button", onclick: function () { downloadCSV(state); } }, "CSV"),
      el("button", { id: "download-json", type: "button", onclick: function () { downloadJSON(state); } }, "JSON"),
      el("button", { id: "download-bibtex", type: "button", onclick: function () { downloadBibtex(state); } }, "BibTeX"));
    var controls = el("div", { className: "controls" },
      el("div", { className: "control-row" }, search, modality, metric, ci, el("button", { id: "reset", type: "button", onclick: function () { location.hash = "#/"; } }, "reset")),
      el("div", { className: "control-row" }, el("span", { className: "label" }, "training: "), trainingBoxes, downloads));
    var summary = el("p", { id: "summary", className: "summary" });
    var tableWrap = el("div", { className: "table-wrap" });
    app.appendChild(el("h1", null, "Leaderboard"));
    app.appendChild(el("p", { className: "lede" },
      "Ceiled scores (the metric's score divided by the data's noise ceiling) with 95% bootstrap intervals; hover a score for the raw score and ceiling, or open a row (▸) for all of them. A missing score says “not run” or “failed”, never zero; each average says how many benchmarks it covers. ",
      el("a", { href: "#/about" }, "How the scores are computed.")));
    app.appendChild(controls);
    app.appendChild(summary);
    app.appendChild(tableWrap);
    app.appendChild(problemsNote());

    var expanded = {};
    function fill() {
      var groups = visibleGroups(state), benchIds = visibleBenchIds(groups);
      var models = sortModels(visibleModels(state), state, benchIds);
      summary.textContent = models.length + " of " + DATA.models.length + " models, " + benchIds.length + " of " + DATA.benchmarks.length + " benchmarks in view";
      tableWrap.textContent = "";
      var table = el("table", { id: "leaderboard", className: "leaderboard" });
      var head1 = el("tr"), head2 = el("tr");
      function sortHeader(key, label, title, extraClass) {
        var active = state.sort === key;
        var th = el("th", { className: "sortable " + (extraClass || ""), "aria-sort": active ? (state.dir === "asc" ? "ascending" : "descending") : "none", title: title || null },
          el("button", { type: "button", className: "sort", "data-sort": key, onclick: function () {
            var dir = active ? (state.dir === "asc" ? "desc" : "asc") : (key === "name" || key === "modality" || key === "training" ? "asc" : "desc");
            update({ sort: key, dir: dir });
          } }, label, el("span", { className: "arrow" }, active ? (state.dir === "asc" ? " ▲" : " ▼") : "")));
        return th;
      }
      head1.appendChild(el("th", { colspan: 5, className: "corner" }, ""));
      head2.appendChild(el("th", { className: "rank" }, "#"));
      head2.appendChild(sortHeader("name", "model"));
      head2.appendChild(sortHeader("modality", "modality"));
      head2.appendChild(sortHeader("training", "training"));
      head2.appendChild(sortHeader("avg", "average", "mean over the benchmarks in view that apply to the model; the count says how many of them it covers", "avg"));
      groups.forEach(function (g, gi) {
        var withMean = g.benchmarks.length > 1, shut = collapsed(g, state);
        var toggle = withMean ? el("button", { type: "button", className: "group-toggle", "data-group": g.id, "aria-expanded": shut ? "false" : "true",
          title: shut ? "show the " + g.benchmarks.length + " benchmarks" : "collapse to the mean", onclick: function () {
            var toggled = state.toggle ? state.toggle.split(",") : [], at = toggled.indexOf(g.id);
            if (at >= 0) toggled.splice(at, 1); else toggled.push(g.id);
            update({ toggle: toggled.join(",") });
          } }, shut ? "+" + g.benchmarks.length : "−") : null;
        head1.appendChild(el("th", { colspan: shut ? 1 : g.benchmarks.length + (withMean ? 1 : 0), className: "group " + (gi % 2 ? "odd" : "even") + (shut ? " collapsed" : ""), title: g.title + " · " + g.metric },
          toggle, " ", shut ? g.dataset : g.title, " · ", el("span", { className: "metric" }, g.metric)));
        if (withMean) head2.appendChild(sortHeader("g:" + g.id, "mean", "mean over " + g.title + " (" + g.metric + ")", "group-mean " + (gi % 2 ? "odd" : "even")));
        if (shut) return;
        g.benchmarks.forEach(function (id) {
          var th = sortHeader("b:" + id, BENCH[id].region, id, "bench " + (gi % 2 ? "odd" : "even"));
          th.appendChild(el("a", { className: "bench-link", href: benchHref(id), title: "benchmark page: " + id, "aria-label": "benchmark page: " + id }, "i"));
          head2.appendChild(th);
        });
      });
      table.appendChild(el("thead", null, head1, head2));
      var body = el("tbody");
      var columns = 5 + groups.reduce(function (n, g) { return n + (collapsed(g, state) ? 1 : g.benchmarks.length + (g.benchmarks.length > 1 ? 1 : 0)); }, 0);
      models.forEach(function (m, i) {
        var avg = average(m, benchIds, state.ci);
        var toggle = el("button", { type: "button", className: "expand", "aria-expanded": expanded[m.name] ? "true" : "false", title: "raw scores, ceilings and chosen layers" }, expanded[m.name] ? "▾" : "▸");
        var row = el("tr", { className: "model-row", "data-model": m.name },
          el("td", { className: "rank" }, String(i + 1)),
          el("td", { className: "name" }, toggle, " ", el("a", { href: modelHref(m.name), className: "model-link" }, m.name)),
          el("td", { className: "modality" }, m.modality),
          el("td", { className: "training" }, el("span", { className: "tag training-" + m.training }, m.training)),
          aggregateCell(avg, "avg", "the " + avg.applicable + " benchmarks in view that apply to " + m.modality + " models"));
        groups.forEach(function (g, gi) {
          if (g.benchmarks.length > 1) row.appendChild(aggregateCell(average(m, g.benchmarks, state.ci), "group-mean " + (gi % 2 ? "odd" : "even"), g.title + " · " + g.metric));
          if (!collapsed(g, state)) g.benchmarks.forEach(function (id) { row.appendChild(scoreCell(m, id, state.ci, gi)); });
        });
        body.appendChild(row);
        var detail = el("tr", { className: "detail-row", "data-model": m.name, hidden: expanded[m.name] ? null : "hidden" },
          el("td", { colspan: columns }, detailTable(m, benchIds, state.ci)));
        toggle.addEventListener("click", function () {
          expanded[m.name] = !expanded[m.name];
          detail.hidden = !expanded[m.name];
          toggle.textContent = expanded[m.name] ? "▾" : "▸";
          toggle.setAttribute("aria-expanded", expanded[m.name] ? "true" : "false");
        });
        body.appendChild(detail);
      });
      if (!models.length) body.appendChild(el("tr", null, el("td", { colspan: columns, className: "empty" }, "No model matches these filters.")));
      table.appendChild(body);
      tableWrap.appendChild(table);
    }
    fill();
  }

  /** A group shows only its mean when it is large (or the user collapsed it); the URL's toggle lists groups flipped from that default. */
  function collapsed(g, state) {
    var flipped = (state.toggle ? state.toggle.split(",") : []).indexOf(g.id) >= 0;
    return g.benchmarks.length > 1 && ((g.benchmarks.length > COLLAPSE_ABOVE) !== flipped);
  }

  function aggregateCell(avg, cls, over) {
    if (!avg.applicable) return el("td", { className: "aggregate status-na " + cls, title: "no benchmark in view applies to this model" }, el("span", { className: "status" }, "n/a"));
    var title = avg.scored
      ? "mean of " + avg.scored + " scores over " + over + (avg.scored < avg.applicable ? "; " + (avg.applicable - avg.scored) + " not scored (" + avg.failed + " failed)" : "")
      : "no scores over " + over;
    return el("td", { className: "aggregate " + cls + (avg.scored < avg.applicable ? " partial" : ""), title: title, "data-value": avg.value === null ? "" : avg.value },
      el("span", { className: "value" }, fmt(avg.value)),
      el("span", { className: "coverage" }, avg.scored + "/" + avg.applicable));
  }

  function scoreCell(model, id, ciKind, gi) {
    var c = cell(model, id, ciKind), parity = gi % 2 ? " odd" : " even";
    var attrs = { className: "score status-" + c.status.replace(/[^a-z]/g, "") + parity, "data-benchmark": id, "data-status": c.status };
    if (c.status === "scored") {
      var e = c.entry;
      attrs.title = id + "\nceiled " + fmt(e.ceiled) + " " + fmtCI(c.ci) + "\nraw " + (e.score_name || "score") + " " + fmt(e.raw) + "\nceiling " + fmt(e.ceiling) +
        (e.ceiling_note ? " (" + e.ceiling_note + ")" : "") + "\nchosen layer " + (e.chosen_layer || "—") + (e.flags && e.flags.length ? "\n⚑ " + e.flags.join("; ") : "");
      attrs["data-value"] = c.value;
      attrs.style = "background-color:" + scoreColor(c.value);
      return el("td", attrs,
        el("span", { className: "value" }, fmt(c.value), c.uncelied ? el("sup", { title: "no noise ceiling: raw score" }, "raw") : null, e.flags && e.flags.length ? el("sup", { className: "flag" }, "⚑") : null),
        c.ci ? el("span", { className: "ci" }, fmtCI(c.ci)) : null);
    }
    attrs.title = c.status === "failed" ? "failed: " + c.error : c.status === "n/a" ? "not applicable: a " + (BENCH[id] || {}).modality + " benchmark" : "not run: no result for this benchmark";
    return el("td", attrs, el("span", { className: "status" }, c.status));
  }

  function scoreColor(v) {
    // white -> blue over [0, 1]; the scale saturates outside it (values > 1 are flagged, not hidden)
    var t = Math.max(0, Math.min(1, v));
    var r = Math.round(255 - t * (255 - 120)), g = Math.round(255 - t * (255 - 170)), b = Math.round(255 - t * (255 - 230));
    return "rgb(" + r + "," + g + "," + b + ")";
  }

  function detailTable(model, benchIds, ciKind) {
    var t = el("table", { className: "detail" }, el("thead", null, el("tr", null,
      ["benchmark", "status", "ceiled", "95% CI", "raw", "ceiling", "chosen layer", "units", "flags"].map(function (h) { return el("th", null, h); }))));
    var body = el("tbody");
    benchIds.forEach(function (id) {
      var c = cell(model, id, ciKind);
      if (c.status === "n/a") return;
      var e = c.entry || {};
      body.appendChild(el("tr", null,
        el("td", null, el("a", { href: benchHref(id) }, id)),
        el("td", { className: "status-" + c.status.replace(/[^a-z]/g, ""), title: c.error || null }, c.status === "failed" ? "failed: " + c.error : c.status),
        el("td", null, fmt(e.ceiled)), el("td", null, fmtCI(c.ci)), el("td", null, fmt(e.raw)), el("td", null, fmt(e.ceiling)),
        el("td", null, e.chosen_layer || ""), el("td", null, e.n_neuroids === undefined || e.n_neuroids === null ? "" : String(e.n_neuroids)),
        el("td", null, (e.flags || []).join("; "))));
    });
    t.appendChild(body);
    return t;
  }

  function problemsNote() {
    if (!DATA.problems.length) return el("span");
    var files = unique(DATA.problems.map(function (p) { return p.path; }));
    return el("details", { className: "problems", id: "problems" },
      el("summary", null, DATA.problems.length + " problem" + (DATA.problems.length > 1 ? "s" : "") + " in " + files.length + " result file" + (files.length > 1 ? "s" : "") + " (skipped, not scored as zero)"),
      el("ul", null, DATA.problems.map(function (p) { return el("li", null, el("code", null, p.path), " — ", p.problem, " (skipped: " + p.skipped + ")"); })));
  }

  function select(id, options, value, onchange) {
    var s = el("select", { id: id, "aria-label": id });
    options.forEach(function (o) { s.appendChild(el("option", { value: o[0], selected: o[0] === value ? "selected" : null }, o[1])); });
    s.addEventListener("change", function () { onchange(s.value); });
    return s;
  }
  function unique(xs) { var seen = {}; return xs.filter(function (x) { if (seen[x]) return false; seen[x] = true; return true; }); }

  // ---------------------------------------------------------------------------------------------
  // Downloads: exactly the rows (models) and columns (benchmarks) in view
  function viewRows(state) {
    var groups = visibleGroups(state), benchIds = visibleBenchIds(groups);
    return { benchIds: benchIds, groups: groups, models: sortModels(visibleModels(state), state, benchIds) };
  }
  function csvField(x) {
    if (x === null || x === undefined) return "";
    var s = String(x);
    if (typeof x === "string" && /^[=+\-@\t\r]/.test(s)) s = "'" + s; // no formula injection in spreadsheets
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function downloadCSV(state) {
    var v = viewRows(state);
    var header = ["model", "modality", "training", "benchmark", "dataset", "region", "metric", "status", "ceiled", "ci95_low", "ci95_high", "ci95_over", "raw", "ceiling", "score_name", "chosen_layer", "n_neuroids", "average_in_view", "benchmarks_averaged", "benchmarks_applicable"];
    var lines = [header.join(",")];
    v.models.forEach(function (m) {
      var avg = average(m, v.benchIds, state.ci);
      v.benchIds.forEach(function (id) {
        var c = cell(m, id, state.ci), b = BENCH[id], e = c.entry || {};
        lines.push([m.name, m.modality, m.training, id, b.dataset, b.region, b.metric, c.status, e.ceiled, c.ci ? c.ci[0] : null, c.ci ? c.ci[1] : null, c.ci ? state.ci : null,
          e.raw, e.ceiling, e.score_name, e.chosen_layer, e.n_neuroids, avg.value, avg.scored, avg.applicable].map(csvField).join(","));
      });
    });
    save("brainbench-leaderboard.csv", lines.join("\n") + "\n", "text/csv");
  }
  function downloadJSON(state) {
    var v = viewRows(state);
    var doc = {
      schema: "brainbench.leaderboard-view/1", generated_utc: DATA.generated_utc, view: state,
      benchmarks: v.benchIds.map(function (id) { return BENCH[id]; }),
      models: v.models.map(function (m) {
        var scores = {};
        v.benchIds.forEach(function (id) {
          var c = cell(m, id, state.ci);
          scores[id] = c.entry ? Object.assign({ status: c.status }, c.entry) : { status: c.status, error: c.error };
        });
        var avg = average(m, v.benchIds, state.ci);
        return { name: m.name, modality: m.modality, training: m.training, weights_sha256: m.weights_sha256, reproduce: m.reproduce,
          average: { value: avg.value, benchmarks_averaged: avg.scored, benchmarks_applicable: avg.applicable }, scores: scores };
      }),
    };
    save("brainbench-leaderboard.json", JSON.stringify(doc, null, 1), "application/json");
  }
  function downloadBibtex(state) {
    var v = viewRows(state), parts = [], seen = {};
    function add(label, bib) { if (isText(bib) && !seen[bib.trim()]) { seen[bib.trim()] = true; parts.push("% " + label.replace(/[\r\n]/g, " ") + "\n" + bib.trim() + "\n"); } }
    unique(v.groups.map(function (g) { return g.dataset; })).forEach(function (d) { add("dataset " + d, ((DATASETS[d] || {}).card || {}).bibtex); });
    v.models.forEach(function (m) { add("model " + m.name, (m.card || {}).bibtex); });
    save("brainbench-leaderboard.bib", parts.join("\n"), "application/x-bibtex");
  }
  function save(filename, text, type) {
    var url = URL.createObjectURL(new Blob([text], { type: type + ";charset=utf-8" }));
    var a = el("a", { href: url, download: filename, className: "hidden-download" });
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(url); a.remove(); }, 1000);
  }

  // ---------------------------------------------------------------------------------------------
  // Model page
  var CARD_FIELDS = [["architecture", "architecture"], ["training_data", "training data"], ["objective", "objective"], ["weights_source", "weights (card)"], ["licence", "licence"], ["preprocessing", "preprocessing"]];

  function renderModel(app, name) {
    var m = modelByName(name);
    if (!m) { app.appendChild(notFound("model", name)); return; }
    document.title = m.name + " · brainbench";
    var card = m.card || {};
    var rows = CARD_FIELDS.filter(function (f) { return card[f[0]] !== undefined && card[f[0]] !== ""; }).map(function (f) { return [f[1], asText(card[f[0]])]; });
    rows.push(["weights file", m.weights_source || "—"]);
    rows.push(["weights sha256", el("code", { className: "hash" }, m.weights_sha256 || "—")]);
    rows.push(["candidate layers", m.layers.length + ": " + m.layers.join(", ")]);
    Object.keys(card).forEach(function (k) {
      var known = CARD_FIELDS.some(function (f) { return f[0] === k; }) || k === "bibtex" || k === "layers";
      if (!known && card[k] !== "" && card[k] !== null) rows.push([k.replace(/_/g, " "), asText(card[k])]);
    });
    var prov = m.provenance || {};
    app.appendChild(el("p", { className: "crumbs" }, el("a", { href: "#/" }, "← leaderboard")));
    app.appendChild(el("h1", { className: "model-name" }, m.name));
    app.appendChild(el("p", null, el("span", { className: "tag" }, m.modality), " ", el("span", { className: "tag training-" + m.training }, m.training)));
    var toc = el("p", { className: "toc" }, "Jump to: ");
    app.appendChild(toc);
    app.appendChild(el("section", { className: "card", id: "model-card" }, el("h2", null, "Model card"), defList(rows)));
    app.appendChild(el("section", { id: "reproduce" }, el("h2", null, "Reproduce"),
      el("pre", { className: "command" }, el("code", null, m.reproduce)),
      el("p", { className: "note" }, "Scored with brainbench " + ((prov.packages || {}).brainbench || "?") + (prov.brainbench_git_sha ? " at git " + prov.brainbench_git_sha : "") +
        (prov.started_utc ? " on " + prov.started_utc : "") + (prov.device ? ", device " + prov.device : "") + (prov.wall_seconds ? ", " + fmt(prov.wall_seconds, 0) + " s" : "") +
        ". The weights must hash to the sha256 above; activations and scores are cached by that hash."),
      prov.command ? el("p", { className: "note" }, "Command as recorded: ", el("code", null, prov.command)) : null));

    var scoresSection = el("section", { id: "model-scores" }, el("h2", null, "Scores"));
    DATA.groups.forEach(function (g) {
      var ids = g.benchmarks.filter(function (id) { return cell(m, id).status !== "n/a"; });
      if (!ids.length) return;
      var avg = average(m, ids);
      scoresSection.appendChild(el("h3", null, g.title, " · ", g.metric, el("span", { className: "coverage-note" }, "  mean " + fmt(avg.value) + " over " + avg.scored + "/" + avg.applicable + " benchmarks")));
      scoresSection.appendChild(detailTable(m, ids, "stimuli"));
    });
    app.appendChild(scoresSection);

    var plots = el("section", { id: "layer-profiles" }, el("h2", null, "Layer profiles"),
      el("p", { className: "note" }, "Lines: each candidate layer's score over all folds (for this plot only). Marker: the reported score, at the layer chosen by nested cross-validation on training stimuli only (the most frequent choice over folds), with its 95% interval over stimuli."));
    var targets = [["reproduce", "reproduce"], ["model-scores", "scores"]];
    DATA.groups.forEach(function (g) {
      var ids = g.benchmarks.filter(function (id) { return m.scores[id]; });
      if (!ids.length) return;
      var figure = layerProfile(m, g, ids);
      plots.appendChild(figure);
      targets.push([figure, "layer profile: " + g.dataset + " · " + g.metric]);
    });
    // the page is hash-routed, so in-page links would change the route: scroll instead
    targets.forEach(function (t, i) {
      toc.appendChild(document.createTextNode(i ? " · " : ""));
      toc.appendChild(el("button", { type: "button", className: "link", onclick: function () {
        (typeof t[0] === "string" ? document.getElementById(t[0]) : t[0]).scrollIntoView({ block: "start" });
      } }, t[1]));
    });
    if (plots.childNodes.length === 2) plots.appendChild(el("p", null, "No scores, so no layer profile."));
    app.appendChild(plots);

    if (isText(card.bibtex)) app.appendChild(el("section", null, el("h2", null, "BibTeX"), el("pre", { className: "bibtex" }, card.bibtex)));
    var failures = Object.keys(m.failed);
    if (failures.length) {
      app.appendChild(el("section", { id: "failures" }, el("h2", null, "Failures"),
        el("ul", null, failures.map(function (b) { return el("li", null, el("code", null, b), ": ", m.failed[b]); }))));
    }
    app.appendChild(el("section", null, el("h2", null, "Provenance"), defList([
      ["packages", Object.keys(prov.packages || {}).map(function (k) { return k + " " + prov.packages[k]; }).join(", ")],
      ["python / platform", (prov.python || "") + " " + (prov.platform || "")],
      ["peak memory", prov.peak_memory_mb ? fmt(prov.peak_memory_mb, 0) + " MB" : "—"],
      ["data checksums", asText(m.provenance_data)],
      ["result files", m.files.map(function (f) { return f.split(/[\\/]/).pop(); }).join(", ")],
    ])));
  }

  function defList(rows) {
    return el("dl", null, rows.map(function (r) { return [el("dt", null, r[0]), el("dd", null, r[1])]; }));
  }
  function notFound(kind, name) {
    return el("div", null, el("p", { className: "problem" }, "No " + kind + " named “", name, "” in this leaderboard."), el("p", null, el("a", { href: "#/" }, "← leaderboard")));
  }

  /** Score vs layer depth per region of the group; the chosen layer marked with the reported score and its interval.
   * Up to 8 regions share one plot (a line each); more become small multiples on a shared y scale. */
  function layerProfile(model, group, ids) {
    var layers = [];
    ids.forEach(function (id) { (model.scores[id].layer_order || []).forEach(function (l) { if (layers.indexOf(l) < 0) layers.push(l); }); });
    if (!layers.length) layers = model.layers.slice();
    var useCeiled = ids.every(function (id) { return model.scores[id].ceiled !== null && model.scores[id].ceiled !== undefined; });
    var key = useCeiled ? "ceiled" : "raw";
    var values = [];
    ids.forEach(function (id) {
      var e = model.scores[id];
      layers.forEach(function (l) { var p = (e.layer_profile || {})[l]; if (p && p[key] !== null && p[key] !== undefined) values.push(p[key]); });
      if (e[key] !== null && e[key] !== undefined) values.push(e[key]);
      var ci = e.ci95_stimuli && e.ci95_stimuli[key];
      if (ci) values.push(ci[0], ci[1]);
    });
    var range = [Math.floor(Math.min.apply(null, values.concat([0])) * 10) / 10, Math.ceil(Math.max.apply(null, values.concat([0.1])) * 10 + 0.001) / 10];
    var axisLabel = (useCeiled ? "ceiled " : "raw ") + (model.scores[ids[0]].score_name || "score");
    var caption = el("figcaption", null, group.title + " · " + group.metric);
    if (ids.length <= 8) {
      return el("figure", { className: "profile" }, profilePlot(model, group, ids, layers, key, range, axisLabel, { W: 760, H: Math.max(340, 124 + ids.length * 18), legend: true }), caption);
    }
    var grid = el("div", { className: "small-multiples" }, ids.map(function (id, k) {
      return profilePlot(model, group, [id], layers, key, range, axisLabel, { W: 300, H: 230, legend: false, title: model.scores[id].region, colorIndex: k });
    }));
    return el("figure", { className: "profile" }, grid, caption);
  }

  function profilePlot(model, group, ids, layers, key, range, axisLabel, o) {
    var W = o.W, H = o.H, L = o.legend ? 56 : 44, R = o.legend ? 150 : 26, T = o.title ? 26 : 28, B = o.legend ? 96 : 78;
    var lo = range[0], hi = range[1], pw = W - L - R, ph = H - T - B;
    function x(i) { return L + (layers.length > 1 ? (i / (layers.length - 1)) * pw : pw / 2); }
    function y(v) { return T + ph - ((v - lo) / (hi - lo)) * ph; }
    var root = svg("svg", { className: "layer-profile", "data-group": group.id, viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img",
      "aria-label": "layer profile of " + model.name + " on " + group.title + (o.title ? ", " + o.title : "") });
    root.appendChild(svg("title", null, "Layer profile: " + model.name + " · " + group.title + " · " + group.metric + (o.title ? " · " + o.title : "")));
    if (o.title) root.appendChild(svg("text", { x: L + pw / 2, y: 15, "text-anchor": "middle", className: "panel-title" }, o.title));
    for (var t = lo; t <= hi + 1e-9; t += (hi - lo) > 0.6 ? 0.2 : 0.1) {
      root.appendChild(svg("line", { x1: L, x2: L + pw, y1: y(t), y2: y(t), className: Math.abs(t) < 1e-9 ? "zero" : "grid" }));
      root.appendChild(svg("text", { x: L - 6, y: y(t) + 4, "text-anchor": "end", className: "tick" }, fmt(t, 1)));
    }
    if (o.legend) root.appendChild(svg("text", { x: 14, y: T + ph / 2, transform: "rotate(-90 14 " + (T + ph / 2) + ")", "text-anchor": "middle", className: "axis-label" }, axisLabel));
    var labelEvery = Math.ceil(layers.length / (o.legend ? 24 : 8)); // keep rotated labels from overlapping on deep networks
    layers.forEach(function (l, i) {
      root.appendChild(svg("line", { x1: x(i), x2: x(i), y1: T + ph, y2: T + ph + 4, className: "axis" }));
      if (i % labelEvery === 0 || i === layers.length - 1) {
        root.appendChild(svg("text", { x: x(i), y: T + ph + 10, transform: "rotate(40 " + x(i) + " " + (T + ph + 10) + ")", className: "tick layer-name" },
          l.length > 22 ? l.slice(0, 10) + "…" + l.slice(-11) : l, svg("title", null, l)));
      }
    });
    root.appendChild(svg("line", { x1: L, x2: L + pw, y1: T + ph, y2: T + ph, className: "axis" }));
    if (o.legend) root.appendChild(svg("text", { x: L + pw / 2, y: H - 4, "text-anchor": "middle", className: "axis-label" }, "layer (input → output)"));
    ids.forEach(function (id, k) {
      var e = model.scores[id], color = PALETTE[(o.colorIndex || k) % PALETTE.length];
      var series = svg("g", { className: "series", "data-benchmark": id });
      var pts = [];
      layers.forEach(function (l, i) {
        var p = (e.layer_profile || {})[l];
        if (!p || p[key] === null || p[key] === undefined) return;
        pts.push([x(i), y(p[key])]);
        var band = p.ci95 || p["ci95_" + key];
        if (band) series.appendChild(svg("line", { x1: x(i), x2: x(i), y1: y(band[0]), y2: y(band[1]), stroke: color, className: "layer-ci" }));
      });
      if (pts.length > 1) series.appendChild(svg("polyline", { points: pts.map(function (p) { return p[0].toFixed(1) + "," + p[1].toFixed(1); }).join(" "), stroke: color, className: "profile-line" }));
      layers.forEach(function (l, i) {
        var p = (e.layer_profile || {})[l];
        if (!p || p[key] === null || p[key] === undefined) return;
        series.appendChild(svg("circle", { cx: x(i), cy: y(p[key]), r: 3, fill: color, className: "layer-point" }, svg("title", null, e.region + " · " + l + ": " + fmt(p[key]))));
      });
      var ci = e.ci95_stimuli && e.ci95_stimuli[key];
      var at = layers.indexOf(e.chosen_layer);
      if (at >= 0 && e[key] !== null && e[key] !== undefined) {
        var cx = x(at) + (k - (ids.length - 1) / 2) * 3; // small dodge so overlapping choices stay visible
        if (ci) series.appendChild(svg("line", { x1: cx, x2: cx, y1: y(ci[0]), y2: y(ci[1]), stroke: color, className: "chosen-ci" }));
        series.appendChild(svg("circle", { cx: cx, cy: y(e[key]), r: 6.5, fill: "#fff", stroke: color, className: "chosen", "data-layer": e.chosen_layer },
          svg("title", null, e.region + ": chosen layer " + e.chosen_layer + " (per fold: " + (e.chosen_layer_per_split || []).join(", ") + "); reported " + key + " " + fmt(e[key]) + " " + fmtCI(ci))));
      }
      root.appendChild(series);
      if (!o.legend) return;
      var ly = T + 4 + k * 18;
      root.appendChild(svg("g", { className: "legend" },
        svg("line", { x1: L + pw + 16, x2: L + pw + 36, y1: ly, y2: ly, stroke: color, className: "profile-line" }),
        svg("circle", { cx: L + pw + 26, cy: ly, r: 5, fill: "#fff", stroke: color, className: "chosen-legend" }),
        svg("text", { x: L + pw + 42, y: ly + 4, className: "legend-text" }, e.region)));
    });
    return root;
  }

  // ---------------------------------------------------------------------------------------------
  // Benchmark pages
  function renderBenchmarkList(app) {
    app.appendChild(el("h1", null, "Benchmarks"));
    var t = el("table", { className: "plain", id: "benchmark-list" }, el("thead", null, el("tr", null,
      ["benchmark", "dataset", "region", "metric", "modality", "units", "stimuli", "ceiling", "models scored"].map(function (h) { return el("th", null, h); }))));
    var body = el("tbody");
    DATA.benchmarks.forEach(function (b) {
      var applicable = DATA.models.filter(function (m) { return m.modality === b.modality; });
      var scored = applicable.filter(function (m) { return m.scores[b.id]; }).length;
      body.appendChild(el("tr", null, el("td", null, el("a", { href: benchHref(b.id) }, b.id)), el("td", null, b.dataset), el("td", null, b.region), el("td", null, b.metric),
        el("td", null, b.modality), el("td", null, b.n_neuroids === null || b.n_neuroids === undefined ? "—" : String(b.n_neuroids)),
        el("td", null, b.n_stimuli === null || b.n_stimuli === undefined ? "—" : String(b.n_stimuli)), el("td", null, fmt(b.ceiling)), el("td", null, scored + "/" + applicable.length)));
    });
    t.appendChild(body);
    app.appendChild(t);
  }

  function renderBenchmark(app, id) {
    var b = BENCH[id];
    if (!b) { app.appendChild(notFound("benchmark", id)); return; }
    document.title = b.id + " · brainbench";
    var ds = DATASETS[b.dataset] || {}, card = ds.card || {}, metric = METRICS[b.metric] || {};
    app.appendChild(el("p", { className: "crumbs" }, el("a", { href: "#/" }, "← leaderboard"), " · ", el("a", { href: "#/benchmarks" }, "all benchmarks")));
    app.appendChild(el("h1", null, b.id));
    var siblings = DATA.benchmarks.filter(function (x) { return x.dataset === b.dataset && x.metric === b.metric; });
    app.appendChild(el("p", { className: "siblings" }, "Regions: ", siblings.map(function (s, i) {
      return [i ? " · " : "", s.id === b.id ? el("strong", null, s.region) : el("a", { href: benchHref(s.id) }, s.region)];
    })));
    if (!b.registered) app.appendChild(el("p", { className: "problem" }, "This benchmark is in a result file but its dataset or metric is not installed here, so its data card is missing."));
    var dataRows = [["dataset", card.title ? card.title + " (" + b.dataset + ")" : b.dataset], ["region", b.region]];
    [["species", "species"], ["method", "method"], ["response", "response"], ["stimuli", "stimuli"]].forEach(function (f) { if (card[f[0]]) dataRows.push([f[1], asText(card[f[0]])]); });
    dataRows.push(["units in this region", b.n_neuroids === null || b.n_neuroids === undefined ? "—" : String(b.n_neuroids)]);
    if (b.n_subjects) dataRows.push(["subjects in this region", String(b.n_subjects)]);
    if (b.n_stimuli) dataRows.push(["stimuli scored", String(b.n_stimuli)]);
    Object.keys(card).forEach(function (k) {
      if (["title", "species", "method", "response", "stimuli", "bibtex", "regions", "citation", "terms"].indexOf(k) < 0 && card[k] !== "") dataRows.push([k.replace(/^n_/, "").replace(/_/g, " ") + (k.slice(0, 2) === "n_" ? " (whole dataset)" : ""), asText(card[k])]);
    });
    if (card.citation) dataRows.push(["citation", asText(card.citation)]);
    if (card.terms) dataRows.push(["terms", asText(card.terms)]);
    app.appendChild(el("section", { className: "card", id: "data-card" }, el("h2", null, "Data"), defList(dataRows),
      isText(card.bibtex) ? el("details", null, el("summary", null, "BibTeX"), el("pre", { className: "bibtex" }, card.bibtex)) : null));
    var config = metric.config || {};
    var metricRows = [["metric", b.metric], ["what it does", metric.description || "—"], ["score", b.score_name || "—"], ["benchmark version", b.version || "—"]];
    Object.keys(config).forEach(function (k) { if (k !== "ceiling" && k !== "name") metricRows.push([k.replace(/_/g, " "), asText(config[k])]); });
    if (ds.aggregate) metricRows.push(["aggregate over units", ds.aggregate]);
    app.appendChild(el("section", { id: "metric" }, el("h2", null, "Metric"), defList(metricRows)));
    app.appendChild(el("section", { id: "ceiling" }, el("h2", null, "Noise ceiling"), defList([
      ["ceiling", fmt(b.ceiling) + (b.ceiling_values_differ ? " (results disagree on the ceiling: they were computed on different data versions)" : "")],
      ["how it is computed", config.ceiling ? asText(config.ceiling) : (b.ceiling_note || "—")],
      ["ceiled score", "the score divided by the ceiling" + (ds.aggregate ? " (where the metric scores units one by one, both are their " + ds.aggregate + " over units)" : "") + "; values above 1 are kept and flagged, never clipped"],
    ])));
    var entries = DATA.models.map(function (m) { return { m: m, c: cell(m, b.id, "stimuli") }; });
    var scored = entries.filter(function (x) { return x.c.status === "scored"; }).sort(function (p, q) { return q.c.value - p.c.value; });
    var dist = el("section", { id: "distribution" }, el("h2", null, "Scores across models"));
    dist.appendChild(distributionPlot(b, scored));
    var missing = entries.filter(function (x) { return x.c.status === "failed" || x.c.status === "not run"; });
    if (missing.length) dist.appendChild(el("p", { className: "note" }, "Without a score: ", missing.map(function (x, i) {
      return [i ? ", " : "", el("a", { href: modelHref(x.m.name) }, x.m.name), " (" + x.c.status + ")"];
    })));
    app.appendChild(dist);
  }

  function distributionPlot(b, scored) {
    if (!scored.length) return el("p", null, "No model has a score on this benchmark yet.");
    var W = 760, row = 22, L = 220, R = 30, T = 26, B = 36, H = T + B + row * scored.length;
    var values = [0, 1];
    scored.forEach(function (x) { values.push(x.c.value); if (x.c.ci) values.push(x.c.ci[0], x.c.ci[1]); });
    var lo = Math.floor(Math.min.apply(null, values) * 10) / 10, hi = Math.ceil(Math.max.apply(null, values) * 10) / 10;
    function x(v) { return L + (v - lo) / (hi - lo) * (W - L - R); }
    var root = svg("svg", { className: "distribution", viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img", "aria-label": "scores of every model on " + b.id });
    for (var t = lo; t <= hi + 1e-9; t += (hi - lo) > 1 ? 0.2 : 0.1) {
      root.appendChild(svg("line", { x1: x(t), x2: x(t), y1: T - 6, y2: H - B, className: Math.abs(t) < 1e-9 ? "zero" : (Math.abs(t - 1) < 1e-9 ? "ceiling-line" : "grid") }));
      root.appendChild(svg("text", { x: x(t), y: H - B + 16, "text-anchor": "middle", className: "tick" }, fmt(t, 1)));
    }
    root.appendChild(svg("text", { x: L + (W - L - R) / 2, y: H - 4, "text-anchor": "middle", className: "axis-label" }, "ceiled score (1 = noise ceiling), 95% CI over stimuli"));
    scored.forEach(function (s, i) {
      var yy = T + i * row + row / 2, color = PALETTE[TRAININGS.indexOf(s.m.training) >= 0 ? TRAININGS.indexOf(s.m.training) : 7];
      var g = svg("g", { className: "model-dot", "data-model": s.m.name });
      var link = svg("a", { href: modelHref(s.m.name) }, svg("text", { x: L - 10, y: yy + 4, "text-anchor": "end", className: "model-label" }, s.m.name));
      g.appendChild(link);
      if (s.c.ci) g.appendChild(svg("line", { x1: x(s.c.ci[0]), x2: x(s.c.ci[1]), y1: yy, y2: yy, stroke: color, className: "dist-ci" }));
      g.appendChild(svg("circle", { cx: x(s.c.value), cy: yy, r: 5, fill: color }, svg("title", null, s.m.name + " (" + s.m.training + "): " + fmt(s.c.value) + " " + fmtCI(s.c.ci))));
      root.appendChild(g);
    });
    var legend = svg("g", { className: "legend" });
    TRAININGS.forEach(function (t, i) {
      legend.appendChild(svg("circle", { cx: L + i * 120, cy: 10, r: 5, fill: PALETTE[i] }));
      legend.appendChild(svg("text", { x: L + i * 120 + 9, y: 14, className: "legend-text" }, t));
    });
    root.appendChild(legend);
    return root;
  }

  // ---------------------------------------------------------------------------------------------
  function renderAbout(app) {
    app.appendChild(el("h1", null, "About the scores"));
    [
      "Each benchmark id is <dataset>.<region>.<metric>. A model's features at each candidate layer are mapped to the recorded responses by the metric (e.g. cross-validated ridge regression); the score is aggregated over units (median for the mouse data).",
      "The ceiled score divides the raw score by the noise ceiling, the score a perfect model of the trial-averaged response would reach given the trial-to-trial noise. Scores above 1 are kept and flagged (⚑), never clipped.",
      "Intervals are 95% bootstrap intervals over stimuli (the score and ceiling recomputed on the same resample, without refitting) or over subjects; pick one above the table.",
      "The reported layer is chosen honestly: inside each outer fold by an inner cross-validation on that fold's training stimuli only. The layer profile (every layer's score over all folds) is shown for insight, not used for the score.",
      "Averages are plain means of the ceiled scores over the benchmarks in view that the model has scores for; the count next to each says how many of the applicable benchmarks it covers. A model with fewer benchmarks is not comparable one-to-one; sort by a single column for a like-for-like comparison.",
      "Missing scores are shown as “not run” (no result) or “failed” (the run raised an error, recorded in the result file), never as zero.",
    ].forEach(function (p) { app.appendChild(el("p", { className: "prose" }, p)); });
    app.appendChild(el("p", null, "Generated " + DATA.generated_utc + " by brainbench " + DATA.brainbench_version + " from " + DATA.models.length + " models."));
    app.appendChild(problemsNote());
  }

  function renderFooter() {
    var f = document.getElementById("footer");
    if (!DATA) return;
    f.appendChild(el("span", null, "Generated " + DATA.generated_utc + " by brainbench " + DATA.brainbench_version + " · " + DATA.models.length + " models · " + DATA.benchmarks.length + " benchmarks · ",
      el("a", { href: "data.json" }, "data.json")));
  }

  window.addEventListener("hashchange", route);
  renderFooter();
  route();
})();
