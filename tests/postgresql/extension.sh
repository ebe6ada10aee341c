#!/bin/sh
# extension.sh -- the PostgreSQL extension (postgresql/) against `elig run` on the same
# records, in a server of the test's own (tests/postgresql/pg_setup.sh).
#
#   load        a rule set from the server's disk and from texts: the same hash as the
#               program's; a rule text with errors refused with its diagnostics, listed as
#               rows by elig.check; a name not loaded: an error naming it
#   results     data/sample.csv (its deliberately bad rows included) in a table of text
#               columns, as a register arrives: per-household results with history (the
#               window function) equal `elig run --format jsonl`'s, every rejection the same
#               row with the same reason; the village and county aggregates equal
#   types       the same records in typed columns (integer, numeric, boolean): the same
#               results; a result row type made from the rule set
#   memory      a backend's "elig" memory context does not grow from one query to the next
#
# Environment (as make check sets it): ELIG, srcdir.
suite=postgresql
. "${srcdir:-.}/tests/cli/setup.sh"
. "$srcdir/tests/postgresql/pg_setup.sh"
cd "$srcdir" || exit 99
AS_OF=2021-06-30
pg_start main
P=$main_port
q() { psql_on "$P" -At "$@"; }

# ---------------------------------------------------------------- load

q -c "CREATE EXTENSION elig" || { echo "FAIL: $suite: CREATE EXTENSION"; exit 1; }
hash=$(q -c "SELECT elig.load('national', '$srcdir/rules/national.rules')")
check load-from-disk [ "${hash#sha256:}" != "$hash" ]
files=$(cd rules && python3 -c '
import json, sys, glob
print(json.dumps({p: open(p, encoding="utf-8").read()
                  for p in ["national.rules"] + sorted(glob.glob("national/*.rules"))}))')
printf '%s' "$files" > "$tmp/files.json"
hash2=$(echo "SELECT elig.load('national_texts', 'national.rules', :'files')" |
  q -v files="$(cat "$tmp/files.json")")
check load-from-texts-same-hash [ "$hash2" = "$hash" ]
check hash-by-name [ "$(q -c "SELECT elig.hash('national')")" = "$hash" ]

# a rule text with an error: refused, with its diagnostic in the error, and as a row
printf 'record r key id { id text required }\ndecide d\n  when idd = "a" then "b"\n  otherwise "c"\n' > "$tmp/bad.rules"
bad=$(python3 -c 'import json,sys; print(json.dumps({"bad.rules": open(sys.argv[1]).read()}))' "$tmp/bad.rules")
echo "SELECT elig.load('bad', 'bad.rules', :'bad')" | q -v bad="$bad" > "$tmp/bad.out" 2>&1
check bad-rules-refused grep -q "does not compile (1 error)" "$tmp/bad.out"
check bad-rules-diagnostic grep -q "E0301\|unknown name 'idd'\|idd" "$tmp/bad.out"
check bad-rules-not-stored [ "$(q -c "SELECT count(*) FROM elig.rulesets WHERE name = 'bad'")" = 0 ]
echo "SELECT file, line, col, severity, code FROM elig.check('bad.rules', :'bad')" |
  q -v bad="$bad" > "$tmp/check.out"
check check-rows grep -q '^bad.rules|3|[0-9]*|error|E0' "$tmp/check.out"
q -c "SELECT elig.evaluate('nosuch', ROW(1))" > "$tmp/nosuch.out" 2>&1
check missing-rule-set-named grep -q 'no rule set is loaded under the name "nosuch"' "$tmp/nosuch.out"
check missing-rule-set-lists grep -q 'Loaded: national, national_texts' "$tmp/nosuch.out"

# ---------------------------------------------------------------- results, as `elig run`

header=$(head -1 data/sample.csv)
cols=$(printf '%s' "$header" | sed 's/,/ text, /g; s/$/ text/')
q -c "CREATE TABLE register (line int, $cols)"
# the line of each record in the file, as `elig run --rejects` numbers them (header: 1)
awk 'NR > 1 { print NR "," $0 }' data/sample.csv > "$tmp/numbered.csv"
q -c "\\copy register (line, $header) FROM '$tmp/numbered.csv' WITH (FORMAT csv)"
"$ELIG" run --no-progress --format jsonl --as-of $AS_OF --rejects "$tmp/run.rejects" \
  --aggregates "$tmp/run.aggregates" rules/national.rules data/sample.csv > "$tmp/run.jsonl"
q -c "SELECT line, r FROM (SELECT line, elig.evaluate_history('national', g, '$AS_OF')
        OVER (PARTITION BY hh_id ORDER BY year, line) AS r FROM register g) s ORDER BY line" \
  > "$tmp/sql.rows"
