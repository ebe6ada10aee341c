#!/bin/sh
# doc_zh.sh -- the Chinese documents keep step with the English ones.
#
#   tests/doc_zh.sh                   checks the four pairs below (make check runs it)
#   tests/doc_zh.sh EN ZH [EN ZH]...  checks the pairs given, English file first
#
# The pairs, under $srcdir:
#   doc/policy-guide.md       doc/zh_CN/policy-guide.md
#   doc/national-standard.md  doc/zh_CN/national-standard.md
#   doc/elig.1                doc/zh_CN/elig.1
#   doc/workbench.md          doc/zh_CN/workbench.md
#
# A Markdown pair (*.md) must number its sections alike: the numbers of the headings of level
# 2 and below that begin with one (`## 4.`, `### 4.1`, `## 22a.`; not inside ``` blocks)
# form the same set in both files, and each number heads one section only.  A manual page
# pair (*.1 ... *.9) must have as many .SH sections, and as many .SS, in both; every long
# option (\-\-name, also as \fB\-\-name) of either page must appear in the other.
# A Chinese file that does not exist fails its pair: a translation is never optional.
#
# Prints what is missing on which side, one line each, then "N of N pairs agree".
# Exit status: 0 all pairs agree, 1 a pair does not (or a file is missing), 2 usage.
set -u
srcdir=${srcdir:-.}
: "${LC_ALL:=C}"; export LC_ALL

if [ $# -eq 0 ]; then
  set -- "$srcdir/doc/policy-guide.md" "$srcdir/doc/zh_CN/policy-guide.md" \
    "$srcdir/doc/national-standard.md" "$srcdir/doc/zh_CN/national-standard.md" \
    "$srcdir/doc/elig.1" "$srcdir/doc/zh_CN/elig.1" \
    "$srcdir/doc/workbench.md" "$srcdir/doc/zh_CN/workbench.md"
fi
if [ $(($# % 2)) -ne 0 ]; then
  echo "usage: doc_zh.sh [ENGLISH CHINESE]..." >&2
  exit 2
fi

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

pairs=0; bad=0

# The section numbers of a Markdown file, one a line, in order of appearance.
md_numbers() {
  awk '
    /^(```|~~~)/ { fence = !fence; next }
    fence { next }
    /^###*[ \t]+[0-9]/ && !/^#[^#]/ {
      s = $0
      sub(/^#+[ \t]+/, "", s)
      if (match(s, /^[0-9]+(\.[0-9]+)*[a-z]?/)) print substr(s, 1, RLENGTH)
    }' "$1"
}

# The long options of a manual page, one a line, without the backslashes.
man_options() {
  awk '{
      s = $0
      while (match(s, /\\-\\-[A-Za-z0-9](\\-|[A-Za-z0-9_])*/)) {
        o = substr(s, RSTART, RLENGTH)
        gsub(/\\/, "", o)
        print o
        s = substr(s, RSTART + RLENGTH)
      }
    }' "$1"
}

# say PAIR-LABEL TEXT: one line of the report, and the pair fails.
failed=0
say() {
  echo "FAIL: $1: $2"
  failed=1
}

# Lines of file $2 that file $3 lacks, each reported as "$1 ITEM".
missing() {
  sort -u "$2" > "$tmp/a"
  sort -u "$3" > "$tmp/b"
  comm -23 "$tmp/a" "$tmp/b" | while IFS= read -r item; do
    echo "$1 $item"
  done
}

check_md() {
  label=$1; en=$2; zh=$3
  md_numbers "$en" > "$tmp/en"
  md_numbers "$zh" > "$tmp/zh"
  [ -s "$tmp/en" ] || say "$label" "$en has no numbered headings"
  for side in en zh; do
    if [ $side = en ]; then f=$en; else f=$zh; fi
    sort "$tmp/$side" | uniq -d > "$tmp/dup"
    while IFS= read -r n; do
      say "$label" "section $n is numbered more than once in $f"
    done < "$tmp/dup"
  done
  missing "section" "$tmp/en" "$tmp/zh" > "$tmp/out"
  while IFS= read -r line; do say "$label" "$line is in $en, missing from $zh"; done < "$tmp/out"
  missing "section" "$tmp/zh" "$tmp/en" > "$tmp/out"
  while IFS= read -r line; do say "$label" "$line is in $zh, missing from $en"; done < "$tmp/out"
}

check_man() {
  label=$1; en=$2; zh=$3
  for macro in SH SS; do
    n_en=$(grep -c "^\.$macro" "$en")
    n_zh=$(grep -c "^\.$macro" "$zh")
    [ "$n_en" = "$n_zh" ] ||
      say "$label" ".$macro sections: $n_en in $en, $n_zh in $zh"
  done
  man_options "$en" > "$tmp/en"
  man_options "$zh" > "$tmp/zh"
  missing "option" "$tmp/en" "$tmp/zh" > "$tmp/out"
  while IFS= read -r line; do say "$label" "$line is in $en, missing from $zh"; done < "$tmp/out"
  missing "option" "$tmp/zh" "$tmp/en" > "$tmp/out"
  while IFS= read -r line; do say "$label" "$line is in $zh, missing from $en"; done < "$tmp/out"
}

while [ $# -gt 0 ]; do
  en=$1; zh=$2; shift 2
  pairs=$((pairs + 1)); failed=0
  label=${zh#"$srcdir"/}
  if [ ! -f "$en" ]; then
    say "$label" "the English file $en does not exist"
  elif [ ! -f "$zh" ]; then
    say "$label" "the Chinese file $zh does not exist (translate $en)"
  else
    case $en in
      *.md) check_md "$label" "$en" "$zh" ;;
      *.[1-9]) check_man "$label" "$en" "$zh" ;;
      *) echo "doc_zh.sh: $en: neither Markdown (.md) nor a manual page (.1 to .9)" >&2
         exit 2 ;;
    esac
  fi
  [ $failed = 0 ] || bad=$((bad + 1))
done

echo "doc_zh: $((pairs - bad)) of $pairs pairs agree"
[ $bad = 0 ]
