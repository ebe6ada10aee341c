diff --no-progress --list $TMP/strict.list before.rules strict.rules small.csv
