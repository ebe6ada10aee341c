diff --no-progress --format json --list $TMP/raised_list.list before.rules raised.rules small.csv
