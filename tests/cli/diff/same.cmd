diff --no-progress before.rules before.rules small.csv
