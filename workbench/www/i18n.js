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
    tab_impact: "影响", pick_title: "从台账中选取一户", register: "台账", household_id: "户编号",
    year: "年度", find: "查找并解释", baseline: "对比基准", baseline_saved: "已保存的文件",
    baseline_version: "已保存的版本…", baseline_file: "其他规则文件…", by: "按",
    impact_run: "计算影响",
    impact_note: "比较编辑器中的规则（未保存的改动也算在内）与对比基准，在所选台账上逐户计算。",
    upload_file: (max) => `上传文件…（最大 ${max}）`, choose_file_first: "请先选择要上传的文件。",
    file_too_large: (max) => `文件太大：最大 ${max}。较大的台账请放入数据文件夹。`,
    starting: "开始计算…", cancelled: "已取消。", cancelling: "正在取消…",
    reading: (r, total, pct, n) => `读取台账：${r} / ${total}（${pct}%）`,
    comparing: (n) => `逐户比较：已比较 ${n} 条记录`, writing_report: "生成报告…",
    fetching_report: "读取报告…", impact_done: (s) => `完成，用时 ${s} 秒。`,
    impact_of: "影响：", records_read: "读取记录", compared: "比较", changed: "有变化",
    rejected_by_old: "被原规则拒收", rejected_by_new: "被新规则拒收",
    no_change_at_all: "没有任何记录的结果发生变化。", download_list: (n) => `下载变化的户清单（${n} 户，CSV）`,
    transitions: "各判定结果的变化（修改前 → 修改后）", changed_of: (c, n) => `${n} 条中 ${c} 条变化`,
    before: "修改前", after: "修改后", records: "记录数", flags_changed: (n) => `标志的增减（${n} 条记录的标志有变化）`,
    flag: "标志", gained: "新增", lost: "减少", flips: "退出结果翻转的村、县",
    only_old: "仅原规则有此组", only_new: "仅新规则有此组",
    flips_of: (a, n, m) => `${a}：${m} 组中 ${n} 组的结果改变`, aggregate: "汇总", group: "组",
    outcome: "结果", by_groups: (a, n, total) => `按 ${a}：${total} 组中 ${n} 组有变化`,
    chart_of: (v) => `${v}：修改前与修改后（变化最多的组）`, households_changed: (d) => `${d} 变化的户数`,
    more_groups: (n) => `另有 ${n} 组有变化，未列出；变化的户见下载的清单。`,
    rejected_records: (n, o, nw) => `被拒收的记录 ${n} 条（原规则 ${o}，新规则 ${nw}）：前几条`,
    notes: "提示", picked: (at) => `取自 ${at}；表单已填入该户记录，可做假设分析（表单单独解释该条记录，不含往年记录）。`,
    other_years: "其他年度：",
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
    tab_impact: "Impact", pick_title: "Pick a household from a register", register: "Register",
    household_id: "Household id", year: "Year", find: "Find and explain", baseline: "Baseline",
    baseline_saved: "the file as saved", baseline_version: "a saved version…",
    baseline_file: "another rule file…", by: "By", impact_run: "Run the impact",
    impact_note: "Compares the rules in the editor (changes not saved included) with the baseline, household by household, over the register chosen.",
    upload_file: (max) => `upload a file… (at most ${max})`, choose_file_first: "Choose the file to upload first.",
    file_too_large: (max) => `The file is too large: at most ${max}. Put a larger register in the data folder.`,
    starting: "starting…", cancelled: "Cancelled.", cancelling: "cancelling…",
    reading: (r, total, pct, n) => `reading the register: ${r} of ${total} (${pct}%)`,
    comparing: (n) => `comparing household by household: ${n} records compared`,
    writing_report: "writing the report…", fetching_report: "fetching the report…",
    impact_done: (s) => `Done in ${s} s.`, impact_of: "Impact of", records_read: "records read",
    compared: "compared", changed: "changed", rejected_by_old: "rejected by the old rules",
    rejected_by_new: "rejected by the new rules",
    no_change_at_all: "No record's result changes.", download_list: (n) => `Download the changed households (${n}, CSV)`,
    transitions: "Each decision's values, before → after", changed_of: (c, n) => `${c} of ${n} change`,
    before: "before", after: "after", records: "records", flags_changed: (n) => `Flags gained and lost (${n} records change flags)`,
    flag: "flag", gained: "gained", lost: "lost", flips: "Villages and counties whose exit flips",
    only_old: "only the old rules make this group", only_new: "only the new rules make this group",
    flips_of: (a, n, m) => `${a}: ${n} of ${m} groups change outcome`, aggregate: "aggregate", group: "group",
    outcome: "outcome", by_groups: (a, n, total) => `By ${a}: ${n} of ${total} groups change`,
    chart_of: (v) => `${v} before and after (the groups that change most)`,
    households_changed: (d) => `households whose ${d} changes`,
    more_groups: (n) => `${n} more groups change, not listed; the changed households are in the download.`,
    rejected_records: (n, o, nw) => `${n} records rejected (${o} by the old rules, ${nw} by the new): the first`,
    notes: "Notes", picked: (at) => `From ${at}; the form holds the household's record for what-if (the form explains that record alone, without the years before).`,
    other_years: "Other years: ",
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
