explain ../../rules/national.rules ../../data/sample.csv --id 411623101203-023 --set size=abc
