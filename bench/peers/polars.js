#!/usr/bin/env node
// polars.js -- the national rules (doc/national-standard.md) written with Polars' lazy API,
// as a reference peer for elig (issue 20; bench/peers/README.md).
//
//   POLARS_MAX_THREADS=N node polars.js REGISTER.csv RESULTS.csv AGGREGATES.csv REJECTS.csv
//
// Written from the standard, not from elig's code.  Every CSV cell is read as text and
// checked as section 1 says; money is whole fen in Int64, never floating point; a quotient is
// rounded half away from zero to the fen (section 2) or, for the incidence, to the hundredth
// of a percent (section 6), by integer division of non-negative Int64 values.  One year a
// household: no record has a previous record (section 8.1), so income_drop is never raised
// and the monitoring state is entered or not_monitored from 2020 (not_applicable before).  A
// register in which some household has two consecutive years is refused (exit 2).
'use strict';
const pl = require('nodejs-polars');
const { col, lit, when } = pl;
// every integer literal is an Int64: a bare JS number would make the arithmetic Float64
const I = (v) => lit(v).cast(pl.Int64);

const args = process.argv.slice(2);
if (args.length !== 4) {
  process.stderr.write('usage: node polars.js REGISTER.csv RESULTS.csv AGGREGATES.csv REJECTS.csv\n');
  process.exit(2);
}
const [input, results, aggregates, rejects] = args;

const INT = /^[-+]?[0-9]{1,9}$/.source;
const MONEY = /^[-+]?[0-9]{1,15}(\.[0-9]{1,2})?$/.source;
const BOOLS = ['0', '1', 'true', 'false'];
const isInt = (c) => col(c).str.contains(INT);
const isMoney = (c) => col(c).str.contains(MONEY);
const isBool = (c) => col(c).isIn(BOOLS);
const toBool = (c) => col(c).isIn(['1', 'true']);
const int = (c) => col(c).cast(pl.Int64, false);
// money text -> whole fen, exactly: the digits without the point, times 100, 10 or 1
const fen = (c) => {
  return col(c).str.replace('.', '', true).cast(pl.Int64, false)
    .mul(when(col(c).str.contains(/\.[0-9]{2}$/.source)).then(I(1))
      .when(col(c).str.contains(/\.[0-9]$/.source)).then(I(10)).otherwise(I(100)));
};
const sign = (e) => when(e.lt(I(0))).then(I(-1)).otherwise(I(1));
// a / b rounded to a whole number, halves away from zero; b > 0.  Int64 div of Int64 is
// integer division; both operands are non-negative here.
const roundDiv = (a, b) => sign(a).mul(a.abs().mul(I(2)).add(b).div(b.mul(I(2))));
// whole fen -> yuan text with two decimals
const yuan = (e) => pl.concatString([
  when(e.lt(0)).then(lit('-')).otherwise(lit('')),
  e.abs().div(I(100)).cast(pl.Utf8), lit('.'),
  e.abs().rem(I(100)).cast(pl.Utf8).str.padStart(2, '0')], '');

// ISO 7064 MOD 11-2 (section 1)
const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const weighted = W.map((w, i) => col('head_id').str.slice(i, 1).cast(pl.Int64, false).mul(I(w)))
  .reduce((a, b) => a.add(b));
const CHARS = '10X98765432';
let checkChar = when(weighted.rem(I(11)).eq(0)).then(lit(CHARS[0]));
for (let i = 1; i < 11; i++) checkChar = checkChar.when(weighted.rem(I(11)).eq(i)).then(lit(CHARS[i]));
checkChar = checkChar.otherwise(lit(null));

