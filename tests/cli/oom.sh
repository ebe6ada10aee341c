#!/bin/sh
# oom.sh -- the command line out of memory: every allocation of the library fails in turn
# (tests/cli/oom_main.c: the same program with a failing allocator), through `elig run`,
# `elig diff` and `elig explain` over a small register.
#
# Compiling the rules comes first in every command and takes most of its allocations; each
# of those fails in turn in tests/unit/check_oom, so here they are sampled (every 89th:
# what matters here is that the program passes a failure of compiling on, not which
# allocation it was) and every allocation after them fails in turn: opening, reading,
# writing, replacing files.
#
# For every N until the command runs through without meeting its failure, the run must end
# with status 4 and "out of memory" said on standard error, no output file (and no
# temporary beside it) left behind, and no crash; a command whose failure was absorbed (a
# PCRE2 JIT fallback) must give exactly what it gives with all the memory it wants.  Under
# the sanitizer build (./bootstrap test) every run is also checked for leaks.
#
# The commands come in three parts, each a test of its own (oom_run.sh, oom_diff.sh,
# oom_other.sh set oom_part and source this), so that `make -j2 check` runs them side by
# side: under the sanitizers they take minutes.  Run alone, this runs all three.
#
# Environment (as make check sets it): srcdir, ELIG_OOM (the test program).
oom_part=${oom_part:-all}
suite=oom-$oom_part; . "${srcdir:-.}/tests/cli/setup.sh"
# ./bootstrap test leaves these to the sanitizer build, which runs them with leak checks
if [ "${ELIG_TEST_QUICK:-}" = 1 ]; then echo "$suite: skipped (ELIG_TEST_QUICK=1)"; exit 77; fi
part() { [ "$oom_part" = all ] || [ "$oom_part" = "$1" ]; }
ELIG_OOM=${ELIG_OOM:-$(pwd)/tests/cli/elig_oom}
rules=$srcdir/rules/national.rules
yunnan=$srcdir/rules/provinces/yunnan.rules
head -41 "$srcdir/data/sample.csv" > "$tmp/register.csv" # 40 households, one rejected

# every_failure NAME OUTPUTS... -- COMMAND...: OUTPUTS are the files the command writes.
every_failure() {
  name=$1; shift
  outputs=""
  while [ "$1" != -- ]; do outputs="$outputs $1"; shift; done
  shift
  rm -f $outputs
  ELIG_FAIL_AT=0 "$ELIG_OOM" "$@" > "$tmp/want.out" 2> "$tmp/want.err"
  want_status=$?
  for f in $outputs; do cp "$f" "$f.want" 2>/dev/null || : > "$f.want"; done
  compiling=$(compile_allocations "$@")
  n=1; tried=0
  while :; do
    rm -f $outputs "$tmp/hit" "$tmp"/.*.tmp* 2>/dev/null
    ELIG_FAIL_AT=$n ELIG_FAIL_HIT=$tmp/hit "$ELIG_OOM" "$@" > "$tmp/got.out" 2> "$tmp/got.err"
    status=$?
    if [ ! -f "$tmp/hit" ]; then
      check "$name-runs-through-$n" [ $status = $want_status ]
      break
    fi
    if [ $status = $want_status ] && cmp -s "$tmp/got.out" "$tmp/want.out"; then
      ok=1 # absorbed: the same result
      for f in $outputs; do cmp -s "$f" "$f.want" || ok=0; done
      [ $ok = 1 ] || { echo "FAIL: $suite/$name-$n: status $status, outputs differ"; fails=$((fails + 1)); }
    elif [ $status != 4 ] || ! grep -q 'out of memory' "$tmp/got.err"; then
      echo "FAIL: $suite/$name-$n: status $status:"; head -5 "$tmp/got.err"
      fails=$((fails + 1))
    else
      for f in $outputs; do
        if [ -e "$f" ]; then echo "FAIL: $suite/$name-$n: $f left behind"; fails=$((fails + 1)); fi
      done
      if ls -a "$tmp" | grep -q '\.tmp'; then
        echo "FAIL: $suite/$name-$n: a temporary left behind"; fails=$((fails + 1))
      fi
    fi
    tried=$((tried + 1))
    if [ $n -lt "$compiling" ]; then n=$((n + 89)); else n=$((n + 1)); fi
  done
  passes=$((passes + 1))
  echo "$suite: $name: $tried of $((n - 1)) allocations failed in turn" \
    "(the first $compiling, compiling, sampled)"
}

