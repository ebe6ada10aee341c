// e2e.mjs -- the workbench driven in headless Chromium (tests/workbench/run.sh starts the
// service and gives: BASE CHROMIUM OUT HOUSEHOLD.jsonl EXPLAIN.json TMP ELIG RULES DATA, the
// last two the folders of --workbench and --workbench-data).  Each step saves a screenshot in
// OUT; a failure is counted and the run goes on where it can, ending with status 1.
import { createRequire } from "node:module";
import { readFileSync, writeFileSync, mkdtempSync, rmSync, cpSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const { chromium } = require(join(process.env.NODE_PATH, "playwright-core"));
const [base, executable, out, householdFile, explainFile, tmp, elig, rulesDir, dataDir] =
  process.argv.slice(2);
const FILE = "national/household.rules";
const PARAMS = "national/parameters.rules";
const REGISTER = "county/r.csv";
const NONE = "—"; // how the Impact page shows a value one side does not have

// `elig ARGS...` as the test's own reference: its standard output (exit status 3, records
// rejected, is no failure here: the register holds bad rows on purpose).
function eligOut(...args) {
  const r = spawnSync(elig, args, { encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0 && r.status !== 3) throw new Error(`elig ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

// What the page shows under `root` for each element marked data-key, against the value at
// that path of `reference`: [equal, differing].
async function compareShown(root, reference, show) {
  const shown = await page.$$eval(`${root} [data-key]`, (els) => els.map((e) => [e.dataset.key, e.textContent]));
  let same = 0;
  const differ = [];
  for (const [key, text] of shown) {
    const want = key.split(".").reduce((o, k) => (o == null ? undefined : o[k]), reference);
    if (show(want, text)) same++;
    else differ.push(`${key}: shown ${text}, elig ${JSON.stringify(want)}`);
  }
  return [same, differ];
}

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

  // ------------------------------------------------------------ a household of a register
  await page.selectOption("#pick-register", `data:${REGISTER}`);
  await page.fill("#pick-id", "411623101201-060");
  await page.fill("#pick-year", "2020");
  await page.fill("#as-of", "2021-01-01");
  await page.click("#pick-find");
  await page.waitForFunction(() => /411623101201-060\/2020/.test(document.querySelector("#explanation h2")?.textContent || ""));
  const picked = JSON.parse(eligOut("explain", "--format", "json", "--id", "411623101201-060",
    "--year", "2020", "--as-of", "2021-01-01", join(rulesDir, "national.rules"), join(dataDir, REGISTER)));
  const [pickedSame, pickedDiffer] = await compareShown("#explanation", picked, (want, text) =>
    want === null ? text === "none" : typeof want === "number" ? Number(text) === want : String(want) === text);
  ok(pickedSame > 50 && pickedDiffer.length === 0,
    `picked from the register: ${pickedSame} values as elig explain --id --year has them${pickedDiffer.length ? `; differ: ${pickedDiffer.slice(0, 5).join("; ")}` : ""}`);
  const line = readFileSync(join(dataDir, REGISTER), "utf8").split("\n").find((l) => l.startsWith("411623101201-060,"));
  const income = line.split(",")[5];
  ok(await page.inputValue('#record-form [name="net_income"]') === income &&
    await page.inputValue('#record-form [name="food_secure"]') === "true",
    `the form holds the household's record (net_income ${income})`);
  await shot("06-household");

  // ------------------------------------------------------------ impact of a threshold
  await page.click("#tab-edit");
  await page.click(`a[data-path="${PARAMS}"]`);
  await page.waitForFunction((f) => document.getElementById("path").textContent === f, PARAMS);
  const saved = await editorText();
  const changed = saved.replace(/^  2020: 4000 /m, "  2020: 4500 ");
  ok(changed !== saved, "the 2020 poverty line changed in the editor, not saved");
  await replaceText(changed);
  await page.waitForSelector("#check-status.ok");
  await page.click("#tab-impact");
  // a large register: its progress is shown while it runs, and Cancel stops it
  await page.selectOption("#impact-register", "data:large.csv");
  await page.click("#impact-run");
  await page.waitForFunction(() => Number(document.getElementById("impact-bar").value) > 0 &&
    !document.getElementById("impact-progress").hidden, null, { timeout: 20000 });
  const progress = await page.textContent("#impact-status");
  ok(/%/.test(progress), `progress is shown while it runs (${progress})`);
  await shot("07-impact-progress");
  await page.click("#impact-cancel");
  await page.waitForSelector("body[data-impact=cancelled]", { timeout: 20000 });
  ok(true, "Cancel stops the job");
  await page.selectOption("#impact-register", `data:${REGISTER}`);
  await page.selectOption("#impact-baseline", "saved");
  await page.selectOption("#impact-by", "village");
  const started = Date.now();
  await page.click("#impact-run");
  await page.waitForSelector("body[data-impact=shown]", { timeout: 30000 });
  const impactMs = Date.now() - started;
  // the reference: elig diff on the same files, the editor's text as the new rules
  const newRules = mkdtempSync(join(tmp, "new-rules-"));
  cpSync(rulesDir, newRules, { recursive: true });
  writeFileSync(join(newRules, PARAMS), changed);
  const listFile = join(tmp, "reference-list.csv");
  const diffed = JSON.parse(eligOut("diff", "--by", "village", "--format", "json", "--list", listFile,
    "--as-of", await page.inputValue("#impact-as-of"), join(rulesDir, "national.rules"),
    join(newRules, "national.rules"), join(dataDir, REGISTER)));
  const [impactSame, impactDiffer] = await compareShown("#impact-result", diffed, (want, text) =>
    want === null ? text === NONE : String(want) === text);
  ok(impactSame > 100 && impactDiffer.length === 0,
    `the Impact page shows ${impactSame} values as elig diff --by village --json has them (${impactMs} ms)${impactDiffer.length ? `; differ: ${impactDiffer.slice(0, 5).join("; ")}` : ""}`);
  const tables = await page.$$eval("#impact-result table", (t) => t.length);
  const bars = await page.$$eval("#impact-result svg.chart rect", (r) => r.length);
  ok(tables >= 4 && bars > 10, `tables (${tables}) and bars (${bars}) are shown`);
  const flips = await page.$$eval("#impact-result [data-key^='aggregates.0.changed.']", (e) => e.length);
  ok(flips > 0 && flips === 2 * diffed.aggregates[0].changed.length,
    `the villages whose exit flips are listed (${flips / 2})`);
  const served = await page.evaluate(async () => {
    const job = document.body.dataset.impact;
    const r = await fetch("/v1/workbench/impact/report");
    return { job, report: await r.json() };
  });
  const strip = (r) => JSON.stringify({ ...r, old: { ...r.old, rules: "" }, new: { ...r.new, rules: "" } });
  ok(strip(served.report) === strip(diffed), "the report the service serves is elig diff's, but for the rule files' names");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#impact-download")]);
  const got = join(tmp, "downloaded.csv");
  await download.saveAs(got);
  ok(readFileSync(got, "utf8") === readFileSync(listFile, "utf8"), "the downloaded list is elig diff --list's");
  await shot("08-impact");
  await page.locator("#impact-result h2 >> nth=3").scrollIntoViewIfNeeded();
  await page.evaluate(() => document.querySelectorAll("#impact-result h2")[3].scrollIntoView());
  await shot("08-impact-villages");
  await page.click("#tab-edit");
  await replaceText(saved);

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
    for (const p of ["../secret.csv", "outside.csv", "county/../../secret.csv"]) {
      const r = await fetch(`/v1/workbench/household?id=x&data=${encodeURIComponent(p)}`);
      res.push({ p: `data ${p}`, status: r.status, body: await r.text() });
    }
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
  await shot("09-outside");

  // ------------------------------------------------------------ English
  await page.click("#lang");
  await page.waitForSelector("body[data-ready=true]");
  ok((await page.textContent("#tab-edit")) === "Edit", "the switch to English");
  await shot("10-english");
} catch (e) {
  ok(false, `the run stopped: ${e.message.split("\n")[0]}`);
  await shot("99-failure").catch(() => {});
} finally {
  ok(problems.length === 0, `no script error or content-security-policy violation${problems.length ? `: ${problems.join("; ")}` : ""}`);
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failures ? 1 : 0);
