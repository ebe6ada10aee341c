#!/bin/sh
# embed.sh -- the library as an embedder gets it: `make install` into a scratch root, then
# the programs of doc/examples/embed built against the installed header and library found by
# pkg-config (shared, and static), run, and compared with what the elig program gives for
# the same files: batch (elig_run) with `elig run --rejects`, impact (elig_diff) with
# `elig diff --list`, explain (elig_explain_records) with `elig explain`, tools with
# `elig test --coverage`, `elig fmt -` and `elig check --dump`, allocator (elig_run under a
# counting allocator) with `elig run`.  Also: the installed header compiles on its own as
# strict C11 (and as C++ when there is a compiler), neither installed library exports a
# name but elig_*, and doc/libelig.3 names every function of the header in its SYNOPSIS
# and has an EXAMPLE that compiles and runs.
#
# Environment (as make check sets it): ELIG, srcdir, abs_top_builddir, MAKE, CC, CFLAGS,
# LDFLAGS, ELIG_WRAPPER.  UPDATE=1 rewrites doc/examples/embed/evaluate.out.
if ! command -v pkg-config >/dev/null 2>&1; then
  echo "SKIP: pkg-config is not installed"; exit 77
fi
abs_top_builddir=${abs_top_builddir:-$(pwd)}
suite=embed
. "${srcdir:-.}/tests/cli/setup.sh"
: "${MAKE:=make}" "${CC:=cc}" "${CFLAGS:=}" "${LDFLAGS:=}"

# Install as a user would (MAKEFLAGS cleared: this runs inside `make check`).
root=$tmp/root
if ! (cd "$abs_top_builddir" && MAKEFLAGS= $MAKE install DESTDIR="$root") >"$tmp/install.log" 2>&1
then
  echo "FAIL: embed/install:"; tail -20 "$tmp/install.log"; exit 1
fi
pc=$(find "$root" -name elig.pc | head -1)
check installs-elig.pc [ -n "$pc" ]
[ -n "$pc" ] || exit 1
PKG_CONFIG_PATH=$(dirname "$pc"); PKG_CONFIG_SYSROOT_DIR=$root
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
libdir=$(pkg-config --variable=libdir elig)
case $libdir in "$root"/*) ;; *) libdir=$root$libdir;; esac # pkgconf adds the root, pkg-config not
LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}; export LD_LIBRARY_PATH
examples=$srcdir/doc/examples/embed

# The header alone, strict.
printf '#include <elig.h>\nint main(void) { return elig_version() == 0; }\n' > "$tmp/h.c"
check header-strict-c11 $CC -std=c11 -pedantic -Wall -Wextra -Werror $CFLAGS \
  $(pkg-config --cflags elig) -c "$tmp/h.c" -o "$tmp/h.o"
if command -v c++ >/dev/null 2>&1; then
  cp "$tmp/h.c" "$tmp/h.cpp"
  check header-c++ c++ -std=c++11 -Wall -Wextra -Werror $(pkg-config --cflags elig) \
    -c "$tmp/h.cpp" -o "$tmp/hpp.o"
fi

# Exports: elig_* only, from the shared and from the static library.
exports() { nm -g --defined-only "$1" | awk 'NF == 3 { print $3 }' | grep -v '^elig_'; }
check shared-exports-elig-only sh -c "[ -z \"\$(nm -D --defined-only '$libdir/libelig.so' |
  awk '{ print \$3 }' | grep -v '^elig_')\" ]"
if [ -f "$libdir/libelig.a" ]; then
  check static-exports-elig-only [ -z "$(exports "$libdir/libelig.a")" ]
fi

# The library never prints or exits: no call to stdio's writers, exit or abort in it.
check shared-never-prints-or-exits sh -c "! nm -u '$libdir/libelig.so' |
  grep -wE 'printf|fprintf|vfprintf|puts|fputs|putchar|perror|fwrite|exit|_exit|abort'"

# Build the examples with the commands doc/api.md gives (and this build's own flags: a
# sanitizer build's library needs its runtime in the program too).
build() { # build NAME OUTPUT LIBS...
  name=$1; shift
  build_file "$examples/$name.c" "$@"
}
build_file() { # build_file SOURCE OUTPUT LIBS...
  src=$1; out=$2; shift 2
  $CC -std=c11 -Wall -Werror $CFLAGS "$src" "$@" $LDFLAGS -o "$out" \
    2>"$tmp/build.err" || { cat "$tmp/build.err"; return 1; }
}
check build-evaluate build evaluate "$tmp/evaluate" $(pkg-config --cflags --libs elig)
check build-threads build threads "$tmp/threads" $(pkg-config --cflags --libs elig)
for name in batch impact explain tools allocator; do
  check build-$name build $name "$tmp/$name" $(pkg-config --cflags --libs elig)
done
if [ -f "$libdir/libelig.a" ]; then
  check build-evaluate-static build evaluate "$tmp/evaluate-static" $(pkg-config --cflags elig) \
    -L"$libdir" -l:libelig.a $(pkg-config --libs libpcre2-8 nettle sqlite3) -pthread
fi

# `make install prefix=DIR` (no DESTDIR): elig.pc points into DIR, and the installed program
# finds its library there.
prefix=$tmp/prefix
if (cd "$abs_top_builddir" && MAKEFLAGS= $MAKE install prefix="$prefix") >"$tmp/prefix.log" 2>&1
then
  check prefix-elig.pc [ "$(PKG_CONFIG_PATH=$prefix/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR= \
    pkg-config --variable=libdir elig)" = "$prefix/lib" ]
  check prefix-program-runs sh -c "LD_LIBRARY_PATH= '$prefix/bin/elig' --version >/dev/null"
else
  echo "FAIL: embed/install-prefix:"; tail -20 "$tmp/prefix.log"; fails=$((fails + 1))
fi

# evaluate: its output as recorded (the rule set's hash and the version aside).
cd "$srcdir" || exit 99
normalize() { sed -e 's/sha256:[0-9a-f]*/$HASH/' -e 's/), [0-9][0-9.]*$/), $VERSION/'; }
${ELIG_WRAPPER:-} "$tmp/evaluate" rules/national.rules doc/examples/embed/households.jsonl \
  >"$tmp/evaluate.out" 2>"$tmp/evaluate.err"
