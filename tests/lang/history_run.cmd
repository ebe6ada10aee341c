run --no-progress -j1 --rejects $TMP/history_run.rej history_run.rules history_run.csv
