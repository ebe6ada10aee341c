/*
 * disasm.c -- the compiled program as text, for `elig check --dump=code` and its golden
 * tests: what the compiler made, in the spirit of `luac -l`.
 *
 * Place in the pipeline: beside the VM, reading a finished program; nothing runs.  The
 * operands of each instruction are printed by the FORMAT column of ops.def, so a new
 * instruction needs no code here.  After a ';' come what the numbers stand for: constants
 * shown by value, fields and cells by name, sets, tables, regexes and functions as written.
 *
 *   ; 13 registers: 2 fields, as_of, 5 constants; 4 cells; 10 instructions
 *   cell 0: let a -> r3  (constant_folding.rules:8)
 *         0  [8]    ADDI      r3 r1 r7                   ; r1 x, r7 = 3000.00
 *         1  [8]    RET       c0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "builtins.h"
#include "disasm.h"
#include "write.h"

static const char *const op_names[] = {
#define OP(name, fmt, doc) #name,
#include "ops.def"
#undef OP
};

static const char *const op_formats[] = {
#define OP(name, fmt, doc) fmt,
#include "ops.def"
#undef OP
};

typedef struct {
  const elig_program *P;
  wbuf *out;
  int32_t *const_of; /* per register: the constant loaded into it, or -1 */
  int32_t *cell_of;  /* per register: the cell whose value it holds, or -1 */
  uint32_t *cell_at; /* per instruction: the cell whose code starts there + 1, or 0 */
  uint32_t cell;     /* the cell whose code is being printed (its header names it) */
} dumper;

/* A constant's value as results print it; text quoted. */
static void put_const(dumper *d, uint32_t k)
{
  char buf[DEC_FMT_MAX + 64];
  const vm_val *v = &d->P->consts[k];
  ty_type t = ty_make((ty_base)d->P->const_types[k]);
  if (t.base == TY_TEXT) {
    wbuf_puts(d->out, "\"");
    wbuf_put_printable(d->out, v->u.s.p, v->u.s.len);
    wbuf_puts(d->out, "\"");
    return;
  }
  wbuf_puts(d->out, write_value_text(t, v, true, buf, sizeof buf));
}

/* What register r holds, for the comment: "r8 = 3000.00", "r1 x", "r27 let per_capita". */
static bool describe_register(dumper *d, uint32_t r, bool first)
{
  const elig_program *P = d->P;
  const prog_record *rec = prog_main_record(P);
  if (r >= P->nregs)
    return false;
  if (d->const_of[r] < 0 && d->cell_of[r] < 0 && r >= rec->nfields && r != P->as_of_reg)
    return false;
  if (d->cell_of[r] >= 0 && (uint32_t)d->cell_of[r] == d->cell)
    return false; /* the cell being printed: its header says it */
  wbuf_printf(d->out, "%sr%u", first ? "" : ", ", r);
  if (d->const_of[r] >= 0) {
    wbuf_puts(d->out, " = ");
    put_const(d, (uint32_t)d->const_of[r]);
  } else if (d->cell_of[r] >= 0) {
    wbuf_printf(d->out, " %s", P->cell_labels[d->cell_of[r]]);
  } else if (r == P->as_of_reg) {
    wbuf_puts(d->out, " as_of");
  } else {
    wbuf_printf(d->out, " %s", rec->fields[r].name);
  }
  return true;
}

static void put_set(dumper *d, const prog_set *s)
{
  char buf[DEC_FMT_MAX];
  wbuf_puts(d->out, "{");
  for (uint32_t i = 0; i < s->n; i++) {
    if (i)
      wbuf_puts(d->out, ", ");
    if (s->kind == TY_TEXT) {
      wbuf_puts(d->out, "\"");
      wbuf_put_printable(d->out, s->items[i], s->lens[i]);
      wbuf_puts(d->out, "\"");
    } else if (s->kind == TY_INT) {
      wbuf_printf(d->out, "%lld", (long long)s->ints[i]);
    } else {
      vm_val v = {.u.n = s->nums[i]};
      wbuf_puts(d->out, write_value_text(ty_make(TY_NUMBER), &v, false, buf, sizeof buf));
    }
  }
  wbuf_puts(d->out, "}");
}

static void put_table(dumper *d, const prog_table *t)
{
  wbuf_puts(d->out, "{");
  for (uint32_t i = 0; i < t->n; i++) {
    wbuf_printf(d->out, "%s%lld: ", i ? ", " : "", (long long)t->keys[i]);
    uint16_t r = t->regs[i];
    if (d->const_of[r] >= 0)
      put_const(d, (uint32_t)d->const_of[r]);
    else
      wbuf_printf(d->out, "r%u", r);
  }
  wbuf_puts(d->out, "}");
}

