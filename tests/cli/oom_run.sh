#!/bin/sh
# oom_run.sh -- tests/cli/oom.sh's part for `elig run`, on one thread and on two: every allocation fails in turn.
oom_part=run; . "${srcdir:-.}/tests/cli/oom.sh"
