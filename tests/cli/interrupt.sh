#!/bin/sh
# interrupt.sh -- no data lost: a run stopped by SIGINT or SIGTERM, or whose output cannot be
# written (a full disk: /dev/full), says so, exits 4 and never leaves an output file that
# looks complete, nor a temporary one behind.  The input is a FIFO kept open, so the signal
# always arrives while the run is reading.
# Environment (as make check sets it): ELIG, srcdir, ELIG_WRAPPER.
suite=interrupt
. "${srcdir:-.}/tests/cli/setup.sh"
rules=$srcdir/rules/national.rules
sample=$srcdir/data/sample.csv

# interrupted SIGNAL NAME COMMAND...: runs the command on a FIFO that gives 100 records and
# then stays open; sends SIGNAL once the records are in; checks the command's end.
interrupted() {
  sig=$1; name=$2; shift 2
  dir=$tmp/$name
  mkdir "$dir" && cd "$dir" || exit 99
  mkfifo register
  { head -101 "$sample"; sleep 30; } > register &
  feeder=$!
  ${ELIG_WRAPPER:-} "$ELIG" "$@" register > stdout 2> stderr &
  pid=$!
  # wait until the run writes its output aside (it reads from then on; under valgrind that
  # takes a while), then a moment for the records to go through
  i=0
  while ! ls | grep -q '\.tmp-' && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
  sleep 0.5
  kill -"$sig" "$pid"
  i=0
  while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  if kill -0 "$pid" 2>/dev/null; then
    echo "interrupt/$name: still running 10 s after SIG$sig"
    kill -9 "$pid"
  fi
  wait "$pid"; status=$?
  kill "$feeder" 2>/dev/null; wait "$feeder" 2>/dev/null
  check "$name-exit-4" [ "$status" = 4 ]
  check "$name-says-so" grep -q 'elig: interrupted' stderr
  check "$name-no-output-left" sh -c '! ls | grep -v -e "^register$" -e "^stdout$" -e "^stderr$"'
  cd "$tmp" || exit 99
}

interrupted INT run-sigint run --no-progress -o out.csv --rejects rejects.csv \
  --aggregates aggregates.csv "$rules"
interrupted TERM run-sigterm run --no-progress -j2 -o out.csv "$rules"
interrupted INT diff-sigint diff --no-progress --list changed.csv "$rules" \
  "$srcdir/rules/provinces/yunnan.rules"

# A full disk: the output cannot be written.
"$ELIG" run --no-progress -o /dev/full "$rules" "$sample" 2> full.err; status=$?
check full-exit-4 [ "$status" = 4 ]
check full-says-so grep -q "cannot write '/dev/full'" full.err
"$ELIG" run --no-progress --rejects /dev/full -o "$tmp/kept.csv" "$rules" "$sample" \
  2> full2.err; status=$?
check full-rejects-exit-4 [ "$status" = 4 ]
check full-rejects-no-results-kept [ ! -e "$tmp/kept.csv" ]
check full-no-temporary sh -c "! ls '$tmp' | grep -q 'kept.csv.tmp'"
"$ELIG" run --no-progress "$rules" "$sample" > /dev/full 2> full3.err; status=$?
check full-stdout-exit-4 [ "$status" = 4 ]