status=$?
normalize < "$tmp/evaluate.out" > "$tmp/evaluate.norm"
cat "$tmp/evaluate.err" >> "$tmp/evaluate.norm"
if [ "${UPDATE:-}" = 1 ]; then cp "$tmp/evaluate.norm" doc/examples/embed/evaluate.out; fi
check evaluate-exit-3 [ $status = 3 ]
if ! cmp -s "$tmp/evaluate.norm" doc/examples/embed/evaluate.out; then
  diff -u doc/examples/embed/evaluate.out "$tmp/evaluate.norm" | head -30
  check evaluate-output false
else
  check evaluate-output true
fi
if [ -x "$tmp/evaluate-static" ]; then
  "$tmp/evaluate-static" rules/national.rules doc/examples/embed/households.jsonl \
    >"$tmp/static.out" 2>/dev/null
  check evaluate-static-same cmp -s "$tmp/static.out" "$tmp/evaluate.out"
fi

# threads: whatever the number of threads, exactly what `elig run --format jsonl` writes for
# a register of one year (threads.c evaluates each record alone: with several years of a
# household, `elig run` evaluates each after the year before).
grep -v -e '"year":2019,' -e '"year":2020,' data/sample.jsonl > "$tmp/one-year.jsonl"
"$ELIG" run --format jsonl --rejects "$tmp/one-year.rej" rules/national.rules \
  "$tmp/one-year.jsonl" >"$tmp/run.out" 2>/dev/null
rejected=$(($(wc -l < "$tmp/one-year.rej") - 1))
check threads-some-rejected [ $rejected -gt 0 ]
for n in 1 2 4; do
  ${ELIG_WRAPPER:-} "$tmp/threads" rules/national.rules "$tmp/one-year.jsonl" $n \
    >"$tmp/threads$n.out" 2>"$tmp/threads$n.err"
  status=$?
  check threads-$n-exit-3 [ $status = 3 ]
  check threads-$n-equals-run cmp -s "$tmp/threads$n.out" "$tmp/run.out"
  check threads-$n-reports-rejects [ "$(wc -l < "$tmp/threads$n.err")" = $rejected ]
