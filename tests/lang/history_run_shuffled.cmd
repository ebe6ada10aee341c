run --no-progress -j2 --rejects $TMP/history_run_shuffled.rej history_run.rules history_run_shuffled.csv
