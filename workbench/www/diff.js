// diff.js -- what a save changes, line by line, as the save dialog shows it.

// The lines of a and b as [{op: " " | "-" | "+", line}], by the longest common subsequence
// of the part between their common beginning and end.  That part is a few lines in an
// edit; past 2000 x 2000 lines it is shown as removed and added whole rather than computed.
export function lineDiff(aText, bText) {
  const a = aText.split("\n"), b = bText.split("\n");
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length, endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
  const out = a.slice(0, start).map((line) => ({ op: " ", line }));
  const midA = a.slice(start, endA), midB = b.slice(start, endB);
  if (midA.length * midB.length > 4e6) {
    out.push(...midA.map((line) => ({ op: "-", line })), ...midB.map((line) => ({ op: "+", line })));
  } else {
    out.push(...lcsDiff(midA, midB));
  }
  out.push(...a.slice(endA).map((line) => ({ op: " ", line })));
  return out;
}

function lcsDiff(a, b) {
  const n = a.length, m = b.length;
  const len = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      len[i][j] = a[i] === b[j] ? len[i + 1][j + 1] + 1 : Math.max(len[i + 1][j], len[i][j + 1]);
  const out = [];
  let i = 0, j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) { out.push({ op: " ", line: a[i] }); i++; j++; }
    else if (len[i + 1][j] >= len[i][j + 1]) out.push({ op: "-", line: a[i++] });
    else out.push({ op: "+", line: b[j++] });
  }
  while (i < n) out.push({ op: "-", line: a[i++] });
  while (j < m) out.push({ op: "+", line: b[j++] });
  return out;
}

// Fills `pre` with the changed lines and `context` lines around each, "…" between.
export function showDiff(pre, aText, bText, context = 3) {
  const lines = lineDiff(aText, bText);
  pre.replaceChildren();
  const keep = lines.map(() => false);
  lines.forEach((l, i) => {
    if (l.op === " ") return;
    for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) keep[k] = true;
  });
  let skipped = false, changed = 0;
  lines.forEach((l, i) => {
    if (!keep[i]) { skipped = true; return; }
    if (skipped) pre.append(span("skip", "…\n"));
    skipped = false;
    if (l.op !== " ") changed++;
    pre.append(span(l.op === "-" ? "del" : l.op === "+" ? "add" : "ctx", `${l.op} ${l.line}\n`));
  });
  return changed;
}

function span(cls, text) {
  const s = document.createElement("span");
  s.className = cls;
  s.textContent = text;
  return s;
}
