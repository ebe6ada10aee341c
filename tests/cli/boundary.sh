#!/bin/sh
# boundary.sh -- the program is built on the public library alone.
#
# Every file of src/cli/ (the `elig` program and `elig serve`) may include <elig.h>, the
# headers of src/cli/ and system headers -- never a header of the library's internals in
# src/, as lua.c includes lua.h only.  What the program needs the library exports, and every
# embedder gets it too.  Also checked: the program links the shared libelig (never the
# internal convenience library) and calls no function of the library but elig_*.
suite=boundary; . "${srcdir:-.}/tests/cli/setup.sh"

cli=$srcdir/src/cli
internal=$(cd "$srcdir/src" && ls *.h *.def)

# A quoted include names a header of src/cli/; an angled one no internal header.
includes_ok() {
  ok=0
  for f in "$cli"/*.c "$cli"/*.h; do
    grep -n '^[[:space:]]*#[[:space:]]*include' "$f" > "$tmp/inc" || continue
    while IFS= read -r line; do
      name=$(printf '%s\n' "$line" | sed -n 's/.*include[[:space:]]*[<"]\([^>"]*\)[>"].*/\1/p')
      case $line in
      *'"'*)
        if [ ! -f "$cli/$name" ]; then
          echo "$(basename "$f"):${line%%:*}: includes \"$name\", not a header of src/cli/"
          ok=1
        fi ;;
      *)
        for h in $internal; do
          if [ "$name" = "$h" ]; then
            echo "$(basename "$f"):${line%%:*}: includes <$name>, an internal header"
            ok=1
          fi
        done ;;
      esac
    done < "$tmp/inc"
  done
  return $ok
}
check includes includes_ok

# The program's real binary (libtool keeps it in .libs) needs libelig.so and no symbol of
# ours but elig_*.
bin=$(dirname "$ELIG")/.libs/$(basename "$ELIG")
[ -x "$bin" ] || bin=$ELIG
links_shared() {
  objdump -p "$bin" 2>/dev/null | grep -q 'NEEDED.*libelig\.so'
}
only_public() {
  # undefined symbols that are ours: anything not elig_* is a leak of the boundary
  nm -D --undefined-only "$bin" 2>/dev/null | awk '{print $2}' |
    grep -E '^(vm|prog|comp|chk|res|rec|agg|split|step|batch|diff|lookup|feed|input|csv|jdoc|wbuf|write|explain|fmt|diag|src|ast|arena|mem|dec|date|regex|textfn|utf8|suggest|names|parse|ruleset|disasm|builtin|test)_' > "$tmp/leak"
  if [ -s "$tmp/leak" ]; then
    echo "the program calls internal functions:"; cat "$tmp/leak"
    return 1
  fi
}
if command -v objdump >/dev/null && command -v nm >/dev/null; then
  check links-shared links_shared
  check only-public only_public
fi
finish
