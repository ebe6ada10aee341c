explain --missing undetermined --id one_age --format json members_undetermined.rules members_undetermined.jsonl
