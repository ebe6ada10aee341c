// e2e.mjs -- the workbench driven in headless Chromium (tests/workbench/run.sh starts the
// service and gives: BASE CHROMIUM OUT HOUSEHOLD.jsonl EXPLAIN.json TMP).  Each step saves a
// screenshot in OUT; the first failure ends the run with status 1.
import { createRequire } from "node:module";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const { chromium } = require(join(process.env.NODE_PATH, "playwright-core"));
const [base, executable, out, householdFile, explainFile, tmp] = process.argv.slice(2);
const FILE = "national/household.rules";

let failures = 0;
function ok(cond, what) {
  console.log(`${cond ? "ok" : "FAIL"}: ${what}`);
  if (!cond) failures++;
  return cond;
}

const profile = mkdtempSync(join(tmp, "chromium-"));
// a fresh profile (--user-data-dir, which playwright passes itself) for each run
const context = await chromium.launchPersistentContext(profile, {
  executablePath: executable,
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  locale: "zh-CN",
  viewport: { width: 1400, height: 900 },
});
const page = context.pages()[0] || await context.newPage();
const problems = [];
page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
page.on("console", (m) => {
  if (m.type() === "error" && !/Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
});
const shot = (name) => page.screenshot({ path: join(out, `${name}.png`) });
// the editor's text, through the bundle's viewOf (the same module instance as the page's)
const editorText = () => page.evaluate(async () =>
  (await import("/workbench/editor.bundle.js")).viewOf(document.getElementById("editor")).state.doc.toString());
const replaceText = (text) => page.evaluate(async (t) => {
  const v = (await import("/workbench/editor.bundle.js")).viewOf(document.getElementById("editor"));
  v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: t } });
}, text);

