# setup.sh -- what the end-to-end scripts of tests/cli share; each sets `suite` (its name in
# messages) and sources this:  suite=limits; . "${srcdir:-.}/tests/cli/setup.sh"
# It finds elig (ELIG, as make check sets it, made absolute), sets LC_ALL=C, makes a scratch
# folder $tmp removed at exit, and gives check ID COMMAND... (a named assertion) and finish
# (the summary line and the exit status).
set -u
ELIG=${ELIG:-$(pwd)/elig}
case $ELIG in /*) ;; *) ELIG=$(pwd)/$ELIG;; esac
srcdir=${srcdir:-.}
case $srcdir in /*) ;; *) srcdir=$(pwd)/$srcdir;; esac
: "${LC_ALL:=C}"; export LC_ALL
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fails=0; passes=0

check() { # check ID COMMAND...: passes when the command succeeds
  id=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $suite/$id"; fails=$((fails + 1)); fi
}

finish() {
  echo "$suite: $passes passed, $fails failed"
  [ $fails = 0 ]
}
