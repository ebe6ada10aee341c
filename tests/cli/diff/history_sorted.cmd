diff --no-progress --list $TMP/history_sorted.list ../../lang/history_tests.rules history_after.rules ../../lang/history_run.csv
