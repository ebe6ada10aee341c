run --no-progress -j1 --explain ../../rules/national.rules ../../data/sample.csv
