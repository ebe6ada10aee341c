check --explain E0299
