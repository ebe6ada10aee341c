#!/bin/sh
# golden_eval.sh -- the golden tests but those of tests/diag (golden.sh): the language, the
# compiled code and the shipped rule sets; `make check-valgrind` runs it beside golden_diag.sh.
GOLDEN_KINDS="lang dump rules" exec sh "${srcdir:-.}/tests/golden.sh" "$@"
