// api.js -- the service's routes as the page calls them: the token (kept in this tab's
// sessionStorage) as a bearer header, the page's language, the CSRF token on POSTs.
import { acceptLanguage } from "./i18n.js";

let csrf = "";
let onUnauthorized = () => {};

export function setToken(token) {
  if (token) sessionStorage.setItem("elig-token", token);
  else sessionStorage.removeItem("elig-token");
}

export function whenUnauthorized(fn) { onUnauthorized = fn; }

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
    this.body = body;
  }
}

// A request to the service as the page makes them all: the token, the language, the CSRF
// token on a POST; the answer as it came (a Response), or ApiError for an error status.
async function send(method, path, { query, body, type } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query || {})) if (v !== undefined) url.searchParams.set(k, v);
  const headers = { "Accept-Language": acceptLanguage() };
  const token = sessionStorage.getItem("elig-token");
  if (token) headers.Authorization = `Bearer ${token}`;
  if (method === "POST") {
    headers["X-Elig-CSRF"] = csrf;
    headers["Content-Type"] = type || "text/plain; charset=utf-8";
  }
  const res = await fetch(url, { method, headers, body, credentials: "omit", cache: "no-store" });
  if (res.status === 401) onUnauthorized();
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
  return res;
}

async function call(method, path, { query, body, json = true } = {}) {
  const type = json ? "application/json" : "text/plain; charset=utf-8";
  return (await send(method, path, { query, body, type })).json();
}

// JSON whose numbers keep their digits ("4000.00", not 4000): amounts are exact decimals,
// and the page shows them as the engine wrote them.
export function parseExact(text) {
  return JSON.parse(text, (key, value, context) =>
    typeof value === "number" && context?.source ? new Exact(context.source) : value);
}

export async function session() {
  const s = await call("GET", "/v1/workbench/session");
  csrf = s.csrf;
  return s;
}

export const files = () => call("GET", "/v1/workbench/files");
export const readFile = (path) => call("GET", "/v1/workbench/file", { query: { path } });
export const history = (path) => call("GET", "/v1/workbench/history", { query: { path } });
export const version = (sha256) => call("GET", "/v1/workbench/version", { query: { sha256 } });
export const check = (path, text) =>
  call("POST", "/v1/workbench/check", { query: { path }, body: text, json: false });
export const fmt = (path, text) =>
  call("POST", "/v1/workbench/fmt", { query: { path }, body: text, json: false });
export const runTests = (path, text) =>
  call("POST", "/v1/workbench/test", { query: { path }, body: text, json: false });
export const save = (path, text, base) =>
  call("POST", "/v1/workbench/save", { query: { path, base }, body: text, json: false });
export const rules = () => call("GET", "/v1/rules");

// ---------------------------------------------------------------- registers and impact

export const registers = () => call("GET", "/v1/workbench/data");
// A file chosen in the page, kept by the service until the next upload: {upload: {id, ...}}.
export async function upload(file) {
  const res = await send("POST", "/v1/workbench/upload",
    { query: { name: file.name }, body: file, type: "application/octet-stream" });
  return res.json();
}
export const startImpact = (query, text) =>
  call("POST", "/v1/workbench/impact", { query, body: text, json: false });
export const impactStatus = (job) => call("GET", "/v1/workbench/impact", { query: { job } });
export const cancelImpact = (job) =>
  call("POST", "/v1/workbench/impact/cancel", { query: { job }, json: false });
export const impactReport = (job) => call("GET", "/v1/workbench/impact/report", { query: { job } });
// The changed households as a file to save: fetched with the token (a link could not send it).
export async function impactList(job) {
  return (await send("GET", "/v1/workbench/impact/list", { query: { job } })).blob();
}
// One household of a register, explained: its explanations keep their numbers' digits.
export async function household(query) {
  const res = await send("GET", "/v1/workbench/household", { query });
  return parseExact(await res.text());
}

// POST /v1/explain as text, parsed so that numbers keep their digits ("4000.00", not 4000):
// amounts are exact decimals, and the page shows them as the engine wrote them.
export async function explain(record, { asOf, whatIf } = {}) {
  const url = new URL("/v1/explain", location.origin);
  if (asOf) url.searchParams.set("as_of", asOf);
  if (whatIf) url.searchParams.set("what_if", whatIf);
  const headers = { "Accept-Language": acceptLanguage(), "Content-Type": "application/json",
    "X-Elig-CSRF": csrf };
  const token = sessionStorage.getItem("elig-token");
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(url, { method: "POST", headers, body: record, credentials: "omit" });
  const data = parseExact(await res.text());
  if (res.status === 401) onUnauthorized();
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// A number as the service wrote it.
export class Exact {
  constructor(source) { this.source = source; }
  toString() { return this.source; }
  toJSON() { return Number(this.source); }
}
