/* promql_parse.c - lexer and recursive-descent parser of the PromQL subset.
 * Follows the grammar and operator precedence of Prometheus' promql/parser (yacc grammar and
 * lexer), type-checks while building, and turns every construct outside the subset into an
 * RSIM_EUNSUPPORTED error at its position. Recursion is bounded by RSIM_PROMQL_MAX_DEPTH.
 * Start reading at rsim_promql_parse_path. */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "promql.h"
#include "util.h"

struct rsim_promql {
    rsim_arena arena;             /* every node, array and string */
    char *text;                   /* owned copy of the query text */
    const rsim_promql_node *root; /* in arena */
    RSIM_VEC(regex_t *) regexes;  /* owned compiled regexes (regfree + free) */
};

typedef enum tok_kind {
    T_EOF,
    T_IDENT,
    T_NUMBER,
    T_DURATION,
    T_STRING,
    T_LPAREN,
    T_RPAREN,
    T_LBRACE,
    T_RBRACE,
    T_LBRACKET,
    T_RBRACKET,
    T_COMMA,
    T_COLON,
    T_ASSIGN,
    T_EQL,
    T_NEQ,
    T_EQ_REGEX,
    T_NEQ_REGEX,
    T_ADD,
    T_SUB,
    T_MUL,
    T_DIV,
    T_MOD,
    T_POW,
    T_GTR,
    T_LSS,
    T_GTE,
    T_LTE,
    T_AT,
} tok_kind;

typedef struct tok {
    tok_kind kind;
    size_t pos;      /* byte offset in the text */
    size_t len;      /* bytes */
    double num;      /* T_NUMBER */
    rsim_time dur;   /* T_DURATION, ms */
    const char *str; /* T_STRING: unescaped, in the arena */
} tok;

typedef struct parser {
    const char *text;
    size_t len;
    size_t pos; /* lexer position */
    rsim_loc base;
    const char *path;
    rsim_diag *diag;
    rsim_promql *q;
    tok cur;
    int depth;
    bool in_brackets; /* between '[' and ']': ':' is a token, not part of a name */
    rsim_err err;     /* first error; parsing stops at it */
} parser;

/* ---- positions and errors ---- */

static rsim_loc loc_at(const parser *p, size_t pos, size_t len)
{
    rsim_loc l = p->base;
    int line = p->base.line ? p->base.line : 1;
    size_t line_start = 0;
    bool first = true;
    for (size_t i = 0; i < pos && i < p->len; i++) {
        if (p->text[i] == '\n') {
            line++;
            line_start = i + 1;
            first = false;
        }
    }
    int col0 = first ? (p->base.col ? p->base.col : 1) : 1;
    l.line = line;
    l.col = col0 + (int)(pos - line_start);
    l.len = len > 200 ? 200 : (int)len;
    return l;
}

