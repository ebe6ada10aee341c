explain ../../rules/national.rules ../../data/sample.csv --id nobody
