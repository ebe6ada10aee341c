#!/bin/sh
# register.sh -- a county's register in SQLite (`elig register add|export`, `elig history`):
# after any sequence of adds and corrections, in any order of years, the current results
# equal a fresh `elig run` over the current records; a correction keeps the old record and
# results; a rule change evaluates every household again; a damaged, foreign or newer file,
# or one of another schema, is refused with status 2 and left as it was; an add killed at
# any point leaves the register as it was before it, or as after it; a second add at the
# same time waits, or fails clearly with --wait=0.
suite=register; . "${srcdir:-.}/tests/cli/setup.sh"
GENERATE=${GENERATE:-$(dirname "$ELIG")/data/generate}
[ -x "$GENERATE" ] || { echo "register: $GENERATE not built"; exit 77; }
rules=$srcdir/rules/national.rules
yunnan=$srcdir/rules/provinces/yunnan.rules
"$GENERATE" --households 300 --seed 41 --years 2019-2022 --bad-rows 12 -o "$tmp/all.csv"
for y in 2019 2020 2021 2022; do
  { head -1 "$tmp/all.csv"; grep -E "^[^,]*,[^,]*,[^,]*,$y," "$tmp/all.csv"; } > "$tmp/y$y.csv"
done
{ head -1 "$tmp/all.csv"; tail -n +2 "$tmp/all.csv" |
  awk 'BEGIN { srand(9) } { print rand() "\t" $0 }' | sort | cut -f2-; } > "$tmp/shuffled.csv"

add() { "$ELIG" register add --no-progress --by tester "$@" 2>>"$tmp/add.err"; }
# sorted lines of an output: the order of a register's export is that of its adds
sorted() { sort "$1" > "$1.sorted"; }
# EXPORT DB NAME: the register's current results, sorted
export_to() { "$ELIG" register export --db "$1" > "$tmp/$2" 2>>"$tmp/export.err"; sorted "$tmp/$2"; }
# RUN NAME RULES DATA...: what a fresh run gives, sorted
run_to() {
  name=$1; shift
  "$ELIG" run --no-progress "$@" > "$tmp/$name" 2>/dev/null; sorted "$tmp/$name"
}

run_to run.csv "$rules" "$tmp/y2019.csv" "$tmp/y2020.csv" "$tmp/y2021.csv" "$tmp/y2022.csv"

# rejected records to a file, as `elig run --rejects` writes them; never onto an input
"$ELIG" register add --no-progress --db "$tmp/r.db" --rejects "$tmp/r.rej" "$rules" \
  "$tmp/y2019.csv" 2>/dev/null
check rejects-status [ $? = 3 ]
"$ELIG" run --no-progress --rejects "$tmp/run.rej" "$rules" "$tmp/y2019.csv" >/dev/null 2>&1
check rejects-as-run cmp -s "$tmp/run.rej" "$tmp/r.rej"
"$ELIG" register add --no-progress --db "$tmp/r.db" --rejects "$tmp/r.db" "$rules" \
  "$tmp/y2020.csv" 2>/dev/null
check rejects-onto-register-refused [ $? = 2 ]

# records lacking required fields kept with their undetermined results; the export with
# --missing undetermined equals a run with it, the one without rejects them as a run does
mu="$srcdir/tests/rules/missing_undetermined.csv"
"$ELIG" register add --no-progress --missing undetermined --db "$tmp/mu.db" "$rules" "$mu" \
  2>/dev/null
check missing-status [ $? = 3 ] # a malformed value and an unknown village still reject
"$ELIG" register export --missing undetermined --db "$tmp/mu.db" > "$tmp/mu.csv" 2>/dev/null
"$ELIG" run --no-progress --missing undetermined "$rules" "$mu" > "$tmp/mu.run" 2>/dev/null
check missing-export-as-run cmp -s "$tmp/mu.csv" "$tmp/mu.run"
check missing-needs grep -q ',undetermined,,not_applicable,net_income$' "$tmp/mu.csv"
"$ELIG" register export --db "$tmp/mu.db" > "$tmp/mu.reject" 2>/dev/null
check missing-export-rejects-by-default [ $? = 3 ]
"$ELIG" history --db "$tmp/mu.db" --id 411623101201-001 > "$tmp/mu.history" 2>&1
check missing-history-needs grep -q 'needs net_income' "$tmp/mu.history"

