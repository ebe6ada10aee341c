/* A Bison parser, made by GNU Bison 3.8.2.  */

/* Bison implementation for Yacc-like parsers in C

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

/* C LALR(1) parser skeleton written by Richard Stallman, by
   simplifying the original so-called "semantic" parser.  */

/* DO NOT RELY ON FEATURES THAT ARE NOT DOCUMENTED in the manual,
   especially those whose name start with YY_ or yy_.  They are
   private implementation details that can be changed or removed.  */

/* All symbols defined below should begin with yy or YY, to avoid
   infringing on user name space.  This should be done even for local
   variables, as they might otherwise be expanded by user macros.
   There are some unavoidable exceptions within include files to
   define necessary library symbols; they are noted "INFRINGES ON
   USER NAME SPACE" below.  */

/* Identify Bison output, and Bison version.  */
#define YYBISON 30802

/* Bison version string.  */
#define YYBISON_VERSION "3.8.2"

/* Skeleton name.  */
#define YYSKELETON_NAME "yacc.c"

/* Pure parsers.  */
#define YYPURE 2

/* Push parsers.  */
#define YYPUSH 0

/* Pull parsers.  */
#define YYPULL 1

/* Substitute the type names.  */
#define YYSTYPE         ELIGYYSTYPE
#define YYLTYPE         ELIGYYLTYPE
/* Substitute the variable and function names.  */
#define yyparse         eligyyparse
#define yylex           eligyylex
#define yyerror         eligyyerror
#define yydebug         eligyydebug
#define yynerrs         eligyynerrs


# ifndef YY_CAST
#  ifdef __cplusplus
#   define YY_CAST(Type, Val) static_cast<Type> (Val)
#   define YY_REINTERPRET_CAST(Type, Val) reinterpret_cast<Type> (Val)
#  else
#   define YY_CAST(Type, Val) ((Type) (Val))
#   define YY_REINTERPRET_CAST(Type, Val) ((Type) (Val))
#  endif
# endif
# ifndef YY_NULLPTR
#  if defined __cplusplus
#   if 201103L <= __cplusplus
#    define YY_NULLPTR nullptr
#   else
#    define YY_NULLPTR 0
#   endif
#  else
#   define YY_NULLPTR ((void*)0)
#  endif
# endif

#include "parser.tab.h"
/* Symbol kind.  */
enum yysymbol_kind_t
{
  YYSYMBOL_YYEMPTY = -2,
  YYSYMBOL_YYEOF = 0,                      /* "end of file"  */
  YYSYMBOL_YYerror = 1,                    /* error  */
  YYSYMBOL_YYUNDEF = 2,                    /* "invalid token"  */
  YYSYMBOL_ERROR = 3,                      /* "invalid token"  */
  YYSYMBOL_NAME = 4,                       /* "name"  */
  YYSYMBOL_INT = 5,                        /* "integer"  */
  YYSYMBOL_DECIMAL = 6,                    /* "decimal number"  */
  YYSYMBOL_PERCENT = 7,                    /* "percentage"  */
  YYSYMBOL_STRING = 8,                     /* "text"  */
  YYSYMBOL_DATE = 9,                       /* "date"  */
  YYSYMBOL_REGEX = 10,                     /* "regular expression"  */
  YYSYMBOL_AGGREGATE = 11,                 /* "aggregate"  */
  YYSYMBOL_AND = 12,                       /* "and"  */
  YYSYMBOL_AT = 13,                        /* "at"  */
  YYSYMBOL_BECAUSE = 14,                   /* "because"  */
  YYSYMBOL_BETWEEN = 15,                   /* "between"  */
  YYSYMBOL_BY = 16,                        /* "by"  */
  YYSYMBOL_CHECK = 17,                     /* "check"  */
  YYSYMBOL_DECIDE = 18,                    /* "decide"  */
  YYSYMBOL_DEFAULT = 19,                   /* "default"  */
  YYSYMBOL_ELSE = 20,                      /* "else"  */
  YYSYMBOL_EXPECT = 21,                    /* "expect"  */
  YYSYMBOL_FALSE = 22,                     /* "false"  */
  YYSYMBOL_GIVEN = 23,                     /* "given"  */
  YYSYMBOL_IF = 24,                        /* "if"  */
  YYSYMBOL_IMPORT = 25,                    /* "import"  */
  YYSYMBOL_IN = 26,                        /* "in"  */
  YYSYMBOL_IS = 27,                        /* "is"  */
  YYSYMBOL_KEY = 28,                       /* "key"  */
  YYSYMBOL_LEAST = 29,                     /* "least"  */
  YYSYMBOL_LET = 30,                       /* "let"  */
  YYSYMBOL_MATCHES = 31,                   /* "matches"  */
  YYSYMBOL_MONITOR = 32,                   /* "monitor"  */
  YYSYMBOL_MOST = 33,                      /* "most"  */
  YYSYMBOL_NONE = 34,                      /* "none"  */
  YYSYMBOL_NOT = 35,                       /* "not"  */
  YYSYMBOL_OF = 36,                        /* "of"  */
  YYSYMBOL_ONE = 37,                       /* "one"  */
  YYSYMBOL_OPTIONAL = 38,                  /* "optional"  */
  YYSYMBOL_OR = 39,                        /* "or"  */
  YYSYMBOL_OTHERWISE = 40,                 /* "otherwise"  */
  YYSYMBOL_OUTPUT = 41,                    /* "output"  */
  YYSYMBOL_OVERRIDE = 42,                  /* "override"  */
  YYSYMBOL_PARAM = 43,                     /* "param"  */
  YYSYMBOL_POLICY = 44,                    /* "policy"  */
  YYSYMBOL_RECORD = 45,                    /* "record"  */
  YYSYMBOL_REQUIRED = 46,                  /* "required"  */
  YYSYMBOL_SEVERITY = 47,                  /* "severity"  */
  YYSYMBOL_TEST = 48,                      /* "test"  */
  YYSYMBOL_THEN = 49,                      /* "then"  */
  YYSYMBOL_TRUE = 50,                      /* "true"  */
  YYSYMBOL_VERSION = 51,                   /* "version"  */
  YYSYMBOL_WHEN = 52,                      /* "when"  */
  YYSYMBOL_WHERE = 53,                     /* "where"  */
  YYSYMBOL_NE = 54,                        /* "!="  */
  YYSYMBOL_LE = 55,                        /* "<="  */
  YYSYMBOL_GE = 56,                        /* ">="  */
  YYSYMBOL_NOT_IN = 57,                    /* "not in"  */
  YYSYMBOL_58_ = 58,                       /* "="  */
  YYSYMBOL_59_ = 59,                       /* "<"  */
  YYSYMBOL_60_ = 60,                       /* ">"  */
  YYSYMBOL_61_ = 61,                       /* "+"  */
  YYSYMBOL_62_ = 62,                       /* "-"  */
  YYSYMBOL_63_ = 63,                       /* "*"  */
  YYSYMBOL_64_ = 64,                       /* "/"  */
  YYSYMBOL_65_ = 65,                       /* "("  */
  YYSYMBOL_66_ = 66,                       /* ")"  */
  YYSYMBOL_67_ = 67,                       /* "{"  */
  YYSYMBOL_68_ = 68,                       /* "}"  */
  YYSYMBOL_69_ = 69,                       /* "["  */
  YYSYMBOL_70_ = 70,                       /* "]"  */
  YYSYMBOL_71_ = 71,                       /* ","  */
  YYSYMBOL_72_ = 72,                       /* ":"  */
  YYSYMBOL_73_ = 73,                       /* "."  */
  YYSYMBOL_IF_EXPR = 74,                   /* IF_EXPR  */
  YYSYMBOL_UMINUS = 75,                    /* UMINUS  */
  YYSYMBOL_YYACCEPT = 76,                  /* $accept  */
  YYSYMBOL_file = 77,                      /* file  */
  YYSYMBOL_decl = 78,                      /* decl  */
  YYSYMBOL_declaration = 79,               /* declaration  */
  YYSYMBOL_policy = 80,                    /* policy  */
  YYSYMBOL_import = 81,                    /* import  */
  YYSYMBOL_record = 82,                    /* record  */
  YYSYMBOL_field_list = 83,                /* field_list  */
  YYSYMBOL_field = 84,                     /* field  */
  YYSYMBOL_constraints = 85,               /* constraints  */
  YYSYMBOL_constraint = 86,                /* constraint  */
  YYSYMBOL_param = 87,                     /* param  */
  YYSYMBOL_table = 88,                     /* table  */
  YYSYMBOL_table_rows = 89,                /* table_rows  */
  YYSYMBOL_table_row = 90,                 /* table_row  */
  YYSYMBOL_let = 91,                       /* let  */
  YYSYMBOL_decide = 92,                    /* decide  */
  YYSYMBOL_rules = 93,                     /* rules  */
  YYSYMBOL_when_rule = 94,                 /* when_rule  */
  YYSYMBOL_otherwise_rule = 95,            /* otherwise_rule  */
  YYSYMBOL_reason = 96,                    /* reason  */
  YYSYMBOL_monitor = 97,                   /* monitor  */
  YYSYMBOL_aggregate = 98,                 /* aggregate  */
  YYSYMBOL_group_keys = 99,                /* group_keys  */
  YYSYMBOL_group_key = 100,                /* group_key  */
  YYSYMBOL_agg_body = 101,                 /* agg_body  */
  YYSYMBOL_agg_item = 102,                 /* agg_item  */
  YYSYMBOL_output = 103,                   /* output  */
  YYSYMBOL_name_list = 104,                /* name_list  */
  YYSYMBOL_test = 105,                     /* test  */
  YYSYMBOL_given_items = 106,              /* given_items  */
  YYSYMBOL_given_item = 107,               /* given_item  */
  YYSYMBOL_given_records = 108,            /* given_records  */
  YYSYMBOL_expects = 109,                  /* expects  */
  YYSYMBOL_expr = 110,                     /* expr  */
  YYSYMBOL_primary = 111,                  /* primary  */
  YYSYMBOL_call = 112,                     /* call  */
  YYSYMBOL_opt_expr_list = 113,            /* opt_expr_list  */
  YYSYMBOL_expr_list = 114,                /* expr_list  */
  YYSYMBOL_literal = 115,                  /* literal  */
  YYSYMBOL_signed_literal = 116,           /* signed_literal  */
  YYSYMBOL_literal_list = 117              /* literal_list  */
};
typedef enum yysymbol_kind_t yysymbol_kind_t;



/* Unqualified %code blocks.  */
#line 34 "grammar/parser.y"

#include <string.h>

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

static void eligyyerror(const elig_loc *loc, void *scanner, elig_parser *p, const char *msg);
static void append(elig_parser *p, ast_list *l, void *item);
static ast_expr *nest(elig_parser *p, ast_expr *e);

#line 248 "parser.tab.c"

#ifdef short
# undef short
#endif

/* On compilers that do not define __PTRDIFF_MAX__ etc., make sure
   <limits.h> and (if available) <stdint.h> are included
   so that the code can choose integer types of a good width.  */

#ifndef __PTRDIFF_MAX__
# include <limits.h> /* INFRINGES ON USER NAME SPACE */
# if defined __STDC_VERSION__ && 199901 <= __STDC_VERSION__
#  include <stdint.h> /* INFRINGES ON USER NAME SPACE */
#  define YY_STDINT_H
# endif
#endif

/* Narrow types that promote to a signed type and that can represent a
   signed or unsigned integer of at least N bits.  In tables they can
   save space and decrease cache pressure.  Promoting to a signed type
   helps avoid bugs in integer arithmetic.  */

#ifdef __INT_LEAST8_MAX__
typedef __INT_LEAST8_TYPE__ yytype_int8;
#elif defined YY_STDINT_H
typedef int_least8_t yytype_int8;
#else
typedef signed char yytype_int8;
#endif

#ifdef __INT_LEAST16_MAX__
typedef __INT_LEAST16_TYPE__ yytype_int16;
#elif defined YY_STDINT_H
typedef int_least16_t yytype_int16;
#else
typedef short yytype_int16;
#endif

/* Work around bug in HP-UX 11.23, which defines these macros
   incorrectly for preprocessor constants.  This workaround can likely
   be removed in 2023, as HPE has promised support for HP-UX 11.23
   (aka HP-UX 11i v2) only through the end of 2022; see Table 2 of
   <https://h20195.www2.hpe.com/V2/getpdf.aspx/4AA4-7673ENW.pdf>.  */
#ifdef __hpux
# undef UINT_LEAST8_MAX
# undef UINT_LEAST16_MAX
# define UINT_LEAST8_MAX 255
# define UINT_LEAST16_MAX 65535
#endif

#if defined __UINT_LEAST8_MAX__ && __UINT_LEAST8_MAX__ <= __INT_MAX__
typedef __UINT_LEAST8_TYPE__ yytype_uint8;
#elif (!defined __UINT_LEAST8_MAX__ && defined YY_STDINT_H \
       && UINT_LEAST8_MAX <= INT_MAX)
typedef uint_least8_t yytype_uint8;
#elif !defined __UINT_LEAST8_MAX__ && UCHAR_MAX <= INT_MAX
typedef unsigned char yytype_uint8;
#else
typedef short yytype_uint8;
#endif

#if defined __UINT_LEAST16_MAX__ && __UINT_LEAST16_MAX__ <= __INT_MAX__
typedef __UINT_LEAST16_TYPE__ yytype_uint16;
#elif (!defined __UINT_LEAST16_MAX__ && defined YY_STDINT_H \
       && UINT_LEAST16_MAX <= INT_MAX)
typedef uint_least16_t yytype_uint16;
#elif !defined __UINT_LEAST16_MAX__ && USHRT_MAX <= INT_MAX
typedef unsigned short yytype_uint16;
#else
typedef int yytype_uint16;
#endif

#ifndef YYPTRDIFF_T
# if defined __PTRDIFF_TYPE__ && defined __PTRDIFF_MAX__
#  define YYPTRDIFF_T __PTRDIFF_TYPE__
#  define YYPTRDIFF_MAXIMUM __PTRDIFF_MAX__
# elif defined PTRDIFF_MAX
#  ifndef ptrdiff_t
#   include <stddef.h> /* INFRINGES ON USER NAME SPACE */
#  endif
#  define YYPTRDIFF_T ptrdiff_t
#  define YYPTRDIFF_MAXIMUM PTRDIFF_MAX
# else
#  define YYPTRDIFF_T long
#  define YYPTRDIFF_MAXIMUM LONG_MAX
# endif
#endif

#ifndef YYSIZE_T
# ifdef __SIZE_TYPE__
#  define YYSIZE_T __SIZE_TYPE__
# elif defined size_t
#  define YYSIZE_T size_t
# elif defined __STDC_VERSION__ && 199901 <= __STDC_VERSION__
#  include <stddef.h> /* INFRINGES ON USER NAME SPACE */
#  define YYSIZE_T size_t
# else
#  define YYSIZE_T unsigned
# endif
#endif

#define YYSIZE_MAXIMUM                                  \
  YY_CAST (YYPTRDIFF_T,                                 \
           (YYPTRDIFF_MAXIMUM < YY_CAST (YYSIZE_T, -1)  \
            ? YYPTRDIFF_MAXIMUM                         \
            : YY_CAST (YYSIZE_T, -1)))

