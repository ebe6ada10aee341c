explain -f json explain_margins.rules explain_margins.csv --id a
