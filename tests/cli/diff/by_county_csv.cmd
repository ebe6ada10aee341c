diff --no-progress --format=csv --by=county county.rules county_raised.rules places.csv
