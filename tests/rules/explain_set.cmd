explain ../../rules/national.rules ../../data/sample.csv --id 411623101203-023 --year 2019 --set net_income=12872.00 --set medical_expense=
