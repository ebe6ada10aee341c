#!/usr/bin/env node
// duckdb.js -- the national rules (doc/national-standard.md) written in DuckDB's SQL, as a
// reference peer for elig (issue 20; bench/peers/README.md).
//
//   node duckdb.js [--threads N] REGISTER.csv RESULTS.csv AGGREGATES.csv REJECTS.csv
//
// Written from the standard, not from elig's code.  Every CSV cell is read as text and
// checked as section 1 says; money is whole fen in BIGINT, never floating point; a quotient
// is rounded half away from zero to the fen (section 2) or, for the incidence, to the
// hundredth of a percent (section 6) with integer arithmetic only.  One year a household:
// no record has a previous record (section 8.1), so income_drop is never raised and the
// monitoring state is entered or not_monitored from 2020 (not_applicable before).  A
// register in which some household has two consecutive years is refused (exit 2), since
// this peer does not follow households over the years.
'use strict';
const { DuckDBInstance } = require('@duckdb/node-api');

const args = process.argv.slice(2);
let threads = 1;
if (args[0] === '--threads') { threads = parseInt(args[1], 10); args.splice(0, 2); }
if (args.length !== 4 || !(threads >= 1)) {
  process.stderr.write('usage: node duckdb.js [--threads N] REGISTER.csv RESULTS.csv AGGREGATES.csv REJECTS.csv\n');
  process.exit(2);
}
const [input, results, aggregates, rejects] = args;
const lit = (s) => "'" + s.replace(/'/g, "''") + "'";

const COLUMNS = ['hh_id', 'head_id', 'village_code', 'year', 'size', 'net_income',
  'medical_expense', 'education_expense', 'disaster_loss', 'food_secure', 'clothing_secure',
  'water_safe', 'dropout_children', 'uninsured_members', 'housing_grade', 'labor_members',
  'registered_poor', 'exited_year', 'dibao'];

// a whole number as the schema's int: optional sign (+ or -), digits; a money value: at most two
// decimals (section 1).  Lengths are bounded so that the casts below cannot overflow.
const INT = "'[-+]?[0-9]{1,9}'";
const MONEY = "'[-+]?[0-9]{1,15}([.][0-9]{1,2})?'";
const BOOL = "('0', '1', 'true', 'false')";
const isInt = (c) => `regexp_full_match(${c}, ${INT})`;
const isMoney = (c) => `regexp_full_match(${c}, ${MONEY})`;
const toBool = (c) => `(${c} IN ('1', 'true'))`;
// money text -> whole fen, exactly: DECIMAL(18,2) holds every value the pattern admits
const fen = (c) => `CAST(CAST(${c} AS DECIMAL(18,2)) * 100 AS BIGINT)`;
// a / b rounded to a whole number, halves away from zero; b > 0 (integers only)
const roundDiv = (a, b) => `(sign(${a}) * ((abs(${a}) * 2 + (${b})) // (2 * (${b}))))`;
// whole fen -> yuan text with two decimals
const yuan = (c) => `(CASE WHEN ${c} < 0 THEN '-' ELSE '' END || CAST(abs(${c}) // 100 AS VARCHAR) || '.' || lpad(CAST(abs(${c}) % 100 AS VARCHAR), 2, '0'))`;

// ISO 7064 MOD 11-2 over the first 17 digits (section 1)
const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const checkChar = `substr('10X98765432', 1 + ((${W.map((w, i) =>
  `${w} * CAST(substr(head_id, ${i + 1}, 1) AS INTEGER)`).join(' + ')}) % 11), 1)`;

// the first check that fails, in the order of the schema; NULL when the record is valid
const fault = `CASE
  WHEN hh_id IS NULL THEN 'hh_id|missing'
  WHEN head_id IS NOT NULL AND NOT regexp_full_match(head_id, '[0-9]{17}[0-9X]') THEN 'head_id|pattern'
  WHEN head_id IS NOT NULL AND ${checkChar} <> substr(head_id, 18, 1) THEN 'head_id|check character'
  WHEN village_code IS NULL THEN 'village_code|missing'
  WHEN NOT regexp_full_match(village_code, '[0-9]{12}') THEN 'village_code|pattern'
  WHEN year IS NULL THEN 'year|missing'
  WHEN NOT ${isInt('year')} THEN 'year|not a whole number'
  WHEN CAST(year AS INTEGER) NOT BETWEEN 2014 AND 2035 THEN 'year|range'
  WHEN size IS NULL THEN 'size|missing'
  WHEN NOT ${isInt('size')} THEN 'size|not a whole number'
  WHEN CAST(size AS INTEGER) NOT BETWEEN 1 AND 30 THEN 'size|range'
  WHEN net_income IS NULL THEN 'net_income|missing'
  WHEN NOT ${isMoney('net_income')} THEN 'net_income|not money'
  ${['medical_expense', 'education_expense', 'disaster_loss'].map((c) => `
  WHEN ${c} IS NOT NULL AND NOT ${isMoney(c)} THEN '${c}|not money'
  WHEN ${c} IS NOT NULL AND ${fen(c)} < 0 THEN '${c}|range'`).join('')}
  ${['food_secure', 'clothing_secure', 'water_safe'].map((c) => `
  WHEN ${c} IS NULL THEN '${c}|missing'
  WHEN ${c} NOT IN ${BOOL} THEN '${c}|not a boolean'`).join('')}
  ${['dropout_children', 'uninsured_members'].map((c) => `
  WHEN ${c} IS NOT NULL AND NOT ${isInt(c)} THEN '${c}|not a whole number'
  WHEN ${c} IS NOT NULL AND CAST(${c} AS INTEGER) < 0 THEN '${c}|range'`).join('')}
  WHEN housing_grade IS NULL THEN 'housing_grade|missing'
  WHEN housing_grade NOT IN ('A', 'B', 'C', 'D') THEN 'housing_grade|not one of A B C D'
  WHEN labor_members IS NULL THEN 'labor_members|missing'
  WHEN NOT ${isInt('labor_members')} THEN 'labor_members|not a whole number'
  WHEN CAST(labor_members AS INTEGER) < 0 THEN 'labor_members|range'
  WHEN registered_poor IS NULL THEN 'registered_poor|missing'
  WHEN registered_poor NOT IN ${BOOL} THEN 'registered_poor|not a boolean'
  WHEN exited_year IS NOT NULL AND NOT ${isInt('exited_year')} THEN 'exited_year|not a whole number'
  WHEN dibao IS NOT NULL AND dibao NOT IN ${BOOL} THEN 'dibao|not a boolean'
END`;

// poverty line and monitoring line (section 3), fen; a year outside a table takes its
// nearest entry
const povertyLine = `CASE WHEN year <= 2014 THEN 280000 WHEN year = 2015 THEN 285500
  WHEN year IN (2016, 2017) THEN 295200 WHEN year = 2018 THEN 299500 WHEN year = 2019 THEN 321800
  ELSE 400000 END`;
const monitorLine = `CASE WHEN year <= 2021 THEN 600000 WHEN year = 2022 THEN 630000
  WHEN year = 2023 THEN 660000 WHEN year = 2024 THEN 690000 ELSE 720000 END`;
// incidence cap, percent, by province (section 3.3)
const cap = (code) => `CASE WHEN substr(${code}, 1, 2) IN ('15', '45', '50', '51', '52', '53',
  '54', '61', '62', '63', '64', '65') THEN 3 ELSE 2 END`;

const sql = `
CREATE TABLE raw AS
  SELECT * FROM read_csv(${lit(input)}, header = true, all_varchar = true, delim = ',',
                         quote = '"', escape = '"', auto_detect = false,
                         columns = {${COLUMNS.map((c) => `'${c}': 'VARCHAR'`).join(', ')}});

CREATE TABLE checked AS
  SELECT rowid AS n, hh_id, year AS year_text, ${fault} AS fault, * EXCLUDE (hh_id)
  FROM raw;

-- the first of two records with one key is kept (section 8.1)
CREATE TABLE dup AS
  SELECT n, first_value(n) OVER (PARTITION BY hh_id, CAST(year AS INTEGER) ORDER BY n) AS kept
  FROM checked WHERE fault IS NULL
  QUALIFY n <> kept;

CREATE TABLE rec AS
  SELECT n, hh_id, village_code,
         CAST(year AS INTEGER) AS year,
         CAST(size AS INTEGER) AS size,
         ${fen('net_income')} AS net,
         coalesce(${fen('medical_expense')}, 0) + coalesce(${fen('education_expense')}, 0)
           + coalesce(${fen('disaster_loss')}, 0) AS rigid,
         ${toBool('food_secure')} AND ${toBool('clothing_secure')} AS two_no_worries,
         coalesce(CAST(dropout_children AS INTEGER), 0) = 0
           AND coalesce(CAST(uninsured_members AS INTEGER), 0) = 0
           AND housing_grade IN ('A', 'B') AS three_guarantees,
         ${toBool('water_safe')} AS water_safe,
         CAST(labor_members AS INTEGER) AS labor_members,
         ${toBool('registered_poor')} AS registered_poor,
         exited_year IS NOT NULL AS has_exited_year,
         coalesce(${toBool('dibao')}, false) AS dibao
  FROM checked WHERE fault IS NULL AND n NOT IN (SELECT n FROM dup);

CREATE TABLE lined AS
  SELECT *, ${roundDiv('net', 'size')} AS per_capita,
         ${povertyLine} AS poverty_line, ${monitorLine} AS monitor_line
  FROM rec;

CREATE TABLE decided AS
  SELECT *,
         CASE WHEN registered_poor AND per_capita > poverty_line AND two_no_worries
                   AND three_guarantees AND water_safe THEN 'exit_eligible'
              WHEN registered_poor THEN 'remain_poor'
              WHEN has_exited_year AND year <= 2020 AND per_capita < poverty_line
                THEN 'returned_to_poverty'
              WHEN has_exited_year THEN 'exited'
              WHEN year <= 2020 AND per_capita < poverty_line THEN 'newly_identified'
              ELSE 'not_poor' END AS status
  FROM lined;

CREATE TABLE flagged AS
  SELECT *,
         year >= 2020 AND has_exited_year AND NOT registered_poor
           AND per_capita < monitor_line AS unstable_exited,
         year >= 2020 AND NOT has_exited_year AND status = 'not_poor'
           AND per_capita < monitor_line AS edge_household,
         year >= 2020 AND rigid > 0 AND 2 * rigid > net
           AND ${roundDiv('(net - rigid)', 'size')} < monitor_line AS sudden_hardship,
         false AS income_drop,  -- no previous record (section 8.1)
         year >= 2020 AND labor_members = 0 AND NOT dibao
           AND per_capita < monitor_line AS no_labour_no_dibao,
         year >= 2020 AND NOT (two_no_worries AND three_guarantees AND water_safe)
           AS guarantee_gap
  FROM decided;

CREATE TABLE result AS
  SELECT n, hh_id, year, village_code, size, status, per_capita,
         nullif(concat_ws(';', CASE WHEN unstable_exited THEN 'unstable_exited' END,
                        CASE WHEN edge_household THEN 'edge_household' END,
                        CASE WHEN sudden_hardship THEN 'sudden_hardship' END,
                        CASE WHEN income_drop THEN 'income_drop' END,
                        CASE WHEN no_labour_no_dibao THEN 'no_labour_no_dibao' END,
                        CASE WHEN guarantee_gap THEN 'guarantee_gap' END), '') AS flags,
         -- section 8.2 with no previous record: rows 1, 3 and 6
         CASE WHEN year < 2020 THEN 'not_applicable'
              WHEN unstable_exited OR edge_household OR sudden_hardship OR income_drop
                THEN 'entered'
              ELSE 'not_monitored' END AS monitoring
  FROM flagged;
`;

// a group's figures (section 6)
const group = (key, keyName) => `
  SELECT ${key} AS code, year, count(*) AS households, sum(size) AS population,
         sum(CASE WHEN status IN ('remain_poor', 'newly_identified', 'returned_to_poverty')
                  THEN size ELSE 0 END) AS poor_population,
         count(*) FILTER (WHERE monitoring IN ('entered', 'monitored')) AS monitored,
         min(n) AS first_n, '${keyName}' AS level
  FROM result GROUP BY ALL`;

const out = `
COPY (SELECT hh_id, year, ${yuan('per_capita')} AS per_capita, status, flags, monitoring
      FROM result ORDER BY n) TO ${lit(results)} (HEADER, DELIMITER ',');

COPY (SELECT level, code, year, households, population, poor_population,
             ${'' /* incidence as a percentage, two decimals, half away from zero */}
             CAST(bp // 100 AS VARCHAR) || '.' || lpad(CAST(bp % 100 AS VARCHAR), 2, '0')
               || '%' AS incidence,
             CASE WHEN poor_population * 100 < ${cap('code')} * population
                  THEN 'eligible' ELSE 'not_eligible' END AS exit,
             monitored
      FROM (SELECT *, ${roundDiv('poor_population * 10000', 'population')} AS bp
            FROM (${group('village_code', 'village')} UNION ALL ${group('substr(village_code, 1, 6)', 'county')}))
      ORDER BY level DESC, first_n, year)
  TO ${lit(aggregates)} (HEADER, DELIMITER ',');

COPY (SELECT n + 2 AS line, hh_id, year_text AS year, split_part(fault, '|', 1) AS field,
             split_part(fault, '|', 2) AS reason
      FROM checked WHERE fault IS NOT NULL
      UNION ALL
      SELECT c.n + 2, c.hh_id, c.year_text, 'hh_id', 'duplicate of line ' || (d.kept + 2)
      FROM dup d JOIN checked c USING (n)
      ORDER BY line) TO ${lit(rejects)} (HEADER, DELIMITER ',');
`;

(async () => {
  const db = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const con = await db.connect();
  await con.run('SET preserve_insertion_order = true');
  await con.run(sql);
  const years = (await con.runAndReadAll(
    'SELECT count(*) FROM result a JOIN result b ON a.hh_id = b.hh_id AND a.year = b.year + 1'))
    .getRows()[0][0];
  if (Number(years) > 0) {
    process.stderr.write('duckdb.js: a household has records in consecutive years; this peer ' +
      'evaluates one year a household (no previous record)\n');
    process.exit(2);
  }
  await con.run(out);
  const n = (await con.runAndReadAll(
    'SELECT (SELECT count(*) FROM raw), (SELECT count(*) FROM result)')).getRows()[0];
  process.stderr.write(`duckdb: ${n[0]} records read, ${n[1]} written, ${Number(n[0]) - Number(n[1])} rejected\n`);
})().catch((e) => { process.stderr.write(`duckdb.js: ${e.message}\n`); process.exit(1); });
