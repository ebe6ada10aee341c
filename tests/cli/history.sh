#!/bin/sh
# history.sh -- a register of households over several years gives every record the same
# result whatever the order of its records and files (doc/national-standard.md, section 8):
# sorted by year, shuffled, split into one file a year given newest first, as CSV or JSON
# Lines, with 1 or 2 threads, in memory or spilled to temporary files.  Results come out in
# input order, so each run's lines are compared sorted; the reject rows are compared by key
# and reason.  A household-year given twice keeps its first record in input order.
suite=history; . "${srcdir:-.}/tests/cli/setup.sh"
GENERATE=${GENERATE:-$(dirname "$ELIG")/data/generate}
[ -x "$GENERATE" ] || { echo "history: $GENERATE not built"; exit 77; }
rules=$srcdir/rules/national.rules
gen="$GENERATE --households 1500 --seed 77 --years 2019-2024 --bad-rows 40"
$gen -o "$tmp/sorted.csv"
# the same records in another order (the generator's --shuffle spreads its bad rows
# differently, so the file is shuffled here)
{ head -1 "$tmp/sorted.csv"; tail -n +2 "$tmp/sorted.csv" |
  awk 'BEGIN { srand(5) } { print rand() "\t" $0 }' | sort | cut -f2-; } > "$tmp/shuffled.csv"
# and as JSON Lines, without bad rows, against a CSV of the same
good="$GENERATE --households 1500 --seed 77 --years 2019-2024"
$good -o "$tmp/good.csv"
$good --shuffle --format jsonl --no-members -o "$tmp/good.jsonl"
for y in 2019 2020 2021 2022 2023 2024; do
  { head -1 "$tmp/sorted.csv"; grep -E "^[^,]*,[^,]*,[^,]*,$y," "$tmp/sorted.csv"; } > "$tmp/y$y.csv"
done
# the bad rows whose year cannot be read go in a file of their own
{ head -1 "$tmp/sorted.csv"; tail -n +2 "$tmp/sorted.csv" |
  grep -vE "^[^,]*,[^,]*,[^,]*,20(19|20|21|22|23|24),"; } > "$tmp/other.csv"

# RUN NAME ARGS...: results sorted (household lines only), and rejects as key,reason
run() {
  name=$1; shift
  TMPDIR=$tmp "$ELIG" run --no-progress --rejects "$tmp/$name.rej" "$@" \
    >"$tmp/$name.out" 2>"$tmp/$name.err"
  echo $? > "$tmp/$name.status"
  sed -n '/^# aggregate/q;p' "$tmp/$name.out" | sort > "$tmp/$name.records"
  sed -n '/^# aggregate/,$p' "$tmp/$name.out" > "$tmp/$name.aggs"
  tail -n +2 "$tmp/$name.rej" | cut -d, -f2- | sed 's/,"[^"]*"$//; s/ (.*:[0-9]*)//' |
    cut -d, -f1-3 | sort > "$tmp/$name.why"
}
same() { # same NAME: what NAME gave equals what the sorted register gave
  cmp -s "$tmp/sorted.records" "$tmp/$1.records" && cmp -s "$tmp/sorted.aggs" "$tmp/$1.aggs" &&
    cmp -s "$tmp/sorted.why" "$tmp/$1.why"
}

run sorted -j1 "$rules" "$tmp/sorted.csv"
check sorted-status [ "$(cat "$tmp/sorted.status")" = 3 ]
check sorted-records [ "$(wc -l < "$tmp/sorted.records")" -gt 8000 ]
check sorted-monitoring grep -q ',risk_eliminated$' "$tmp/sorted.records"
check sorted-income-drop grep -q 'income_drop' "$tmp/sorted.records"
run shuffled -j1 "$rules" "$tmp/shuffled.csv"
check shuffled-same same shuffled
run shuffled2 -j2 "$rules" "$tmp/shuffled.csv"
check shuffled-2-threads-same same shuffled2
run spilled -j2 --memory 64K "$rules" "$tmp/shuffled.csv"
check spilled-same same spilled
check spilled-output-identical cmp -s "$tmp/shuffled.out" "$tmp/spilled.out"
check nothing-left-in-tmpdir [ -z "$(find "$tmp" -name 'elig-spill-*')" ]
run years -j2 "$rules" "$tmp/y2024.csv" "$tmp/y2023.csv" "$tmp/y2022.csv" "$tmp/y2021.csv" \
  "$tmp/y2020.csv" "$tmp/y2019.csv" "$tmp/other.csv"
