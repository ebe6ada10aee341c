diff --no-progress --missing undetermined --list $TMP/missing_undetermined.list ../../../rules/national.rules line_2019.rules ../../rules/missing_undetermined.csv
