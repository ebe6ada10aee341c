#!/bin/sh
# po.sh -- every message catalogue is complete and in step with the sources.
#
# For each po/LANG.po of po/LINGUAS: msgfmt --check (placeholders of the same types in
# every translation, a sound header) with --statistics, failing on any untranslated or fuzzy
# message; and every message the sources hold (xgettext over po/POTFILES.in, with the
# options of po/Makevars) has its entry (msgcmp), so a message added in C without its
# translation fails here rather than reaching a reader in English.
set -u
srcdir=${srcdir:-.}
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
command -v msgfmt >/dev/null && command -v xgettext >/dev/null && command -v msgcmp >/dev/null ||
  { echo "po: needs gettext's msgfmt, xgettext and msgcmp"; exit 99; }

# the options of po/Makevars, continuation lines joined
options=$(sed -n '/^XGETTEXT_OPTIONS *=/,/[^\\]$/p' "$srcdir/po/Makevars" |
  sed -e 's/^XGETTEXT_OPTIONS *= *//' -e 's/\\$//' | tr '\n' ' ')
grep -v '^#' "$srcdir/po/POTFILES.in" | grep . > "$tmp/files"
# shellcheck disable=SC2086 # the options are words
(cd "$srcdir" && xgettext $options --files-from="$tmp/files" -o "$tmp/elig.pot") 2>"$tmp/xgettext.err"
if [ -s "$tmp/xgettext.err" ]; then
  echo "FAIL: xgettext warned:"; cat "$tmp/xgettext.err"; exit 1
fi

fails=0
for lang in $(grep -v '^#' "$srcdir/po/LINGUAS"); do
  po=$srcdir/po/$lang.po
  if ! msgfmt --check --statistics -o /dev/null "$po" 2>"$tmp/stats"; then
    echo "FAIL: $lang: msgfmt --check:"; cat "$tmp/stats"; fails=$((fails + 1)); continue
  fi
  if grep -q 'untranslated\|fuzzy' "$tmp/stats"; then
    echo "FAIL: $lang: $(cat "$tmp/stats")"; fails=$((fails + 1))
  else
    echo "ok: $lang: $(cat "$tmp/stats")"
  fi
  if ! msgcmp --use-untranslated --use-fuzzy "$po" "$tmp/elig.pot" 2>"$tmp/cmp"; then
    echo "FAIL: $lang: messages of the sources missing from $po (run make -C po update-po):"
    head -20 "$tmp/cmp"; fails=$((fails + 1))
  fi
done
[ $fails = 0 ]
