check does_not_exist.rules
