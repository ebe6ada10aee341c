explain what_if.rules what_if.csv --id a --what-if m
