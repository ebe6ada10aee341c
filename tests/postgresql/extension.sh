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
#   generated   a register of 1,500 households over three years, shuffled, with bad rows:
#               results, rejections and aggregates as `elig run`'s
#   history     a household-year given twice (the second rejected), a year missing, rows out
#               of year order: as `elig run` (the last an error)
#   types       the same records in typed columns (integer, numeric, boolean): the same
#               results; a result row type made from the rule set
#   bad input   the malformed-register corpus (tests/bad) as jsonb documents and text rows:
#               no backend fails, every record answered
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
# a session whose messages are Chinese gets the reasons in Chinese (codes the same)
if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
  q -c "SET lc_messages = 'zh_CN.UTF-8'" -c "SELECT elig.evaluate('national', g, '$AS_OF')
        FROM register g WHERE line = 87" > "$tmp/zh.out"
  check reason-in-chinese grep -q '"code": "E0612".*字段' "$tmp/zh.out"
fi
# raise: the first bad row stops the query with the library's reason
q -c "SELECT elig.evaluate('national', g, '$AS_OF', raise => true) FROM register g" > "$tmp/raise.out" 2>&1
check raise-asked grep -q "ERROR:  elig: the row is rejected: field 'size': not between 1 and 30" "$tmp/raise.out"

q -c "SELECT a FROM (SELECT jsonb_array_elements(elig.aggregates('national', g, '$AS_OF'
        ORDER BY hh_id, year, line)) AS a FROM register g) s" | jq -cS . | sort > "$tmp/sql.aggregates"
jq -cS . "$tmp/run.aggregates" | sort > "$tmp/run.aggregates.sorted"
check aggregates-equal-run cmp "$tmp/sql.aggregates" "$tmp/run.aggregates.sorted"
check aggregates-count [ "$(wc -l < "$tmp/sql.aggregates")" = 27 ]

# ---------------------------------------------------------------- a generated register

# 1,500 households over 2019-2021 with 25 bad rows, in a shuffled order: the window orders
# each household's years, `elig run` its own way; the results are the same.
data/generate --households 1500 --seed 18 --bad-rows 25 --shuffle -o "$tmp/gen.csv"
awk 'NR > 1 { print NR "," $0 }' "$tmp/gen.csv" > "$tmp/gen.numbered"
q -c "CREATE TABLE generated (LIKE register)" \
  -c "\\copy generated (line, $header) FROM '$tmp/gen.numbered' WITH (FORMAT csv)"
"$ELIG" run --no-progress --format jsonl --as-of $AS_OF --rejects "$tmp/gen.rejects" \
  --aggregates "$tmp/gen.aggregates" rules/national.rules "$tmp/gen.csv" > "$tmp/gen.jsonl"
q -c "SELECT line, r FROM (SELECT line, elig.evaluate_history('national', g, '$AS_OF')
        OVER (PARTITION BY hh_id ORDER BY year, line) AS r FROM generated g) s ORDER BY line" \
  > "$tmp/gen.rows"
grep -v '"error"' "$tmp/gen.rows" | cut -d'|' -f2- | jq -cS . > "$tmp/gen.sql"
check generated-equal-run sh -c "jq -cS . '$tmp/gen.jsonl' | cmp - '$tmp/gen.sql'"
check generated-rejections-count [ "$(grep -c '"error"' "$tmp/gen.rows")" = "$(($(wc -l < "$tmp/gen.rejects") - 1))" ]
q -c "SELECT a FROM (SELECT jsonb_array_elements(elig.aggregates('national', g, '$AS_OF'
        ORDER BY hh_id, year, line)) AS a FROM generated g) s" | jq -cS . | sort > "$tmp/gen.sql.aggregates"
check generated-aggregates-equal-run sh -c "jq -cS . '$tmp/gen.aggregates' | sort | cmp - '$tmp/gen.sql.aggregates'"

# ---------------------------------------------------------------- history: duplicates, gaps

# A register with a household-year given twice (the first kept, the second rejected) and a
# household with a year missing (no year before for the year after): the same as `elig run`.
awk -F, 'NR == 1 || $1 != "411623101201-005" || $4 != "2020"' data/sample.csv > "$tmp/gaps.csv"
grep '^411623101201-003,.*,2020,' data/sample.csv >> "$tmp/gaps.csv"
awk 'NR > 1 { print NR "," $0 }' "$tmp/gaps.csv" > "$tmp/gaps.numbered"
q -c "CREATE TABLE gaps (LIKE register)" \
  -c "\\copy gaps (line, $header) FROM '$tmp/gaps.numbered' WITH (FORMAT csv)"
"$ELIG" run --no-progress --format jsonl --as-of $AS_OF --rejects "$tmp/gaps.rejects" \
  --aggregates /dev/null rules/national.rules "$tmp/gaps.csv" > "$tmp/gaps.jsonl"
q -c "SELECT line, r FROM (SELECT line, elig.evaluate_history('national', g, '$AS_OF')
        OVER (PARTITION BY hh_id ORDER BY year, line) AS r FROM gaps g) s ORDER BY line" \
  > "$tmp/gaps.rows"
