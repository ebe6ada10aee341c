#!/bin/sh
# replay.sh -- every fuzz target run over its regression corpus, tests/fuzz/corpus/TARGET:
# each input ever found to crash a target, kept once fixed, and a few seeds.  In the
# sanitizer build (./bootstrap test builds one) this is where such a regression shows.
# Environment (as make check sets it): srcdir, ELIG_WRAPPER.
set -u
srcdir=${srcdir:-.}
fails=0
for t in compile csv jsonl eval register language tokens http mask head sources; do
  if ! ${ELIG_WRAPPER:-} tests/fuzz/replay_$t "$srcdir/tests/fuzz/corpus/$t"; then
    echo "FAIL: fuzz/replay_$t"
    fails=$((fails + 1))
  fi
done
[ $fails = 0 ]