grep -v '"error"' "$tmp/sql.rows" | cut -d'|' -f2- | jq -cS . > "$tmp/sql.results"
jq -cS . "$tmp/run.jsonl" > "$tmp/run.results"
check results-equal-run cmp "$tmp/sql.results" "$tmp/run.results"
check results-count [ "$(wc -l < "$tmp/sql.results")" = 1193 ]
grep '"error"' "$tmp/sql.rows" | python3 -c '
import json, sys
for row in sys.stdin:
    line, doc = row.rstrip("\n").split("|", 1)
    print(line + "|" + json.loads(doc)["error"]["reason"])' > "$tmp/sql.rejects"
python3 -c '
import csv, sys
for r in list(csv.reader(open(sys.argv[1])))[1:]:
    print(r[0] + "|" + r[3])' "$tmp/run.rejects" > "$tmp/run.rejects.txt"
check rejections-equal-run cmp "$tmp/sql.rejects" "$tmp/run.rejects.txt"
check rejections-count [ "$(wc -l < "$tmp/sql.rejects")" = 7 ]
# raise: the first bad row stops the query with the library's reason
q -c "SELECT elig.evaluate('national', g, '$AS_OF', raise => true) FROM register g" > "$tmp/raise.out" 2>&1
check raise-asked grep -q "ERROR:  elig: the row is rejected: field 'size': not between 1 and 30" "$tmp/raise.out"

q -c "SELECT a FROM (SELECT jsonb_array_elements(elig.aggregates('national', g, '$AS_OF'
        ORDER BY hh_id, year, line)) AS a FROM register g) s" | jq -cS . | sort > "$tmp/sql.aggregates"
jq -cS . "$tmp/run.aggregates" | sort > "$tmp/run.aggregates.sorted"
check aggregates-equal-run cmp "$tmp/sql.aggregates" "$tmp/run.aggregates.sorted"
check aggregates-count [ "$(wc -l < "$tmp/sql.aggregates")" = 27 ]

# ---------------------------------------------------------------- typed columns

q -c "CREATE TABLE typed AS SELECT line, hh_id, head_id, village_code, year::int, size::int,
        net_income::numeric(14,2), medical_expense::numeric, education_expense::numeric,
        nullif(disaster_loss, '')::numeric AS disaster_loss, food_secure::boolean,
        clothing_secure::boolean, water_safe::boolean, dropout_children::int,
        uninsured_members::int, housing_grade, labor_members::int, registered_poor::boolean,
        exited_year::int, dibao::boolean
      FROM register WHERE line NOT IN (SELECT line FROM register
        WHERE (elig.evaluate('national', register, '$AS_OF')) ? 'error')"
q -c "SELECT r FROM (SELECT line, elig.evaluate_history('national', t, '$AS_OF')
        OVER (PARTITION BY hh_id ORDER BY year, line) AS r FROM typed t) s ORDER BY line" |
  jq -cS . > "$tmp/typed.results"
check typed-equal-run cmp "$tmp/typed.results" "$tmp/run.results"
q -c "SELECT elig.create_result_type('national', 'national_result')"
q -c "SELECT (elig.evaluate_as('national', t, NULL::national_result, '$AS_OF')).status,
        count(*) FROM typed t GROUP BY 1 ORDER BY 1" > "$tmp/typed.status"
q -c "SELECT r->>'status', count(*) FROM (SELECT elig.evaluate('national', t, '$AS_OF') AS r
        FROM typed t) s GROUP BY 1 ORDER BY 1" > "$tmp/json.status"
check typed-row-type cmp "$tmp/typed.status" "$tmp/json.status"
q -c "SELECT (elig.evaluate_as('national', g, NULL::national_result, '$AS_OF')).error_code
        FROM register g WHERE line = 87" > "$tmp/typed.reject"
check typed-rejection-columns grep -qx 'E0612' "$tmp/typed.reject"
q -c "SELECT elig.explain('national', t, '$AS_OF') FROM typed t WHERE line = 2" > "$tmp/explain"
check explain-one-row grep -q '^record 411623101201-001/2019' "$tmp/explain"

# ---------------------------------------------------------------- memory

q > "$tmp/memory" <<SQL
SELECT count(e) FROM (SELECT elig.evaluate('national', g, '$AS_OF') AS e FROM register g) s;
SELECT total_bytes FROM pg_backend_memory_contexts WHERE name = 'elig';
SELECT count(e) FROM (SELECT elig.evaluate('national', g, '$AS_OF') AS e FROM register g) s;
SELECT count(e) FROM (SELECT elig.evaluate('national', g, '$AS_OF') AS e FROM register g) s;
SELECT total_bytes FROM pg_backend_memory_contexts WHERE name = 'elig';
SQL
check memory-flat [ "$(sed -n 2p "$tmp/memory")" = "$(sed -n 5p "$tmp/memory")" ]

finish
