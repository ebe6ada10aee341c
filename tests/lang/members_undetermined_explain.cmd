explain --missing undetermined --id both members_undetermined.rules members_undetermined.jsonl
