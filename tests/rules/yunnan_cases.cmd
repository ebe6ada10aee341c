run --no-progress -j1 ../../rules/provinces/yunnan.rules yunnan_cases.csv