done

# batch: elig_run over a file read through callbacks; standard output byte for byte that of
# `elig run`, and the reject file that of --rejects.
"$ELIG" run --rejects "$tmp/run-rejects.csv" rules/national.rules data/sample.csv \
  >"$tmp/run.csv" 2>/dev/null
${ELIG_WRAPPER:-} "$tmp/batch" rules/national.rules data/sample.csv "$tmp/batch-rejects.csv" \
  >"$tmp/batch.out" 2>"$tmp/batch.err"
status=$?
check batch-exit-3 [ $status = 3 ]
check batch-equals-run cmp -s "$tmp/batch.out" "$tmp/run.csv"
check batch-rejects-equal-run cmp -s "$tmp/batch-rejects.csv" "$tmp/run-rejects.csv"
check batch-summary grep -q '^batch: 1200 records read, 1193 written, 7 rejected' "$tmp/batch.err"
# a register that cannot be opened: the library's message, status 4, no reject file kept
${ELIG_WRAPPER:-} "$tmp/batch" rules/national.rules "$tmp/none.csv" "$tmp/none-rejects.csv" \
  >/dev/null 2>"$tmp/none.err"
status=$?
check batch-unreadable-exit-4 [ $status = 4 ]
check batch-unreadable-says-why grep -q "^elig: cannot open '$tmp/none.csv': " "$tmp/none.err"
check batch-unreadable-no-rejects [ ! -e "$tmp/none-rejects.csv" ]
# results that cannot be written: the write callback returns false, status 4
if [ -w /dev/full ]; then
  ${ELIG_WRAPPER:-} "$tmp/batch" rules/national.rules data/sample.csv "$tmp/full-rejects.csv" \
    >/dev/full 2>"$tmp/full.err"
  status=$?
  check batch-full-exit-4 [ $status = 4 ]
  check batch-full-no-rejects [ ! -e "$tmp/full-rejects.csv" ]
fi

# impact: elig_diff over a register in memory; the report and the list as `elig diff`'s.
"$ELIG" diff --no-progress --list "$tmp/diff-list.csv" rules/national.rules \
  rules/provinces/yunnan.rules data/sample.csv >"$tmp/diff.out" 2>/dev/null
${ELIG_WRAPPER:-} "$tmp/impact" rules/national.rules rules/provinces/yunnan.rules \
  data/sample.csv "$tmp/impact-list.csv" >"$tmp/impact.out" 2>"$tmp/impact.err"
status=$?
check impact-exit-3 [ $status = 3 ]
check impact-equals-diff cmp -s "$tmp/impact.out" "$tmp/diff.out"
check impact-list-equals-diff cmp -s "$tmp/impact-list.csv" "$tmp/diff-list.csv"

# explain: elig_explain_records over a descriptor; as `elig explain --id --year`, and from
# standard input.
"$ELIG" explain rules/national.rules data/sample.csv --id 411623101201-003 --year 2020 \
  >"$tmp/elig-explain.out" 2>/dev/null
${ELIG_WRAPPER:-} "$tmp/explain" rules/national.rules data/sample.csv 411623101201-003 2020 \
  >"$tmp/explain.out" 2>"$tmp/explain.err"
status=$?
check explain-exit-0 [ $status = 0 ]
check explain-equals-elig cmp -s "$tmp/explain.out" "$tmp/elig-explain.out"
${ELIG_WRAPPER:-} "$tmp/explain" rules/national.rules - 411623101201-003 2020 \
  <data/sample.csv >"$tmp/explain-stdin.out" 2>/dev/null
check explain-stdin sh -c "sed 's|(-:|(data/sample.csv:|' '$tmp/explain-stdin.out' |
  cmp -s - '$tmp/elig-explain.out'"
${ELIG_WRAPPER:-} "$tmp/explain" rules/national.rules data/sample.csv nobody \
  >/dev/null 2>&1
status=$?
check explain-none-exit-3 [ $status = 3 ]

