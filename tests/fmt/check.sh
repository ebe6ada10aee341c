#!/bin/sh
# check.sh -- the tests of `elig fmt`.
#
#  1. Golden pairs, one per construct: tests/fmt/NAME.rules (written untidily) formatted must
#     give tests/fmt/NAME.fmt byte for byte, and NAME.fmt must already be formatted.
#  2. The corpus: every .rules file under rules/, doc/examples/, tests/lang/, tests/diag/ and
#     tests/fmt/ is copied (folders kept, so imports resolve alike) and formatted in place
#     by one `elig fmt FILE...` over all of them.  A file that parses must come out meaning the same, i.e.
#     `elig check --dump=ast` prints the same for the copy as for the original, and be
#     formatted (`elig fmt --check` exits 0: idempotence).  A file that does not parse must
#     be refused with its first error and left byte for byte as it was.
#  3. The command: --check lists unformatted files and exits 1, '-' filters standard input,
#     a syntax error leaves the file alone, several files at once, usage errors.
# Prints one line per failure and "N passed, N failed"; exit 1 on any failure.
# UPDATE=1 rewrites the .fmt files from what elig prints, for review in `git diff`.
set -u
ELIG=${ELIG:-$(pwd)/elig}
srcdir=${srcdir:-.}
: "${LC_ALL:=C}"; export LC_ALL
top=$(cd "$srcdir" && pwd)
passes=0; fails=0
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

pass() { passes=$((passes + 1)); }
fail() { fails=$((fails + 1)); echo "FAIL: $*"; }

