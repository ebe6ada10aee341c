diff --no-progress --format json added.rules before.rules small.csv
