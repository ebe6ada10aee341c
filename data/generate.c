/*
 * generate.c - writes a synthetic household register (建档立卡 annual records) for trying and
 * benchmarking elig.
 *
 * Place in the project: not part of elig. It makes the input that `elig run` reads: the
 * bundled sample (data/sample.csv, data/sample.jsonl) and the benchmark registers of one and
 * ten million households. The fields and their rules are those of doc/national-standard.md
 * section 1; see data/README.md for the options and the distributions.
 *
 * Determinism: every value is drawn from a splitmix64 stream seeded from (seed, household,
 * what is drawn, year), never from a shared sequence, so a record does not depend on the
 * records before it, and the same arguments give the same bytes on every machine. No
 * floating point is used anywhere: probabilities are in parts per million and money in fen.
 *
 * The model, in short. Counties come from a table of real counties (western and not,
 * alternating), then synthetic ones of valid shape; each has a target share of households
 * still poor in 2020 around the exit caps (3% western, 2% elsewhere). Villages of 40-80
 * households share their county's target with a factor of their own. A household is one of:
 *   - registered (建档立卡) in 2014 and exited in a year from 2014 to 2020;
 *   - registered and still in the register in 2020 (exits in 2021, 2022, or never);
 *   - never registered.
 * It keeps its number, village, head and members from year to year (members have birth
 * years and some elders a death year, so size and labour drift). Its income per person
 * follows a path from 2014 (income_path): a level of its own in 2020 in one of five groups
 * around the poverty line, the monitoring line and above, a trend of a few percent a year,
 * yearly noise, and shocks (illness, disaster) that cut it by 30-70% and heal over 1-3
 * years, fully or in part, some with a large medical bill or disaster loss. A registered
 * household's income is capped by its path out of poverty: below the line while registered,
 * rising to just above it the year before it exits.
 *
 * Order: by year, then village, then household; or, with --shuffle, a seeded permutation of
 * that order. Every record is computed on its own from (seed, household, year), so either
 * order costs the same and memory does not grow with the register (--shuffle keeps a small
 * table of the villages).
 *
 * Speed: one output buffer, written in large blocks; numbers are formatted by hand; nothing
 * is allocated per record.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==========================================================================================
 * Random numbers: splitmix64 (Steele, Lea and Flood 2014), as a keyed stream
 * ======================================================================================== */

#define GOLDEN 0x9e3779b97f4a7c15u

