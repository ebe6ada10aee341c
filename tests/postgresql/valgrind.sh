#!/bin/sh
# valgrind.sh -- the extension's functions in a PostgreSQL backend under valgrind (memcheck):
# no invalid read or write, no use of an uninitialised value, in the extension or the
# library, over the sample register.  Run by `make check-valgrind` (./bootstrap test), not
# by `make check`: a backend under valgrind takes a minute.
#
# The backend runs alone (postgres --single) on a cluster of the test's own
# (tests/postgresql/pg_setup.sh).  Leaks are not checked here: everything the extension and
# the library allocate goes into PostgreSQL's memory contexts, which valgrind does not see
# (extension.sh checks that the "elig" context does not grow from query to query).  One
# report of PostgreSQL's own is suppressed: the padding of WAL pages it writes.
#
# Environment (as make check sets it): srcdir.
suite=pg_valgrind
. "${srcdir:-.}/tests/cli/setup.sh"
command -v valgrind >/dev/null 2>&1 || { echo "SKIP: valgrind is not installed"; exit 77; }
. "$srcdir/tests/postgresql/pg_setup.sh"
cd "$srcdir" || exit 99
pg_start vg
pg_stop vg
header=$(head -1 data/sample.csv)
cols=$(printf '%s' "$header" | sed 's/,/ text, /g; s/$/ text/')
awk 'NR > 1 { print NR "," $0 }' data/sample.csv > "$tmp/numbered.csv"
cat > "$tmp/wal.supp" <<'SUPP'
{
   postgresql-wal-page-padding
   Memcheck:Param
   pwrite64(buf)
   ...
   fun:XLogFlush
}
SUPP
names="ARRAY['$(printf '%s' "$header" | sed "s/,/','/g")']"
cat > "$tmp/script.sql" <<SQL
CREATE EXTENSION elig;
SELECT elig.load('national', '$srcdir/rules/national.rules');
CREATE TABLE register (line int, $cols);
COPY register (line, $header) FROM '$tmp/numbered.csv' WITH (FORMAT csv);
SELECT count(e) FROM (SELECT elig.evaluate('national', r, '2021-06-30') AS e FROM register r) s;
SELECT count(e) FROM (SELECT elig.evaluate_history('national', r, '2021-06-30')
  OVER (PARTITION BY hh_id ORDER BY year, line) AS e FROM register r) s;
SELECT jsonb_array_length(elig.aggregates('national', r, '2021-06-30'
  ORDER BY hh_id, year, line)) FROM register r;
SELECT elig.create_result_type('national', 'national_result');
SELECT count(*) FROM (SELECT (elig.evaluate_as('national', r, NULL::national_result,
  '2021-06-30')).status FROM register r) s;
SELECT length(elig.explain('national', r, '2021-06-30')) FROM register r WHERE line = 2;
SELECT count(*) FROM (SELECT hh_id, elig.evaluate_years(elig.hash('national'), $names,
  ARRAY[$header], '2021-06-30' ORDER BY year, line) FROM register GROUP BY hh_id) s;
SELECT count(*) FROM register WHERE elig.evaluate_fields(elig.hash('national'), $names,
  ARRAY[$header], '2021-06-30') @> '{"error": {}}';
SELECT count(*) FROM elig.check('bad.rules', '{"bad.rules": "record r key id { id text }\ndecide d\n  when idd = 1 then 2\n"}');
SQL
chmod 644 "$tmp/numbered.csv" "$tmp/script.sql" "$tmp/wal.supp"
$as_server env LD_LIBRARY_PATH="$LD_LIBRARY_PATH" ELIG_LOCALEDIR="$ELIG_LOCALEDIR" \
  valgrind --quiet --error-exitcode=99 --suppressions="$tmp/wal.supp" \
  "$pg_root$PG_BIN/postgres" --single -D "$tmp/vg.run/data" -j postgres \
  < "$tmp/script.sql" > "$tmp/vg.out" 2>&1
status=$?
check no-memory-error [ $status = 0 ]
check every-query-answered [ "$(grep -c '^	 1: .* = ' "$tmp/vg.out")" -ge 10 ]
check no-error-in-sql sh -c "! grep -q 'ERROR:' '$tmp/vg.out'"
[ $fails = 0 ] || grep -A12 '^==[0-9]*== [A-Z]' "$tmp/vg.out" | head -60
finish
