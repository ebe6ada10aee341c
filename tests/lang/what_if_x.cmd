explain what_if.rules what_if_x.csv --id a --what-if x
