diff --no-progress before.rules added.rules small.csv
