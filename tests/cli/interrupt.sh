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

finish
