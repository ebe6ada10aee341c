run --no-progress -j1 --missing undetermined --format jsonl members_undetermined.rules members_undetermined.jsonl
