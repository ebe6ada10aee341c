diff --no-progress --list $TMP/no/such/dir/x.csv before.rules raised.rules small.csv
