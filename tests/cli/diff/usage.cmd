diff --no-progress before.rules small.csv
