diff --no-progress --format csv before.rules raised.rules small.csv
