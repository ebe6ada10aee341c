test ../../rules/provinces/yunnan.rules
