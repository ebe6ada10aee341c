explain --what-if net_income ../../rules/national.rules ../../data/sample.csv --id 411623101203-023 --year 2020
