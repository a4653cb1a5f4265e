// The spate dashboard: a small single-page app over the master's REST API.
// Pages by URL hash: #/ overview, #/jobs, #/jobs/<id>, #/workers. Every page
// polls the API (every REFRESH_MS) and redraws; rates (records/s,
// backpressure) are the difference between two polls. The DAG is laid out
// by dagre, the checkpoint chart drawn by uPlot; both are served by the
// master, like this file (no CDN, no build step).
"use strict";

const API = "/api/v1";
const REFRESH_MS = Number(new URLSearchParams(location.search).get("refresh") ?? 1000);
const view = document.getElementById("view");
const status = document.getElementById("status");
const tokenInput = document.getElementById("token");
tokenInput.value = localStorage.getItem("spate-token") ?? "";
tokenInput.addEventListener("change", () => localStorage.setItem("spate-token", tokenInput.value));
document.getElementById("token-form").addEventListener("submit", (e) => e.preventDefault());

/** Escapes text for HTML. */
function esc(v) {
  return String(v ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function api(path, init = {}) {
  const headers = { ...(init.headers ?? {}) };
  const token = tokenInput.value.trim();
  if (token !== "") headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${API}${path}`, { ...init, headers });
  const text = await res.text();
  let body;
  try {
    body = text === "" ? {} : JSON.parse(text);
  } catch {
    body = { errors: [text] };
  }
  if (!res.ok) {
    const why = body.errors?.join("; ") ?? body.error ?? `HTTP ${res.status}`;
    throw new Error(`${res.status}: ${why}`);
  }
  return body;
}

function fmtDuration(ms) {
  if (!(ms >= 0)) return "–";
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function fmtBytes(n) {
  if (!(n >= 0)) return "–";
  const units = ["B", "KiB", "MiB", "GiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

function fmtRate(n) {
  if (n === undefined) return "–";
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M/s`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k/s`;
  return `${n.toFixed(0)}/s`;
}

function fmtTime(ms) {
  return ms > 0 ? new Date(ms).toLocaleTimeString() : "–";
}

const stateTag = (s) => `<span class="state ${esc(s)}">${esc(s)}</span>`;

// --- Rates: the difference of counters between two polls --------------------

/** key -> { t, values } of the previous poll. */
const previous = new Map();

/** Per-second rates of `values` (an object of counters) since the last call with `key`. */
function rates(key, values) {
  const now = performance.now();
  const before = previous.get(key);
  previous.set(key, { t: now, values });
  if (before === undefined || now - before.t < 100) return undefined;
  const seconds = (now - before.t) / 1000;
  const out = {};
  for (const [k, v] of Object.entries(values)) {
    out[k] = Math.max(0, (v - before.values[k]) / seconds);
  }
  return out;
}

// --- Pages ------------------------------------------------------------------

async function overviewPage() {
  const o = await api("/overview");
  const card = (label, value) =>
    `<div class="card"><div class="label">${esc(label)}</div><div class="value">${
      esc(value)
    }</div></div>`;
  const ha = o.ha === undefined ? "" : `<h2>High availability</h2><table>
    <tr><th>cluster</th><td>${esc(o.ha.clusterId)}</td></tr>
    <tr><th>leader</th><td>${esc(o.ha.leader ?? "none")} (term ${esc(o.ha.term ?? "–")})</td></tr>
    <tr><th>standbys</th><td>${esc(o.ha.standbys.join(", ") || "none")}</td></tr></table>`;
  return `<h1>Overview</h1><div class="cards" id="overview">
    ${card("Workers", o.taskmanagers ?? "–")}
    ${card("Slots total", o.slotsTotal ?? "–")}
    ${card("Slots free", o.slotsAvailable ?? "–")}
    ${card("Running jobs", o.jobsRunning ?? "–")}
    ${card("Finished", o.jobsFinished ?? "–")}
    ${card("Canceled", o.jobsCanceled ?? "–")}
    ${card("Failed", o.jobsFailed ?? "–")}
    ${card("Version", o.version)}
  </div>${ha}`;
}

/** Details of the newest jobs (to show their parallelism), at most this many. */
const JOB_DETAILS_MAX = 20;

async function jobsPage() {
  const { jobs } = await api("/jobs");
  if (jobs.length === 0) return `<h1>Jobs</h1><p class="muted">No jobs yet.</p>`;
  const newest = [...jobs].sort((a, b) => b.startTime - a.startTime);
  const details = await Promise.all(
    newest.slice(0, JOB_DETAILS_MAX).map((j) => api(`/jobs/${j.id}`).catch(() => undefined)),
  );
  const rows = newest.map((j, i) => {
    const d = details[i];
    const parallelism = d === undefined ? "–" : Math.max(...d.vertices.map((v) => v.parallelism));
    const end = j.endTime > 0 ? j.endTime : Date.now();
    return `<tr><td><a href="#/jobs/${esc(j.id)}">${esc(j.name)}</a></td>
      <td class="mono">${esc(j.id)}</td><td>${stateTag(j.state)}</td>
      <td>${fmtTime(j.startTime)}</td><td class="num">${fmtDuration(end - j.startTime)}</td>
      <td class="num">${esc(parallelism)}</td></tr>`;
  });
  return `<h1>Jobs</h1><table id="jobs"><tr><th>name</th><th>id</th><th>state</th><th>started</th>
    <th class="num">duration</th><th class="num">parallelism</th></tr>${rows.join("")}</table>`;
}

async function workersPage() {
  const [{ taskmanagers }, { jobs }] = await Promise.all([api("/taskmanagers"), api("/jobs")]);
  // Tasks per slot, from the running jobs' subtasks.
  const tasks = new Map();
  const running = jobs.filter((j) => j.state === "RUNNING" || j.state === "RESTARTING");
  for (
    const d of await Promise.all(running.map((j) => api(`/jobs/${j.id}`).catch(() => undefined)))
  ) {
    for (const v of d?.vertices ?? []) {
      for (const s of v.subtasks) {
        if (s.worker === undefined || s.slot === undefined) continue;
        const key = `${s.worker}/${s.slot}`;
        tasks.set(key, [...(tasks.get(key) ?? []), `${v.name} #${s.subtask}`]);
      }
    }
  }
  const rows = taskmanagers.map((w) => {
    const perSlot = Array.from({ length: w.slotsTotal }, (_, i) => {
      const t = tasks.get(`${w.id}/${i}`) ?? [];
      return `<div><b>slot ${i}</b>: ${
        t.length === 0 ? '<span class="muted">free</span>' : esc(t.join(", "))
      }</div>`;
    }).join("");
    const heartbeat = w.lastHeartbeatMs > 0
      ? `${fmtDuration(Math.max(0, Date.now() - w.lastHeartbeatMs))} ago`
      : "–";
    return `<tr data-worker="${esc(w.id)}"><td>${esc(w.name)}<div class="muted mono">${
      esc(w.id)
    }</div></td>
      <td>${esc(w.dataAddress || "in process")}</td>
      <td class="num">${esc(w.slotsTotal)} (${esc(w.slotsFree)} free)</td>
      <td class="num">${fmtBytes(w.managedMemoryBytes / Math.max(1, w.slotsTotal))}</td>
      <td>${heartbeat}</td><td>${perSlot}</td></tr>`;
  });
  return `<h1>Workers</h1><table id="workers"><tr><th>worker</th><th>data address</th>
    <th class="num">slots</th><th class="num">memory per slot</th><th>last heartbeat</th>
    <th>tasks per slot</th></tr>${rows.join("")}</table>`;
}

