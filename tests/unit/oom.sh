# oom.sh -- sourced by oom_compile.sh and oom_batch.sh: oom_cases CASE... runs those cases
# of check_oom (Check's CK_RUN_CASE) one after the other, and exits with the first failing
# status (77, skipped, under ELIG_TEST_QUICK).
# Environment (as make check sets it): abs_top_builddir.
oom_cases() {
  for c in "$@"; do
    CK_RUN_CASE=$c "${abs_top_builddir:-.}/tests/unit/check_oom" || exit $?
  done
  exit 0
}
