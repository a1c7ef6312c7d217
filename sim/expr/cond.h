/* cond.h - Argo's analysis-condition language: parse `successCondition` / `failureCondition`
 * text once, evaluate it against a measurement's `result` many times, and judge a measurement.
 * Ownership: an rsim_cond owns its AST and a copy of its text; values are built in an arena the
 * caller owns (rsim_arena) and are immutable once built; evaluation borrows both and frees
 * everything it allocates before returning. Semantics: docs/modules/expr.md, reference §16.2,
 * §20. Start reading at rsim_cond_parse, then rsim_cond_judge. */
#ifndef RSIM_COND_H
#define RSIM_COND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rsim/common.h>
#include <rsim/diag.h>

#include "util.h"

/* ---- types ---- */

/* A parsed condition. Immutable after parsing, so one may be evaluated from several threads. */
typedef struct rsim_cond rsim_cond;

/* The value model of the language (Go's types as the Argo controller sees them). */
typedef enum rsim_cond_kind {
    RSIM_COND_NIL,
    RSIM_COND_BOOL,
    RSIM_COND_INT,    /* int64; literals, len(), asInt() */
    RSIM_COND_FLOAT,  /* double; every number that comes from JSON or Prometheus */
    RSIM_COND_STRING, /* bytes, NUL-terminated */
    RSIM_COND_ARRAY,
    RSIM_COND_MAP, /* string keys, insertion order kept for printing */
} rsim_cond_kind;

typedef struct rsim_cond_value rsim_cond_value;

/* The phase one measurement gets from its conditions (§16.2). */
typedef enum rsim_cond_phase {
    RSIM_COND_SUCCESSFUL,
    RSIM_COND_FAILED,
    RSIM_COND_INCONCLUSIVE,
    RSIM_COND_ERROR,
} rsim_cond_phase;

/* Longest evaluation-error message kept, including the NUL. */
#define RSIM_COND_ERRMAX 256

/* Nesting limit of expressions (parentheses, operators, calls) and of values compared or
 * printed; deeper input is rejected with a message rather than exhausting the stack. */
#define RSIM_COND_MAX_DEPTH 128

/* What rsim_cond_judge found, condition by condition, for printing and for event logs. */
typedef struct rsim_cond_judgement {
    rsim_cond_phase phase;
    bool success_evaluated;       /* the success condition was set and evaluated without error */
    bool success_value;           /* its value, when evaluated */
    bool failure_evaluated;       /* the same for the failure condition */
    bool failure_value;           /* its value, when evaluated */
    int error_in;                 /* 0 no error, 1 the success condition, 2 the failure condition */
    int error_col;                /* column of the error inside that condition, 1-based */
    char error[RSIM_COND_ERRMAX]; /* the error message, "" when none */
} rsim_cond_judgement;

/* ---- lifecycle ---- */

/* Parses one condition. `base` is where the text starts in its file (the first character of the
 * expression; for a YAML scalar, after any opening quote); positions inside the expression are
 * reported relative to it: on the first line at base.col + offset, on later lines of a
 * multi-line text at base.line + n and the 1-based column within that line. Everything outside
 * the supported subset (unknown names, unsupported operators or functions, wrong arity) is an
 * error here, at its position, with code RSIM_EPARSE or RSIM_EUNSUPPORTED; only the first error
 * is reported. On success *out owns a new condition; on error *out is untouched. */
rsim_err rsim_cond_parse(const char *text, rsim_loc base, rsim_diag *diag, rsim_cond **out);
void rsim_cond_free(rsim_cond *c);

/* The source text of a condition (owned by it). */
const char *rsim_cond_text(const rsim_cond *c);

/* ---- evaluation ---- */

/* Evaluates a condition with `result` bound to the measurement's value (NULL means nil). On
 * success stores the boolean in *verdict. A runtime error (index out of range, member of nil,
 * invalid operation between types, a bad asInt/asFloat string) or a non-boolean value returns
 * RSIM_EINVAL with the message in errbuf and its 1-based column within the text in *err_col
 * (either may be NULL/0-sized). Argo turns both into an Error measurement. */
