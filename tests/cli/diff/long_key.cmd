diff --no-progress before.rules added.rules long_key.csv
