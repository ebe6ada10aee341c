check --explain w0020 E0440
