diff --no-progress --by village --format csv before.rules raised.rules small.csv
