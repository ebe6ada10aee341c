// i18n.js -- the page's words in Chinese (the default) and English.  What the rules' compiler
// and tests say comes from the service, in the language asked (Accept-Language).
const STRINGS = {
  zh_CN: {
    title: "规则工作台", tab_edit: "编辑", tab_test: "测试", tab_explain: "解释",
    switch_to: "English", token_label: "访问令牌", sign_in: "登录",
    token_note: "令牌只保存在本标签页中，关闭即清除。",
    files: "规则文件", history: "已保存的版本", fmt: "格式化 (Shift-Alt-F)", save: "保存 (Ctrl-S)",
    run_tests: "运行测试", failures: "失败的测试", not_covered: "未被测试覆盖",
    by_form: "按字段填写", by_json: "粘贴 JSON 记录", as_of: "评估日期", explain: "解释",
    what_if: "假设分析", save_title: "保存前请核对改动", save_confirm: "确认保存", cancel: "取消",
    restore: "放入编辑器", close: "关闭", licenses: "第三方许可",
    checking: "检查中…", no_problems: "没有问题", problems: (e, w) => `${e} 个错误，${w} 个警告`,
    checked_in: (ms) => `（${ms} 毫秒）`, unsaved: "● 未保存", saved: (h) => `已保存 ${h}`,
    no_change: "没有改动", cannot_save: "规则无法编译，不能保存：请先改正错误。",
    conflict: "文件在别处已被修改：请重新打开后再保存。", no_edit: "此令牌没有 edit 权限，只能查看。",
    fmt_done: "已格式化", fmt_same: "格式已规范", other_file: "其他文件",
    tests_summary: (s) => `通过 ${s.passed}，失败 ${s.failed}；判定规则覆盖 ${s.decision_rules_covered}/${s.decision_rules}，标志覆盖 ${s.flags_covered}/${s.flags}`,
    none: "无", explain_error: "无法解释：", decided: "据此判定", not_matched: "未匹配", matched: "匹配",
    raised: "已触发", not_raised: "未触发", derived: "派生值", flags: "标志", margin: "差距",
    becomes_at: (v, at) => `在 ${at} 时变为 ${v}`, below: "向下", above: "向上",
    no_change_range: "在范围内不变", version_of: (t) => `版本 ${t}`, before_first: "首次保存前",
    empty: "（空）", reads: "取自", equals: "等于",
    discard: "当前文件有未保存的改动。确定放弃这些改动吗？",
  },
  en: {
    title: "Rules workbench", tab_edit: "Edit", tab_test: "Test", tab_explain: "Explain",
    switch_to: "中文", token_label: "Access token", sign_in: "Sign in",
    token_note: "The token is kept in this tab only and forgotten when it closes.",
    files: "Rule files", history: "Saved versions", fmt: "Format (Shift-Alt-F)", save: "Save (Ctrl-S)",
    run_tests: "Run the tests", failures: "Failed tests", not_covered: "Not covered by any test",
    by_form: "Fill in the fields", by_json: "Paste a JSON record", as_of: "As of", explain: "Explain",
    what_if: "What if", save_title: "Check the changes before saving", save_confirm: "Save",
    cancel: "Cancel", restore: "Put in the editor", close: "Close", licenses: "Third-party licences",
    checking: "checking…", no_problems: "no problems", problems: (e, w) => `${e} errors, ${w} warnings`,
    checked_in: (ms) => ` (${ms} ms)`, unsaved: "● unsaved", saved: (h) => `saved ${h}`,
    no_change: "nothing changed", cannot_save: "The rules do not compile: fix the errors before saving.",
    conflict: "The file was changed elsewhere: open it again, then save.",
    no_edit: "This token has no edit scope: you may look, not save.",
    fmt_done: "formatted", fmt_same: "already formatted", other_file: "other file",
    tests_summary: (s) => `${s.passed} passed, ${s.failed} failed; decision rules covered ${s.decision_rules_covered}/${s.decision_rules}, flags ${s.flags_covered}/${s.flags}`,
    none: "none", explain_error: "Cannot explain: ", decided: "decided", not_matched: "did not match",
    matched: "matched", raised: "raised", not_raised: "not raised", derived: "Derived values",
    flags: "Flags", margin: "margin", becomes_at: (v, at) => `becomes ${v} at ${at}`,
    below: "below", above: "above", no_change_range: "no change in range",
    version_of: (t) => `Version of ${t}`, before_first: "before the first save", empty: "(empty)",
    reads: "from", equals: "equals",
    discard: "This file has changes not saved. Discard them?",
  },
};

let current = localStorage.getItem("elig-lang") === "en" ? "en" : "zh_CN";

export function lang() { return current; }

// The header that asks the service for messages in the page's language.
export function acceptLanguage() { return current === "en" ? "en" : "zh-CN, zh;q=0.9"; }

export function t(key, ...args) {
  const s = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return typeof s === "function" ? s(...args) : s;
}

export function setLang(l) {
  current = l === "en" ? "en" : "zh_CN";
  localStorage.setItem("elig-lang", current);
  translatePage();
}

// Every element with data-t="key" gets its text in the current language.
export function translatePage() {
  document.documentElement.lang = current === "en" ? "en" : "zh-CN";
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  document.title = `elig ${t("title")}`;
  const button = document.getElementById("lang");
  if (button) button.textContent = t("switch_to");
}