#define YYSIZEOF(X) YY_CAST (YYPTRDIFF_T, sizeof (X))


/* Stored state numbers (used for stacks). */
typedef yytype_uint8 yy_state_t;

/* State numbers in computations.  */
typedef int yy_state_fast_t;

#ifndef YY_
# if defined YYENABLE_NLS && YYENABLE_NLS
#  if ENABLE_NLS
#   include <libintl.h> /* INFRINGES ON USER NAME SPACE */
#   define YY_(Msgid) dgettext ("bison-runtime", Msgid)
#  endif
# endif
# ifndef YY_
#  define YY_(Msgid) Msgid
# endif
#endif


#ifndef YY_ATTRIBUTE_PURE
# if defined __GNUC__ && 2 < __GNUC__ + (96 <= __GNUC_MINOR__)
#  define YY_ATTRIBUTE_PURE __attribute__ ((__pure__))
# else
#  define YY_ATTRIBUTE_PURE
# endif
#endif

#ifndef YY_ATTRIBUTE_UNUSED
# if defined __GNUC__ && 2 < __GNUC__ + (7 <= __GNUC_MINOR__)
#  define YY_ATTRIBUTE_UNUSED __attribute__ ((__unused__))
# else
#  define YY_ATTRIBUTE_UNUSED
# endif
#endif

/* Suppress unused-variable warnings by "using" E.  */
#if ! defined lint || defined __GNUC__
# define YY_USE(E) ((void) (E))
#else
# define YY_USE(E) /* empty */
#endif

/* Suppress an incorrect diagnostic about yylval being uninitialized.  */
#if defined __GNUC__ && ! defined __ICC && 406 <= __GNUC__ * 100 + __GNUC_MINOR__
# if __GNUC__ * 100 + __GNUC_MINOR__ < 407
#  define YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN                           \
    _Pragma ("GCC diagnostic push")                                     \
    _Pragma ("GCC diagnostic ignored \"-Wuninitialized\"")
# else
#  define YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN                           \
    _Pragma ("GCC diagnostic push")                                     \
    _Pragma ("GCC diagnostic ignored \"-Wuninitialized\"")              \
    _Pragma ("GCC diagnostic ignored \"-Wmaybe-uninitialized\"")
# endif
# define YY_IGNORE_MAYBE_UNINITIALIZED_END      \
    _Pragma ("GCC diagnostic pop")
#else
# define YY_INITIAL_VALUE(Value) Value
#endif
#ifndef YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
# define YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
# define YY_IGNORE_MAYBE_UNINITIALIZED_END
#endif
#ifndef YY_INITIAL_VALUE
# define YY_INITIAL_VALUE(Value) /* Nothing. */
#endif

#if defined __cplusplus && defined __GNUC__ && ! defined __ICC && 6 <= __GNUC__
# define YY_IGNORE_USELESS_CAST_BEGIN                          \
    _Pragma ("GCC diagnostic push")                            \
    _Pragma ("GCC diagnostic ignored \"-Wuseless-cast\"")
# define YY_IGNORE_USELESS_CAST_END            \
    _Pragma ("GCC diagnostic pop")
#endif
#ifndef YY_IGNORE_USELESS_CAST_BEGIN
# define YY_IGNORE_USELESS_CAST_BEGIN
# define YY_IGNORE_USELESS_CAST_END
#endif


#define YY_ASSERT(E) ((void) (0 && (E)))

#if 1

/* The parser invokes alloca or malloc; define the necessary symbols.  */

# ifdef YYSTACK_ALLOC
   /* Pacify GCC's 'empty if-body' warning.  */
#  define YYSTACK_FREE(Ptr) do { /* empty */; } while (0)
#  ifndef YYSTACK_ALLOC_MAXIMUM
    /* The OS might guarantee only one guard page at the bottom of the stack,
       and a page size can be as small as 4096 bytes.  So we cannot safely
       invoke alloca (N) if N exceeds 4096.  Use a slightly smaller number
       to allow for a few compiler-allocated temporary stack slots.  */
#   define YYSTACK_ALLOC_MAXIMUM 4032 /* reasonable circa 2006 */
#  endif
# else
#  define YYSTACK_ALLOC YYMALLOC
#  define YYSTACK_FREE YYFREE
#  ifndef YYSTACK_ALLOC_MAXIMUM
#   define YYSTACK_ALLOC_MAXIMUM YYSIZE_MAXIMUM
#  endif
#  if (defined __cplusplus && ! defined EXIT_SUCCESS \
       && ! ((defined YYMALLOC || defined malloc) \
             && (defined YYFREE || defined free)))
#   include <stdlib.h> /* INFRINGES ON USER NAME SPACE */
#   ifndef EXIT_SUCCESS
#    define EXIT_SUCCESS 0
#   endif
#  endif
#  ifndef YYMALLOC
#   define YYMALLOC malloc
#   if ! defined malloc && ! defined EXIT_SUCCESS
void *malloc (YYSIZE_T); /* INFRINGES ON USER NAME SPACE */
#   endif
#  endif
#  ifndef YYFREE
#   define YYFREE free
#   if ! defined free && ! defined EXIT_SUCCESS
void free (void *); /* INFRINGES ON USER NAME SPACE */
#   endif
#  endif
# endif
# define YYCOPY_NEEDED 1
#endif /* 1 */

#if (! defined yyoverflow \
     && (! defined __cplusplus \
         || (defined ELIGYYLTYPE_IS_TRIVIAL && ELIGYYLTYPE_IS_TRIVIAL \
             && defined ELIGYYSTYPE_IS_TRIVIAL && ELIGYYSTYPE_IS_TRIVIAL)))

/* A type that is properly aligned for any stack member.  */
union yyalloc
{
  yy_state_t yyss_alloc;
  YYSTYPE yyvs_alloc;
  YYLTYPE yyls_alloc;
};

/* The size of the maximum gap between one aligned stack and the next.  */
# define YYSTACK_GAP_MAXIMUM (YYSIZEOF (union yyalloc) - 1)

/* The size of an array large to enough to hold all stacks, each with
   N elements.  */
# define YYSTACK_BYTES(N) \
     ((N) * (YYSIZEOF (yy_state_t) + YYSIZEOF (YYSTYPE) \
             + YYSIZEOF (YYLTYPE)) \
      + 2 * YYSTACK_GAP_MAXIMUM)

# define YYCOPY_NEEDED 1

/* Relocate STACK from its old location to the new one.  The
   local variables YYSIZE and YYSTACKSIZE give the old and new number of
   elements in the stack, and YYPTR gives the new location of the
   stack.  Advance YYPTR to a properly aligned location for the next
   stack.  */
# define YYSTACK_RELOCATE(Stack_alloc, Stack)                           \
    do                                                                  \
      {                                                                 \
        YYPTRDIFF_T yynewbytes;                                         \
        YYCOPY (&yyptr->Stack_alloc, Stack, yysize);                    \
        Stack = &yyptr->Stack_alloc;                                    \
        yynewbytes = yystacksize * YYSIZEOF (*Stack) + YYSTACK_GAP_MAXIMUM; \
        yyptr += yynewbytes / YYSIZEOF (*yyptr);                        \
      }                                                                 \
    while (0)

#endif

#if defined YYCOPY_NEEDED && YYCOPY_NEEDED
/* Copy COUNT objects from SRC to DST.  The source and destination do
   not overlap.  */
# ifndef YYCOPY
#  if defined __GNUC__ && 1 < __GNUC__
#   define YYCOPY(Dst, Src, Count) \
      __builtin_memcpy (Dst, Src, YY_CAST (YYSIZE_T, (Count)) * sizeof (*(Src)))
#  else
#   define YYCOPY(Dst, Src, Count)              \
      do                                        \
        {                                       \
          YYPTRDIFF_T yyi;                      \
          for (yyi = 0; yyi < (Count); yyi++)   \
            (Dst)[yyi] = (Src)[yyi];            \
        }                                       \
      while (0)
#  endif
# endif
#endif /* !YYCOPY_NEEDED */

/* YYFINAL -- State number of the termination state.  */
#define YYFINAL  2
/* YYLAST -- Last index in YYTABLE.  */
#define YYLAST   677

/* YYNTOKENS -- Number of terminals.  */
#define YYNTOKENS  76
/* YYNNTS -- Number of nonterminals.  */
#define YYNNTS  42
/* YYNRULES -- Number of rules.  */
#define YYNRULES  128
/* YYNSTATES -- Number of states.  */
#define YYNSTATES  242

/* YYMAXUTOK -- Last valid token kind.  */
#define YYMAXUTOK   314


/* YYTRANSLATE(TOKEN-NUM) -- Symbol number corresponding to TOKEN-NUM
   as returned by yylex, with out-of-bounds checking.  */
#define YYTRANSLATE(YYX)                                \
  (0 <= (YYX) && (YYX) <= YYMAXUTOK                     \
   ? YY_CAST (yysymbol_kind_t, yytranslate[YYX])        \
   : YYSYMBOL_YYUNDEF)

/* YYTRANSLATE[TOKEN-NUM] -- Symbol number corresponding to TOKEN-NUM
   as returned by yylex.  */
static const yytype_int8 yytranslate[] =
{
       0,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
      65,    66,    63,    61,    71,    62,    73,    64,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,    72,     2,
      59,    58,    60,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,    69,     2,    70,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,    67,     2,    68,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     1,     2,     3,     4,
       5,     6,     7,     8,     9,    10,    11,    12,    13,    14,
      15,    16,    17,    18,    19,    20,    21,    22,    23,    24,
      25,    26,    27,    28,    29,    30,    31,    32,    33,    34,
      35,    36,    37,    38,    39,    40,    41,    42,    43,    44,
      45,    46,    47,    48,    49,    50,    51,    52,    53,    54,
      55,    56,    57,    74,    75
};

#if ELIGYYDEBUG
/* YYRLINE[YYN] -- Source line where rule number YYN was defined.  */
static const yytype_int16 yyrline[] =
{
       0,   111,   111,   112,   116,   117,   118,   122,   122,   122,
     122,   122,   122,   122,   122,   122,   122,   127,   128,   135,
     141,   144,   150,   151,   152,   157,   159,   166,   167,   171,
     172,   173,   174,   177,   178,   179,   180,   181,   188,   192,
     198,   204,   205,   209,   211,   212,   214,   219,   221,   229,
     234,   235,   236,   240,   242,   247,   251,   252,   257,   265,
     271,   272,   276,   277,   281,   282,   286,   286,   286,   287,
     292,   296,   297,   302,   308,   309,   310,   314,   315,   321,
     322,   325,   329,   330,   336,   337,   338,   339,   340,   341,
     342,   343,   344,   345,   346,   347,   348,   349,   350,   351,
     352,   353,   354,   355,   356,   361,   362,   363,   364,   365,
     366,   371,   373,   378,   379,   383,   384,   388,   388,   388,
     388,   388,   389,   390,   391,   395,   396,   400,   401
};
#endif

/** Accessing symbol of state STATE.  */
#define YY_ACCESSING_SYMBOL(State) YY_CAST (yysymbol_kind_t, yystos[State])

#if 1
/* The user-facing name of the symbol whose (internal) number is
   YYSYMBOL.  No bounds checking.  */
static const char *yysymbol_name (yysymbol_kind_t yysymbol) YY_ATTRIBUTE_UNUSED;

static const char *
yysymbol_name (yysymbol_kind_t yysymbol)
{
  static const char *const yy_sname[] =
  {
  "end of file", "error", "invalid token", "invalid token", "name",
  "integer", "decimal number", "percentage", "text", "date",
  "regular expression", "aggregate", "and", "at", "because", "between",
  "by", "check", "decide", "default", "else", "expect", "false", "given",
  "if", "import", "in", "is", "key", "least", "let", "matches", "monitor",
  "most", "none", "not", "of", "one", "optional", "or", "otherwise",
  "output", "override", "param", "policy", "record", "required",
  "severity", "test", "then", "true", "version", "when", "where", "!=",
  "<=", ">=", "not in", "=", "<", ">", "+", "-", "*", "/", "(", ")", "{",
  "}", "[", "]", ",", ":", ".", "IF_EXPR", "UMINUS", "$accept", "file",
  "decl", "declaration", "policy", "import", "record", "field_list",
  "field", "constraints", "constraint", "param", "table", "table_rows",
  "table_row", "let", "decide", "rules", "when_rule", "otherwise_rule",
  "reason", "monitor", "aggregate", "group_keys", "group_key", "agg_body",
  "agg_item", "output", "name_list", "test", "given_items", "given_item",
  "given_records", "expects", "expr", "primary", "call", "opt_expr_list",
  "expr_list", "literal", "signed_literal", "literal_list", YY_NULLPTR
  };
  return yy_sname[yysymbol];
}
#endif

#define YYPACT_NINF (-166)

#define yypact_value_is_default(Yyn) \
  ((Yyn) == YYPACT_NINF)

#define YYTABLE_NINF (-1)

#define yytable_value_is_error(Yyn) \
  ((Yyn) == YYTABLE_NINF)

/* YYPACT[STATE-NUM] -- Index in YYTABLE of the portion describing
   STATE-NUM.  */
static const yytype_int16 yypact[] =
{
    -166,   618,  -166,  -166,     2,    20,    22,    35,    46,    48,
      68,    55,    52,    69,    77,  -166,  -166,  -166,  -166,  -166,
    -166,  -166,  -166,  -166,  -166,  -166,  -166,    61,  -166,  -166,
     -53,    42,  -166,    24,  -166,    86,    40,   -26,    29,    95,
     -18,   220,    97,    99,   100,   -12,    98,    48,  -166,    82,
      49,   -36,  -166,   220,   220,  -166,  -166,    43,  -166,  -166,
    -166,  -166,  -166,  -166,   220,  -166,   220,  -166,   220,   220,
     220,   553,    37,  -166,  -166,    56,    63,  -166,   220,   290,
    -166,  -166,   -31,    10,    50,   220,  -166,    95,   397,   159,
     220,   436,   358,  -166,   303,   553,    51,    47,   220,   220,
      19,   111,   220,   220,   220,   220,   220,   220,   220,   220,
     220,   220,   220,   220,   119,   220,   220,   247,   161,  -166,
    -166,  -166,  -166,   120,  -166,  -166,  -166,   553,     8,  -166,
     117,  -166,  -166,   220,   -46,   220,  -166,  -166,   220,   358,
     613,  -166,    92,  -166,   476,   613,   613,   613,   613,   613,
     613,   613,    -8,    -8,  -166,  -166,  -166,   553,   397,  -166,
    -166,    14,    94,    12,  -166,  -166,  -166,  -166,  -166,  -166,
    -166,   397,   220,  -166,   489,   553,  -166,  -166,   226,  -166,
     134,   308,    73,  -166,  -166,  -166,  -166,   344,   220,    74,
    -166,  -166,  -166,    16,  -166,    18,   290,   220,   290,   145,
     121,  -166,  -166,  -166,   143,   -20,  -166,   553,   231,   290,
     231,   308,   290,   290,   141,   542,  -166,  -166,   290,  -166,
    -166,   220,  -166,  -166,  -166,  -166,  -166,  -166,  -166,  -166,
     290,   150,    88,   -38,   553,  -166,  -166,  -166,  -166,  -166,
      13,  -166
};

