#!/bin/sh
# oom_diff.sh -- tests/cli/oom.sh's part for `elig diff --by`: every allocation fails in turn.
oom_part=diff; . "${srcdir:-.}/tests/cli/oom.sh"