# Outputs that would overwrite each other or the register are refused before anything is
# opened (status 2), and nothing is written.
mkdir "$tmp/paths" && cd "$tmp/paths" || exit 99
head -51 "$sample" > reg.csv
cp reg.csv reg.orig
"$ELIG" run --no-progress -o out.csv --rejects out.csv "$rules" reg.csv 2> same.err; status=$?
check same-output-twice-exit-2 [ "$status" = 2 ]
check same-output-twice-says-so grep -q "two outputs are the same file" same.err
check same-output-twice-nothing-written [ ! -e out.csv ]
"$ELIG" run --no-progress -o ./out.csv --aggregates out.csv "$rules" reg.csv 2> /dev/null
check same-output-spelt-apart-exit-2 [ $? = 2 ]
"$ELIG" run --no-progress -o reg.csv "$rules" reg.csv 2> input.err; status=$?
check output-is-input-exit-2 [ "$status" = 2 ]
check output-is-input-says-so grep -q "is the input 'reg.csv'" input.err
check output-is-input-register-kept cmp -s reg.csv reg.orig
ln -s reg.csv alias.csv
"$ELIG" run --no-progress --rejects alias.csv "$rules" reg.csv 2> /dev/null
check output-links-to-input-exit-2 [ $? = 2 ]
check output-links-to-input-register-kept cmp -s reg.csv reg.orig
"$ELIG" run --no-progress -o /dev/null --rejects /dev/null "$rules" reg.csv 2> /dev/null
check dev-null-twice-allowed [ $? = 0 ]
# A link to a regular file: its target is written aside and replaced on success, and left
# alone when the run fails; the link stays a link.
echo old > target.csv
ln -s target.csv link.csv
"$ELIG" run --no-progress -o link.csv "$rules" reg.csv missing.csv 2> /dev/null
check link-failed-run-exit-4 [ $? = 4 ]
check link-failed-run-target-kept grep -qx old target.csv
check link-failed-run-no-temporary sh -c '! ls | grep -q "\.tmp-"'
"$ELIG" run --no-progress -o link.csv "$rules" reg.csv 2> /dev/null
check link-run-exit-0 [ $? = 0 ]
check link-still-a-link [ -L link.csv ]
check link-target-written grep -q '^hh_id,year,per_capita' target.csv
"$ELIG" run --no-progress --rejects - "$rules" reg.csv > mixed.csv 2> /dev/null
check stdout-twice-exit-2 [ $? = 2 ]
"$ELIG" run --no-progress -o reg.csv "$rules" - < reg.csv 2> /dev/null
check output-is-standard-input-exit-2 [ $? = 2 ]
check output-is-standard-input-register-kept cmp -s reg.csv reg.orig
cp "$srcdir/tests/bad/bad.rules" mine.rules
"$ELIG" run --no-progress -o mine.rules mine.rules reg.csv 2> /dev/null
check output-is-rule-file-exit-2 [ $? = 2 ]
check output-is-rule-file-kept cmp -s mine.rules "$srcdir/tests/bad/bad.rules"
# A link to no file yet: what it ends at is written aside too, so a failed run leaves
# nothing, and two outputs through it and by name are one file.
ln -s new.csv dangling.csv
"$ELIG" run --no-progress -o dangling.csv --rejects new.csv "$rules" reg.csv 2> /dev/null
check dangling-link-same-file-exit-2 [ $? = 2 ]
"$ELIG" run --no-progress -o dangling.csv "$rules" reg.csv missing.csv 2> /dev/null
check dangling-link-failed-run-exit-4 [ $? = 4 ]
check dangling-link-failed-run-nothing-left [ ! -e new.csv ]
"$ELIG" run --no-progress -o dangling.csv "$rules" reg.csv 2> /dev/null
check dangling-link-written [ -L dangling.csv ] && [ -s new.csv ]
# The kernel's links for descriptors are written through, as the shell opened them, and
# appended to as `>>` asks.
"$ELIG" run --no-progress -o /dev/stdout "$rules" reg.csv > via-stdout.csv 2> /dev/null
check dev-stdout-exit-0 [ $? = 0 ]
check dev-stdout-written grep -q '^hh_id,year,per_capita' via-stdout.csv
check dev-stdout-no-temporary sh -c '! ls | grep -q "\.tmp-"'
echo kept > appended.log
"$ELIG" run --no-progress -o /dev/stdout "$rules" reg.csv >> appended.log 2> /dev/null
check dev-stdout-appends [ "$(head -1 appended.log)" = kept ]
echo kept > appended2.log
ln -s /dev/stdout my-stdout
"$ELIG" run --no-progress -o my-stdout "$rules" reg.csv >> appended2.log 2> /dev/null
check own-link-to-dev-stdout-appends [ "$(head -1 appended2.log)" = kept ]
# A closed standard output or error is not taken over by an output file.
"$ELIG" run --no-progress --rejects closed.rej "$rules" reg.csv >&- 2> /dev/null
check closed-stdout-exit-4 [ $? = 4 ]
check closed-stdout-nothing-kept [ ! -e closed.rej ]
"$ELIG" run --no-progress -o closed-err.csv "$rules" "$sample" 2>&-
check closed-stderr-exit-3 [ $? = 3 ]
check closed-stderr-results-clean sh -c '! grep -q rejected closed-err.csv'
# A file replaced keeps its permissions; odd names are refused early or handled.
touch private.csv && chmod 600 private.csv
"$ELIG" run --no-progress -o private.csv "$rules" reg.csv 2> /dev/null
check replaced-file-keeps-mode [ "$(stat -c %a private.csv)" = 600 ]
"$ELIG" run --no-progress -o "" "$rules" reg.csv > /dev/null 2>&1
check empty-output-name-exit-2 [ $? = 2 ]
long=$(printf '%0250d' 0)
"$ELIG" run --no-progress -o "$long" "$rules" reg.csv 2> /dev/null
check long-output-name-written [ -s "$long" ]
# A run whose only input cannot be opened writes nothing to standard output.
"$ELIG" run --no-progress "$rules" missing.csv > nothing.out 2> /dev/null
check missing-input-exit-4 [ $? = 4 ]
check missing-input-no-header [ ! -s nothing.out ]
# diff: the list is another output beside the report on standard output, and is kept
# only when the report could be written.
yunnan=$srcdir/rules/provinces/yunnan.rules
"$ELIG" diff --no-progress --list - "$rules" "$yunnan" reg.csv > report.txt 2> /dev/null
check diff-list-stdout-exit-2 [ $? = 2 ]
"$ELIG" diff --no-progress --list list.csv "$rules" "$yunnan" reg.csv > /dev/full 2> /dev/null
check diff-report-full-exit-4 [ $? = 4 ]
check diff-report-full-list-not-kept [ ! -e list.csv ]
# Closed standard input, and standard output closed under a descriptor link, fail as such.
"$ELIG" run --no-progress "$rules" - <&- > /dev/null 2>&1
check closed-stdin-exit-4 [ $? = 4 ]
"$ELIG" run --no-progress -o /dev/stdout "$rules" reg.csv >&- 2> /dev/null
check closed-stdout-through-link-exit-4 [ $? = 4 ]
# Through /dev/stdout into the file standard error also goes to: nothing overwritten.
"$ELIG" run --no-progress -o /dev/stdout --rejects shared.rej "$rules" "$sample" > shared.txt 2>&1
check shared-descriptor-header-kept grep -q '^hh_id,year,per_capita' shared.txt
check shared-descriptor-all-results [ "$(grep -c '^[0-9]\{12\}-[0-9]\{3\},20' shared.txt)" = 1193 ]
check shared-descriptor-summary-last sh -c 'tail -1 shared.txt | grep -q "^elig: 1200 records read"'
# Two long names shortened alike get temporaries of their own.
p=$(printf '%0201d' 0)
"$ELIG" run --no-progress -o "${p}_results.csv" --rejects "${p}_rejects.csv" "$rules" "$sample" \
  2> /dev/null