/* YYDEFACT[STATE-NUM] -- Default reduction number in state STATE-NUM.
   Performed when YYTABLE does not specify something else to do.  Zero
   means the default is an error.  */
static const yytype_uint8 yydefact[] =
{
       2,     0,     1,     6,     0,     0,     0,     0,     0,     0,
       0,     0,     0,     0,     0,     3,     4,     7,     8,     9,
      10,    11,    12,    13,    14,    15,    16,     0,    50,    19,
       0,     0,    71,    70,     5,     0,    17,     0,     0,     0,
      49,     0,     0,     0,     0,     0,     0,     0,    22,     0,
      62,     0,    60,     0,     0,    51,    52,   106,   117,   118,
     119,   120,   121,   123,     0,   124,     0,   122,     0,     0,
     113,    47,    84,   108,   105,     0,     0,    72,     0,     0,
      39,    18,     0,     0,     0,     0,    64,     0,    56,     0,
     113,     0,    86,    85,     0,   115,     0,   114,     0,     0,
       0,     0,     0,     0,     0,     0,     0,     0,     0,     0,
       0,     0,     0,     0,     0,     0,     0,     0,     0,   125,
      38,    22,    24,     0,    20,    23,    74,    63,     0,    61,
       0,    55,    54,     0,     0,     0,   110,   109,     0,    97,
      99,   101,     0,   103,    98,    92,    94,    96,   100,    91,
      93,    95,    87,    88,    89,    90,   107,    48,    56,    41,
     126,     0,    27,     0,    69,    59,    66,    67,    65,    68,
      57,    56,     0,   111,     0,   116,   102,    58,     0,    21,
       0,    25,     0,    82,    76,    75,    53,     0,     0,     0,
      40,    42,   127,     0,    27,     0,     0,     0,     0,     0,
       0,    30,    29,    28,     0,     0,   112,   104,     0,     0,
       0,    26,     0,     0,     0,     0,    31,    36,     0,    79,
      77,     0,    73,    46,    45,   128,    44,    43,    33,    34,
       0,     0,    35,     0,    83,    32,    37,    74,    78,    81,
       0,    80
};

/* YYPGOTO[NTERM-NUM].  */
static const yytype_int16 yypgoto[] =
{
    -166,  -166,  -166,   152,  -166,  -166,  -166,    53,  -166,   -30,
    -166,  -166,  -165,  -166,  -166,    44,    45,  -166,  -166,  -166,
    -150,  -166,  -166,  -166,    76,  -166,  -166,    54,   128,  -166,
     -61,  -166,  -166,  -166,   -41,  -166,  -166,    89,  -166,   -76,
     -69,   -40
};

/* YYDEFGOTO[NTERM-NUM].  */
static const yytype_uint8 yydefgoto[] =
{
       0,     1,    15,    16,    17,    18,    19,    83,   125,   181,
     203,    20,    80,   178,   191,    21,    22,    40,    55,    56,
     131,    23,    24,    51,    52,   128,   168,    25,    33,    26,
     163,   185,   233,   205,    95,    72,    73,    96,    97,    74,
     192,   193
};

/* YYTABLE[YYPACT[STATE-NUM]] -- What to do in state STATE-NUM.  If
   positive, shift that token.  If negative, reduce the rule whose
   number is the opposite.  If YYTABLE_NINF, syntax error.  */
static const yytype_int16 yytable[] =
{
      71,   221,    47,   119,    78,    41,    27,   172,   177,   164,
     120,   122,    88,    89,   123,   122,   182,   182,   123,    42,
     173,   186,    53,    91,    28,    92,     5,    93,    94,   237,
      29,    86,   238,   239,    54,    87,   121,   117,     7,    30,
      44,    48,   160,   223,   127,   226,    79,   212,   222,     9,
      31,   213,    32,   141,   142,   112,   113,   139,   140,    35,
      36,   144,   145,   146,   147,   148,   149,   150,   151,   152,
     153,   154,   155,    37,   157,   158,   165,    39,   124,     4,
     183,   241,   179,   184,   184,    38,     5,   209,   210,    43,
      45,    46,   171,     6,   174,    44,    49,   175,     7,    50,
       8,    75,   119,    76,    77,    84,    81,    85,    90,     9,
     114,    11,    12,    13,   115,   116,    14,   126,   138,   137,
     119,   143,   119,   156,   162,   170,   176,   214,   119,   216,
     180,   187,   119,   119,   119,   220,   119,   119,   194,   224,
     225,   227,   119,   228,   229,   204,   208,   207,    58,    59,
      60,    61,    62,   230,   119,   217,   215,   218,   236,   209,
     132,   235,    34,   129,   211,    63,    58,    59,    60,    61,
      62,    98,   166,   167,   161,    82,   240,    65,   232,   134,
     234,     0,   169,    63,     0,    99,   100,     0,     0,     0,
     101,     0,     0,    67,     0,    65,     0,     0,   102,     0,
       0,     0,     0,     0,     0,   118,     0,     0,   133,     0,
       0,    67,   219,   103,   104,   105,   106,   107,   108,   109,
     110,   111,   112,   113,    57,    58,    59,    60,    61,    62,
       0,    58,    59,    60,    61,    62,    58,    59,    60,    61,
      62,     0,    63,     0,    64,     0,     0,    78,    63,     0,
       0,     0,     0,    63,    65,    66,     0,     0,     0,    98,
      65,     0,     0,     0,     0,    65,   189,     0,     0,     0,
      67,     0,     0,    99,   100,     0,    67,     0,   101,     0,
       0,    67,    68,     0,     0,    69,   102,    70,   118,     0,
       0,     0,     0,   118,   190,    58,    59,    60,    61,    62,
       0,   103,   104,   105,   106,   107,   108,   109,   110,   111,
     112,   113,    63,     0,   159,    98,     0,     0,     0,     0,
       0,   195,     0,   196,    65,   197,     0,   198,     0,    99,
     100,     0,     0,     0,   101,     0,     0,     0,     0,   199,
      67,     0,   102,     0,     0,   200,   201,     0,     0,     0,
       0,     0,   118,     0,   202,     0,    98,   103,   104,   105,
     106,   107,   108,   109,   110,   111,   112,   113,     0,   136,
      99,   100,     0,     0,     0,   101,     0,     0,     0,     0,
       0,     0,     0,   102,    99,   100,     0,     0,     0,   101,
       0,     0,     0,     0,     0,     0,     0,     0,   103,   104,
     105,   106,   107,   108,   109,   110,   111,   112,   113,    98,
     206,   130,   103,   104,   105,   106,   107,   108,   109,   110,
     111,   112,   113,    99,   100,     0,     0,     0,   101,     0,
       0,     0,     0,     0,     0,     0,   102,     0,     0,     0,
       0,     0,     0,     0,     0,     0,     0,     0,    98,     0,
       0,   103,   104,   105,   106,   107,   108,   109,   110,   111,
     112,   113,    99,   100,     0,     0,     0,   101,     0,     0,
       0,     0,     0,     0,     0,   102,     0,     0,     0,     0,
       0,     0,     0,     0,     0,   135,     0,     0,    98,     0,
     103,   104,   105,   106,   107,   108,   109,   110,   111,   112,
     113,    98,    99,   100,     0,     0,     0,   101,     0,   188,
       0,     0,     0,     0,     0,    99,   100,     0,     0,     0,
     101,     0,     0,     0,     0,     0,     0,     0,   102,     0,
     103,   104,   105,   106,   107,   108,   109,   110,   111,   112,
     113,     0,     0,   103,   104,   105,   106,   107,   108,   109,
     110,   111,   112,   113,    98,     0,     0,     0,     0,     0,
       0,     0,   231,     0,     0,    98,     0,     0,    99,   100,
       0,     0,     0,   101,     0,     0,     0,     0,     0,    99,
     100,   102,     0,     0,   101,     0,     0,     0,     0,     0,
       0,     0,   102,     0,     0,     0,   103,   104,   105,   106,
     107,   108,   109,   110,   111,   112,   113,   103,   104,   105,
     106,   107,   108,   109,   110,   111,   112,   113,     2,     3,
       0,     0,     0,     0,     0,     0,     0,     0,     0,     4,
       0,     0,     0,     0,     0,     0,     5,     0,     0,    -1,
      -1,     0,     0,     6,    -1,     0,     0,     0,     7,     0,
       8,     0,     0,     0,     0,     0,     0,     0,     0,     9,
      10,    11,    12,    13,     0,     0,    14,    -1,    -1,    -1,
      -1,    -1,    -1,    -1,   110,   111,   112,   113
};

static const yytype_int16 yycheck[] =
{
      41,    21,    28,    79,    16,    58,     4,    53,   158,     1,
      79,     1,    53,    54,     4,     1,     4,     4,     4,    72,
      66,   171,    40,    64,     4,    66,    18,    68,    69,    67,
       8,    67,    70,    71,    52,    71,    67,    78,    30,     4,
      71,    67,   118,   208,    85,   210,    58,    29,    68,    41,
       4,    33,     4,    34,    35,    63,    64,    98,    99,     4,
       8,   102,   103,   104,   105,   106,   107,   108,   109,   110,
     111,   112,   113,     4,   115,   116,    68,    16,    68,    11,
      68,    68,    68,    71,    71,     8,    18,    71,    72,    47,
       4,    51,   133,    25,   135,    71,    67,   138,    30,     4,
      32,     4,   178,     4,     4,    23,     8,    58,    65,    41,
      73,    43,    44,    45,    58,    52,    48,    67,    71,    68,
     196,    10,   198,     4,     4,     8,    34,   196,   204,   198,
      36,   172,   208,   209,   210,   204,   212,   213,     4,   208,
     209,   210,   218,   212,   213,    72,    72,   188,     5,     6,
       7,     8,     9,    12,   230,    10,   197,    36,     8,    71,
       1,   230,    10,    87,   194,    22,     5,     6,     7,     8,
       9,    12,   128,   128,   121,    47,   237,    34,   218,    90,
     221,    -1,   128,    22,    -1,    26,    27,    -1,    -1,    -1,
      31,    -1,    -1,    50,    -1,    34,    -1,    -1,    39,    -1,
      -1,    -1,    -1,    -1,    -1,    62,    -1,    -1,    49,    -1,
      -1,    50,    69,    54,    55,    56,    57,    58,    59,    60,
      61,    62,    63,    64,     4,     5,     6,     7,     8,     9,
      -1,     5,     6,     7,     8,     9,     5,     6,     7,     8,
       9,    -1,    22,    -1,    24,    -1,    -1,    16,    22,    -1,
      -1,    -1,    -1,    22,    34,    35,    -1,    -1,    -1,    12,
      34,    -1,    -1,    -1,    -1,    34,    40,    -1,    -1,    -1,
      50,    -1,    -1,    26,    27,    -1,    50,    -1,    31,    -1,
      -1,    50,    62,    -1,    -1,    65,    39,    67,    62,    -1,
      -1,    -1,    -1,    62,    68,     5,     6,     7,     8,     9,
      -1,    54,    55,    56,    57,    58,    59,    60,    61,    62,
      63,    64,    22,    -1,    67,    12,    -1,    -1,    -1,    -1,
      -1,    13,    -1,    15,    34,    17,    -1,    19,    -1,    26,
      27,    -1,    -1,    -1,    31,    -1,    -1,    -1,    -1,    31,
      50,    -1,    39,    -1,    -1,    37,    38,    -1,    -1,    -1,
      -1,    -1,    62,    -1,    46,    -1,    12,    54,    55,    56,
      57,    58,    59,    60,    61,    62,    63,    64,    -1,    66,
      26,    27,    -1,    -1,    -1,    31,    -1,    -1,    -1,    -1,
      -1,    -1,    -1,    39,    26,    27,    -1,    -1,    -1,    31,
      -1,    -1,    -1,    -1,    -1,    -1,    -1,    -1,    54,    55,
      56,    57,    58,    59,    60,    61,    62,    63,    64,    12,
      66,    14,    54,    55,    56,    57,    58,    59,    60,    61,
      62,    63,    64,    26,    27,    -1,    -1,    -1,    31,    -1,
      -1,    -1,    -1,    -1,    -1,    -1,    39,    -1,    -1,    -1,
      -1,    -1,    -1,    -1,    -1,    -1,    -1,    -1,    12,    -1,
      -1,    54,    55,    56,    57,    58,    59,    60,    61,    62,
      63,    64,    26,    27,    -1,    -1,    -1,    31,    -1,    -1,
      -1,    -1,    -1,    -1,    -1,    39,    -1,    -1,    -1,    -1,
      -1,    -1,    -1,    -1,    -1,    49,    -1,    -1,    12,    -1,
      54,    55,    56,    57,    58,    59,    60,    61,    62,    63,
      64,    12,    26,    27,    -1,    -1,    -1,    31,    -1,    20,
      -1,    -1,    -1,    -1,    -1,    26,    27,    -1,    -1,    -1,
      31,    -1,    -1,    -1,    -1,    -1,    -1,    -1,    39,    -1,
      54,    55,    56,    57,    58,    59,    60,    61,    62,    63,
      64,    -1,    -1,    54,    55,    56,    57,    58,    59,    60,
      61,    62,    63,    64,    12,    -1,    -1,    -1,    -1,    -1,
      -1,    -1,    20,    -1,    -1,    12,    -1,    -1,    26,    27,
      -1,    -1,    -1,    31,    -1,    -1,    -1,    -1,    -1,    26,
      27,    39,    -1,    -1,    31,    -1,    -1,    -1,    -1,    -1,
      -1,    -1,    39,    -1,    -1,    -1,    54,    55,    56,    57,
      58,    59,    60,    61,    62,    63,    64,    54,    55,    56,
      57,    58,    59,    60,    61,    62,    63,    64,     0,     1,
      -1,    -1,    -1,    -1,    -1,    -1,    -1,    -1,    -1,    11,
      -1,    -1,    -1,    -1,    -1,    -1,    18,    -1,    -1,    26,
      27,    -1,    -1,    25,    31,    -1,    -1,    -1,    30,    -1,
      32,    -1,    -1,    -1,    -1,    -1,    -1,    -1,    -1,    41,
      42,    43,    44,    45,    -1,    -1,    48,    54,    55,    56,
      57,    58,    59,    60,    61,    62,    63,    64
};

/* YYSTOS[STATE-NUM] -- The symbol kind of the accessing symbol of
   state STATE-NUM.  */