static void fail_at(parser *p, rsim_err code, size_t pos, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void fail_at(parser *p, rsim_err code, size_t pos, size_t len, const char *fmt, ...)
{
    if (p->err != RSIM_OK) {
        return;
    }
    p->err = code;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    rsim_diag_add(p->diag, RSIM_SEV_ERROR, code, loc_at(p, pos, len), p->path, "%s", msg);
}

#define FAILED(p) ((p)->err != RSIM_OK)

/* A short description of a token for "unexpected ..." messages. */
static void describe(const parser *p, const tok *t, char *buf, size_t size)
{
    if (t->kind == T_EOF) {
        snprintf(buf, size, "end of query");
        return;
    }
    int n = t->len > 40 ? 40 : (int)t->len;
    const char *what = t->kind == T_IDENT      ? "identifier "
                       : t->kind == T_NUMBER   ? "number "
                       : t->kind == T_DURATION ? "duration "
                       : t->kind == T_STRING   ? "string "
                                               : "";
    snprintf(buf, size, "%s'%.*s'", what, n, p->text + t->pos);
}

static void fail_unexpected(parser *p, const char *expected)
{
    char d[80];
    describe(p, &p->cur, d, sizeof(d));
    fail_at(p, RSIM_EPARSE, p->cur.pos, p->cur.len ? p->cur.len : 1, "unexpected %s; expected %s",
            d, expected);
}

/* ---- lexer ---- */

static bool is_ident_start(int c)
{
    return isalpha(c) || c == '_' || c == ':';
}

static bool is_ident_char(int c)
{
    return isalnum(c) || c == '_' || c == ':';
}

/* Numbers and durations end at the first character that is not a letter, digit or '_' (so
 * "5m:1m" is a duration, a colon and a duration). */
static bool is_word_char(int c)
{
    return isalnum(c) || c == '_';
}

static int peekc(const parser *p, size_t off)
{
    return p->pos + off < p->len ? (unsigned char)p->text[p->pos + off] : 0;
}

/* Duration units in the order Prometheus requires them (model.ParseDuration). */
static const struct {
    const char *unit;
    rsim_time ms;
} units[] = {
    {"y", RSIM_HOUR(24 * 365)},
    {"w", RSIM_HOUR(24 * 7)},
    {"d", RSIM_HOUR(24)},
    {"h", RSIM_HOUR(1)},
    {"m", RSIM_MIN(1)},
    {"s", RSIM_SEC(1)},
    {"ms", 1},
};

/* Scans a duration such as 1h30m at p->pos; returns false (consuming nothing) if the text
 * there is not a duration. */
static bool lex_duration(parser *p, tok *t)
{
    size_t i = p->pos;
    size_t next_unit = 0;
    rsim_time total = 0;
    bool any = false;
    while (i < p->len && isdigit((unsigned char)p->text[i])) {
        rsim_time n = 0;
        size_t digits_start = i;
        while (i < p->len && isdigit((unsigned char)p->text[i])) {
            if (n > RSIM_TIME_MAX / 20) {
                return false;
            }
            n = n * 10 + (p->text[i] - '0');
            i++;
        }
        size_t u = next_unit;
        size_t ulen = 0;
        for (; u < sizeof(units) / sizeof(units[0]); u++) {
            size_t l = strlen(units[u].unit);
            if (i + l <= p->len && strncmp(p->text + i, units[u].unit, l) == 0 &&
                !(i + l < p->len && is_word_char((unsigned char)p->text[i + l]) &&
                  !isdigit((unsigned char)p->text[i + l]))) {
                ulen = l;
                break;
            }
        }
        if (ulen == 0) {
            if (!any) {
                return false;
            }
            i = digits_start;
            break;
        }
        if (n > (RSIM_TIME_MAX - total) / units[u].ms) {
            return false;
        }
        total += n * units[u].ms;
        i += ulen;
        next_unit = u + 1;
        any = true;
    }
    if (!any || (i < p->len && is_word_char((unsigned char)p->text[i]))) {
        return false;
    }
    t->kind = T_DURATION;
    t->dur = total;
    t->len = i - p->pos;
    p->pos = i;
    return true;
}

static void lex_number(parser *p, tok *t)
{
    size_t i = p->pos;
    if (p->text[i] == '0' && (peekc(p, 1) == 'x' || peekc(p, 1) == 'X')) {
        i += 2;
        while (i < p->len && isxdigit((unsigned char)p->text[i])) {
            i++;
        }
    } else {
        while (i < p->len && isdigit((unsigned char)p->text[i])) {
            i++;
        }
        if (i < p->len && p->text[i] == '.') {
            i++;
            while (i < p->len && isdigit((unsigned char)p->text[i])) {
                i++;
            }
        }
        if (i < p->len && (p->text[i] == 'e' || p->text[i] == 'E')) {
            size_t j = i + 1;
            if (j < p->len && (p->text[j] == '+' || p->text[j] == '-')) {
                j++;
            }
            if (j < p->len && isdigit((unsigned char)p->text[j])) {
                while (j < p->len && isdigit((unsigned char)p->text[j])) {
                    j++;
                }
                i = j;
            }
        }
    }
    char buf[64];
    size_t n = i - p->pos;
    t->kind = T_NUMBER;
    t->len = n;
    if (n >= sizeof(buf) || (i < p->len && is_word_char((unsigned char)p->text[i]))) {
        while (i < p->len && is_word_char((unsigned char)p->text[i])) {
            i++;
        }
        t->len = i - p->pos;
        p->pos = i;
        fail_at(p, RSIM_EPARSE, t->pos, t->len, "bad number or duration syntax: '%.*s'",
                (int)(t->len > 40 ? 40 : t->len), p->text + t->pos);
        return;
    }
    memcpy(buf, p->text + p->pos, n);
    buf[n] = '\0';
    t->num = strtod(buf, NULL);
    p->pos = i;
}

static void utf8_put(rsim_buf *b, unsigned long cp)
{
    unsigned char out[4];
    size_t n;
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        out[0] = (unsigned char)(0xF0 | (cp >> 18));
        out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    rsim_buf_append(b, out, n);
}

/* Reads the escape after a backslash at text[*i] (Go string escapes); false when invalid. */
static bool lex_escape(parser *p, size_t *i, char quote, rsim_buf *b)
{
    char c = p->text[*i];
    static const char simple_in[] = "abfnrtv\\";
    static const char simple_out[] = "\a\b\f\n\r\t\v\\";
    const char *s = strchr(simple_in, c);
    if (s && c) {
        rsim_buf_append(b, &simple_out[s - simple_in], 1);
        (*i)++;
        return true;
    }
    if (c == quote) {
        rsim_buf_append(b, &c, 1);
        (*i)++;
        return true;
    }
    int ndig = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : (c >= '0' && c <= '7') ? 3 : 0;
    if (ndig == 0) {
        return false;
    }
    bool octal = c >= '0' && c <= '7';
    size_t j = octal ? *i : *i + 1;
    unsigned long v = 0;
    for (int k = 0; k < ndig; k++, j++) {
        int d = j < p->len ? (unsigned char)p->text[j] : 0;
        if (octal ? (d < '0' || d > '7') : !isxdigit(d)) {
            return false;
        }
        v = v * (octal ? 8 : 16) + (unsigned long)(isdigit(d) ? d - '0' : tolower(d) - 'a' + 10);
    }
    if (c == 'x' || octal) {
        if (v > 255) {
            return false;
        }
        unsigned char byte = (unsigned char)v;
        rsim_buf_append(b, &byte, 1);
    } else {
        if (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)) {
            return false;
        }
        utf8_put(b, v);
    }
    *i = j;
    return true;
}

static void lex_string(parser *p, tok *t)
{
    char quote = p->text[p->pos];
    size_t i = p->pos + 1;
    rsim_buf b;
    rsim_buf_init(&b, RSIM_PROMQL_MAX_TEXT);
    rsim_buf_append(&b, "", 0);
    for (;;) {
        if (i >= p->len || (quote != '`' && p->text[i] == '\n')) {
            fail_at(p, RSIM_EPARSE, p->pos, 1, "unterminated quoted string");
            break;
        }
        char c = p->text[i];
        if (c == quote) {
            i++;
            break;
        }
        if (c == '\\' && quote != '`') {
            size_t esc = i;
            i++;
            if (i >= p->len || !lex_escape(p, &i, quote, &b)) {
                fail_at(p, RSIM_EPARSE, esc, 2, "unknown escape sequence in quoted string");
                break;
            }
            continue;
        }
        rsim_buf_append(&b, &c, 1);
        i++;
    }
    t->kind = T_STRING;
    t->len = i - p->pos;
    t->str = rsim_arena_strndup(&p->q->arena, b.data, b.len);
    rsim_buf_fini(&b);
    p->pos = i;
}

static bool lex_punct(parser *p, tok *t)
{
    static const struct {
        const char *s;
        tok_kind k;
    } ops[] = {
        {"==", T_EQL},   {"!=", T_NEQ},   {"=~", T_EQ_REGEX}, {"!~", T_NEQ_REGEX},
        {">=", T_GTE},   {"<=", T_LTE},   {"(", T_LPAREN},    {")", T_RPAREN},
        {"{", T_LBRACE}, {"}", T_RBRACE}, {"[", T_LBRACKET},  {"]", T_RBRACKET},
        {",", T_COMMA},  {":", T_COLON},  {"=", T_ASSIGN},    {"+", T_ADD},
        {"-", T_SUB},    {"*", T_MUL},    {"/", T_DIV},       {"%", T_MOD},
        {"^", T_POW},    {">", T_GTR},    {"<", T_LSS},       {"@", T_AT},
    };
    for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
        size_t l = strlen(ops[k].s);
        if (p->pos + l <= p->len && strncmp(p->text + p->pos, ops[k].s, l) == 0) {
            t->kind = ops[k].k;
            t->len = l;
            p->pos += l;
            return true;
        }
    }
    return false;
}