# a member's absent required field too: kept unknown in the register, named in the needs
cat > "$tmp/members.rules" <<'EOF'
record person {
  age      int  required between 0 and 120
  disabled bool required
}
record household key hh_id per year {
  hh_id   text required
  year    int  required
  members list of person
}
let workers = count(members where age >= 16 and age < 60 and not disabled)
decide labour
  when workers = 0 then "none" because "nobody of working age able to work"
  otherwise "some" because "at least one worker"
output hh_id, year, workers, labour
EOF
cat > "$tmp/members.jsonl" <<'EOF'
{"hh_id":"a","year":2021,"members":[{"age":30,"disabled":false},{"disabled":false}]}
{"hh_id":"b","year":2021,"members":[{"age":70},{"age":5,"disabled":false}]}
{"hh_id":"c","year":2021,"members":[{"age":30,"disabled":false}]}
EOF
"$ELIG" register add --no-progress --missing undetermined --db "$tmp/mem.db" \
  "$tmp/members.rules" "$tmp/members.jsonl" 2>/dev/null
check members-add-status [ $? = 0 ]
"$ELIG" register export --missing undetermined --db "$tmp/mem.db" > "$tmp/mem.csv" 2>/dev/null
"$ELIG" run --no-progress --missing undetermined "$tmp/members.rules" "$tmp/members.jsonl" \
  > "$tmp/mem.run" 2>/dev/null
check members-export-as-run cmp -s "$tmp/mem.csv" "$tmp/mem.run"
check members-needs grep -q '^a,2021,undetermined,some,,members\[1\].age$' "$tmp/mem.csv"
check members-known grep -q '^b,2021,0,none,,$' "$tmp/mem.csv" # 70: never a worker
"$ELIG" register export --db "$tmp/mem.db" > "$tmp/mem.reject" 2>"$tmp/mem.err"
check members-export-rejects-by-default grep -q "members element 2: field 'age' is required" \
  "$tmp/mem.err"

# one year at a time, in order
for y in 2019 2020 2021 2022; do add --db "$tmp/a.db" "$rules" "$tmp/y$y.csv"; done
check in-order-status [ $? = 3 ] # the generated bad rows are rejected
export_to "$tmp/a.db" a.csv
check in-order-same cmp -s "$tmp/run.csv.sorted" "$tmp/a.csv.sorted"
check in-order-has-monitoring grep -q ',entered$' "$tmp/a.csv"
check rejections-said grep -q 'rejected' "$tmp/add.err"

# newest first, and all at once shuffled: the same results
for y in 2022 2020 2019 2021; do add --db "$tmp/b.db" "$rules" "$tmp/y$y.csv"; done
export_to "$tmp/b.db" b.csv
check newest-first-same cmp -s "$tmp/run.csv.sorted" "$tmp/b.csv.sorted"
check reevaluated-said grep -q '[1-9][0-9]* later years re-evaluated' "$tmp/add.err"
add --db "$tmp/c.db" -j2 --memory 64K "$rules" "$tmp/shuffled.csv"
export_to "$tmp/c.db" c.csv
check shuffled-once-same cmp -s "$tmp/run.csv.sorted" "$tmp/c.csv.sorted"

# JSON Lines and one year
"$ELIG" register export --db "$tmp/a.db" -f jsonl | sort > "$tmp/a.jsonl"
"$ELIG" run --no-progress -f jsonl "$rules" "$tmp/all.csv" 2>/dev/null | sort > "$tmp/run.jsonl"
check jsonl-same cmp -s "$tmp/run.jsonl" "$tmp/a.jsonl"
"$ELIG" register export --db "$tmp/a.db" --year 2021 > "$tmp/y.csv"
grep -E '^[^,]*,2021,' "$tmp/run.csv" | sort > "$tmp/run2021"
grep -E '^[^,]*,2021,' "$tmp/y.csv" | sort > "$tmp/y2021"
check year-records-same cmp -s "$tmp/run2021" "$tmp/y2021"
check year-only-its-records [ "$(grep -cE '^[^,]*,20(19|20|22),[0-9]' "$tmp/y.csv")" = 0 ]
grep -E '^[0-9]+,2021,' "$tmp/run.csv" | sort > "$tmp/runagg"
grep -E '^[0-9]+,2021,' "$tmp/y.csv" | sort > "$tmp/yagg"
check year-aggregates-same cmp -s "$tmp/runagg" "$tmp/yagg"

