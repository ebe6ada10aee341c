#!/bin/sh
# run.sh -- the corpus of malformed registers: every bad input file in tests/bad/ is run
# through `elig run` against tests/bad/bad.rules, and each case checks that
#   1. the exit status is the expected one (3 when some records are rejected, 0 when none,
#      4 when the input is refused as a whole), and agrees with the records written;
#   2. every line on standard error is a message naming the file and the line
#      (FILE:LINE: rejected KEY: REASON, FILE:LINE: warning|error: ...), or elig's own
#      warning or summary line, and standard error is exactly NAME.err;
#   3. nothing is lost: the records of the input, counted by hand in NAME.records, are the
#      result lines written with -o plus the rows of the --rejects file (both counted as CSV,
#      so a row holding a quoted line break counts once); the results are exactly NAME.out;
#      the summary line agrees; the reject rows are the rejections of standard error, line
#      for line; when the input is refused (status 4) no output file is left behind;
#   4. each reject row is complete: its `record` column is the input record exactly as it
#      is in the file from the row's line on, every line of it, without its line end (a CSV
#      record whose quote is never closed runs to the end of the file); and the reject file
#      is exactly NAME.rej when there is one.
#
# A case is a set of files sharing a name in tests/bad/:
#   NAME.csv / NAME.jsonl       the input, or
#   NAME.csv.gen / NAME.jsonl.gen   a sh script that writes the input on standard output
#                               (for inputs too large to keep in the tree)
#   NAME.records   the number of records in the input, counted by hand (never by elig):
#                  one per record of RFC 4180 after the header (a quote opens a quoted
#                  field only at the start of a field), one per non-blank line of JSON Lines
#   NAME.out       expected results (standard output of the run without -o)
#   NAME.err       expected standard error of the run without --rejects (absent: empty)
#   NAME.status    expected exit status (absent: 0)
#   NAME.rej       optional: the expected --rejects file (kept for small inputs only)
#   NAME.bug       optional: a known bug the case shows (see below)
# Each case is run twice: `elig run -j1 RULES INPUT` (standard output and error are the
# goldens), then `elig run -j2 -o FILE --rejects FILE RULES INPUT`, whose standard error
# must be the first one's without the rejection lines (they went to the file) and with
# "(see FILE)" after the summary.
#
# The goldens show what a correct elig prints.  A case whose golden shows behaviour elig
# does not have yet (a bug, described in NAME.bug) fails until the bug is fixed.
# UPDATE=1 rewrites NAME.out, NAME.err, NAME.status and NAME.rej from what elig printed,
# for review in `git diff` (review them line by line: a golden is only as good as its
# review); it never touches NAME.records, and leaves a case with a NAME.bug alone.
# ONLY=PATTERN (a shell pattern on the case name) limits the run, and UPDATE, to some cases.
# Runs from tests/bad (a generated input: from the scratch folder) so file names in
# messages are short and stable; in what elig prints, the scratch folder is written $TMP.
# Environment (as make check sets it): ELIG, srcdir, ELIG_WRAPPER.
set -u
ELIG=${ELIG:-$(pwd)/elig}
srcdir=${srcdir:-.}
: "${LC_ALL:=C}"; export LC_ALL
fails=0; passes=0
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