static bool word_is_ci(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

static void next(parser *p)
{
    tok t = {0};
    for (;;) {
        while (p->pos < p->len && isspace((unsigned char)p->text[p->pos])) {
            p->pos++;
        }
        if (p->pos < p->len && p->text[p->pos] == '#') {
            while (p->pos < p->len && p->text[p->pos] != '\n') {
                p->pos++;
            }
            continue;
        }
        break;
    }
    t.pos = p->pos;
    int c = peekc(p, 0);
    if (FAILED(p) || p->pos >= p->len) {
        t.kind = T_EOF;
    } else if (isdigit(c) || (c == '.' && isdigit(peekc(p, 1)))) {
        if (!lex_duration(p, &t)) {
            lex_number(p, &t);
        }
    } else if (c == ':' && p->in_brackets) {
        t.kind = T_COLON;
        t.len = 1;
        p->pos++;
    } else if (is_ident_start(c)) {
        size_t i = p->pos;
        while (i < p->len && is_ident_char((unsigned char)p->text[i])) {
            i++;
        }
        t.kind = T_IDENT;
        t.len = i - p->pos;
        if (word_is_ci(p->text + p->pos, t.len, "inf") ||
            word_is_ci(p->text + p->pos, t.len, "nan")) {
            t.kind = T_NUMBER;
            t.num = tolower(c) == 'i' ? INFINITY : NAN;
        }
        p->pos = i;
    } else if (c == '"' || c == '\'' || c == '`') {
        lex_string(p, &t);
    } else if (!lex_punct(p, &t)) {
        fail_at(p, RSIM_EPARSE, p->pos, 1, "unexpected character '%c'", c);
        t.kind = T_EOF;
    }
    if (t.kind == T_LBRACKET || t.kind == T_RBRACKET) {
        p->in_brackets = t.kind == T_LBRACKET;
    }
    p->cur = t;
}

static bool cur_is_word(const parser *p, const char *w)
{
    return p->cur.kind == T_IDENT && word_is_ci(p->text + p->cur.pos, p->cur.len, w);
}

static bool expect(parser *p, tok_kind k, const char *what)
{
    if (FAILED(p)) {
        return false;
    }
    if (p->cur.kind != k) {
        fail_unexpected(p, what);
        return false;
    }
    next(p);
    return true;
}

/* ---- node construction ---- */

static rsim_promql_node *new_node(parser *p, rsim_promql_kind kind, size_t pos, size_t len)
{
    rsim_promql_node *n = rsim_arena_alloc(&p->q->arena, sizeof(*n));
    n->kind = kind;
    n->loc = loc_at(p, pos, len);
    n->height = 1;
    return n;
}

static void set_height(parser *p,
                       rsim_promql_node *n,
                       const rsim_promql_node *a,
                       const rsim_promql_node *b,
                       size_t pos)
{
    int h = a ? a->height : 0;
    if (b && b->height > h) {
        h = b->height;
    }
    n->height = h + 1;
    if (n->height > RSIM_PROMQL_MAX_DEPTH) {
        fail_at(p, RSIM_ELIMIT, pos, 1, "query nested too deeply (more than %d levels)",
                RSIM_PROMQL_MAX_DEPTH);
    }
}

static const char *type_name(rsim_promql_type t)
{
    switch (t) {
    case RSIM_PROMQL_SCALAR:
        return "scalar";
    case RSIM_PROMQL_VECTOR:
        return "instant vector";
    case RSIM_PROMQL_MATRIX:
        return "range vector";
    }
    return "?";
}

static bool is_valid_label_name(const char *s, size_t n)
{
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_')) {
        return false;
    }
    for (size_t i = 1; i < n; i++) {
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_')) {
            return false;
        }
    }
    return true;
}

/* A label name at the current token (keywords are fine as label names). */
static const char *parse_label_name(parser *p)
{
    if (p->cur.kind != T_IDENT) {
        fail_unexpected(p, "a label name");
        return NULL;
    }
    if (!is_valid_label_name(p->text + p->cur.pos, p->cur.len)) {
        fail_at(p, RSIM_EPARSE, p->cur.pos, p->cur.len, "invalid label name '%.*s'",
                (int)p->cur.len, p->text + p->cur.pos);
        return NULL;
    }
    const char *s = rsim_arena_strndup(&p->q->arena, p->text + p->cur.pos, p->cur.len);
    next(p);
    return s;
}

/* '(' [label {',' label}] [','] ')' */
static bool parse_label_list(parser *p, const char *const **out, size_t *n_out)
{
    RSIM_VEC(const char *) v = {0};
    bool ok = expect(p, T_LPAREN, "'(' before the label list");
    while (ok && p->cur.kind != T_RPAREN) {
        const char *name = parse_label_name(p);
        if (!name) {
            ok = false;
            break;
        }
        RSIM_VEC_PUSH(v, name);
        if (p->cur.kind == T_COMMA) {
            next(p);
        } else if (p->cur.kind != T_RPAREN) {
            fail_unexpected(p, "',' or ')' in the label list");
            ok = false;
        }
    }
    ok = ok && expect(p, T_RPAREN, "')'");
    if (ok) {
        const char **arr = rsim_arena_alloc(&p->q->arena, (v.n ? v.n : 1) * sizeof(*arr));
        if (v.n) {
            memcpy(arr, v.items, v.n * sizeof(*arr));
        }
        *out = arr;
        *n_out = v.n;
    }
    free(v.items);
    return ok;
}

/* ---- regular expressions ---- */

/* POSIX extended regexes stand in for RE2; constructs whose meaning differs are refused. */
static bool compile_regex(parser *p, rsim_promql_matcher *m, size_t pos, size_t len)
{
    const char *s = m->value;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '\\' && s[i + 1] && isalnum((unsigned char)s[i + 1])) {
            fail_at(p, RSIM_EUNSUPPORTED, pos, len,
                    "regex escape '\\%c' is not supported yet (rollsim matches POSIX extended "
                    "regexes; write a bracket expression such as [0-9] instead)",
                    s[i + 1]);
            return false;
        }
        if (s[i] == '\\' && s[i + 1]) {
            i++;
            continue;
        }
        if (s[i] == '(' && s[i + 1] == '?') {
            fail_at(p, RSIM_EUNSUPPORTED, pos, len,
                    "regex groups with flags '(?...)' are not supported yet");
            return false;
        }
    }
    size_t n = strlen(s);
    char *anchored = rsim_xmalloc(n + 5);
    snprintf(anchored, n + 5, "^(%s)$", s);
    regex_t *re = rsim_xmalloc(sizeof(*re));
    int rc = regcomp(re, anchored, REG_EXTENDED | REG_NOSUB);
    free(anchored);
    if (rc != 0) {
        char msg[128];
        regerror(rc, re, msg, sizeof(msg));
        free(re);
        fail_at(p, RSIM_EPARSE, pos, len, "invalid regular expression '%s': %s", s, msg);
        return false;
    }
    RSIM_VEC_PUSH(p->q->regexes, re);
    m->re = re;
    m->matches_empty = regexec(re, "", 0, NULL, 0) == 0;
    if (m->op == RSIM_PROMQL_MATCH_NRE) {
        m->matches_empty = !m->matches_empty;
    }
    return true;
}

