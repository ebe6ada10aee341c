-- elig--1.0.sql: the elig extension (doc/postgresql.md).
\echo Use "CREATE EXTENSION elig" to load this file. \quit

-- Rule sets loaded into this database: a name, and the hash of the texts it names.
CREATE TABLE elig.rulesets (
  name text PRIMARY KEY CHECK (name <> '' AND name NOT LIKE 'sha256:%'),
  hash text NOT NULL,
  root text NOT NULL,
  policy text NOT NULL,
  version text NOT NULL,
  loaded_at timestamptz NOT NULL DEFAULT now(),
  loaded_by name NOT NULL DEFAULT current_user
);
-- Their files, under the hash: the root (ordinal 0) and every import, as the rules name
-- them.  A hash is kept while any name may come back to it: rows here are never changed.
CREATE TABLE elig.rule_files (
  hash text NOT NULL,
  ordinal int NOT NULL,
  path text NOT NULL,
  body text NOT NULL,
  PRIMARY KEY (hash, path)
);
SELECT pg_catalog.pg_extension_config_dump('elig.rulesets', '');
SELECT pg_catalog.pg_extension_config_dump('elig.rule_files', '');

-- Loading and checking --------------------------------------------------------------------

CREATE FUNCTION elig.load(name text, path text) RETURNS text
  AS 'MODULE_PATHNAME', 'pgelig_load_file' LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION elig.load(text, text) IS
  'loads the rule file at path on the server (and its imports) under name; returns its hash';

CREATE FUNCTION elig.load(name text, root text, files jsonb) RETURNS text
  AS 'MODULE_PATHNAME', 'pgelig_load_sources' LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION elig.load(text, text, jsonb) IS
  'loads a rule set given as {"path": "text", ...} with its root file under name; returns its hash';

CREATE FUNCTION elig.check(path text,
    OUT file text, OUT line int, OUT col int, OUT severity text, OUT code text,
    OUT message text, OUT help text) RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'pgelig_check_file' LANGUAGE C STRICT VOLATILE PARALLEL SAFE;

CREATE FUNCTION elig.check(root text, files jsonb,
    OUT file text, OUT line int, OUT col int, OUT severity text, OUT code text,
    OUT message text, OUT help text) RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'pgelig_check_sources' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION elig.hash(name text) RETURNS text
  AS 'MODULE_PATHNAME', 'pgelig_hash' LANGUAGE C STRICT STABLE PARALLEL SAFE;

-- Evaluating -------------------------------------------------------------------------------

-- A row of any table (or any composite), read by column name; as_of NULL: current_date.
-- A row the rules reject gives {"error": {"code", "field", "reason"}}, or an error when raise.
CREATE FUNCTION elig.evaluate(rules text, rec record, as_of date DEFAULT NULL,
                              raise boolean DEFAULT false) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pgelig_evaluate' LANGUAGE C CALLED ON NULL INPUT STABLE PARALLEL SAFE;

-- The same by hash and at a given date: IMMUTABLE, so that postgres_fdw ships it to the
-- server that holds the rows (the same hash there means the same rules).
CREATE FUNCTION elig.evaluate_at(rules_hash text, rec record, as_of date,
                                 raise boolean DEFAULT false) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pgelig_evaluate_at' LANGUAGE C CALLED ON NULL INPUT IMMUTABLE
  PARALLEL SAFE;

-- The record as the fields' names and their values as text (NULL: absent), by hash and at
-- a given date, IMMUTABLE: arrays of columns are what postgres_fdw can ship to the server
-- that holds the rows (a whole row it cannot), so this is the form for foreign partitions.
CREATE FUNCTION elig.evaluate_fields(rules_hash text, names text[], vals text[], as_of date,
                                     raise boolean DEFAULT false) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pgelig_evaluate_fields' LANGUAGE C CALLED ON NULL INPUT IMMUTABLE
  PARALLEL SAFE;

-- A jsonb document whose keys are the fields (lists of members included).
CREATE FUNCTION elig.evaluate(rules text, doc jsonb, as_of date DEFAULT NULL,
                              raise boolean DEFAULT false) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pgelig_evaluate_jsonb' LANGUAGE C CALLED ON NULL INPUT STABLE
  PARALLEL SAFE;