static uint64_t mix64(uint64_t z)
{
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

typedef struct {
  uint64_t s; /* splitmix64 state */
} rng;

/* What a stream is for: each purpose has its own stream, so adding a draw to one part of
 * the model does not shift the values of another. */
enum {
  TAG_VILLAGE_SIZE = 1,
  TAG_VILLAGE,
  TAG_TOWNSHIP,
  TAG_COUNTY,
  TAG_HOUSE,  /* persistent traits of a household */
  TAG_COMP,   /* its members */
  TAG_NAMES,  /* their names (JSON only) */
  TAG_YEAR,   /* this year's values; the year is mixed into the key */
  TAG_PATH,   /* its income's course: each year's growth, noise and whether a shock strikes */
  TAG_SHOCK,  /* a shock: what it does (keyed like TAG_YEAR) */
  TAG_SHUFFLE /* the order of the records with --shuffle */
};

static rng rng_for(uint64_t seed, uint64_t key, uint64_t tag)
{
  rng r;
  r.s = mix64(seed + GOLDEN * (tag + 1)) ^ mix64(key + 0x632be59bd9b4e019u * tag);
  return r;
}

static uint64_t rng_next(rng *r)
{
  r->s += GOLDEN;
  return mix64(r->s);
}

/* A number in [0, n), by multiply-high (no division, bias below 2^-32). */
static uint32_t rng_below(rng *r, uint32_t n)
{
  return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* A number in [lo, hi]. */
static int64_t rng_range(rng *r, int64_t lo, int64_t hi)
{
  return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* True with probability ppm / 1,000,000. */
static bool rng_ppm(rng *r, uint32_t ppm)
{
  return rng_below(r, 1000000) < ppm;
}

/* ==========================================================================================
 * Geography
 * ======================================================================================== */

typedef struct {
  uint32_t code;       /* 6-digit county code (GB/T 2260) */
  uint32_t target_ppm; /* share of households meant to be poor in 2020, parts per million */
} real_county;

/* Real counties (national poor counties until 2020), western and not, alternating, with a
 * 2020 target chosen to fall clearly on one side of the exit cap (3% western, 2% elsewhere),
 * so that some counties pass the exit test and some do not. A register with few villages
 * uses the first two: a western county that passes and a central one that fails. */
static const real_county real_counties[] = {
    {530621, 15000}, /* 云南 昭通 鲁甸县 (W) */
    {411623, 36000}, /* 河南 周口 商水县 */
    {522327, 42000}, /* 贵州 黔西南 册亨县 (W) */
    {360730, 11000}, /* 江西 赣州 宁都县 */
    {621121, 20000}, /* 甘肃 定西 通渭县 (W) */
    {433124, 28000}, /* 湖南 湘西 花垣县 */
    {513431, 48000}, /* 四川 凉山 昭觉县 (W) */
    {341221, 9000},  /* 安徽 阜阳 临泉县 */
    {530622, 14000}, /* 云南 昭通 巧家县 (W) */
    {411524, 30000}, /* 河南 信阳 商城县 */
    {522326, 45000}, /* 贵州 黔西南 望谟县 (W) */
    {360731, 10000}, /* 江西 赣州 于都县 */
    {621126, 22000}, /* 甘肃 定西 岷县 (W) */
    {433127, 34000}, /* 湖南 湘西 永顺县 */
    {513436, 52000}, /* 四川 凉山 美姑县 (W) */
    {422823, 12000}, /* 湖北 恩施 巴东县 */
    {622926, 40000}, /* 甘肃 临夏 东乡族自治县 (W) */
    {411627, 8000},  /* 河南 周口 太康县 */
    {530627, 18000}, /* 云南 昭通 镇雄县 (W) */
    {360732, 27000}, /* 江西 赣州 兴国县 */
    {520527, 16000}, /* 贵州 毕节 赫章县 (W) */
    {433130, 13000}, /* 湖南 湘西 龙山县 */
    {451228, 36000}, /* 广西 河池 都安瑶族自治县 (W) */
    {130722, 25000}, /* 河北 张家口 张北县 */
    {611024, 12000}, /* 陕西 商洛 山阳县 (W) */
    {130723, 9000},  /* 河北 张家口 康保县 */
    {640422, 33000}, /* 宁夏 固原 西吉县 (W) */
    {422826, 26000}, /* 湖北 恩施 咸丰县 */
};
#define N_REAL (sizeof real_counties / sizeof real_counties[0])

/* Provinces of the synthetic counties: western and not, alternating. */
static const uint32_t provinces[] = {53, 41, 52, 36, 62, 43, 51, 34, 45, 42, 61, 13, 64};
#define N_PROV (sizeof provinces / sizeof provinces[0])
/* Synthetic counties per province: prefecture 01-20 (cities), county 21-80 (counties). */
#define SYNTH_PER_PROV (20u * 60u)
#define VILLAGES_PER_COUNTY 200u

typedef struct {
  uint32_t code;       /* 6-digit county code */
  uint32_t target_ppm; /* see real_county */
  uint64_t vfirst;     /* its villages, in output order: [vfirst, vlast) */
  uint64_t vlast;
} county;

static int county_cmp(const void *a, const void *b)
{
  const county *x = a, *y = b;
  return x->code < y->code ? -1 : x->code > y->code;
}

/* ==========================================================================================
 * Parameters of doc/national-standard.md section 3, in yuan
 * ======================================================================================== */

static int64_t poverty_line(int year)
{
  static const int64_t line[] = {2800, 2855, 2952, 2952, 2995, 3218}; /* 2014-2019 */
  return year >= 2020 ? 4000 : line[year - 2014];
}

static int64_t monitor_line(int year)
{
  static const int64_t line[] = {6000, 6000, 6300, 6600, 6900}; /* 2020-2024 */
  if (year <= 2020)
    return 6000;
  return year >= 2025 ? 7200 : line[year - 2020];
}

/* ==========================================================================================
 * Output buffer
 * ======================================================================================== */

#define OUT_CAP (8u << 20)
#define RECORD_MAX 8192 /* more than the longest record, members included */

typedef struct {
  char *buf;        /* OUT_CAP bytes */
  size_t len;       /* bytes waiting */
  FILE *f;          /* destination */
  const char *name; /* its name, for messages */
} out;

static void out_flush(out *o)
{
  if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len) {
    fprintf(stderr, "generate: cannot write %s: %s\n", o->name, strerror(errno));
    exit(1);
  }
  o->len = 0;
}

/* Makes room for one record; the put_ functions below then write without checks. */
static void out_reserve(out *o)
{
  if (OUT_CAP - o->len < RECORD_MAX)
    out_flush(o);
}

static void put_mem(out *o, const char *s, size_t n)
{
  memcpy(o->buf + o->len, s, n);
  o->len += n;
}

static void put_str(out *o, const char *s)
{
  put_mem(o, s, strlen(s));
}

static void put_ch(out *o, char c)
{
  o->buf[o->len++] = c;
}

static void put_u64(out *o, uint64_t v)
{
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n)
    o->buf[o->len++] = tmp[--n];
}

static void put_int(out *o, int64_t v)
{
  if (v < 0) {
    put_ch(o, '-');
    put_u64(o, (uint64_t)(-v));
  } else {
    put_u64(o, (uint64_t)v);
  }
}

/* Money in fen, written in yuan with two decimals. */
static void put_money(out *o, int64_t fen)
{
  if (fen < 0) {
    put_ch(o, '-');
    fen = -fen;
  }
  put_u64(o, (uint64_t)(fen / 100));
  put_ch(o, '.');
  put_ch(o, (char)('0' + fen % 100 / 10));
  put_ch(o, (char)('0' + fen % 10));
}

/* ==========================================================================================
 * Households and their members
 * ======================================================================================== */

enum {
  REL_HEAD,
  REL_SPOUSE,
  REL_CHILD,
  REL_PARENT,
  REL_GRANDCHILD
};
static const char *const rel_names[] = {"head", "spouse", "child", "parent", "grandchild"};

#define MAX_PERSONS 16

typedef struct {
  int16_t birth;    /* birth year */
  int16_t death;    /* year of death, or 0 */
  uint8_t rel;      /* REL_ */
  uint8_t male;     /* 1 = male */
  uint8_t disabled; /* 1 = disabled (残疾) */
  uint8_t study;    /* 0 none, 1 stays at school to 18, 2 and to college, to 22 */
} person;

typedef struct {
  person p[MAX_PERSONS]; /* head first */
  int n;                 /* persons ever in the household */
  int head_month;        /* head's birth date, for head_id */
  int head_day;
  int head_seq; /* 3-digit sequence number of head_id: odd for men */
} household;

/* Draws the members of household h: who they are and when they were born. The same for
 * every year; which of them are present in a year depends on birth and death. */
static void make_household(uint64_t seed, uint64_t h, household *hh)
{
  rng r = rng_for(seed, h, TAG_COMP);
  person *p = hh->p;
  int n = 0, kind = (int)rng_below(&r, 100);
  memset(hh, 0, sizeof *hh);
  if (kind < 6) {                           /* an old person alone */
    int b = (int)rng_range(&r, 1931, 1953); /* one draw per statement: C leaves the order of */
    bool male = rng_ppm(&r, 450000);        /* evaluation within an initializer unspecified */
    p[n++] = (person){(int16_t)b, 0, REL_HEAD, male, 0, 0};
  } else if (kind < 11) { /* an old couple */
    int b = (int)rng_range(&r, 1934, 1954);
    p[n++] = (person){(int16_t)b, 0, REL_HEAD, 1, 0, 0};
    p[n++] = (person){(int16_t)(b + rng_range(&r, -2, 5)), 0, REL_SPOUSE, 0, 0, 0};
  } else if (kind < 13) { /* a disabled adult alone */
    int b = (int)rng_range(&r, 1960, 1990);
    bool male = rng_ppm(&r, 600000);
    p[n++] = (person){(int16_t)b, 0, REL_HEAD, male, 1, 0};
  } else { /* a family */
    int hb = (int)rng_range(&r, 1955, 1994), male = rng_ppm(&r, 880000);
    p[n++] = (person){(int16_t)hb, 0, REL_HEAD, (uint8_t)male, 0, 0};
    if (rng_ppm(&r, 920000))
      p[n++] = (person){(int16_t)(hb + (male ? rng_range(&r, -1, 6) : -rng_range(&r, 0, 5))),
                        0,
                        REL_SPOUSE,
                        (uint8_t)!male,
                        0,
                        0};
    uint32_t k = rng_below(&r, 100);
    int kids = k < 10 ? 0 : k < 45 ? 1 : k < 85 ? 2 : k < 97 ? 3 : 4;
    int first_kid = n, oldest_kid = 9999;
    for (int i = 0; i < kids; i++) {
      int b = hb + (int)rng_range(&r, 21, 38);
      if (b > 2024)
        b = 2024 - (int)rng_below(&r, 6);
      bool left = b <= 1996 && rng_ppm(&r, 500000); /* grown up and moved out */
      uint32_t s = rng_below(&r, 100);
      person c = {(int16_t)b,          0, REL_CHILD,
                  rng_ppm(&r, 520000), 0, (uint8_t)(s < 20 ? 2 : s < 60 ? 1 : 0)};
      if (left)
        continue;
      int j = n++; /* children by age, oldest first */
      while (j > first_kid && p[j - 1].birth > c.birth) {
        p[j] = p[j - 1];
        j--;
      }
      p[j] = c;
      if (b < oldest_kid)
        oldest_kid = b;
    }
    uint32_t e = rng_below(&r, 100);
    int elders = e < 55 ? 0 : e < 85 ? 1 : 2;
    for (int i = 0; i < elders; i++) {
      int b = hb - (int)rng_range(&r, 22, 34);
      if (b < 1922)
        b = 1922;
      int death = rng_ppm(&r, 150000) ? (int)rng_range(&r, 2015, 2024) : 0;
      p[n++] = (person){(int16_t)b, (int16_t)death, REL_PARENT, (uint8_t)(i == 0), 0, 0};
    }
    if (oldest_kid <= 1995 && rng_ppm(&r, 250000)) {
      int g = 1 + (int)rng_below(&r, 2);
      for (int i = 0; i < g; i++) {
        int b = (int)rng_range(&r, 2008, 2022);
        bool boy = rng_ppm(&r, 520000);
        p[n++] = (person){(int16_t)b, 0, REL_GRANDCHILD, boy, 0, 0};
      }
    }
  }
  for (int i = 0; i < n; i++) /* disability, more common among the old */
    if (!p[i].disabled && rng_ppm(&r, p[i].birth < 1955 ? 70000 : 20000))
      p[i].disabled = 1;
  hh->n = n;
  hh->head_month = (int)rng_range(&r, 1, 12);
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  hh->head_day = (int)rng_range(&r, 1, mdays[hh->head_month - 1]);
  hh->head_seq = (int)rng_range(&r, 1, 499) * 2 - (p[0].male ? 1 : 0);
}

/* Writes v as exactly `width` digits, with leading zeros (no terminating NUL). */
static void put_digits(char *dst, uint64_t v, int width)
{
  for (int i = width - 1; i >= 0; i--) {
    dst[i] = (char)('0' + v % 10);
    v /= 10;
  }
}

/* ISO 7064 MOD 11-2 check character of 17 digits. */
static char mod11_2(const char *d)
{
  static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int s = 0;
  for (int i = 0; i < 17; i++)
    s += (d[i] - '0') * w[i];
  return "10X98765432"[s % 11];
}

/* ==========================================================================================
 * One record
 * ======================================================================================== */

/* Kinds of bad rows (--bad-rows), in the order they are used. */
enum {
  BAD_NONE = -1,
  BAD_SIZE,     /* size 0 or above 30 */
  BAD_DECIMALS, /* money with three decimals */
  BAD_NUMBER,   /* non-numeric income */
  BAD_CHECK,    /* wrong check character in head_id */
  BAD_VILLAGE,  /* 11-digit village code */
  BAD_MISSING,  /* a required value missing */
  BAD_BOOL,     /* a boolean that is not one */
  N_BAD
};

typedef struct {
  int year;
  int size;
  int64_t net, medical, education, disaster; /* fen */
  bool food, clothing, water;
  int dropout, uninsured, labour;
  char grade;
  bool registered;
  int exited_year; /* 0 when absent */
  bool dibao;
  bool has_head_id;
  char head_id[19];
  int present[MAX_PERSONS]; /* indices of the members present this year */
  bool enrolled[MAX_PERSONS], insured[MAX_PERSONS], works[MAX_PERSONS]; /* by present index */
} record;

/* What the village gives its households. */
typedef struct {
  char code[13];   /* 12-digit division code */
  uint32_t county; /* its county's 6-digit code */
  uint32_t target; /* share of households meant to be poor in 2020, ppm */
  uint32_t reg;    /* share registered poor in 2014, ppm */
  uint32_t hazard; /* yearly chance of an illness or a disaster in a household, ppm */
  uint32_t size;   /* its households */
  uint64_t first;  /* the number of its first household */
} village;

#define PPM 1000000

/* Exit years of households registered in 2014 that exited by 2020, weights in percent. */
static const int exit_weights[] = {4, 6, 14, 22, 22, 20, 12}; /* 2014 .. 2020 */

static int64_t lerp(int64_t lo, int64_t hi, int pos) /* pos in 0..999 */
{
  return lo + (hi - lo) * pos / 999;
}

/* The poverty line of a year, in fen. */
static int64_t line_fen(int year)
{
  return poverty_line(year) * 100;
}

/* A person's place in the household in a year. */
static bool present_in(const person *p, int year)
{
  return p->birth <= year && !(p->death && year >= p->death);
}

static bool enrolled_in(const person *p, int year)
{
  int age = year - p->birth;
  return (age >= 6 && age <= 15) || (age >= 16 && age <= 18 && p->study >= 1) ||
         (age >= 19 && age <= 22 && p->study == 2);
}

static bool works_in(const person *p, int year)
{
  int age = year - p->birth;
  return age >= 16 && age <= 64 && !p->disabled && !enrolled_in(p, year);
}

/* Income groups: where a household's normal income per person lies in 2020, and how fast it
 * grows. */
enum {
  GROUP_NEAR_LINE, /* around the poverty line */
  GROUP_EDGE,      /* above the poverty line, below the monitoring line */
  GROUP_NEAR_MON,  /* around the monitoring line */
  GROUP_MID,       /* one to two monitoring lines */
  GROUP_HIGH       /* above */
};

/* A household's income over the years: what it draws once and keeps. */
typedef struct {
  bool registered;  /* registered poor in 2014 (建档立卡) */
  int exit_year;    /* the year it left the register; 0 when it never did */
  int64_t rho0;     /* while registered: income as ppm of the poverty line */
  int64_t rho_exit; /* the same, the year before it exits */
  int64_t lift;     /* after the exit: growth of that income, per mille a year */
  int64_t base;     /* the normal income per person in 2020, fen */
  int64_t growth;   /* the trend of the normal income, per mille a year */
  uint32_t hazard;  /* yearly chance of an illness or a disaster, ppm */
} course;

/* One year of it. */
typedef struct {
  int64_t pc;     /* income per person, fen */
  int64_t normal; /* what it would be without this year's shock, fen */
  int shock;      /* this year's shock: 0 none, 1 illness, 2 disaster */
  int64_t cost;   /* what this year's shock costs, percent of the normal household income */
} income;

enum {
  SHOCK_NONE,
  SHOCK_ILLNESS,
  SHOCK_DISASTER
};

/* The income of a registered household as the register sees it: the path out of poverty.
 * While registered it lies at rho0 times the line, rising to rho_exit the year before the
 * exit (most of the rise in the last two years, as projects and jobs come); after the exit
 * it grows by `lift` a year. noise (ppm) varies it a little from year to year. */
static int64_t register_path(const course *c, int year, int64_t noise)
{
  int e = c->exit_year;
  if (e == 0)
    return line_fen(year) * (c->rho0 * (PPM + noise) / PPM) / PPM;
  if (year < e) {
    int back = e - 1 - year;
    if (back == 0)
      return line_fen(year) * c->rho_exit / PPM;
    int64_t w = back == 1 ? 500 : back == 2 ? 150 : 0;
    int64_t rho = c->rho0 + (c->rho_exit - c->rho0) * w / 1000;
    return line_fen(year) * (rho * (PPM + noise / 2) / PPM) / PPM;
  }
  int64_t p = line_fen(year) * (c->rho_exit > PPM ? c->rho_exit : PPM) / PPM;
  for (int y = e; y <= year && p < 100000000; y++) /* (by then far above any income) */
    p = p * (1000 + c->lift) / 1000;
  return p;
}

/* The household's income per person in `year`. It follows the household from 2014, so a
 * year's value does not depend on the years asked for:
 *   - a normal income: `base` in 2020, growing by `growth` per mille a year (back to 2014 and
 *     on from 2020), each year's growth varied by up to 2 points, which carries on, and each
 *     year's income by up to 4%, which does not;
 *   - for a registered household, no more than the register's path (register_path);
 *   - shocks: each year, with chance `hazard`, an illness or a disaster cuts the income by
 *     30-70%; over the next 1-3 years it comes back, fully (60%) or to 40-80% of the loss,
 *     the rest being lost for good. Half of the shocks also cost a large medical bill or
 *     disaster loss in their year (`cost`). */
static void income_path(uint64_t seed, uint64_t h, int year, const course *c, income *in)
{
  int64_t growth[2035 - 2014 + 1];          /* per mille, into each year from the one before */
  int64_t noise = 0, kept = PPM, hit = PPM; /* what earlier shocks leave, and this year's */
  int last = year > 2020 ? year : 2020;
  memset(in, 0, sizeof *in);
  rng R = rng_for(seed, h, TAG_PATH);
  for (int s = 2014; s <= last; s++) {
    /* One draw a year, the household's n-th for year 2013 + n, makes its growth (16 bits),
     * noise (24) and whether a shock strikes (24): this loop runs for every record. */
    uint64_t x = rng_next(&R);
    growth[s - 2014] = c->growth + (int64_t)(((x & 0xffff) * 41) >> 16) - 20;
    int64_t e = (int64_t)(((x >> 16 & 0xffffff) * 80001) >> 24) - 40000;
    bool struck = ((x >> 40) * PPM >> 24) < c->hazard;
    if (s > year)
      continue; /* only its growth counts, to go back from 2020 */
    if (s == year)
      noise = e;
    if (!struck)
      continue;
    rng S = rng_for(seed, h * 64 + (uint64_t)(s - 2000), TAG_SHOCK);
    int kind = rng_ppm(&S, 550000) ? SHOCK_ILLNESS : SHOCK_DISASTER;
    int64_t drop = rng_range(&S, 300000, 700000);
    int64_t span = rng_range(&S, 1, 3);
    int64_t regain = rng_ppm(&S, 600000) ? PPM : rng_range(&S, 500000, 900000);
    int64_t cost = rng_ppm(&S, 500000) ? rng_range(&S, 20, 120) : 0;
    int64_t j = year - s;
    int64_t rest = j >= span ? 0 : PPM * (span - j) / span; /* most of it comes back early */
    int64_t regained = regain * (PPM - rest * rest / PPM) / PPM;
    int64_t left = PPM - drop * (PPM - regained) / PPM;
    if (j == 0) {
      hit = left;
      in->shock = kind;
      in->cost = cost;
    } else {
      kept = kept * left / PPM;
    }
  }
  int64_t n = c->base;
  if (year >= 2020)
    for (int s = 2021; s <= year; s++)
      n = n * (1000 + growth[s - 2014]) / 1000;
  else
    for (int s = 2020; s > year; s--)
      n = n * 1000 / (1000 + growth[s - 2014]);
  n = n * (PPM + noise) / PPM;
  if (c->registered) {
    int64_t p = register_path(c, year, noise);
    if (p < n)
      n = p;
  }
  in->normal = n * kept / PPM;
  in->pc = in->normal * hit / PPM;
}

static void make_record(uint64_t seed, uint64_t h, int year, const village *v, const household *hh,
                        record *rec)
{
  /* Traits of the household that hold from year to year: always drawn, in this order. */
  rng P = rng_for(seed, h, TAG_HOUSE);
  uint32_t u_class = rng_below(&P, PPM);
  uint32_t u_exit = rng_below(&P, 100);
  uint32_t u_group = rng_below(&P, 100);
  uint32_t u_high = rng_below(&P, 100);
  int pos = (int)rng_below(&P, 1000);  /* position within the income group */
  int gpos = (int)rng_below(&P, 1000); /* position within its range of growth */
  uint32_t u_ee = rng_below(&P, 100);  /* meets the exit test before its exit */
  int64_t rho0 = rng_range(&P, 450000, 950000);
  int64_t rho_hi = rng_range(&P, 1010000, 1450000), rho_lo = rng_range(&P, 800000, 990000);
  int64_t lift = rng_range(&P, 150, 350);
  bool lab0_low = rng_ppm(&P, 600000); /* if no one can work: a low income */
  uint32_t u_gap = rng_below(&P, PPM);
  uint32_t gap_kind = rng_below(&P, 100);
  uint32_t gap_pick = rng_below(&P, MAX_PERSONS);
  bool grade_b = rng_ppm(&P, 420000);
  bool no_head_id = rng_ppm(&P, 30000);
  uint32_t u_dibao = rng_below(&P, 100);

  /* This year's draws, also always in this order. */
  rng Y = rng_for(seed, h * 64 + (uint64_t)(year - 2000), TAG_YEAR);
  uint32_t u_stay = rng_below(&Y, 100);
  bool negative = rng_ppm(&Y, 300000);
  int64_t neg_amount = rng_range(&Y, 10000, 800000);
  bool hardship = rng_ppm(&Y, 15000);
  bool hard_disaster = rng_ppm(&Y, 300000);
  int64_t hard_pct = rng_range(&Y, 55, 160), hard_flat = rng_range(&Y, 300000, 4000000);
  bool boundary = rng_ppm(&Y, 30000);
  int64_t bdelta = rng_range(&Y, -2, 2);
  int64_t fen = rng_range(&Y, 0, 99);
  bool medical_any = rng_ppm(&Y, 450000);
  int64_t medical = rng_range(&Y, 5000, 250000), elder_medical = rng_range(&Y, 0, 300000);
  bool disaster_any = rng_ppm(&Y, 40000);
  int64_t disaster = rng_range(&Y, 10000, 500000);
  int64_t edu_rand = rng_range(&Y, 0, 1000000);

  int64_t L = poverty_line(year) * 100; /* fen */
  memset(rec, 0, sizeof *rec);
  rec->year = year;

  /* Members present this year, and what they do. */
  int n = 0, school_age = -1, elders = 0, nlab = 0, workers2020 = 0;
  bool frail = false; /* someone old or disabled: illness is likelier */
  for (int i = 0; i < hh->n; i++) {
    const person *p = &hh->p[i];
    frail |= p->birth < 1955 || p->disabled;
    if (present_in(p, 2020))
      workers2020 += works_in(p, 2020);
    if (!present_in(p, year))
      continue;
    int age = year - p->birth;
    if (age >= 6 && age <= 15 && !p->disabled && school_age < 0)
      school_age = n;
    rec->present[n] = i;
    rec->enrolled[n] = enrolled_in(p, year);
    rec->insured[n] = true;
    rec->works[n] = works_in(p, year);
    nlab += rec->works[n];
    elders += age >= 65;
    n++;
  }
  rec->size = n;
  rec->labour = nlab;

  /* Register state. */
  course c = {0};
  bool target = u_class < v->target; /* still registered in 2020 */
  c.registered = u_class < v->reg;
  if (target) {
    c.exit_year = u_exit < 60 ? 2021 : u_exit < 85 ? 2022 : 0;
  } else if (c.registered) {
    int acc = 0;
    c.exit_year = 2020;
    for (int i = 0; i < 7; i++)
      if (u_exit < (uint32_t)(acc += exit_weights[i])) {
        c.exit_year = 2014 + i;
        break;
      }
  }
  rec->registered = c.registered && (c.exit_year == 0 || year < c.exit_year);
  rec->exited_year = c.registered && c.exit_year && year >= c.exit_year ? c.exit_year : 0;
  /* 60% meet the exit test the year before they exit; of the others, a third are above the
   * line but with a gap. Of those never to exit, a quarter are above the line. */
  bool ee = u_ee < 60;
  c.rho0 = c.exit_year == 0 && u_ee < 25 ? rho_hi : rho0;
  c.rho_exit = ee || u_ee >= 86 ? rho_hi : rho_lo;
  c.lift = lift;

  /* The income group. The poorest households, those still registered in 2020, have the
   * lowest incomes after they exit. Of the households never registered, 60% of those where no
   * one can work (in 2020) and 4% of the others are edge households, 3% live around the
   * poverty line and 6% around the monitoring line. */
  int group;
  if (target)
    group = u_group < 30   ? GROUP_EDGE
            : u_group < 50 ? GROUP_NEAR_MON
            : u_group < 90 ? GROUP_MID
                           : GROUP_HIGH;
  else if (c.registered)
    group = u_group < 15   ? GROUP_EDGE
            : u_group < 25 ? GROUP_NEAR_MON
            : u_group < 77 ? GROUP_MID
                           : GROUP_HIGH;
  else if ((workers2020 == 0 && lab0_low) || u_group < 4)
    group = GROUP_EDGE;
  else
    group = u_group < 7    ? GROUP_NEAR_LINE
            : u_group < 13 ? GROUP_NEAR_MON
            : u_group < 35 ? GROUP_MID
                           : GROUP_HIGH;
  int64_t M0 = monitor_line(2020) * 100, L0 = poverty_line(2020) * 100;
  switch (group) {
  case GROUP_NEAR_LINE:
    c.base = lerp(L0, L0 * 135 / 100, pos);
    c.growth = lerp(0, 40, gpos);
    break;
  case GROUP_EDGE:
    c.base = lerp(L0 * 105 / 100, M0 * 97 / 100, pos);
    c.growth = lerp(10, 60, gpos);
    break;
  case GROUP_NEAR_MON:
    c.base = lerp(M0 * 85 / 100, M0 * 125 / 100, pos);
    c.growth = lerp(35, 65, gpos);
    break;
  case GROUP_MID:
    c.base = lerp(M0, M0 * 2, pos);
    c.growth = lerp(20, 85, gpos);
    break;
  default:
    c.base = u_high < 60   ? lerp(M0 * 105 / 100, M0 * 25 / 10, pos)
             : u_high < 90 ? lerp(M0 * 25 / 10, M0 * 5, pos)
                           : lerp(M0 * 5, M0 * 12, pos);
    c.growth = lerp(20, 85, gpos);
  }
  /* Shocks: likelier in poorer villages, with old or disabled members, in poor households. */
  c.hazard = v->hazard + (frail ? 10000 : 0) + (c.registered ? 10000 : 0);

  income in;
  income_path(seed, h, year, &c, &in);
  int64_t pc = in.pc;
  rec->net = pc * n + fen;
  if (in.shock == SHOCK_DISASTER && pc < L && nlab > 0 && negative)
    rec->net = -neg_amount; /* the harvest lost: a farm loss */
  else if (boundary && pc > L * 9 / 10 && pc < L * 11 / 10)
    rec->net = L * n + bdelta; /* per capita on the poverty line, to the fen or nearly */

  /* Expenses. */
  if (medical_any)
    rec->medical = medical + (elders ? elder_medical : 0);
  for (int i = 0; i < n; i++)
    if (rec->enrolled[i]) {
      int age = year - hh->p[rec->present[i]].birth;
      rec->education += (age >= 19 ? 500000 : age >= 16 ? 200000 : 30000) + edu_rand % 150000;
    }
  if (disaster_any)
    rec->disaster = disaster;
  if (in.shock && in.cost) { /* the shock's bill: treatment, or what the disaster destroyed */
    int64_t big = in.normal * n * in.cost / 100;
    if (in.shock == SHOCK_DISASTER)
      rec->disaster += big;
    else
      rec->medical += big;
  }
  if (hardship) { /* a serious illness or disaster that the income rides out */
    int64_t big = rec->net > 0 ? rec->net * hard_pct / 100 : hard_flat;
    if (hard_disaster)
      rec->disaster += big;
    else
      rec->medical += big;
  }

  /* Two no worries, three guarantees, water. A registered household meets them the year
   * before it exits if it meets the exit test then; in its other years above the line, half
   * the time; one that never exits because of a gap keeps it. */
  bool no_gap = false, force_gap = false;
  if (rec->registered) {
    bool above = rec->net > L * n;
    if (c.exit_year && year == c.exit_year - 1)
      no_gap = ee, force_gap = !ee && above;
    else if (c.exit_year == 0 && c.rho0 > PPM)
      force_gap = u_stay < 70;
    else
      force_gap = above && u_stay < 50;
  }
  uint32_t p_gap = year <= 2019 ? 40000 + (uint32_t)(2019 - year) * 15000
                                : (uint32_t)(year >= 2022 ? 15000 : 40000 - (year - 2019) * 9000);
  bool gap = !no_gap && (force_gap || u_gap < p_gap ||
                         (rec->registered && rec->net < L * n && u_gap < 400000));
  rec->food = rec->clothing = rec->water = true;
  rec->grade = grade_b ? 'B' : 'A';
  if (gap) {
    uint32_t g = gap_kind;
    if (g >= 62 && g < 72 && school_age < 0)
      g = 40; /* no child of school age: an uninsured member instead */
    if (g < 22) {
      rec->grade = 'C';
    } else if (g < 32) {
      rec->grade = 'D';
    } else if (g < 62) {
      int k = 1 + (gap_kind & 1) * (n > 1);
      for (int i = 0; i < k; i++)
        rec->insured[(gap_pick + (uint32_t)i) % (uint32_t)n] = false;
      rec->uninsured = k;
    } else if (g < 72) {
      rec->enrolled[school_age] = false;
      rec->dropout = 1;
      if (rec->education > 0)
        rec->education -= rec->education / 4;
    } else if (g < 87) {
      rec->water = false;
    } else if (g < 94) {
      rec->food = false;
      rec->clothing = gap_kind & 1;
    } else {
      rec->clothing = false;
    }
  }

  /* Dibao (低保): most households with no one able to work, some poor ones. */
  rec->dibao = nlab == 0 ? u_dibao < 55 : rec->registered ? u_dibao < 25 : u_dibao < 2;

  /* Head of household's identity number, from the county of the village. */
  rec->has_head_id = !no_head_id;
  put_digits(rec->head_id, v->county, 6);
  put_digits(rec->head_id + 6, (uint64_t)hh->p[0].birth, 4);
  put_digits(rec->head_id + 10, (uint64_t)hh->head_month, 2);
  put_digits(rec->head_id + 12, (uint64_t)hh->head_day, 2);
  put_digits(rec->head_id + 14, (uint64_t)hh->head_seq, 3);
  rec->head_id[17] = mod11_2(rec->head_id);
  rec->head_id[18] = '\0';
}

/* ==========================================================================================
 * Writing records
 * ======================================================================================== */

static const char csv_header[] =
    "hh_id,head_id,village_code,year,size,net_income,medical_expense,education_expense,"
    "disaster_loss,food_secure,clothing_secure,water_safe,dropout_children,uninsured_members,"
    "housing_grade,labor_members,registered_poor,exited_year,dibao\n";

static const char *const surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "曾", "田", "萧", "潘", "袁", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕"};
static const char *const given[] = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "兰", "玉", "文", "国", "建", "春",
    "红", "海", "云", "福", "德", "林", "志", "梅", "荣", "金", "宝", "成", "凤", "燕", "玲",
    "辉", "鹏", "飞", "婷", "雪", "琴", "波", "亮", "斌", "宇", "浩", "欣", "佳", "梓", "晨"};