// the first check that fails, in the order of the schema; null when the record is valid
const checks = [
  [col('hh_id').isNull(), 'hh_id|missing'],
  [col('head_id').isNotNull().and(col('head_id').str.contains(/^[0-9]{17}[0-9X]$/.source).not()), 'head_id|pattern'],
  [col('head_id').isNotNull().and(checkChar.neq(col('head_id').str.slice(17, 1))), 'head_id|check character'],
  [col('village_code').isNull(), 'village_code|missing'],
  [col('village_code').str.contains(/^[0-9]{12}$/.source).not(), 'village_code|pattern'],
  [col('year').isNull(), 'year|missing'],
  [isInt('year').not(), 'year|not a whole number'],
  [int('year').lt(2014).or(int('year').gt(2035)), 'year|range'],
  [col('size').isNull(), 'size|missing'],
  [isInt('size').not(), 'size|not a whole number'],
  [int('size').lt(1).or(int('size').gt(30)), 'size|range'],
  [col('net_income').isNull(), 'net_income|missing'],
  [isMoney('net_income').not(), 'net_income|not money'],
];
for (const c of ['medical_expense', 'education_expense', 'disaster_loss']) {
  checks.push([col(c).isNotNull().and(isMoney(c).not()), `${c}|not money`]);
  checks.push([col(c).isNotNull().and(fen(c).lt(0)), `${c}|range`]);
}
for (const c of ['food_secure', 'clothing_secure', 'water_safe']) {
  checks.push([col(c).isNull(), `${c}|missing`]);
  checks.push([isBool(c).not(), `${c}|not a boolean`]);
}
for (const c of ['dropout_children', 'uninsured_members']) {
  checks.push([col(c).isNotNull().and(isInt(c).not()), `${c}|not a whole number`]);
  checks.push([col(c).isNotNull().and(int(c).lt(0)), `${c}|range`]);
}
checks.push(
  [col('housing_grade').isNull(), 'housing_grade|missing'],
  [col('housing_grade').isIn(['A', 'B', 'C', 'D']).not(), 'housing_grade|not one of A B C D'],
  [col('labor_members').isNull(), 'labor_members|missing'],
  [isInt('labor_members').not(), 'labor_members|not a whole number'],
  [int('labor_members').lt(0), 'labor_members|range'],
  [col('registered_poor').isNull(), 'registered_poor|missing'],
  [isBool('registered_poor').not(), 'registered_poor|not a boolean'],
  [col('exited_year').isNotNull().and(isInt('exited_year').not()), 'exited_year|not a whole number'],
  [col('dibao').isNotNull().and(isBool('dibao').not()), 'dibao|not a boolean'],
);
// a null condition (a check on an absent value) does not fail
let fault = when(checks[0][0].fillNull(false)).then(lit(checks[0][1]));
for (const [cond, why] of checks.slice(1)) fault = fault.when(cond.fillNull(false)).then(lit(why));
fault = fault.otherwise(lit(null)).alias('fault');

// lines (section 3), fen; a year outside a table takes its nearest entry
const year = col('year');
const povertyLine = when(year.ltEq(2014)).then(I(280000)).when(year.eq(2015)).then(I(285500))
  .when(year.eq(2016).or(year.eq(2017))).then(I(295200)).when(year.eq(2018)).then(I(299500))
  .when(year.eq(2019)).then(I(321800)).otherwise(I(400000)).cast(pl.Int64);
const monitorLine = when(year.ltEq(2021)).then(I(600000)).when(year.eq(2022)).then(I(630000))
  .when(year.eq(2023)).then(I(660000)).when(year.eq(2024)).then(I(690000))
  .otherwise(I(720000)).cast(pl.Int64);
