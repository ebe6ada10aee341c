run --no-progress -j2 --memory 64 --rejects $TMP/history_run_spill.rej history_run.rules history_run_shuffled.csv history_run_split_b.jsonl