#define N_SURNAMES (sizeof surnames / sizeof surnames[0])
#define N_GIVEN (sizeof given / sizeof given[0])

typedef struct {
  int bad;      /* BAD_ kind, or BAD_NONE */
  uint64_t var; /* which variant of that kind */
} badness;

/* The village code as written: 11 digits for BAD_VILLAGE (a township digit dropped). */
static void put_village(out *o, const village *v, badness b)
{
  if (b.bad == BAD_VILLAGE) {
    put_mem(o, v->code, 7);
    put_mem(o, v->code + 8, 4);
  } else {
    put_mem(o, v->code, 12);
  }
}

static void put_head_id(out *o, const record *r, badness b)
{
  put_mem(o, r->head_id, 17);
  if (b.bad == BAD_CHECK) {
    static const char chars[] = "10X98765432";
    const char *c = strchr(chars, r->head_id[17]);
    put_ch(o, chars[((size_t)(c - chars) + 1 + b.var % 10) % 11]);
  } else {
    put_ch(o, r->head_id[17]);
  }
}

static void put_hh_id(out *o, const village *v, int seq)
{
  put_mem(o, v->code, 12);
  put_ch(o, '-');
  put_ch(o, (char)('0' + seq / 100 % 10));
  put_ch(o, (char)('0' + seq / 10 % 10));
  put_ch(o, (char)('0' + seq % 10));
}

