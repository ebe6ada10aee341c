#!/bin/sh
# limits.sh -- the limits no rule file and no record can get past (doc/reliability.md), each
# reached and reported clearly, the rest of the run going on.  The inputs are made here:
# they are too large to keep in the tree.
#   rule files: size (1 MiB), imported files (64), an import cycle, expression nesting (200)
#   records: a text value (1 MiB), a line (64 MiB), JSON nesting (64), a pattern that
#   backtracks without end on a long value
# Environment (as make check sets it): ELIG, srcdir, ELIG_WRAPPER.
suite=limits
. "${srcdir:-.}/tests/cli/setup.sh"
cd "$tmp" || exit 99
elig() { ${ELIG_WRAPPER:-} "$ELIG" "$@"; }
repeat() { # repeat N TEXT: TEXT N times
  awk -v n="$1" -v t="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", t }'
}

# ---------------------------------------------------------------- rule files

# One byte over 1 MiB: refused before it is parsed.
{ echo 'record r key id {'; echo '  id text required'; echo '}'
  repeat 1048576 '#'; echo; } > big.rules
elig check big.rules 2> big.err; status=$?
check file-size-exit-1 [ $status = 1 ]
check file-size-said grep -q "error\[E0505\]: 'big.rules' is larger than the limit of 1048576 bytes" big.err

# A chain of 70 files, each importing the next: the 65th is refused.
for i in $(seq 1 70); do
  { [ $i -lt 70 ] && echo "import \"f$((i + 1)).rules\""; echo "let v$i = $i"; } > f$i.rules
done
elig check f1.rules 2> chain.err; status=$?
check imports-exit-1 [ $status = 1 ]
check imports-said grep -q "error\[E0507\]: the rules are too large: too many imported files" chain.err

# A cycle: named whole.
printf 'import "b.rules"\nlet a = 1\n' > a.rules
printf 'import "c.rules"\nlet b = 1\n' > b.rules
printf 'import "a.rules"\nlet c = 1\n' > c.rules
elig check a.rules 2> cycle.err; status=$?
check cycle-exit-1 [ $status = 1 ]
check cycle-named grep -q "import cycle: a.rules -> b.rules -> c.rules -> a.rules" cycle.err

# An expression nested 10,000 deep: refused at the parser's limit, no stack overflow.
{ printf 'let x = '; repeat 10000 '('; printf '1'; repeat 10000 ')'; echo; } > deep.rules
elig check deep.rules 2> deep.err; status=$?
check nesting-exit-1 [ $status = 1 ]
check nesting-said grep -q "error\[E0504\]: expression nested too deeply (limit 200)" deep.err

# ---------------------------------------------------------------- records

cat > r.rules <<'EOF'
record r key id {
  id text required
  s text optional
}
let evil = s is not none and s matches /^(a|aa)+$/
output id, evil
EOF
# a text value of 1 MiB + 1 byte, a pattern that backtracks without end on 30,000 characters,
# and a good record on each side
{ echo 'id,s'; echo 'before,a'
  printf 'huge,'; repeat 1048577 'x'; echo
  printf 'evil,'; repeat 30000 'a'; echo 'b'
  echo 'after,aa'; } > values.csv
elig run --no-progress -o values.out r.rules values.csv 2> values.err; status=$?
check values-exit-3 [ $status = 3 ]
check text-too-long grep -q "^values.csv:3: rejected: field 's': text longer than 1048576 bytes" values.err
check regex-stopped grep -q "^values.csv:4: rejected evil: regex hit its match limit at r.rules:5:" values.err
check values-others-kept [ "$(cat values.out)" = "id,evil,flags
before,true,
after,true," ]

# A line of 64 MiB + 1 byte: rejected as one record with its line; the next line is read.
{ echo 'id,s'; printf 'long,'; repeat 67108864 'y'; echo; echo 'next,a'; } > line.csv
elig run --no-progress -o line.out r.rules line.csv 2> line.err; status=$?
check line-exit-3 [ $status = 3 ]
check line-said grep -q "^line.csv:2: rejected: .*67108864 bytes" line.err
check line-next-kept [ "$(tail -1 line.out)" = "next,true," ]

# JSON nested deeper than 64: that record is rejected, the next one read.
{ printf '{"id":"deep","s":'; repeat 100 '['; repeat 100 ']'; echo '}'
  echo '{"id":"next","s":"a"}'; } > deep.jsonl
elig run --no-progress -o deep.out r.rules deep.jsonl 2> deepj.err; status=$?
check json-depth-exit-3 [ $status = 3 ]
check json-depth-said grep -q "^deep.jsonl:1: rejected: malformed JSON at column .*: nesting deeper than 64" deepj.err
check json-depth-next-kept [ "$(tail -1 deep.out)" = "next,true," ]

finish
