run --no-progress -j4 multi_file_order.rules multi_file_order.csv multi_file_order.empty.csv multi_file_order.nohdr.csv multi_file_order.jsonl multi_file_order.csv
