explain ../../rules/national.rules explain_rejected.csv --id 411623101201-001
