diff --no-progress --by county before.rules county.rules small.csv
