# national_model.py -- an independent model of the national standard (doc/national-standard.md),
# in Python, and the crafted households it checks rules/national.rules against.
#
# It writes tests/rules/national_cases.csv (households on both sides of every threshold,
# households followed over several years on both sides of every condition of section 8,
# duplicate household-years, plus bad rows) and what the standard says for each:
#   /tmp/national_expected_records.csv   hh_id,year,per_capita,status,flags,monitoring
#   /tmp/national_expected_rejects.txt   line,hh_id,year,field(s) a rejection may name
#   /tmp/national_expected_aggs.txt      the village and county sections
# Run it from tests/rules/.  With --check it also runs the command of national_cases.cmd
# (../../elig run --no-progress -j1 ../../rules/national.rules national_cases.csv) and
# compares every record, every rejection and every aggregate row with the model; it prints
# each disagreement and exits 1 when there is one.  tests/rules/national_cases.out must agree
# with it.  Not run by make check (it needs python3); the .out it vouched for is.
#
# The model reads the standard's text, not the rule files: it validates each CSV row itself
# (section 1), links a household's records by hh_id and year - 1 (section 8), and computes
# status (4), flags (5), monitoring (8) and the aggregates (6).
#
# Duplicates (section 8: "a second record with the same hh_id and year is rejected ...,
# whichever order the records come in; the first in input order is kept").  The model
# reads "record" there as a record the register holds, i.e. one not rejected under section 1
# ("A record that breaks any rule above is rejected ... and is not evaluated"): of the valid
# records of a household-year the first in input order is kept and each later one rejected
# with field hh_id.  A record rejected for its own fields takes no part.  Only this reading
# also meets "Results must not depend on the order of the records": an invalid and a valid
# record of one household-year give the valid one its result in either order.
import csv, io, os, re, subprocess, sys
from collections import defaultdict
from fractions import Fraction as F
from decimal import Decimal, ROUND_HALF_UP

HDR = ["hh_id","head_id","village_code","year","size","net_income","medical_expense","education_expense","disaster_loss","food_secure","clothing_secure","water_safe","dropout_children","uninsured_members","housing_grade","labor_members","registered_poor","exited_year","dibao"]
PL = {2014:2800,2015:2855,2016:2952,2017:2952,2018:2995,2019:3218,2020:4000}
ML = {2020:6000,2021:6000,2022:6300,2023:6600,2024:6900,2025:7200}
WEST = {"15","45","50","51","52","53","54","61","62","63","64","65"}
HIGH = ("unstable_exited", "edge_household", "sudden_hardship", "income_drop")
def line(tab, y):
    ks = sorted(tab)
    if y < ks[0]: return Decimal(tab[ks[0]])
    return Decimal(tab[max(k for k in ks if k <= y)])
def div_round(m, n):  # half away from zero, to the fen
    q = (Decimal(m) / n)
    return q.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # ROUND_HALF_UP in decimal = half away from zero

# ---------------------------------------------------------------- the cases
# Each entry of `lines` is a row dict or a raw CSV line, in file order.  `intent` says, for
# some rows, what the case was crafted to show (monitoring, flags, or a rejection): the model
# checks its own result against it, so that a case that misses its threshold is noticed.
lines = []
intent = {}  # index in lines -> dict
def hh(hid, village="110101001001", year=2020, size=4, net="20000", med="", edu="", dis="",
       food=1, cloth=1, water=1, drop="", unins="", house="A", labor=1, reg=0, exited="", dibao="", head="",
       expect=None, flags=None, rejected=None, at=None):
    row = dict(hh_id=hid, head_id=head, village_code=village, year=year, size=size, net_income=net,
        medical_expense=med, education_expense=edu, disaster_loss=dis, food_secure=food, clothing_secure=cloth,
        water_safe=water, dropout_children=drop, uninsured_members=unins, housing_grade=house,
        labor_members=labor, registered_poor=reg, exited_year=exited, dibao=dibao)
    dest = lines if at is None else at
    dest.append(row)
    want = {}
    if expect is not None: want["monitoring"] = expect
    if flags is not None: want["flags"] = flags
    if rejected is not None: want["rejected"] = rejected
    if want: row["_intent"] = want
