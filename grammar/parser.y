/*
 * parser.y -- the grammar of the rules language.
 *
 * The grammar only builds the syntax tree (PostgreSQL's rule): every action is one
 * constructor call, and no name or type is checked here; check.c does that.  The parser is
 * pure and reentrant with byte-span locations.  Syntax errors say what was expected in the
 * words of the language ("expected 'then', found 'because'"), and recovery at declaration
 * boundaries lets one run report several errors.
 *
 * Conflicts are fixed with precedence declarations, never left to bison's defaults: %expect 0.
 */
%require "3.8"
%define api.pure full
%define api.prefix {eligyy}
%define api.token.prefix {TOK_}
%define api.location.type {elig_loc}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%param {void *scanner}
%parse-param {elig_parser *p}

%code requires {
#include "ast.h"
#include "parse.h"
typedef void *yyscan_t;
}

%code provides {
int eligyylex(ELIGYYSTYPE *yylval, ELIGYYLTYPE *yylloc, void *scanner);
}

%code {
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "grammar/lexer_help.h"
#include "parse_help.h"
#include "suggest.h"

#define YYLLOC_DEFAULT(Cur, Rhs, N)                                 \
  do {                                                              \
    if (N) {                                                        \
      (Cur).file = YYRHSLOC(Rhs, 1).file;                           \
      (Cur).start = YYRHSLOC(Rhs, 1).start;                         \
      (Cur).end = YYRHSLOC(Rhs, N).end;                             \
    } else {                                                        \
      (Cur).file = YYRHSLOC(Rhs, 0).file;                           \
      (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end;               \
    }                                                               \
  } while (0)

/* The parser's stacks grow through the library's allocator, and parse.c frees them when
 * memory runs out in the middle (it leaves yyparse by a jump).  Bison calls these from
 * functions that have no parse-param, so the parser of this thread is found by
 * parse_current (parse.c). */
#define YYMALLOC(size) parse_stack_alloc(parse_current(), size)
#define YYFREE(block) parse_stack_free(parse_current(), block)

static void eligyyerror(const elig_loc *loc, void *scanner, elig_parser *p, const char *msg);
static void suggest_keyword(elig_parser *p, int idx, const yysymbol_kind_t *expected, int n,
                            const char *word, uint32_t len);
static void thousands_help(elig_parser *p, int idx, yysymbol_kind_t found, const elig_loc *loc);
static void note_unclosed(elig_parser *p, int idx, const yysymbol_kind_t *expected, int n,
                          yysymbol_kind_t found, const elig_loc *loc);
static void append(elig_parser *p, ast_list *l, void *item);
static ast_expr *nest(elig_parser *p, ast_expr *e);
}

%union {
  ast_expr *expr;
  ast_decl *decl;
  const char *name;
  ast_list list;
  ast_field *field;
  ast_field_con *con;
  ast_table *table;
  ast_table_row *row;
  ast_rule *rule;
  ast_group_key *gkey;
  ast_given_item *gitem;
  ast_expects expects;
  ast_test_step *step;
}

%token END 0 "end of file"
%token ERROR "invalid token"
%token <name> NAME "name"
%token <expr> INT "integer" DECIMAL "decimal number" PERCENT "percentage"
%token <expr> STRING "quoted text" DATE "date" REGEX "regular expression"
%token AGGREGATE "aggregate" AND "and" AT "at" BECAUSE "because" BETWEEN "between" BY "by"
%token CHECK "check" DECIDE "decide" DEFAULT "default" ELSE "else" EXPECT "expect" EXTEND "extend"
%token FALSE "false" GIVEN "given" IF "if" IMPORT "import" IN "in" IS "is" KEY "key"
%token LEAST "least" LET "let" MATCHES "matches" MONITOR "monitor" MOST "most" NONE "none"
%token NOT "not" OF "of" ONE "one" OPTIONAL "optional" OR "or" OTHERWISE "otherwise"
%token OUTPUT "output" OVERRIDE "override" PARAM "param" POLICY "policy" RECORD "record"
%token REQUIRED "required" SEVERITY "severity" TEST "test" THEN "then" TRUE "true"
%token VERSION "version" WHEN "when" WHERE "where"
%token NE "!=" LE "<=" GE ">=" NOT_IN "not in"
%token '=' "=" '<' "<" '>' ">" '+' "+" '-' "-" '*' "*" '/' "/" '(' "(" ')' ")"
%token '{' "{" '}' "}" '[' "[" ']' "]" ',' "," ':' ":" '.' "."

%precedence IF_EXPR
%left OR
%left AND
%precedence NOT
%nonassoc '=' NE '<' LE '>' GE IN NOT_IN IS MATCHES
%left '+' '-'
%left '*' '/'
%precedence UMINUS

%type <expr> expr primary literal signed_literal call
%type <list> expr_list opt_expr_list literal_list name_list field_list constraints
%type <list> table_rows rules group_keys agg_body given_items given_records test_steps
%type <expects> expects
%type <step> test_step
%type <decl> decl declaration policy import record param extend let decide monitor aggregate output
%type <decl> test
%type <decl> agg_item
%type <field> field
%type <con> constraint
%type <table> table
%type <row> table_row
%type <rule> when_rule otherwise_rule
%type <gkey> group_key
%type <gitem> given_item
%type <name> reason

%%

file:
  %empty
| file decl                 { if ($2) append(p, &p->out->decls, $2); }
;

decl:
  declaration               { $$ = $1; }
| OVERRIDE declaration      { $$ = $2; if ($$) { $$->is_override = true; $$->loc = @$; } }
| extend                    { $$ = $1; }
| error                     { $$ = NULL; }
;

declaration:
  policy | import | record | param | let | decide | monitor | aggregate | output | test
;

/* policy "national" version "2020.1" */
policy:
  POLICY STRING             { $$ = ast_decl_new(p->arena, DECL_POLICY, @$); $$->text = $2->text; }
| POLICY STRING VERSION STRING
                            { $$ = ast_decl_new(p->arena, DECL_POLICY, @$); $$->text = $2->text;
                              $$->version = $4->text; }
;

/* import "national.rules" */
import:
  IMPORT STRING             { $$ = ast_decl_new(p->arena, DECL_IMPORT, @$); $$->text = $2->text;
                              $$->name_loc = @2; }
;

/* record household key hh_id, year { field... } */
record:
  RECORD NAME '{' field_list '}'
                            { $$ = ast_decl_new(p->arena, DECL_RECORD, @$); $$->name = $2;
                              $$->name_loc = @2; $$->fields = $4; }
| RECORD NAME KEY name_list '{' field_list '}'
                            { $$ = ast_decl_new(p->arena, DECL_RECORD, @$); $$->name = $2;
                              $$->name_loc = @2; $$->keys = $4; $$->fields = $6; }
/* record household key hh_id per year { ... }: one record per household per year, and each
 * household's records linked over the years (previous() reads the year before).  `per` is
 * a word, not a keyword, so that rules may keep using it as a name; text holds it and the
 * checker says when it is another word. */
| RECORD NAME KEY name_list NAME NAME '{' field_list '}'
                            { $$ = ast_decl_new(p->arena, DECL_RECORD, @$); $$->name = $2;
                              $$->name_loc = @2; $$->keys = $4; $$->text = $5;
                              $$->order = ast_name(p->arena, $6, @6);
                              append(p, &$$->keys, $$->order); $$->fields = $8; }
;

field_list:
  %empty                    { memset(&$$, 0, sizeof $$); }
| field_list field          { $$ = $1; append(p, &$$, $2); }
| field_list error          { $$ = $1; }
;

/* net_income money required between -1000000 and 1000000 */
field:
  NAME NAME constraints     { $$ = ast_alloc(p->arena, sizeof *$$); $$->name = $1; $$->loc = @1;
                              $$->type_name = $2; $$->type_loc = @2; $$->cons = $3; }
| NAME NAME OF NAME constraints
                            { $$ = ast_alloc(p->arena, sizeof *$$); $$->name = $1; $$->loc = @1;
                              $$->type_name = $2; $$->type_loc = @2; $$->elem_name = $4;
                              $$->cons = $5; }
;

constraints:
  %empty                    { memset(&$$, 0, sizeof $$); }
| constraints constraint    { $$ = $1; append(p, &$$, $2); }
;

constraint:
  REQUIRED                  { $$ = ast_field_con_new(p->arena, FCON_REQUIRED, @$); }
| OPTIONAL                  { $$ = ast_field_con_new(p->arena, FCON_OPTIONAL, @$); }
| DEFAULT signed_literal    { $$ = ast_field_con_new(p->arena, FCON_DEFAULT, @$); $$->a = $2; }
| BETWEEN signed_literal AND signed_literal
                            { $$ = ast_field_con_new(p->arena, FCON_BETWEEN, @$); $$->a = $2;
                              $$->b = $4; }
| AT LEAST signed_literal    { $$ = ast_field_con_new(p->arena, FCON_AT_LEAST, @$); $$->a = $3; }
| AT MOST signed_literal    { $$ = ast_field_con_new(p->arena, FCON_AT_MOST, @$); $$->a = $3; }
| ONE OF literal_list       { $$ = ast_field_con_new(p->arena, FCON_ONE_OF, @$); $$->values = $3; }
| MATCHES REGEX             { $$ = ast_field_con_new(p->arena, FCON_MATCHES, @$); $$->a = $2; }
| CHECK expr ELSE STRING    { $$ = ast_field_con_new(p->arena, FCON_CHECK, @$); $$->a = $2;
                              $$->message = $4->text; }
;

/* param poverty_line money by year { 2014: 2800  2020: 4000 }
   param cap percent = 2% */
param:
  PARAM NAME NAME '=' signed_literal
                            { $$ = ast_decl_new(p->arena, DECL_PARAM, @$); $$->name = $2;
                              $$->name_loc = @2; $$->type_name = $3; $$->type_loc = @3;
                              $$->table = ast_table_const(p->arena, $5); }
| PARAM NAME NAME table     { $$ = ast_decl_new(p->arena, DECL_PARAM, @$); $$->name = $2;
                              $$->name_loc = @2; $$->type_name = $3; $$->type_loc = @3;
                              $$->table = $4; }
;

/* extend param monitor_line { 2026: 7500 }: rows added to, or changed in, an earlier table;
 * its key and type are that table's (the resolver merges them, resolve.c) */
extend:
  EXTEND PARAM NAME '{' table_rows '}'
                            { $$ = ast_decl_new(p->arena, DECL_PARAM, @$); $$->name = $3;
                              $$->name_loc = @3; $$->is_extend = true;
                              $$->table = ast_table_new(p->arena, (elig_loc){@4.file, @4.start,
                                                        @6.end}, NULL, $5); }
;

table:
  BY expr '{' table_rows '}'
                            { $$ = ast_alloc(p->arena, sizeof *$$); $$->loc = @$; $$->by = $2;
                              $$->rows = $4; }
;

table_rows:
  %empty                    { memset(&$$, 0, sizeof $$); }
| table_rows table_row      { $$ = $1; append(p, &$$, $2); }
;

table_row:
  literal_list ':' signed_literal
                            { $$ = ast_table_row_new(p->arena, @$, $1, $3, NULL); }
| literal_list ':' table    { $$ = ast_table_row_new(p->arena, @$, $1, NULL, $3); }
| OTHERWISE ':' signed_literal
                            { ast_list none = {0}; $$ = ast_table_row_new(p->arena, @$, none, $3, NULL); }
| OTHERWISE ':' table       { ast_list none = {0}; $$ = ast_table_row_new(p->arena, @$, none, NULL, $3); }
;

/* let per_capita = net_income / size      let incidence: percent = a / b */
let:
  LET NAME '=' expr         { $$ = ast_decl_new(p->arena, DECL_LET, @$); $$->name = $2;
                              $$->name_loc = @2; $$->expr = $4; }
| LET NAME ':' NAME '=' expr
                            { $$ = ast_decl_new(p->arena, DECL_LET, @$); $$->name = $2;
                              $$->name_loc = @2; $$->type_name = $4; $$->type_loc = @4;
                              $$->expr = $6; }
;

/* decide status  when c then v because "r" ...  otherwise v because "r"
   decide benefit: money  when ... */
decide:
  DECIDE NAME rules         { $$ = ast_decl_new(p->arena, DECL_DECIDE, @$); $$->name = $2;
                              $$->name_loc = @2; $$->rules = $3; }
| DECIDE NAME ':' NAME rules
                            { $$ = ast_decl_new(p->arena, DECL_DECIDE, @$); $$->name = $2;
                              $$->name_loc = @2; $$->type_name = $4; $$->type_loc = @4;
                              $$->rules = $5; }
;

rules:
  %empty                    { memset(&$$, 0, sizeof $$); }
| rules when_rule           { $$ = $1; append(p, &$$, $2); }
| rules otherwise_rule      { $$ = $1; append(p, &$$, $2); }
;

when_rule:
  WHEN expr THEN expr reason
                            { $$ = ast_rule_new(p->arena, @$, $2, $4, $5); }
;

otherwise_rule:
  OTHERWISE expr reason     { $$ = ast_rule_new(p->arena, @$, NULL, $2, $3); }
| ELSE expr reason          { $$ = ast_rule_new(p->arena, @$, NULL, $2, $3);
                              diag_add(p->diags, DIAG_E_ELSE_IN_DECISION, @1); }
;

reason:
  %empty                    { $$ = NULL; }
| BECAUSE STRING            { $$ = $2->text; }
;

/* monitor edge_household severity high when c because "r" */
monitor:
  MONITOR NAME SEVERITY NAME WHEN expr reason
                            { $$ = ast_decl_new(p->arena, DECL_MONITOR, @$); $$->name = $2;
                              $$->name_loc = @2; $$->severity = $4; $$->severity_loc = @4;
                              $$->cond = $6; $$->reason = $7; }
;

/* aggregate village by village_code, year { let ... decide ... output ... } */
aggregate:
  AGGREGATE NAME BY group_keys '{' agg_body '}'
                            { $$ = ast_decl_new(p->arena, DECL_AGGREGATE, @$); $$->name = $2;
                              $$->name_loc = @2; $$->group = $4; $$->body = $6; }
;

group_keys:
  group_key                 { memset(&$$, 0, sizeof $$); append(p, &$$, $1); }
| group_keys ',' group_key  { $$ = $1; append(p, &$$, $3); }
;

group_key:
  NAME                      { $$ = ast_group_key_new(p->arena, @$, $1, NULL); }
| NAME '=' expr             { $$ = ast_group_key_new(p->arena, @$, $1, $3); }
;

agg_body:
  %empty                    { memset(&$$, 0, sizeof $$); }
| agg_body agg_item         { $$ = $1; if ($2) append(p, &$$, $2); }
;

agg_item:
  let | decide | output
| error                     { $$ = NULL; }
;

/* output hh_id, year, per_capita */
output:
  OUTPUT name_list          { $$ = ast_decl_new(p->arena, DECL_OUTPUT, @$); $$->names = $2; }
;

name_list:
  NAME                      { memset(&$$, 0, sizeof $$); append(p, &$$, ast_name(p->arena, $1, @1)); }
| name_list ',' NAME        { $$ = $1; append(p, &$$, ast_name(p->arena, $3, @3)); }
;

/* test "name" { given { field: value, ... } expect expr ... }, and for a household followed
 * over the years, a `given` per year, each with its expectations. */
test:
  TEST STRING '{' test_steps '}'
                            { $$ = ast_decl_new(p->arena, DECL_TEST, @$); $$->text = $2->text;
                              $$->name_loc = @2; $$->steps = $4;
                              ast_test_step_first($$); }
;

test_steps:
  test_step                 { memset(&$$, 0, sizeof $$); append(p, &$$, $1); }
| test_steps test_step      { $$ = $1; append(p, &$$, $2); }
;

test_step:
  GIVEN '{' given_items '}' expects
                            { $$ = ast_test_step_new(p->arena, @1, $3, &$5); }
;

given_items:
  %empty                    { memset(&$$, 0, sizeof $$); }
| given_items given_item    { $$ = $1; append(p, &$$, $2); }
| given_items ','           { $$ = $1; }
;

given_item:
  NAME ':' signed_literal   { $$ = ast_given_new(p->arena, @$, $1, $3); }
| NAME ':' '[' given_records ']'
                            { $$ = ast_given_new(p->arena, @$, $1,
                                                 ast_given_records(p->arena, $4, @4, @3, @5)); }
;

given_records:
  %empty                    { memset(&$$, 0, sizeof $$); }
| given_records '{' given_items '}'
                            { $$ = $1; append(p, &$$, ast_given_record(p->arena, $3, @2, @4)); }
| given_records ','         { $$ = $1; }
;

/* expect rejected "reason": the given record is refused, for a reason containing the text */
expects:
  %empty                    { memset(&$$, 0, sizeof $$); }
| expects EXPECT expr       { $$ = $1; append(p, &$$.list, $3); }
| expects EXPECT NAME STRING
                            { $$ = $1; $$.word = $3; $$.rejected = $4->text; $$.rejected_loc = @3; }
;

/* ---------------------------------------------------------------- expressions */

expr:
  primary                   { $$ = $1; }
| '-' expr %prec UMINUS     { $$ = nest(p, ast_unary(p->arena, OPR_NEG, $2, @$)); }
| NOT expr                  { $$ = nest(p, ast_unary(p->arena, OPR_NOT, $2, @$)); }
| expr '+' expr             { $$ = nest(p, ast_binary(p->arena, OPR_ADD, $1, $3, @2)); }
| expr '-' expr             { $$ = nest(p, ast_binary(p->arena, OPR_SUB, $1, $3, @2)); }
| expr '*' expr             { $$ = nest(p, ast_binary(p->arena, OPR_MUL, $1, $3, @2)); }
| expr '/' expr             { $$ = nest(p, ast_binary(p->arena, OPR_DIV, $1, $3, @2)); }
| expr '=' expr             { $$ = nest(p, ast_binary(p->arena, OPR_EQ, $1, $3, @2)); }
| expr NE expr              { $$ = nest(p, ast_binary(p->arena, OPR_NE, $1, $3, @2)); }
| expr '<' expr             { $$ = nest(p, ast_binary(p->arena, OPR_LT, $1, $3, @2)); }
| expr LE expr              { $$ = nest(p, ast_binary(p->arena, OPR_LE, $1, $3, @2)); }
| expr '>' expr             { $$ = nest(p, ast_binary(p->arena, OPR_GT, $1, $3, @2)); }
| expr GE expr              { $$ = nest(p, ast_binary(p->arena, OPR_GE, $1, $3, @2)); }
| expr AND expr             { $$ = nest(p, ast_binary(p->arena, OPR_AND, $1, $3, @2)); }
| expr OR expr              { $$ = nest(p, ast_binary(p->arena, OPR_OR, $1, $3, @2)); }
| expr IN expr              { $$ = nest(p, ast_in(p->arena, $1, $3, false, @2)); }
| expr NOT_IN expr         { $$ = nest(p, ast_in(p->arena, $1, $3, true, @2)); }
| expr IS NONE              { $$ = nest(p, ast_is_none(p->arena, $1, false, @$)); }
| expr IS NOT NONE          { $$ = nest(p, ast_is_none(p->arena, $1, true, @$)); }
| expr MATCHES REGEX        { $$ = nest(p, ast_matches(p->arena, $1, $3, @2)); }
| IF expr THEN expr ELSE expr %prec IF_EXPR
                            { $$ = nest(p, ast_if(p->arena, $2, $4, $6, @$)); }
;

primary:
  literal                   { $$ = $1; }
| NAME                      { $$ = ast_name(p->arena, $1, @1); }
| primary '.' NAME          { $$ = nest(p, ast_member(p->arena, $1, $3, @3)); }
| call                      { $$ = $1; }
| '{' opt_expr_list '}'     { $$ = ast_set(p->arena, $2, @$); }
| '(' expr ')'              { $$ = ast_parens($2, @$); }
;

/* f(a, b)   count(members where age < 16)   count()   count(where x) */
call:
  NAME '(' opt_expr_list ')'
                            { $$ = nest(p, ast_call(p->arena, $1, $3, NULL, @$)); }
| NAME '(' opt_expr_list WHERE expr ')'
                            { $$ = nest(p, ast_call(p->arena, $1, $3, $5, @$)); }
;

opt_expr_list:
  %empty                    { memset(&$$, 0, sizeof $$); }
| expr_list                 { $$ = $1; }
;

expr_list:
  expr                      { memset(&$$, 0, sizeof $$); append(p, &$$, $1); }
| expr_list ',' expr        { $$ = $1; append(p, &$$, $3); }
;

literal:
  INT | DECIMAL | PERCENT | STRING | DATE
| TRUE                      { $$ = ast_bool(p->arena, true, @$); }
| FALSE                     { $$ = ast_bool(p->arena, false, @$); }
| NONE                      { $$ = ast_expr_new(p->arena, AST_NONE, @$); }
;

signed_literal:
  literal                   { $$ = $1; }
| '-' literal               { $$ = ast_unary(p->arena, OPR_NEG, $2, @$); }
;

literal_list:
  signed_literal            { memset(&$$, 0, sizeof $$); append(p, &$$, $1); }
| literal_list ',' signed_literal
                            { $$ = $1; append(p, &$$, $3); }
;

%%

static void append(elig_parser *p, ast_list *l, void *item)
{
  if (item && !ast_list_append(p->arena, l, item))
    diag_add(p->diags, DIAG_E_NO_MEMORY, (elig_loc){p->file, p->offset, p->offset});
}

/* Refuses nesting deeper than PARSE_MAX_DEPTH once, so that later passes, which recurse over
 * expressions, are bounded. */
static ast_expr *nest(elig_parser *p, ast_expr *e)
{
  if (e && e->depth > PARSE_MAX_DEPTH && !p->too_deep) {
    p->too_deep = true;
    diag_add(p->diags, DIAG_E_TOO_DEEP, e->loc, PARSE_MAX_DEPTH);
  }
  return e;
}

static void eligyyerror(const elig_loc *loc, void *scanner, elig_parser *p, const char *msg)
{
  (void)scanner;
  /* bison's only own message: its stack is full, i.e. the nesting is too deep -- unless
   * growing it failed for want of memory */
  if (strcmp(msg, "memory exhausted") == 0 && p->stack_no_memory) {
    diag_add(p->diags, DIAG_E_NO_MEMORY, *loc);
  } else if (strcmp(msg, "memory exhausted") == 0 && !p->too_deep) {
    p->too_deep = true;
    diag_add(p->diags, DIAG_E_TOO_DEEP, *loc, PARSE_MAX_DEPTH);
  } else if (strcmp(msg, "memory exhausted") != 0) {
    diag_add(p->diags, DIAG_E_SYNTAX, *loc, msg);
  }
}

/* How a token is named in messages: keywords and punctuation quoted, the rest described. */
static const char *token_word(yysymbol_kind_t sym, char *buf, size_t size)
{
  switch (sym) {
  case YYSYMBOL_YYEOF: return _(WORD_END_OF_FILE);
  case YYSYMBOL_NAME: return _(WORD_NAME);
  case YYSYMBOL_INT: case YYSYMBOL_DECIMAL: return _(WORD_NUMBER);
  case YYSYMBOL_PERCENT: return _(WORD_PERCENTAGE);
  case YYSYMBOL_STRING: return _(WORD_QUOTED_TEXT);
  case YYSYMBOL_DATE: return _(WORD_DATE);
  case YYSYMBOL_REGEX: return _(WORD_REGEX);
  default: {
    const char *name = yysymbol_name(sym);
    size_t n = strlen(name);
    if (n >= 2 && name[0] == '"')
      snprintf(buf, size, "'%.*s'", (int)(n - 2), name + 1);
    else
      snprintf(buf, size, "'%s'", name);
    return buf;
  }
  }
}

/* Token classes are told by their aliases (yysymbol_name gives them without quotes): bison
 * numbers character tokens by position. */
static bool alias_in(yysymbol_kind_t s, const char *const *names)
{
  const char *name = yysymbol_name(s);
  for (; *names; names++)
    if (strcmp(name, *names) == 0)
      return true;
  return false;
}

static bool is_operator(yysymbol_kind_t s)
{
  static const char *const ops[] = {"+", "-", "*", "/", "=", "!=", "<", "<=", ">", ">=", "and",
                                    "or", "in", "not in", "is", "matches", ".", NULL};
  return alias_in(s, ops);
}

static bool starts_value(yysymbol_kind_t s)
{
  static const char *const starts[] = {"(", "{", "if", "not", "true", "false", "none", NULL};
  return s == YYSYMBOL_NAME || s == YYSYMBOL_INT || s == YYSYMBOL_DECIMAL ||
         s == YYSYMBOL_PERCENT || s == YYSYMBOL_STRING || s == YYSYMBOL_DATE ||
         alias_in(s, starts);
}

/* "expected 'then' or an operator, found name 'net_income'", in the words of the language:
 * long lists are summarised ("an operator", "a value") rather than dropped. */
static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, elig_parser *p)
{
  enum { MAX_EXPECTED = 80, MAX_LISTED = 6 };
  yysymbol_kind_t expected[MAX_EXPECTED];
  int n = yypcontext_expected_tokens(ctx, expected, MAX_EXPECTED);
  yysymbol_kind_t found = yypcontext_token(ctx);
  const elig_loc *loc = yypcontext_location(ctx);
  char msg[512], word[64], what[160];
  const char *items[MAX_EXPECTED];
  int nitems = 0, operators = 0, values = 0;
  size_t len = 0;
  (void)scanner;
  if (found == YYSYMBOL_ERROR)
    return 0; /* the lexer already reported the bad token */
  for (int i = 0; i < n; i++) {
    operators += is_operator(expected[i]);
    values += starts_value(expected[i]);
  }
  char words[MAX_EXPECTED][64];
  for (int i = 0; i < n; i++) {
    if ((operators >= 3 && is_operator(expected[i])) || (values >= 4 && starts_value(expected[i])))
      continue;
    const char *w = token_word(expected[i], words[nitems], sizeof words[nitems]);
    bool dup = false;
    for (int k = 0; k < nitems; k++)
      dup |= strcmp(items[k], w) == 0;
    if (!dup)
      items[nitems++] = w;
  }
  if (values >= 4)
    /* TRANSLATORS: in "expected ..., found ...": any value (a name, a number, a text) */
    items[nitems++] = _("a value");
  if (operators >= 3)
    /* TRANSLATORS: in "expected ..., found ...": an operator (+, =, and, ...) */
    items[nitems++] = _("an operator");
  /* the found token, with its text */
  uint32_t tl = loc->end - loc->start;
  const char *text = p->text + loc->start;
  if (tl > 40)
    tl = 40;
  switch (found) {
  case YYSYMBOL_YYEOF: snprintf(what, sizeof what, "%s", _("the end of the file")); break;
  /* TRANSLATORS: what was found where something else was expected: a name, as written */
  case YYSYMBOL_NAME: snprintf(what, sizeof what, _("name '%.*s'"), (int)tl, text); break;
  case YYSYMBOL_INT: case YYSYMBOL_DECIMAL: case YYSYMBOL_PERCENT: case YYSYMBOL_DATE:
    snprintf(what, sizeof what, "%.*s", (int)tl, text);
    break;
  /* TRANSLATORS: what was found: a quoted text, as written with its quotes */
  case YYSYMBOL_STRING: snprintf(what, sizeof what, _("quoted text %.*s"), (int)tl, text); break;
  default: snprintf(what, sizeof what, "%s", token_word(found, word, sizeof word)); break;
  }
  if (n > 0 && nitems <= MAX_LISTED) {
    char list[400];
    /* TRANSLATORS: between the things expected of a list ('then', 'and', an operator) */
    const char *comma = _(", ");
    /* TRANSLATORS: before the last thing expected of a list */
    const char *or = _(" or ");
    for (int i = 0; i < nitems && len < sizeof list; i++)
      len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
                              i == 0 ? "" : i + 1 == nitems ? or : comma, items[i]);
    /* TRANSLATORS: a syntax error: the first %s lists what the grammar allows there
       ("'then' or an operator"), the second what the file has ("name 'x'") */
    snprintf(msg, sizeof msg, _("expected %s, found %s"), list, what);
  } else if (found == YYSYMBOL_YYEOF) {
    snprintf(msg, sizeof msg, "%s", _("unexpected end of the file"));
  } else {
    /* TRANSLATORS: a syntax error: %s is what the file has there ("name 'x'") */
    snprintf(msg, sizeof msg, _("unexpected %s"), what);
  }
  int idx = diag_add(p->diags, DIAG_E_SYNTAX, *loc, msg);
  if (found == YYSYMBOL_NAME)
    suggest_keyword(p, idx, expected, n, text, loc->end - loc->start);
  thousands_help(p, idx, found, loc);
  note_unclosed(p, idx, expected, n, found, loc);
  return 0;
}

