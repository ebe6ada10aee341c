#!/bin/sh
# i18n_reports.sh -- the library's reports in another language: with a catalogue that
# translates a few messages (made here, so that the test does not depend on how far
# po/zh_CN.po has got), the translated lines come out whole with their parts in the
# translator's order; counts take the language's plural; a table's columns stay aligned
# under wider headings; and a test's `expect rejected "..."`, written against the English
# reason, still matches when the reason is said in Chinese.
suite=i18n_reports; . "${srcdir:-.}/tests/cli/setup.sh"
command -v msgfmt >/dev/null 2>&1 || { echo "i18n_reports: msgfmt not found"; exit 77; }
mkdir -p "$tmp/loc/zh_CN/LC_MESSAGES"
cat > "$tmp/zh.po" <<'EOF'
msgid ""
msgstr ""
"Project-Id-Version: elig tests\n"
"PO-Revision-Date: 2026-01-01 00:00+0000\n"
"Last-Translator: tests\n"
"Language-Team: none\n"
"Language: zh_CN\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Content-Transfer-Encoding: 8bit\n"
"Plural-Forms: nplurals=1; plural=0;\n"

msgid "%s is %s above %s"
msgstr "%1$s 比 %3$s 高 %2$s"

msgid "%s is %s day before %s"
msgid_plural "%s is %s days before %s"
msgstr[0] "%1$s 比 %3$s 早 %2$s 天"

msgid "rule %u (%s:%u) decided: %s"
msgstr "规则 %1$u（%2$s:%3$u）作出决定：%4$s"

msgid "field '%s': not between %s and %s"
msgstr "字段“%1$s”：不在 %2$s 与 %3$s 之间"

msgid "test \"%s\": expected a rejection for \"%s\", got: %s"
msgstr "测试“%1$s”：期望因“%2$s”被拒绝，实际为：%3$s"

msgid "old"
msgstr "旧规则"

msgid "new"
msgstr "新规则"

msgid "records"
msgstr "记录数"
EOF
msgfmt -c -o "$tmp/loc/zh_CN/LC_MESSAGES/elig.mo" "$tmp/zh.po" || exit 99
# Chinese whether or not the machine has the zh_CN locale (i18n.c falls back to LANGUAGE)
zh() { ELIG_LOCALEDIR=$tmp/loc LC_ALL=zh_CN.UTF-8 LANGUAGE= "$ELIG" "$@"; }
lang=$srcdir/tests/lang rules=$srcdir/tests/rules

# explain: a comparison and a rule's line reordered; a date's margin in its one plural form
zh explain "$rules/explain_margins.rules" "$rules/explain_margins.csv" --id a \
  > "$tmp/explain.txt" 2>"$tmp/explain.err"
check explain-status [ $? = 0 ]
check explain-reordered grep -qF 'per_capita 4000.01 比 4000.00 高 0.01' "$tmp/explain.txt"
check explain-rule grep -q '规则 1（.*explain_margins.rules:15）作出决定：above the line' \
  "$tmp/explain.txt"
check explain-plural grep -qF 'registered 2020-06-30 比 2020-07-01 早 1 天' "$tmp/explain.txt"
check explain-untranslated-stays grep -qF 'not met: size != 3: size 3 equals 3' "$tmp/explain.txt"

# a test's expected rejection matches the English reason; the report says it in Chinese
sed -n '1,20p' "$lang/test_command.rules" > "$tmp/t.rules"
cat >> "$tmp/t.rules" <<'EOF'

test "rejected, whatever the language" {
  given { hh_id: "d", size: 31, net_income: 1 }
  expect rejected "not between"
}

test "other words" {
  given { hh_id: "d", size: 31, net_income: 1 }
  expect rejected "no such words"
}
EOF
zh test "$tmp/t.rules" > "$tmp/test.txt" 2>/dev/null
check test-status [ $? = 1 ]
check test-matched-english grep -q '^1 passed, 1 failed$' "$tmp/test.txt"
check test-reason-translated grep -qF \
  '测试“other words”：期望因“no such words”被拒绝，实际为：字段“size”：不在 1 与 30 之间' \
  "$tmp/test.txt"

# diff: the headings are wider on a terminal (two columns a character); the rows follow
d=$srcdir/tests/cli/diff
zh diff --no-progress "$d/before.rules" "$d/raised.rules" "$d/small.csv" > "$tmp/diff.txt" \
  2>/dev/null
check diff-heading grep -qF '  旧规则    新规则  记录数' "$tmp/diff.txt"
check diff-row grep -qF '  edge      poor         2' "$tmp/diff.txt"

# and without the catalogue, English as always
ELIG_LOCALEDIR=$tmp/none LC_ALL=zh_CN.UTF-8 LANGUAGE= "$ELIG" explain \
  "$rules/explain_margins.rules" "$rules/explain_margins.csv" --id a > "$tmp/en.txt" 2>/dev/null
check english-without-catalogue grep -qF 'per_capita 4000.01 is 0.01 above 4000.00' "$tmp/en.txt"

# run from its build tree with nothing installed and nothing set but LANG, the program
# finds the tree's own catalogues (locale/, beside it): Chinese from the first command
if [ -f "$abs_top_builddir/locale/zh_CN/LC_MESSAGES/elig.mo" ]; then
  (unset ELIG_LOCALEDIR LC_ALL LC_MESSAGES LANGUAGE; LANG=zh_CN.UTF-8 "$ELIG" check \
    "$tmp/no_such.rules" 2>"$tmp/tree.err" >/dev/null)
  check build-tree-catalogue grep -q "error\[E0506\]: 无法读取 " "$tmp/tree.err"
fi
finish