# --- rounding (section 2)
hh("round_up", size=4, net="16000.02", reg=1)          # 4000.01 > 4000: exit
hh("round_down", size=4, net="16000.01", reg=1)        # 4000.00: remain
hh("round_neg", size=4, net="-16000.02", reg=1)        # -4000.01
hh("round_3", size=3, net="10000.00", reg=0)           # 3333.33
hh("round_7", size=7, net="100.05", reg=0)             # 14.292857 -> 14.29
# --- rule 1, each condition failing alone
hh("exit_ok", net="16004", size=4, reg=1)
hh("exit_at_line", net="16000", size=4, reg=1)
hh("exit_food", net="20000", reg=1, food=0)
hh("exit_cloth", net="20000", reg=1, cloth=0)
hh("exit_water", net="20000", reg=1, water=0)
hh("exit_dropout", net="20000", reg=1, drop=1)
hh("exit_uninsured", net="20000", reg=1, unins=1)
hh("exit_house_b", net="20000", reg=1, house="B")
hh("exit_house_c", net="20000", reg=1, house="C")
hh("exit_house_d", net="20000", reg=1, house="D")
# --- rule 3/4: exited households
hh("ret_2020", year=2020, net="15999.96", size=4, exited=2018)     # 3999.99 < 4000
hh("ret_at_line", year=2020, net="16000", size=4, exited=2018)     # = line: exited
hh("ret_2021", year=2021, net="4000", size=4, exited=2018)         # year > 2020: exited
hh("ret_2019", year=2019, net="12871.96", size=4, exited=2017)     # 3217.99 < 3218
hh("exited_rich", year=2020, net="100000", size=4, exited=2019)
hh("exited_reg", year=2020, net="1000", size=4, exited=2019, reg=1)  # registered wins
# --- rule 5 across the poverty line table
for y in range(2014, 2022):
    pl = int(line(PL, y))
    hh(f"new_{y}_below", year=y, size=1, net=f"{pl-1}.99")
    hh(f"new_{y}_at", year=y, size=1, net=f"{pl}.00")
# --- monitoring line table, edge households
for y in range(2019, 2027):
    ml = int(line(ML, y))
    hh(f"edge_{y}_below", year=y, size=1, net=f"{ml-1}.99")
    hh(f"edge_{y}_at", year=y, size=1, net=f"{ml}.00")
# --- flags
hh("unstable_below", year=2021, size=2, net="11999.98", exited=2019)   # 5999.99 < 6000
hh("unstable_at", year=2021, size=2, net="12000", exited=2019)
hh("unstable_reg", year=2021, size=2, net="100", exited=2019, reg=1)  # registered: no flag
hh("edge_exited", year=2021, size=2, net="100", exited=2019)          # exited: not edge
hh("edge_poor", year=2020, size=1, net="100")                          # newly identified: not edge
hh("sudden_half", year=2021, size=1, net="10000", med="5000")          # 2*5000 = 10000: not >
hh("sudden_over", year=2021, size=1, net="10000", med="5000.01")       # raised: (4999.99)/1 < 6000
hh("sudden_rich", year=2021, size=1, net="100000", med="60000")        # 40000 left: not below
hh("sudden_sum", year=2021, size=3, net="30000", med="5000", edu="6000", dis="4000.01")  # 15000.01*2>30000; 14999.99/3=5000.00
hh("sudden_zero", year=2021, size=2, net="-500", med="")               # rigid 0: not raised
hh("sudden_neg", year=2021, size=2, net="-500", dis="1")               # 2>-500, (-501)/2 < line
hh("sudden_round", year=2021, size=3, net="48000.01", med="30000")     # 18000.01/3=6000.003->6000.00: not <
hh("sudden_round2", year=2021, size=3, net="48000.00", med="30000.03")  # 17999.97/3=5999.99 <
hh("nolabour", year=2021, size=2, net="10000", labor=0)
hh("nolabour_dibao", year=2021, size=2, net="10000", labor=0, dibao=1)
hh("nolabour_rich", year=2021, size=2, net="12000", labor=0)
hh("gap_food", year=2021, net="100000", food=0)
hh("gap_house", year=2021, net="100000", house="C")
hh("gap_water", year=2021, net="100000", water=0)
hh("gap_2019", year=2019, net="100000", water=0, house="D")            # before 2020: no flags
hh("all_flags", year=2020, size=2, net="1000", med="600", exited=2019, labor=0, food=0)
# --- optional and default fields, identity numbers
hh("head_ok", head="11010519491231002X", net="100000")
hh("head_absent", head="", net="100000")
hh("dibao_absent", net="100000", labor=0, dibao="")
# --- aggregates: sizes chosen for exact incidence on both sides of the caps.  Each village's
# households have their own hh_id (the full village code in it): one record per household
# and year, so none is a duplicate of another village's.
def village(code, year, poor_size, others):
    hh(f"v{code}_{year}_poor", village=code, year=year, size=poor_size, net="100", reg=1)
    for i, s in enumerate(others):
        hh(f"v{code}_{year}_{i}", village=code, year=year, size=s, net="1000000")
village("410101001001", 2020, 2, [30, 30, 30, 8])    # 2/100 = 2.00%: not below 2%
village("410101001002", 2020, 2, [30, 30, 30, 9])    # 2/101 = 1.98%: eligible
village("530101001001", 2020, 3, [30, 30, 30, 7])    # 3/100 = 3.00%: not below 3% (western)
village("530101001002", 2020, 3, [30, 30, 30, 8])    # 3/101 = 2.97%: eligible (western)
village("530101001003", 2020, 2, [30, 30, 30, 8])    # 2/100 = 2.00%: eligible in the west