check long-names-exit-3 [ $? = 3 ]
check long-names-results-apart grep -q '^hh_id,year' "${p}_results.csv"
check long-names-rejects-apart grep -q '^line,hh_id,year' "${p}_rejects.csv"
# A reader that goes away (| head) is a write error: status 4, no temporary left.
for i in 1 2 3 4 5 6 7 8 9 10; do cat "$sample"; done > big.csv  # more than a pipe holds
{ "$ELIG" run --no-progress --rejects piped.rej "$rules" big.csv 2> /dev/null
  echo $? > piped.status; } | head -1 > /dev/null
status=$(cat piped.status)
check broken-pipe-exit-4 [ "$status" = 4 ]
check broken-pipe-no-temporary sh -c '! ls | grep -q "piped.rej"'
# Other commands' standard output that cannot be written is no success.
"$ELIG" check --dump=code "$rules" > /dev/full 2> /dev/null
check check-stdout-full-exit-4 [ $? = 4 ]
# The run stops at an input it cannot read: nothing after it reaches standard output.
"$ELIG" run --no-progress -j4 "$rules" missing.csv reg.csv > after-missing.out 2> /dev/null
check missing-first-input-exit-4 [ $? = 4 ]
check missing-first-input-nothing-out [ ! -s after-missing.out ]
cd "$tmp" || exit 99

finish
