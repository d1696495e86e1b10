// The sdmodel explorer page: controls built from /api/model, runs from /api/run, the state in
// the URL after '#'. No framework; plotly.js draws the charts. window.explorer exposes the
// state and the last redraw's timing (read by the browser tests and the benchmark).
"use strict";

const ex = window.explorer = {
  model: null,        // /api/model
  values: {},         // {constant: value} of every scalar constant (the truth; sliders show it)
  outputs: [],        // charted variables
  bands: false,
  lastRun: null,      // the last /api/run answer drawn
  windowData: null,   // /api/window
  renders: 0,         // redraws completed
  lastLatency: null,  // {total_ms, server_ms, fetch_ms, draw_ms} of the last redraw
  lastError: null,
};

let inFlight = false;
let pendingSince = null;   // time of the first change not yet sent
const controls = {};       // {constant: {range, number, box}}

const $ = (id) => document.getElementById(id);

function fmt(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(3);
  return Number(x.toPrecision(5)).toLocaleString("en-US", {maximumFractionDigits: 6,
                                                           useGrouping: a >= 1e4});
}

function label(info) {
  return info.long_name + (info.units ? ` [${info.units}]` : "");
}

// ------------------------------------------------------------------ state <-> URL
function stateQuery() {
  const q = new URLSearchParams();
  for (const lever of ex.model.levers) q.set("p." + lever.name, String(ex.values[lever.name]));
  for (const c of ex.model.constants) {
    if (ex.values[c.name] !== c.default) q.set("p." + c.name, String(ex.values[c.name]));
  }
  q.set("out", ex.outputs.join(","));
  if (ex.bands) q.set("bands", "1");
  return q.toString();
}

function defaults() {
  const values = {};
  for (const c of [...ex.model.levers, ...ex.model.constants]) values[c.name] = c.default;
  return values;
}

function applyPreset(name) {
  const preset = ex.model.presets.find((p) => p.name === name);
  ex.values = Object.assign(defaults(), preset ? preset.values : {});
}