grep -v '"error"' "$tmp/gaps.rows" | cut -d'|' -f2- | jq -cS . > "$tmp/gaps.sql"
check gaps-equal-run sh -c "jq -cS . '$tmp/gaps.jsonl' | cmp - '$tmp/gaps.sql'"
check duplicate-rejected grep -q "|{\"error\": {\"code\": \"E0630\", \"field\": \"hh_id\"" "$tmp/gaps.rows"
check duplicate-is-last-line sh -c "grep E0630 '$tmp/gaps.rows' | cut -d'|' -f1 | grep -qx '$(wc -l < "$tmp/gaps.csv")'"
check duplicate-rejected-by-run grep -q "duplicate: the household already has a record for 2020" "$tmp/gaps.rejects"
q -c "SELECT elig.evaluate_history('national', g, '$AS_OF') OVER (PARTITION BY hh_id
        ORDER BY year DESC) FROM register g" > "$tmp/order.out" 2>&1
check years-out-of-order-said grep -q "must come in the order of their years" "$tmp/order.out"

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

# ---------------------------------------------------------------- bad input

# The malformed-register corpus (tests/bad) through the SQL functions, with its rules: every
# JSON Lines record that PostgreSQL can hold as jsonb, and every CSV record as text columns.
# No backend may fail; every record gets its result or its rejection.
q -c "SELECT elig.load('bad', '$srcdir/tests/bad/bad.rules')" > /dev/null
bad_header=$(python3 -c 'import sys
print(sys.stdin.readline().strip())' < tests/bad/csv_crlf.csv | tr -d '\r')
bad_cols=$(printf '%s' "$bad_header" | sed 's/,/ text, /g; s/$/ text/')
q -c "CREATE TABLE bad_docs (name text, line int, line_text text)" \
  -c "CREATE TABLE bad_rows (name text, line int, $bad_cols)"
python3 - "$bad_header" "$tmp" tests/bad/*.jsonl tests/bad/*.csv <<'PY'
import csv, io, json, sys
header = sys.argv[1].split(",")
tmp = sys.argv[2]
docs = open(tmp + "/bad_docs.csv", "w", newline="")
rows = open(tmp + "/bad_rows.csv", "w", newline="")
dw, rw = csv.writer(docs), csv.writer(rows)
for path in sys.argv[3:]:
    name = path.rsplit("/", 1)[-1]
    data = open(path, "rb").read().replace(b"\0", b"")  # PostgreSQL's text holds no NUL
    text = data.decode("utf-8", "replace")
    if path.endswith(".jsonl"):
        for n, line in enumerate(text.splitlines(), 1):
            dw.writerow([name, n, line])  # as written; jsonb takes it or not (below)
    else:
        try:  # records as Python's reader cuts them; what it cannot cut is the CSV layer's
            for n, cells in enumerate(csv.reader(io.StringIO(text, newline="")), 1):
                if n > 1 and len(cells) == len(header):
                    rw.writerow([name, n] + cells)
        except csv.Error:
            pass
PY
q -c "\\copy bad_docs FROM '$tmp/bad_docs.csv' WITH (FORMAT csv)" \
  -c "\\copy bad_rows FROM '$tmp/bad_rows.csv' WITH (FORMAT csv)"
# the lines jsonb refuses (not JSON, NaN, a lone surrogate) never reach elig
q <<'SQL'
CREATE FUNCTION as_jsonb(t text) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN RETURN t::jsonb; EXCEPTION WHEN others THEN RETURN NULL; END $$;
ALTER TABLE bad_docs ADD COLUMN doc jsonb;
UPDATE bad_docs SET doc = as_jsonb(line_text);
DELETE FROM bad_docs WHERE doc IS NULL;
SQL
q -c "SELECT count(*), count(*) FILTER (WHERE r ? 'error'), count(*) FILTER (WHERE r IS NULL)
      FROM (SELECT elig.evaluate('bad', doc, '$AS_OF') AS r FROM bad_docs) s" > "$tmp/bad_docs.out" 2>&1
q -c "SELECT count(*), count(*) FILTER (WHERE r ? 'error'), count(*) FILTER (WHERE r IS NULL)
      FROM (SELECT elig.evaluate('bad', b, '$AS_OF') AS r FROM bad_rows b) s" > "$tmp/bad_rows.out" 2>&1
check bad-docs-answered grep -Eq '^[1-9][0-9]*\|[1-9][0-9]*\|0$' "$tmp/bad_docs.out"
check bad-rows-answered grep -Eq '^[1-9][0-9]*\|[1-9][0-9]*\|0$' "$tmp/bad_rows.out"
check server-still-up [ "$(q -c 'SELECT 1')" = 1 ]
echo "postgresql: bad input: docs $(cat "$tmp/bad_docs.out") rows $(cat "$tmp/bad_rows.out") (all|rejected|unanswered)"

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
