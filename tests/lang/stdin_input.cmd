run --no-progress -j1 --input-format jsonl stdin_input.rules stdin_input.jsonl -
