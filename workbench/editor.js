// editor.js -- the one piece of third-party code of the workbench: CodeMirror 6, bundled by
// esbuild at `make` time into editor.bundle.js (doc/workbench.md says why CodeMirror and
// what it weighs).  The page's own modules (www/) use only what this file exports.
import { EditorState, StateEffect, StateField, RangeSet } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, gutter, GutterMarker, highlightActiveLine,
  drawSelection, highlightSpecialChars,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  StreamLanguage, syntaxHighlighting, HighlightStyle, bracketMatching, indentUnit,
} from "@codemirror/language";
import { linter, lintGutter, setDiagnostics, forceLinting } from "@codemirror/lint";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { tags } from "@lezer/highlight";

// The rule language's keywords (src/keywords.def).
const KEYWORDS = new Set(("aggregate and at because between by check decide default else " +
  "expect extend given if import in is key least let matches monitor most none not of one " +
  "optional or otherwise output override param policy record required severity test then " +
  "version when where").split(" "));
const ATOMS = new Set(["true", "false", "none"]);

// A tokenizer, not a parser: highlighting needs words, strings, numbers and comments only;
// what is wrong is for the compiler to say (the diagnostics).
const rulesLanguage = StreamLanguage.define({
  name: "elig-rules",
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.match("#")) { stream.skipToEnd(); return "comment"; }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return "string";
    if (stream.match(/^\d+(?:\.\d+)?%?/)) return "number";
    if (stream.match(/^\d{4}-\d{2}-\d{2}/)) return "number";
    const word = stream.match(/^[\p{L}_][\p{L}\p{N}_]*/u);
    if (word) {
      if (ATOMS.has(word[0])) return "atom";
      return KEYWORDS.has(word[0]) ? "keyword" : "variableName";
    }
    if (stream.match(/^(?:<=|>=|!=|[-+*\/<>=])/)) return "operator";
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: "#" } },
});

const highlight = HighlightStyle.define([
  { tag: tags.keyword, class: "tok-keyword" },
  { tag: tags.comment, class: "tok-comment" },
  { tag: tags.string, class: "tok-string" },
  { tag: tags.number, class: "tok-number" },
  { tag: tags.atom, class: "tok-atom" },
  { tag: tags.operator, class: "tok-operator" },
]);

// Coverage in the margin: a marker on each line the tests leave uncovered (or cover).
class CoverMarker extends GutterMarker {
  constructor(covered, title) { super(); this.covered = covered; this.title = title; }
  eq(other) { return other.covered === this.covered && other.title === this.title; }
  toDOM() {
    const span = document.createElement("span");
    span.className = this.covered ? "cov-yes" : "cov-no";
    span.textContent = this.covered ? "✓" : "✗";
    span.title = this.title;
    return span;
  }
}
const setCoverageEffect = StateEffect.define();
const coverageField = StateField.define({
  create() { return RangeSet.empty; },
  update(set, tr) {
    set = set.map(tr.changes);
    for (const e of tr.effects) if (e.is(setCoverageEffect)) set = e.value;
    return set;
  },
});
const coverageGutter = gutter({
  class: "cm-coverage-gutter",
  markers: (view) => view.state.field(coverageField),
  initialSpacer: () => new CoverMarker(true, ""),
});

// The diagnostics' place: the compiler gives a line and a column in code points; the
// editor counts UTF-16 units.  The underline runs to the end of the word there.
function place(doc, line, column) {
  const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
  let pos = l.from, points = 1;
  while (points < column && pos < l.to) {
    const code = l.text.codePointAt(pos - l.from);
    pos += code > 0xffff ? 2 : 1;
    points++;
  }
  let end = pos;
  while (end < l.to && /[\p{L}\p{N}_.]/u.test(l.text[end - l.from])) end++;
  if (end === pos) end = Math.min(pos + 1, l.to);
  return { from: pos, to: end };
}

const views = new WeakMap();

/**
 * Makes an editor in `parent`, inside a shadow root: there CodeMirror's own styles go into a
 * constructed style sheet, which the page's content security policy (style-src 'self', no
 * inline style) allows; in the document they would be an inline <style> element, refused.
 * options.css: the page's style sheet for what is inside (a URL of the service).
 * Other options: doc, onChange(text) after each change,
 * check(text) -> Promise<[{line, column, severity, message, help}]> (the linter, run
 * `delay` ms after typing stops), keys: {"Mod-s": fn, ...}.
 */
export function createEditor(parent, options) {
  const keys = Object.entries(options.keys || {}).map(([key, run]) => ({
    key, run: () => { run(); return true; }, preventDefault: true,
  }));
  const lint = linter(async (view) => {
    const text = view.state.doc.toString();
    const list = await options.check(text);
    if (view.state.doc.toString() !== text) return []; // typed meanwhile: the next run says
    return list.map((d) => ({
      ...place(view.state.doc, d.line, d.column),
      severity: d.severity === "warning" ? "warning" : "error",
      message: d.help ? `${d.message}\n${d.help}` : d.message,
      source: d.code || undefined,
    }));
  }, { delay: options.delay ?? 250 });
  const shadow = parent.attachShadow({ mode: "open" });
  const css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = options.css || "editor.css";
  const mount = document.createElement("div");
  mount.className = "mount";
  shadow.append(css, mount);
  const view = new EditorView({
    parent: mount,
    root: shadow,
    state: EditorState.create({
      doc: options.doc || "",
      extensions: [
        lineNumbers(), coverageField, coverageGutter, lintGutter(), highlightSpecialChars(),
        history(), drawSelection(), highlightActiveLine(), bracketMatching(),
        highlightSelectionMatches(), indentUnit.of("  "), rulesLanguage,
        syntaxHighlighting(highlight), lint,
        keymap.of([...keys, ...defaultKeymap, ...historyKeymap, ...searchKeymap, indentWithTab]),
        EditorView.updateListener.of((u) => {
          if (u.docChanged && options.onChange) options.onChange(u.state.doc.toString());
        }),
        EditorView.contentAttributes.of({ "aria-label": options.label || "rules" }),
      ],
    }),
  });
  views.set(parent, view);
  return view;
}

// The editor made in `parent` (the browser tests read and replace its text through it).
export function viewOf(parent) { return views.get(parent); }

export function getText(view) { return view.state.doc.toString(); }

// Replaces the whole text (a file opened, `fmt`); the undo history keeps the change.
export function setText(view, text) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

export function recheck(view) { forceLinting(view); }

export function clearDiagnostics(view) { view.dispatch(setDiagnostics(view.state, [])); }

// lines: [{line, covered, title}] for this file.
export function setCoverage(view, lines) {
  const doc = view.state.doc;
  const marks = lines.filter((c) => c.line >= 1 && c.line <= doc.lines)
    .sort((a, b) => a.line - b.line)
    .map((c) => new CoverMarker(c.covered, c.title).range(doc.line(c.line).from));
  view.dispatch({ effects: setCoverageEffect.of(RangeSet.of(marks, true)) });
}

// Brings a line into sight without moving the cursor or the focus.
export function showLine(view, line) {
  const { from } = place(view.state.doc, line, 1);
  view.dispatch({ effects: EditorView.scrollIntoView(from, { y: "center" }) });
}

export function gotoLine(view, line, column = 1) {
  const { from } = place(view.state.doc, line, column);
  view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
  view.focus();
}