static const yytype_int8 yystos[] =
{
       0,    77,     0,     1,    11,    18,    25,    30,    32,    41,
      42,    43,    44,    45,    48,    78,    79,    80,    81,    82,
      87,    91,    92,    97,    98,   103,   105,     4,     4,     8,
       4,     4,     4,   104,    79,     4,     8,     4,     8,    16,
      93,    58,    72,    47,    71,     4,    51,    28,    67,    67,
       4,    99,   100,    40,    52,    94,    95,     4,     5,     6,
       7,     8,     9,    22,    24,    34,    35,    50,    62,    65,
      67,   110,   111,   112,   115,     4,     4,     4,    16,    58,
      88,     8,   104,    83,    23,    58,    67,    71,   110,   110,
      65,   110,   110,   110,   110,   110,   113,   114,    12,    26,
      27,    31,    39,    54,    55,    56,    57,    58,    59,    60,
      61,    62,    63,    64,    73,    58,    52,   110,    62,   115,
     116,    67,     1,     4,    68,    84,    67,   110,   101,   100,
      14,    96,     1,    49,   113,    49,    66,    68,    71,   110,
     110,    34,    35,    10,   110,   110,   110,   110,   110,   110,
     110,   110,   110,   110,   110,   110,     4,   110,   110,    67,
     115,    83,     4,   106,     1,    68,    91,    92,   102,   103,
       8,   110,    53,    66,   110,   110,    34,    96,    89,    68,
      36,    85,     4,    68,    71,   107,    96,   110,    20,    40,
      68,    90,   116,   117,     4,    13,    15,    17,    19,    31,
      37,    38,    46,    86,    72,   109,    66,   110,    72,    71,
      72,    85,    29,    33,   116,   110,   116,    10,    36,    69,
     116,    21,    68,    88,   116,   116,    88,   116,   116,   116,
      12,    20,   117,   108,   110,   116,     8,    67,    70,    71,
     106,    68
};

/* YYR1[RULE-NUM] -- Symbol kind of the left-hand side of rule RULE-NUM.  */
static const yytype_int8 yyr1[] =
{
       0,    76,    77,    77,    78,    78,    78,    79,    79,    79,
      79,    79,    79,    79,    79,    79,    79,    80,    80,    81,
      82,    82,    83,    83,    83,    84,    84,    85,    85,    86,
      86,    86,    86,    86,    86,    86,    86,    86,    87,    87,
      88,    89,    89,    90,    90,    90,    90,    91,    91,    92,
      93,    93,    93,    94,    94,    95,    96,    96,    97,    98,
      99,    99,   100,   100,   101,   101,   102,   102,   102,   102,
     103,   104,   104,   105,   106,   106,   106,   107,   107,   108,
     108,   108,   109,   109,   110,   110,   110,   110,   110,   110,
     110,   110,   110,   110,   110,   110,   110,   110,   110,   110,
     110,   110,   110,   110,   110,   111,   111,   111,   111,   111,
     111,   112,   112,   113,   113,   114,   114,   115,   115,   115,
     115,   115,   115,   115,   115,   116,   116,   117,   117
};

/* YYR2[RULE-NUM] -- Number of symbols on the right-hand side of rule RULE-NUM.  */
static const yytype_int8 yyr2[] =
{
       0,     2,     0,     2,     1,     2,     1,     1,     1,     1,
       1,     1,     1,     1,     1,     1,     1,     2,     4,     2,
       5,     7,     0,     2,     2,     3,     5,     0,     2,     1,
       1,     2,     4,     3,     3,     3,     2,     4,     5,     4,
       5,     0,     2,     3,     3,     3,     3,     4,     6,     3,
       0,     2,     2,     5,     3,     3,     0,     2,     7,     7,
       1,     3,     1,     3,     0,     2,     1,     1,     1,     1,
       2,     1,     3,     9,     0,     2,     2,     3,     5,     0,
       4,     2,     0,     3,     1,     2,     2,     3,     3,     3,
       3,     3,     3,     3,     3,     3,     3,     3,     3,     3,
       3,     3,     4,     3,     6,     1,     1,     3,     1,     3,
       3,     4,     6,     0,     1,     1,     3,     1,     1,     1,
       1,     1,     1,     1,     1,     1,     2,     1,     3
};


enum { YYENOMEM = -2 };

#define yyerrok         (yyerrstatus = 0)
#define yyclearin       (yychar = TOK_ELIGYYEMPTY)

#define YYACCEPT        goto yyacceptlab
#define YYABORT         goto yyabortlab
#define YYERROR         goto yyerrorlab
#define YYNOMEM         goto yyexhaustedlab


#define YYRECOVERING()  (!!yyerrstatus)

#define YYBACKUP(Token, Value)                                    \
  do                                                              \
    if (yychar == TOK_ELIGYYEMPTY)                                        \
      {                                                           \
        yychar = (Token);                                         \
        yylval = (Value);                                         \
        YYPOPSTACK (yylen);                                       \
        yystate = *yyssp;                                         \
        YY_LAC_DISCARD ("YYBACKUP");                              \
        goto yybackup;                                            \
      }                                                           \
    else                                                          \
      {                                                           \
        yyerror (&yylloc, scanner, p, YY_("syntax error: cannot back up")); \
        YYERROR;                                                  \
      }                                                           \
  while (0)

/* Backward compatibility with an undocumented macro.
   Use TOK_ELIGYYerror or TOK_ELIGYYUNDEF. */
#define YYERRCODE TOK_ELIGYYUNDEF

/* YYLLOC_DEFAULT -- Set CURRENT to span from RHS[1] to RHS[N].
   If N is 0, then set CURRENT to the empty location which ends
   the previous symbol: RHS[0] (always defined).  */

#ifndef YYLLOC_DEFAULT
# define YYLLOC_DEFAULT(Current, Rhs, N)                                \
    do                                                                  \
      if (N)                                                            \
        {                                                               \
          (Current).first_line   = YYRHSLOC (Rhs, 1).first_line;        \
          (Current).first_column = YYRHSLOC (Rhs, 1).first_column;      \
          (Current).last_line    = YYRHSLOC (Rhs, N).last_line;         \
          (Current).last_column  = YYRHSLOC (Rhs, N).last_column;       \
        }                                                               \
      else                                                              \
        {                                                               \
          (Current).first_line   = (Current).last_line   =              \
            YYRHSLOC (Rhs, 0).last_line;                                \
          (Current).first_column = (Current).last_column =              \
            YYRHSLOC (Rhs, 0).last_column;                              \
        }                                                               \
    while (0)
#endif

#define YYRHSLOC(Rhs, K) ((Rhs)[K])


/* Enable debugging if requested.  */
#if ELIGYYDEBUG

# ifndef YYFPRINTF
#  include <stdio.h> /* INFRINGES ON USER NAME SPACE */
#  define YYFPRINTF fprintf
# endif

# define YYDPRINTF(Args)                        \
do {                                            \
  if (yydebug)                                  \
    YYFPRINTF Args;                             \
} while (0)


/* YYLOCATION_PRINT -- Print the location on the stream.
   This macro was not mandated originally: define only if we know
   we won't break user code: when these are the locations we know.  */

# ifndef YYLOCATION_PRINT

#  if defined YY_LOCATION_PRINT

   /* Temporary convenience wrapper in case some people defined the
      undocumented and private YY_LOCATION_PRINT macros.  */
#   define YYLOCATION_PRINT(File, Loc)  YY_LOCATION_PRINT(File, *(Loc))

#  elif defined ELIGYYLTYPE_IS_TRIVIAL && ELIGYYLTYPE_IS_TRIVIAL

/* Print *YYLOCP on YYO.  Private, do not rely on its existence. */

YY_ATTRIBUTE_UNUSED
static int
yy_location_print_ (FILE *yyo, YYLTYPE const * const yylocp)
{
  int res = 0;
  int end_col = 0 != yylocp->last_column ? yylocp->last_column - 1 : 0;
  if (0 <= yylocp->first_line)
    {
      res += YYFPRINTF (yyo, "%d", yylocp->first_line);
      if (0 <= yylocp->first_column)
        res += YYFPRINTF (yyo, ".%d", yylocp->first_column);
    }
  if (0 <= yylocp->last_line)
    {
      if (yylocp->first_line < yylocp->last_line)
        {
          res += YYFPRINTF (yyo, "-%d", yylocp->last_line);
          if (0 <= end_col)
            res += YYFPRINTF (yyo, ".%d", end_col);
        }
      else if (0 <= end_col && yylocp->first_column < end_col)
        res += YYFPRINTF (yyo, "-%d", end_col);
    }
  return res;
}

#   define YYLOCATION_PRINT  yy_location_print_

    /* Temporary convenience wrapper in case some people defined the
       undocumented and private YY_LOCATION_PRINT macros.  */
#   define YY_LOCATION_PRINT(File, Loc)  YYLOCATION_PRINT(File, &(Loc))

#  else

#   define YYLOCATION_PRINT(File, Loc) ((void) 0)
    /* Temporary convenience wrapper in case some people defined the
       undocumented and private YY_LOCATION_PRINT macros.  */
#   define YY_LOCATION_PRINT  YYLOCATION_PRINT

#  endif
# endif /* !defined YYLOCATION_PRINT */


# define YY_SYMBOL_PRINT(Title, Kind, Value, Location)                    \
do {                                                                      \
  if (yydebug)                                                            \
    {                                                                     \
      YYFPRINTF (stderr, "%s ", Title);                                   \
      yy_symbol_print (stderr,                                            \
                  Kind, Value, Location, scanner, p); \
      YYFPRINTF (stderr, "\n");                                           \
    }                                                                     \
} while (0)


/*-----------------------------------.
| Print this symbol's value on YYO.  |
`-----------------------------------*/

static void
yy_symbol_value_print (FILE *yyo,
                       yysymbol_kind_t yykind, YYSTYPE const * const yyvaluep, YYLTYPE const * const yylocationp, void *scanner, elig_parser *p)
{
  FILE *yyoutput = yyo;
  YY_USE (yyoutput);
  YY_USE (yylocationp);
  YY_USE (scanner);
  YY_USE (p);
  if (!yyvaluep)
    return;
  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  YY_USE (yykind);
  YY_IGNORE_MAYBE_UNINITIALIZED_END
}


/*---------------------------.
| Print this symbol on YYO.  |
`---------------------------*/

static void
yy_symbol_print (FILE *yyo,
                 yysymbol_kind_t yykind, YYSTYPE const * const yyvaluep, YYLTYPE const * const yylocationp, void *scanner, elig_parser *p)
{
  YYFPRINTF (yyo, "%s %s (",
             yykind < YYNTOKENS ? "token" : "nterm", yysymbol_name (yykind));

  YYLOCATION_PRINT (yyo, yylocationp);
  YYFPRINTF (yyo, ": ");
  yy_symbol_value_print (yyo, yykind, yyvaluep, yylocationp, scanner, p);
  YYFPRINTF (yyo, ")");
}

/*------------------------------------------------------------------.
| yy_stack_print -- Print the state stack from its BOTTOM up to its |
| TOP (included).                                                   |
`------------------------------------------------------------------*/

static void
yy_stack_print (yy_state_t *yybottom, yy_state_t *yytop)
{
  YYFPRINTF (stderr, "Stack now");
  for (; yybottom <= yytop; yybottom++)
    {
      int yybot = *yybottom;
      YYFPRINTF (stderr, " %d", yybot);
    }
  YYFPRINTF (stderr, "\n");
}

# define YY_STACK_PRINT(Bottom, Top)                            \
do {                                                            \
  if (yydebug)                                                  \
    yy_stack_print ((Bottom), (Top));                           \
} while (0)


/*------------------------------------------------.
| Report that the YYRULE is going to be reduced.  |
`------------------------------------------------*/

static void
yy_reduce_print (yy_state_t *yyssp, YYSTYPE *yyvsp, YYLTYPE *yylsp,
                 int yyrule, void *scanner, elig_parser *p)
{
  int yylno = yyrline[yyrule];
  int yynrhs = yyr2[yyrule];
  int yyi;
  YYFPRINTF (stderr, "Reducing stack by rule %d (line %d):\n",
             yyrule - 1, yylno);
  /* The symbols being reduced.  */
  for (yyi = 0; yyi < yynrhs; yyi++)
    {
      YYFPRINTF (stderr, "   $%d = ", yyi + 1);
      yy_symbol_print (stderr,
                       YY_ACCESSING_SYMBOL (+yyssp[yyi + 1 - yynrhs]),
                       &yyvsp[(yyi + 1) - (yynrhs)],
                       &(yylsp[(yyi + 1) - (yynrhs)]), scanner, p);
      YYFPRINTF (stderr, "\n");
    }
}

# define YY_REDUCE_PRINT(Rule)          \
do {                                    \
  if (yydebug)                          \
    yy_reduce_print (yyssp, yyvsp, yylsp, Rule, scanner, p); \
} while (0)

/* Nonzero means print parse trace.  It is left uninitialized so that
   multiple parsers can coexist.  */
int yydebug;
#else /* !ELIGYYDEBUG */
# define YYDPRINTF(Args) ((void) 0)
# define YY_SYMBOL_PRINT(Title, Kind, Value, Location)
# define YY_STACK_PRINT(Bottom, Top)
# define YY_REDUCE_PRINT(Rule)
#endif /* !ELIGYYDEBUG */


/* YYINITDEPTH -- initial size of the parser's stacks.  */
#ifndef YYINITDEPTH
# define YYINITDEPTH 200
#endif

/* YYMAXDEPTH -- maximum size the stacks can grow to (effective only
   if the built-in stack extension method is used).

   Do not make this value too large; the results are undefined if
   YYSTACK_ALLOC_MAXIMUM < YYSTACK_BYTES (YYMAXDEPTH)
   evaluated with infinite-precision integer arithmetic.  */

#ifndef YYMAXDEPTH
# define YYMAXDEPTH 10000
#endif


/* Given a state stack such that *YYBOTTOM is its bottom, such that
   *YYTOP is either its top or is YYTOP_EMPTY to indicate an empty
   stack, and such that *YYCAPACITY is the maximum number of elements it
   can hold without a reallocation, make sure there is enough room to
   store YYADD more elements.  If not, allocate a new stack using
   YYSTACK_ALLOC, copy the existing elements, and adjust *YYBOTTOM,
   *YYTOP, and *YYCAPACITY to reflect the new capacity and memory
   location.  If *YYBOTTOM != YYBOTTOM_NO_FREE, then free the old stack
   using YYSTACK_FREE.  Return 0 if successful or if no reallocation is
   required.  Return YYENOMEM if memory is exhausted.  */
static int
yy_lac_stack_realloc (YYPTRDIFF_T *yycapacity, YYPTRDIFF_T yyadd,
#if ELIGYYDEBUG
                      char const *yydebug_prefix,
                      char const *yydebug_suffix,
#endif
                      yy_state_t **yybottom,
                      yy_state_t *yybottom_no_free,
                      yy_state_t **yytop, yy_state_t *yytop_empty)
{
  YYPTRDIFF_T yysize_old =
    *yytop == yytop_empty ? 0 : *yytop - *yybottom + 1;
  YYPTRDIFF_T yysize_new = yysize_old + yyadd;
  if (*yycapacity < yysize_new)
    {
      YYPTRDIFF_T yyalloc = 2 * yysize_new;
      yy_state_t *yybottom_new;
      /* Use YYMAXDEPTH for maximum stack size given that the stack
         should never need to grow larger than the main state stack
         needs to grow without LAC.  */
      if (YYMAXDEPTH < yysize_new)
        {
          YYDPRINTF ((stderr, "%smax size exceeded%s", yydebug_prefix,
                      yydebug_suffix));
          return YYENOMEM;
        }
      if (YYMAXDEPTH < yyalloc)
        yyalloc = YYMAXDEPTH;
      yybottom_new =
        YY_CAST (yy_state_t *,
                 YYSTACK_ALLOC (YY_CAST (YYSIZE_T,
                                         yyalloc * YYSIZEOF (*yybottom_new))));
      if (!yybottom_new)
        {
          YYDPRINTF ((stderr, "%srealloc failed%s", yydebug_prefix,
                      yydebug_suffix));
          return YYENOMEM;
        }
      if (*yytop != yytop_empty)
        {
          YYCOPY (yybottom_new, *yybottom, yysize_old);
          *yytop = yybottom_new + (yysize_old - 1);
        }
      if (*yybottom != yybottom_no_free)
        YYSTACK_FREE (*yybottom);
      *yybottom = yybottom_new;
      *yycapacity = yyalloc;
    }
  return 0;
}