/* The comment for operand `what` (a format letter) of value v; false when it needs none. */
static bool describe(dumper *d, char what, uint32_t v, bool first)
{
  const elig_program *P = d->P;
  const char *sep = first ? "" : ", ";
  switch (what) {
  case 'R': return describe_register(d, v, first);
  case 'K':
    wbuf_printf(d->out, "%sk%u = ", sep, v);
    put_const(d, v);
    return true;
  case 'L':
    if (v == d->cell)
      return false;
    wbuf_printf(d->out, "%sc%u %s", sep, v, P->cell_labels[v]);
    return true;
  case 'S':
    wbuf_puts(d->out, sep);
    put_set(d, &P->sets[v]);
    return true;
  case 'T':
    wbuf_puts(d->out, sep);
    put_table(d, &P->tables[v]);
    return true;
  case 'E':
    wbuf_printf(d->out, "%s/", sep);
    wbuf_put_printable(d->out, P->regex_sources[v], strlen(P->regex_sources[v]));
    wbuf_puts(d->out, "/");
    return true;
  case 'F': wbuf_printf(d->out, "%s%s", sep, builtin_get((builtin_id)v)->name); return true;
  case 'M': wbuf_printf(d->out, "%s%s", sep, dec_round_name((dec_round)v)); return true;
  case 'U': wbuf_printf(d->out, "%srule %u", sep, v + 1); return true;
  case 'P': wbuf_printf(d->out, "%sprevious(%s)", sep, P->memory[v].name); return true;
  default: return false;
  }
}

/* "r3", "k2", "c0", "->7", "#1": an operand as a number, marked by what it is. */
static void put_operand(wbuf *out, char what, uint32_t v)
{
  switch (what) {
  case 'R': wbuf_printf(out, " r%u", v); break;
  case 'K': wbuf_printf(out, " k%u", v); break;
  case 'L': wbuf_printf(out, " c%u", v); break;
  case 'J': wbuf_printf(out, " ->%u", v); break;
  default: wbuf_printf(out, " #%u", v); break;
  }
}

/* Spaces up to `column` past `start` (a failed buffer stops growing: stop too). */
static void pad_to(wbuf *out, size_t start, size_t column)
{
  while (!out->failed && out->len - start < column)
    wbuf_puts(out, " ");
}

static void instruction(dumper *d, uint32_t pc)
{
  const elig_program *P = d->P;
  const vm_ins *in = &P->code[pc];
  const char *fmt = op_formats[in->op];
  const uint32_t ops[4] = {in->a, in->b, in->c, in->x};
  const char *file;
  uint32_t line = 0, col = 0;
  size_t start = d->out->len;
  if (prog_position(P, pc, &file, &line, &col))
    wbuf_printf(d->out, "  %5u  [%u]", pc, line);
  else
    wbuf_printf(d->out, "  %5u  [-]", pc);
  pad_to(d->out, start, 16);
  wbuf_printf(d->out, "%-9s", op_names[in->op]);
  for (int i = 0; i < 4; i++)
    if (fmt[i] != '-')
      put_operand(d->out, fmt[i], ops[i]);
  size_t mark = d->out->len;
  pad_to(d->out, start, 44);
  wbuf_puts(d->out, " ; ");
  bool any = false;
  for (int i = 0; i < 4; i++)
    if (fmt[i] != '-' && fmt[i] != 'J' && fmt[i] != 'N' && fmt[i] != 'I' &&
        describe(d, fmt[i], ops[i], !any))
      any = true;
  if (!any)
    d->out->len = mark; /* nothing to say: no comment */
  wbuf_puts(d->out, "\n");
}

static void cell_header(dumper *d, uint32_t k)
{
  const elig_program *P = d->P;
  const char *file;
  uint32_t line = 0, col = 0;
  wbuf_printf(d->out, "cell %u: %s -> r%u", k, P->cell_labels[k], P->cells[k].reg);
  if (prog_position(P, P->cells[k].entry, &file, &line, &col))
    wbuf_printf(d->out, "  (%s:%u)", file, line);
  wbuf_puts(d->out, "\n");
}

static bool build_maps(dumper *d)
{
  const elig_program *P = d->P;
  d->const_of = mem_alloc((P->nregs + 1) * sizeof *d->const_of);
  d->cell_of = mem_alloc((P->nregs + 1) * sizeof *d->cell_of);
  d->cell_at = mem_calloc(P->ncode + 1, sizeof *d->cell_at);
  if (!d->const_of || !d->cell_of || !d->cell_at)
    return false;
  for (uint32_t r = 0; r <= P->nregs; r++)
    d->const_of[r] = d->cell_of[r] = -1;
  for (uint32_t k = 0; k < P->nconsts; k++)
    d->const_of[P->const_regs[k]] = (int32_t)k;
  for (uint32_t k = 0; k < P->ncells; k++) {
    d->cell_of[P->cells[k].reg] = (int32_t)k;
    if (P->cells[k].entry < P->ncode)
      d->cell_at[P->cells[k].entry] = k + 1;
  }
  return true;
}

char *disasm_program(const elig_program *P)
{
  wbuf out = {0};
  dumper d = {.P = P, .out = &out, .cell = UINT32_MAX};
  char *text = NULL;
  if (build_maps(&d)) {
    wbuf_printf(&out,
                "; %u registers: %u fields, as_of, %u constants; %u cells; %u "
                "instructions\n",
                P->nregs, prog_main_record(P)->nfields, P->nconsts, P->ncells, P->ncode);
    for (uint32_t pc = 0; pc < P->ncode; pc++) {
      if (d.cell_at[pc]) {
        d.cell = d.cell_at[pc] - 1;
        cell_header(&d, d.cell);
      }
      instruction(&d, pc);
    }
    if (wbuf_text(&out))
      text = out.p;
  }
  if (!text)
    wbuf_free(&out);
  mem_free(d.const_of);
  mem_free(d.cell_of);
  mem_free(d.cell_at);
  return text;
}