static int bad_size(badness b)
{
  return b.var % 2 ? 31 + (int)(b.var % 17) : 0;
}

/* The net income as written, valid or not; json quotes text. */
static void put_net_income(out *o, const record *r, badness b, bool json)
{
  if (b.bad == BAD_DECIMALS) {
    if (json)
      put_ch(o, '"');
    put_money(o, r->net);
    put_ch(o, (char)('1' + b.var % 9));
    if (json)
      put_ch(o, '"');
  } else if (b.bad == BAD_NUMBER) {
    static const char *const texts[] = {"1.2万", "n/a", "12,000", "约3000"};
    put_ch(o, '"'); /* quoted in CSV too, for the comma */
    put_str(o, texts[b.var % 4]);
    put_ch(o, '"');
  } else {
    put_money(o, r->net);
  }
}

/* BAD_MISSING leaves out one of these; BAD_BOOL spoils one of these. */
enum {
  MISS_NET,
  MISS_GRADE,
  MISS_FOOD,
  MISS_LABOUR
};
enum {
  BOOL_FOOD,
  BOOL_WATER,
  BOOL_REGISTERED
};

static bool missing(badness b, int which)
{
  return b.bad == BAD_MISSING && (int)(b.var % 4) == which;
}

static bool spoiled(badness b, int which)
{
  return b.bad == BAD_BOOL && (int)(b.var % 3) == which;
}