/* ---- selectors ---- */

static bool parse_matcher(parser *p, rsim_promql_matcher *m)
{
    size_t start = p->cur.pos;
    m->name = parse_label_name(p);
    if (!m->name) {
        return false;
    }
    switch (p->cur.kind) {
    case T_ASSIGN:
        m->op = RSIM_PROMQL_MATCH_EQ;
        break;
    case T_NEQ:
        m->op = RSIM_PROMQL_MATCH_NE;
        break;
    case T_EQ_REGEX:
        m->op = RSIM_PROMQL_MATCH_RE;
        break;
    case T_NEQ_REGEX:
        m->op = RSIM_PROMQL_MATCH_NRE;
        break;
    default:
        fail_unexpected(p, "a label matching operator (=, !=, =~ or !~)");
        return false;
    }
    next(p);
    if (p->cur.kind != T_STRING) {
        fail_unexpected(p, "a quoted label value");
        return false;
    }
    m->value = p->cur.str;
    size_t len = p->cur.pos + p->cur.len - start;
    next(p);
    if (m->op == RSIM_PROMQL_MATCH_RE || m->op == RSIM_PROMQL_MATCH_NRE) {
        return compile_regex(p, m, start, len);
    }
    m->matches_empty = (m->op == RSIM_PROMQL_MATCH_EQ) == (m->value[0] == '\0');
    return true;
}

/* metric? '{' matchers '}'; the current token is '{' or the one after the metric name. */
static rsim_promql_node *parse_selector(parser *p, const char *metric, size_t pos)
{
    RSIM_VEC(rsim_promql_matcher) ms = {0};
    if (metric) {
        rsim_promql_matcher m = {.name = "__name__", .value = metric, .op = RSIM_PROMQL_MATCH_EQ};
        RSIM_VEC_PUSH(ms, m);
    }
    if (p->cur.kind == T_LBRACE) {
        next(p);
        while (!FAILED(p) && p->cur.kind != T_RBRACE) {
            rsim_promql_matcher m = {0};
            size_t mpos = p->cur.pos;
            if (!parse_matcher(p, &m)) {
                break;
            }
            if (metric && strcmp(m.name, "__name__") == 0) {
                fail_at(p, RSIM_EPARSE, mpos, p->cur.pos - mpos,
                        "metric name must not be set twice: '%s' and a __name__ matcher", metric);
                break;
            }
            RSIM_VEC_PUSH(ms, m);
            if (p->cur.kind == T_COMMA) {
                next(p);
            } else if (p->cur.kind != T_RBRACE) {
                fail_unexpected(p, "',' or '}' in the label matchers");
            }
        }
        expect(p, T_RBRACE, "'}'");
    }
    bool non_empty = false;
    for (size_t i = 0; i < ms.n; i++) {
        non_empty = non_empty || !ms.items[i].matches_empty;
    }
    if (!FAILED(p) && !non_empty) {
        fail_at(p, RSIM_EPARSE, pos, p->cur.pos - pos,
                "vector selector must contain at least one matcher that does not match the "
                "empty string");
    }
    rsim_promql_node *n = new_node(p, RSIM_PROMQL_SELECTOR, pos, p->cur.pos - pos);
    n->type = RSIM_PROMQL_VECTOR;
    n->u.sel.metric = metric;
    rsim_promql_matcher *arr = rsim_arena_alloc(&p->q->arena, (ms.n ? ms.n : 1) * sizeof(*arr));
    if (ms.n) {
        memcpy(arr, ms.items, ms.n * sizeof(*arr));
    }
    n->u.sel.matchers = arr;
    n->u.sel.n_matchers = ms.n;
    free(ms.items);
    return FAILED(p) ? NULL : n;
}

/* ---- the grammar ---- */

static rsim_promql_node *parse_expr(parser *p, int min_prec);

typedef struct opinfo {
    tok_kind tok;
    rsim_promql_binop op;
    int prec;
} opinfo;

static const opinfo binops[] = {
    {T_EQL, RSIM_PROMQL_OP_EQ, 3},  {T_NEQ, RSIM_PROMQL_OP_NE, 3},  {T_GTR, RSIM_PROMQL_OP_GT, 3},
    {T_LSS, RSIM_PROMQL_OP_LT, 3},  {T_GTE, RSIM_PROMQL_OP_GE, 3},  {T_LTE, RSIM_PROMQL_OP_LE, 3},
    {T_ADD, RSIM_PROMQL_OP_ADD, 4}, {T_SUB, RSIM_PROMQL_OP_SUB, 4}, {T_MUL, RSIM_PROMQL_OP_MUL, 5},
    {T_DIV, RSIM_PROMQL_OP_DIV, 5}, {T_MOD, RSIM_PROMQL_OP_MOD, 5}, {T_POW, RSIM_PROMQL_OP_POW, 6},
};
#define PREC_POW 6

static const opinfo *binop_at(parser *p)
{
    for (size_t i = 0; i < sizeof(binops) / sizeof(binops[0]); i++) {
        if (p->cur.kind == binops[i].tok) {
            return &binops[i];
        }
    }
    static const char *const set_ops[] = {"and", "or", "unless", "atan2"};
    for (size_t i = 0; i < 4; i++) {
        if (cur_is_word(p, set_ops[i])) {
            fail_at(p, RSIM_EUNSUPPORTED, p->cur.pos, p->cur.len,
                    "operator '%s' is not supported yet: rollsim evaluates + - * / %% ^ and the "
                    "comparisons == != > < >= <=",
                    set_ops[i]);
            return NULL;
        }
    }
    return NULL;
}

