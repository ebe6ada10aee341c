#!/bin/sh
# embed.sh -- the library as an embedder gets it: `make install` into a scratch root, then
# the programs of doc/examples/embed built against the installed header and library found by
# pkg-config (shared, and static), run, and compared with what `elig run` gives.  Also: the
# installed header compiles on its own as strict C11 (and as C++ when there is a compiler),
# and neither installed library exports a name but elig_*.
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
  name=$1; out=$2; shift 2
  $CC -std=c11 -Wall -Werror $CFLAGS "$examples/$name.c" "$@" $LDFLAGS -o "$out" \
    2>"$tmp/build.err" || { cat "$tmp/build.err"; return 1; }
}
check build-evaluate build evaluate "$tmp/evaluate" $(pkg-config --cflags --libs elig)
check build-threads build threads "$tmp/threads" $(pkg-config --cflags --libs elig)
if [ -f "$libdir/libelig.a" ]; then
  check build-evaluate-static build evaluate "$tmp/evaluate-static" $(pkg-config --cflags elig) \
    -L"$libdir" -l:libelig.a $(pkg-config --libs libpcre2-8 nettle) -pthread
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

# threads: whatever the number of threads, exactly what `elig run --format jsonl` writes.
"$ELIG" run --format jsonl rules/national.rules data/sample.jsonl \
  >"$tmp/run.out" 2>/dev/null
for n in 1 2 4; do
  ${ELIG_WRAPPER:-} "$tmp/threads" rules/national.rules data/sample.jsonl $n \
    >"$tmp/threads$n.out" 2>"$tmp/threads$n.err"
  status=$?
  check threads-$n-exit-3 [ $status = 3 ]
  check threads-$n-equals-run cmp -s "$tmp/threads$n.out" "$tmp/run.out"
  check threads-$n-reports-rejects [ "$(wc -l < "$tmp/threads$n.err")" = 7 ]
done

finish