static void put_csv_bool(out *o, bool v, badness b, int which)
{
  if (spoiled(b, which)) {
    static const char *const texts[] = {"yes", "2", "Y"};
    put_str(o, texts[which]);
  } else {
    put_ch(o, v ? '1' : '0');
  }
  put_ch(o, ',');
}

static void write_csv(out *o, const village *v, int seq, const record *r, badness b)
{
  put_hh_id(o, v, seq);
  put_ch(o, ',');
  if (r->has_head_id || b.bad == BAD_CHECK)
    put_head_id(o, r, b);
  put_ch(o, ',');
  put_village(o, v, b);
  put_ch(o, ',');
  put_int(o, r->year);
  put_ch(o, ',');
  put_int(o, b.bad == BAD_SIZE ? bad_size(b) : r->size);
  put_ch(o, ',');
  if (!missing(b, MISS_NET))
    put_net_income(o, r, b, false);
  put_ch(o, ',');
  put_money(o, r->medical);
  put_ch(o, ',');
  put_money(o, r->education);
  put_ch(o, ',');
  if (r->disaster)
    put_money(o, r->disaster);
  put_ch(o, ',');
  if (!missing(b, MISS_FOOD))
    put_csv_bool(o, r->food, b, BOOL_FOOD);
  else
    put_ch(o, ',');
  put_ch(o, r->clothing ? '1' : '0');
  put_ch(o, ',');
  put_csv_bool(o, r->water, b, BOOL_WATER);
  put_int(o, r->dropout);
  put_ch(o, ',');
  put_int(o, r->uninsured);
  put_ch(o, ',');
  if (!missing(b, MISS_GRADE))
    put_ch(o, r->grade);
  put_ch(o, ',');
  if (!missing(b, MISS_LABOUR))
    put_int(o, r->labour);
  put_ch(o, ',');
  put_csv_bool(o, r->registered, b, BOOL_REGISTERED);
  if (r->exited_year)
    put_int(o, r->exited_year);
  put_ch(o, ',');
  put_ch(o, r->dibao ? '1' : '0');
  put_ch(o, '\n');
}