# compile_allocations COMMAND ARGS...: how many allocations compiling its rule files takes
# (`elig check` on each .rules argument).
compile_allocations() {
  total=0
  for a in "$@"; do
    case $a in
    *.rules)
      ELIG_FAIL_AT=0 ELIG_FAIL_COUNT=$tmp/count "$ELIG_OOM" check "$a" 2>/dev/null
      total=$((total + $(cat "$tmp/count")));;
    esac
  done
  echo $total
}

if part run; then
  every_failure run "$tmp/out.csv" "$tmp/rej.csv" -- run --no-progress -j1 --as-of 2021-06-30 \
    -o "$tmp/out.csv" --rejects "$tmp/rej.csv" "$rules" "$tmp/register.csv"
  every_failure run-2-threads "$tmp/out.csv" -- run --no-progress -j2 --as-of 2021-06-30 \
    -o "$tmp/out.csv" "$rules" "$tmp/register.csv"
fi
if part diff; then
  # With --by only: the library's diff without it fails every allocation in turn in
  # check_oom already, with and without --by, and the command passes a failure on the same
  # way either way (the run without --by cost 45 CPU-seconds of CI under the sanitizers).
  every_failure diff-by "$tmp/list.csv" -- diff --no-progress --as-of 2021-06-30 --by county \
    --list "$tmp/list.csv" "$rules" "$yunnan" "$tmp/register.csv"
fi
if part other; then
  every_failure explain -- explain --as-of 2021-06-30 --id 411623101201-003 "$rules" \
    "$tmp/register.csv"
  every_failure test -- test --as-of 2021-06-30 "$yunnan"
  # A register: every 5th allocation after compiling fails in turn while an add of a second
  # year runs (SQLite's own allocations are its own): status 4, "out of memory", and the
  # register as it was.  Then each of an export's.
  { head -1 "$tmp/register.csv"; sed -n 2,11p "$tmp/register.csv"; } > "$tmp/first.csv"
  sed 's/,2019,/,2020,/' "$tmp/first.csv" > "$tmp/second.csv"
  "$ELIG_OOM" register add --no-progress --db "$tmp/base.db" "$rules" "$tmp/first.csv" 2>/dev/null
  "$ELIG_OOM" register export --db "$tmp/base.db" > "$tmp/before.csv" 2>/dev/null
  compiling=$(compile_allocations "$rules")
  for cmd in add export; do
    n=$compiling; tried=0; bad=0
    while :; do
      rm -f "$tmp/t.db" "$tmp/t.db-wal" "$tmp/t.db-shm" "$tmp/hit"
      cp "$tmp/base.db" "$tmp/t.db"
      if [ $cmd = add ]; then
        ELIG_FAIL_AT=$n ELIG_FAIL_HIT=$tmp/hit "$ELIG_OOM" register add --no-progress \
          --db "$tmp/t.db" "$rules" "$tmp/second.csv" > /dev/null 2> "$tmp/got.err"
      else
        ELIG_FAIL_AT=$n ELIG_FAIL_HIT=$tmp/hit "$ELIG_OOM" register export --db "$tmp/t.db" \
          > "$tmp/got.out" 2> "$tmp/got.err"
      fi
      status=$?
      [ -f "$tmp/hit" ] || break
      tried=$((tried + 1))
      absorbed=0
      [ $cmd = export ] && [ $status = 0 ] && cmp -s "$tmp/got.out" "$tmp/before.csv" && absorbed=1
      if [ $absorbed = 0 ] && { [ $status != 4 ] || ! grep -q 'out of memory' "$tmp/got.err"; }; then
        echo "FAIL: $suite/register-$cmd-$n: status $status: $(head -1 "$tmp/got.err")"; bad=1
      fi
      "$ELIG_OOM" register export --db "$tmp/t.db" > "$tmp/now.csv" 2>/dev/null
      cmp -s "$tmp/now.csv" "$tmp/before.csv" ||
        { echo "FAIL: $suite/register-$cmd-$n: the register changed"; bad=1; }
      n=$((n + 5))
    done
    check "register-$cmd" [ $bad = 0 -a $tried -gt 10 ]
    echo "$suite: register $cmd: $tried allocations failed in turn (every 5th after compiling)"
  done
fi

finish
