diff --no-progress --as-of 2021-06-30 --format json ../../../rules/national.rules ../../../rules/provinces/yunnan.rules ../../../data/sample.jsonl
