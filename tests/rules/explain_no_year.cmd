explain ../lang/aggregates.rules ../lang/aggregates.csv --id x --year 2020
