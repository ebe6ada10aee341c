// edit.js -- the Edit and Test pages: the rule files of the workbench's folder in the editor,
// checked as one types, formatted, tested with coverage in the margin, saved with a diff.
import * as api from "./api.js";
import { t } from "./i18n.js";
import { showDiff } from "./diff.js";
import {
  createEditor, getText, setText, setCoverage, gotoLine, showLine, recheck,
} from "./editor.bundle.js";

const $ = (id) => document.getElementById(id);

const state = {
  view: null, path: "", base: "", saved: "", mayEdit: false,
  lastChange: 0, lastCheck: null, root: "",
};

export async function initEdit(session) {
  state.mayEdit = session.may.edit;
  state.root = session.root;
  state.view = createEditor($("editor"), {
    doc: "", delay: 200, label: "rules", css: "editor.css",
    check: checkNow,
    onChange: (text) => { state.lastChange = performance.now(); markDirty(text); },
    keys: { "Mod-s": openSave, "Shift-Alt-f": format },
  });
  $("fmt").addEventListener("click", format);
  $("save").addEventListener("click", openSave);
  $("save").disabled = !state.mayEdit;
  if (!state.mayEdit) $("save").title = t("no_edit");
  $("save-cancel").addEventListener("click", () => $("save-dialog").close());
  $("save-confirm").addEventListener("click", confirmSave);
  $("version-close").addEventListener("click", () => $("version-dialog").close());
  $("run-tests").addEventListener("click", runTests);
  // leaving the page (closing the tab, switching the language) with changes not saved asks first
  addEventListener("beforeunload", (e) => {
    if (state.path && getText(state.view) !== state.saved) e.preventDefault();
  });
  const list = await api.files();
  state.files = list.files;
  const ul = $("files");
  ul.replaceChildren(...list.files.map((p) => {
    const li = document.createElement("li");
    const a = link(p, () => openFile(p));
    a.dataset.path = p;
    li.append(a);
    return li;
  }));
  const first = new URLSearchParams(location.hash.slice(1)).get("file") || list.root;
  await openFile(first);
}

function link(text, onClick) {
  const a = document.createElement("a");
  a.href = "#";
  a.textContent = text;
  a.addEventListener("click", (e) => { e.preventDefault(); onClick(); });
  return a;
}

export async function openFile(path, line, column) {
  if (path !== state.path) {
    if (state.path && getText(state.view) !== state.saved && !confirm(t("discard"))) return;
    const f = await api.readFile(path);
    state.path = path;
    state.base = f.sha256;
    state.saved = f.text;
    setText(state.view, f.text);
    setCoverage(state.view, []);
    $("path").textContent = path;
    for (const a of document.querySelectorAll("#files a"))
      a.classList.toggle("current", a.dataset.path === path);
    history.replaceState(null, "", `#file=${encodeURIComponent(path)}`);
    markDirty(f.text);
    showHistory();
  }
  if (line) gotoLine(state.view, line, column || 1);
}

export function currentPath() { return state.path; }
export function currentText() { return getText(state.view); }
export function ruleFiles() { return state.files || []; }

// The file of the folder a path of the service's (absolute, as explanations name rule files)
// is, or "" when none.
export function fileOf(servicePath) {
  return (state.files || []).find((f) => servicePath === f || servicePath.endsWith(`/${f}`)) || "";
}

function markDirty(text) {
  $("dirty").textContent = text === state.saved ? "" : t("unsaved");
}

// The linter: the text compiled by the service with the folder's other files; the
// diagnostics of this file go into the editor, every one into the list below it.
async function checkNow(text) {
  if (!state.path) return [];
  $("check-status").textContent = t("checking");
  let r;
  try {
    r = await api.check(state.path, text);
  } catch (e) {
    $("check-status").textContent = e.message;
    return [];
  }
  state.lastCheck = { text, ok: r.ok };
  const ms = Math.round(performance.now() - state.lastChange);
  document.body.dataset.checkMs = String(ms); // for the browser tests: typing stopped -> shown
  $("check-status").textContent = (r.errors || r.warnings ? t("problems", r.errors, r.warnings)
    : t("no_problems")) + (state.lastChange ? t("checked_in", ms) : "");
  $("check-status").className = r.ok ? "status ok" : "status bad";
  listDiagnostics($("diagnostics"), r.diagnostics);
  return r.diagnostics.filter((d) => d.file === state.path);
}