# a correction: three households' 2020 income changes; later years are evaluated again
awk -F, 'BEGIN { OFS = "," } NR == 1 { print; next }
  NR <= 4 && $6 ~ /^[0-9.]+$/ { $6 = sprintf("%.2f", $6 / 3); print }' "$tmp/y2020.csv" \
  > "$tmp/fix.csv"
awk -F, 'NR == FNR { if (FNR > 1) fix[$1] = $0; next }
  FNR > 1 && ($1 in fix) { print fix[$1]; next } { print }' "$tmp/fix.csv" "$tmp/y2020.csv" \
  > "$tmp/y2020c.csv"
: > "$tmp/add.err"
add --db "$tmp/a.db" --by corrector "$rules" "$tmp/fix.csv"
check correction-status [ $? = 0 ]
check correction-counted grep -q '3 corrected' "$tmp/add.err"
run_to runc.csv "$rules" "$tmp/y2019.csv" "$tmp/y2020c.csv" "$tmp/y2021.csv" "$tmp/y2022.csv"
export_to "$tmp/a.db" ac.csv
check corrected-same cmp -s "$tmp/runc.csv.sorted" "$tmp/ac.csv.sorted"
differ() { ! cmp -s "$1" "$2"; }
check correction-changed-something differ "$tmp/run.csv.sorted" "$tmp/ac.csv.sorted"
hh=$(sed -n 2p "$tmp/fix.csv" | cut -d, -f1)
"$ELIG" history --db "$tmp/a.db" --id "$hh" > "$tmp/history.txt"
check history-status [ $? = 0 ]
check history-correction grep -q "corrected by .*fix.csv:2, add 5, .* by corrector (current)" "$tmp/history.txt"
check history-old-record-kept grep -q "record .*y2020.csv" "$tmp/history.txt"
check history-inputs-changed grep -q "inputs changed by the correction: net_income" "$tmp/history.txt"
check history-years [ "$(grep -cE '^20(19|20|21|22)$' "$tmp/history.txt")" -ge 3 ]
"$ELIG" history --db "$tmp/a.db" --id "$hh" -f json > "$tmp/history.json"
check history-json jq -e '.years | length >= 3' "$tmp/history.json"
"$ELIG" history --db "$tmp/a.db" --id no-such-household 2>"$tmp/err"
check history-unknown [ $? = 3 ]
check history-unknown-said grep -q "holds no household 'no-such-household'" "$tmp/err"
# the same file again changes nothing
: > "$tmp/add.err"
add --db "$tmp/a.db" "$rules" "$tmp/fix.csv"
check same-again-no-correction grep -q ' 0 corrected' "$tmp/add.err"
export_to "$tmp/a.db" again.csv
check same-again-same cmp -s "$tmp/ac.csv" "$tmp/again.csv"

# other rules of the same schema: every household evaluated again with them
add --db "$tmp/a.db" "$yunnan" "$tmp/fix.csv"
run_to runy.csv "$yunnan" "$tmp/y2019.csv" "$tmp/y2020c.csv" "$tmp/y2021.csv" "$tmp/y2022.csv"
export_to "$tmp/a.db" ay.csv
check rule-change-same cmp -s "$tmp/runy.csv.sorted" "$tmp/ay.csv.sorted"

# rules of the same schema that check a value more tightly: a stored record that no longer
# reads is rejected as a fresh run rejects it, and that is its current result
mkdir "$tmp/strict"
cp -r "$srcdir/rules/." "$tmp/strict/"
sed -i 's/size              int   required between 1 and 30/size              int   required between 1 and 2 /' \
  "$tmp/strict/national/schema.rules"
cp "$tmp/b.db" "$tmp/strict.db"
add --db "$tmp/strict.db" "$tmp/strict/national.rules" "$tmp/y2019.csv"
big=$(awk -F, 'NR > 1 && $5 > 2 && $5 ~ /^[0-9]+$/ { print $1; exit }' "$tmp/y2020.csv")
"$ELIG" history --db "$tmp/strict.db" --id "$big" > "$tmp/strict.txt"
check stricter-rules-reject-stored grep -q "(current)" "$tmp/strict.txt"
check stricter-rules-said grep -q "rejected: field 'size': not between 1 and 2" "$tmp/strict.txt"
run_to runs.csv "$tmp/strict/national.rules" "$tmp/y2019.csv" "$tmp/y2020.csv" "$tmp/y2021.csv" \
  "$tmp/y2022.csv"
