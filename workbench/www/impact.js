// impact.js -- the Impact page: the editor's text against a baseline (the file as saved, a
// saved version, another rule file) over a register of the data folder or one uploaded, as
// `elig diff --by village` reports it (POST /v1/workbench/impact; the service runs it and
// the page asks how far it is): the households by status before and after, the flags
// gained and lost, the groups whose exit flips, and each village's (or county's) figures
// before and after, with bars; the changed households to download.
//
// Every value shown from the report is marked with where it is in it (data-key), as the
// Explain page marks its values, so that the browser test can compare the page with
// `elig diff --by village --format json`.
import * as api from "./api.js";
import { t } from "./i18n.js";
import { currentPath, currentText, ruleFiles, showPage, openFile } from "./edit.js";
import { barChart } from "./chart.js";

const $ = (id) => document.getElementById(id);
const SHOWN_GROUPS = 100; // rows of the groups' table; the list has every household
const CHARTED_GROUPS = 15;
const state = { job: "", timer: 0, uploadMax: 0, clicked: 0 };

export async function initImpact(session, rules) {
  state.uploadMax = session.registers.upload_max;
  await listRegisters();
  const by = $("impact-by");
  by.replaceChildren(...rules.aggregates.map((a) => new Option(a, a)));
  if (rules.aggregates.includes("village")) by.value = "village";
  $("impact-as-of").value = new Date().toISOString().slice(0, 10);
  $("impact-register").addEventListener("change", registerChanged);
  $("impact-baseline").addEventListener("change", baselineChanged);
  $("impact-run").addEventListener("click", run);
  $("impact-cancel").addEventListener("click", cancel);
  $("impact-download").addEventListener("click", download);
  // what the folders hold now, and the versions of the file now in the editor
  $("tab-impact").addEventListener("click", () => { listRegisters(); baselineChanged(); });
  registerChanged();
}

// The registers of the data folder, then "upload a file" when the service takes uploads.
export async function listRegisters() {
  const r = await api.registers();
  const options = r.registers.map((f) => new Option(`${f.path} (${size(f.bytes)})`, `data:${f.path}`));
  if (r.upload_max > 0) options.push(new Option(t("upload_file", size(r.upload_max)), "upload"));
  for (const id of ["impact-register", "pick-register"]) {
    const sel = $(id), was = sel.value;
    sel.replaceChildren(...options.map((o) => new Option(o.text, o.value)));
    if (options.some((o) => o.value === was)) sel.value = was;
  }
  return r;
}