/* The modifiers after a binary operator: bool, on(...)/ignoring(...), group_left/right. */
static bool parse_bin_modifiers(parser *p, rsim_promql_node *n)
{
    if (cur_is_word(p, "bool")) {
        if (!rsim_promql_binop_is_comparison(n->u.bin.op)) {
            fail_at(p, RSIM_EPARSE, p->cur.pos, p->cur.len,
                    "bool modifier can only be used on comparison operators");
            return false;
        }
        n->u.bin.return_bool = true;
        next(p);
    }
    if (cur_is_word(p, "on") || cur_is_word(p, "ignoring")) {
        n->u.bin.on = cur_is_word(p, "on");
        n->u.bin.ignoring = !n->u.bin.on;
        next(p);
        if (!parse_label_list(p, &n->u.bin.labels, &n->u.bin.n_labels)) {
            return false;
        }
        if (cur_is_word(p, "group_left") || cur_is_word(p, "group_right")) {
            fail_at(p, RSIM_EUNSUPPORTED, p->cur.pos, p->cur.len,
                    "many-to-one matching (%.*s) is not supported yet: rollsim matches vectors "
                    "one-to-one",
                    (int)p->cur.len, p->text + p->cur.pos);
            return false;
        }
    }
    return true;
}

static rsim_promql_node *make_binary(parser *p, rsim_promql_node *n, size_t op_pos)
{
    const rsim_promql_node *l = n->u.bin.lhs;
    const rsim_promql_node *r = n->u.bin.rhs;
    if (l->type == RSIM_PROMQL_MATRIX || r->type == RSIM_PROMQL_MATRIX) {
        const rsim_promql_node *m = l->type == RSIM_PROMQL_MATRIX ? l : r;
        rsim_diag_add(p->diag, RSIM_SEV_ERROR, RSIM_EPARSE, m->loc, p->path,
                      "binary expression must contain only scalar and instant vector types; "
                      "wrap the range vector in rate(), irate() or increase()");
        p->err = RSIM_EPARSE;
        return NULL;
    }
    bool both_scalar = l->type == RSIM_PROMQL_SCALAR && r->type == RSIM_PROMQL_SCALAR;
    if ((n->u.bin.on || n->u.bin.ignoring) &&
        !(l->type == RSIM_PROMQL_VECTOR && r->type == RSIM_PROMQL_VECTOR)) {
        rsim_diag_add(p->diag, RSIM_SEV_ERROR, RSIM_EPARSE, n->loc, p->path,
                      "vector matching (on/ignoring) only allowed between instant vectors");
        p->err = RSIM_EPARSE;
        return NULL;
    }
    if (both_scalar && rsim_promql_binop_is_comparison(n->u.bin.op) && !n->u.bin.return_bool) {
        rsim_diag_add(p->diag, RSIM_SEV_ERROR, RSIM_EPARSE, n->loc, p->path,
                      "comparisons between scalars must use the bool modifier");
        p->err = RSIM_EPARSE;
        return NULL;
    }
    n->type = both_scalar ? RSIM_PROMQL_SCALAR : RSIM_PROMQL_VECTOR;
    set_height(p, n, l, r, op_pos);
    return FAILED(p) ? NULL : n;
}

static const char *const known_functions[] = {
    "abs",
    "absent_over_time",
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "avg_over_time",
    "ceil",
    "changes",
    "clamp",
    "count_over_time",
    "cos",
    "cosh",
    "day_of_month",
    "day_of_week",
    "day_of_year",
    "days_in_month",
    "deg",
    "delta",
    "deriv",
    "exp",
    "floor",
    "histogram_count",
    "histogram_fraction",
    "histogram_stddev",
    "histogram_stdvar",
    "histogram_sum",
    "holt_winters",
    "hour",
    "idelta",
    "label_join",
    "label_replace",
    "last_over_time",
    "ln",
    "log10",
    "log2",
    "max_over_time",
    "min_over_time",
    "minute",
    "month",
    "pi",
    "predict_linear",
    "present_over_time",
    "quantile_over_time",
    "rad",
    "resets",
    "round",
    "sgn",
    "sin",
    "sinh",
    "sort",
    "sort_desc",
    "sqrt",
    "stddev_over_time",
    "stdvar_over_time",
    "sum_over_time",
    "tan",
    "tanh",
    "time",
    "timestamp",
    "year",
};

static const struct {
    rsim_promql_func fn;
    rsim_promql_type args[2];
    size_t n_args;
    rsim_promql_type ret;
} fn_sig[RSIM_PROMQL_FN_COUNT] = {
    {RSIM_PROMQL_FN_RATE, {RSIM_PROMQL_MATRIX}, 1, RSIM_PROMQL_VECTOR},
    {RSIM_PROMQL_FN_IRATE, {RSIM_PROMQL_MATRIX}, 1, RSIM_PROMQL_VECTOR},
    {RSIM_PROMQL_FN_INCREASE, {RSIM_PROMQL_MATRIX}, 1, RSIM_PROMQL_VECTOR},
    {RSIM_PROMQL_FN_HISTOGRAM_QUANTILE,
     {RSIM_PROMQL_SCALAR, RSIM_PROMQL_VECTOR},
     2,
     RSIM_PROMQL_VECTOR},
    {RSIM_PROMQL_FN_SCALAR, {RSIM_PROMQL_VECTOR}, 1, RSIM_PROMQL_SCALAR},
    {RSIM_PROMQL_FN_VECTOR, {RSIM_PROMQL_SCALAR}, 1, RSIM_PROMQL_VECTOR},
    {RSIM_PROMQL_FN_ABSENT, {RSIM_PROMQL_VECTOR}, 1, RSIM_PROMQL_VECTOR},
    {RSIM_PROMQL_FN_CLAMP_MIN, {RSIM_PROMQL_VECTOR, RSIM_PROMQL_SCALAR}, 2, RSIM_PROMQL_VECTOR},
    {RSIM_PROMQL_FN_CLAMP_MAX, {RSIM_PROMQL_VECTOR, RSIM_PROMQL_SCALAR}, 2, RSIM_PROMQL_VECTOR},
};

static const char supported_list[] =
    "rate, irate, increase, histogram_quantile, scalar, vector, absent, clamp_min, clamp_max";

