check --dump=code constant_folding.rules
