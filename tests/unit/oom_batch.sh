#!/bin/sh
# oom_batch.sh -- check_oom's cases for the batches: run, diff, explain, test, fmt.
. "${srcdir:-.}/tests/unit/oom.sh"
oom_cases batch "diff, explain, test, fmt"
