#!/bin/sh
# golden.sh -- the data-driven end-to-end tests: run `elig` on each case and compare
# what it printed and its exit status with the expected files.
#
# A case is a set of files sharing a name in tests/lang/ (language and commands),
# tests/diag/ (diagnostics), tests/dump/ (the compiled code, `elig check --dump=code`, one
# case per kind of construct) or tests/rules/ (the shipped rule sets):
#   NAME.rules        the rule file
#   NAME.cmd          optional: the arguments after `elig` (default for tests/lang: run
#                     NAME.rules on NAME.csv or NAME.jsonl; for tests/diag: check NAME.rules;
#                     for tests/dump: check --dump=code NAME.rules)
#   NAME.stdin        optional: standard input (default: empty)
#   NAME.csv / NAME.jsonl   input records
#   NAME.out          expected standard output
#   NAME.err          expected standard error (absent: must be empty)
#   NAME.status       expected exit status (absent: 0)
#   NAME.rej          expected reject file: the command writes it to $TMP/NAME.rej
# In NAME.cmd, $TMP is a scratch folder (the source tree may be read-only, as in distcheck);
# in what elig prints, that folder's path is replaced by the text $TMP before comparing.
# UPDATE=1 rewrites the expected files from what elig printed, for review in `git diff`;
# ONLY=PATTERN (a shell pattern on the case name) limits the run, and UPDATE, to some cases.
# GOLDEN_LANG=zh_CN (golden_zh.sh) runs every case with its messages in that language and
# compares with NAME.zh_CN.out / NAME.zh_CN.err where they exist, else with the English
# files: UPDATE=1 then writes a language's file only where its output differs from English.
# GOLDEN_KINDS (default "lang diag dump rules") runs those folders only: `make check-valgrind`
# runs the diagnostics and the rest as two tests (golden_diag.sh, golden_eval.sh), which
# its two jobs run side by side.
# Runs from the case's folder so file names in messages are short and stable.
set -u
ELIG=${ELIG:-$(pwd)/elig}
srcdir=${srcdir:-.}
: "${LC_ALL:=C}"; export LC_ALL
lang=${GOLDEN_LANG:-}
if [ -n "$lang" ]; then
  # C.UTF-8 and LANGUAGE: as on a machine without the language's locale
  LC_ALL=C.UTF-8 LANGUAGE=$lang; export LC_ALL LANGUAGE
  # the build tree's catalogues (make check sets it; a run by hand from the top folder too)
  : "${ELIG_LOCALEDIR:=$(pwd)/locale}"; export ELIG_LOCALEDIR
fi

# expected NAME (out, err): the language's own file when there is one
# expected NAME EXT: sets `want` to the golden file for EXT (no command substitution: each
# is a fork, and the suite runs some thousands of cases in four builds)
expected() {
  if [ -n "$lang" ] && [ -f "$1.$lang.$2" ]; then want=$1.$lang.$2; else want=$1.$2; fi
}

# UPDATE=1 for one output (out, err) from $tmp/$2 of case $1: English rewrites NAME.out;
# another language writes NAME.LANG.out only where it differs from the English
update() {
  if [ -z "$lang" ]; then
    if [ -s "$tmp/$2" ] || [ "$2" = out ]; then cp "$tmp/$2" "$1.$2"; else rm -f "$1.$2"; fi
    return
  fi
  english=$1.$2; [ -f "$english" ] || english=/dev/null
  if cmp -s "$tmp/$2" "$english"; then rm -f "$1.$lang.$2"; else cp "$tmp/$2" "$1.$lang.$2"; fi
}
fails=0; passes=0
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