static void put_json_bool(out *o, const char *key, bool v, badness b, int which)
{
  put_str(o, key);
  if (spoiled(b, which)) {
    static const char *const texts[] = {"\"yes\"", "2", "\"Y\""};
    put_str(o, texts[which]);
  } else {
    put_str(o, v ? "true" : "false");
  }
}

static void write_members(out *o, uint64_t seed, uint64_t h, const household *hh, const record *r)
{
  rng N = rng_for(seed, h, TAG_NAMES);
  uint32_t family = rng_below(&N, N_SURNAMES), spouse = rng_below(&N, N_SURNAMES);
  uint32_t mother = rng_below(&N, N_SURNAMES);
  put_str(o, ",\"members\":[");
  int k = 0; /* index among the present members */
  for (int i = 0; i < hh->n; i++) {
    const person *p = &hh->p[i];
    /* Names are drawn for everyone, present or not, so they do not change with the year. */
    uint32_t g1 = rng_below(&N, N_GIVEN), g2 = rng_below(&N, N_GIVEN);
    bool two = rng_ppm(&N, 700000);
    if (k >= r->size || r->present[k] != i)
      continue;
    if (k)
      put_ch(o, ',');
    put_str(o, "{\"name\":\"");
    /* Children, grandchildren and the father take the family's surname; the spouse and the
     * mother keep their own. */
    put_str(o, surnames[p->rel == REL_SPOUSE               ? spouse
                        : p->rel == REL_PARENT && !p->male ? mother
                                                           : family]);
    put_str(o, given[g1]);
    if (two)
      put_str(o, given[g2]);
    put_str(o, "\",\"age\":");
    put_int(o, r->year - p->birth);
    put_str(o, p->male ? ",\"sex\":\"M\"" : ",\"sex\":\"F\"");
    put_str(o, ",\"relation\":\"");
    put_str(o, rel_names[p->rel]);
    put_str(o, r->enrolled[k] ? "\",\"enrolled\":true" : "\",\"enrolled\":false");
    put_str(o, r->insured[k] ? ",\"insured\":true" : ",\"insured\":false");
    put_str(o, p->disabled ? ",\"disabled\":true" : ",\"disabled\":false");
    put_str(o, r->works[k] ? ",\"labour\":true}" : ",\"labour\":false}");
    k++;
  }
  put_ch(o, ']');
}

static void write_jsonl(out *o, uint64_t seed, uint64_t h, const village *v, int seq,
                        const household *hh, const record *r, badness b, bool members)
{
  put_str(o, "{\"hh_id\":\"");
  put_hh_id(o, v, seq);
  put_ch(o, '"');
  if (r->has_head_id || b.bad == BAD_CHECK) {
    put_str(o, ",\"head_id\":\"");
    put_head_id(o, r, b);
    put_ch(o, '"');
  }
  put_str(o, ",\"village_code\":\"");
  put_village(o, v, b);
  put_str(o, "\",\"year\":");
  put_int(o, r->year);
  put_str(o, ",\"size\":");
  put_int(o, b.bad == BAD_SIZE ? bad_size(b) : r->size);
  if (!missing(b, MISS_NET)) {
    put_str(o, ",\"net_income\":");
    put_net_income(o, r, b, true);
  }
  put_str(o, ",\"medical_expense\":");
  put_money(o, r->medical);
  put_str(o, ",\"education_expense\":");
  put_money(o, r->education);
  put_str(o, ",\"disaster_loss\":");
  put_money(o, r->disaster);
  if (!missing(b, MISS_FOOD))
    put_json_bool(o, ",\"food_secure\":", r->food, b, BOOL_FOOD);
  put_str(o, r->clothing ? ",\"clothing_secure\":true" : ",\"clothing_secure\":false");
  put_json_bool(o, ",\"water_safe\":", r->water, b, BOOL_WATER);
  put_str(o, ",\"dropout_children\":");
  put_int(o, r->dropout);
  put_str(o, ",\"uninsured_members\":");
  put_int(o, r->uninsured);
  if (!missing(b, MISS_GRADE)) {
    put_str(o, ",\"housing_grade\":\"");
    put_ch(o, r->grade);
    put_ch(o, '"');
  }
  if (!missing(b, MISS_LABOUR)) {
    put_str(o, ",\"labor_members\":");
    put_int(o, r->labour);
  }
  put_json_bool(o, ",\"registered_poor\":", r->registered, b, BOOL_REGISTERED);
  put_str(o, ",\"exited_year\":");
  if (r->exited_year)
    put_int(o, r->exited_year);
  else
    put_str(o, "null");
  put_str(o, r->dibao ? ",\"dibao\":true" : ",\"dibao\":false");
  if (members)
    write_members(o, seed, h, hh, r);
  put_str(o, "}\n");
}

/* ==========================================================================================
 * The register
 * ======================================================================================== */