static bool lookup_function(parser *p, size_t pos, size_t len, rsim_promql_func *fn)
{
    char name[64];
    snprintf(name, sizeof(name), "%.*s", (int)(len < 63 ? len : 63), p->text + pos);
    for (int f = 0; f < RSIM_PROMQL_FN_COUNT; f++) {
        if (strcmp(name, rsim_promql_func_name((rsim_promql_func)f)) == 0) {
            *fn = (rsim_promql_func)f;
            return true;
        }
    }
    for (size_t i = 0; i < sizeof(known_functions) / sizeof(known_functions[0]); i++) {
        if (strcmp(name, known_functions[i]) == 0) {
            fail_at(p, RSIM_EUNSUPPORTED, pos, len,
                    "function '%s' is not supported yet: rollsim evaluates %s", name,
                    supported_list);
            return false;
        }
    }
    const char *cands[RSIM_PROMQL_FN_COUNT];
    for (int f = 0; f < RSIM_PROMQL_FN_COUNT; f++) {
        cands[f] = rsim_promql_func_name((rsim_promql_func)f);
    }
    const char *near = rsim_util_nearest(name, cands, RSIM_PROMQL_FN_COUNT);
    if (near) {
        fail_at(p, RSIM_EPARSE, pos, len, "unknown function '%s'; did you mean '%s'?", name, near);
    } else {
        fail_at(p, RSIM_EPARSE, pos, len, "unknown function '%s'", name);
    }
    return false;
}

static rsim_promql_node *
parse_call(parser *p,
           size_t pos,
           size_t len) /* NOLINT(misc-no-recursion): bounded by RSIM_PROMQL_MAX_DEPTH */
{
    rsim_promql_func fn;
    if (!lookup_function(p, pos, len, &fn)) {
        return NULL;
    }
    rsim_promql_node *n = new_node(p, RSIM_PROMQL_CALL, pos, len);
    n->u.call.fn = fn;
    next(p); /* '(' */
    const char *fname = rsim_promql_func_name(fn);
    while (!FAILED(p) && p->cur.kind != T_RPAREN) {
        size_t apos = p->cur.pos;
        rsim_promql_node *a = parse_expr(p, 0);
        if (!a) {
            return NULL;
        }
        size_t i = n->u.call.n_args;
        if (i >= fn_sig[fn].n_args) {
            fail_at(p, RSIM_EPARSE, apos, 1,
                    "too many arguments to function '%s': expected %zu, got more", fname,
                    fn_sig[fn].n_args);
            return NULL;
        }
        if (a->type != fn_sig[fn].args[i]) {
            fail_at(p, RSIM_EPARSE, apos, p->cur.pos - apos,
                    "expected type %s in call to function '%s', got %s",
                    type_name(fn_sig[fn].args[i]), fname, type_name(a->type));
            return NULL;
        }
        n->u.call.args[i] = a;
        n->u.call.n_args++;
        if (p->cur.kind == T_COMMA) {
            next(p);
        } else if (p->cur.kind != T_RPAREN) {
            fail_unexpected(p, "',' or ')' in the argument list");
        }
    }
    if (!expect(p, T_RPAREN, "')'")) {
        return NULL;
    }
    if (n->u.call.n_args != fn_sig[fn].n_args) {
        fail_at(p, RSIM_EPARSE, pos, len, "function '%s' expects %zu argument%s, got %zu", fname,
                fn_sig[fn].n_args, fn_sig[fn].n_args == 1 ? "" : "s", n->u.call.n_args);
        return NULL;
    }
    n->type = fn_sig[fn].ret;
    set_height(p, n, n->u.call.args[0], n->u.call.n_args > 1 ? n->u.call.args[1] : NULL, pos);
    return FAILED(p) ? NULL : n;
}

static const char *const agg_names[] = {"sum", "avg", "min", "max", "count"};
static const char *const agg_unsupported[] = {"stddev",  "stdvar",   "topk",
                                              "bottomk", "quantile", "count_values",
                                              "group",   "limitk",   "limit_ratio"};

static bool parse_grouping(parser *p, rsim_promql_node *n)
{
    n->u.agg.without = cur_is_word(p, "without");
    n->u.agg.grouped = true;
    next(p);
    return parse_label_list(p, &n->u.agg.labels, &n->u.agg.n_labels);
}

static rsim_promql_node *
parse_agg(parser *p,
          rsim_promql_aggop op,
          size_t pos,
          size_t len) /* NOLINT(misc-no-recursion): bounded by RSIM_PROMQL_MAX_DEPTH */
{
    rsim_promql_node *n = new_node(p, RSIM_PROMQL_AGG, pos, len);
    n->u.agg.op = op;
    next(p);
    if ((cur_is_word(p, "by") || cur_is_word(p, "without")) && !parse_grouping(p, n)) {
        return NULL;
    }
    if (!expect(p, T_LPAREN, "'(' after the aggregation")) {
        return NULL;
    }
    size_t apos = p->cur.pos;
    rsim_promql_node *a = parse_expr(p, 0);
    if (!a) {
        return NULL;
    }
    if (p->cur.kind == T_COMMA) {
        fail_at(p, RSIM_EPARSE, p->cur.pos, 1, "aggregation '%s' takes one argument",
                agg_names[op]);
        return NULL;
    }
    if (!expect(p, T_RPAREN, "')'")) {
        return NULL;
    }
    if (a->type != RSIM_PROMQL_VECTOR) {
        fail_at(p, RSIM_EPARSE, apos, 1, "expected type instant vector in aggregation, got %s",
                type_name(a->type));
        return NULL;
    }
    if ((cur_is_word(p, "by") || cur_is_word(p, "without"))) {
        if (n->u.agg.grouped) {
            fail_at(p, RSIM_EPARSE, p->cur.pos, p->cur.len,
                    "aggregation may have only one by/without clause");
            return NULL;
        }
        if (!parse_grouping(p, n)) {
            return NULL;
        }
    }
    n->u.agg.arg = a;
    n->type = RSIM_PROMQL_VECTOR;
    set_height(p, n, a, NULL, pos);
    return FAILED(p) ? NULL : n;
}

