run --no-progress -j1 --as-of 2021-06-30 --format jsonl jsonl_output.rules jsonl_output.csv