export_to "$tmp/strict.db" strict.csv
check stricter-rules-same cmp -s "$tmp/runs.csv.sorted" "$tmp/strict.csv.sorted"

# refused files: status 2, a clear reason, the file unchanged
refused() { # refused NAME FILE PATTERN: an add on FILE is refused, saying PATTERN
  before=$(cksum < "$2")
  "$ELIG" register add --db "$2" "$rules" "$tmp/y2019.csv" 2>"$tmp/$1.err"
  check "$1-status" [ $? = 2 ]
  check "$1-said" grep -q "$3" "$tmp/$1.err"
  check "$1-unchanged" [ "$before" = "$(cksum < "$2")" ]
}
printf 'not a database at all, but long enough to look like a file header\n' > "$tmp/garbage.db"
refused garbage "$tmp/garbage.db" "is damaged or not a database"
head -c 8192 "$tmp/b.db" > "$tmp/truncated.db"
refused truncated "$tmp/truncated.db" "damaged"
sqlite3 "$tmp/foreign.db" "CREATE TABLE households(id TEXT)"
refused foreign "$tmp/foreign.db" "is a database but not an elig register"
cp "$tmp/b.db" "$tmp/newer.db"
sqlite3 "$tmp/newer.db" "PRAGMA user_version = 7"
refused newer "$tmp/newer.db" "written by a newer elig (register version 7"
cp "$srcdir/doc/examples/lang/history.rules" "$tmp/other.rules"
before=$(cksum < "$tmp/b.db")
"$ELIG" register add --db "$tmp/b.db" "$tmp/other.rules" "$tmp/y2019.csv" 2>"$tmp/schema.err"
check schema-status [ $? = 2 ]
check schema-said grep -q "holds records of another schema than these rules read" "$tmp/schema.err"
check schema-unchanged [ "$before" = "$(cksum < "$tmp/b.db")" ]
"$ELIG" register export --db "$tmp/none.db" 2>/dev/null
check export-missing-status [ $? = 2 ]
check export-missing-not-made [ ! -e "$tmp/none.db" ]

# killed at random points: the register is as before the add, or as after it
"$GENERATE" --households 8000 --seed 5 --years 2023 -o "$tmp/big.csv"
cp "$tmp/b.db" "$tmp/base.db"
export_to "$tmp/base.db" before.csv
cp "$tmp/base.db" "$tmp/full.db"
add --db "$tmp/full.db" "$rules" "$tmp/big.csv"
export_to "$tmp/full.db" after.csv
killed_ok=0
for delay in 0.02 0.05 0.1 0.15 0.2 0.3; do
  rm -f "$tmp/k.db" "$tmp/k.db-wal" "$tmp/k.db-shm"
  cp "$tmp/base.db" "$tmp/k.db"
  "$ELIG" register add --no-progress --db "$tmp/k.db" -j2 "$rules" "$tmp/big.csv" 2>/dev/null &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  export_to "$tmp/k.db" k.csv
  if cmp -s "$tmp/k.csv" "$tmp/before.csv" || cmp -s "$tmp/k.csv" "$tmp/after.csv"; then
    killed_ok=$((killed_ok + 1))
  else
    echo "register: killed after ${delay}s: the register is neither as before nor as after"
  fi
done
check killed-all-or-nothing [ "$killed_ok" = 6 ]

# two adds at once: the second waits for the first, or with --wait=0 fails clearly
cp "$tmp/base.db" "$tmp/w.db"
"$ELIG" register add --no-progress --db "$tmp/w.db" "$rules" "$tmp/big.csv" 2>/dev/null &
first=$!
sleep 0.2
"$ELIG" register add --no-progress --db "$tmp/w.db" "$rules" "$tmp/y2019.csv" 2>/dev/null
second=$?
wait "$first"
check concurrent-first-done [ $? = 0 ]
check concurrent-second-waited [ "$second" = 3 ] # its generated bad rows
export_to "$tmp/w.db" w.csv
check concurrent-both-added cmp -s "$tmp/after.csv.sorted" "$tmp/w.csv.sorted"
# another writer holding the register (here sqlite3, for two seconds): with --wait=0 the add
# fails at once, saying why, and changes nothing; by default it waits and adds
cp "$tmp/base.db" "$tmp/z.db"
{ echo "BEGIN IMMEDIATE;"; sleep 2; echo "COMMIT;"; } | sqlite3 "$tmp/z.db" &
holder=$!
sleep 0.5
"$ELIG" register add --no-progress --wait 0 --db "$tmp/z.db" "$rules" "$tmp/big.csv" \
  2>"$tmp/busy.err"
