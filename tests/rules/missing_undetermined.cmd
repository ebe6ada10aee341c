run --no-progress -j1 --missing undetermined ../../rules/national.rules missing_undetermined.csv