# --- section 8: households over the years.  Size 1 unless said, so per_capita = net_income.
# Monitoring lines: 2020 6000, 2021 6000, 2022 6300, 2023 6600, 2024 6900, 2025 on 7200.
# They live in two villages of county 120101, so that the `monitored` counts are their own.
DV1, DV2 = "120101001001", "120101001002"
tail = []   # rows written at the end of the file, after everything else (before the bad rows)
def d(hid, year, net, expect=None, flags=None, size=1, village=DV1, **kw):
    hh(hid, village=village, year=year, size=size, net=net, expect=expect, flags=flags, **kw)
# The whole path: entered, monitored while at risk, monitored until above the line two years
# running, eliminated, out, in again; years after the table use its last line.
d("d_path", 2020, "5000", "entered", "edge_household")
d("d_path", 2021, "5500", "monitored", "edge_household")
d("d_path", 2022, "7000", "monitored", "")               # above 6300, but 2021 not above 6000
d("d_path", 2023, "7000", "risk_eliminated", "")         # 7000 > 6600 and 7000 > 6300
d("d_path", 2024, "7500", "not_monitored", "")           # previous is risk_eliminated
d("d_path", 2025, "7100", "entered", "edge_household")   # 7100 < 7200: a new risk
d("d_path", 2026, "7300", "monitored", "")               # 2026 uses 7200; 2025 not above
d("d_path", 2027, "7300", "risk_eliminated", "")
# Exactly at the line is not above it, this year or the year before.
d("d_at_line", 2020, "8000", "entered", "sudden_hardship", med="6000")
d("d_at_line", 2021, "6000.00", "monitored", "")         # = 6000: not above
d("d_at_line", 2022, "6300.00", "monitored", "")         # = 6300: not above
d("d_at_line", 2023, "6600.01", "monitored", "")         # above, but 2022 = its line
d("d_at_line", 2024, "6900.01", "risk_eliminated", "")   # above, and 2023 above 6600
# One fen above the line, the year before above its own line: eliminated at once.
d("d_above_line", 2020, "8000", "entered", "sudden_hardship", med="6000")
d("d_above_line", 2021, "6000.01", "risk_eliminated", "")
# "the previous record's per_capita > that year's monitor_line": 2021's line (6000), not 2022's.
d("d_prev_own_line", 2020, "5000", "entered")
d("d_prev_own_line", 2021, "6000.01", "monitored")      # 2020 not above
d("d_prev_own_line", 2022, "6300.01", "risk_eliminated")  # 2021: 6000.01 > 6000 (< 6300)
d("d_prev_at_own_line", 2020, "5000", "entered")
d("d_prev_at_own_line", 2021, "6000.00", "monitored")
d("d_prev_at_own_line", 2022, "6300.01", "monitored")   # 2021 = 6000: not above
d("d_prev_at_own_line", 2023, "6600.01", "risk_eliminated")
d("d_cur_at_line", 2020, "5000", "entered")
d("d_cur_at_line", 2021, "6500", "monitored")
d("d_cur_at_line", 2022, "6300.00", "monitored", "")     # previous above, this year = line
# A guarantee not secured blocks elimination (each one alone); grade B housing does not.
for g, kw, m in [("food", dict(food=0), "monitored"), ("cloth", dict(cloth=0), "monitored"),
                 ("water", dict(water=0), "monitored"), ("dropout", dict(drop=1), "monitored"),
                 ("uninsured", dict(unins=1), "monitored"), ("house_c", dict(house="C"), "monitored"),
                 ("house_d", dict(house="D"), "monitored"), ("house_b", dict(house="B"), "risk_eliminated")]:
    d(f"d_guar_{g}", 2020, "5000", "entered")
    d(f"d_guar_{g}", 2021, "6500", "monitored")
    d(f"d_guar_{g}", 2022, "6500", m, "guarantee_gap" if m == "monitored" else "", **kw)