check busy-status [ $? = 2 ]
check busy-said grep -q "is being changed by another process" "$tmp/busy.err"
export_to "$tmp/z.db" z.csv
check busy-nothing-added cmp -s "$tmp/before.csv.sorted" "$tmp/z.csv.sorted"
"$ELIG" register add --no-progress --db "$tmp/z.db" "$rules" "$tmp/big.csv" 2>/dev/null
check busy-waited [ $? = 0 ]
wait "$holder"
export_to "$tmp/z.db" z.csv
check busy-then-added cmp -s "$tmp/after.csv.sorted" "$tmp/z.csv.sorted"
# a service with --register: each record evaluated with its household's year before from
# the register gives what a run over all the years gives it
good="$GENERATE --households 300 --seed 43 --years 2019-2021"
$good -o "$tmp/good.csv"
$good --format jsonl --no-members -o "$tmp/good.jsonl"
{ head -1 "$tmp/good.csv"; grep -E '^[^,]*,[^,]*,[^,]*,20(19|20),' "$tmp/good.csv"; } \
  > "$tmp/good-before.csv"
grep '"year":2021' "$tmp/good.jsonl" > "$tmp/good2021.jsonl"
add --db "$tmp/s.db" "$rules" "$tmp/good-before.csv"
# JSON Lines and CSV in one register (each record read back in its own format): newest
# year first as JSON Lines, then the years before as CSV
add --db "$tmp/j.db" "$rules" "$tmp/good2021.jsonl"
add --db "$tmp/j.db" "$rules" "$tmp/good-before.csv"
export_to "$tmp/j.db" j.csv
run_to runj.csv "$rules" "$tmp/good.csv"
check mixed-formats-same cmp -s "$tmp/runj.csv.sorted" "$tmp/j.csv.sorted"
"$ELIG" run --no-progress -f jsonl "$rules" "$tmp/good.csv" | grep '^{"hh_id".*"year":2021' \
  > "$tmp/good-run2021"
"$ELIG" serve --listen 127.0.0.1:0 --watch 0 --register "$tmp/s.db" "$rules" 2>"$tmp/serve.log" &
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null; rm -rf "$tmp"' EXIT
i=0
while ! grep -q '"event":"listening"' "$tmp/serve.log" 2>/dev/null && [ $i -lt 400 ] &&
  kill -0 $serve_pid 2>/dev/null; do
  i=$((i + 1)); sleep 0.05
done
port=$(sed -n 's/.*"event":"listening".*"port":\([0-9]*\).*/\1/p' "$tmp/serve.log")
curl -s -H 'Content-Type: application/x-ndjson' --data-binary @"$tmp/good2021.jsonl" \
  "http://127.0.0.1:$port/v1/evaluate" > "$tmp/served2021"
check serve-history-same cmp -s "$tmp/good-run2021" "$tmp/served2021"
check serve-history-matters grep -q '"monitoring":"monitored"' "$tmp/served2021"
# the register evaluated since with other rules: an answer would mix two rule sets
add --db "$tmp/s.db" "$yunnan" "$tmp/good-before.csv"
head -1 "$tmp/good2021.jsonl" > "$tmp/one.json"
curl -s -o "$tmp/stale" -w '%{http_code}' -H 'Content-Type: application/json' \
  --data-binary @"$tmp/one.json" "http://127.0.0.1:$port/v1/evaluate" > "$tmp/stale.code"
check serve-stale-409 [ "$(cat "$tmp/stale.code")" = 409 ]
check serve-stale-said grep -q 'register_rules_differ' "$tmp/stale"
kill $serve_pid; wait $serve_pid 2>/dev/null
"$ELIG" serve --listen 127.0.0.1:0 --register "$tmp/s.db" "$srcdir/doc/examples/lang/history.rules" \
  2>"$tmp/serve-schema.err"
check serve-other-schema-status [ $? = 2 ]
check serve-other-schema-said grep -q 'another schema' "$tmp/serve-schema.err"

finish
