diff --no-progress --by vilage before.rules raised.rules small.csv
