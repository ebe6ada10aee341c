run --no-progress -j1 --rejects $TMP/national_sample.rej ../../rules/national.rules ../../data/sample.csv