typedef struct {
  uint64_t households; /* --households */
  uint64_t seed;       /* --seed */
  bool jsonl;          /* --format */
  bool members;        /* JSON Lines carry each household's members (not --no-members) */
  int y0, y1;          /* --years */
  uint64_t bad;        /* --bad-rows */
  bool shuffle;        /* --shuffle */
  const char *path;    /* -o, or NULL for standard output */
} options;

static uint32_t village_size(uint64_t seed, uint64_t vi)
{
  rng r = rng_for(seed, vi, TAG_VILLAGE_SIZE);
  return 40 + rng_below(&r, 41);
}

/* Picks the counties, in the order above, assigns them villages in code order. */
static county *make_counties(const options *opt, uint64_t nvillages, size_t *count)
{
  /* The synthetic codes number N_PROV * SYNTH_PER_PROV, of which at most N_REAL are real
   * ones already used: so this many distinct codes are always there. */
  uint64_t capacity = N_PROV * SYNTH_PER_PROV;
  uint64_t nc = (nvillages + VILLAGES_PER_COUNTY - 1) / VILLAGES_PER_COUNTY;
  if (nc < 2)
    nc = 2;
  if (nc > nvillages)
    nc = nvillages;
  if (nc > capacity)
    nc = capacity;
  county *c = calloc(nc, sizeof *c);
  if (!c) {
    fprintf(stderr, "generate: out of memory\n");
    exit(1);
  }
  size_t k = 0;
  for (; k < nc && k < N_REAL; k++)
    c[k] = (county){real_counties[k].code, real_counties[k].target_ppm, 0, 0};
  for (uint64_t j = 0; k < nc; j++) {
    uint32_t prov = provinces[j % N_PROV], idx = (uint32_t)(j / N_PROV);
    uint32_t code = prov * 10000 + (1 + idx / 60 % 20) * 100 + 21 + idx % 60;
    bool taken = false;
    for (size_t i = 0; i < N_REAL; i++)
      taken |= real_counties[i].code == code;
    if (taken)
      continue;
    rng r = rng_for(opt->seed, k, TAG_COUNTY);
    c[k++] = (county){code, 4000 + rng_below(&r, 46000), 0, 0};
  }
  qsort(c, nc, sizeof *c, county_cmp);
  for (size_t i = 0; i < nc; i++) {
    c[i].vfirst = nvillages * i / nc;
    c[i].vlast = nvillages * (i + 1) / nc;
  }
  *count = nc;
  return c;
}

/* The position of bad row j of K among `total` records: spread evenly. */
static uint64_t bad_position(uint64_t j, uint64_t k, uint64_t total)
{
  uint64_t q = total / k, r = total % k;
  return j * q + j * r / k + q / 2;
}

/* The villages in output order, one after another: their codes (townships of 8 to 22
 * villages, more when a county has very many), their targets and their households. */
typedef struct {
  const options *opt;
  const county *counties;
  size_t ncounties, ci; /* the county of the next village */
  uint64_t nvillages, vi;
  uint64_t h; /* the first household of the next village */
  int township;
  uint64_t left_in_town, vnum;
} village_walk;

static void villages_start(village_walk *w, const options *opt, const county *counties,
                           size_t ncounties, uint64_t nvillages)
{
  *w = (village_walk){opt, counties, ncounties, 0, nvillages, 0, 0, -1, 0, 0};
}

/* The next village; false after the last. */
static bool villages_next(village_walk *w, village *v)
{
  while (w->ci < w->ncounties && w->vi >= w->counties[w->ci].vlast) {
    w->ci++;
    w->township = -1;
    w->left_in_town = 0;
  }
  if (w->ci >= w->ncounties || w->vi >= w->nvillages)
    return false;
  const county *c = &w->counties[w->ci];
  uint64_t seed = w->opt->seed, vi = w->vi;
  if (w->left_in_town == 0) {
    uint64_t min_per_town = (c->vlast - c->vfirst + 210) / 211;
    w->township++;
    rng tr = rng_for(seed, (uint64_t)c->code * 1000 + (uint64_t)w->township, TAG_TOWNSHIP);
    w->left_in_town = 8 + rng_below(&tr, 15);
    if (w->left_in_town < min_per_town)
      w->left_in_town = min_per_town;
    w->vnum = 0;
  }
  w->left_in_town--;
  int tcode = w->township < 12 ? 101 + w->township : 201 + (w->township - 12);
  put_digits(v->code, c->code, 6);
  put_digits(v->code + 6, (uint64_t)tcode, 3);
  put_digits(v->code + 9, 201 + w->vnum++, 3);
  v->code[12] = '\0';
  v->county = c->code;
  rng vr = rng_for(seed, vi, TAG_VILLAGE);
  uint32_t factor = rng_ppm(&vr, 200000) ? rng_below(&vr, 300) : 300 + rng_below(&vr, 1700);
  v->target = (uint32_t)((uint64_t)c->target_ppm * factor / 1000);
  v->reg = v->target + 100000 + rng_below(&vr, 150000);
  v->hazard = 10000 + v->target / 4; /* poorer villages are more exposed */
  v->size = vi == w->nvillages - 1 ? (uint32_t)(w->opt->households - w->h) : village_size(seed, vi);
  v->first = w->h;
  w->h += v->size;
  w->vi++;
  return true;
}

/* --shuffle: a pseudo-random permutation of [0, n), so that any position can be computed on
 * its own and nothing is stored per record. A balanced Feistel network of four rounds over
 * the smallest even number of bits that holds n, walking the cycle until it lands below n
 * (fewer than four steps on average). */
typedef struct {
  uint64_t n, mask;
  int half;
  uint64_t key[4];
} permutation;

static void shuffle_init(permutation *s, uint64_t seed, uint64_t n)
{
  int bits = 1;
  while (bits < 64 && (UINT64_C(1) << bits) < n)
    bits++;
  s->n = n;
  s->half = (bits + 1) / 2;
  s->mask = (UINT64_C(1) << s->half) - 1;
  rng r = rng_for(seed, n, TAG_SHUFFLE);
  for (int i = 0; i < 4; i++)
    s->key[i] = rng_next(&r);
}

static uint64_t shuffle_at(const permutation *s, uint64_t x)
{
  do {
    uint64_t l = x >> s->half, r = x & s->mask;
    for (int i = 0; i < 4; i++) {
      uint64_t t = l ^ (mix64(r ^ s->key[i]) & s->mask);
      l = r;
      r = t;
    }
    x = l << s->half | r;
  } while (x >= s->n);
  return x;
}

/* Writes the record of household h (number seq in village v) for a year; `index` is its
 * place in the output, which says whether it is to be a bad row. */
static void emit(const options *opt, out *o, uint64_t h, int year, const village *v, int seq,
                 uint64_t index, uint64_t *bad_j, uint64_t *next_bad, uint64_t total)
{
  household hh;
  record rec;
  badness b = {BAD_NONE, 0};
  if (index == *next_bad) {
    b.bad = (int)(*bad_j % N_BAD);
    b.var = *bad_j / N_BAD;
    ++*bad_j;
    *next_bad = *bad_j < opt->bad ? bad_position(*bad_j, opt->bad, total) : UINT64_MAX;
  }
  make_household(opt->seed, h, &hh);
  make_record(opt->seed, h, year, v, &hh, &rec);
  out_reserve(o);
  if (opt->jsonl)
    write_jsonl(o, opt->seed, h, v, seq, &hh, &rec, b, opt->members);
  else
    write_csv(o, v, seq, &rec, b);
}

