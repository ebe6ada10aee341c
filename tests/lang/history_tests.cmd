test --coverage history_tests.rules
