diff --no-progress --by village before.rules raised.rules small.csv
