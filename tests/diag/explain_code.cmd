check --explain E0201