# ---------------------------------------------------------------- 1. golden pairs
for src in "$top"/tests/fmt/*.rules; do
  name=$(basename "$src" .rules)
  want="$top/tests/fmt/$name.fmt"
  "$ELIG" fmt - < "$src" > "$tmp/got" 2> "$tmp/err"
  st=$?
  if [ "${UPDATE:-}" = 1 ] && [ $st = 0 ]; then
    cp "$tmp/got" "$want"
  fi
  if [ $st != 0 ]; then
    fail "golden $name: exit $st: $(cat "$tmp/err")"
  elif [ ! -f "$want" ]; then
    fail "golden $name: no $name.fmt"
  elif ! cmp -s "$tmp/got" "$want"; then
    fail "golden $name: output differs from $name.fmt:"
    diff "$want" "$tmp/got" | head -20
  else
    pass
  fi
  if [ -f "$want" ]; then
    if "$ELIG" fmt --check - < "$want" > "$tmp/out" 2>&1; then pass
    else fail "golden $name: $name.fmt is not formatted: $(cat "$tmp/out")"; fi
  fi
done

# ---------------------------------------------------------------- 2. the corpus
mkdir -p "$tmp/orig" "$tmp/copy"
(cd "$top" && find rules doc/examples tests/lang tests/diag tests/fmt -name '*.rules' 2>/dev/null) |
  sort > "$tmp/list"
(cd "$top" && xargs cp --parents -t "$tmp/orig" < "$tmp/list" &&
  xargs cp --parents -t "$tmp/copy" < "$tmp/list") || exit 99
# Each step runs the program once over all the files it concerns, not once a file: every
# start counts, three hundred files a step, and under the sanitizers most of all.
cd "$tmp/copy" || exit 99
xargs "$ELIG" fmt < "$tmp/list" > "$tmp/out" 2> "$tmp/err"
sed -n "s/^elig: '\(.*\)' does not parse; it was not formatted$/\1/p" "$tmp/err" > "$tmp/refused"
cd "$tmp/orig" || exit 99
if [ -s "$tmp/refused" ]; then
  xargs "$ELIG" check < "$tmp/refused" > "$tmp/check.out" 2>&1
fi
: > "$tmp/changed"
: > "$tmp/formatted"
while read -r f; do
  if grep -qxF -- "$f" "$tmp/refused"; then
    first=$(grep -m1 -F -- "$f:" "$tmp/err" | grep -m1 "error\[E0")
    if [ -z "$first" ]; then
      fail "$f: refused without a syntax error"
    elif ! cmp -s "$tmp/orig/$f" "$tmp/copy/$f"; then
      fail "$f: refused but changed"
    elif grep -qxF -- "$first" "$tmp/check.out"; then
      pass
    else
      fail "$f: refused, but elig check does not report its error: $first"
    fi
    continue
  fi
  echo "$f" >> "$tmp/formatted"
  if cmp -s "$tmp/orig/$f" "$tmp/copy/$f"; then
    pass # already formatted: the same file, the same tree
  else
    echo "$f" >> "$tmp/changed"
  fi
done < "$tmp/list"
# every error the formatting said is about a file it refused
if grep "error\[E0" "$tmp/err" | cut -d: -f1 | sort -u | grep -vxF -f "$tmp/refused" > "$tmp/stray"; then
  fail "errors about files that were formatted: $(head -3 "$tmp/stray")"
fi
# a formatted file means what it meant: the same syntax trees, all in one dump each side
if [ -s "$tmp/changed" ]; then
  xargs "$ELIG" check --dump=ast < "$tmp/changed" > "$tmp/ast.orig" 2> /dev/null
  cd "$tmp/copy" || exit 99
  xargs "$ELIG" check --dump=ast < "$tmp/changed" > "$tmp/ast.copy" 2> /dev/null
  if cmp -s "$tmp/ast.orig" "$tmp/ast.copy"; then
    passes=$((passes + $(grep -c . "$tmp/changed")))
  else
    # which file: one at a time, only now
    while read -r f; do
      cd "$tmp/orig" && "$ELIG" check --dump=ast "$f" > "$tmp/one.orig" 2> /dev/null
      cd "$tmp/copy" && "$ELIG" check --dump=ast "$f" > "$tmp/one.copy" 2> /dev/null
      if [ ! -s "$tmp/one.orig" ]; then
        fail "$f: elig check --dump=ast printed no tree"
      elif ! cmp -s "$tmp/one.orig" "$tmp/one.copy"; then
        fail "$f: the syntax tree changed:"
        diff "$tmp/one.orig" "$tmp/one.copy" | head -10
      fi
    done < "$tmp/changed"
  fi
fi
cd "$tmp/copy" || exit 99
# formatting what was formatted changes nothing
if xargs "$ELIG" fmt --check < "$tmp/formatted" > "$tmp/out" 2>&1; then pass
else fail "formatting twice changes: $(cat "$tmp/out")"; fi
cd "$top" || exit 99

# ---------------------------------------------------------------- 3. the command
cd "$tmp" || exit 99
printf 'let  a=1\n' > messy.rules
printf 'let a = 1\n' > tidy.rules
printf 'let a = (1\n' > broken.rules
cp broken.rules broken.orig

# expect STATUS STDOUT-FILE STDERR-PATTERN -- ARGS: runs elig, checks status and output
expect() {
  want_st=$1; want_out=$2; want_err=$3; shift 4
  "$ELIG" "$@" > out 2> err < "${STDIN:-/dev/null}"
  st=$?
  if [ $st != "$want_st" ]; then
    fail "elig $*: exit $st, expected $want_st; stderr: $(head -3 err)"
  elif [ "$want_out" != - ] && ! printf '%s' "$want_out" | cmp -s - out; then
    fail "elig $*: stdout was '$(cat out)', expected '$want_out'"
  elif [ -n "$want_err" ] && ! grep -q -- "$want_err" err; then
    fail "elig $*: stderr lacks '$want_err': $(head -3 err)"
  elif [ -z "$want_err" ] && [ -s err ]; then
    fail "elig $*: unexpected stderr: $(head -3 err)"
  else
    pass
  fi
}

expect 0 '' '' -- fmt --check tidy.rules
expect 1 'messy.rules
' 'not formatted' -- fmt --check tidy.rules messy.rules
if cmp -s messy.rules tidy.rules; then fail "--check rewrote messy.rules"; else pass; fi
STDIN=messy.rules expect 0 'let a = 1
' '' -- fmt -
STDIN=messy.rules expect 1 '<stdin>
' 'not formatted' -- fmt --check -
expect 1 '' 'broken.rules:[0-9]*:[0-9]*: error\[E0401\]' -- fmt broken.rules
if cmp -s broken.rules broken.orig; then pass; else fail "a file that does not parse was changed"; fi
expect 1 '' 'does not parse' -- fmt broken.rules messy.rules
if cmp -s messy.rules tidy.rules; then pass; else fail "the good file after a bad one was not formatted"; fi
chmod 640 messy.rules 2> /dev/null
printf 'let  a=1\n' > messy.rules
expect 0 '' '' -- fmt messy.rules
if cmp -s messy.rules tidy.rules; then pass; else fail "fmt FILE did not rewrite it"; fi
if [ "$(ls -a | grep -c 'fmt-')" = 0 ]; then pass; else fail "a temporary file was left: $(ls -a)"; fi
case $(ls -l messy.rules) in -rw-r-----*) pass ;; *) fail "permissions not kept: $(ls -l messy.rules)" ;; esac
ln -s tidy.rules link.rules 2> /dev/null && {
  printf 'let  b=2\n' > tidy.rules
  expect 0 '' '' -- fmt link.rules
  if [ -L link.rules ] && [ "$(cat tidy.rules)" = "let b = 2" ]; then pass
  else fail "fmt through a symbolic link replaced the link or missed the file"; fi
}
expect 4 '' "cannot read 'nosuch.rules'" -- fmt nosuch.rules
expect 2 '' 'no rule file given' -- fmt
expect 2 '' "unknown option '--chek'" -- fmt --chek tidy.rules
expect 0 - '' -- fmt --help

echo "$passes passed, $fails failed"
[ $fails = 0 ]
