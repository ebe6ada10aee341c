diff --no-progress before.rules broken.rules small.csv
