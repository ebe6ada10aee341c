run --no-progress -j1 --as-of 2021-06-30 --rejects $TMP/rejects_file.rej rejects_file.rules rejects_file.csv