d("d_guar_water", 2023, "6700", "risk_eliminated", "")     # a gap the year before does not count
d("d_guar_house_c", 2023, "6700", "risk_eliminated", "")
# A year missing breaks the chain.
d("d_gapyear", 2020, "5000", "entered")
d("d_gapyear", 2022, "9000", "not_monitored")
d("d_gapyear_risk", 2020, "5000", "entered")
d("d_gapyear_risk", 2022, "5000", "entered")               # not monitored: no previous
d("d_gapyear_drop", 2020, "20000", "not_monitored")
d("d_gapyear_drop", 2022, "9000", "not_monitored", "")   # 2020 is not its previous: no drop
d("d_2019_gap", 2019, "5000", "not_applicable")
d("d_2019_gap", 2021, "6500", "not_monitored")
# A rejected record breaks the chain.
d("d_rej_prev", 2020, "5000", "entered")
d("d_rej_prev", 2021, "5500", house="E", rejected="housing_grade")
d("d_rej_prev", 2022, "5000", "entered", "edge_household")  # not monitored: no previous
d("d_rej_prev_drop", 2020, "9000", "not_monitored")
d("d_rej_prev_drop", 2021, "20000", house="E", rejected="housing_grade")
d("d_rej_prev_drop", 2022, "9000", "not_monitored", "")  # the rejected 20000 is no previous
d("d_rej_prev_elim", 2020, "8000", "entered", med="6000")
d("d_rej_prev_elim", 2021, "8000", size=31, rejected="size")
d("d_rej_prev_elim", 2022, "6300.01", "not_monitored", "")
d("d_rej_first", 2020, "5000", village="12010100100", rejected="village_code")
d("d_rej_first", 2021, "5500", "entered", "edge_household")
# Before 2020: not_applicable, and as a previous record it counts as not monitored.
d("d_from_2019", 2019, "5000", "not_applicable", "")
d("d_from_2019", 2020, "5000", "entered", "edge_household")
d("d_from_2019_rich", 2019, "5000", "not_applicable")
d("d_from_2019_rich", 2020, "9000", "not_monitored", "")
# Each high flag keeps a monitored household monitored; medium flags are no risk.
d("d_unstable", 2020, "5000", "entered", "unstable_exited", exited=2019)
d("d_unstable", 2021, "5500", "monitored", "unstable_exited", exited=2019)
d("d_unstable", 2022, "7000", "monitored", "", exited=2019)
d("d_unstable", 2023, "7000", "risk_eliminated", "", exited=2019)
d("d_sudden", 2020, "5000", "entered", "edge_household")
d("d_sudden", 2021, "9000", "monitored", "sudden_hardship", med="5000")  # 4000 left < 6000
d("d_sudden", 2022, "9000", "risk_eliminated", "")
d("d_medium", 2020, "1000", "not_monitored", "no_labour_no_dibao", reg=1, labor=0)
d("d_medium", 2021, "1000", "not_monitored", "no_labour_no_dibao", reg=1, labor=0)
d("d_medium", 2022, "6400", "not_monitored", "guarantee_gap", water=0)
d("d_newly", 2020, "3000", "not_monitored", "")           # newly_identified: not an edge household
d("d_newly", 2021, "3000", "entered", "edge_household")   # not_poor from 2021: edge
# A household that moves to another village is the same household (linked by hh_id).
d("d_moved", 2020, "5000", "entered")
d("d_moved", 2021, "5500", "monitored", village=DV2)
# hh_id is text: another spelling is another household.
d("d_case", 2020, "5000", "entered")
d("D_CASE", 2021, "9000", "not_monitored")
# --- income_drop (section 5): more than 30% down, below twice this year's line, 2021 on.
d("d_drop_over", 2020, "10000", "not_monitored")
d("d_drop_over", 2021, "6999.99", "entered", "income_drop")       # 69999.9 < 70000
d("d_drop_at30", 2020, "10000", "not_monitored")
d("d_drop_at30", 2021, "7000", "not_monitored", "")               # exactly 30%: no
d("d_drop_twice_at", 2020, "30000", "not_monitored")
d("d_drop_twice_at", 2021, "12000", "not_monitored", "")          # = 2 x 6000: no
d("d_drop_twice_below", 2020, "30000", "not_monitored")
d("d_drop_twice_below", 2021, "11999.99", "entered", "income_drop")
d("d_drop_twice_2022", 2021, "30000", "not_monitored")
d("d_drop_twice_2022", 2022, "12599.99", "entered", "income_drop")  # 2 x 6300 this year
d("d_drop_twice_2022_at", 2021, "30000", "not_monitored")
d("d_drop_twice_2022_at", 2022, "12600", "not_monitored", "")
d("d_drop_prev_zero", 2020, "0", "not_monitored")                 # newly identified, pc 0
d("d_drop_prev_zero", 2021, "-0.01", "entered", "edge_household")  # previous 0: no drop
d("d_drop_prev_neg", 2020, "-500", "not_monitored")
d("d_drop_prev_neg", 2021, "-5000", "entered", "edge_household")   # -50000 < -3500, but previous < 0
d("d_drop_prev_cent", 2020, "0.01", "not_monitored")
d("d_drop_prev_cent", 2021, "0", "entered", "edge_household;income_drop")
d("d_drop_2020", 2019, "10000", "not_applicable")
d("d_drop_2020", 2020, "6500", "not_monitored", "")               # no drop before 2021
d("d_drop_2021", 2020, "10000", "not_monitored")
d("d_drop_2021", 2021, "6500", "entered", "income_drop")
d("d_drop_round", 2020, "30000", "not_monitored", size=3)          # 10000.00
d("d_drop_round", 2021, "20999.99", "not_monitored", "", size=3)   # 6999.9967 -> 7000.00: exactly 30%
d("d_drop_round2", 2020, "30000.02", "not_monitored", size=3)      # 10000.0067 -> 10000.01
d("d_drop_round2", 2021, "21000", "entered", "income_drop", size=3)  # 70000 < 70000.07
d("d_drop_size", 2020, "40000", "not_monitored", size=4)           # 10000.00
d("d_drop_size", 2021, "34999.95", "entered", "income_drop", size=5)  # 6999.99
d("d_drop_keeps", 2020, "20000", "entered", "sudden_hardship", med="15000")
d("d_drop_keeps", 2021, "10000", "monitored", "income_drop")       # without it: eliminated
d("d_drop_registered", 2020, "3000", "not_monitored", "", reg=1)
d("d_drop_registered", 2021, "1000", "entered", "income_drop", reg=1)
# --- years out of order in the file
d("d_order", 2022, "7000", "monitored")
d("d_order", 2020, "5000", "entered")
d("d_order", 2021, "5500", "monitored")
d("d_order_desc", 2024, "7000", "monitored")                       # 2023 6000 not above 6600
d("d_order_desc", 2023, "6000", "entered", "edge_household")       # after elimination: in again
d("d_order_desc", 2022, "6300.01", "risk_eliminated")
d("d_order_desc", 2021, "6000.01", "monitored")
d("d_order_desc", 2020, "5000", "entered")
d("d_order_split", 2021, "9000", "monitored", "")                  # its 2020 is at the end of the file
d("d_order_split", 2020, "5000", "entered", at=tail)
# --- duplicate household-years: the first valid record in input order is kept
d("d_dup", 2020, "5000", "entered")
d("d_dup", 2020, "9000", rejected="hh_id")
d("d_dup", 2021, "9000", "monitored")                              # the kept 2020 is entered
d("d_dup_rev", 2021, "6500", "not_monitored")                      # the kept 2020 (9000) is not
d("d_dup_rev", 2020, "9000", "not_monitored")
d("d_dup_rev", 2020, "5000", rejected="hh_id")
d("d_dup_far", 2020, "5000", "entered")
d("d_dup_far", 2021, "5500", "monitored")
d("d_dup_far", 2020, "9000", rejected="hh_id", at=tail)
d("d_dup_triple", 2021, "7000", "not_monitored")
d("d_dup_triple", 2021, "5000", rejected="hh_id")
d("d_dup_triple", 2021, "5000", rejected="hh_id")
d("d_dup_village", 2020, "5000", "entered")
d("d_dup_village", 2020, "5000", village=DV2, rejected="hh_id")    # another village, same household-year
d("d_dup_bad_first", 2020, "9000", house="E", rejected="housing_grade")
d("d_dup_bad_first", 2020, "5000", "entered")                      # the first valid one: kept
d("d_dup_bad_first", 2021, "5500", "monitored")
d("d_dup_bad_second", 2020, "5000", "entered")
d("d_dup_bad_second", 2020, "9000", house="E", rejected="housing_grade")
d("d_dup_bad_second", 2021, "5500", "monitored")
lines.extend(tail)
# bad rows (rejected, not evaluated)
bad = [
 ("bad_size,,110101001001,2020,31,1000,,,,1,1,1,,,A,1,0,,", "size"),
 ("bad_money,,110101001001,2020,2,1000.001,,,,1,1,1,,,A,1,0,,", "net_income"),
 ("bad_head,110105194912310021,110101001001,2020,2,1000,,,,1,1,1,,,A,1,0,,", "head_id"),
 ("bad_village,,11010100100,2020,2,1000,,,,1,1,1,,,A,1,0,,", "village_code"),
 ("bad_bool,,110101001001,2020,2,1000,,,,yes,1,1,,,A,1,0,,", "food_secure"),
 ("bad_grade,,110101001001,2020,2,1000,,,,1,1,1,,,E,1,0,,", "housing_grade"),
 ("bad_year,,110101001001,2013,2,1000,,,,1,1,1,,,A,1,0,,", "year"),
 ("bad_negative_expense,,110101001001,2020,2,1000,-1,,,1,1,1,,,A,1,0,,", "medical_expense"),
 (",,110101001001,2020,2,1000,,,,1,1,1,,,A,1,0,,", "hh_id"),
]
out = io.StringIO()
w = csv.DictWriter(out, fieldnames=HDR, lineterminator="\n", extrasaction="ignore")
w.writeheader()
intents = {}  # file line number -> intent
for r in lines:
    intents[len(out.getvalue().splitlines()) + 1] = r.get("_intent")
    w.writerow(r)
