diff --no-progress by_year.rules by_year_2023.rules small_2023.csv
