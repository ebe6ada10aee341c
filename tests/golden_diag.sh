#!/bin/sh
# golden_diag.sh -- the golden tests of tests/diag (golden.sh), alone: `make check-valgrind`
# runs them beside golden_eval.sh, the rest.  The cases that take the default command are
# checked by one `elig check` of all their files (GOLDEN_DIAG_ONE_PROCESS in golden.sh).
GOLDEN_KINDS=diag GOLDEN_DIAG_ONE_PROCESS=1 exec sh "${srcdir:-.}/tests/golden.sh" "$@"
