diff --no-progress --by county county.rules county_raised.rules places.csv
