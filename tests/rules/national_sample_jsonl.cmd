run --no-progress -j1 --rejects $TMP/national_sample_jsonl.rej ../../rules/national.rules ../../data/sample.jsonl
