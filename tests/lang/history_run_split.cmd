run --no-progress -j2 history_run.rules history_run_split_a.csv history_run_split_b.jsonl
