#!/bin/sh
# privacy.sh -- no resident identity number, name or other value of a record in any message
# unless the operator asks (--show-values); the reject file, the operator's own data, keeps
# every rejected row whole.  Over the sample register, whose bad rows cover a wrong identity
# number, money with three decimals, a bad code and more, in CSV and JSON Lines, through
# elig run and elig diff.
# Environment (as make check sets it): ELIG, srcdir.
suite=privacy
. "${srcdir:-.}/tests/cli/setup.sh"
rules=$srcdir/rules/national.rules
csv=$srcdir/data/sample.csv
jsonl=$srcdir/data/sample.jsonl

# What must not leak: every identity number, every amount of money, every member's name.
cut -d, -f2 "$csv" | grep -E '^[0-9]{17}[0-9X]$' | sort -u > "$tmp/ids"
cut -d, -f6 "$csv" | grep -E '^-?[0-9]+\.[0-9]{2,3}$' | grep -v '^0\.00$' | sort -u > "$tmp/money"
grep -o '"name":"[^"]*"' "$jsonl" | cut -d'"' -f4 | sort -u > "$tmp/names"
check have-ids [ "$(wc -l < "$tmp/ids")" -gt 300 ]
check have-names [ "$(wc -l < "$tmp/names")" -gt 100 ]
leaks() { # leaks FILE: true when FILE holds any of them
  grep -q -F -f "$tmp/ids" "$1" || grep -q -F -f "$tmp/money" "$1" ||
    grep -q -F -f "$tmp/names" "$1"
}

"$ELIG" run --no-progress -o "$tmp/out.csv" "$rules" "$csv" 2> "$tmp/run-csv.err"
check run-csv-rejects-said [ "$(grep -c ': rejected ' "$tmp/run-csv.err")" = 7 ]
if leaks "$tmp/run-csv.err"; then check run-csv-no-values false; else check run-csv-no-values true; fi
"$ELIG" run --no-progress -o "$tmp/out.jsonl" "$rules" "$jsonl" 2> "$tmp/run-jsonl.err"
if leaks "$tmp/run-jsonl.err"; then check run-jsonl-no-values false; else check run-jsonl-no-values true; fi
"$ELIG" diff --no-progress "$rules" "$srcdir/rules/provinces/yunnan.rules" "$csv" \
  > "$tmp/diff.out" 2> "$tmp/diff.err"
if leaks "$tmp/diff.err"; then check diff-no-values false; else check diff-no-values true; fi

# Asked for, the values are there: the wrong identity number and the three-decimal amount.
"$ELIG" run --no-progress --show-values -o "$tmp/out.csv" "$rules" "$csv" 2> "$tmp/shown.err"
check shown-identity-number grep -q "head_id': the check character.*(value '[0-9]\{17\}[0-9X]')" \
  "$tmp/shown.err"
check shown-money grep -q "more than two decimal places (value '[0-9]*\.[0-9][0-9][0-9]')" \
  "$tmp/shown.err"

# The reject file keeps each rejected row as it was: its last column is the row itself.
"$ELIG" run --no-progress --rejects "$tmp/rejects.csv" -o "$tmp/out.csv" "$rules" "$csv" \
  2> /dev/null
check rejects-7-rows [ "$(sed 1d "$tmp/rejects.csv" | wc -l)" = 7 ]
ok=1
while IFS= read -r line; do
  n=${line%%,*}
  row=$(sed -n "${n}p" "$csv")
  quoted="\"$(printf '%s' "$row" | sed 's/"/""/g')\"" # as a CSV field with quotes in it
  case $line in *",$row" | *",$quoted") ;; *) ok=0; echo "privacy: row $n not kept whole" ;; esac
done <<EOF
$(sed 1d "$tmp/rejects.csv")
EOF
check rejects-rows-whole [ $ok = 1 ]

finish
