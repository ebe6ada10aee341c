check --explain
