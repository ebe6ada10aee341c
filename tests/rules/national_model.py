# national_model.py -- an independent model of shared/design/national-standard.md, in Python,
# and the crafted households it checks rules/national.rules against.
#
# It writes tests/rules/national_cases.csv (households on both sides of every threshold, plus
# bad rows) and what the standard says for each (/tmp/national_expected_*.txt).  Run it from
# tests/rules/ and compare with `elig run`: tests/rules/national_cases.out must agree with it.
# Not run by make check (it needs python3); the .out it vouched for is.
import csv, io
from fractions import Fraction as F
from decimal import Decimal, ROUND_HALF_UP

HDR = ["hh_id","head_id","village_code","year","size","net_income","medical_expense","education_expense","disaster_loss","food_secure","clothing_secure","water_safe","dropout_children","uninsured_members","housing_grade","labor_members","registered_poor","exited_year","dibao"]
PL = {2014:2800,2015:2855,2016:2952,2017:2952,2018:2995,2019:3218,2020:4000}
ML = {2020:6000,2021:6000,2022:6300,2023:6600,2024:6900,2025:7200}
WEST = {"15","45","50","51","52","53","54","61","62","63","64","65"}
def line(tab, y):
    ks = sorted(tab)
    if y < ks[0]: return tab[ks[0]]
    return tab[max(k for k in ks if k <= y)]
def money(x): return Decimal(x)
def div_round(m, n):  # half away from zero, to the fen
    q = (Decimal(m) / n)
    return q.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # ROUND_HALF_UP in decimal = half away from zero
rows = []
def hh(hid, village="110101001001", year=2020, size=4, net="20000", med="", edu="", dis="",
       food=1, cloth=1, water=1, drop="", unins="", house="A", labor=1, reg=0, exited="", dibao="", head=""):
    rows.append(dict(hh_id=hid, head_id=head, village_code=village, year=year, size=size, net_income=net,
        medical_expense=med, education_expense=edu, disaster_loss=dis, food_secure=food, clothing_secure=cloth,
        water_safe=water, dropout_children=drop, uninsured_members=unins, housing_grade=house,
        labor_members=labor, registered_poor=reg, exited_year=exited, dibao=dibao))
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
    pl = line(PL, y)
    hh(f"new_{y}_below", year=y, size=1, net=f"{pl-1}.99")
    hh(f"new_{y}_at", year=y, size=1, net=f"{pl}.00")
# --- monitoring line table, edge households
for y in range(2019, 2027):
    ml = line(ML, y)
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
# --- aggregates: sizes chosen for exact incidence on both sides of the caps
def village(code, year, poor_size, others):
    hh(f"v{code[-4:]}_{year}_poor", village=code, year=year, size=poor_size, net="100", reg=1)
    for i, s in enumerate(others):
        hh(f"v{code[-4:]}_{year}_{i}", village=code, year=year, size=s, net="1000000")
village("410101001001", 2020, 2, [30, 30, 30, 8])    # 2/100 = 2.00%: not below 2%
village("410101001002", 2020, 2, [30, 30, 30, 9])    # 2/101 = 1.98%: eligible
village("530101001001", 2020, 3, [30, 30, 30, 7])    # 3/100 = 3.00%: not below 3% (western)
village("530101001002", 2020, 3, [30, 30, 30, 8])    # 3/101 = 2.97%: eligible (western)
village("530101001003", 2020, 2, [30, 30, 30, 8])    # 2/100 = 2.00%: eligible in the west
# bad rows (rejected, not evaluated)
bad = [
 "bad_size,,110101001001,2020,31,1000,,,,1,1,1,,,A,1,0,,",
 "bad_money,,110101001001,2020,2,1000.001,,,,1,1,1,,,A,1,0,,",
 "bad_head,110105194912310021,110101001001,2020,2,1000,,,,1,1,1,,,A,1,0,,",
 "bad_village,,11010100100,2020,2,1000,,,,1,1,1,,,A,1,0,,",
 "bad_bool,,110101001001,2020,2,1000,,,,yes,1,1,,,A,1,0,,",
 "bad_grade,,110101001001,2020,2,1000,,,,1,1,1,,,E,1,0,,",
 "bad_year,,110101001001,2013,2,1000,,,,1,1,1,,,A,1,0,,",
 "bad_negative_expense,,110101001001,2020,2,1000,-1,,,1,1,1,,,A,1,0,,",
 ",,110101001001,2020,2,1000,,,,1,1,1,,,A,1,0,,",
]
out = io.StringIO()
w = csv.DictWriter(out, fieldnames=HDR, lineterminator="\n")
w.writeheader()
for r in rows: w.writerow(r)
text = out.getvalue() + "\n".join(bad) + "\n"
open("national_cases.csv", "w").write(text)

