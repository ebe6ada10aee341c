// licenses.mjs -- the licences of the packages the workbench's bundle holds (the lock
// file's non-development packages), written to standard output for licenses.txt, which
// `make install` puts beside the bundle.
import { readFileSync, readdirSync } from "node:fs";

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const out = ["Third-party code in editor.bundle.js, the workbench's editor (doc/workbench.md).\n"];
for (const [path, pkg] of Object.entries(lock.packages).sort()) {
  if (!path || pkg.dev) continue;
  const name = path.replace(/^.*node_modules\//, "");
  const files = readdirSync(path).filter((f) => /^(licen[cs]e|copying)/i.test(f));
  out.push(`${"=".repeat(78)}\n${name} ${pkg.version} (${pkg.license || "see below"})\n${"=".repeat(78)}`);
  for (const f of files) out.push(readFileSync(`${path}/${f}`, "utf8").trim());
  if (!files.length) out.push(`licence: ${pkg.license}`);
  out.push("");
}
process.stdout.write(out.join("\n") + "\n");
