run --no-progress -j1 --show-defaults --format jsonl --as-of 2021-06-30 ../../rules/national.rules show_defaults.csv