rsim_err rsim_cond_eval(const rsim_cond *c,
                        const rsim_cond_value *result,
                        bool *verdict,
                        char *errbuf,
                        size_t errsize,
                        int *err_col);

/* Evaluates to any value. The value, and everything it references that is not part of `result`
 * (or the static nil), is allocated in `arena`, which the caller owns: it stays valid after the
 * condition is freed. Errors as in rsim_cond_eval. */
rsim_err rsim_cond_eval_value(const rsim_cond *c,
                              const rsim_cond_value *result,
                              rsim_arena *arena,
                              const rsim_cond_value **out,
                              char *errbuf,
                              size_t errsize,
                              int *err_col);

/* Judges one measurement as Argo's EvaluateResult does (§16.2): the success condition is
 * evaluated first and its error wins; a failure condition that is true wins over success; both
 * false is Inconclusive; neither set is Successful. NULL means the condition is not set. The
 * details go to *j when j is not NULL. */
rsim_cond_phase rsim_cond_judge(const rsim_cond *success,
                                const rsim_cond *failure,
                                const rsim_cond_value *result,
                                rsim_cond_judgement *j);

/* "Successful", "Failed", "Inconclusive" or "Error", as Argo spells the phases. */
const char *rsim_cond_phase_name(rsim_cond_phase phase);

/* ---- values: built in a caller-owned arena, released with it ---- */

const rsim_cond_value *rsim_cond_nil(void); /* a static nil; never freed */
rsim_cond_value *rsim_cond_bool(rsim_arena *a, bool b);
rsim_cond_value *rsim_cond_int(rsim_arena *a, int64_t i);
rsim_cond_value *rsim_cond_float(rsim_arena *a, double f);
rsim_cond_value *rsim_cond_string(rsim_arena *a, const char *s); /* s is copied */
rsim_cond_value *rsim_cond_array(rsim_arena *a);                 /* empty []interface{} */
/* A Prometheus vector: Go's []float64 (equal only to another []float64 under `==`). */
rsim_cond_value *rsim_cond_floats(rsim_arena *a, const double *v, size_t n);
rsim_cond_value *rsim_cond_map(rsim_arena *a); /* empty map[string]interface{} */
/* Appends item (borrowed; it must live in the same arena or longer) to an array. */
void rsim_cond_array_push(rsim_arena *a, rsim_cond_value *array, const rsim_cond_value *item);
/* Sets key (copied) to val (borrowed); an existing key keeps its place and gets the new value. */
void rsim_cond_map_set(rsim_arena *a,
                       rsim_cond_value *map,
                       const char *key,
                       const rsim_cond_value *val);

/* ---- value queries ---- */

rsim_cond_kind rsim_cond_value_kind(const rsim_cond_value *v); /* NULL is nil */
bool rsim_cond_value_bool(const rsim_cond_value *v);           /* false unless a true bool */
int64_t rsim_cond_value_int(const rsim_cond_value *v);         /* 0 unless an int */
double rsim_cond_value_float(const rsim_cond_value *v);        /* ints converted; else 0 */
const char *rsim_cond_value_str(const rsim_cond_value *v);     /* NULL unless a string */
size_t rsim_cond_value_len(const rsim_cond_value *v);          /* array/map entries, 0 else */
const rsim_cond_value *rsim_cond_value_at(const rsim_cond_value *v, size_t i); /* array item */
const rsim_cond_value *rsim_cond_value_get(const rsim_cond_value *v, const char *key); /* map */
/* Go's name of the value's type as Argo's messages print it ("float64", "[]interface {}"). */
const char *rsim_cond_value_type_name(const rsim_cond_value *v);
/* Appends a readable rendering (JSON-like; NaN and ±Inf spelled so) to b. */
void rsim_cond_value_format(const rsim_cond_value *v, rsim_buf *b);

#endif
