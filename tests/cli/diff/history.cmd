diff --no-progress --list $TMP/history.list ../../lang/history_tests.rules history_after.rules ../../lang/history_run_shuffled.csv
