test --coverage test_command.rules
