#!/bin/sh
# golden_diag.sh -- the golden tests of tests/diag (golden.sh), alone: `make check-valgrind`
# runs them beside golden_eval.sh, the rest, so that its two jobs share the work.
GOLDEN_KINDS=diag exec sh "${srcdir:-.}/tests/golden.sh" "$@"
