diff --no-progress before.rules raised.rules small.csv
