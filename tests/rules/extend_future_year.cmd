run --no-progress -j1 --rejects $TMP/extend_future_year.rej extend_future_year.rules ../../data/sample.csv
