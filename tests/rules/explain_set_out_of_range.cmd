explain ../../rules/national.rules ../../data/sample.csv --id 411623101203-023 --year 2019 --set size=0
