diff --no-progress --by county --list $TMP/by_county_list.list county.rules county_raised.rules places.csv