for b, field in bad:
    intents[len(out.getvalue().splitlines()) + 1] = {"rejected": field}
    out.write(b + "\n")
text = out.getvalue()
open("national_cases.csv", "w").write(text)

# ---------------------------------------------------------------- the standard, independently
# Section 1: each rule of the record, on the raw cells.  Returns the fields at fault.
INT = re.compile(r"^[+-]?[0-9]+$")
MONEY = re.compile(r"^[+-]?[0-9]+(\.[0-9]{1,2})?$")
BOOL = {"1": True, "0": False, "true": True, "false": False}
def mod11_2(s):
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * k for c, k in zip(s[:17], w)) % 11] == s[17]
def validate(c):
    bad = []
    def absent(f): return c.get(f, "") == ""
    if absent("hh_id"): bad.append("hh_id")
    if not absent("head_id"):
        h = c["head_id"]
        if not re.fullmatch(r"[0-9]{17}[0-9X]", h) or not mod11_2(h): bad.append("head_id")
    if absent("village_code") or not re.fullmatch(r"[0-9]{12}", c["village_code"]): bad.append("village_code")
    def int_in(f, lo, hi, required=True):
        if absent(f):
            if required: bad.append(f)
            return
        if not INT.match(c[f]) or not (lo <= int(c[f]) <= hi): bad.append(f)
    int_in("year", 2014, 2035)
    int_in("size", 1, 30)
    if absent("net_income") or not MONEY.match(c["net_income"]): bad.append("net_income")
    for f in ("medical_expense", "education_expense", "disaster_loss"):
        if not absent(f) and (not MONEY.match(c[f]) or Decimal(c[f]) < 0): bad.append(f)
    for f in ("food_secure", "clothing_secure", "water_safe", "registered_poor"):
        if absent(f) or c[f] not in BOOL: bad.append(f)
    int_in("dropout_children", 0, 10**18, required=False)
    int_in("uninsured_members", 0, 10**18, required=False)
    if absent("housing_grade") or c["housing_grade"] not in ("A", "B", "C", "D"): bad.append("housing_grade")
    int_in("labor_members", 0, 10**18)
    if not absent("exited_year") and not INT.match(c["exited_year"]): bad.append("exited_year")
    if not absent("dibao") and c["dibao"] not in BOOL: bad.append("dibao")
    return bad

