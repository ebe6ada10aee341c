#!/bin/sh
# diff.sh -- end-to-end tests of `elig diff OLD NEW DATA...`: run each case and compare what
# it printed, its exit status and its list file with the expected files.
#
# A case is a set of files sharing a name in tests/cli/diff/:
#   NAME.cmd          the arguments after `elig` (the rule files and data it names sit next
#                     to it, or are the shipped rules/ and data/ reached by ../../../)
#   NAME.out          expected standard output (the report)
#   NAME.err          expected standard error (absent: must be empty)
#   NAME.status       expected exit status (absent: 0)
#   NAME.list         expected --list file: the command writes it to $TMP/NAME.list
# In NAME.cmd, $TMP is a scratch folder (the source tree may be read-only, as in distcheck);
# in what elig prints, that folder's path is replaced by the text $TMP before comparing.
# UPDATE=1 rewrites the expected files from what elig printed, for review in `git diff`;
# ONLY=PATTERN (a shell pattern on the case name) limits the run, and UPDATE, to some cases.
# Runs from tests/cli/diff so file names in messages are short and stable.
# Environment (as make check sets it): ELIG, srcdir, ELIG_WRAPPER.
set -u
ELIG=${ELIG:-$(pwd)/elig}
srcdir=${srcdir:-.}
: "${LC_ALL:=C}"; export LC_ALL
fails=0; passes=0
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

run_case() {
  name=$1
  rm -rf "$tmp/case"; mkdir "$tmp/case"
  TMP=$tmp/case eval "set -- $(cat "$name.cmd")"
  ${ELIG_WRAPPER:-} "$ELIG" "$@" >"$tmp/out.raw" 2>"$tmp/err.raw" </dev/null
  status=$?
  sed "s|$tmp/case|\$TMP|g" "$tmp/out.raw" > "$tmp/out"
  sed "s|$tmp/case|\$TMP|g" "$tmp/err.raw" > "$tmp/err"
  if [ "${UPDATE:-}" = 1 ]; then
    cp "$tmp/out" "$name.out"
    if [ -s "$tmp/err" ]; then cp "$tmp/err" "$name.err"; else rm -f "$name.err"; fi
    if [ "$status" != 0 ]; then echo "$status" > "$name.status"; else rm -f "$name.status"; fi
    [ -f "$tmp/case/$name.list" ] && cp "$tmp/case/$name.list" "$name.list"
    return 0
  fi
  ok=1
  want_status=0; [ -f "$name.status" ] && want_status=$(cat "$name.status")
  if [ "$status" != "$want_status" ]; then
    echo "FAIL: diff/$name: exit status $status, expected $want_status"; ok=0
  fi
  if ! cmp -s "$tmp/out" "$name.out" 2>/dev/null; then
    echo "FAIL: diff/$name: standard output differs from $name.out:"
    diff -u "$name.out" "$tmp/out" 2>&1 | head -40; ok=0
  fi
  want_err=$name.err; [ -f "$want_err" ] || want_err=/dev/null
  if ! cmp -s "$tmp/err" "$want_err"; then
    echo "FAIL: diff/$name: standard error differs from $name.err:"
    diff -u "$want_err" "$tmp/err" 2>&1 | head -40; ok=0
  fi
  if [ -f "$name.list" ] && ! cmp -s "$name.list" "$tmp/case/$name.list"; then
    echo "FAIL: diff/$name: list file differs from $name.list:"
    diff -u "$name.list" "$tmp/case/$name.list" 2>&1 | head -40; ok=0
  fi
  [ $ok = 1 ]
}

case $ELIG in /*) ;; *) ELIG=$(pwd)/$ELIG;; esac
cd "$srcdir/tests/cli/diff" || exit 99
for name in $(ls *.cmd | sed 's/\.cmd$//' | sort); do
  case $name in ${ONLY:-*}) ;; *) continue;; esac
  if run_case "$name"; then passes=$((passes + 1)); else fails=$((fails + 1)); fi
done
echo "diff: $passes passed, $fails failed"
[ $fails = 0 ]
