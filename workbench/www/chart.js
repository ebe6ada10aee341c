// chart.js -- horizontal bar charts as SVG for the Impact page, written by hand: a few bars
// need no chart library (doc/workbench.md, section 6).  Nothing here sets a style attribute,
// which the page's content security policy refuses: the colours are classes of style.css.

const SVG = "http://www.w3.org/2000/svg";

function el(name, attrs, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

// rows: [{label, values: [number, ...], texts: [string, ...]}]; series: [{name, cls}], one
// per value.  Each row is a group of bars, one a series, scaled to the largest value; the
// text beside a bar is texts[i] (the value as the report wrote it, "4.66%").
export function barChart(rows, series, { width = 720, label = 170, bar = 12 } = {}) {
  const max = Math.max(1e-9, ...rows.flatMap((r) => r.values.filter(Number.isFinite)));
  const group = bar * series.length + 8;
  const legend = 22;
  const height = legend + rows.length * group + 4;
  const plot = width - label - 70;
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    class: "chart" });
  series.forEach((s, i) => {
    const x = label + i * 150;
    svg.append(el("rect", { x, y: 4, width: 12, height: 12, class: s.cls }),
      el("text", { x: x + 16, y: 14, class: "chart-legend" }, s.name));
  });
  rows.forEach((r, k) => {
    const y0 = legend + k * group;
    svg.append(el("text", { x: label - 6, y: y0 + group / 2 + 2, "text-anchor": "end",
      class: "chart-label" }, r.label));
    series.forEach((s, i) => {
      const v = Number.isFinite(r.values[i]) ? r.values[i] : 0;
      const w = Math.max(v > 0 ? 1 : 0, Math.round((v / max) * plot));
      const y = y0 + i * bar;
      const rect = el("rect", { x: label, y, width: w, height: bar - 2, class: s.cls });
      rect.append(el("title", {}, `${s.name}: ${r.texts[i]}`));
      svg.append(rect, el("text", { x: label + w + 4, y: y + bar - 3, class: "chart-value" },
        r.texts[i]));
    });
  });
  return svg;
}
