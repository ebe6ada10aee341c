run --show-values show_values.rules show_values.csv
