test --run=passes test_run_filter.rules
