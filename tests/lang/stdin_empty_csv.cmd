run --no-progress -j1 stdin_empty_csv.rules stdin_empty_csv.csv -