// A list of placed messages, each a link to its file and line.
function listDiagnostics(ul, list) {
  ul.replaceChildren(...list.map((d) => {
    const li = document.createElement("li");
    li.className = d.severity || "error";
    const where = `${d.file}:${d.line}:${d.column}`;
    li.append(link(where, () => { showPage("edit"); openFile(d.file, d.line, d.column); }));
    li.append(` ${d.code ? `[${d.code}] ` : ""}${d.message}`);
    if (d.help) {
      const help = document.createElement("div");
      help.className = "help";
      help.textContent = d.help;
      li.append(help);
    }
    return li;
  }));
}

async function format() {
  const text = getText(state.view);
  const r = await api.fmt(state.path, text);
  if (!r.ok) {
    listDiagnostics($("diagnostics"), r.diagnostics);
    return;
  }
  if (r.changed) setText(state.view, r.text);
  $("check-status").textContent = r.changed ? t("fmt_done") : t("fmt_same");
}

function openSave() {
  if (!state.mayEdit) return;
  const text = getText(state.view);
  const changed = showDiff($("save-diff"), state.saved, text);
  const compiles = state.lastCheck?.text === text ? state.lastCheck.ok : true;
  $("save-message").textContent = !changed ? t("no_change") : compiles ? "" : t("cannot_save");
  $("save-confirm").disabled = !changed || !compiles;
  $("save-dialog").showModal();
}

async function confirmSave() {
  const text = getText(state.view);
  try {
    const r = await api.save(state.path, text, state.base);
    state.base = r.sha256;
    state.saved = text;
    markDirty(text);
    $("save-dialog").close();
    $("check-status").textContent = t("saved", r.sha256.slice(0, 12));
    showHistory();
  } catch (e) {
    $("save-message").textContent = e.code === "conflict" ? t("conflict")
      : e.code === "rules_do_not_compile" ? t("cannot_save") : e.message;
    if (e.body?.error?.diagnostics) listDiagnostics($("diagnostics"), e.body.error.diagnostics);
  }
}

async function showHistory() {
  const path = state.path;
  const h = await api.history(path);
  if (path !== state.path) return;
  $("history").replaceChildren(...h.versions.map((v) => {
    const li = document.createElement("li");
    li.append(link(`${v.time.replace("T", " ").slice(0, 19)} ${v.sha256.slice(0, 12)}`,
      () => showVersion(v)));
    if (v.by) li.append(` ${v.by === "(before the first save)" ? t("before_first") : v.by}`);
    li.title = `sha256:${v.sha256}`;
    return li;
  }));
}

async function showVersion(v) {
  const r = await api.version(v.sha256);
  $("version-title").textContent = t("version_of", v.time);
  showDiff($("version-diff"), getText(state.view), r.text, 2);
  $("version-restore").onclick = () => { setText(state.view, r.text); $("version-dialog").close(); };
  $("version-dialog").showModal();
}

// ---------------------------------------------------------------- tests

async function runTests() {
  $("test-summary").textContent = t("checking");
  const r = await api.runTests(state.path, getText(state.view));
  if (!r.ok) {
    $("test-summary").textContent = t("cannot_save");
    listDiagnostics($("test-failures"), r.diagnostics);
    $("test-uncovered").replaceChildren();
    return;
  }
  $("test-summary").textContent = t("tests_summary", r);
  $("test-summary").className = r.failed ? "status bad" : "status ok";
  listDiagnostics($("test-failures"), r.failures);
  listDiagnostics($("test-uncovered"), r.not_covered.map((d) => ({ ...d, severity: "warning" })));
  // the margin: a cross on each line of this file that no test covers or where a test
  // fails, the message on hovering it
  const here = (d) => d.file === state.path;
  const marks = [
    ...r.failures.filter(here).map((d) => ({ line: d.line, covered: false, title: d.message })),
    ...r.not_covered.filter(here).map((d) => ({ line: d.line, covered: false, title: d.message })),
  ];
  setCoverage(state.view, marks);
  if (marks.length) showLine(state.view, marks[0].line);
}

// ---------------------------------------------------------------- pages

export function showPage(name) {
  for (const b of document.querySelectorAll("[role=tab]"))
    b.setAttribute("aria-selected", String(b.dataset.tab === name));
  for (const s of document.querySelectorAll(".page")) s.hidden = s.id !== `page-${name}`;
  // the Test page shows the editor's margin too: it lives on the Edit page, so the
  // editor is moved along
  const host = name === "test" ? $("page-test") : document.querySelector("#page-edit .work");
  if (name === "test" || name === "edit") host.append($("editor"));
  if (name === "edit") host.append($("diagnostics"));
  if (name === "edit" || name === "test") recheckSoon();
}

function recheckSoon() { if (state.view) requestAnimationFrame(() => state.view.requestMeasure()); }

export function recheckAll() { if (state.view) recheck(state.view); }