-- The result as a row of shape's type (NULL::my_result): attributes named after the rule
-- set's columns, "flags" text[], "error_code", "error_field", "error_reason".
CREATE FUNCTION elig.evaluate_as(rules text, rec record, shape anyelement,
                                 as_of date DEFAULT NULL, raise boolean DEFAULT false)
  RETURNS anyelement
  AS 'MODULE_PATHNAME', 'pgelig_evaluate_as' LANGUAGE C CALLED ON NULL INPUT STABLE
  PARALLEL SAFE;

CREATE FUNCTION elig.explain(rules text, rec record, as_of date DEFAULT NULL,
                             format text DEFAULT 'text') RETURNS text
  AS 'MODULE_PATHNAME', 'pgelig_explain' LANGUAGE C CALLED ON NULL INPUT STABLE PARALLEL SAFE;

-- Makes the composite type elig.evaluate_as fills: every column of the rule set, typed.
CREATE FUNCTION elig.create_result_type(rules text, type_name text) RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $$
DECLARE
  cols text;
BEGIN
  SELECT string_agg(format('%I %s', c.name, c.type), ', ' ORDER BY c.ordinal)
    INTO cols FROM elig.columns(rules) AS c;
  EXECUTE format('CREATE TYPE %s AS (%s, flags text[], error_code text, error_field text, '
                 'error_reason text)', type_name, cols);
END $$;

CREATE FUNCTION elig.columns(rules text, OUT ordinal int, OUT name text, OUT type text)
  RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'pgelig_columns' LANGUAGE C STRICT STABLE PARALLEL SAFE;

-- The village and county aggregates (and any other the rules define) of the rows given:
-- a jsonb array of the objects `elig run` writes after its records.
CREATE FUNCTION elig.aggregates_step(internal, rules text, rec record, as_of date)
  RETURNS internal
  AS 'MODULE_PATHNAME', 'pgelig_agg_step' LANGUAGE C CALLED ON NULL INPUT STABLE PARALLEL SAFE;
CREATE FUNCTION elig.aggregates_final(internal) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pgelig_agg_final' LANGUAGE C CALLED ON NULL INPUT STABLE PARALLEL SAFE;
CREATE AGGREGATE elig.aggregates(rules text, rec record, as_of date) (
  SFUNC = elig.aggregates_step,
  STYPE = internal,
  FINALFUNC = elig.aggregates_final,
  FINALFUNC_MODIFY = READ_WRITE,
  PARALLEL = SAFE
);

-- History (`key hh_id per year`): each row with its household's record of the year before,
-- as `elig run` links them.  Use OVER (PARTITION BY hh_id ORDER BY year, <a tie-breaker>).
CREATE FUNCTION elig.evaluate_history(rules text, rec record, as_of date DEFAULT NULL,
                                      raise boolean DEFAULT false) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pgelig_history' LANGUAGE C CALLED ON NULL INPUT WINDOW STABLE
  PARALLEL SAFE;

-- A household's years as evaluate_fields takes a record, evaluated in order with history:
-- a jsonb array of their results, in the aggregate's order.  Shipped whole by postgres_fdw
-- to the server of the household's rows: GROUP BY the partition key and the household, with
-- enable_partitionwise_aggregate on (doc/postgresql.md).
CREATE FUNCTION elig.evaluate_years_step(internal, rules_hash text, names text[], vals text[],
                                         as_of date) RETURNS internal
  AS 'MODULE_PATHNAME', 'pgelig_years_step' LANGUAGE C CALLED ON NULL INPUT IMMUTABLE
  PARALLEL SAFE;
CREATE FUNCTION elig.evaluate_years_final(internal) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pgelig_years_final' LANGUAGE C CALLED ON NULL INPUT IMMUTABLE
  PARALLEL SAFE;
CREATE AGGREGATE elig.evaluate_years(rules_hash text, names text[], vals text[], as_of date) (
  SFUNC = elig.evaluate_years_step,
  STYPE = internal,
  FINALFUNC = elig.evaluate_years_final,
  PARALLEL = SAFE
);
