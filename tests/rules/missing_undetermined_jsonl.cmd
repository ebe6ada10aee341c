run --no-progress -j1 --missing undetermined --format jsonl --explain ../../rules/national.rules missing_undetermined.csv