function readHash() {
  const hash = window.location.hash.replace(/^#/, "");
  ex.outputs = ex.model.default_outputs.slice();
  ex.bands = false;
  if (!hash) {
    applyPreset(ex.model.baseline);
    return;
  }
  ex.values = defaults();
  const q = new URLSearchParams(hash);
  for (const [key, value] of q) {
    if (key.startsWith("p.")) ex.values[key.slice(2)] = Number(value);
    else if (key === "out") ex.outputs = value.split(",").filter((v) => v);
    else if (key === "bands") ex.bands = value === "1";
  }
}

function writeHash() {
  history.replaceState(null, "", "#" + stateQuery());
}

// ------------------------------------------------------------------ controls
function control(info, parent) {
  const box = document.createElement("div");
  box.className = "control";
  box.dataset.name = info.name;
  const lab = document.createElement("label");
  lab.htmlFor = "num-" + info.name;
  lab.title = info.doc;
  lab.innerHTML = "";
  lab.append(info.long_name + " ");
  const units = document.createElement("span");
  units.className = "units";
  units.textContent = info.units ? `[${info.units}]` : "";
  lab.append(units);
  box.append(lab);
  let range = null;
  if (info.min !== null && info.max !== null) {
    range = document.createElement("input");
    range.type = "range";
    range.id = "slider-" + info.name;
    range.min = info.min;
    range.max = info.max;
    range.step = info.step;
    range.addEventListener("input", () => {
      set(info.name, Number(range.value));
    });
    box.append(range);
  }
  const number = document.createElement("input");
  number.type = "number";
  number.id = "num-" + info.name;
  number.step = "any";
  if (info.min !== null) number.min = info.min;
  if (info.max !== null) number.max = info.max;
  number.addEventListener("change", () => {
    if (number.value !== "" && Number.isFinite(Number(number.value))) set(info.name, Number(number.value));
  });
  box.append(number);
  if (info.min !== null || info.max !== null) {
    const span = document.createElement("span");
    span.className = "units";
    span.textContent = ` ${info.min === null ? "" : fmt(info.min)}…${info.max === null ? "" : fmt(info.max)}`;
    box.append(span);
  }
  parent.append(box);
  controls[info.name] = {range, number, box, info};
}

const shown = {};  // {constant: value} the controls show, so a redraw touches only changes

function showValues() {
  for (const [name, c] of Object.entries(controls)) {
    const v = ex.values[name];
    if (shown[name] === v && document.activeElement !== c.number) continue;
    shown[name] = v;
    if (c.range) c.range.value = v;
    if (document.activeElement !== c.number) c.number.value = v;
    c.box.classList.toggle("changed", v !== c.info.default);
  }
  $("bands").checked = ex.bands;
  document.body.classList.toggle("with-bands", ex.bands);
  for (const opt of $("outputs").options) opt.selected = ex.outputs.includes(opt.value);
  const base = defaults();
  for (const b of $("presets").querySelectorAll("button")) {
    const preset = ex.model.presets.find((p) => p.name === b.dataset.name);
    const values = Object.assign({}, base, preset.values);
    b.classList.toggle("active", Object.keys(values).every((k) => values[k] === ex.values[k]));
  }
}

function set(name, value) {
  ex.values[name] = value;
  changed();
}

function changed() {
  const since = performance.now();
  writeHash();
  if (pendingSince === null) pendingSince = since;
  if (!inFlight) request();  // the server computes while the page updates its controls
  const q = stateQuery();
  $("download-csv").href = "/api/download.csv?" + q;
  $("download-nc").href = "/api/download.nc?" + q;
  showValues();
}

function buildControls() {
  const m = ex.model;
  $("model-name").textContent = m.model;
  document.title = `sdmodel explorer: ${m.model}`;
  for (const lever of m.levers) control(lever, $("levers"));
  for (const c of m.constants) control(c, $("constants"));
  $("n-constants").textContent = m.constants.length;
  if (!m.levers.length) {  // no scenario file names a lever: every constant, shown at once
    $("levers").textContent = "No scenario file names levers; every constant is below.";
    $("other").open = true;
  }
  for (const p of m.presets) {
    const b = document.createElement("button");
    b.textContent = p.name + (p.name === m.baseline ? " (baseline)" : "");
    b.dataset.name = p.name;
    b.title = p.description;
    if (p.unsupported.length) {
      b.disabled = true;
      b.title += ` (sets ${p.unsupported.join(", ")} to arrays or time series, which the explorer cannot)`;
    }
    b.addEventListener("click", () => { applyPreset(p.name); changed(); });
    $("presets").append(b);
  }
  for (const o of m.outputs) {
    const opt = document.createElement("option");
    opt.value = o.name;
    opt.textContent = label(o);
    $("outputs").append(opt);
  }
  $("outputs").addEventListener("change", () => {
    ex.outputs = [...$("outputs").selectedOptions].map((o) => o.value).slice(0, 12);
    changed();
  });
  $("bands").addEventListener("change", () => { ex.bands = $("bands").checked; changed(); });
  $("constant-filter").addEventListener("input", () => {
    const f = $("constant-filter").value.toLowerCase();
    for (const c of m.constants) {
      const hit = c.name.includes(f) || c.long_name.toLowerCase().includes(f);
      controls[c.name].box.hidden = !hit;
    }
  });
  $("copy-link").addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(window.location.href); }
    catch (e) { window.prompt("Link to this state:", window.location.href); }
  });
  $("download-png").addEventListener("click", () => {
    Plotly.downloadImage($("charts"), {format: "png", filename: `${m.model}_charts`});
  });
  const omitted = Object.entries(m.omitted_metrics);
  if (omitted.length) {
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = "Not shown: " + omitted.map(([k, why]) => `${k} (${why})`).join("; ") + ".";
    $("metrics").after(p);
  }
  $("baseline-note").textContent = m.baseline
    ? `Baseline: scenario "${m.baseline}" (dashed grey).`
    : "Baseline: the model's defaults (dashed grey).";
  window.addEventListener("hashchange", () => {
    if (window.location.hash.replace(/^#/, "") !== stateQuery()) { readHash(); changed(); }
  });
}

// ------------------------------------------------------------------ runs and drawing
async function request() {
  inFlight = true;
  const since = pendingSince;
  pendingSince = null;
  const started = performance.now();
  try {
    const response = await fetch("/api/run?" + stateQuery());
    const body = await response.json();
    const fetched = performance.now();
    if (!response.ok) {
      showError(`${body.error}: ${body.message}`);
    } else {
      showError(null);
      await draw(body);
      const done = performance.now();
      ex.lastRun = body;
      ex.lastLatency = {total_ms: done - since, server_ms: body.server_ms.total,
                        server_cpu_ms: body.server_ms.cpu,
                        fetch_ms: fetched - started, draw_ms: done - fetched};
      ex.renders += 1;
      $("status").textContent = `Redrawn in ${fmt(done - since)} ms (server ${fmt(body.server_ms.total)} ms, ` +
        `${2 + body.n_band_runs} runs).`;
      document.dispatchEvent(new CustomEvent("explorer:rendered"));
      markWindow();  // after the charts: moving the heat map's marker redraws it (~30 ms CPU)
    }
  } catch (err) {
    showError(String(err));
  } finally {
    inFlight = false;
    if (pendingSince !== null) request();
  }
}

function showError(message) {
  ex.lastError = message;
  $("error").hidden = !message;
  $("error").textContent = message || "";
  if (message) document.dispatchEvent(new CustomEvent("explorer:error"));
}

// All charts are subplots of one plotly figure: one redraw instead of one per chart (about
// half the drawing time). Trace metas are "<output>:<baseline|current|p5|p50|p95>".
async function draw(run) {
  const names = Object.keys(run.series);
  const columns = names.length > 1 ? 2 : 1;
  const rows = Math.ceil(names.length / columns);
  const traces = [];
  const annotations = [];
  const layout = {
    grid: {rows, columns, pattern: "independent", xgap: 0.08, ygap: 0.22},
    margin: {l: 55, r: 15, t: 30, b: 25},
    height: 60 + 270 * rows,
    showlegend: false,  // one legend for all charts, above them
    hovermode: "x unified",
    uirevision: "keep",  // a zoom survives redraws
  };
  names.forEach((name, k) => {
    const s = run.series[name];
    const ax = k ? String(k + 1) : "";
    const on = {xaxis: "x" + ax, yaxis: "y" + ax};
    const band = run.bands && run.bands[name];
    if (band) {
      traces.push({...on, x: run.time, y: band.p5, name: "5 %", mode: "lines", line: {width: 0},
                   hoverinfo: "skip", meta: name + ":p5"});
      traces.push({...on, x: run.time, y: band.p95, name: "5–95 %", mode: "lines", line: {width: 0},
                   fill: "tonexty", fillcolor: "rgba(31,119,180,0.18)", meta: name + ":p95"});
      traces.push({...on, x: run.time, y: band.p50, name: "median", mode: "lines",
                   line: {color: "#1f77b4", dash: "dot", width: 1}, meta: name + ":p50"});
    }
    traces.push({...on, x: run.time, y: s.baseline, name: "baseline", mode: "lines",
                 line: {color: "#888", dash: "dash"}, meta: name + ":baseline"});
    traces.push({...on, x: run.time, y: s.current, name: "current", mode: "lines",
                 line: {color: "#d62728", width: 2}, meta: name + ":current"});
    annotations.push({text: label(s), xref: `x${ax} domain`, yref: `y${ax} domain`, x: 0.5, y: 1.0,
                      xanchor: "center", yanchor: "bottom", showarrow: false, font: {size: 13}});
  });
  layout.annotations = annotations;
  drawMetrics(run);
  const note = $("bands-note");
  note.hidden = !run.bands;
  if (run.bands) {
    note.textContent = `Bands: ${run.n_band_runs} runs, a Latin-hypercube sample of ${run.sampled.length} ` +
      "constants over their documented ranges (levers and constants you set stay fixed).";
  }
  await Plotly.react($("charts"), traces, layout, {displaylogo: false, responsive: true});
}

function drawMetrics(run) {
  const info = Object.fromEntries(ex.model.metrics.map((m) => [m.name, m]));
  const body = $("metrics").querySelector("tbody");
  body.replaceChildren();
  for (const m of run.metrics) {
    const tr = document.createElement("tr");
    tr.dataset.metric = m.name;
    const meta = info[m.name];
    const cell = (value, cls) => {
      const td = document.createElement("td");
      td.textContent = fmt(value);
      if (value !== null && value !== undefined) td.dataset.value = String(value);
      if (cls) td.className = cls;
      tr.append(td);
      return td;
    };
    const name = document.createElement("td");
    name.textContent = meta.label;
    name.title = m.name;
    tr.append(name);
    if (m.error) {
      const td = document.createElement("td");
      td.colSpan = 5;
      td.textContent = m.error;
      tr.append(td);
    } else {
      cell(m.current, "current");
      cell(m.baseline, "baseline");
      cell(m.difference, "difference");
      const band = document.createElement("td");
      band.className = "band-col";
      band.textContent = m.p5 === undefined ? "" : `${fmt(m.p5)} … ${fmt(m.p95)}`;
      tr.append(band);
    }
    const units = document.createElement("td");
    units.textContent = meta.units;
    tr.append(units);
    body.append(tr);
  }
}

// ------------------------------------------------------------------ window heat map
async function loadWindow() {
  const w = ex.model.window;
  if (!w) {
    $("window-title").textContent = "Window of opportunity: the scenario file has no [window] table.";
    $("window").hidden = true;
    return;
  }
  const response = await fetch("/api/window");
  const body = await response.json();
  if (!response.ok) { showError(`${body.error}: ${body.message}`); return; }
  ex.windowData = body;
  const z = body.shares.map((_, j) => body.gain.map((row) => row[j]));
  const heat = {type: "heatmap", x: body.start_years, y: body.shares, z, colorscale: "RdBu",
                zmid: 0, colorbar: {title: {text: body.units}}, name: "gain",
                hovertemplate: `${w.start_lever} %{x}<br>${w.share_lever} %{y}<br>gain %{z}<extra></extra>`};
  const mark = {type: "scatter", mode: "markers", x: [ex.values[w.start_lever]],
                y: [ex.values[w.share_lever]], name: "current setting",
                marker: {symbol: "x", size: 14, color: "#000", line: {width: 2}}};
  const layout = {
    title: {text: body.long_name, font: {size: 13}},
    margin: {l: 60, r: 10, t: 40, b: 45},
    xaxis: {title: {text: label(controls[w.start_lever].info)}},
    yaxis: {title: {text: label(controls[w.share_lever].info)}},
    showlegend: false,
  };
  await Plotly.react($("window"), [heat, mark], layout, {displaylogo: false, responsive: true});
  document.dispatchEvent(new CustomEvent("explorer:window"));
}

function markWindow() {
  const w = ex.model.window;
  if (!w || !ex.windowData) return;
  const mark = $("window").data[1];
  const x = ex.values[w.start_lever], y = ex.values[w.share_lever];
  if (mark.x[0] !== x || mark.y[0] !== y) Plotly.restyle($("window"), {x: [[x]], y: [[y]]}, [1]);
}

// ------------------------------------------------------------------ start
async function start() {
  const response = await fetch("/api/model");
  ex.model = await response.json();
  if (!response.ok) { showError(`${ex.model.error}: ${ex.model.message}`); return; }
  buildControls();
  readHash();
  changed();
  await loadWindow();
  markWindow();
}

start();
