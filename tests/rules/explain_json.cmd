explain -f json ../../rules/national.rules ../../data/sample.csv --id 530621101203-001 --as-of 2021-06-30
