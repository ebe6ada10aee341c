// explain.js -- the Explain page: a record from a form built from the rules' schema (or
// pasted as JSON), explained by POST /v1/explain: every decision's rules with the values
// they read, the condition that failed and by how much, flags, derived values; and a
// what-if slider over a number or amount field, with the values at which results change.
import * as api from "./api.js";
import { t } from "./i18n.js";
import { openFile, showPage, fileOf } from "./edit.js";
import { registerQuery, forgetUpload } from "./impact.js";

const $ = (id) => document.getElementById(id);
let fields = [];
let whatIfTimer = 0;

export async function initExplain(r) {
  fields = r.fields;
  buildForm();
  for (const radio of document.querySelectorAll("input[name=source]"))
    radio.addEventListener("change", switchSource);
  $("explain-run").addEventListener("click", () => run());
  $("as-of").value = new Date().toISOString().slice(0, 10);
  const sel = $("what-if-field");
  sel.replaceChildren(new Option("—", ""), ...fields
    .filter((f) => f.type === "int" || f.type === "money" || f.type === "number")
    .map((f) => new Option(f.name, f.name)));
  sel.addEventListener("change", () => run());
  $("what-if-slider").addEventListener("input", () => {
    $("what-if-value").textContent = $("what-if-slider").value;
    clearTimeout(whatIfTimer);
    whatIfTimer = setTimeout(() => run($("what-if-slider").value), 150);
  });
}

function buildForm() {
  const form = $("record-form");
  form.replaceChildren(...fields.map((f) => {
    const label = document.createElement("label");
    const name = document.createElement("span");
    name.textContent = f.name + (f.required ? " *" : "");
    let input;
    if (f.type === "bool") {
      input = document.createElement("select");
      input.append(new Option("", ""), new Option("true", "true"), new Option("false", "false"));
    } else if (f.type === "list") {
      input = document.createElement("textarea");
      input.rows = 2;
      input.placeholder = "[{...}]";
    } else {
      input = document.createElement("input");
      input.type = f.type === "date" ? "date" : "text";
      if (f.type !== "text" && f.type !== "date") input.inputMode = "decimal";
    }
    input.name = f.name;
    input.dataset.type = f.type;
    label.append(name, input);
    return label;
  }));
  form.addEventListener("submit", (e) => { e.preventDefault(); run(); });
}

function switchSource() {
  const json = document.querySelector("input[name=source]:checked").value === "json";
  if (json) $("record-json").value = JSON.stringify(formRecord(), null, 2);
  else fillForm(JSON.parse($("record-json").value || "{}"));
  $("record-form").hidden = json;
  $("record-json").hidden = !json;
}

// The record the form holds: empty fields left out; money as text (exact), other numbers
// as JSON numbers.
function formRecord() {
  const rec = {};
  for (const input of $("record-form").elements) {
    const v = input.value.trim();
    if (!input.name || v === "") continue;
    const type = input.dataset.type;
    if (type === "bool") rec[input.name] = v === "true";
    else if (type === "int") rec[input.name] = Number.isInteger(Number(v)) ? Number(v) : v;
    else if (type === "number" || type === "percent") rec[input.name] = isNaN(Number(v)) ? v : Number(v);
    else if (type === "list") { try { rec[input.name] = JSON.parse(v); } catch { rec[input.name] = v; } }
    else rec[input.name] = v;
  }
  return rec;
}

function fillForm(rec) {
  for (const input of $("record-form").elements)
    if (input.name) {
      const v = rec[input.name];
      input.value = v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v)
        : input.dataset.type === "bool" ? boolText(String(v)) : String(v);
    }
}

// A boolean as a register writes it (1, 0, true, false) as the form's choice.
function boolText(v) {
  return /^(1|true)$/i.test(v) ? "true" : /^(0|false)$/i.test(v) ? "false" : "";
}

// ---------------------------------------------------------------- a household of a register

// The Explain page's picker (the scopes impact and explain): a household of a register of
// the data folder (or uploaded) by its key and year, explained by the service as
// `elig explain --id --year` explains it, over the register (its years before included);
// its record, as written, fills the form for what-if.
export function initPicker() {
  $("household-picker").hidden = false;
  $("pick-register").addEventListener("change", () => {
    $("pick-upload").hidden = $("pick-register").value !== "upload";
  });
  $("pick-find").addEventListener("click", () => pick());
  $("pick-upload").hidden = $("pick-register").value !== "upload";
}

