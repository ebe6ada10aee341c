diff --no-progress before.rules raised.rules missing.csv