static void generate(const options *opt, out *o)
{
  /* Villages: 40 to 80 households each, the last one what is left. */
  uint64_t nvillages = 0, sum = 0;
  while (sum < opt->households)
    sum += village_size(opt->seed, nvillages++);
  size_t ncounties;
  county *counties = make_counties(opt, nvillages, &ncounties);

  uint64_t years = (uint64_t)(opt->y1 - opt->y0 + 1), total = opt->households * years;
  uint64_t index = 0, bad_j = 0;
  uint64_t next_bad = opt->bad ? bad_position(0, opt->bad, total) : UINT64_MAX;
  village_walk w;
  village v;

  if (!opt->jsonl)
    put_str(o, csv_header);
  if (!opt->shuffle) { /* by year, then village, then household */
    for (int year = opt->y0; year <= opt->y1; year++) {
      villages_start(&w, opt, counties, ncounties, nvillages);
      while (villages_next(&w, &v))
        for (uint32_t s = 1; s <= v.size; s++, index++)
          emit(opt, o, v.first + s - 1, year, &v, (int)s, index, &bad_j, &next_bad, total);
    }
  } else { /* record k of that order, for each place in the output */
    village *table = malloc(nvillages * sizeof *table);
    if (!table) {
      fprintf(stderr, "generate: out of memory\n");
      exit(1);
    }
    villages_start(&w, opt, counties, ncounties, nvillages);
    for (uint64_t i = 0; i < nvillages; i++)
      villages_next(&w, &table[i]);
    permutation perm;
    shuffle_init(&perm, opt->seed, total);
    for (; index < total; index++) {
      uint64_t k = shuffle_at(&perm, index), h = k % opt->households;
      int year = opt->y0 + (int)(k / opt->households);
      uint64_t lo = 0, hi = nvillages - 1; /* the village of h */
      while (lo < hi) {
        uint64_t mid = lo + (hi - lo + 1) / 2;
        if (table[mid].first <= h)
          lo = mid;
        else
          hi = mid - 1;
      }
      const village *tv = &table[lo];
      emit(opt, o, h, year, tv, (int)(h - tv->first + 1), index, &bad_j, &next_bad, total);
    }
    free(table);
  }
  out_flush(o);
  free(counties);
}

/* ==========================================================================================
 * Command line
 * ======================================================================================== */

static void usage(FILE *f)
{
  fputs("Usage: generate [OPTION]...\n"
        "Write a synthetic household register (one record per household per year) for elig.\n"
        "\n"
        "  --households N    households (default 1000); about 60 to a village\n"
        "  --seed S          seed of the random values (default 1); the same seed gives the\n"
        "                    same output on every machine\n"
        "  --format F        csv (default) or jsonl; jsonl adds each household's members\n"
        "  --no-members      jsonl without the members: the same fields as csv\n"
        "  --years Y0-Y1     years of the records, within 2014-2035 (default 2019-2021);\n"
        "                    a single year Y is also accepted\n"
        "  --bad-rows K      make K records invalid in varied ways (default 0)\n"
        "  --shuffle         write the records in a random order (the same for the same\n"
        "                    arguments) instead of by year and village\n"
        "  -o FILE           write to FILE instead of standard output; a FILE ending in\n"
        "                    .jsonl or .ndjson implies --format jsonl\n"
        "  --help            show this help and exit\n"
        "\n"
        "Records are ordered by year, then village code, as a register export is, unless\n"
        "--shuffle is given.\n"
        "The bundled sample: generate --households 400 --seed 2032 --bad-rows 7 -o sample.csv\n",
        f);
}

#ifdef __GNUC__
__attribute__((format(printf, 1, 2)))
#endif
static _Noreturn void
bad_usage(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs("generate: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputs("\nTry 'generate --help' for more information.\n", stderr);
  va_end(ap);
  exit(2);
}

static uint64_t parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max)
{
  char *end;
  if (*s < '0' || *s > '9')
    bad_usage("%s needs a whole number", opt);
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v < min || v > max)
    bad_usage("%s: value out of range or not a whole number", opt);
  return (uint64_t)v;
}

int main(int argc, char **argv)
{
  options opt = {1000, 1, false, true, 2019, 2021, 0, false, NULL};
  bool format_given = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *val = NULL;
    char name[32];
    if (strcmp(a, "--help") == 0) {
      usage(stdout);
      return 0;
    }
    if (strcmp(a, "--no-members") == 0) {
      opt.members = false;
      continue;
    }
    if (strcmp(a, "--shuffle") == 0) {
      opt.shuffle = true;
      continue;
    }
    /* --opt=value or --opt value; -o FILE */
    const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
    size_t len = eq ? (size_t)(eq - a) : strlen(a);
    if (len >= sizeof name)
      bad_usage("unknown option '%s'", a);
    memcpy(name, a, len);
    name[len] = '\0';
    if (strcmp(name, "--households") && strcmp(name, "--seed") && strcmp(name, "--format") &&
        strcmp(name, "--years") && strcmp(name, "--bad-rows") && strcmp(name, "-o"))
      bad_usage("unknown option '%s'", a);
    if (eq)
      val = eq + 1;
    else if (i + 1 < argc)
      val = argv[++i];
    else
      bad_usage("option '%s' needs a value", a);

    if (!strcmp(name, "--households")) {
      /* 10^10: below the codes' capacity, 15,600 counties of 211 x 199 villages */
      opt.households = parse_u64(name, val, 1, 10000000000u);
    } else if (!strcmp(name, "--seed")) {
      opt.seed = parse_u64(name, val, 0, UINT64_MAX);
    } else if (!strcmp(name, "--format")) {
      if (!strcmp(val, "csv"))
        opt.jsonl = false;
      else if (!strcmp(val, "jsonl"))
        opt.jsonl = true;
      else
        bad_usage("--format must be csv or jsonl, not '%s'", val);
      format_given = true;
    } else if (!strcmp(name, "--years")) {
      int y0, y1, n = 0;
      if (sscanf(val, "%4d-%4d%n", &y0, &y1, &n) == 2 && val[n] == '\0') {
      } else if (sscanf(val, "%4d%n", &y0, &n) == 1 && val[n] == '\0') {
        y1 = y0;
      } else {
        bad_usage("--years must be YEAR or YEAR-YEAR, not '%s'", val);
      }
      if (y0 < 2014 || y1 > 2035 || y0 > y1)
        bad_usage("--years must lie within 2014-2035, first year first: '%s'", val);
      opt.y0 = y0;
      opt.y1 = y1;
    } else if (!strcmp(name, "--bad-rows")) {
      opt.bad = parse_u64(name, val, 0, 1000000);
    } else {
      if (!*val)
        bad_usage("%s needs a file name", name);
      opt.path = val;
    }
  }
  uint64_t total = opt.households * (uint64_t)(opt.y1 - opt.y0 + 1);
  if (opt.bad > total)
    bad_usage("--bad-rows %" PRIu64 " is more than the %" PRIu64 " records (households x years)",
              opt.bad, total);
  if (opt.path && !format_given) { /* as elig does: the file name says JSON Lines */
    size_t n = strlen(opt.path);
    if ((n > 6 && !strcmp(opt.path + n - 6, ".jsonl")) ||
        (n > 7 && !strcmp(opt.path + n - 7, ".ndjson")))
      opt.jsonl = true;
  }

  out o = {malloc(OUT_CAP), 0, stdout, "standard output"};
  if (!o.buf) {
    fprintf(stderr, "generate: out of memory\n");
    return 1;
  }
  if (opt.path) {
    o.f = fopen(opt.path, "wb");
    o.name = opt.path;
    if (!o.f) {
      fprintf(stderr, "generate: cannot open %s: %s\n", opt.path, strerror(errno));
      return 1;
    }
  }
  generate(&opt, &o);
  if (fflush(o.f) != 0 || ferror(o.f) || (opt.path && fclose(o.f) != 0)) {
    fprintf(stderr, "generate: cannot write %s: %s\n", o.name, strerror(errno));
    return 1;
  }
  free(o.buf);
  return 0;
}
