diff --no-progress --list $TMP/added_list.list before.rules added.rules small.csv