/* Establish the initial context for the current lookahead if no initial
   context is currently established.

   We define a context as a snapshot of the parser stacks.  We define
   the initial context for a lookahead as the context in which the
   parser initially examines that lookahead in order to select a
   syntactic action.  Thus, if the lookahead eventually proves
   syntactically unacceptable (possibly in a later context reached via a
   series of reductions), the initial context can be used to determine
   the exact set of tokens that would be syntactically acceptable in the
   lookahead's place.  Moreover, it is the context after which any
   further semantic actions would be erroneous because they would be
   determined by a syntactically unacceptable token.

   YY_LAC_ESTABLISH should be invoked when a reduction is about to be
   performed in an inconsistent state (which, for the purposes of LAC,
   includes consistent states that don't know they're consistent because
   their default reductions have been disabled).  Iff there is a
   lookahead token, it should also be invoked before reporting a syntax
   error.  This latter case is for the sake of the debugging output.

   For parse.lac=full, the implementation of YY_LAC_ESTABLISH is as
   follows.  If no initial context is currently established for the
   current lookahead, then check if that lookahead can eventually be
   shifted if syntactic actions continue from the current context.
   Report a syntax error if it cannot.  */
#define YY_LAC_ESTABLISH                                                \
do {                                                                    \
  if (!yy_lac_established)                                              \
    {                                                                   \
      YYDPRINTF ((stderr,                                               \
                  "LAC: initial context established for %s\n",          \
                  yysymbol_name (yytoken)));                            \
      yy_lac_established = 1;                                           \
      switch (yy_lac (yyesa, &yyes, &yyes_capacity, yyssp, yytoken))    \
        {                                                               \
        case YYENOMEM:                                                  \
          YYNOMEM;                                                      \
        case 1:                                                         \
          goto yyerrlab;                                                \
        }                                                               \
    }                                                                   \
} while (0)

/* Discard any previous initial lookahead context because of Event,
   which may be a lookahead change or an invalidation of the currently
   established initial context for the current lookahead.

   The most common example of a lookahead change is a shift.  An example
   of both cases is syntax error recovery.  That is, a syntax error
   occurs when the lookahead is syntactically erroneous for the
   currently established initial context, so error recovery manipulates
   the parser stacks to try to find a new initial context in which the
   current lookahead is syntactically acceptable.  If it fails to find
   such a context, it discards the lookahead.  */
#if ELIGYYDEBUG
# define YY_LAC_DISCARD(Event)                                           \
do {                                                                     \
  if (yy_lac_established)                                                \
    {                                                                    \
      YYDPRINTF ((stderr, "LAC: initial context discarded due to "       \
                  Event "\n"));                                          \
      yy_lac_established = 0;                                            \
    }                                                                    \
} while (0)
#else
# define YY_LAC_DISCARD(Event) yy_lac_established = 0
#endif

/* Given the stack whose top is *YYSSP, return 0 iff YYTOKEN can
   eventually (after perhaps some reductions) be shifted, return 1 if
   not, or return YYENOMEM if memory is exhausted.  As preconditions and
   postconditions: *YYES_CAPACITY is the allocated size of the array to
   which *YYES points, and either *YYES = YYESA or *YYES points to an
   array allocated with YYSTACK_ALLOC.  yy_lac may overwrite the
   contents of either array, alter *YYES and *YYES_CAPACITY, and free
   any old *YYES other than YYESA.  */
static int
yy_lac (yy_state_t *yyesa, yy_state_t **yyes,
        YYPTRDIFF_T *yyes_capacity, yy_state_t *yyssp, yysymbol_kind_t yytoken)
{
  yy_state_t *yyes_prev = yyssp;
  yy_state_t *yyesp = yyes_prev;
  /* Reduce until we encounter a shift and thereby accept the token.  */
  YYDPRINTF ((stderr, "LAC: checking lookahead %s:", yysymbol_name (yytoken)));
  if (yytoken == YYSYMBOL_YYUNDEF)
    {
      YYDPRINTF ((stderr, " Always Err\n"));
      return 1;
    }
  while (1)
    {
      int yyrule = yypact[+*yyesp];
      if (yypact_value_is_default (yyrule)
          || (yyrule += yytoken) < 0 || YYLAST < yyrule
          || yycheck[yyrule] != yytoken)
        {
          /* Use the default action.  */
          yyrule = yydefact[+*yyesp];
          if (yyrule == 0)
            {
              YYDPRINTF ((stderr, " Err\n"));
              return 1;
            }
        }
      else
        {
          /* Use the action from yytable.  */
          yyrule = yytable[yyrule];
          if (yytable_value_is_error (yyrule))
            {
              YYDPRINTF ((stderr, " Err\n"));
              return 1;
            }
          if (0 < yyrule)
            {
              YYDPRINTF ((stderr, " S%d\n", yyrule));
              return 0;
            }
          yyrule = -yyrule;
        }
      /* By now we know we have to simulate a reduce.  */
      YYDPRINTF ((stderr, " R%d", yyrule - 1));
      {
        /* Pop the corresponding number of values from the stack.  */
        YYPTRDIFF_T yylen = yyr2[yyrule];
        /* First pop from the LAC stack as many tokens as possible.  */
        if (yyesp != yyes_prev)
          {
            YYPTRDIFF_T yysize = yyesp - *yyes + 1;
            if (yylen < yysize)
              {
                yyesp -= yylen;
                yylen = 0;
              }
            else
              {
                yyesp = yyes_prev;
                yylen -= yysize;
              }
          }
        /* Only afterwards look at the main stack.  */
        if (yylen)
          yyesp = yyes_prev -= yylen;
      }
      /* Push the resulting state of the reduction.  */
      {
        yy_state_fast_t yystate;
        {
          const int yylhs = yyr1[yyrule] - YYNTOKENS;
          const int yyi = yypgoto[yylhs] + *yyesp;
          yystate = (0 <= yyi && yyi <= YYLAST && yycheck[yyi] == *yyesp
                     ? yytable[yyi]
                     : yydefgoto[yylhs]);
        }
        if (yyesp == yyes_prev)
          {
            yyesp = *yyes;
            YY_IGNORE_USELESS_CAST_BEGIN
            *yyesp = YY_CAST (yy_state_t, yystate);
            YY_IGNORE_USELESS_CAST_END
          }
        else
          {
            if (yy_lac_stack_realloc (yyes_capacity, 1,
#if ELIGYYDEBUG
                                      " (", ")",
#endif
                                      yyes, yyesa, &yyesp, yyes_prev))
              {
                YYDPRINTF ((stderr, "\n"));
                return YYENOMEM;
              }
            YY_IGNORE_USELESS_CAST_BEGIN
            *++yyesp = YY_CAST (yy_state_t, yystate);
            YY_IGNORE_USELESS_CAST_END
          }
        YYDPRINTF ((stderr, " G%d", yystate));
      }
    }
}

/* Context of a parse error.  */
typedef struct
{
  yy_state_t *yyssp;
  yy_state_t *yyesa;
  yy_state_t **yyes;
  YYPTRDIFF_T *yyes_capacity;
  yysymbol_kind_t yytoken;
  YYLTYPE *yylloc;
} yypcontext_t;

/* Put in YYARG at most YYARGN of the expected tokens given the
   current YYCTX, and return the number of tokens stored in YYARG.  If
   YYARG is null, return the number of expected tokens (guaranteed to
   be less than YYNTOKENS).  Return YYENOMEM on memory exhaustion.
   Return 0 if there are more than YYARGN expected tokens, yet fill
   YYARG up to YYARGN. */
static int
yypcontext_expected_tokens (const yypcontext_t *yyctx,
                            yysymbol_kind_t yyarg[], int yyargn)
{
  /* Actual size of YYARG. */
  int yycount = 0;

  int yyx;
  for (yyx = 0; yyx < YYNTOKENS; ++yyx)
    {
      yysymbol_kind_t yysym = YY_CAST (yysymbol_kind_t, yyx);
      if (yysym != YYSYMBOL_YYerror && yysym != YYSYMBOL_YYUNDEF)
        switch (yy_lac (yyctx->yyesa, yyctx->yyes, yyctx->yyes_capacity, yyctx->yyssp, yysym))
          {
          case YYENOMEM:
            return YYENOMEM;
          case 1:
            continue;
          default:
            if (!yyarg)
              ++yycount;
            else if (yycount == yyargn)
              return 0;
            else
              yyarg[yycount++] = yysym;
          }
    }
  if (yyarg && yycount == 0 && 0 < yyargn)
    yyarg[0] = YYSYMBOL_YYEMPTY;
  return yycount;
}




/* The kind of the lookahead of this context.  */
static yysymbol_kind_t
yypcontext_token (const yypcontext_t *yyctx) YY_ATTRIBUTE_UNUSED;

static yysymbol_kind_t
yypcontext_token (const yypcontext_t *yyctx)
{
  return yyctx->yytoken;
}

/* The location of the lookahead of this context.  */
static YYLTYPE *
yypcontext_location (const yypcontext_t *yyctx) YY_ATTRIBUTE_UNUSED;

static YYLTYPE *
yypcontext_location (const yypcontext_t *yyctx)
{
  return yyctx->yylloc;
}

/* User defined function to report a syntax error.  */
static int
yyreport_syntax_error (const yypcontext_t *yyctx, void *scanner, elig_parser *p);

/*-----------------------------------------------.
| Release the memory associated to this symbol.  |
`-----------------------------------------------*/

static void
yydestruct (const char *yymsg,
            yysymbol_kind_t yykind, YYSTYPE *yyvaluep, YYLTYPE *yylocationp, void *scanner, elig_parser *p)
{
  YY_USE (yyvaluep);
  YY_USE (yylocationp);
  YY_USE (scanner);
  YY_USE (p);
  if (!yymsg)
    yymsg = "Deleting";
  YY_SYMBOL_PRINT (yymsg, yykind, yyvaluep, yylocationp);

  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  YY_USE (yykind);
  YY_IGNORE_MAYBE_UNINITIALIZED_END
}






/*----------.
| yyparse.  |
`----------*/

