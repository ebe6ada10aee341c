check --explain w0010 E0440