/* A name where a keyword was expected, close to one of them: whne, otherwse, becuase. */
static void suggest_keyword(elig_parser *p, int idx, const yysymbol_kind_t *expected, int n,
                            const char *word, uint32_t len)
{
  suggest_state st;
  suggest_init(&st, word, len);
  for (int i = 0; i < n; i++) {
    const char *name = yysymbol_name(expected[i]);
    bool is_word = name[0] >= 'a' && name[0] <= 'z' && strchr(name, ' ') == NULL;
    if (is_word)
      suggest_offer(&st, name, strlen(name));
  }
  size_t best_len;
  const char *best = suggest_best(&st, &best_len);
  if (best)
    diag_add_help(p->diags, idx, "did you mean '%.*s'?", (int)best_len, best);
}

/* 20,000 read as 20, a comma and 000: found the comma, or the 000 after it (where commas
 * separate items). */
static void thousands_help(elig_parser *p, int idx, yysymbol_kind_t found, const elig_loc *loc)
{
  static const char *const comma[] = {",", NULL};
  char number[64];
  uint32_t sep = alias_in(found, comma) ? loc->start
                 : found == YYSYMBOL_INT && loc->start > 0 ? loc->start - 1
                                                            : UINT32_MAX;
  if (sep != UINT32_MAX && parse_thousands(p->text, p->len, sep, number, sizeof number))
    diag_add_help(p->diags, idx, "write %s: numbers are written without thousands separators",
                  number);
}

