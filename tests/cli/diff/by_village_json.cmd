diff --no-progress --by village --format json before.rules raised.rules small.csv