function size(bytes) {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB`
    : bytes >= 1024 ? `${(bytes / 1024).toFixed(0)} KiB` : `${bytes} B`;
}

function registerChanged() {
  $("impact-upload").hidden = $("impact-register").value !== "upload";
}

async function baselineChanged() {
  const kind = $("impact-baseline").value;
  const against = $("impact-against");
  against.hidden = kind === "saved";
  if (kind === "file") {
    against.replaceChildren(...ruleFiles().filter((f) => f !== currentPath())
      .map((f) => new Option(f, f)));
  } else if (kind === "version") {
    const h = await api.history(currentPath());
    against.replaceChildren(...h.versions.map((v) =>
      new Option(`${v.time.replace("T", " ").slice(0, 19)} ${v.sha256.slice(0, 12)}`, v.sha256)));
  }
}

// The register a form names, as the service's parameters: a file of the data folder, or a
// file chosen in the page, uploaded first (once: the service keeps the last upload, and a
// file chosen again is sent again).
let uploaded = { file: null, id: "" };
export async function registerQuery(select, fileInput) {
  const v = select.value;
  if (v.startsWith("data:")) return { data: v.slice(5) };
  const file = fileInput.files[0];
  if (!file) throw new Error(t("choose_file_first"));
  if (file.size > state.uploadMax) throw new Error(t("file_too_large", size(state.uploadMax)));
  if (uploaded.file !== file) uploaded = { file, id: (await api.upload(file)).upload.id };
  return { upload: uploaded.id };
}

// An upload the service no longer has (another replaced it) is sent again on the next run.
export function forgetUpload() { uploaded = { file: null, id: "" }; }

function say(text, bad) {
  $("impact-status").textContent = text;
  $("impact-status").className = bad ? "status bad" : "status";
}

async function run() {
  state.clicked = performance.now();
  const path = currentPath();
  const query = { path, by: $("impact-by").value, as_of: $("impact-as-of").value || undefined,
    baseline: $("impact-baseline").value };
  if (query.baseline === "file") query.against = $("impact-against").value;
  if (query.baseline === "version") query.sha256 = $("impact-against").value;
  $("impact-result").hidden = true;
  $("impact-diagnostics").replaceChildren();
  try {
    say(t("starting"));
    Object.assign(query, await registerQuery($("impact-register"), $("impact-upload")));
    const r = await api.startImpact(query, currentText());
    follow(r.job);
  } catch (e) {
    if (e.code === "no_such_upload") forgetUpload();
    say(e.message, true);
    const d = e.body?.error?.diagnostics;
    if (d) showDiagnostics(d);
  }
}

// The diagnostics of rules that do not compile, each a link to its line.
function showDiagnostics(list) {
  $("impact-diagnostics").replaceChildren(...list.map((d) => {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = "#";
    a.textContent = `${d.file}:${d.line}:${d.column}`;
    a.addEventListener("click", (e) => { e.preventDefault(); showPage("edit"); openFile(d.file, d.line, d.column); });
    li.append(a, ` ${d.message}`);
    return li;
  }));
}

async function cancel() {
  if (!state.job) return;
  try { follow((await api.cancelImpact(state.job)).job); } catch (e) { say(e.message, true); }
}

// Shows where the job is and asks again until it is over; then its report.
function follow(job) {
  state.job = job.id;
  clearTimeout(state.timer);
  const running = job.state === "running";
  $("impact-run").disabled = running;
  $("impact-cancel").hidden = !running;
  $("impact-progress").hidden = !running;
  document.body.dataset.impact = job.state; // for the browser tests
  if (running) {
    showProgress(job);
    state.timer = setTimeout(async () => {
      try { follow((await api.impactStatus(state.job)).job); } catch (e) { say(e.message, true); }
    }, 250);
    return;
  }
  if (job.state === "done") showReport(job);
  else if (job.state === "cancelled") say(t("cancelled"));
  else if (job.state === "failed") say(job.error?.message || job.state, true);
}

function showProgress(job) {
  const bar = $("impact-bar");
  const { read, total } = job.bytes;
  if (job.phase === "reading" && total > 0) {
    bar.max = total;
    bar.value = read;
    say(t("reading", size(read), size(total), Math.floor((100 * read) / total), job.records.read));
  } else {
    bar.removeAttribute("value"); // going on, by how much not known
    say(job.phase === "comparing" ? t("comparing", job.records.read) : t("writing_report"));
  }
  if (job.cancelling) say(t("cancelling"));
}

async function showReport(job) {
  say(t("fetching_report"));
  const report = await api.impactReport(job.id);
  const out = $("impact-result");
  out.replaceChildren(
    summary(report, job),
    ...decisionsPart(report),
    ...flagsPart(report),
    ...flipsPart(report),
    ...groupsPart(report),
    ...messagesPart(job));
  out.hidden = false;
  say(t("impact_done", job.seconds.toFixed(1)));
  // from the click to the tables on screen, for the browser tests and doc/workbench.md
  if (state.clicked) document.body.dataset.impactMs = String(Math.round(performance.now() - state.clicked));
  document.body.dataset.impact = "shown";
}

async function download() {
  try {
    const blob = await api.impactList(state.job);
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "impact-households.csv";
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  } catch (e) {
    say(e.message, true);
  }
}

// ---------------------------------------------------------------- the report's parts

function node(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

// A value of the report, marked with where it is in it; "—" for none (null: the side that
// does not make the group).
export const NONE = "—";
function val(v, key, tag = "td") {
  const e = node(tag, v === null || v === undefined ? NONE : String(v), "val");
  e.dataset.key = key;
  return e;
}

function table(head, rows) {
  const tb = node("table", undefined, "report");
  const tr = node("tr");
  tr.append(...head.map((h) => node("th", h)));
  const thead = node("thead");
  thead.append(tr);
  const tbody = node("tbody");
  tbody.append(...rows);
  tb.append(thead, tbody);
  return tb;
}

function row(...cells) {
  const tr = node("tr");
  tr.append(...cells.map((c) => (c instanceof Node ? c : node("td", String(c)))));
  return tr;
}

function summary(r, job) {
  const p = node("div", undefined, "impact-summary");
  const rec = r.records;
  p.append(node("strong", t("impact_of")), ` ${r.new.rules} ← ${r.old.rules}`, node("br"),
    t("records_read"), " ", val(rec.read, "records.read", "span"), ", ", t("compared"), " ",
    val(rec.compared, "records.compared", "span"), ", ", t("changed"), " ",
    val(rec.changed, "records.changed", "span"), ", ", t("rejected_by_old"), " ",
    val(rec.rejected_old, "records.rejected_old", "span"), ", ", t("rejected_by_new"), " ",
    val(rec.rejected_new, "records.rejected_new", "span"));
  if (r.no_change) p.append(node("p", t("no_change_at_all"), "status ok"));
  $("impact-download").hidden = !job.outcome?.list_rows;
  $("impact-download").textContent = t("download_list", job.outcome?.list_rows || 0);
  return p;
}

// Households by each decision's value before -> after, and a bar per change.
function decisionsPart(r) {
  const parts = [node("h2", t("transitions"))];
  r.decisions.forEach((d, i) => {
    parts.push(node("h3", `${d.name}: ${t("changed_of", d.changed, d.changed + d.unchanged)}`));
    if (!d.changes.length) return;
    parts.push(table([t("before"), t("after"), t("records")], d.changes.map((c, k) =>
      row(val(c.old, `decisions.${i}.changes.${k}.old`), val(c.new, `decisions.${i}.changes.${k}.new`),
        val(c.records, `decisions.${i}.changes.${k}.records`)))));
    parts.push(barChart(d.changes.map((c) => ({ label: `${c.old} → ${c.new}`,
      values: [c.records], texts: [String(c.records)] })), [{ name: t("records"), cls: "bar-new" }]));
  });
  return parts;
}

function flagsPart(r) {
  const moved = r.flags.flags.map((f, i) => ({ f, i })).filter(({ f }) => f.gained || f.lost);
  const parts = [node("h2", t("flags_changed", r.flags.records_changed))];
  if (!moved.length) return parts;
  parts.push(table([t("flag"), t("gained"), t("lost")], moved.map(({ f, i }) =>
    row(f.name, val(f.gained, `flags.flags.${i}.gained`), val(f.lost, `flags.flags.${i}.lost`)))));
  parts.push(barChart(moved.map(({ f }) => ({ label: f.name, values: [f.gained, f.lost],
    texts: [String(f.gained), String(f.lost)] })),
  [{ name: t("gained"), cls: "bar-gained" }, { name: t("lost"), cls: "bar-lost" }]));
  return parts;
}

function keyText(key) { return Object.values(key).join(" / "); }

// The groups of each aggregate whose outcome (exit) flips, or that one side alone makes.
function flipsPart(r) {
  const parts = [node("h2", t("flips"))];
  for (const [i, a] of r.aggregates.entries()) {
    const rows = [];
    (a.changed || []).slice(0, SHOWN_GROUPS).forEach((g, k) => {
      for (const [name, v] of Object.entries(g.decisions))
        rows.push(row(a.name, keyText(g.key), name, val(v.old, `aggregates.${i}.changed.${k}.decisions.${name}.old`),
          val(v.new, `aggregates.${i}.changed.${k}.decisions.${name}.new`)));
    });
    for (const side of ["only_old", "only_new"])
      (a[side] || []).forEach((g) => rows.push(row(a.name, keyText(g.key), t(side), "", "")));
    if (!a.changed) continue; /* one side lacks the aggregate, or its keys differ */
    parts.push(node("h3", t("flips_of", a.name, a.changed.length, a.matched)));
    if (rows.length)
      parts.push(table([t("aggregate"), t("group"), t("outcome"), t("before"), t("after")], rows));
    if (a.changed.length > SHOWN_GROUPS)
      parts.push(node("p", t("more_groups", a.changed.length - SHOWN_GROUPS), "note"));
  }
  return parts;
}

// How many of a group's households a decision changes (old != new).
function changedIn(g, decision) {
  return (g.households[decision] || []).filter((p) => p.old !== p.new)
    .reduce((n, p) => n + p.households, 0);
}

function groupMoved(g) {
  const differs = (o) => Object.values(o || {}).some((v) => v.old !== v.new);
  return g.in !== "both" || differs(g.outcome) || differs(g.values) ||
    Object.keys(g.households).some((d) => changedIn(g, d) > 0) ||
    Object.values(g.flags).some((f) => f.gained || f.lost);
}

// A number of a value as the report writes it ("4.66%", "12", "1234.50"); NaN for none.
function amount(text) { return text === null ? NaN : Number.parseFloat(String(text)); }

// Each group that moves, most households changed first: its outcome and values before and
// after, the households each decision changes; bars of the value named incidence (or the
// aggregate's first value) for the first of them.
function groupsPart(r) {
  const by = r.by;
  if (!by) return [];
  const decisions = r.decisions.map((d) => d.name);
  const moved = by.groups.map((g, i) => ({ g, i, n: decisions.reduce((s, d) => s + changedIn(g, d), 0) }))
    .filter(({ g }) => groupMoved(g)).sort((a, b) => b.n - a.n || a.i - b.i);
  const first = by.groups[0];
  const outcomes = first ? Object.keys(first.outcome) : [];
  const values = first ? Object.keys(first.values) : [];
  const parts = [node("h2", t("by_groups", by.aggregate, moved.length, by.groups.length))];
  if (!moved.length) return parts;
  const charted = values.includes("incidence") ? "incidence" : values[0];
  if (charted) {
    parts.push(node("h3", t("chart_of", charted)));
    parts.push(barChart(moved.slice(0, CHARTED_GROUPS).map(({ g }) => ({
      label: keyText(g.key), values: [amount(g.values[charted].old), amount(g.values[charted].new)],
      texts: [String(g.values[charted].old ?? NONE), String(g.values[charted].new ?? NONE)],
    })), [{ name: t("before"), cls: "bar-old" }, { name: t("after"), cls: "bar-new" }]));
  }
  const head = [...by.keys, t("compared"), ...outcomes.flatMap((o) => [`${o} ${t("before")}`, `${o} ${t("after")}`]),
    ...values.flatMap((v) => [`${v} ${t("before")}`, `${v} ${t("after")}`]),
    ...decisions.map((d) => t("households_changed", d))];
  const rows = moved.slice(0, SHOWN_GROUPS).map(({ g, i }) => {
    const at = `by.groups.${i}`;
    const cells = by.keys.map((k) => val(g.key[k], `${at}.key.${k}`));
    cells.push(val(g.compared, `${at}.compared`));
    for (const [part, names] of [["outcome", outcomes], ["values", values]])
      for (const n of names) {
        const p = g[part][n];
        const b = val(p.new, `${at}.${part}.${n}.new`);
        if (p.old !== p.new) b.classList.add("moved");
        cells.push(val(p.old, `${at}.${part}.${n}.old`), b);
      }
    for (const d of decisions) cells.push(node("td", String(changedIn(g, d))));
    return row(...cells);
  });
  const wrap = node("div", undefined, "table-wrap");
  wrap.append(table(head, rows));
  parts.push(wrap);
  if (moved.length > SHOWN_GROUPS) parts.push(node("p", t("more_groups", moved.length - SHOWN_GROUPS), "note"));
  return parts;
}

function messagesPart(job) {
  const parts = [];
  if (job.records.rejected) {
    parts.push(node("h2", t("rejected_records", job.records.rejected, job.records.rejected_old, job.records.rejected_new)));
    const ul = node("ul", undefined, "diagnostics");
    ul.append(...job.rejections.map((m) => node("li", m)));
    parts.push(ul);
  }
  if (job.notes.length) {
    const ul = node("ul", undefined, "diagnostics");
    ul.append(...job.notes.map((m) => node("li", m, "warning")));
    parts.push(node("h2", t("notes")), ul);
  }
  return parts;
}
