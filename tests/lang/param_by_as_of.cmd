run --no-progress -j1 --as-of 2022-03-01 param_by_as_of.rules param_by_as_of.csv