async function pick(year) {
  const out = $("explanation");
  const query = { id: $("pick-id").value.trim(), year: year ?? ($("pick-year").value.trim() || undefined),
    as_of: $("as-of").value || undefined };
  $("pick-years").replaceChildren();
  try {
    Object.assign(query, await registerQuery($("pick-register"), $("pick-upload")));
    const r = await api.household(query);
    const shown = r.explanations[r.explanations.length - 1];
    render(out, shown);
    if (r.messages.length) out.append(...r.messages.map((m) => text("p", m, "bad")));
    yearLinks(r.explanations, shown);
    if (r.record) {
      fillForm(recordFields(r.record));
      if (!$("record-json").hidden) $("record-json").value = JSON.stringify(formRecord(), null, 2);
    }
    $("pick-status").textContent = t("picked", shown.at);
  } catch (e) {
    if (e.code === "no_such_upload") forgetUpload();
    out.replaceChildren(text("p", t("explain_error") + e.message, "bad"));
  }
}

// A household over several years: the latest is shown, the others a click away.
function yearLinks(explanations, shown) {
  if (explanations.length < 2) return;
  $("pick-years").append(t("other_years"), ...explanations.filter((e) => e !== shown).map((e) => {
    const y = e.record.slice(e.record.lastIndexOf("/") + 1);
    const a = text("a", y);
    a.href = "#";
    a.addEventListener("click", (ev) => { ev.preventDefault(); $("pick-year").value = y; pick(y); });
    return a;
  }));
}

// The cells of one CSV record (RFC 4180: quotes around a cell, "" for a quote in it).
function csvCells(line) {
  const cells = [];
  let cell = "", quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') { cell += '"'; i++; }
    else if (c === '"') quoted = !quoted;
    else if (c === "," && !quoted) { cells.push(cell); cell = ""; }
    else cell += c;
  }
  cells.push(cell);
  return cells;
}

// The record as the register wrote it, by field: {name: text}; an empty cell is absent.
function recordFields(rec) {
  if (rec.format === "jsonl") {
    const o = api.parseExact(rec.text);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v instanceof api.Exact ? String(v) : v]));
  }
  const names = csvCells(rec.header), cells = csvCells(rec.text);
  const o = {};
  names.forEach((n, i) => { if (cells[i] !== undefined && cells[i] !== "") o[n.trim()] = cells[i]; });
  return o;
}

function currentRecord() {
  const json = !$("record-json").hidden;
  return json ? JSON.parse($("record-json").value) : formRecord();
}

// Explains the record; `sliderValue`: the what-if field set to it first.
async function run(sliderValue) {
  const out = $("explanation");
  let rec;
  try { rec = currentRecord(); } catch (e) { out.textContent = t("explain_error") + e.message; return; }
  const field = $("what-if-field").value;
  if (field && sliderValue !== undefined) {
    const type = fields.find((f) => f.name === field)?.type;
    rec[field] = type === "money" ? Number(sliderValue).toFixed(2) : Number(sliderValue);
    fillForm(rec);
    if (!$("record-json").hidden) $("record-json").value = JSON.stringify(rec, null, 2);
  }
  try {
    const r = await api.explain(JSON.stringify(rec), { asOf: $("as-of").value, whatIf: field || undefined });
    render(out, r);
    showWhatIf(r.what_if, sliderValue === undefined);
  } catch (e) {
    out.replaceChildren(text("p", t("explain_error") + e.message, "bad"));
    $("what-if").hidden = false;
  }
}

function text(tag, s, cls) {
  const el = document.createElement(tag);
  el.textContent = s;
  if (cls) el.className = cls;
  return el;
}

// A value as the engine wrote it, marked with where it is in the answer (data-key), so that
// the browser tests can compare what is shown with `elig explain --format json`.
function value(v, key) {
  const s = v === null || v === undefined ? "none" : typeof v === "object" && !(v instanceof api.Exact)
    ? JSON.stringify(v) : String(v);
  const el = text("span", s, "val");
  el.dataset.key = key;
  return el;
}

function valuesTable(values, key) {
  const dl = document.createElement("dl");
  for (const [name, v] of Object.entries(values || {})) {
    const dd = document.createElement("dd");
    dd.append(value(v, `${key}.${name}`));
    dl.append(text("dt", name), dd);
  }
  return dl;
}

