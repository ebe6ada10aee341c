diff --no-progress --as-of 2021-06-30 ../../../rules/national.rules ../../../rules/provinces/yunnan.rules ../../../data/sample.csv