static rsim_promql_node *
parse_ident(parser *p) /* NOLINT(misc-no-recursion): bounded by RSIM_PROMQL_MAX_DEPTH */
{
    size_t pos = p->cur.pos;
    size_t len = p->cur.len;
    const char *w = p->text + pos;
    for (size_t i = 0; i < sizeof(agg_names) / sizeof(agg_names[0]); i++) {
        if (word_is_ci(w, len, agg_names[i])) {
            return parse_agg(p, (rsim_promql_aggop)i, pos, len);
        }
    }
    for (size_t i = 0; i < sizeof(agg_unsupported) / sizeof(agg_unsupported[0]); i++) {
        if (word_is_ci(w, len, agg_unsupported[i])) {
            fail_at(p, RSIM_EUNSUPPORTED, pos, len,
                    "aggregation '%.*s' is not supported yet: rollsim evaluates sum, avg, min, "
                    "max and count",
                    (int)len, w);
            return NULL;
        }
    }
    static const char *const keywords[] = {"by",         "without",     "on",     "ignoring",
                                           "group_left", "group_right", "bool",   "offset",
                                           "and",        "or",          "unless", "atan2"};
    for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
        if (word_is_ci(w, len, keywords[i])) {
            fail_unexpected(p, "an expression");
            return NULL;
        }
    }
    next(p);
    if (p->cur.kind == T_LPAREN) {
        return parse_call(p, pos, len);
    }
    const char *metric = rsim_arena_strndup(&p->q->arena, w, len);
    return parse_selector(p, metric, pos);
}

static rsim_promql_node *
parse_primary(parser *p) /* NOLINT(misc-no-recursion): bounded by RSIM_PROMQL_MAX_DEPTH */
{
    tok t = p->cur;
    switch (t.kind) {
    case T_NUMBER: {
        rsim_promql_node *n = new_node(p, RSIM_PROMQL_NUMBER, t.pos, t.len);
        n->type = RSIM_PROMQL_SCALAR;
        n->u.number = t.num;
        next(p);
        return n;
    }
    case T_LPAREN: {
        next(p);
        rsim_promql_node *e = parse_expr(p, 0);
        if (!e || !expect(p, T_RPAREN, "')'")) {
            return NULL;
        }
        return e;
    }
    case T_LBRACE:
        return parse_selector(p, NULL, t.pos);
    case T_IDENT:
        return parse_ident(p);
    case T_STRING:
        fail_at(p, RSIM_EUNSUPPORTED, t.pos, t.len,
                "string literals are only supported as label matcher values");
        return NULL;
    case T_DURATION:
        fail_at(p, RSIM_EPARSE, t.pos, t.len,
                "unexpected duration '%.*s'; a duration is only allowed in [range] or after "
                "offset",
                (int)t.len, p->text + t.pos);
        return NULL;
    default:
        fail_unexpected(p, "an expression");
        return NULL;
    }
}

/* A duration token after '[' or offset; 0 is refused. */
static bool parse_duration(parser *p, rsim_time *out, const char *what)
{
    if (p->cur.kind != T_DURATION) {
        char e[96];
        snprintf(e, sizeof(e), "a duration such as 5m for the %s", what);
        fail_unexpected(p, e);
        return false;
    }
    if (p->cur.dur <= 0) {
        fail_at(p, RSIM_EPARSE, p->cur.pos, p->cur.len, "%s must be greater than 0", what);
        return false;
    }
    *out = p->cur.dur;
    next(p);
    return true;
}

/* Range [d], offset d and @ after a primary expression. */
static rsim_promql_node *
parse_postfix(parser *p,
              rsim_promql_node *n) /* NOLINT(misc-no-recursion): bounded by RSIM_PROMQL_MAX_DEPTH */
{
    if (p->cur.kind == T_LBRACKET) {
        size_t bpos = p->cur.pos;
        next(p);
        tok dur = p->cur;
        if (dur.kind == T_DURATION) {
            next(p);
        }
        if (p->cur.kind == T_COLON) {
            fail_at(p, RSIM_EUNSUPPORTED, bpos, p->cur.pos - bpos + 1,
                    "subqueries are not supported yet");
            return NULL;
        }
        if (n->kind != RSIM_PROMQL_SELECTOR || n->type != RSIM_PROMQL_VECTOR) {
            fail_at(p, RSIM_EPARSE, bpos, 1,
                    "ranges are only allowed after a vector selector (metric{...}[5m])");
            return NULL;
        }
        if (dur.kind != T_DURATION) {
            p->cur = dur;
            fail_unexpected(p, "a duration such as 5m for the range");
            return NULL;
        }
        if (dur.dur <= 0) {
            fail_at(p, RSIM_EPARSE, dur.pos, dur.len, "range must be greater than 0");
            return NULL;
        }
        if (!expect(p, T_RBRACKET, "']'")) {
            return NULL;
        }
        n->u.sel.range_ms = dur.dur;
        n->type = RSIM_PROMQL_MATRIX;
    }
    if (cur_is_word(p, "offset")) {
        size_t opos = p->cur.pos;
        if (n->kind != RSIM_PROMQL_SELECTOR) {
            fail_at(p, RSIM_EPARSE, opos, p->cur.len,
                    "offset modifier must follow a vector selector or range vector selector");
            return NULL;
        }
        next(p);
        if (p->cur.kind == T_SUB) {
            fail_at(p, RSIM_EUNSUPPORTED, p->cur.pos, 1, "negative offsets are not supported yet");
            return NULL;
        }
        if (!parse_duration(p, &n->u.sel.offset_ms, "offset")) {
            return NULL;
        }
    }
    if (p->cur.kind == T_AT) {
        fail_at(p, RSIM_EUNSUPPORTED, p->cur.pos, 1, "the @ modifier is not supported yet");
        return NULL;
    }
    if (p->cur.kind == T_LBRACKET) {
        fail_at(p, RSIM_EPARSE, p->cur.pos, 1, "unexpected '[' after the selector");
        return NULL;
    }
    return n;
}

static rsim_promql_node *
parse_unary(parser *p) /* NOLINT(misc-no-recursion): bounded by RSIM_PROMQL_MAX_DEPTH */
{
    if (p->cur.kind == T_SUB || p->cur.kind == T_ADD) {
        bool minus = p->cur.kind == T_SUB;
        size_t pos = p->cur.pos;
        next(p);
        /* Unary operators bind like '*' (the grammar's %prec MUL): -a^b is -(a^b), -a*b is
         * (-a)*b. */
        rsim_promql_node *a = parse_expr(p, PREC_POW);
        if (!a) {
            return NULL;
        }
        if (a->type == RSIM_PROMQL_MATRIX) {
            fail_at(p, RSIM_EPARSE, pos, 1,
                    "unary expression only allowed on expressions of type scalar or instant "
                    "vector, got range vector");
            return NULL;
        }
        if (!minus) {
            return a;
        }
        if (a->kind == RSIM_PROMQL_NUMBER) {
            rsim_promql_node *num = (rsim_promql_node *)a;
            num->u.number = -num->u.number;
            num->loc = loc_at(p, pos, 1);
            return num;
        }
        rsim_promql_node *n = new_node(p, RSIM_PROMQL_NEG, pos, 1);
        n->type = a->type;
        n->u.neg.arg = a;
        set_height(p, n, a, NULL, pos);
        return FAILED(p) ? NULL : n;
    }
    rsim_promql_node *prim = parse_primary(p);
    return prim ? parse_postfix(p, prim) : NULL;
}