/* The innermost bracket left open, when the parser wanted its closer or the file ended: a
 * note with its own line and caret, since the error itself is often lines below.  A bracket
 * noted once is forgotten, so that later errors do not point at it again. */
static void note_unclosed(elig_parser *p, int idx, const yysymbol_kind_t *expected, int n,
                          yysymbol_kind_t found, const elig_loc *loc)
{
  if (p->nopen == 0 || p->nopen > PARSE_MAX_OPEN)
    return;
  uint32_t k = p->nopen;
  if (p->open[k - 1].at == loc->start)
    k--; /* the token found opens a bracket itself */
  if (k == 0)
    return;
  parse_open o = p->open[k - 1];
  const char *const closer[] = {o.kind == '(' ? ")" : o.kind == '[' ? "]" : "}", NULL};
  bool wanted = found == YYSYMBOL_YYEOF;
  for (int i = 0; i < n && !wanted; i++)
    wanted = alias_in(expected[i], closer);
  /* a bracket closed further on is not the trouble: given { a: 20,000 } */
  if (!wanted || parse_closed_after(p->text, p->len, o.kind, loc->start))
    return;
  diag_add_note(p->diags, idx, (elig_loc){p->file, o.at, o.at + o.size},
                NOTE_NOT_CLOSED, o.kind);
  memmove(p->open + k - 1, p->open + k, (p->nopen - k) * sizeof *p->open);
  p->nopen--;
}
