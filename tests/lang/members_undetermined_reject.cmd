run --no-progress -j1 members_undetermined.rules members_undetermined.jsonl
