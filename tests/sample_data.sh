#!/bin/sh
# sample_data.sh -- checks the bundled sample register against what data/README.md promises.
#
# data/sample.csv and data/sample.jsonl are what a new user runs first, so this checks that,
# under rules/national.rules:
#   - the rejected records are exactly the deliberately bad rows, and no others;
#   - every status of doc/national-standard.md section 4 and every flag of section 5 occurs;
#   - some villages and some counties pass the exit test of section 6 and some fail it;
#   - the CSV and JSON Lines samples give the same results;
#   - when data/generate is built, it reproduces both samples byte for byte from the command
#     recorded in data/README.md, and the bad rows are the lines that differ from the same
#     register made without --bad-rows.
# The exact results are pinned by the golden cases national_sample and national_sample_jsonl.
# Environment (as make check sets it): ELIG, srcdir, ELIG_WRAPPER; GENERATE may name the
# generator (default: data/generate next to ELIG).
set -u
ELIG=${ELIG:-$(pwd)/elig}
srcdir=${srcdir:-.}
GENERATE=${GENERATE:-$(dirname "$ELIG")/data/generate}
: "${LC_ALL:=C}"; export LC_ALL
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: sample_data: $*"; fails=$((fails + 1)); }

rules=$srcdir/rules/national.rules
csv=$srcdir/data/sample.csv
jsonl=$srcdir/data/sample.jsonl
# The command of data/README.md, and the CSV lines of the bad rows it makes.
sample_args="--households 400 --seed 2032 --bad-rows 7"
bad_lines="87 258 429 601 772 944 1115"

# --- The generator reproduces the samples -------------------------------------------------
if [ -x "$GENERATE" ]; then
  # shellcheck disable=SC2086
  "$GENERATE" $sample_args -o "$tmp/sample.csv" || fail "generate failed"
  # shellcheck disable=SC2086
  "$GENERATE" $sample_args --format jsonl -o "$tmp/sample.jsonl" || fail "generate failed"
  cmp -s "$tmp/sample.csv" "$csv" || fail "data/sample.csv is not what '$sample_args' makes"
  cmp -s "$tmp/sample.jsonl" "$jsonl" || fail "data/sample.jsonl is not what '$sample_args' makes"
  "$GENERATE" --households 400 --seed 2032 -o "$tmp/good.csv" || fail "generate failed"
  differ=$(diff "$tmp/good.csv" "$csv" | sed -n 's/^\([0-9]*\)c[0-9]*$/\1/p' | tr '\n' ' ')
  [ "$differ" = "$bad_lines " ] || fail "bad rows at lines '$differ', expected '$bad_lines '"
else
  echo "sample_data: $GENERATE not built; not checking that it reproduces the samples"
fi

# --- Rejections are exactly the bad rows --------------------------------------------------
rejected_lines() { # REJECT-FILE: the line numbers it lists, space-separated
  tail -n +2 "$1" | cut -d, -f1 | tr '\n' ' '
}
${ELIG_WRAPPER:-} "$ELIG" run --no-progress -j1 --rejects "$tmp/csv.rej" "$rules" "$csv" \
  >"$tmp/csv.out" 2>"$tmp/csv.err"
status=$?
[ $status = 3 ] || fail "elig run on sample.csv: exit status $status, expected 3 (some rejected)"
got=$(rejected_lines "$tmp/csv.rej")
[ "$got" = "$bad_lines " ] || fail "sample.csv: rejected lines '$got', expected '$bad_lines '"

${ELIG_WRAPPER:-} "$ELIG" run --no-progress -j1 --rejects "$tmp/jsonl.rej" "$rules" "$jsonl" \
  >"$tmp/jsonl.out" 2>"$tmp/jsonl.err"
status=$?
[ $status = 3 ] || fail "elig run on sample.jsonl: exit status $status, expected 3"
want=""
for l in $bad_lines; do want="$want$((l - 1)) "; done # no header line in JSON Lines
got=$(rejected_lines "$tmp/jsonl.rej")
[ "$got" = "$want" ] || fail "sample.jsonl: rejected lines '$got', expected '$want'"
cmp -s "$tmp/csv.out" "$tmp/jsonl.out" || fail "sample.csv and sample.jsonl give different results"

# --- Every status, every flag, exits that pass and fail -------------------------------------
# Household lines come first (hh_id,year,per_capita,status,flags,monitoring), then
# "# aggregate" sections whose exit decision is the column before the monitored count.
awk -F, '
  /^# aggregate village/ { part = "village"; next }
  /^# aggregate county/ { part = "county"; next }
  /^$/ || $1 == "hh_id" || $1 ~ /_code$/ { next }
  part == "" { seen[$4] = 1; seen["monitoring " $6] = 1
                n = split($5, f, ";"); for (i = 1; i <= n; i++) seen[f[i]] = 1 }
  part != "" { seen[part " " $(NF - 1)] = 1 }
  END {
    n = split("exit_eligible remain_poor returned_to_poverty exited newly_identified not_poor " \
              "unstable_exited edge_household sudden_hardship income_drop no_labour_no_dibao " \
              "guarantee_gap", w, " ")
    m = split("not_applicable not_monitored entered monitored risk_eliminated", s, " ")
    for (i = 1; i <= m; i++) w[++n] = "monitoring " s[i]
    w[++n] = "village eligible"; w[++n] = "village not_eligible"
    w[++n] = "county eligible"; w[++n] = "county not_eligible"
    for (i = 1; i <= n; i++) if (!seen[w[i]]) print w[i]
  }' "$tmp/csv.out" >"$tmp/missing"
if [ -s "$tmp/missing" ]; then
  fail "the sample never shows: $(tr '\n' ',' <"$tmp/missing")"
fi

if [ $fails = 0 ]; then echo "sample_data: ok"; fi
[ $fails = 0 ]