check years-newest-first-same same years
run good -j1 "$rules" "$tmp/good.csv"
run jsonl -j2 "$rules" "$tmp/good.jsonl"
check jsonl-shuffled-same cmp -s "$tmp/good.records" "$tmp/jsonl.records"

# Households with 22 years each, shuffled: more records of one household than are put in
# order by insertion (hrun.c's sort_keys), the same results as in year order.
$GENERATE --households 20 --seed 3 --years 2014-2035 -o "$tmp/long.csv"
{ head -1 "$tmp/long.csv"; tail -n +2 "$tmp/long.csv" |
  awk 'BEGIN { srand(9) } { print rand() "\t" $0 }' | sort | cut -f2-; } > "$tmp/long-shuffled.csv"
run long -j1 "$rules" "$tmp/long.csv"
run long-shuffled -j2 "$rules" "$tmp/long-shuffled.csv"
check long-history-records [ "$(grep -c "^[^#]*,20[123][0-9]," "$tmp/long.records")" = 440 ]
check long-history-same cmp -s "$tmp/long.records" "$tmp/long-shuffled.records"
check long-history-aggregates-same cmp -s "$tmp/long.aggs" "$tmp/long-shuffled.aggs"

# A year already given, given again in a second file: the first in input order is kept.
run twice -j1 "$rules" "$tmp/y2021.csv" "$tmp/sorted.csv"
check twice-records-same cmp -s "$tmp/sorted.records" "$tmp/twice.records"
dups=$(grep -c "duplicate: the household already has a record for 2021 (.*y2021.csv:" "$tmp/twice.rej")
good2021=$(($(grep -c . "$tmp/y2021.csv") - 1 - $(grep -c ',2021,' "$tmp/sorted.why" || true)))
check twice-each-2021-record-once [ "$dups" -ge "$good2021" ]
# One year where every household comes once: a file is read twice, and each record evaluated
# as it is read (src/once.h); standard input, read once, goes through the two passes.  Both
# give the same bytes, rejections, reasons and aggregates included, on 1 and 2 threads.
awk -F, '!seen[$1]++' "$tmp/y2021.csv" > "$tmp/once.csv"
for j in 1 2; do
  "$ELIG" run --no-progress -j$j --explain --rejects "$tmp/once$j.rej" "$rules" "$tmp/once.csv" \
    > "$tmp/once$j.out" 2> "$tmp/once$j.err"
  echo $? > "$tmp/once$j.status"
  "$ELIG" run --no-progress -j$j --explain --rejects "$tmp/piped$j.rej" "$rules" - \
    < "$tmp/once.csv" > "$tmp/piped$j.out" 2> "$tmp/piped$j.err"
  echo $? > "$tmp/piped$j.status"
  check once-$j-results-same cmp -s "$tmp/once$j.out" "$tmp/piped$j.out"
  check once-$j-rejects-same cmp -s "$tmp/once$j.rej" "$tmp/piped$j.rej"
  check once-$j-status-same cmp -s "$tmp/once$j.status" "$tmp/piped$j.status"
done
# the same as JSON Lines, members and bad rows included
$GENERATE --households 300 --seed 9 --years 2021 --bad-rows 12 --format jsonl -o "$tmp/once.jsonl"
"$ELIG" run --no-progress -j2 --rejects "$tmp/oncej.rej" "$rules" "$tmp/once.jsonl" \
  > "$tmp/oncej.out" 2>/dev/null
"$ELIG" run --no-progress -j2 --rejects "$tmp/pipedj.rej" --input-format jsonl "$rules" - \
  < "$tmp/once.jsonl" > "$tmp/pipedj.out" 2>/dev/null
check once-jsonl-results-same cmp -s "$tmp/oncej.out" "$tmp/pipedj.out"
check once-jsonl-rejects-same cmp -s "$tmp/oncej.rej" "$tmp/pipedj.rej"
check once-jsonl-has-rejects [ "$(grep -c . "$tmp/oncej.rej")" -gt 2 ]
check once-has-rejects [ "$(grep -c . "$tmp/once1.rej")" -gt 2 ]
check once-has-aggregates grep -q '^# aggregate county' "$tmp/once1.out"
# Past its table's memory (--memory 8K: 768 households) the first reading deals the
# households' hashes into partitions in temporary files and looks at each alone: the same
# bytes as standard input, with every household once, and with one household twice (its
# first record among those of the table, its second dealt to a partition).
check once-past-table [ "$(grep -c . "$tmp/once.csv")" -gt 800 ]
{ cat "$tmp/once.csv"; sed -n 2p "$tmp/once.csv"; } > "$tmp/once-dup.csv"
for f in once once-dup; do
  TMPDIR=$tmp "$ELIG" run --no-progress --memory 8K --rejects "$tmp/$f-p.rej" "$rules" \
    "$tmp/$f.csv" > "$tmp/$f-p.out" 2>/dev/null
  "$ELIG" run --no-progress --rejects "$tmp/$f-s.rej" "$rules" - < "$tmp/$f.csv" \
    > "$tmp/$f-s.out" 2>/dev/null
  check $f-partitions-results-same cmp -s "$tmp/$f-p.out" "$tmp/$f-s.out"
  sed "s|$tmp/$f.csv:|-:|" "$tmp/$f-p.rej" > "$tmp/$f-p.rej-"
  check $f-partitions-rejects-same cmp -s "$tmp/$f-p.rej-" "$tmp/$f-s.rej"
done
check once-dup-rejected grep -q 'duplicate: the household already has a record' \
  "$tmp/once-dup-p.rej"
check once-partitions-leave-nothing [ -z "$(ls "$tmp" | grep elig-spill)" ]
# the same file given twice: every household twice, so the two passes, and duplicates
run once-twice -j2 "$rules" "$tmp/once.csv" "$tmp/once.csv"
check once-twice-duplicates grep -q 'duplicate: the household already has a record' \
  "$tmp/once-twice.rej"
# explain --id reads each record's key as written and types only the records of the
# household asked for (src/lookup.c, cannot_match): a quoted key cell, a JSON string with an
# escape, and another household whose key begins with the one asked for change nothing; a
# key of 300 bytes is found whole.
x=$(sed -n 2p "$tmp/sorted.csv" | cut -d, -f1)
explain() { # explain NAME ID FILE: the explanation and the status, in NAME.expl (FILE as F)
  "$ELIG" explain --as-of 2024-06-30 --id "$2" "$rules" "$3" > "$tmp/$1.raw" 2>&1
  echo "status $?" >> "$tmp/$1.raw"
  sed "s|$3:|F:|" "$tmp/$1.raw" > "$tmp/$1.expl"
}
explain want "$x" "$tmp/sorted.csv"
check explain-finds-years [ "$(grep -c "^record $x/" "$tmp/want.expl")" -ge 2 ]
sed "s/^$x,/\"$x\",/" "$tmp/sorted.csv" > "$tmp/quoted.csv"
explain quoted "$x" "$tmp/quoted.csv"
check explain-quoted-key cmp -s "$tmp/want.expl" "$tmp/quoted.expl"
{ cat "$tmp/sorted.csv"; grep "^$x," "$tmp/sorted.csv" | sed "s/^$x,/${x}9,/"; } > "$tmp/longer.csv"
explain longer "$x" "$tmp/longer.csv"
check explain-longer-key-another cmp -s "$tmp/want.expl" "$tmp/longer.expl"
explain wantj "$x" "$tmp/good.jsonl"
hex=$(printf '%04x' "'$(printf %s "$x" | cut -c1)")
sed "s/\"hh_id\":\"$x\"/\"hh_id\":\"\\\\u$hex${x#?}\"/" "$tmp/good.jsonl" > "$tmp/escaped.jsonl"
check explain-escape-written grep -q "u$hex${x#?}" "$tmp/escaped.jsonl"
explain escaped "$x" "$tmp/escaped.jsonl"
check explain-escaped-key cmp -s "$tmp/wantj.expl" "$tmp/escaped.expl"
long=$x$(printf '%0300d' 0)
{ head -1 "$tmp/sorted.csv"; grep "^$x," "$tmp/sorted.csv"; } > "$tmp/one.csv"
sed "s/^$x,/$long,/" "$tmp/one.csv" > "$tmp/long.csv"
explain one "$x" "$tmp/one.csv"
explain long "$long" "$tmp/long.csv"
sed -i "s/$long/$x/g" "$tmp/long.expl"
check explain-long-key cmp -s "$tmp/one.expl" "$tmp/long.expl"
finish
