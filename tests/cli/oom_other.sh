#!/bin/sh
# oom_other.sh -- tests/cli/oom.sh's part for `elig explain`, `elig test` and a register's add and export: every allocation fails in turn.
oom_part=other; . "${srcdir:-.}/tests/cli/oom.sh"