int
yyparse (void *scanner, elig_parser *p)
{
/* Lookahead token kind.  */
int yychar;


/* The semantic value of the lookahead symbol.  */
/* Default value used for initialization, for pacifying older GCCs
   or non-GCC compilers.  */
YY_INITIAL_VALUE (static YYSTYPE yyval_default;)
YYSTYPE yylval YY_INITIAL_VALUE (= yyval_default);

/* Location data for the lookahead symbol.  */
static YYLTYPE yyloc_default
# if defined ELIGYYLTYPE_IS_TRIVIAL && ELIGYYLTYPE_IS_TRIVIAL
  = { 1, 1, 1, 1 }
# endif
;
YYLTYPE yylloc = yyloc_default;

    /* Number of syntax errors so far.  */
    int yynerrs = 0;

    yy_state_fast_t yystate = 0;
    /* Number of tokens to shift before error messages enabled.  */
    int yyerrstatus = 0;

    /* Refer to the stacks through separate pointers, to allow yyoverflow
       to reallocate them elsewhere.  */

    /* Their size.  */
    YYPTRDIFF_T yystacksize = YYINITDEPTH;

    /* The state stack: array, bottom, top.  */
    yy_state_t yyssa[YYINITDEPTH];
    yy_state_t *yyss = yyssa;
    yy_state_t *yyssp = yyss;

    /* The semantic value stack: array, bottom, top.  */
    YYSTYPE yyvsa[YYINITDEPTH];
    YYSTYPE *yyvs = yyvsa;
    YYSTYPE *yyvsp = yyvs;

    /* The location stack: array, bottom, top.  */
    YYLTYPE yylsa[YYINITDEPTH];
    YYLTYPE *yyls = yylsa;
    YYLTYPE *yylsp = yyls;

    yy_state_t yyesa[20];
    yy_state_t *yyes = yyesa;
    YYPTRDIFF_T yyes_capacity = 20 < YYMAXDEPTH ? 20 : YYMAXDEPTH;

  /* Whether LAC context is established.  A Boolean.  */
  int yy_lac_established = 0;
  int yyn;
  /* The return value of yyparse.  */
  int yyresult;
  /* Lookahead symbol kind.  */
  yysymbol_kind_t yytoken = YYSYMBOL_YYEMPTY;
  /* The variables used to return semantic value and location from the
     action routines.  */
  YYSTYPE yyval;
  YYLTYPE yyloc;

  /* The locations where the error started and ended.  */
  YYLTYPE yyerror_range[3];



#define YYPOPSTACK(N)   (yyvsp -= (N), yyssp -= (N), yylsp -= (N))

  /* The number of symbols on the RHS of the reduced rule.
     Keep to zero when no symbol should be popped.  */
  int yylen = 0;

  YYDPRINTF ((stderr, "Starting parse\n"));

  yychar = TOK_ELIGYYEMPTY; /* Cause a token to be read.  */

  yylsp[0] = yylloc;
  goto yysetstate;


/*------------------------------------------------------------.
| yynewstate -- push a new state, which is found in yystate.  |
`------------------------------------------------------------*/
yynewstate:
  /* In all cases, when you get here, the value and location stacks
     have just been pushed.  So pushing a state here evens the stacks.  */
  yyssp++;


/*--------------------------------------------------------------------.
| yysetstate -- set current state (the top of the stack) to yystate.  |
`--------------------------------------------------------------------*/
yysetstate:
  YYDPRINTF ((stderr, "Entering state %d\n", yystate));
  YY_ASSERT (0 <= yystate && yystate < YYNSTATES);
  YY_IGNORE_USELESS_CAST_BEGIN
  *yyssp = YY_CAST (yy_state_t, yystate);
  YY_IGNORE_USELESS_CAST_END
  YY_STACK_PRINT (yyss, yyssp);

  if (yyss + yystacksize - 1 <= yyssp)
#if !defined yyoverflow && !defined YYSTACK_RELOCATE
    YYNOMEM;
#else
    {
      /* Get the current used size of the three stacks, in elements.  */
      YYPTRDIFF_T yysize = yyssp - yyss + 1;

# if defined yyoverflow
      {
        /* Give user a chance to reallocate the stack.  Use copies of
           these so that the &'s don't force the real ones into
           memory.  */
        yy_state_t *yyss1 = yyss;
        YYSTYPE *yyvs1 = yyvs;
        YYLTYPE *yyls1 = yyls;

        /* Each stack pointer address is followed by the size of the
           data in use in that stack, in bytes.  This used to be a
           conditional around just the two extra args, but that might
           be undefined if yyoverflow is a macro.  */
        yyoverflow (YY_("memory exhausted"),
                    &yyss1, yysize * YYSIZEOF (*yyssp),
                    &yyvs1, yysize * YYSIZEOF (*yyvsp),
                    &yyls1, yysize * YYSIZEOF (*yylsp),
                    &yystacksize);
        yyss = yyss1;
        yyvs = yyvs1;
        yyls = yyls1;
      }
# else /* defined YYSTACK_RELOCATE */
      /* Extend the stack our own way.  */
      if (YYMAXDEPTH <= yystacksize)
        YYNOMEM;
      yystacksize *= 2;
      if (YYMAXDEPTH < yystacksize)
        yystacksize = YYMAXDEPTH;

      {
        yy_state_t *yyss1 = yyss;
        union yyalloc *yyptr =
          YY_CAST (union yyalloc *,
                   YYSTACK_ALLOC (YY_CAST (YYSIZE_T, YYSTACK_BYTES (yystacksize))));
        if (! yyptr)
          YYNOMEM;
        YYSTACK_RELOCATE (yyss_alloc, yyss);
        YYSTACK_RELOCATE (yyvs_alloc, yyvs);
        YYSTACK_RELOCATE (yyls_alloc, yyls);
#  undef YYSTACK_RELOCATE
        if (yyss1 != yyssa)
          YYSTACK_FREE (yyss1);
      }
# endif

      yyssp = yyss + yysize - 1;
      yyvsp = yyvs + yysize - 1;
      yylsp = yyls + yysize - 1;

      YY_IGNORE_USELESS_CAST_BEGIN
      YYDPRINTF ((stderr, "Stack size increased to %ld\n",
                  YY_CAST (long, yystacksize)));
      YY_IGNORE_USELESS_CAST_END

      if (yyss + yystacksize - 1 <= yyssp)
        YYABORT;
    }
#endif /* !defined yyoverflow && !defined YYSTACK_RELOCATE */


  if (yystate == YYFINAL)
    YYACCEPT;

  goto yybackup;


/*-----------.
| yybackup.  |
`-----------*/
yybackup:
  /* Do appropriate processing given the current state.  Read a
     lookahead token if we need one and don't already have one.  */

  /* First try to decide what to do without reference to lookahead token.  */
  yyn = yypact[yystate];
  if (yypact_value_is_default (yyn))
    goto yydefault;

  /* Not known => get a lookahead token if don't already have one.  */

  /* YYCHAR is either empty, or end-of-input, or a valid lookahead.  */
  if (yychar == TOK_ELIGYYEMPTY)
    {
      YYDPRINTF ((stderr, "Reading a token\n"));
      yychar = yylex (&yylval, &yylloc, scanner);
    }

  if (yychar <= TOK_END)
    {
      yychar = TOK_END;
      yytoken = YYSYMBOL_YYEOF;
      YYDPRINTF ((stderr, "Now at end of input.\n"));
    }
  else if (yychar == TOK_ELIGYYerror)
    {
      /* The scanner already issued an error message, process directly
         to error recovery.  But do not keep the error token as
         lookahead, it is too special and may lead us to an endless
         loop in error recovery. */
      yychar = TOK_ELIGYYUNDEF;
      yytoken = YYSYMBOL_YYerror;
      yyerror_range[1] = yylloc;
      goto yyerrlab1;
    }
  else
    {
      yytoken = YYTRANSLATE (yychar);
      YY_SYMBOL_PRINT ("Next token is", yytoken, &yylval, &yylloc);
    }

  /* If the proper action on seeing token YYTOKEN is to reduce or to
     detect an error, take that action.  */
  yyn += yytoken;
  if (yyn < 0 || YYLAST < yyn || yycheck[yyn] != yytoken)
    {
      YY_LAC_ESTABLISH;
      goto yydefault;
    }
  yyn = yytable[yyn];
  if (yyn <= 0)
    {
      if (yytable_value_is_error (yyn))
        goto yyerrlab;
      yyn = -yyn;
      YY_LAC_ESTABLISH;
      goto yyreduce;
    }

  /* Count tokens shifted since error; after three, turn off error
     status.  */
  if (yyerrstatus)
    yyerrstatus--;

  /* Shift the lookahead token.  */
  YY_SYMBOL_PRINT ("Shifting", yytoken, &yylval, &yylloc);
  yystate = yyn;
  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  *++yyvsp = yylval;
  YY_IGNORE_MAYBE_UNINITIALIZED_END
  *++yylsp = yylloc;

  /* Discard the shifted token.  */
  yychar = TOK_ELIGYYEMPTY;
  YY_LAC_DISCARD ("shift");
  goto yynewstate;


/*-----------------------------------------------------------.
| yydefault -- do the default action for the current state.  |
`-----------------------------------------------------------*/
yydefault:
  yyn = yydefact[yystate];
  if (yyn == 0)
    goto yyerrlab;
  goto yyreduce;


/*-----------------------------.
| yyreduce -- do a reduction.  |
`-----------------------------*/
yyreduce:
  /* yyn is the number of a rule to reduce with.  */
  yylen = yyr2[yyn];

  /* If YYLEN is nonzero, implement the default value of the action:
     '$$ = $1'.

     Otherwise, the following line sets YYVAL to garbage.
     This behavior is undocumented and Bison
     users should not rely upon it.  Assigning to YYVAL
     unconditionally makes the parser a bit smaller, and it avoids a
     GCC warning that YYVAL may be used uninitialized.  */
  yyval = yyvsp[1-yylen];

  /* Default location. */
  YYLLOC_DEFAULT (yyloc, (yylsp - yylen), yylen);
  yyerror_range[1] = yyloc;
  YY_REDUCE_PRINT (yyn);
  {
    int yychar_backup = yychar;
    switch (yyn)
      {
  case 3: /* file: file decl  */
#line 112 "grammar/parser.y"
                            { if ((yyvsp[0].decl)) append(p, &p->out->decls, (yyvsp[0].decl)); }
#line 1890 "parser.tab.c"
    break;

  case 4: /* decl: declaration  */
#line 116 "grammar/parser.y"
                            { (yyval.decl) = (yyvsp[0].decl); }
#line 1896 "parser.tab.c"
    break;

  case 5: /* decl: "override" declaration  */
#line 117 "grammar/parser.y"
                            { (yyval.decl) = (yyvsp[0].decl); if ((yyval.decl)) { (yyval.decl)->is_override = true; (yyval.decl)->loc = (yyloc); } }
#line 1902 "parser.tab.c"
    break;

  case 6: /* decl: error  */
#line 118 "grammar/parser.y"
                            { (yyval.decl) = NULL; }
#line 1908 "parser.tab.c"
    break;

  case 17: /* policy: "policy" "text"  */
#line 127 "grammar/parser.y"
                            { (yyval.decl) = ast_decl_new(p->arena, DECL_POLICY, (yyloc)); (yyval.decl)->text = (yyvsp[0].expr)->text; }
#line 1914 "parser.tab.c"
    break;

  case 18: /* policy: "policy" "text" "version" "text"  */
#line 129 "grammar/parser.y"
                            { (yyval.decl) = ast_decl_new(p->arena, DECL_POLICY, (yyloc)); (yyval.decl)->text = (yyvsp[-2].expr)->text;
                              (yyval.decl)->version = (yyvsp[0].expr)->text; }
#line 1921 "parser.tab.c"
    break;

  case 19: /* import: "import" "text"  */
#line 135 "grammar/parser.y"
                            { (yyval.decl) = ast_decl_new(p->arena, DECL_IMPORT, (yyloc)); (yyval.decl)->text = (yyvsp[0].expr)->text;
                              (yyval.decl)->name_loc = (yylsp[0]); }
#line 1928 "parser.tab.c"
    break;

  case 20: /* record: "record" "name" "{" field_list "}"  */
#line 142 "grammar/parser.y"
                            { (yyval.decl) = ast_decl_new(p->arena, DECL_RECORD, (yyloc)); (yyval.decl)->name = (yyvsp[-3].name);
                              (yyval.decl)->name_loc = (yylsp[-3]); (yyval.decl)->fields = (yyvsp[-1].list); }
#line 1935 "parser.tab.c"
    break;

  case 21: /* record: "record" "name" "key" name_list "{" field_list "}"  */
#line 145 "grammar/parser.y"
                            { (yyval.decl) = ast_decl_new(p->arena, DECL_RECORD, (yyloc)); (yyval.decl)->name = (yyvsp[-5].name);
                              (yyval.decl)->name_loc = (yylsp[-5]); (yyval.decl)->keys = (yyvsp[-3].list); (yyval.decl)->fields = (yyvsp[-1].list); }
#line 1942 "parser.tab.c"
    break;

  case 22: /* field_list: %empty  */
#line 150 "grammar/parser.y"
                            { memset(&(yyval.list), 0, sizeof (yyval.list)); }
#line 1948 "parser.tab.c"
    break;

  case 23: /* field_list: field_list field  */
#line 151 "grammar/parser.y"
                            { (yyval.list) = (yyvsp[-1].list); append(p, &(yyval.list), (yyvsp[0].field)); }
#line 1954 "parser.tab.c"
    break;

  case 24: /* field_list: field_list error  */
#line 152 "grammar/parser.y"
                            { (yyval.list) = (yyvsp[-1].list); }
#line 1960 "parser.tab.c"
    break;

  case 25: /* field: "name" "name" constraints  */
#line 157 "grammar/parser.y"
                            { (yyval.field) = ast_alloc(p->arena, sizeof *(yyval.field)); (yyval.field)->name = (yyvsp[-2].name); (yyval.field)->loc = (yylsp[-2]);
                              (yyval.field)->type_name = (yyvsp[-1].name); (yyval.field)->type_loc = (yylsp[-1]); (yyval.field)->cons = (yyvsp[0].list); }
#line 1967 "parser.tab.c"
    break;

  case 26: /* field: "name" "name" "of" "name" constraints  */
#line 160 "grammar/parser.y"
                            { (yyval.field) = ast_alloc(p->arena, sizeof *(yyval.field)); (yyval.field)->name = (yyvsp[-4].name); (yyval.field)->loc = (yylsp[-4]);
                              (yyval.field)->type_name = (yyvsp[-3].name); (yyval.field)->type_loc = (yylsp[-3]); (yyval.field)->elem_name = (yyvsp[-1].name);
                              (yyval.field)->cons = (yyvsp[0].list); }
#line 1975 "parser.tab.c"
    break;

  case 27: /* constraints: %empty  */
#line 166 "grammar/parser.y"
                            { memset(&(yyval.list), 0, sizeof (yyval.list)); }
#line 1981 "parser.tab.c"
    break;

  case 28: /* constraints: constraints constraint  */
#line 167 "grammar/parser.y"
                            { (yyval.list) = (yyvsp[-1].list); append(p, &(yyval.list), (yyvsp[0].con)); }
#line 1987 "parser.tab.c"
    break;

  case 29: /* constraint: "required"  */
#line 171 "grammar/parser.y"
                            { (yyval.con) = ast_field_con_new(p->arena, FCON_REQUIRED, (yyloc)); }
#line 1993 "parser.tab.c"
    break;

  case 30: /* constraint: "optional"  */
#line 172 "grammar/parser.y"
                            { (yyval.con) = ast_field_con_new(p->arena, FCON_OPTIONAL, (yyloc)); }
#line 1999 "parser.tab.c"
    break;

  case 31: /* constraint: "default" signed_literal  */
#line 173 "grammar/parser.y"
                            { (yyval.con) = ast_field_con_new(p->arena, FCON_DEFAULT, (yyloc)); (yyval.con)->a = (yyvsp[0].expr); }
#line 2005 "parser.tab.c"
    break;

  case 32: /* constraint: "between" signed_literal "and" signed_literal  */
#line 175 "grammar/parser.y"
                            { (yyval.con) = ast_field_con_new(p->arena, FCON_BETWEEN, (yyloc)); (yyval.con)->a = (yyvsp[-2].expr);
                              (yyval.con)->b = (yyvsp[0].expr); }
#line 2012 "parser.tab.c"
    break;

  case 33: /* constraint: "at" "least" signed_literal  */
#line 177 "grammar/parser.y"
                             { (yyval.con) = ast_field_con_new(p->arena, FCON_AT_LEAST, (yyloc)); (yyval.con)->a = (yyvsp[0].expr); }
#line 2018 "parser.tab.c"
    break;

  case 34: /* constraint: "at" "most" signed_literal  */
#line 178 "grammar/parser.y"
                            { (yyval.con) = ast_field_con_new(p->arena, FCON_AT_MOST, (yyloc)); (yyval.con)->a = (yyvsp[0].expr); }
#line 2024 "parser.tab.c"
    break;

  case 35: /* constraint: "one" "of" literal_list  */
#line 179 "grammar/parser.y"
                            { (yyval.con) = ast_field_con_new(p->arena, FCON_ONE_OF, (yyloc)); (yyval.con)->values = (yyvsp[0].list); }
#line 2030 "parser.tab.c"
    break;

  case 36: /* constraint: "matches" "regular expression"  */
#line 180 "grammar/parser.y"
                            { (yyval.con) = ast_field_con_new(p->arena, FCON_MATCHES, (yyloc)); (yyval.con)->a = (yyvsp[0].expr); }
#line 2036 "parser.tab.c"
    break;

  case 37: /* constraint: "check" expr "else" "text"  */
#line 181 "grammar/parser.y"
                            { (yyval.con) = ast_field_con_new(p->arena, FCON_CHECK, (yyloc)); (yyval.con)->a = (yyvsp[-2].expr);
                              (yyval.con)->message = (yyvsp[0].expr)->text; }
#line 2043 "parser.tab.c"
    break;

  case 38: /* param: "param" "name" "name" "=" signed_literal  */
#line 189 "grammar/parser.y"
                            { (yyval.decl) = ast_decl_new(p->arena, DECL_PARAM, (yyloc)); (yyval.decl)->name = (yyvsp[-3].name);
                              (yyval.decl)->name_loc = (yylsp[-3]); (yyval.decl)->type_name = (yyvsp[-2].name); (yyval.decl)->type_loc = (yylsp[-2]);
                              (yyval.decl)->table = ast_table_const(p->arena, (yyvsp[0].expr)); }
#line 2051 "parser.tab.c"
    break;

  case 39: /* param: "param" "name" "name" table  */
#line 192 "grammar/parser.y"
                            { (yyval.decl) = ast_decl_new(p->arena, DECL_PARAM, (yyloc)); (yyval.decl)->name = (yyvsp[-2].name);
                              (yyval.decl)->name_loc = (yylsp[-2]); (yyval.decl)->type_name = (yyvsp[-1].name); (yyval.decl)->type_loc = (yylsp[-1]);
                              (yyval.decl)->table = (yyvsp[0].table); }
#line 2059 "parser.tab.c"
    break;

  case 40: /* table: "by" expr "{" table_rows "}"  */
#line 199 "grammar/parser.y"
                            { (yyval.table) = ast_alloc(p->arena, sizeof *(yyval.table)); (yyval.table)->loc = (yyloc); (yyval.table)->by = (yyvsp[-3].expr);
                              (yyval.table)->rows = (yyvsp[-1].list); }
#line 2066 "parser.tab.c"
    break;

  case 41: /* table_rows: %empty  */
#line 204 "grammar/parser.y"
                            { memset(&(yyval.list), 0, sizeof (yyval.list)); }
#line 2072 "parser.tab.c"
    break;

  case 42: /* table_rows: table_rows table_row  */
#line 205 "grammar/parser.y"
                            { (yyval.list) = (yyvsp[-1].list); append(p, &(yyval.list), (yyvsp[0].row)); }
#line 2078 "parser.tab.c"
    break;

  case 43: /* table_row: literal_list ":" signed_literal  */
#line 210 "grammar/parser.y"
                            { (yyval.row) = ast_table_row_new(p->arena, (yyloc), (yyvsp[-2].list), (yyvsp[0].expr), NULL); }
#line 2084 "parser.tab.c"
    break;

  case 44: /* table_row: literal_list ":" table  */
#line 211 "grammar/parser.y"
                            { (yyval.row) = ast_table_row_new(p->arena, (yyloc), (yyvsp[-2].list), NULL, (yyvsp[0].table)); }
#line 2090 "parser.tab.c"
    break;

  case 45: /* table_row: "otherwise" ":" signed_literal  */
#line 213 "grammar/parser.y"
                            { ast_list none = {0}; (yyval.row) = ast_table_row_new(p->arena, (yyloc), none, (yyvsp[0].expr), NULL); }
#line 2096 "parser.tab.c"
    break;

  case 46: /* table_row: "otherwise" ":" table  */
#line 214 "grammar/parser.y"
                            { ast_list none = {0}; (yyval.row) = ast_table_row_new(p->arena, (yyloc), none, NULL, (yyvsp[0].table)); }
#line 2102 "parser.tab.c"
    break;

  case 47: /* let: "let" "name" "=" expr  */
#line 219 "grammar/parser.y"
                            { (yyval.decl) = ast_decl_new(p->arena, DECL_LET, (yyloc)); (yyval.decl)->name = (yyvsp[-2].name);
                              (yyval.decl)->name_loc = (yylsp[-2]); (yyval.decl)->expr = (yyvsp[0].expr); }
#line 2109 "parser.tab.c"
    break;

  case 48: /* let: "let" "name" ":" "name" "=" expr  */
#line 222 "grammar/parser.y"
                            { (yyval.decl) = ast_decl_new(p->arena, DECL_LET, (yyloc)); (yyval.decl)->name = (yyvsp[-4].name);
                              (yyval.decl)->name_loc = (yylsp[-4]); (yyval.decl)->type_name = (yyvsp[-2].name); (yyval.decl)->type_loc = (yylsp[-2]);
                              (yyval.decl)->expr = (yyvsp[0].expr); }
#line 2117 "parser.tab.c"
    break;

  case 49: /* decide: "decide" "name" rules  */
#line 229 "grammar/parser.y"
                            { (yyval.decl) = ast_decl_new(p->arena, DECL_DECIDE, (yyloc)); (yyval.decl)->name = (yyvsp[-1].name);
                              (yyval.decl)->name_loc = (yylsp[-1]); (yyval.decl)->rules = (yyvsp[0].list); }
#line 2124 "parser.tab.c"
    break;

  case 50: /* rules: %empty  */
#line 234 "grammar/parser.y"
                            { memset(&(yyval.list), 0, sizeof (yyval.list)); }
#line 2130 "parser.tab.c"
    break;

  case 51: /* rules: rules when_rule  */
#line 235 "grammar/parser.y"
                            { (yyval.list) = (yyvsp[-1].list); append(p, &(yyval.list), (yyvsp[0].rule)); }
#line 2136 "parser.tab.c"
    break;

  case 52: /* rules: rules otherwise_rule  */
#line 236 "grammar/parser.y"
                            { (yyval.list) = (yyvsp[-1].list); append(p, &(yyval.list), (yyvsp[0].rule)); }
#line 2142 "parser.tab.c"
    break;

  case 53: /* when_rule: "when" expr "then" expr reason  */
#line 241 "grammar/parser.y"
                            { (yyval.rule) = ast_rule_new(p->arena, (yyloc), (yyvsp[-3].expr), (yyvsp[-1].expr), (yyvsp[0].name)); }
#line 2148 "parser.tab.c"
    break;

  case 54: /* when_rule: "when" expr error  */
#line 242 "grammar/parser.y"
                            { (yyval.rule) = ast_rule_new(p->arena, (yyloc), (yyvsp[-1].expr), NULL, NULL);
                              diag_add(p->diags, DIAG_E_WHEN_NEEDS_THEN, (yylsp[0])); }
#line 2155 "parser.tab.c"
    break;

  case 55: /* otherwise_rule: "otherwise" expr reason  */
#line 247 "grammar/parser.y"
                            { (yyval.rule) = ast_rule_new(p->arena, (yyloc), NULL, (yyvsp[-1].expr), (yyvsp[0].name)); }
#line 2161 "parser.tab.c"
    break;

  case 56: /* reason: %empty  */
#line 251 "grammar/parser.y"
                            { (yyval.name) = NULL; }
#line 2167 "parser.tab.c"
    break;

  case 57: /* reason: "because" "text"  */
#line 252 "grammar/parser.y"
                            { (yyval.name) = (yyvsp[0].expr)->text; }
#line 2173 "parser.tab.c"
    break;

  case 58: /* monitor: "monitor" "name" "severity" "name" "when" expr reason  */
#line 258 "grammar/parser.y"
                            { (yyval.decl) = ast_decl_new(p->arena, DECL_MONITOR, (yyloc)); (yyval.decl)->name = (yyvsp[-5].name);
                              (yyval.decl)->name_loc = (yylsp[-5]); (yyval.decl)->severity = (yyvsp[-3].name); (yyval.decl)->severity_loc = (yylsp[-3]);
                              (yyval.decl)->cond = (yyvsp[-1].expr); (yyval.decl)->reason = (yyvsp[0].name); }
#line 2181 "parser.tab.c"
    break;

  case 59: /* aggregate: "aggregate" "name" "by" group_keys "{" agg_body "}"  */
#line 266 "grammar/parser.y"
                            { (yyval.decl) = ast_decl_new(p->arena, DECL_AGGREGATE, (yyloc)); (yyval.decl)->name = (yyvsp[-5].name);
                              (yyval.decl)->name_loc = (yylsp[-5]); (yyval.decl)->group = (yyvsp[-3].list); (yyval.decl)->body = (yyvsp[-1].list); }
#line 2188 "parser.tab.c"
    break;

  case 60: /* group_keys: group_key  */
#line 271 "grammar/parser.y"
                            { memset(&(yyval.list), 0, sizeof (yyval.list)); append(p, &(yyval.list), (yyvsp[0].gkey)); }
#line 2194 "parser.tab.c"
    break;

  case 61: /* group_keys: group_keys "," group_key  */
#line 272 "grammar/parser.y"
                            { (yyval.list) = (yyvsp[-2].list); append(p, &(yyval.list), (yyvsp[0].gkey)); }
#line 2200 "parser.tab.c"
    break;

  case 62: /* group_key: "name"  */
#line 276 "grammar/parser.y"
                            { (yyval.gkey) = ast_group_key_new(p->arena, (yyloc), (yyvsp[0].name), NULL); }
#line 2206 "parser.tab.c"
    break;

  case 63: /* group_key: "name" "=" expr  */
#line 277 "grammar/parser.y"
                            { (yyval.gkey) = ast_group_key_new(p->arena, (yyloc), (yyvsp[-2].name), (yyvsp[0].expr)); }
#line 2212 "parser.tab.c"
    break;

  case 64: /* agg_body: %empty  */
#line 281 "grammar/parser.y"
                            { memset(&(yyval.list), 0, sizeof (yyval.list)); }
#line 2218 "parser.tab.c"
    break;

  case 65: /* agg_body: agg_body agg_item  */
#line 282 "grammar/parser.y"
                            { (yyval.list) = (yyvsp[-1].list); if ((yyvsp[0].decl)) append(p, &(yyval.list), (yyvsp[0].decl)); }
#line 2224 "parser.tab.c"
    break;

  case 69: /* agg_item: error  */
#line 287 "grammar/parser.y"
                            { (yyval.decl) = NULL; }
#line 2230 "parser.tab.c"
    break;

  case 70: /* output: "output" name_list  */
#line 292 "grammar/parser.y"
                            { (yyval.decl) = ast_decl_new(p->arena, DECL_OUTPUT, (yyloc)); (yyval.decl)->names = (yyvsp[0].list); }
#line 2236 "parser.tab.c"
    break;

  case 71: /* name_list: "name"  */
#line 296 "grammar/parser.y"
                            { memset(&(yyval.list), 0, sizeof (yyval.list)); append(p, &(yyval.list), ast_name(p->arena, (yyvsp[0].name), (yylsp[0]))); }
#line 2242 "parser.tab.c"
    break;

  case 72: /* name_list: name_list "," "name"  */
#line 297 "grammar/parser.y"
                            { (yyval.list) = (yyvsp[-2].list); append(p, &(yyval.list), ast_name(p->arena, (yyvsp[0].name), (yylsp[0]))); }
#line 2248 "parser.tab.c"
    break;

  case 73: /* test: "test" "text" "{" "given" "{" given_items "}" expects "}"  */
#line 303 "grammar/parser.y"
                            { (yyval.decl) = ast_decl_new(p->arena, DECL_TEST, (yyloc)); (yyval.decl)->text = (yyvsp[-7].expr)->text;
                              (yyval.decl)->name_loc = (yylsp[-7]); (yyval.decl)->given = (yyvsp[-3].list); (yyval.decl)->expects = (yyvsp[-1].list); }
#line 2255 "parser.tab.c"
    break;

  case 74: /* given_items: %empty  */
#line 308 "grammar/parser.y"
                            { memset(&(yyval.list), 0, sizeof (yyval.list)); }
#line 2261 "parser.tab.c"
    break;

  case 75: /* given_items: given_items given_item  */
#line 309 "grammar/parser.y"
                            { (yyval.list) = (yyvsp[-1].list); append(p, &(yyval.list), (yyvsp[0].gitem)); }
#line 2267 "parser.tab.c"
    break;

  case 76: /* given_items: given_items ","  */
#line 310 "grammar/parser.y"
                            { (yyval.list) = (yyvsp[-1].list); }
#line 2273 "parser.tab.c"
    break;

  case 77: /* given_item: "name" ":" signed_literal  */
#line 314 "grammar/parser.y"
                            { (yyval.gitem) = ast_given_new(p->arena, (yyloc), (yyvsp[-2].name), (yyvsp[0].expr)); }
#line 2279 "parser.tab.c"
    break;

  case 78: /* given_item: "name" ":" "[" given_records "]"  */
#line 316 "grammar/parser.y"
                            { ast_expr *l = ast_expr_new(p->arena, AST_SET, (yylsp[-1])); l->list = (yyvsp[-1].list);
                              (yyval.gitem) = ast_given_new(p->arena, (yyloc), (yyvsp[-4].name), l); }
#line 2286 "parser.tab.c"
    break;

  case 79: /* given_records: %empty  */
#line 321 "grammar/parser.y"
                            { memset(&(yyval.list), 0, sizeof (yyval.list)); }
#line 2292 "parser.tab.c"
    break;

  case 80: /* given_records: given_records "{" given_items "}"  */
#line 323 "grammar/parser.y"
                            { ast_expr *r = ast_expr_new(p->arena, AST_SET, (yylsp[-2]));
                              r->list = (yyvsp[-1].list); r->ival = 1; (yyval.list) = (yyvsp[-3].list); append(p, &(yyval.list), r); }
#line 2299 "parser.tab.c"
    break;

  case 81: /* given_records: given_records ","  */
#line 325 "grammar/parser.y"
                            { (yyval.list) = (yyvsp[-1].list); }
#line 2305 "parser.tab.c"
    break;

  case 82: /* expects: %empty  */
#line 329 "grammar/parser.y"
                            { memset(&(yyval.list), 0, sizeof (yyval.list)); }
#line 2311 "parser.tab.c"
    break;

  case 83: /* expects: expects "expect" expr  */
#line 330 "grammar/parser.y"
                            { (yyval.list) = (yyvsp[-2].list); append(p, &(yyval.list), (yyvsp[0].expr)); }
#line 2317 "parser.tab.c"
    break;

  case 84: /* expr: primary  */
#line 336 "grammar/parser.y"
                            { (yyval.expr) = (yyvsp[0].expr); }
#line 2323 "parser.tab.c"
    break;

  case 85: /* expr: "-" expr  */
#line 337 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_unary(p->arena, OPR_NEG, (yyvsp[0].expr), (yyloc))); }
#line 2329 "parser.tab.c"
    break;

  case 86: /* expr: "not" expr  */
#line 338 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_unary(p->arena, OPR_NOT, (yyvsp[0].expr), (yyloc))); }
#line 2335 "parser.tab.c"
    break;

  case 87: /* expr: expr "+" expr  */
#line 339 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_binary(p->arena, OPR_ADD, (yyvsp[-2].expr), (yyvsp[0].expr), (yylsp[-1]))); }
#line 2341 "parser.tab.c"
    break;

  case 88: /* expr: expr "-" expr  */
#line 340 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_binary(p->arena, OPR_SUB, (yyvsp[-2].expr), (yyvsp[0].expr), (yylsp[-1]))); }
#line 2347 "parser.tab.c"
    break;

  case 89: /* expr: expr "*" expr  */
#line 341 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_binary(p->arena, OPR_MUL, (yyvsp[-2].expr), (yyvsp[0].expr), (yylsp[-1]))); }
#line 2353 "parser.tab.c"
    break;

  case 90: /* expr: expr "/" expr  */
#line 342 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_binary(p->arena, OPR_DIV, (yyvsp[-2].expr), (yyvsp[0].expr), (yylsp[-1]))); }
#line 2359 "parser.tab.c"
    break;

  case 91: /* expr: expr "=" expr  */
#line 343 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_binary(p->arena, OPR_EQ, (yyvsp[-2].expr), (yyvsp[0].expr), (yylsp[-1]))); }
#line 2365 "parser.tab.c"
    break;

  case 92: /* expr: expr "!=" expr  */
#line 344 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_binary(p->arena, OPR_NE, (yyvsp[-2].expr), (yyvsp[0].expr), (yylsp[-1]))); }
#line 2371 "parser.tab.c"
    break;

  case 93: /* expr: expr "<" expr  */
#line 345 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_binary(p->arena, OPR_LT, (yyvsp[-2].expr), (yyvsp[0].expr), (yylsp[-1]))); }
#line 2377 "parser.tab.c"
    break;

  case 94: /* expr: expr "<=" expr  */
#line 346 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_binary(p->arena, OPR_LE, (yyvsp[-2].expr), (yyvsp[0].expr), (yylsp[-1]))); }
#line 2383 "parser.tab.c"
    break;

  case 95: /* expr: expr ">" expr  */
#line 347 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_binary(p->arena, OPR_GT, (yyvsp[-2].expr), (yyvsp[0].expr), (yylsp[-1]))); }
#line 2389 "parser.tab.c"
    break;

  case 96: /* expr: expr ">=" expr  */
#line 348 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_binary(p->arena, OPR_GE, (yyvsp[-2].expr), (yyvsp[0].expr), (yylsp[-1]))); }
#line 2395 "parser.tab.c"
    break;

  case 97: /* expr: expr "and" expr  */
#line 349 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_binary(p->arena, OPR_AND, (yyvsp[-2].expr), (yyvsp[0].expr), (yylsp[-1]))); }
#line 2401 "parser.tab.c"
    break;

  case 98: /* expr: expr "or" expr  */
#line 350 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_binary(p->arena, OPR_OR, (yyvsp[-2].expr), (yyvsp[0].expr), (yylsp[-1]))); }
#line 2407 "parser.tab.c"
    break;

  case 99: /* expr: expr "in" expr  */
#line 351 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_in(p->arena, (yyvsp[-2].expr), (yyvsp[0].expr), false, (yylsp[-1]))); }
#line 2413 "parser.tab.c"
    break;

  case 100: /* expr: expr "not in" expr  */
#line 352 "grammar/parser.y"
                           { (yyval.expr) = nest(p, ast_in(p->arena, (yyvsp[-2].expr), (yyvsp[0].expr), true, (yylsp[-1]))); }
#line 2419 "parser.tab.c"
    break;

  case 101: /* expr: expr "is" "none"  */
#line 353 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_is_none(p->arena, (yyvsp[-2].expr), false, (yyloc))); }
#line 2425 "parser.tab.c"
    break;

  case 102: /* expr: expr "is" "not" "none"  */
#line 354 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_is_none(p->arena, (yyvsp[-3].expr), true, (yyloc))); }
#line 2431 "parser.tab.c"
    break;

  case 103: /* expr: expr "matches" "regular expression"  */
#line 355 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_matches(p->arena, (yyvsp[-2].expr), (yyvsp[0].expr), (yylsp[-1]))); }
#line 2437 "parser.tab.c"
    break;

  case 104: /* expr: "if" expr "then" expr "else" expr  */
#line 357 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_if(p->arena, (yyvsp[-4].expr), (yyvsp[-2].expr), (yyvsp[0].expr), (yyloc))); }
#line 2443 "parser.tab.c"
    break;

  case 105: /* primary: literal  */
#line 361 "grammar/parser.y"
                            { (yyval.expr) = (yyvsp[0].expr); }
#line 2449 "parser.tab.c"
    break;

  case 106: /* primary: "name"  */
#line 362 "grammar/parser.y"
                            { (yyval.expr) = ast_name(p->arena, (yyvsp[0].name), (yylsp[0])); }
#line 2455 "parser.tab.c"
    break;

  case 107: /* primary: primary "." "name"  */
#line 363 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_member(p->arena, (yyvsp[-2].expr), (yyvsp[0].name), (yyloc))); }
#line 2461 "parser.tab.c"
    break;

  case 108: /* primary: call  */
#line 364 "grammar/parser.y"
                            { (yyval.expr) = (yyvsp[0].expr); }
#line 2467 "parser.tab.c"
    break;

  case 109: /* primary: "{" opt_expr_list "}"  */
#line 365 "grammar/parser.y"
                            { (yyval.expr) = ast_set(p->arena, (yyvsp[-1].list), (yyloc)); }
#line 2473 "parser.tab.c"
    break;

  case 110: /* primary: "(" expr ")"  */
#line 366 "grammar/parser.y"
                            { (yyval.expr) = (yyvsp[-1].expr); }
#line 2479 "parser.tab.c"
    break;

  case 111: /* call: "name" "(" opt_expr_list ")"  */
#line 372 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_call(p->arena, (yyvsp[-3].name), (yyvsp[-1].list), NULL, (yyloc))); }
#line 2485 "parser.tab.c"
    break;

  case 112: /* call: "name" "(" opt_expr_list "where" expr ")"  */
#line 374 "grammar/parser.y"
                            { (yyval.expr) = nest(p, ast_call(p->arena, (yyvsp[-5].name), (yyvsp[-3].list), (yyvsp[-1].expr), (yyloc))); }
#line 2491 "parser.tab.c"
    break;

  case 113: /* opt_expr_list: %empty  */
#line 378 "grammar/parser.y"
                            { memset(&(yyval.list), 0, sizeof (yyval.list)); }
#line 2497 "parser.tab.c"
    break;

  case 114: /* opt_expr_list: expr_list  */
#line 379 "grammar/parser.y"
                            { (yyval.list) = (yyvsp[0].list); }
#line 2503 "parser.tab.c"
    break;

  case 115: /* expr_list: expr  */
#line 383 "grammar/parser.y"
                            { memset(&(yyval.list), 0, sizeof (yyval.list)); append(p, &(yyval.list), (yyvsp[0].expr)); }
#line 2509 "parser.tab.c"
    break;

  case 116: /* expr_list: expr_list "," expr  */
#line 384 "grammar/parser.y"
                            { (yyval.list) = (yyvsp[-2].list); append(p, &(yyval.list), (yyvsp[0].expr)); }
#line 2515 "parser.tab.c"
    break;

  case 122: /* literal: "true"  */
#line 389 "grammar/parser.y"
                            { (yyval.expr) = ast_bool(p->arena, true, (yyloc)); }
#line 2521 "parser.tab.c"
    break;

  case 123: /* literal: "false"  */
#line 390 "grammar/parser.y"
                            { (yyval.expr) = ast_bool(p->arena, false, (yyloc)); }
#line 2527 "parser.tab.c"
    break;

  case 124: /* literal: "none"  */
#line 391 "grammar/parser.y"
                            { (yyval.expr) = ast_expr_new(p->arena, AST_NONE, (yyloc)); }
#line 2533 "parser.tab.c"
    break;

  case 125: /* signed_literal: literal  */
#line 395 "grammar/parser.y"
                            { (yyval.expr) = (yyvsp[0].expr); }
#line 2539 "parser.tab.c"
    break;

  case 126: /* signed_literal: "-" literal  */
#line 396 "grammar/parser.y"
                            { (yyval.expr) = ast_unary(p->arena, OPR_NEG, (yyvsp[0].expr), (yyloc)); }
#line 2545 "parser.tab.c"
    break;

  case 127: /* literal_list: signed_literal  */
#line 400 "grammar/parser.y"
                            { memset(&(yyval.list), 0, sizeof (yyval.list)); append(p, &(yyval.list), (yyvsp[0].expr)); }
#line 2551 "parser.tab.c"
    break;

  case 128: /* literal_list: literal_list "," signed_literal  */
#line 402 "grammar/parser.y"
                            { (yyval.list) = (yyvsp[-2].list); append(p, &(yyval.list), (yyvsp[0].expr)); }
#line 2557 "parser.tab.c"
    break;


#line 2561 "parser.tab.c"

        default: break;
      }
    if (yychar_backup != yychar)
      YY_LAC_DISCARD ("yychar change");
  }
  /* User semantic actions sometimes alter yychar, and that requires
     that yytoken be updated with the new translation.  We take the
     approach of translating immediately before every use of yytoken.
     One alternative is translating here after every semantic action,
     but that translation would be missed if the semantic action invokes
     YYABORT, YYACCEPT, or YYERROR immediately after altering yychar or
     if it invokes YYBACKUP.  In the case of YYABORT or YYACCEPT, an
     incorrect destructor might then be invoked immediately.  In the
     case of YYERROR or YYBACKUP, subsequent parser actions might lead
     to an incorrect destructor call or verbose syntax error message
     before the lookahead is translated.  */
  YY_SYMBOL_PRINT ("-> $$ =", YY_CAST (yysymbol_kind_t, yyr1[yyn]), &yyval, &yyloc);

  YYPOPSTACK (yylen);
  yylen = 0;

  *++yyvsp = yyval;
  *++yylsp = yyloc;

  /* Now 'shift' the result of the reduction.  Determine what state
     that goes to, based on the state we popped back to and the rule
     number reduced by.  */
  {
    const int yylhs = yyr1[yyn] - YYNTOKENS;
    const int yyi = yypgoto[yylhs] + *yyssp;
    yystate = (0 <= yyi && yyi <= YYLAST && yycheck[yyi] == *yyssp
               ? yytable[yyi]
               : yydefgoto[yylhs]);
  }

  goto yynewstate;


/*--------------------------------------.
| yyerrlab -- here on detecting error.  |
`--------------------------------------*/
yyerrlab:
  /* Make sure we have latest lookahead translation.  See comments at
     user semantic actions for why this is necessary.  */
  yytoken = yychar == TOK_ELIGYYEMPTY ? YYSYMBOL_YYEMPTY : YYTRANSLATE (yychar);
  /* If not already recovering from an error, report this error.  */
  if (!yyerrstatus)
    {
      ++yynerrs;
      {
        yypcontext_t yyctx
          = {yyssp, yyesa, &yyes, &yyes_capacity, yytoken, &yylloc};
        if (yychar != TOK_ELIGYYEMPTY)
          YY_LAC_ESTABLISH;
        if (yyreport_syntax_error (&yyctx, scanner, p) == 2)
          YYNOMEM;
      }
    }

  yyerror_range[1] = yylloc;
  if (yyerrstatus == 3)
    {
      /* If just tried and failed to reuse lookahead token after an
         error, discard it.  */

      if (yychar <= TOK_END)
        {
          /* Return failure if at end of input.  */
          if (yychar == TOK_END)
            YYABORT;
        }
      else
        {
          yydestruct ("Error: discarding",
                      yytoken, &yylval, &yylloc, scanner, p);
          yychar = TOK_ELIGYYEMPTY;
        }
    }

  /* Else will try to reuse lookahead token after shifting the error
     token.  */
  goto yyerrlab1;


/*---------------------------------------------------.
| yyerrorlab -- error raised explicitly by YYERROR.  |
`---------------------------------------------------*/
yyerrorlab:
  /* Pacify compilers when the user code never invokes YYERROR and the
     label yyerrorlab therefore never appears in user code.  */
  if (0)
    YYERROR;
  ++yynerrs;

  /* Do not reclaim the symbols of the rule whose action triggered
     this YYERROR.  */
  YYPOPSTACK (yylen);
  yylen = 0;
  YY_STACK_PRINT (yyss, yyssp);
  yystate = *yyssp;
  goto yyerrlab1;


/*-------------------------------------------------------------.
| yyerrlab1 -- common code for both syntax error and YYERROR.  |
`-------------------------------------------------------------*/
yyerrlab1:
  yyerrstatus = 3;      /* Each real token shifted decrements this.  */

  /* Pop stack until we find a state that shifts the error token.  */
  for (;;)
    {
      yyn = yypact[yystate];
      if (!yypact_value_is_default (yyn))
        {
          yyn += YYSYMBOL_YYerror;
          if (0 <= yyn && yyn <= YYLAST && yycheck[yyn] == YYSYMBOL_YYerror)
            {
              yyn = yytable[yyn];
              if (0 < yyn)
                break;
            }
        }

      /* Pop the current state because it cannot handle the error token.  */
      if (yyssp == yyss)
        YYABORT;

      yyerror_range[1] = *yylsp;
      yydestruct ("Error: popping",
                  YY_ACCESSING_SYMBOL (yystate), yyvsp, yylsp, scanner, p);
      YYPOPSTACK (1);
      yystate = *yyssp;
      YY_STACK_PRINT (yyss, yyssp);
    }

  /* If the stack popping above didn't lose the initial context for the
     current lookahead token, the shift below will for sure.  */
  YY_LAC_DISCARD ("error recovery");

  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  *++yyvsp = yylval;
  YY_IGNORE_MAYBE_UNINITIALIZED_END

  yyerror_range[2] = yylloc;
  ++yylsp;
  YYLLOC_DEFAULT (*yylsp, yyerror_range, 2);

  /* Shift the error token.  */
  YY_SYMBOL_PRINT ("Shifting", YY_ACCESSING_SYMBOL (yyn), yyvsp, yylsp);

  yystate = yyn;
  goto yynewstate;


/*-------------------------------------.
| yyacceptlab -- YYACCEPT comes here.  |
`-------------------------------------*/
yyacceptlab:
  yyresult = 0;
  goto yyreturnlab;


/*-----------------------------------.
| yyabortlab -- YYABORT comes here.  |
`-----------------------------------*/
yyabortlab:
  yyresult = 1;
  goto yyreturnlab;


/*-----------------------------------------------------------.
| yyexhaustedlab -- YYNOMEM (memory exhaustion) comes here.  |
`-----------------------------------------------------------*/
yyexhaustedlab:
  yyerror (&yylloc, scanner, p, YY_("memory exhausted"));
  yyresult = 2;
  goto yyreturnlab;


/*----------------------------------------------------------.
| yyreturnlab -- parsing is finished, clean up and return.  |
`----------------------------------------------------------*/
yyreturnlab:
  if (yychar != TOK_ELIGYYEMPTY)
    {
      /* Make sure we have latest lookahead translation.  See comments at
         user semantic actions for why this is necessary.  */
      yytoken = YYTRANSLATE (yychar);
      yydestruct ("Cleanup: discarding lookahead",
                  yytoken, &yylval, &yylloc, scanner, p);
    }
  /* Do not reclaim the symbols of the rule whose action triggered
     this YYABORT or YYACCEPT.  */
  YYPOPSTACK (yylen);
  YY_STACK_PRINT (yyss, yyssp);
  while (yyssp != yyss)
    {
      yydestruct ("Cleanup: popping",
                  YY_ACCESSING_SYMBOL (+*yyssp), yyvsp, yylsp, scanner, p);
      YYPOPSTACK (1);
    }
#ifndef yyoverflow
  if (yyss != yyssa)
    YYSTACK_FREE (yyss);
#endif
  if (yyes != yyesa)
    YYSTACK_FREE (yyes);

  return yyresult;
}

