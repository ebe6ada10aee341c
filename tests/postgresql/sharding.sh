#!/bin/sh
# sharding.sh -- a register partitioned by county over two PostgreSQL servers, evaluated
# where its rows are (postgres_fdw), against `elig run` on the same records.
#
# Three servers of the test's own (tests/postgresql/pg_setup.sh): a coordinator and two
# shards, each with the extension and the national rules loaded (the same hash).  The
# coordinator's table `register` is partitioned by county into two foreign tables, one on
# each shard, through postgres_fdw with `extensions 'elig'`, so that the rule functions are
# sent to the shards.  EXPLAIN VERBOSE must show them in each shard's Remote SQL; the
# households' results, each with its year before (elig.evaluate_years, one aggregate per
# household, pushed down per partition), must equal `elig run --format jsonl`'s, rejections
# included; and a condition on the rules' answer (elig.evaluate_fields in WHERE) is
# evaluated on the shards, only the rows that meet it coming back.
#
# Environment (as make check sets it): ELIG, srcdir.
suite=sharding
. "${srcdir:-.}/tests/cli/setup.sh"
. "$srcdir/tests/postgresql/pg_setup.sh"
cd "$srcdir" || exit 99
AS_OF=2021-06-30
pg_start coord
pg_start shard1
pg_start shard2

header=$(head -1 data/sample.csv)
cols=$(printf '%s' "$header" | sed 's/,/ text, /g; s/$/ text/')
names="ARRAY['$(printf '%s' "$header" | sed "s/,/','/g")']"
values="ARRAY[$header]"
# line,county,record: the county is the first six digits of the village code (column 3)
awk -F, 'NR > 1 { print NR "," substr($3, 1, 6) "," $0 }' data/sample.csv > "$tmp/numbered.csv"

hashes=""
for s in coord shard1 shard2; do
  eval "port=\$${s}_port"
  psql_on "$port" -At -c "CREATE EXTENSION elig" > /dev/null
  h=$(psql_on "$port" -At -c "SELECT elig.load('national', '$srcdir/rules/national.rules')")
  hashes="$hashes $h"
done
hash=$(echo $hashes | cut -d' ' -f1)
check same-hash-everywhere [ "$(echo $hashes | tr ' ' '\n' | sort -u | wc -l)" = 1 ]

# each shard holds its county's rows
grep '^[0-9]*,411623,' "$tmp/numbered.csv" > "$tmp/shard1.csv"
grep '^[0-9]*,530621,' "$tmp/numbered.csv" > "$tmp/shard2.csv"
check counties-split [ "$(cat "$tmp/shard1.csv" "$tmp/shard2.csv" | wc -l)" = 1200 ]
for s in shard1 shard2; do
  eval "port=\$${s}_port"
  psql_on "$port" -c "CREATE TABLE register (line int, county text, $cols)" \
    -c "\\copy register (line, county, $header) FROM '$tmp/$s.csv' WITH (FORMAT csv)"
done

psql_on "$coord_port" <<SQL
CREATE EXTENSION postgres_fdw;
CREATE SERVER shard1 FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '127.0.0.1', port '$shard1_port', dbname 'postgres', extensions 'elig');
CREATE SERVER shard2 FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '127.0.0.1', port '$shard2_port', dbname 'postgres', extensions 'elig');
CREATE USER MAPPING FOR postgres SERVER shard1 OPTIONS (user 'postgres');
CREATE USER MAPPING FOR postgres SERVER shard2 OPTIONS (user 'postgres');
CREATE TABLE register (line int, county text, $cols) PARTITION BY LIST (county);
CREATE FOREIGN TABLE register_411623 PARTITION OF register FOR VALUES IN ('411623')
  SERVER shard1 OPTIONS (table_name 'register');
CREATE FOREIGN TABLE register_530621 PARTITION OF register FOR VALUES IN ('530621')
  SERVER shard2 OPTIONS (table_name 'register');
SQL

# one household-year at a time, in a condition: evaluated on each shard (its Remote SQL),
# only the rows that meet it come back -- here the rows the rules reject.  (jsonb's @>, not
# ? 'error': postgres_fdw ships no operator whose text argument has no column's collation)
one="SELECT line FROM register
     WHERE elig.evaluate_fields('$hash', $names, $values, '$AS_OF') @> '{\"error\": {}}'
     ORDER BY line"
psql_on "$coord_port" -At -c "EXPLAIN VERBOSE $one" > "$tmp/explain.one"
check one-shipped-to-both [ "$(grep -c 'Remote SQL: SELECT line FROM public.register WHERE ((elig.evaluate_fields(' "$tmp/explain.one")" = 2 ]
psql_on "$coord_port" -At -c "$one" > "$tmp/one.lines"

# a household's years: one aggregate per household, pushed down per partition
years="SELECT county, hh_id, array_agg(line ORDER BY year, line) AS lines,
         elig.evaluate_years('$hash', $names, $values, '$AS_OF' ORDER BY year, line) AS results
       FROM register GROUP BY county, hh_id"
psql_on "$coord_port" -At -c "SET enable_partitionwise_aggregate = on" \
  -c "EXPLAIN VERBOSE $years" > "$tmp/explain.years"
check years-shipped-to-both [ "$(grep -c 'Remote SQL: SELECT county, hh_id, array_agg(line ORDER BY year ASC NULLS LAST, line ASC NULLS LAST), elig.evaluate_years(' "$tmp/explain.years")" = 2 ]
check years-not-pulled sh -c "! grep -q 'HashAggregate\|GroupAggregate' '$tmp/explain.years'"
psql_on "$coord_port" -At -c "SET enable_partitionwise_aggregate = on" -c "
  SELECT u.line, u.result FROM ($years) h,
    LATERAL unnest(h.lines, ARRAY(SELECT jsonb_array_elements(h.results))) AS u(line, result)
  ORDER BY u.line" > "$tmp/sharded.rows"
check all-rows-answered [ "$(wc -l < "$tmp/sharded.rows")" = 1200 ]

"$ELIG" run --no-progress --format jsonl --as-of $AS_OF --rejects "$tmp/run.rejects" \
  --aggregates "$tmp/run.aggregates" rules/national.rules data/sample.csv > "$tmp/run.jsonl"
grep -v '"error"' "$tmp/sharded.rows" | cut -d'|' -f2- | jq -cS . > "$tmp/sharded.results"
jq -cS . "$tmp/run.jsonl" > "$tmp/run.results"
check sharded-equal-run cmp "$tmp/sharded.results" "$tmp/run.results"
grep '"error"' "$tmp/sharded.rows" | python3 -c '
import json, sys
for row in sys.stdin:
    line, doc = row.rstrip("\n").split("|", 1)
    print(line + "|" + json.loads(doc)["error"]["reason"])' > "$tmp/sharded.rejects"
python3 -c '
import csv, sys
for r in list(csv.reader(open(sys.argv[1])))[1:]:
    print(r[0] + "|" + r[3])' "$tmp/run.rejects" > "$tmp/run.rejects.txt"
check sharded-rejections-equal-run cmp "$tmp/sharded.rejects" "$tmp/run.rejects.txt"
check filtered-on-shards-equal-run sh -c "cut -d'|' -f1 '$tmp/run.rejects.txt' | cmp - '$tmp/one.lines'"

finish
