test --coverage ../../rules/national.rules
