#!/bin/sh
# run.sh -- the workbench (elig serve --workbench) in a real browser: headless Chromium driven
# by playwright-core (pinned in workbench/package-lock.json) through e2e.mjs, on a copy of the
# national rules.  Skipped (77) without Chromium, node, the pinned tools or the built page;
# ./bootstrap test installs them all, and there a skip is a failure.  Screenshots: tests/workbench/output/ (WB_OUT).
suite=workbench; . "${srcdir:-.}/tests/cli/setup.sh"; . "$srcdir/tests/cli/serve_setup.sh"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
top=${abs_top_builddir:-$(pwd)}
modules=${WB_NODE_MODULES:-$top/workbench/node_modules}
assets=${WB_ASSETS:-$top/workbench/build}
# ./bootstrap test, which installs all it needs, sets WORKBENCH_TEST_REQUIRED=1: a skip is then
# a failure
skip() {
  [ "${WORKBENCH_TEST_REQUIRED:-}" = 1 ] && { echo "FAIL: $suite: $1"; exit 1; }
  echo "SKIP: $1"; exit 77
}
[ -x "$CHROMIUM" ] || skip "no Chromium at $CHROMIUM (Debian: chromium; ./bootstrap test installs it)"
command -v node >/dev/null 2>&1 || skip "no node"
[ -d "$modules/playwright-core" ] || skip "no playwright-core in $modules (make, with npm)"
[ -f "$assets/editor.bundle.js" ] || skip "the workbench's page is not built ($assets)"
out=${WB_OUT:-$top/tests/workbench/output}
rm -rf "$out" && mkdir -p "$out" || exit 99

# The folder the workbench edits, a file beside it that it must not read, and a link inside
# it that leads out.
cp -R "$srcdir/rules" "$tmp/rules"
chmod -R u+w "$tmp/rules"
echo 'let secret = 1' > "$tmp/secret.rules"
ln -s "$tmp/secret.rules" "$tmp/rules/outside.rules"

# The registers the Impact and Explain pages read (--workbench-data): 2000 households of 2020
# with 3 bad rows, 300,000 whose progress the page shows before it is cancelled, a file
# beside the folder and a link inside it that leads out.
GENERATE=${GENERATE:-$(dirname "$ELIG")/data/generate}
[ -x "$GENERATE" ] || skip "$GENERATE is not built"
mkdir -p "$tmp/data/county"
"$GENERATE" --households 2000 --seed 7 --years 2020 --bad-rows 3 -o "$tmp/data/county/r.csv"
"$GENERATE" --households 300000 --seed 1 --years 2020 -o "$tmp/data/large.csv"
echo 'hh_id,year' > "$tmp/secret.csv"
ln -s "$tmp/secret.csv" "$tmp/data/outside.csv"

# The household the Explain page shows, explained by the command line: what the page must show.
cat > "$tmp/household.jsonl" <<'JSON'
{"hh_id":"wb1","year":2020,"size":4,"net_income":16000.01,"village_code":"411623101201","food_secure":true,"clothing_secure":true,"water_safe":true,"housing_grade":"A","labor_members":2,"registered_poor":true}
JSON
"$ELIG" explain --format json --input-format jsonl --id wb1 --as-of 2021-01-01 \
  "$tmp/rules/national.rules" "$tmp/household.jsonl" > "$tmp/explain.json"
check reference-explained [ -s "$tmp/explain.json" ]

start wb --workbench "$tmp/rules" --workbench-assets "$assets" --workbench-data "$tmp/data" \
  "$tmp/rules/national.rules"
started=$(date +%s)
NODE_PATH=$modules timeout 110 node "$srcdir/tests/workbench/e2e.mjs" "http://127.0.0.1:$wb_port" \
  "$CHROMIUM" "$out" "$tmp/household.jsonl" "$tmp/explain.json" "$tmp" "$ELIG" "$tmp/rules" \
  "$tmp/data"
status=$?
check browser-tests-pass [ "$status" = 0 ]
seconds=$(($(date +%s) - started))
echo "$suite: the browser part took ${seconds}s"
check browser-tests-fast [ "$seconds" -lt 60 ]
# what the page saved is on disk, whole, and kept as a version
check saved-to-disk grep -q '# 工作台' "$tmp/rules/national/household.rules"
check saved-version [ -s "$tmp/rules/.elig-history/log.jsonl" ]
check secret-untouched [ "$(cat "$tmp/secret.rules")" = 'let secret = 1' ]
stop wb
finish