# tools: tests, layout, dumps and the helpers, as the elig program gives them.
"$ELIG" test --coverage rules/provinces/yunnan.rules >"$tmp/elig-test.out" 2>/dev/null
${ELIG_WRAPPER:-} "$tmp/tools" test rules/provinces/yunnan.rules \
  >"$tmp/tools-test.out" 2>/dev/null
status=$?
check tools-test-exit-0 [ $status = 0 ]
check tools-test-equals-elig cmp -s "$tmp/tools-test.out" "$tmp/elig-test.out"
"$ELIG" fmt - <rules/national/household.rules >"$tmp/elig-fmt.out" 2>/dev/null
${ELIG_WRAPPER:-} "$tmp/tools" fmt rules/national/household.rules \
  >"$tmp/tools-fmt.out" 2>/dev/null
check tools-fmt-equals-elig cmp -s "$tmp/tools-fmt.out" "$tmp/elig-fmt.out"
for dump in ast code; do
  "$ELIG" check --dump=$dump rules/national.rules >"$tmp/elig-$dump.out" 2>/dev/null
  ${ELIG_WRAPPER:-} "$tmp/tools" $dump rules/national.rules >"$tmp/tools-$dump.out" 2>/dev/null
  check tools-$dump-equals-elig cmp -s "$tmp/tools-$dump.out" "$tmp/elig-$dump.out"
done
${ELIG_WRAPPER:-} "$tmp/tools" field rules/national.rules net_incme >"$tmp/field.out" 2>&1
check tools-field-suggests [ "$(cat "$tmp/field.out")" = \
  "no field 'net_incme'; did you mean 'net_income'?" ]
${ELIG_WRAPPER:-} "$tmp/tools" test rules/national.rules 2021-02-30 >/dev/null 2>&1
status=$?
check tools-test-bad-date-exit-2 [ $status = 2 ]

# allocator: every block of the library through a counting allocator; the results are those
# of `elig run`, and at the end the library holds nothing, also when a budget made it fail.
${ELIG_WRAPPER:-} "$tmp/allocator" rules/national.rules data/sample.csv \
  >"$tmp/allocator.out" 2>"$tmp/allocator.err"
status=$?
check allocator-exit-3 [ $status = 3 ]
check allocator-equals-run cmp -s "$tmp/allocator.out" "$tmp/run.csv"
check allocator-nothing-held grep -q '^allocator: 0 blocks still held' "$tmp/allocator.err"
${ELIG_WRAPPER:-} "$tmp/allocator" rules/national.rules data/sample.csv 100000 \
  >/dev/null 2>"$tmp/budget.err"
status=$?
check allocator-budget-exit-4 [ $status = 4 ]
check allocator-budget-out-of-memory grep -q '^allocator: the batch failed: out of memory' \
  "$tmp/budget.err"
check allocator-budget-nothing-held grep -q '^allocator: 0 blocks still held' "$tmp/budget.err"

# doc/libelig.3: its SYNOPSIS names every function of the header, and its EXAMPLE compiles
# against the installed library and prints what the page says.
sed -n 's/^ELIG_API [^(]*[ *]\(elig_[a-z_]*\)(.*/\1/p' include/elig.h | sort >"$tmp/header.names"
sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' doc/libelig.3 |
  sed -n 's/^\.BI\{0,1\} "[^(]*[ *]\(elig_[a-z_]*\)(.*/\1/p' | sort >"$tmp/synopsis.names"
check manpage-synopsis-complete cmp -s "$tmp/header.names" "$tmp/synopsis.names"
check manpage-synopsis-nonempty [ -s "$tmp/synopsis.names" ]
sed -n '/^\.SH EXAMPLE/,/^\.SH/p' doc/libelig.3 | sed -n '/^\.EX/,/^\.EE/p' |
  sed -e '/^\.E[XE]/d' -e 's/\\e/\\/g' >"$tmp/manpage.c"
check build-manpage-example build_file "$tmp/manpage.c" "$tmp/manpage" \
  $(pkg-config --cflags --libs elig)
check manpage-example-prints [ "$(${ELIG_WRAPPER:-} "$tmp/manpage" 2>/dev/null)" = \
  "t1/2020: exit_eligible" ]

finish