run_case() {
  dir=$1; name=$2; kind=$3
  cd "$dir" || return 1
  mkdir -p "$tmp/case"
  if [ -f "$name.cmd" ]; then
    rm -rf "$tmp/case"; mkdir "$tmp/case"
    TMP=$tmp/case eval "set -- $(cat "$name.cmd")"
  elif [ "$kind" = diag ]; then
    set -- check "$name.rules"
  elif [ "$kind" = dump ]; then
    set -- check --dump=code "$name.rules"
  elif [ -f "$name.jsonl" ]; then
    set -- run --no-progress -j1 --as-of 2021-06-30 "$name.rules" "$name.jsonl"
  else
    set -- run --no-progress -j1 --as-of 2021-06-30 "$name.rules" "$name.csv"
  fi
  stdin=/dev/null; [ -f "$name.stdin" ] && stdin=$name.stdin
  if [ -f "$name.cmd" ]; then
    # a command's files are under $tmp/case, which the goldens spell $TMP
    ${ELIG_WRAPPER:-} "$ELIG" "$@" >"$tmp/out.raw" 2>"$tmp/err.raw" <"$stdin"
    status=$?
    sed "s|$tmp/case|\$TMP|g" "$tmp/out.raw" > "$tmp/out"
    sed "s|$tmp/case|\$TMP|g" "$tmp/err.raw" > "$tmp/err"
  else
    ${ELIG_WRAPPER:-} "$ELIG" "$@" >"$tmp/out" 2>"$tmp/err" <"$stdin"
    status=$?
  fi
  ok=1
  if [ "${UPDATE:-}" = 1 ]; then
    update "$name" out
    update "$name" err
    if [ -z "$lang" ]; then
      if [ "$status" != 0 ]; then echo "$status" > "$name.status"; else rm -f "$name.status"; fi
      [ -f "$tmp/case/$name.rej" ] && cp "$tmp/case/$name.rej" "$name.rej"
    elif [ -f "$name.rej" ]; then
      if cmp -s "$tmp/case/$name.rej" "$name.rej"; then rm -f "$name.$lang.rej"
      else cp "$tmp/case/$name.rej" "$name.$lang.rej"; fi
    fi
  else
    want_status=0; [ -f "$name.status" ] && read -r want_status < "$name.status"
    if [ "$status" != "$want_status" ]; then
      echo "FAIL: $dir/$name: exit status $status, expected $want_status"; ok=0
    fi
    expected "$name" out; want_out=$want
    if ! cmp -s "$tmp/out" "$want_out" 2>/dev/null; then
      echo "FAIL: $dir/$name: standard output differs from $want_out:"
      diff -u "$want_out" "$tmp/out" 2>&1 | head -40; ok=0
    fi
    expected "$name" err; want_err=$want; [ -f "$want_err" ] || want_err=/dev/null
    if ! cmp -s "$tmp/err" "$want_err"; then
      echo "FAIL: $dir/$name: standard error differs from $want_err:"
      diff -u "$want_err" "$tmp/err" 2>&1 | head -40; ok=0
    fi
    expected "$name" rej; want_rej=$want
    if [ -f "$want_rej" ] && ! cmp -s "$want_rej" "$tmp/case/$name.rej"; then
      echo "FAIL: $dir/$name: reject file differs from $want_rej:"
      diff -u "$want_rej" "$tmp/case/$name.rej" 2>&1 | head -40; ok=0
    fi
  fi
  cd - >/dev/null || return 1
  [ $ok = 1 ]
}

# GOLDEN_DIAG_ONE_PROCESS=1 (golden_diag.sh under valgrind): the diagnostics cases that
# take the default command, `elig check NAME.rules`, are checked first by one `elig check`
# of all their files, whose output must be their expected outputs end to end and whose
# status the highest of theirs.  Valgrind spends about a second starting each process, three
# quarters of `make check-valgrind`'s time when it ran one per case; the one process compiles
# every file all the same.  Should it differ, each case runs alone, to name the one that does.
# Sets `batched` to the names it checked.
check_diag_in_one_process() {
  dir=$1; batched=
  [ "${GOLDEN_DIAG_ONE_PROCESS:-}" = 1 ] && [ -z "$lang" ] && [ "${UPDATE:-}" != 1 ] || return 0
  cd "$dir" || return 1
  files=; names=; want_status=0
  : > "$tmp/want.out"; : > "$tmp/want.err"
  for name in $(ls *.rules | sed 's/\.rules$//'); do
    case $name in _*) continue;; esac
    case $name in ${ONLY:-*}) ;; *) continue;; esac
    [ -f "$name.cmd" ] || [ -f "$name.stdin" ] || [ -f "$name.rej" ] && continue
    status=0; [ -f "$name.status" ] && read -r status < "$name.status"
    case $status in 0) ;; 1) want_status=1;; *) continue;; esac
    [ -f "$name.out" ] && cat "$name.out" >> "$tmp/want.out"
    [ -f "$name.err" ] && cat "$name.err" >> "$tmp/want.err"
    files="$files $name.rules"; names="$names $name"
  done
  # shellcheck disable=SC2086 # the names are file names without blanks (ls above)
  ${ELIG_WRAPPER:-} "$ELIG" check $files >"$tmp/out" 2>"$tmp/err" </dev/null
  status=$?
  if [ "$status" = "$want_status" ] && cmp -s "$tmp/out" "$tmp/want.out" &&
     cmp -s "$tmp/err" "$tmp/want.err"; then
    batched=$names
    echo "golden: $dir: $(echo $names | wc -w) cases checked by one \`elig check\`"
  else
    echo "golden: $dir: one \`elig check\` of all the cases differs (status $status," \
      "expected $want_status); each case alone:"
  fi
  cd - >/dev/null || return 1
}

for kind in ${GOLDEN_KINDS:-lang diag dump rules}; do
  dir=$srcdir/tests/$kind
  [ -d "$dir" ] || continue
  batched=
  [ "$kind" = diag ] && check_diag_in_one_process "$dir"
  # a case is named by its rule file, or by its command file when it uses shared rules
  for name in $(cd "$dir" && ls *.rules *.cmd 2>/dev/null | sed 's/\.[a-z]*$//' | sort -u); do
    # files imported by other cases are not cases of their own
    case $name in _*) continue;; esac
    case $name in ${ONLY:-*}) ;; *) continue;; esac
    case " $batched " in *" $name "*) passes=$((passes + 1)); continue;; esac
    if run_case "$dir" "$name" "$kind"; then passes=$((passes + 1)); else fails=$((fails + 1)); fi
  done
done
echo "golden${lang:+ ($lang)}: $passes passed, $fails failed"
[ $fails = 0 ]