/* Precedence climbing over the binary operators; '^' is right-associative. Recursion depth is
 * bounded by p->depth <= RSIM_PROMQL_MAX_DEPTH (each nesting level of parentheses, calls,
 * aggregations, unary operators and right operands costs one level). */
static rsim_promql_node *parse_expr(parser *p, int min_prec) /* NOLINT(misc-no-recursion) */
{
    if (++p->depth > RSIM_PROMQL_MAX_DEPTH) {
        fail_at(p, RSIM_ELIMIT, p->cur.pos, 1, "query nested too deeply (more than %d levels)",
                RSIM_PROMQL_MAX_DEPTH);
        p->depth--;
        return NULL;
    }
    rsim_promql_node *lhs = parse_unary(p);
    while (lhs && !FAILED(p)) {
        const opinfo *oi = binop_at(p);
        if (!oi || oi->prec < min_prec) {
            break;
        }
        size_t op_pos = p->cur.pos;
        rsim_promql_node *n = new_node(p, RSIM_PROMQL_BINARY, op_pos, p->cur.len);
        n->u.bin.op = oi->op;
        next(p);
        if (!parse_bin_modifiers(p, n)) {
            lhs = NULL;
            break;
        }
        rsim_promql_node *rhs = parse_expr(p, oi->prec == PREC_POW ? oi->prec : oi->prec + 1);
        if (!rhs) {
            lhs = NULL;
            break;
        }
        n->u.bin.lhs = lhs;
        n->u.bin.rhs = rhs;
        lhs = make_binary(p, n, op_pos);
    }
    p->depth--;
    return FAILED(p) ? NULL : lhs;
}

rsim_err rsim_promql_parse_path(
    const char *text, rsim_loc base, const char *path, rsim_diag *diag, rsim_promql **out)
{
    *out = NULL;
    size_t len = strlen(text);
    if (len > RSIM_PROMQL_MAX_TEXT) {
        rsim_diag_add(diag, RSIM_SEV_ERROR, RSIM_ELIMIT, base, path,
                      "query is too long: %zu bytes, at most %d", len, RSIM_PROMQL_MAX_TEXT);
        return RSIM_ELIMIT;
    }
    rsim_promql *q = rsim_xcalloc(1, sizeof(*q));
    rsim_arena_init(&q->arena);
    q->text = rsim_xstrdup(text);
    parser p = {.text = q->text, .len = len, .base = base, .path = path, .diag = diag, .q = q};
    next(&p);
    rsim_promql_node *root = NULL;
    if (!FAILED(&p) && p.cur.kind == T_EOF) {
        fail_at(&p, RSIM_EPARSE, 0, 1, "empty query");
    } else {
        root = parse_expr(&p, 0);
    }
    if (root && p.cur.kind != T_EOF) {
        fail_unexpected(&p, "an operator or the end of the query");
    }
    if (root && !FAILED(&p) && root->type == RSIM_PROMQL_MATRIX) {
        rsim_diag_add(diag, RSIM_SEV_ERROR, RSIM_EUNSUPPORTED, root->loc, path,
                      "a range vector cannot be the result of a query: Argo Rollouts reads only "
                      "scalars and instant vectors; wrap it in rate(), irate() or increase()");
        p.err = RSIM_EUNSUPPORTED;
    }
    if (FAILED(&p)) {
        rsim_promql_free(q);
        return p.err;
    }
    q->root = root;
    *out = q;
    return RSIM_OK;
}

rsim_err rsim_promql_parse(const char *text, rsim_loc base, rsim_diag *diag, rsim_promql **out)
{
    return rsim_promql_parse_path(text, base, NULL, diag, out);
}

void rsim_promql_free(rsim_promql *q)
{
    if (!q) {
        return;
    }
    for (size_t i = 0; i < q->regexes.n; i++) {
        regfree(q->regexes.items[i]);
        free(q->regexes.items[i]);
    }
    free(q->regexes.items);
    rsim_arena_fini(&q->arena);
    free(q->text);
    free(q);
}

const rsim_promql_node *rsim_promql_root(const rsim_promql *q)
{
    return q->root;
}

const char *rsim_promql_text(const rsim_promql *q)
{
    return q->text;
}

/* A regex of letters, digits, '_' and '.' only ("5..", "GET") against an ASCII value: 1 or 0,
 * as the anchored regex answers ('.' is any one character, a newline included without
 * REG_NEWLINE, and every ASCII byte is one character in any locale); -1 when the pattern or the
 * value is outside that case. */
static int simple_regex_match(const char *pattern, const char *value)
{
    const unsigned char *p = (const unsigned char *)pattern;
    const unsigned char *v = (const unsigned char *)value;
    int match = 1;
    for (; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '.')) {
            return -1;
        }
        if (match && (!*v || (*v != *p && *p != '.'))) {
            match = 0;
        }
        if (*v) {
            v++;
        }
    }
    for (; *v; v++) {
        match = 0;
    }
    for (v = (const unsigned char *)value; *v; v++) {
        if (*v >= 0x80) {
            return -1;
        }
    }
    return match;
}

bool rsim_promql_matcher_is_match(const rsim_promql_matcher *m, const char *value)
{
    switch (m->op) {
    case RSIM_PROMQL_MATCH_EQ:
        return strcmp(m->value, value) == 0;
    case RSIM_PROMQL_MATCH_NE:
        return strcmp(m->value, value) != 0;
    case RSIM_PROMQL_MATCH_RE:
    case RSIM_PROMQL_MATCH_NRE: {
        int simple = simple_regex_match(m->value, value);
        bool match =
            simple >= 0 ? simple == 1 : regexec((const regex_t *)m->re, value, 0, NULL, 0) == 0;
        return m->op == RSIM_PROMQL_MATCH_RE ? match : !match;
    }
    }
    return false;
}
