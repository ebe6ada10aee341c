diff --no-progress --as-of 2021-06-30 ../../../rules/national.rules ../../../rules/national.rules ../../../data/sample.csv