# --- the standard, independently
def status(r):
    size = int(r["size"]); net = Decimal(str(r["net_income"])); y = int(r["year"])
    pc = div_round(net, size)
    reg = int(r["registered_poor"]) == 1
    two = int(r["food_secure"]) == 1 and int(r["clothing_secure"]) == 1
    three = int(r["dropout_children"] or 0) == 0 and int(r["uninsured_members"] or 0) == 0 and r["housing_grade"] in ("A", "B")
    water = int(r["water_safe"]) == 1
    ex = r["exited_year"] != ""
    pl = line(PL, y)
    if reg and pc > pl and two and three and water: s = "exit_eligible"
    elif reg: s = "remain_poor"
    elif ex and y <= 2020 and pc < pl: s = "returned_to_poverty"
    elif ex: s = "exited"
    elif y <= 2020 and pc < pl: s = "newly_identified"
    else: s = "not_poor"
    flags = []
    if y >= 2020:
        ml = line(ML, y)
        rig = sum(Decimal(str(r[k] or "0")) for k in ("medical_expense", "education_expense", "disaster_loss"))
        dib = int(r["dibao"] or 0) == 1
        if ex and not reg and pc < ml: flags.append("unstable_exited")
        if not ex and s == "not_poor" and pc < ml: flags.append("edge_household")
        if rig > 0 and 2 * rig > net and div_round(net - rig, size) < ml: flags.append("sudden_hardship")
        if int(r["labor_members"]) == 0 and not dib and pc < ml: flags.append("no_labour_no_dibao")
        if not two or not three or not water: flags.append("guarantee_gap")
    return pc, s, flags
exp = ["hh_id,year,per_capita,status,flags"]
for r in rows:
    pc, s, fl = status(r)
    exp.append(f'{r["hh_id"]},{r["year"]},{pc:.2f},{s},{";".join(fl)}')
open("/tmp/national_expected_records.csv", "w").write("\n".join(exp) + "\n")
# aggregates
from collections import defaultdict
def agg(keyf):
    g = defaultdict(lambda: [0, 0, 0, None])
    for r in rows:
        k = keyf(r); pc, s, fl = status(r)
        g[k][0] += 1; g[k][1] += int(r["size"])
        if s in ("remain_poor", "newly_identified", "returned_to_poverty"): g[k][2] += int(r["size"])
        g[k][3] = r["village_code"][:2]
    res = []
    for k in sorted(g):
        h, p, poor, prov = g[k]
        inc = F(poor, p); cap = F(3, 100) if prov in WEST else F(2, 100)
        pct = (Decimal(poor) * 100 / Decimal(p)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        res.append(f"{k[0]},{k[1]},{h},{p},{poor},{pct}%,{'eligible' if inc < cap else 'not_eligible'}")
    return res
v = agg(lambda r: (r["village_code"], r["year"]))
c = agg(lambda r: (r["village_code"][:6], r["year"]))
open("/tmp/national_expected_aggs.txt", "w").write("\n".join(
  ["# aggregate village", "village_code,year,households,population,poor_population,incidence,exit"] + v +
  ["", "# aggregate county", "county_code,year,households,population,poor_population,incidence,exit"] + c) + "\n")
print(len(rows), "households,", len(bad), "bad rows")
