run --no-progress -j1 multiple_inputs.rules multiple_inputs.csv multiple_inputs_b.data multiple_inputs.csv