/** How much of a vertex's name fits on its box (the whole name is its tooltip). */
const NAME_CHARS = 32;

/** The job graph as SVG, laid out by dagre (left to right). */
function drawGraph(job, vertexRates) {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 30, ranksep: 90, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  const W = 250;
  const H = 96;
  for (const v of job.vertices) g.setNode(String(v.id), { width: W, height: H });
  job.edges.forEach((e, i) =>
    g.setEdge(
      String(e.source),
      String(e.target),
      { label: e.partitioner, width: 70, height: 14 },
      `e${i}`,
    )
  );
  dagre.layout(g);
  const { width, height } = g.graph();
  const nodes = job.vertices.map((v) => {
    const n = g.node(String(v.id));
    const r = vertexRates.get(v.id);
    const bp = r?.backpressure;
    const wm = v.watermarkMs;
    const lines = [
      `parallelism ${v.parallelism}`,
      `in ${fmtRate(r?.recordsIn)} · out ${fmtRate(r?.recordsOut)}`,
      `backpressure ${bp === undefined ? "–" : `${(bp * 100).toFixed(0)}%`}`,
      `watermark ${
        wm === undefined || wm === null ? "–" : esc(new Date(wm).toISOString().slice(11, 23))
      }`,
    ];
    const name = v.name.length > NAME_CHARS ? `${v.name.slice(0, NAME_CHARS - 1)}…` : v.name;
    return `<g class="vertex${bp > 0.5 ? " backpressured" : ""}" data-vertex="${esc(v.id)}"
        data-name="${esc(v.name)}" data-parallelism="${esc(v.parallelism)}"
        data-records-out-rate="${r?.recordsOut ?? ""}"
        transform="translate(${n.x - W / 2},${n.y - H / 2})">
      <title>${esc(v.name)}</title>
      <rect width="${W}" height="${H}"></rect>
      <text class="title" x="10" y="18">${esc(name)}</text>
      ${lines.map((l, i) => `<text x="10" y="${38 + i * 15}">${l}</text>`).join("")}
    </g>`;
  });
  const edges = g.edges().map((e) => {
    const d = g.edge(e);
    const path = d.points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x},${p.y}`).join(" ");
    return `<g class="edge"><path d="${path}"></path>
      <text x="${d.x}" y="${d.y - 4}" text-anchor="middle">${esc(d.label)}</text></g>`;
  });
  return `<svg id="graph" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">
    <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7"
      orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#8a909b"/></marker></defs>
    ${edges.join("")}${nodes.join("")}</svg>`;
}

function subtaskTables(job, vertexRates) {
  return job.vertices.map((v) => {
    const rows = v.subtasks.map((s) => {
      const m = s.metrics ?? {};
      return `<tr><td class="num">${s.subtask}</td><td>${stateTag(s.state)}</td>
        <td class="mono">${esc(s.worker ?? "–")}</td><td class="num">${esc(s.slot ?? "–")}</td>
        <td class="num">${esc(m.recordsIn ?? 0)}</td><td class="num">${esc(m.recordsOut ?? 0)}</td>
        <td class="num">${fmtBytes(m.bytesIn)}</td><td class="num">${fmtBytes(m.bytesOut)}</td>
        <td class="num">${fmtDuration(m.backpressuredMs)}</td></tr>`;
    });
    const r = vertexRates.get(v.id);
    return `<details open data-vertex-table="${esc(v.id)}"><summary>${esc(v.name)} · parallelism
      ${esc(v.parallelism)} · ${fmtRate(r?.recordsOut)} out</summary>
      <table><tr><th class="num">subtask</th><th>state</th><th>worker</th><th class="num">slot</th>
      <th class="num">records in</th><th class="num">records out</th><th class="num">bytes in</th>
      <th class="num">bytes out</th><th class="num">backpressured</th></tr>${rows.join("")}</table>
    </details>`;
  }).join("");
}

/**
 * The job's exception history (`GET /jobs/:id/exceptions`: one entry per failed
 * attempt, newest first: failing operator, subtask, worker, stack); the job's
 * failure when the history is not available.
 */
function exceptionsSection(job, exceptions) {
  const items = exceptions?.history?.map((e) => ({
    when: e.timestamp,
    where: `${e.operator}${e.vertex && e.vertex !== e.operator ? ` (${e.vertex})` : ""}`,
    subtask: e.subtask,
    worker: e.worker,
    attempt: e.attempt,
    message: e.exception,
    stack: e.stacktrace,
  })) ?? [];
  const f = job.failure;
  if (items.length === 0 && f !== undefined) {
    items.push({ where: `${f.operatorName} (${f.vertexName})`, subtask: f.subtaskIndex, ...f });
  }
  if (items.length === 0) return `<p class="muted" id="exceptions">No exceptions.</p>`;
  const entry = (e) =>
    `<div class="message error">${e.when ? `${fmtTime(e.when)} · ` : ""}${
      e.attempt === undefined ? "" : `attempt ${esc(e.attempt)} · `
    }<b>${esc(e.where)}</b>${e.subtask === undefined ? "" : ` subtask ${esc(e.subtask)}`}${
      e.worker ? ` on ${esc(e.worker)}` : ""
    }: ${esc(e.message)}</div>` +
    (e.stack ? `<pre>${esc(e.stack)}</pre>` : "");
  const more = exceptions?.truncated ? `<p class="muted">Older entries were dropped.</p>` : "";
  return `<div id="exceptions">${items.map(entry).join("")}${more}</div>`;
}

function checkpointsSection(job) {
  const history = [...job.checkpoints].sort((a, b) => b.id - a.id);
  if (history.length === 0) return `<p class="muted" id="checkpoints">No checkpoints yet.</p>`;
  const rows = history.slice(0, 50).map((c) =>
    `<tr><td class="num">${c.id}</td><td>${esc(c.kind)}</td>
    <td>${stateTag(c.status)}</td><td>${fmtTime(c.triggerTimestampMs)}</td>
    <td class="num">${c.durationMs === undefined ? "–" : `${c.durationMs} ms`}</td>
    <td class="num">${fmtBytes(c.stateSizeBytes)}</td>
    <td class="num">${Math.round(c.maxAlignmentDurationMs)} ms</td>
    <td>${esc(c.failureReason ?? "")}</td></tr>`
  );
  return `<div class="chart" id="checkpoint-chart"></div>
    <table id="checkpoints"><tr><th class="num">id</th><th>kind</th><th>status</th><th>triggered</th>
    <th class="num">duration</th><th class="num">size</th><th class="num">alignment</th><th>failure</th>
    </tr>${rows.join("")}</table>`;
}

/** Draws the durations and sizes of the completed checkpoints (uPlot), replacing the last chart. */
let chart;
function drawCheckpointChart(job) {
  const el = document.getElementById("checkpoint-chart");
  chart?.destroy();
  chart = undefined;
  const done = job.checkpoints.filter((c) => c.status === "COMPLETED").sort((a, b) => a.id - b.id);
  if (el === null || done.length === 0 || typeof uPlot === "undefined") return;
  const data = [
    done.map((c) => c.triggerTimestampMs / 1000),
    done.map((c) => c.durationMs ?? 0),
    done.map((c) => c.stateSizeBytes / 1024),
  ];
  chart = new uPlot(
    {
      width: Math.min(900, el.clientWidth - 16),
      height: 180,
      series: [
        {},
        { label: "duration (ms)", stroke: "#2463eb" },
        { label: "size (KiB)", stroke: "#b45309", scale: "size" },
      ],
      axes: [{}, { label: "ms" }, { side: 1, scale: "size", label: "KiB" }],
    },
    data,
    el,
  );
}

/** The job the job page drew last (its chart is drawn once the page is in the document). */
let shownJob;
async function jobPage(id) {
  const [job, exceptions] = await Promise.all([
    api(`/jobs/${id}`),
    api(`/jobs/${id}/exceptions`).catch(() => undefined),
  ]);
  shownJob = job;
  const vertexRates = new Map();
  for (const v of job.vertices) {
    const r = rates(`${id}/${job.attempt}/${v.id}`, {
      recordsIn: v.recordsIn,
      recordsOut: v.recordsOut,
      backpressure: v.backpressuredMs / 1000 / Math.max(1, v.parallelism),
    });
    if (r !== undefined) vertexRates.set(v.id, r);
  }
  const running = job.state === "RUNNING";
  const end = job.endTime > 0 ? job.endTime : Date.now();
  return `<h1>${esc(job.name)} ${stateTag(job.state)}</h1>
    <div class="muted">${esc(job.jid)} · started ${fmtTime(job.startTime)} · ${
    fmtDuration(end - job.startTime)
  }
      · attempt ${esc(job.attempt)} · restart strategy ${esc(job.restartStrategy)}</div>
    <div class="actions">${
    running
      ? `<button id="savepoint">Savepoint</button><button id="stop">Stop with savepoint</button>
         <button id="cancel" class="danger">Cancel</button>`
      : ""
  }</div>
    <div id="action-message" class="message">${esc(actionMessage)}</div>
    <h2>Job graph</h2><div class="graph">${drawGraph(job, vertexRates)}</div>
    <h2>Subtasks</h2>${subtaskTables(job, vertexRates)}
    <h2>Exceptions</h2>${exceptionsSection(job, exceptions)}
    <h2>Checkpoints</h2>${checkpointsSection(job)}`;
}

// --- Actions ----------------------------------------------------------------

let actionMessage = "";
async function act(what, run) {
  actionMessage = `${what}…`;
  render();
  try {
    actionMessage = await run();
  } catch (e) {
    actionMessage = `${what} failed: ${e.message}`;
  }
  render();
}

function wireActions(id) {
  document.getElementById("cancel")?.addEventListener("click", () => {
    if (!confirm(`Cancel job ${id}?`)) return;
    act("Cancelling", async () => {
      await api(`/jobs/${id}?mode=cancel`, { method: "PATCH" });
      return "Cancel requested.";
    });
  });
  document.getElementById("savepoint")?.addEventListener(
    "click",
    () =>
      act("Taking a savepoint", async () => {
        return `Savepoint at ${await savepointOf(id, "savepoints")}`;
      }),
  );
  document.getElementById("stop")?.addEventListener("click", () => {
    if (!confirm(`Stop job ${id} with a savepoint?`)) return;
    act("Stopping with a savepoint", async () => {
      return `Stopped; savepoint at ${await savepointOf(id, "stop")}`;
    });
  });
}

/** How often an action polls its savepoint's status. */
const SAVEPOINT_POLL_MS = 500;

/** Starts a savepoint (or a stop) and polls its trigger until it completed; its directory. */
async function savepointOf(id, action) {
  const started = await api(`/jobs/${id}/${action}`, { method: "POST", body: "{}" });
  for (;;) {
    const s = await api(`/jobs/${id}/savepoints/${started["request-id"]}`);
    if (s.status === "COMPLETED") {
      if (s.location === undefined) throw new Error(s.failure);
      return s.location;
    }
    await new Promise((resolve) => setTimeout(resolve, SAVEPOINT_POLL_MS));
  }
}

// --- Router and refresh loop -----------------------------------------------

function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter((p) => p !== "");
  if (parts[0] === "jobs" && parts[1] !== undefined) {
    return {
      nav: "jobs",
      page: () => jobPage(parts[1]),
      job: parts[1],
    };
  }
  if (parts[0] === "jobs") return { nav: "jobs", page: jobsPage };
  if (parts[0] === "workers") return { nav: "workers", page: workersPage };
  return { nav: "overview", page: overviewPage };
}

let rendering = false;
let lastHash = location.hash;
async function render() {
  if (rendering) return;
  rendering = true;
  const r = route();
  if (location.hash !== lastHash) {
    actionMessage = "";
    lastHash = location.hash;
  }
  for (const a of document.querySelectorAll("nav a")) {
    a.classList.toggle("active", a.dataset.nav === r.nav);
  }
  try {
    const html = await r.page();
    // Keep the open/closed state of the subtask tables across redraws.
    const closed = new Set(
      [...view.querySelectorAll("details[data-vertex-table]:not([open])")].map((d) =>
        d.dataset.vertexTable
      ),
    );
    view.innerHTML = html;
    for (const d of view.querySelectorAll("details[data-vertex-table]")) {
      if (closed.has(d.dataset.vertexTable)) d.open = false;
    }
    if (r.job !== undefined) {
      wireActions(r.job);
      drawCheckpointChart(shownJob);
    }
    status.textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (e) {
    status.textContent = `error: ${e.message}`;
    if (view.innerHTML.includes("Loading")) {
      view.innerHTML = `<p class="message error">${esc(e.message)}</p>`;
    }
  } finally {
    rendering = false;
  }
}

addEventListener("hashchange", render);
render();
setInterval(render, REFRESH_MS);
