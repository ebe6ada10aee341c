explain ../lang/csv_no_header_all_optional.rules ../lang/csv_no_header_all_optional.csv --id x
