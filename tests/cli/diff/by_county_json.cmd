diff --no-progress --by county --format json county.rules county_raised.rules places.csv
