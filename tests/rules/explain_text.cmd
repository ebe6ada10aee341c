explain ../../rules/national.rules ../../data/sample.csv --id 411623101201-003 --year 2020 --as-of 2021-06-30