const WEST = ['15', '45', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65'];

const raw = pl.scanCSV(input, { hasHeader: true, inferSchemaLength: 0 }).withRowIndex('n');
// every cell once, checked; the rest reads this table
const checked = raw.withColumns(fault).collectSync().lazy();
// the first of two records with one key is kept (section 8.1)
const valid = checked.filter(col('fault').isNull())
  .withColumns(col('n').first().over([col('hh_id'), int('year')]).alias('kept'));
const rec = valid.filter(col('n').eq(col('kept')))
  .select(
    col('n'), col('hh_id'), col('village_code'),
    int('year').alias('year'), int('size').alias('size'),
    fen('net_income').alias('net'),
    fen('medical_expense').fillNull(I(0)).add(fen('education_expense').fillNull(I(0)))
      .add(fen('disaster_loss').fillNull(I(0))).alias('rigid'),
    toBool('food_secure').and(toBool('clothing_secure')).alias('two_no_worries'),
    int('dropout_children').fillNull(I(0)).eq(I(0)).and(int('uninsured_members').fillNull(I(0)).eq(I(0)))
      .and(col('housing_grade').isIn(['A', 'B'])).alias('three_guarantees'),
    toBool('water_safe').alias('water_safe'),
    int('labor_members').alias('labor_members'),
    toBool('registered_poor').alias('registered_poor'),
    col('exited_year').isNotNull().alias('has_exited_year'),
    toBool('dibao').fillNull(false).alias('dibao'))
  .withColumns(roundDiv(col('net'), col('size')).alias('per_capita'),
    povertyLine.alias('poverty_line'), monitorLine.alias('monitor_line'));

const pc = col('per_capita');
const status = when(col('registered_poor').and(pc.gt(col('poverty_line')))
  .and(col('two_no_worries')).and(col('three_guarantees')).and(col('water_safe')))
  .then(lit('exit_eligible'))
  .when(col('registered_poor')).then(lit('remain_poor'))
  .when(col('has_exited_year').and(year.ltEq(2020)).and(pc.lt(col('poverty_line'))))
  .then(lit('returned_to_poverty'))
  .when(col('has_exited_year')).then(lit('exited'))
  .when(year.ltEq(2020).and(pc.lt(col('poverty_line')))).then(lit('newly_identified'))
  .otherwise(lit('not_poor')).alias('status');

const from2020 = year.gtEq(2020);
const below = pc.lt(col('monitor_line'));
const flagged = rec.withColumns(status).withColumns(
  from2020.and(col('has_exited_year')).and(col('registered_poor').not()).and(below)
    .alias('unstable_exited'),
  from2020.and(col('has_exited_year').not()).and(col('status').eq(lit('not_poor'))).and(below)
    .alias('edge_household'),
  from2020.and(col('rigid').gt(0)).and(col('rigid').mul(I(2)).gt(col('net')))
    .and(roundDiv(col('net').sub(col('rigid')), col('size')).lt(col('monitor_line')))
    .alias('sudden_hardship'),
  lit(false).alias('income_drop'), // no previous record (section 8.1)
  from2020.and(col('labor_members').eq(0)).and(col('dibao').not()).and(below)
    .alias('no_labour_no_dibao'),
  from2020.and(col('two_no_worries').and(col('three_guarantees')).and(col('water_safe')).not())
    .alias('guarantee_gap'));

const FLAGS = ['unstable_exited', 'edge_household', 'sudden_hardship', 'income_drop',
  'no_labour_no_dibao', 'guarantee_gap'];
const resultDf = flagged.withColumns(
  pl.concatList(FLAGS.map((f) => when(col(f)).then(lit(f)).otherwise(lit(null)).cast(pl.Utf8)))
    .lst.eval(pl.element().dropNulls()).lst.join(';').alias('flags'),
  // section 8.2 with no previous record: rows 1, 3 and 6
  when(year.lt(2020)).then(lit('not_applicable'))
    .when(col('unstable_exited').or(col('edge_household')).or(col('sudden_hardship'))
      .or(col('income_drop'))).then(lit('entered'))
    .otherwise(lit('not_monitored')).alias('monitoring'))
  .collectSync();
const result = resultDf.lazy();

const group = (code, level) => result
  .groupBy([code.alias('code'), col('year')])
  .agg(pl.len().cast(pl.Int64).alias('households'), col('size').sum().cast(pl.Int64).alias('population'),
    when(col('status').isIn(['remain_poor', 'newly_identified', 'returned_to_poverty']))
      .then(col('size')).otherwise(I(0)).sum().cast(pl.Int64).alias('poor_population'),
    col('monitoring').isIn(['entered', 'monitored']).sum().cast(pl.Int64).alias('monitored'),
    col('n').min().alias('first_n'))
  .withColumns(lit(level).alias('level'));

const bp = roundDiv(col('poor_population').mul(I(10000)), col('population'));
const cap = when(col('code').str.slice(0, 2).isIn(WEST)).then(I(3)).otherwise(I(2));
const aggs = pl.concat([group(col('village_code'), 'village'),
  group(col('village_code').str.slice(0, 6), 'county')], { how: 'vertical' })
  .withColumns(pl.concatString([bp.div(I(100)).cast(pl.Utf8), lit('.'),
    bp.rem(I(100)).cast(pl.Utf8).str.padStart(2, '0'), lit('%')], '').alias('incidence'),
  when(col('poor_population').mul(I(100)).lt(cap.mul(col('population'))))
    .then(lit('eligible')).otherwise(lit('not_eligible')).alias('exit'))
  .sort(['level', 'first_n', 'year'], [true, false, false])
  .select('level', 'code', 'year', 'households', 'population', 'poor_population', 'incidence',
    'exit', 'monitored');

const rej = pl.concat([
  checked.filter(col('fault').isNotNull())
    .select(col('n').cast(pl.Int64).add(I(2)).alias('line'), 'hh_id', 'year',
      col('fault').str.split('|').lst.get(0).alias('field'),
      col('fault').str.split('|').lst.get(1).alias('reason')),
  valid.filter(col('n').neq(col('kept')))
    .select(col('n').cast(pl.Int64).add(I(2)).alias('line'), 'hh_id', 'year', lit('hh_id').alias('field'),
      pl.concatString([lit('duplicate of line '), col('kept').cast(pl.Int64).add(I(2)).cast(pl.Utf8)], '')
        .alias('reason'))], { how: 'vertical' }).sort('line');

// money stays whole fen in Int64 throughout
for (const [name, type] of Object.entries(resultDf.schema)) {
  if (['net', 'rigid', 'per_capita', 'poverty_line', 'monitor_line'].includes(name) &&
      String(type) !== 'DataType(Int64)') throw new Error(`${name} is ${type}, not Int64`);
}

// one year a household
const consecutive = result.select('hh_id', 'year')
  .join(result.select('hh_id', col('year').add(I(1)).alias('year')), { on: ['hh_id', 'year'] })
  .select(pl.len()).collectSync().getColumn('len').get(0);
if (Number(consecutive) > 0) {
  process.stderr.write('polars.js: a household has records in consecutive years; this peer ' +
    'evaluates one year a household (no previous record)\n');
  process.exit(2);
}
result.sort('n').select('hh_id', 'year', yuan(pc).alias('per_capita'), 'status',
  when(col('flags').eq(lit(''))).then(lit(null)).otherwise(col('flags')).alias('flags'), 'monitoring')
  .sinkCSV(results).collectSync();
aggs.sinkCSV(aggregates).collectSync();
rej.sinkCSV(rejects).collectSync();
const read = checked.select(pl.len()).collectSync().getColumn('len').get(0);
const written = result.select(pl.len()).collectSync().getColumn('len').get(0);
process.stderr.write(`polars: ${read} records read, ${written} written, ${Number(read) - Number(written)} rejected\n`);
