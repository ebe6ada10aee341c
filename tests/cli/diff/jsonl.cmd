diff --no-progress --input-format jsonl before.rules raised.rules small.jsonl
