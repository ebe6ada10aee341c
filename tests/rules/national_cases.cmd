run --no-progress -j1 ../../rules/national.rules national_cases.csv
