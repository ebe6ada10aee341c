#!/bin/sh
# oom_compile.sh -- check_oom's cases for compiling and for evaluating one record.
. "${srcdir:-.}/tests/unit/oom.sh"
oom_cases compile evaluate