class Model:
    """The standard applied to one register (CSV text)."""
    def __init__(self, text):
        # Read the file as a register: every row, its line number, valid or not.
        self.rows = []       # (line number, cells) of the valid, kept records, in input order
        self.rejects = {}    # line number -> (hh_id, year, fields a rejection may name)
        first_of = {}        # (hh_id, year) -> line number of the kept record
        for n, c in enumerate(csv.DictReader(io.StringIO(text)), start=2):
            c = {k: (v or "") for k, v in c.items()}
            faults = validate(c)
            if faults:
                self.rejects[n] = (c["hh_id"], c["year"], faults)
                continue
            key = (c["hh_id"], int(c["year"]))
            if key in first_of:   # section 8: a second record of the household-year
                self.rejects[n] = (c["hh_id"], c["year"], ["hh_id"])
                continue
            first_of[key] = n
            self.rows.append((n, c))
        self.by_key = {(c["hh_id"], int(c["year"])): c for n, c in self.rows}
        self.memo = {}
        self.expected = {}   # (hh_id, year) -> "per_capita,status,flags,monitoring"
        for n, r in self.rows:
            e = self.evaluate(r["hh_id"], int(r["year"]))
            self.expected[(r["hh_id"], r["year"])] = \
                f'{e["pc"]:.2f},{e["status"]},{";".join(e["flags"])},{e["monitoring"]}'
        self.aggs = (["# aggregate village", VH] + self.agg(lambda r: (r["village_code"], r["year"])) +
                     ["", "# aggregate county", CH] + self.agg(lambda r: (r["village_code"][:6], r["year"])))

    # Sections 4, 5 and 8 for one record; the previous record's results come first.
    def evaluate(self, hid, y):
        if (hid, y) in self.memo: return self.memo[(hid, y)]
        r = self.by_key[(hid, y)]
        # section 8: the previous record is the household's kept record of year - 1
        prev = self.evaluate(hid, y - 1) if (hid, y - 1) in self.by_key else None
        size = int(r["size"]); net = Decimal(r["net_income"])
        pc = div_round(net, size)
        reg = BOOL[r["registered_poor"]]
        two = BOOL[r["food_secure"]] and BOOL[r["clothing_secure"]]
        three = int(r["dropout_children"] or 0) == 0 and int(r["uninsured_members"] or 0) == 0 and r["housing_grade"] in ("A", "B")
        water = BOOL[r["water_safe"]]
        ex = r["exited_year"] != ""
        pl = line(PL, y)
        if reg and pc > pl and two and three and water: s = "exit_eligible"
        elif reg: s = "remain_poor"
        elif ex and y <= 2020 and pc < pl: s = "returned_to_poverty"
        elif ex: s = "exited"
        elif y <= 2020 and pc < pl: s = "newly_identified"
        else: s = "not_poor"
        flags = []
        ml = line(ML, y)
        if y >= 2020:
            rig = sum(Decimal(r[k] or "0") for k in ("medical_expense", "education_expense", "disaster_loss"))
            dib = BOOL.get(r["dibao"], False)
            if ex and not reg and pc < ml: flags.append("unstable_exited")
            if not ex and s == "not_poor" and pc < ml: flags.append("edge_household")
            if rig > 0 and 2 * rig > net and div_round(net - rig, size) < ml: flags.append("sudden_hardship")
            if y >= 2021 and prev is not None and prev["pc"] > 0 and 10 * pc < 7 * prev["pc"] and pc < 2 * ml:
                flags.append("income_drop")
            if int(r["labor_members"]) == 0 and not dib and pc < ml: flags.append("no_labour_no_dibao")
            if not two or not three or not water: flags.append("guarantee_gap")
        if y < 2020:
            mon = "not_applicable"
        else:
            at_risk = any(f in HIGH for f in flags)
            pmon = prev["monitoring"] if prev is not None and prev["year"] >= 2020 else "not_monitored"
            was = pmon in ("entered", "monitored")
            if at_risk and was: mon = "monitored"
            elif at_risk: mon = "entered"
            elif was and pc > ml and prev["pc"] > line(ML, prev["year"]) and two and three and water:
                mon = "risk_eliminated"
            elif was: mon = "monitored"
            else: mon = "not_monitored"
        res = dict(year=y, pc=pc, status=s, flags=flags, monitoring=mon)
        self.memo[(hid, y)] = res
        return res

    # Section 6, over the kept records.
    def agg(self, keyf):
        g = defaultdict(lambda: [0, 0, 0, None, 0])
        for n, r in self.rows:
            k = keyf(r); e = self.evaluate(r["hh_id"], int(r["year"]))
            g[k][0] += 1; g[k][1] += int(r["size"])
            if e["status"] in ("remain_poor", "newly_identified", "returned_to_poverty"): g[k][2] += int(r["size"])
            g[k][3] = r["village_code"][:2]
            if e["monitoring"] in ("entered", "monitored"): g[k][4] += 1
        res = []
        for k in sorted(g, key=lambda k: (k[0], int(k[1]))):
            h, p, poor, prov, mon = g[k]
            inc = F(poor, p); cap = F(3, 100) if prov in WEST else F(2, 100)
            pct = (Decimal(poor) * 100 / Decimal(p)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            res.append(f"{k[0]},{k[1]},{h},{p},{poor},{pct}%,{'eligible' if inc < cap else 'not_eligible'},{mon}")
        return res

    # Runs elig on the register in PATH and lists each disagreement with the model.
    def compare(self, path, threads=1):
        cmd = ["../../elig", "run", "--no-progress", f"-j{threads}", "../../rules/national.rules", path]
        p = subprocess.run(cmd, capture_output=True, text=True)
        diffs = []
        sections = p.stdout.split("\n\n")
        got = {}
        recs = sections[0].splitlines()
        if not recs or recs[0] != RH: diffs.append(f"record header: model {RH!r}, engine {recs[:1]!r}")
        for l in recs[1:]:
            h, y, rest = l.split(",", 2)
            if (h, y) in got: diffs.append(f"engine prints {h}/{y} twice")
            got[(h, y)] = rest
        for k, v in self.expected.items():
            if k not in got:
                diffs.append(f"{k[0]}/{k[1]}: model keeps it, engine prints no result"); continue
            for name, a, b in zip(RH.split(",")[2:], v.split(","), got[k].split(",")):
                if a != b: diffs.append(f"{k[0]}/{k[1]} {name}: model {a!r}, engine {b!r}")
        for k in got:
            if k not in self.expected: diffs.append(f"{k[0]}/{k[1]}: engine prints a result, model rejects it")
        # rejections, from standard error: FILE:LINE: rejected HH/YEAR: field 'F'...
        erej = {}
        base = os.path.basename(path)
        for l in p.stderr.splitlines():
            m = re.match(r"(.*?):(\d+): rejected .*?field '(\w+)'", l)
            if m and os.path.basename(m.group(1)) == base: erej[int(m.group(2))] = m.group(3)
        for n, (h, y, f) in self.rejects.items():
            if n not in erej: diffs.append(f"line {n} ({h}/{y}): model rejects it ({'|'.join(f)}), engine does not")
            elif erej[n] not in f: diffs.append(f"line {n} ({h}/{y}): rejected field: model {'|'.join(f)}, engine {erej[n]}")
        for n, f in erej.items():
            if n not in self.rejects: diffs.append(f"line {n}: engine rejects it ({f}), model does not")
        ga = "\n\n".join(sections[1:]).strip("\n").splitlines()
        for l in self.aggs:
            if l not in ga: diffs.append(f"aggregate row: model {l!r}, engine has no such row")
        for l in ga:
            if l not in self.aggs: diffs.append(f"aggregate row: engine {l!r}, model has no such row")
        return p.returncode, diffs

RH = "hh_id,year,per_capita,status,flags,monitoring"
VH = "village_code,year,households,population,poor_population,incidence,exit,monitored"
CH = "county_code,year,households,population,poor_population,incidence,exit,monitored"
M = Model(text)
open("/tmp/national_expected_records.csv", "w").write(
    RH + "\n" + "".join(f"{k[0]},{k[1]},{v}\n" for k, v in M.expected.items()))
open("/tmp/national_expected_rejects.txt", "w").write(
    "line,hh_id,year,field\n" + "".join(f"{n},{h},{y},{'|'.join(f)}\n" for n, (h, y, f) in sorted(M.rejects.items())))
open("/tmp/national_expected_aggs.txt", "w").write("\n".join(M.aggs) + "\n")

# The cases check themselves: each crafted row must come out as it was meant to.
crafting = []
line_of = dict(M.rows)
for n, want in intents.items():
    if not want: continue
    if "rejected" in want:
        if n not in M.rejects or want["rejected"] not in M.rejects[n][2]:
            crafting.append(f"line {n}: meant to be rejected ({want['rejected']}), model: {M.rejects.get(n)}")
        continue
    if n not in line_of:
        crafting.append(f"line {n}: meant to be kept, model rejects it: {M.rejects.get(n)}"); continue
    r = line_of[n]; e = M.evaluate(r["hh_id"], int(r["year"]))
    if "monitoring" in want and e["monitoring"] != want["monitoring"]:
        crafting.append(f'line {n} {r["hh_id"]}/{r["year"]}: meant monitoring {want["monitoring"]}, model {e["monitoring"]}')
    if "flags" in want and ";".join(e["flags"]) != want["flags"]:
        crafting.append(f'line {n} {r["hh_id"]}/{r["year"]}: meant flags "{want["flags"]}", model "{";".join(e["flags"])}"')
if crafting:
    print("crafted cases that miss their intent:\n  " + "\n  ".join(crafting), file=sys.stderr)
    sys.exit(2)

nhist = len({r["hh_id"] for n, r in M.rows if r["hh_id"].startswith(("d_", "D_"))})
ndup = sum(1 for v in M.rejects.values() if v[2] == ["hh_id"] and v[0])
nagg = sum(1 for l in M.aggs if l and l[0].isdigit())
print(f"{len(lines) + len(bad)} rows: {len(M.rows)} records kept, {len(M.rejects)} rejected "
      f"({ndup} of them duplicates); {nhist} households followed over the years; {nagg} aggregate rows")

# ---------------------------------------------------------------- --check: compare with elig
# --check: the command of national_cases.cmd on national_cases.csv.  --shuffle N: also N
# shuffled copies of it, each with 1 and 2 threads, the model reading each copy afresh (which
# record of a duplicated household-year is first in input order changes with the shuffle):
# the standard says the results must not depend on the order of the records.
if "--check" in sys.argv[1:] or "--shuffle" in sys.argv[1:]:
    failed = False
    status, diffs = M.compare("national_cases.csv")
    print(f"national_cases.csv: compared {len(M.expected)} records, {len(M.rejects)} rejections, "
          f"{nagg} aggregate rows; engine exit status {status}; {len(diffs)} disagreements")
    for x in diffs: print("  " + x)
    failed |= bool(diffs)
    if "--shuffle" in sys.argv[1:]:
        import random, tempfile
        nshuf = int(sys.argv[sys.argv.index("--shuffle") + 1])
        head, *body = text.splitlines()
        for seed in range(nshuf):
            rng = random.Random(seed)
            order = list(range(len(body))); rng.shuffle(order)
            shuffled = head + "\n" + "\n".join(body[i] for i in order) + "\n"
            with tempfile.TemporaryDirectory() as td:
                path = os.path.join(td, "shuffled.csv")
                open(path, "w").write(shuffled)
                m = Model(shuffled)
                for j in (1, 2):
                    status, diffs = m.compare(path, j)
                    print(f"shuffle {seed} -j{j}: {len(diffs)} disagreements")
                    for x in diffs: print("  " + x)
                    failed |= bool(diffs)
    sys.exit(1 if failed else 0)
