#!/bin/sh
# format.sh -- the C sources are laid out as .clang-format says.
#
#   tests/format.sh            fails on any file that clang-format would change, and shows
#                              the change (make check runs it; skipped, exit 77, where
#                              clang-format is not installed: it checks the sources, not
#                              the program)
#   tests/format.sh --apply    lays every file out (make format)
#
# The files: the library, the program, the PostgreSQL extension, the tests, the examples
# and the tools; not the grammar (flex and bison input) nor the tables of .def files.  clang-format 14, Debian 12's.
# Environment (as make check sets it): srcdir.
srcdir=${srcdir:-.}
command -v clang-format >/dev/null 2>&1 || { echo "format: clang-format not installed"; exit 77; }
cd "$srcdir" || exit 99
files=$(find src include postgresql tests/unit tests/cli tests/fuzz bench data doc/examples \
  -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort)
if [ "${1:-}" = --apply ]; then
  # shellcheck disable=SC2086 # one word per file: the tree has no spaces in its names
  exec clang-format -i $files
fi
fails=0; n=0
for f in $files; do
  n=$((n + 1))
  if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
    echo "FAIL: format/$f: not laid out as .clang-format says (make format):"
    clang-format "$f" | diff -u "$f" - | head -20
    fails=$((fails + 1))
  fi
done
echo "format: $((n - fails)) of $n files laid out, $fails not"
[ $fails = 0 ]
