-- policy.sql -- the national rules (rules/national/) written as plain SQL, for the
-- comparison of bench/postgresql/run: one year's register (2020) of typed columns, no year
-- before (so monitoring is "entered" or "not_monitored", and income_drop, which needs the
-- year before, is never raised).  Written from the standard by hand, as an office would
-- without elig: the same checks of the record (a record that breaks the schema gets no
-- result), the same exact money (numeric, rounded half away from zero to the fen), the same
-- decisions and flags.  bench/postgresql/run checks that it gives elig's answers, row for
-- row, before timing either.
CREATE OR REPLACE VIEW policy AS
WITH checked AS (
  SELECT r.*,
         hh_id IS NOT NULL AND hh_id <> ''
         AND village_code ~ '^[0-9]{12}$'
         AND year BETWEEN 2014 AND 2035
         AND size BETWEEN 1 AND 30
         AND net_income IS NOT NULL AND scale(net_income) <= 2
         AND coalesce(medical_expense, 0) >= 0 AND scale(coalesce(medical_expense, 0)) <= 2
         AND coalesce(education_expense, 0) >= 0 AND scale(coalesce(education_expense, 0)) <= 2
         AND coalesce(disaster_loss, 0) >= 0 AND scale(coalesce(disaster_loss, 0)) <= 2
         AND food_secure IS NOT NULL AND clothing_secure IS NOT NULL AND water_safe IS NOT NULL
         AND coalesce(dropout_children, 0) >= 0 AND coalesce(uninsured_members, 0) >= 0
         AND housing_grade IN ('A', 'B', 'C', 'D')
         AND labor_members >= 0
         AND registered_poor IS NOT NULL
         AND (head_id IS NULL OR (head_id ~ '^[0-9]{17}[0-9X]$'
              AND substr('10X98765432', 1 + (
                    substr(head_id, 1, 1)::int * 7 + substr(head_id, 2, 1)::int * 9
                  + substr(head_id, 3, 1)::int * 10 + substr(head_id, 4, 1)::int * 5
                  + substr(head_id, 5, 1)::int * 8 + substr(head_id, 6, 1)::int * 4
                  + substr(head_id, 7, 1)::int * 2 + substr(head_id, 8, 1)::int * 1
                  + substr(head_id, 9, 1)::int * 6 + substr(head_id, 10, 1)::int * 3
                  + substr(head_id, 11, 1)::int * 7 + substr(head_id, 12, 1)::int * 9
                  + substr(head_id, 13, 1)::int * 10 + substr(head_id, 14, 1)::int * 5
                  + substr(head_id, 15, 1)::int * 8 + substr(head_id, 16, 1)::int * 4
                  + substr(head_id, 17, 1)::int * 2) % 11, 1) = substr(head_id, 18, 1)))
           AS valid
  FROM register r
), derived AS (
  SELECT c.*,
         round(net_income / size, 2) AS per_capita,
         food_secure AND clothing_secure AS two_no_worries,
         coalesce(dropout_children, 0) = 0 AND coalesce(uninsured_members, 0) = 0
           AND housing_grade IN ('A', 'B') AS three_guarantees,
         coalesce(medical_expense, 0) + coalesce(education_expense, 0)
           + coalesce(disaster_loss, 0) AS rigid_expense,
         CASE year WHEN 2014 THEN 2800 WHEN 2015 THEN 2855 WHEN 2016 THEN 2952
                   WHEN 2017 THEN 2952 WHEN 2018 THEN 2995 WHEN 2019 THEN 3218
                   WHEN 2020 THEN 4000 END AS poverty_line,
         CASE year WHEN 2020 THEN 6000 WHEN 2021 THEN 6000 WHEN 2022 THEN 6300
                   WHEN 2023 THEN 6600 WHEN 2024 THEN 6900 WHEN 2025 THEN 7200 END
           AS monitor_line
  FROM checked c WHERE valid
), decided AS (
  SELECT d.*,
         CASE WHEN registered_poor AND per_capita > poverty_line AND two_no_worries
                   AND three_guarantees AND water_safe THEN 'exit_eligible'
              WHEN registered_poor THEN 'remain_poor'
              WHEN exited_year IS NOT NULL AND year <= 2020 AND per_capita < poverty_line
                THEN 'returned_to_poverty'
              WHEN exited_year IS NOT NULL THEN 'exited'
              WHEN year <= 2020 AND per_capita < poverty_line THEN 'newly_identified'
              ELSE 'not_poor' END AS status
  FROM derived d
), flagged AS (
  SELECT x.*,
         year >= 2020 AND exited_year IS NOT NULL AND NOT registered_poor
           AND per_capita < monitor_line AS unstable_exited,
         year >= 2020 AND exited_year IS NULL AND status = 'not_poor'
           AND per_capita < monitor_line AS edge_household,
         year >= 2020 AND rigid_expense > 0 AND 2 * rigid_expense > net_income
           AND round((net_income - rigid_expense) / size, 2) < monitor_line AS sudden_hardship,
         false AS income_drop,
         year >= 2020 AND labor_members = 0 AND NOT coalesce(dibao, false)
           AND per_capita < monitor_line AS no_labour_no_dibao,
         year >= 2020 AND (NOT two_no_worries OR NOT three_guarantees OR NOT water_safe)
           AS guarantee_gap
  FROM decided x
)
SELECT hh_id, year, per_capita, status,
       array_remove(ARRAY[CASE WHEN unstable_exited THEN 'unstable_exited' END,
                          CASE WHEN edge_household THEN 'edge_household' END,
                          CASE WHEN sudden_hardship THEN 'sudden_hardship' END,
                          CASE WHEN income_drop THEN 'income_drop' END,
                          CASE WHEN no_labour_no_dibao THEN 'no_labour_no_dibao' END,
                          CASE WHEN guarantee_gap THEN 'guarantee_gap' END], NULL) AS flags,
       CASE WHEN year < 2020 THEN 'not_applicable'
            WHEN coalesce(unstable_exited OR edge_household OR sudden_hardship OR income_drop,
                          false) THEN 'entered'
            ELSE 'not_monitored' END AS monitoring
FROM flagged;
