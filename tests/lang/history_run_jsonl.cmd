run --no-progress -j1 --format jsonl history_run.rules history_run_shuffled.csv
