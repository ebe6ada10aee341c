/* A Bison parser, made by GNU Bison 3.8.2.  */

/* Bison interface for Yacc-like parsers in C

   Copyright (C) 1984, 1989-1990, 2000-2015, 2018-2021 Free Software Foundation,
   Inc.

   This program is free software: you can redistribute it and/or modify
   it under the terms of the GNU General Public License as published by
   the Free Software Foundation, either version 3 of the License, or
   (at your option) any later version.

   This program is distributed in the hope that it will be useful,
   but WITHOUT ANY WARRANTY; without even the implied warranty of
   MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
   GNU General Public License for more details.

   You should have received a copy of the GNU General Public License
   along with this program.  If not, see <https://www.gnu.org/licenses/>.  */

/* As a special exception, you may create a larger work that contains
   part or all of the Bison parser skeleton and distribute that work
   under terms of your choice, so long as that work isn't itself a
   parser generator using the skeleton or a modified version thereof
   as a parser skeleton.  Alternatively, if you modify or redistribute
   the parser skeleton itself, you may (at your option) remove this
   special exception, which will cause the skeleton and the resulting
   Bison output files to be licensed under the GNU General Public
   License without this special exception.

   This special exception was added by the Free Software Foundation in
   version 2.2 of Bison.  */

/* DO NOT RELY ON FEATURES THAT ARE NOT DOCUMENTED in the manual,
   especially those whose name start with YY_ or yy_.  They are
   private implementation details that can be changed or removed.  */

#ifndef YY_ELIGYY_PARSER_TAB_H_INCLUDED
# define YY_ELIGYY_PARSER_TAB_H_INCLUDED
/* Debug traces.  */
#ifndef ELIGYYDEBUG
# if defined YYDEBUG
#if YYDEBUG
#   define ELIGYYDEBUG 1
#  else
#   define ELIGYYDEBUG 0
#  endif
# else /* ! defined YYDEBUG */
#  define ELIGYYDEBUG 0
# endif /* ! defined YYDEBUG */
#endif  /* ! defined ELIGYYDEBUG */
#if ELIGYYDEBUG
extern int eligyydebug;
#endif
/* "%code requires" blocks.  */
#line 24 "grammar/parser.y"

#include "ast.h"
#include "parse.h"
typedef void *yyscan_t;

#line 63 "parser.tab.h"

/* Token kinds.  */
#ifndef ELIGYYTOKENTYPE
# define ELIGYYTOKENTYPE
  enum eligyytokentype
  {
    TOK_ELIGYYEMPTY = -2,
    TOK_END = 0,                   /* "end of file"  */
    TOK_ELIGYYerror = 256,         /* error  */
    TOK_ELIGYYUNDEF = 257,         /* "invalid token"  */
    TOK_ERROR = 258,               /* "invalid token"  */
    TOK_NAME = 259,                /* "name"  */
    TOK_INT = 260,                 /* "integer"  */
    TOK_DECIMAL = 261,             /* "decimal number"  */
    TOK_PERCENT = 262,             /* "percentage"  */
    TOK_STRING = 263,              /* "text"  */
    TOK_DATE = 264,                /* "date"  */
    TOK_REGEX = 265,               /* "regular expression"  */
    TOK_AGGREGATE = 266,           /* "aggregate"  */
    TOK_AND = 267,                 /* "and"  */
    TOK_AT = 268,                  /* "at"  */
    TOK_BECAUSE = 269,             /* "because"  */
    TOK_BETWEEN = 270,             /* "between"  */
    TOK_BY = 271,                  /* "by"  */
    TOK_CHECK = 272,               /* "check"  */
    TOK_DECIDE = 273,              /* "decide"  */
    TOK_DEFAULT = 274,             /* "default"  */
    TOK_ELSE = 275,                /* "else"  */
    TOK_EXPECT = 276,              /* "expect"  */
    TOK_FALSE = 277,               /* "false"  */
    TOK_GIVEN = 278,               /* "given"  */
    TOK_IF = 279,                  /* "if"  */
    TOK_IMPORT = 280,              /* "import"  */
    TOK_IN = 281,                  /* "in"  */
    TOK_IS = 282,                  /* "is"  */
    TOK_KEY = 283,                 /* "key"  */
    TOK_LEAST = 284,               /* "least"  */
    TOK_LET = 285,                 /* "let"  */
    TOK_MATCHES = 286,             /* "matches"  */
    TOK_MONITOR = 287,             /* "monitor"  */
    TOK_MOST = 288,                /* "most"  */
    TOK_NONE = 289,                /* "none"  */
    TOK_NOT = 290,                 /* "not"  */
    TOK_OF = 291,                  /* "of"  */
    TOK_ONE = 292,                 /* "one"  */
    TOK_OPTIONAL = 293,            /* "optional"  */
    TOK_OR = 294,                  /* "or"  */
    TOK_OTHERWISE = 295,           /* "otherwise"  */
    TOK_OUTPUT = 296,              /* "output"  */
    TOK_OVERRIDE = 297,            /* "override"  */
    TOK_PARAM = 298,               /* "param"  */
    TOK_POLICY = 299,              /* "policy"  */
    TOK_RECORD = 300,              /* "record"  */
    TOK_REQUIRED = 301,            /* "required"  */
    TOK_SEVERITY = 302,            /* "severity"  */
    TOK_TEST = 303,                /* "test"  */
    TOK_THEN = 304,                /* "then"  */
    TOK_TRUE = 305,                /* "true"  */
    TOK_VERSION = 306,             /* "version"  */
    TOK_WHEN = 307,                /* "when"  */
    TOK_WHERE = 308,               /* "where"  */
    TOK_NE = 309,                  /* "!="  */
    TOK_LE = 310,                  /* "<="  */
    TOK_GE = 311,                  /* ">="  */
    TOK_NOT_IN = 312,              /* "not in"  */
    TOK_IF_EXPR = 313,             /* IF_EXPR  */
    TOK_UMINUS = 314               /* UMINUS  */
  };
  typedef enum eligyytokentype eligyytoken_kind_t;
#endif

/* Value type.  */
#if ! defined ELIGYYSTYPE && ! defined ELIGYYSTYPE_IS_DECLARED
union ELIGYYSTYPE
{
#line 54 "grammar/parser.y"

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

#line 153 "parser.tab.h"

};
typedef union ELIGYYSTYPE ELIGYYSTYPE;
# define ELIGYYSTYPE_IS_TRIVIAL 1
# define ELIGYYSTYPE_IS_DECLARED 1
#endif

/* Location type.  */
typedef elig_loc ELIGYYLTYPE;




int eligyyparse (void *scanner, elig_parser *p);

/* "%code provides" blocks.  */
#line 30 "grammar/parser.y"

int eligyylex(ELIGYYSTYPE *yylval, ELIGYYLTYPE *yylloc, void *scanner);

#line 174 "parser.tab.h"

#endif /* !YY_ELIGYY_PARSER_TAB_H_INCLUDED  */