case $ELIG in /*) ;; *) ELIG=$(pwd)/$ELIG;; esac
# The checks read records of 64 MiB: Debian's default awk (mawk) takes a minute to read one
# such line, gawk a fraction of a second.  Any POSIX awk gives the same answers.
AWK=$(command -v gawk || echo awk)
cd "$srcdir/tests/bad" || exit 99
dir=$(pwd)
rules=$dir/bad.rules

# The CSV reader of the checks (awk, RFC 4180): a record is the text up to a line end at
# which its quotes are balanced.  NUL bytes are turned into \001 before awk sees a file.
csv_awk='
# ends_open(T): whether record T ends inside a quoted field, by the rule of src/csv.h: a
# double quote opens a quoted field only at a field start, two in a quoted field are one,
# and a stray one elsewhere opens nothing.
function ends_open(t,    n, c, st, k, j) {
  st = 0  # 0 at a field start, 1 in a field, 2 in quotes, 3 a quote seen in quotes
  n = length(t); k = 1
  while (k <= n) {
    # in quotes, only the next quote matters; in a field, only the next comma (a field of
    # 10 MiB is not walked a byte at a time)
    if (st == 2) { j = index(substr(t, k), "\""); if (j == 0) return 1; k += j; st = 3; continue }
    if (st == 1) { j = index(substr(t, k), ","); if (j == 0) return 0; k += j; st = 0; continue }
    c = substr(t, k, 1); k++
    if (st == 0) { st = (c == "\"") ? 2 : (c == ",") ? 0 : 1; continue }
    if (c == "\"") st = 2; else st = (c == ",") ? 0 : 1
  }
  return st == 2
}
function addline(s) { # adds a physical line; returns 1 when a whole record is in rec
  if (pending) rec = rec "\n" s; else rec = s
  t = s; q += gsub(/"/, "", t)
  pending = q % 2
  return !pending
}
function parse(s,    n, j, f) { # splits record s into F[1..n]; returns n
  n = 0
  for (;;) {
    n++
    if (substr(s, 1, 1) == "\"") {
      s = substr(s, 2); f = ""
      for (;;) {
        j = index(s, "\"")
        if (j == 0) { f = f s; s = ""; break }
        f = f substr(s, 1, j - 1)
        if (substr(s, j + 1, 1) == "\"") { f = f "\""; s = substr(s, j + 2) }
        else { s = substr(s, j + 1); break }
      }
      F[n] = f
      if (s == "") return n
      if (substr(s, 1, 1) != ",") return -n
      s = substr(s, 2)
    } else {
      j = index(s, ",")
      if (j == 0) { F[n] = s; return n }
      F[n] = substr(s, 1, j - 1); s = substr(s, j + 1)
    }
  }
}
'

# csv_count FILE: the number of CSV records in FILE after its header
csv_count() {
  tr '\000' '\001' < "$1" | $AWK "$csv_awk"'
    { if (addline($0)) { n++; q = 0 } }
    END { print (n > 0 ? n - 1 : 0) + (pending ? 1 : 0) }'
}

# check_rejects REJ INPUT: prints one "line N" per row of the reject file, and a "bad: ..."
# line for each row whose record is not the input record as it stands in INPUT.  INPUT is
# read only as far as the last line a row names (awk is slow on lines of 64 MiB).
check_rejects() {
  tr '\000' '\001' < "$1" > "$tmp/rej.t"
  nlines=$(wc -l < "$2")
  [ -s "$2" ] && [ "$(tail -c 1 "$2" | od -An -tx1 | tr -d ' ')" != 0a ] && nlines=$((nlines + 1))
  csv=0; case $2 in *.csv) csv=1;; esac
  tr '\000' '\001' < "$2" 2>/dev/null |
  $AWK -v R="$tmp/rej.t" -v lines="$nlines" -v csv="$csv" "$csv_awk"'
    FILENAME == R {
      if (!addline($0)) next
      q = 0; rows++
      if (rows == 1) {
        if (rec != "line,hh_id,reason,record") print "bad: the header is not line,hh_id,reason,record"
        next
      }
      n = parse(rec)
      if (n != 4) { print "bad: row " rows - 1 " has " n " columns, not 4"; next }
      i++; L[i] = F[1] + 0; K[i] = F[4]
      print "line " F[1]
      t = F[4]; k = gsub(/\n/, "", t) + 1; open[i] = csv ? ends_open(F[4]) : 0; why[i] = F[3]
      for (j = L[i]; j < L[i] + k; j++) want[j] = 1
      last[i] = L[i] + k - 1
      if (last[i] > maxwant) maxwant = last[i]
      next
    }
    FNR > maxwant { exit }
    { if (FNR == 1) sub(/^\357\273\277/, ""); if (FNR in want) line[FNR] = $0 }
    END {
      if (pending) print "bad: the reject file ends inside a quoted field"
      for (r = 1; r <= i; r++) {
        if (last[r] > lines + 0) { print "bad: the record of line " L[r] " has more lines than the input"; continue }
        if (csv && open[r] && last[r] < lines + 0)
          print "bad: the record of line " L[r] " has a quote never closed, yet stops before the end of the file"
        if (why[r] ~ /\(not kept\)$/) {
          # a record over the length limit is never held: its row has an empty record
          if (K[r] != "") print "bad: the record of line " L[r] " was not kept, yet its row holds one"
          continue
        }
        raw = line[L[r]]
        for (j = L[r] + 1; j <= last[r]; j++) raw = raw "\n" line[j]
        sub(/\r$/, "", raw)
        if (raw != K[r]) {
          for (d = 1; substr(raw, d, 1) == substr(K[r], d, 1); d++) ;
          print "bad: the record of line " L[r] " is not the input record: " length(K[r]) " bytes, the input has " length(raw) ", they differ from byte " d
        }
      }
    }' "$tmp/rej.t" -
}

run_case() {
  name=$1; input=$2; generated=$3
  rm -rf "$tmp/case"; mkdir "$tmp/case"
  inpath=$dir/$input
  if [ "$generated" = 1 ]; then
    mkdir -p "$tmp/gen"; inpath=$tmp/gen/$input
    sh "$dir/$input.gen" > "$inpath" || { echo "FAIL: bad/$name: $input.gen failed"; return 1; }
    cd "$tmp/gen" || return 1
  fi
  out=$tmp/case/$name.out.csv; rej=$tmp/case/$name.rej
  ${ELIG_WRAPPER:-} "$ELIG" run --no-progress -j1 --as-of 2021-06-30 "$rules" "$input" \
    >"$tmp/out.raw" 2>"$tmp/err.raw" </dev/null
  status=$?
  ${ELIG_WRAPPER:-} "$ELIG" run --no-progress -j2 --as-of 2021-06-30 -o "$out" --rejects "$rej" \
    "$rules" "$input" >"$tmp/out2.raw" 2>"$tmp/err2.raw" </dev/null
  status2=$?
  cd "$dir" || return 1
  for f in out err out2 err2; do sed "s|$tmp/case|\$TMP|g" "$tmp/$f.raw" > "$tmp/$f"; done

  if [ "${UPDATE:-}" = 1 ]; then
    if [ -f "$name.bug" ]; then
      echo "bad/$name: goldens kept: they show the correct behaviour of a known bug ($name.bug)"
      return 0
    fi
    cp "$tmp/out" "$name.out"
    if [ -s "$tmp/err" ]; then cp "$tmp/err" "$name.err"; else rm -f "$name.err"; fi
    if [ "$status" != 0 ]; then echo "$status" > "$name.status"; else rm -f "$name.status"; fi
    if [ "$generated" = 0 ] && [ -f "$rej" ] && [ "$(csv_count "$rej")" != 0 ]; then
      cp "$rej" "$name.rej"
    else
      rm -f "$name.rej"
    fi
    return 0
  fi

  ok=1
  fail() { echo "FAIL: bad/$name: $*"; ok=0; }
  # 1. exit status
  want_status=0; [ -f "$name.status" ] && want_status=$(cat "$name.status")
  [ "$status" = "$want_status" ] || fail "exit status $status, expected $want_status"
  [ "$status2" = "$status" ] || fail "exit status $status2 with -o and --rejects, $status without"
  # 2. standard error: every line names the file and the line, and it is the golden
  awk -v f="$input" '
    index($0, f ":") == 1 && substr($0, length(f) + 2) ~ /^[1-9][0-9]*: (rejected|warning:|error:)/ { next }
    $0 == f ": warning: the file is empty: no header line, no record" { next }
    /^elig: / && !/: rejected/ || /^elig: [0-9]+ records? read, [0-9]+ written, [0-9]+ rejected$/ { next }
    { print "FAIL: bad/'"$name"': a message without its file and line: " substr($0, 1, 200) }
  ' "$tmp/err" > "$tmp/lines"
  [ -s "$tmp/lines" ] && { cat "$tmp/lines"; ok=0; }
  want_err=$name.err; [ -f "$want_err" ] || want_err=/dev/null
  if ! cmp -s "$tmp/err" "$want_err"; then
    fail "standard error differs from $name.err:"
    diff -u "$want_err" "$tmp/err" 2>&1 | cut -c1-300 | head -40
  fi
  if ! cmp -s "$tmp/out" "$name.out" 2>/dev/null; then
    fail "standard output differs from $name.out:"
    diff -u "$name.out" "$tmp/out" 2>&1 | cut -c1-300 | head -40
  fi
  # with --rejects: the same messages but the rejections, and the summary names the file
  # (when the input is refused, elig's last word may differ: it removed the output files)
  awk -v f="$input" -v see=" (see \$TMP/$name.rej)" -v st="$status" '
    index($0, f ":") == 1 && substr($0, length(f) + 2) ~ /^[1-9][0-9]*: rejected/ { next }
    /^elig: [0-9]+ records? read, / && st == 3 { print $0 see; next }
    /^elig: stopped / && st == 4 { next }
    { print }' "$tmp/err" > "$tmp/err2.want"
  [ "$status" = 4 ] && sed '/^elig: stopped /d' "$tmp/err2" > "$tmp/err2.t" && mv "$tmp/err2.t" "$tmp/err2"
  if ! cmp -s "$tmp/err2" "$tmp/err2.want"; then
    fail "standard error with --rejects is not that without it, less the rejections:"
    diff -u "$tmp/err2.want" "$tmp/err2" 2>&1 | cut -c1-300 | head -20
  fi
  [ -s "$tmp/out2" ] && fail "standard output not empty with -o"
  # 3. nothing lost
  if [ ! -f "$name.records" ]; then
    fail "no $name.records: count the records of $input by hand"
  elif [ "$want_status" = 4 ]; then
    [ -e "$out" ] && fail "the input was refused, but the -o file was left behind"
    [ -e "$rej" ] && fail "the input was refused, but the --rejects file was left behind"
  else
    records=$(cat "$name.records")
    if [ -f "$out" ]; then results=$(csv_count "$out"); else results=0; fail "no -o file"; fi
    if [ -f "$rej" ]; then rejected=$(csv_count "$rej"); else rejected=0; fail "no --rejects file"; fi
    [ "$records" = $((results + rejected)) ] ||
      fail "records lost: $records in the input, $results results + $rejected reject rows"
    if [ "$results" -lt "$records" ]; then st=3; else st=0; fi
    [ "$status" = $st ] || fail "exit status $status, but $results of $records records written"
    [ -f "$out" ] && ! cmp -s "$out" "$name.out" && fail "the -o file differs from $name.out"
    summary=$(sed -n 's/^elig: \([0-9]*\) records\{0,1\} read, \([0-9]*\) written, \([0-9]*\) rejected$/\1 \2 \3/p' "$tmp/err")
    if [ -n "$summary" ] && [ "$summary" != "$records $results $rejected" ]; then
      fail "the summary says (read written rejected) $summary; the files hold $records $results $rejected"
    fi
    [ "$rejected" != 0 ] && [ -z "$summary" ] && fail "records rejected and no summary line"
    # 4. the reject rows: the rejections of standard error, each with its whole record
    if [ -f "$rej" ]; then
      check_rejects "$rej" "$inpath" > "$tmp/check" 2>&1
      grep '^bad: ' "$tmp/check" | sed "s|^bad: |FAIL: bad/$name: reject file: |"
      grep -q '^bad: ' "$tmp/check" && ok=0
      grep '^line ' "$tmp/check" | sed 's/^line //' > "$tmp/rej.lines"
      sed -n "s/^$(printf '%s' "$input" | sed 's/[.[\*^$]/\\&/g'):\([0-9]*\): rejected.*/\1/p" \
        "$tmp/err" > "$tmp/err.lines"
      cmp -s "$tmp/rej.lines" "$tmp/err.lines" ||
        fail "the reject rows are at lines $(tr '\n' ' ' < "$tmp/rej.lines")but standard error rejects lines $(tr '\n' ' ' < "$tmp/err.lines")"
      if [ -f "$name.rej" ] && ! cmp -s "$rej" "$name.rej"; then
        fail "the reject file differs from $name.rej:"
        diff -u "$name.rej" "$rej" 2>&1 | cut -c1-300 | head -20
      fi
    fi
  fi
  [ $ok = 1 ]
}

for f in ./*.csv ./*.jsonl ./*.csv.gen ./*.jsonl.gen; do
  [ -e "$f" ] || continue
  f=${f#./}
  case $f in
    *.gen) input=${f%.gen}; generated=1
      # the inputs of tens of MiB, in make distcheck, which runs the suite a third time
      [ "${ELIG_TEST_QUICK:-}" = 1 ] && continue;;
    *) input=$f; generated=0;;
  esac
  name=${input%.*}
  # shellcheck disable=SC2254 # ONLY is a pattern
  case $name in ${ONLY:-*}) ;; *) continue;; esac
  if run_case "$name" "$input" "$generated"; then passes=$((passes + 1)); else fails=$((fails + 1)); fi
  rm -rf "$tmp/gen"
done
echo "bad: $passes passed, $fails failed"
[ $fails = 0 ]