#line 405 "grammar/parser.y"


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
  diag_add(p->diags, DIAG_E_SYNTAX, *loc, msg);
}

/* "expected 'then' or 'and', found 'because'", in the words of the token aliases. */
static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, elig_parser *p)
{
  enum { MAX_EXPECTED = 6 };
  yysymbol_kind_t expected[MAX_EXPECTED];
  int n = yypcontext_expected_tokens(ctx, expected, MAX_EXPECTED);
  yysymbol_kind_t found = yypcontext_token(ctx);
  char msg[512];
  size_t len = 0;
  (void)scanner;
  if (found == YYSYMBOL_ERROR)
    return 0; /* the lexer already reported the bad token */
  msg[0] = '\0';
  if (n > 0) {
    len += (size_t)snprintf(msg + len, sizeof msg - len, "expected ");
    for (int i = 0; i < n && len < sizeof msg; i++)
      len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
                              yysymbol_name(expected[i]));
    if (len < sizeof msg)
      len += (size_t)snprintf(msg + len, sizeof msg - len, ", found ");
  } else {
    len += (size_t)snprintf(msg + len, sizeof msg - len, "unexpected ");
  }
  if (len < sizeof msg)
    snprintf(msg + len, sizeof msg - len, "%s", yysymbol_name(found));
  diag_add(p->diags, DIAG_E_SYNTAX, *yypcontext_location(ctx), msg);
  return 0;
}