try {
  // ------------------------------------------------------------ the page opens, in Chinese
  await page.goto(`${base}/workbench/`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 15000 });
  ok((await page.textContent("#tab-edit")) === "编辑", "Chinese by default");
  await page.click(`a[data-path="${FILE}"]`);
  await page.waitForFunction((f) => document.getElementById("path").textContent === f, FILE);
  await page.waitForSelector("#check-status.ok");
  await shot("01-edit");

  // ------------------------------------------------------------ a misspelt field, underlined
  // line 5 is "let per_capita = net_income / size"
  await page.click(".cm-content");
  await page.keyboard.press("Control+Home");
  for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowDown");
  await page.keyboard.press("End");
  await page.keyboard.type(" + net_incme");
  const typed = Date.now();
  await page.waitForSelector(".cm-lintRange-error", { timeout: 5000 });
  const shownAfter = Date.now() - typed;
  const underlined = await page.textContent(".cm-lintRange-error");
  ok(underlined === "net_incme", `the misspelt word is underlined (${underlined})`);
  const diag = await page.textContent("#diagnostics li");
  ok(diag.includes(`${FILE}:5:38`) && diag.includes("net_incme") && diag.includes("net_income"),
    `the diagnostic names line 5, column 38 and the help (${diag.replace(/\s+/g, " ")})`);
  const serverMs = Number(await page.getAttribute("body", "data-check-ms"));
  ok(shownAfter < 500 && serverMs < 500,
    `shown ${shownAfter} ms after typing stopped (the page measured ${serverMs} ms): under 500`);
  await page.hover(".cm-lintRange-error");
  await page.waitForSelector(".cm-tooltip-lint", { timeout: 3000 }).catch(() => {});
  await shot("02-diagnostic");

  // ------------------------------------------------------------ fixed; Chinese through an IME
  for (let i = 0; i < " + net_incme".length; i++) await page.keyboard.press("Backspace");
  await page.waitForSelector(".cm-lintRange-error", { state: "detached", timeout: 5000 });
  await page.waitForSelector("#check-status.ok");
  ok(true, "the diagnostic goes once the word is fixed");
  const cdp = await context.newCDPSession(page);
  await page.keyboard.type("  # ");
  await cdp.send("Input.imeSetComposition", { text: "gongzuotai", selectionStart: 10, selectionEnd: 10 });
  await cdp.send("Input.imeSetComposition", { text: "工作台", selectionStart: 3, selectionEnd: 3 });
  await cdp.send("Input.insertText", { text: "工作台" });
  const line5 = (await editorText()).split("\n")[4];
  ok(line5 === "let per_capita = net_income / size  # 工作台",
    `text composed by an input method goes in once, whole (${line5})`);

  // ------------------------------------------------------------ fmt, then save with a diff
  await page.keyboard.press("Shift+Alt+F");
  await page.waitForFunction(() => /格式/.test(document.getElementById("check-status").textContent));
  await page.waitForSelector("#check-status.ok");
  await page.keyboard.press("Control+s");
  await page.waitForSelector("#save-dialog[open]");
  const diff = await page.textContent("#save-diff");
  ok(diff.includes("+ let per_capita = net_income / size") && diff.includes("工作台"),
    "the save dialog shows what changes");
  await shot("03-save");
  await page.click("#save-confirm");
  await page.waitForFunction(() => /已保存/.test(document.getElementById("check-status").textContent));
  await page.waitForFunction(() => document.querySelectorAll("#history li").length >= 2);
  ok(true, "saved; the history lists the version before and the one saved");

  // ------------------------------------------------------------ the tests
  await page.click("#tab-test");
  await page.click("#run-tests");
  await page.waitForSelector("#test-summary.ok, #test-summary.bad", { timeout: 20000 });
  const summary = await page.textContent("#test-summary");
  ok(/失败 0/.test(summary) && (await page.$$("#test-failures li")).length === 0,
    `the tests pass (${summary})`);
  // a test that fails is linked to its line
  await page.click("#tab-edit");
  const text = await editorText();
  const broken = text.replace('expect per_capita = 4000.01', 'expect per_capita = 4000.02');
  await replaceText(broken);
  await page.click("#tab-test");
  await page.click("#run-tests");
  await page.waitForSelector("#test-summary.bad", { timeout: 20000 });
  const failure = await page.textContent("#test-failures li a");
  const failLine = broken.split("\n").findIndex((l) => l.includes("4000.02")) + 1;
  ok(failure.startsWith(`${FILE}:${failLine}:`), `a failure links to its line (${failure}, line ${failLine})`);
  const marked = await page.waitForSelector(".cov-no", { timeout: 3000 }).then(() => true, () => false);
  ok(marked, "the margin marks the failing line");
  await shot("04-test");
  await page.click("#test-failures li a");
  await page.waitForSelector("#page-edit:not([hidden])");
  await replaceText(text);

  // ------------------------------------------------------------ explain a household
  const household = JSON.parse(readFileSync(householdFile, "utf8"));
  const reference = JSON.parse(readFileSync(explainFile, "utf8"));
  await page.click("#tab-explain");
  for (const [name, v] of Object.entries(household)) {
    const sel = `#record-form [name="${name}"]`;
    if (typeof v === "boolean") await page.selectOption(sel, String(v));
    else await page.fill(sel, String(v));
  }
  await page.fill("#as-of", "2021-01-01");
  await page.click("#explain-run");
  await page.waitForSelector("#explanation .val");
  const shown = await page.$$eval("#explanation [data-key]", (els) =>
    els.map((e) => [e.dataset.key, e.textContent]));
  let same = 0, differ = [];
  for (const [key, text] of shown) {
    const want = key.split(".").reduce((o, k) => (o == null ? undefined : o[k]), reference);
    const equal = want === null ? text === "none"
      : typeof want === "number" ? Number(text) === want : String(want) === text;
    if (equal) same++; else differ.push(`${key}: shown ${text}, elig explain ${JSON.stringify(want)}`);
  }
  ok(shown.length > 50 && differ.length === 0,
    `${same} values shown as elig explain --format json has them${differ.length ? `; differ: ${differ.slice(0, 5).join("; ")}` : ""}`);
  await page.selectOption("#what-if-field", "net_income");
  await page.waitForFunction(() => /16000\.02/.test(document.getElementById("what-if-changes").textContent));
  ok(true, "what if: status changes at net_income 16000.02");
  await page.locator("#what-if-slider").fill("16000.02");
  await page.waitForFunction(() => {
    const k = [...document.querySelectorAll("#explanation [data-key='decisions.0.value']")];
    return k.length && k[0].textContent === "exit_eligible";
  });
  ok(true, "moving the slider to 16000.02 explains again: exit_eligible");
  await shot("05-explain");

  // ------------------------------------------------------------ nothing outside the folder
  const tries = await page.evaluate(async () => {
    const paths = ["../secret.rules", "outside.rules", "/etc/passwd", "national/../../secret.rules",
      ".elig-history/log.jsonl", "%2e%2e/secret.rules"];
    const res = [];
    for (const p of paths) {
      const r = await fetch(`/v1/workbench/file?path=${encodeURIComponent(p)}`);
      res.push({ p, status: r.status, body: await r.text() });
    }
    const raw = await fetch("/workbench/../v1/workbench/file?path=..%2fsecret.rules");
    res.push({ p: "raw", status: raw.status, body: await raw.text() });
    const list = document.createElement("pre");
    list.id = "outside";
    list.textContent = res.map((r) => `${r.status} ${r.p}`).join("\n");
    document.getElementById("explanation").replaceChildren(list);
    return res;
  });
  for (const r of tries)
    ok(r.status >= 400 && !r.body.includes("secret"), `reading '${r.p}' is refused (${r.status})`);
  const forged = await page.evaluate(async () =>
    (await fetch("/v1/workbench/save?path=national/x.rules", { method: "POST", body: "let x = 1" })).status);
  ok(forged === 403, `a save without the CSRF header is refused (${forged})`);
  await shot("06-outside");

  // ------------------------------------------------------------ English
  await page.click("#lang");
  await page.waitForSelector("body[data-ready=true]");
  ok((await page.textContent("#tab-edit")) === "Edit", "the switch to English");
  await shot("07-english");
} catch (e) {
  ok(false, `the run stopped: ${e.message.split("\n")[0]}`);
  await shot("99-failure").catch(() => {});
} finally {
  ok(problems.length === 0, `no script error or content-security-policy violation${problems.length ? `: ${problems.join("; ")}` : ""}`);
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failures ? 1 : 0);