// "FILE:LINE" of a rule, as a link to it in the editor when FILE is one of the folder's.
function whereLink(at) {
  const m = /^(.*):(\d+)$/.exec(at || "");
  const file = m ? fileOf(m[1]) : "";
  if (!file) return text("span", at || "");
  const a = text("a", `${file}:${m[2]}`);
  a.href = "#";
  a.addEventListener("click", (e) => { e.preventDefault(); showPage("edit"); openFile(file, Number(m[2])); });
  return a;
}

function condition(c, key) {
  const div = text("div", "", c.holds ? "cond ok" : "cond bad");
  div.append(text("code", c.condition));
  if (c.left) {
    div.append(" : ", value(c.left.value, `${key}.left.value`), ` ${c.side === "equal" ? t("equals") : c.side === "below" ? "<" : c.side === "above" ? ">" : "·"} `,
      value(c.right.value, `${key}.right.value`));
  }
  if (c.margin !== undefined) div.append(` (${t("margin")} `, value(c.margin, `${key}.margin`), ")");
  return div;
}

function render(out, r) {
  out.replaceChildren(text("h2", r.record || ""));
  r.decisions.forEach((d, i) => {
    const sec = document.createElement("details");
    sec.open = true;
    const sum = document.createElement("summary");
    sum.append(text("strong", d.name), " = ", value(d.value, `decisions.${i}.value`), " ");
    if (d.at) sum.append(whereLink(d.at));
    sec.append(sum);
    if (d.reason) sec.append(text("p", d.reason, "reason"));
    const ol = document.createElement("ol");
    (d.rules || []).forEach((rule, k) => {
      const li = text("li", "", rule.matched ? "matched" : "not-matched");
      const key = `decisions.${i}.rules.${k}`;
      li.append(text("span", `${rule.matched ? t("decided") : t("not_matched")}`, "verdict"));
      li.append(valuesTable(rule.values, `${key}.values`));
      if (rule.failed) li.append(condition(rule.failed, `${key}.failed`));
      for (const [n, c] of (rule.conditions || []).entries()) li.append(condition(c, `${key}.conditions.${n}`));
      ol.append(li);
    });
    sec.append(ol);
    out.append(sec);
  });
  const flags = document.createElement("details");
  flags.append(text("summary", t("flags")));
  (r.flags || []).forEach((f, i) => {
    const div = text("div", "", f.raised ? "flag raised" : "flag");
    div.append(text("strong", `${f.name} (${f.severity}) `), text("span", f.raised ? t("raised") : t("not_raised")));
    div.append(valuesTable(f.values, `flags.${i}.values`));
    if (f.failed) div.append(condition(f.failed, `flags.${i}.failed`));
    flags.append(div);
  });
  out.append(flags);
  const derived = document.createElement("details");
  derived.append(text("summary", t("derived")));
  const dl = document.createElement("dl");
  for (const [name, d] of Object.entries(r.derived || {})) {
    const dd = document.createElement("dd");
    dd.append(value(d.value?.[name], `derived.${name}.value.${name}`), ` ← ${t("reads")} `);
    for (const [rn, rv] of Object.entries(d.reads || {})) dd.append(`${rn} = `, value(rv, `derived.${name}.reads.${rn}`), " ");
    dl.append(text("dt", name), dd);
  }
  derived.append(dl);
  out.append(derived);
}

// The what-if part: the values of the field at which each result changes, and a slider
// from half to twice the record's value (around the changes) that explains again as it moves.
function showWhatIf(w, resetSlider) {
  $("what-if").hidden = false; // shown with the first explanation
  if (!w) return;
  const ul = $("what-if-changes");
  ul.replaceChildren();
  const points = [];
  for (const r of w.results) {
    const parts = [];
    for (const side of ["below", "above"]) {
      const c = r[side];
      if (!c) continue;
      points.push(Number(String(c.at)));
      parts.push(`${t(side)}: ${c.becomes !== undefined ? t("becomes_at", c.becomes, c.at) : c.at}`);
    }
    if (parts.length) ul.append(text("li", `${r.name}: ${parts.join("; ")}`));
  }
  if (!ul.children.length) ul.append(text("li", t("no_change_range")));
  if (!resetSlider) return;
  const v = Number(String(w.value));
  const lo = Math.min(v / 2, ...points.map((p) => p * 0.9));
  const hi = Math.max(v * 2 || 1, ...points.map((p) => p * 1.1));
  const s = $("what-if-slider");
  s.min = String(Math.floor(lo));
  s.max = String(Math.ceil(hi));
  s.step = fields.find((f) => f.name === w.field)?.type === "money" ? "0.01" : "1";
  s.value = String(v);
  $("what-if-value").textContent = String(w.value);
}
