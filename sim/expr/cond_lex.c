/* cond_lex.c - the lexer of the condition language: numbers (decimal, 0x hex, `_` separators,
 * fractions and exponents), '...' and "..." strings with Go escapes, identifiers, the word
 * operators (and, or, not, in, contains, startsWith, endsWith, matches) and punctuation.
 * Produces the whole token array up front; every token knows its byte offset. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond_ast.h"

typedef struct lexer {
    rsim_arena *arena;
    const char *text;
    size_t pos;
    RSIM_VEC(cond_token) toks;
    char *err;
    size_t errsize;
    int err_off;
} lexer;

static rsim_err lex_error(lexer *lx, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static rsim_err lex_error(lexer *lx, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(lx->err, lx->errsize, fmt, ap);
    va_end(ap);
    lx->err_off = (int)off;
    return RSIM_EPARSE;
}

static void push(lexer *lx, cond_tok kind, size_t start, size_t len)
{
    cond_token t = {0};
    t.kind = kind;
    t.offset = (int)start;
    t.len = (int)len;
    RSIM_VEC_PUSH(lx->toks, t);
}

static const struct {
    const char *word;
    cond_tok kind;
} word_ops[] = {
    {"and", TK_AND},           {"or", TK_OR},
    {"not", TK_NOT},           {"in", TK_IN},
    {"contains", TK_CONTAINS}, {"startsWith", TK_STARTSWITH},
    {"endsWith", TK_ENDSWITH}, {"matches", TK_MATCHES},
};

static bool ident_start(int c)
{
    return isalpha(c) || c == '_' || c == '$';
}

static bool ident_char(int c)
{
    return isalnum(c) || c == '_' || c == '$';
}

static void lex_ident(lexer *lx)
{
    size_t start = lx->pos;
    while (ident_char((unsigned char)lx->text[lx->pos])) {
        lx->pos++;
    }
    size_t len = lx->pos - start;
    for (size_t i = 0; i < sizeof(word_ops) / sizeof(word_ops[0]); i++) {
        if (strlen(word_ops[i].word) == len &&
            memcmp(word_ops[i].word, lx->text + start, len) == 0) {
            push(lx, word_ops[i].kind, start, len);
            return;
        }
    }
    push(lx, TK_IDENT, start, len);
    cond_token *t = &lx->toks.items[lx->toks.n - 1];
    t->sval = rsim_arena_strndup(lx->arena, lx->text + start, len);
    t->slen = len;
}

/* Copies the digits of a number literal without `_` separators into buf. */
static bool strip_digits(const char *s, size_t len, char *buf, size_t size)
{
    size_t j = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '_') {
            continue;
        }
        if (j + 1 >= size) {
            return false;
        }
        buf[j++] = s[i];
    }
    buf[j] = '\0';
    return true;
}

static rsim_err lex_number(lexer *lx)
{
    const char *t = lx->text;
    size_t start = lx->pos;
    bool is_float = false;
    bool hex = t[start] == '0' && (t[start + 1] == 'x' || t[start + 1] == 'X');
    if (hex) {
        lx->pos += 2;
        while (isxdigit((unsigned char)t[lx->pos]) || t[lx->pos] == '_') {
            lx->pos++;
        }
    } else {
        while (isdigit((unsigned char)t[lx->pos]) || t[lx->pos] == '_') {
            lx->pos++;
        }
        /* A '.' makes a fraction only when a digit follows: `1..3` is a range, `1.x` an error. */
        if (t[lx->pos] == '.' && isdigit((unsigned char)t[lx->pos + 1])) {
            is_float = true;
            lx->pos++;
            while (isdigit((unsigned char)t[lx->pos]) || t[lx->pos] == '_') {
                lx->pos++;
            }
        }
        if (t[lx->pos] == 'e' || t[lx->pos] == 'E') {
            size_t e = lx->pos + 1;
            if (t[e] == '+' || t[e] == '-') {
                e++;
            }
            if (!isdigit((unsigned char)t[e])) {
                return lex_error(lx, lx->pos, "invalid number: exponent has no digits");
            }
            is_float = true;
            lx->pos = e;
            while (isdigit((unsigned char)t[lx->pos])) {
                lx->pos++;
            }
        }
    }
    if (ident_char((unsigned char)t[lx->pos])) {
        return lex_error(lx, lx->pos, "invalid character '%c' in a number", t[lx->pos]);
    }
    size_t len = lx->pos - start;
    char buf[128];
    if (!strip_digits(t + start, len, buf, sizeof(buf)) || (hex && len <= 2)) {
        return lex_error(lx, start, "invalid number literal");
    }
    push(lx, is_float ? TK_FLOAT : TK_INT, start, len);
    cond_token *tok = &lx->toks.items[lx->toks.n - 1];
    errno = 0;
    char *end = NULL;
    if (is_float) {
        tok->fval = strtod(buf, &end);
    } else {
        long long v = strtoll(buf, &end, hex ? 16 : 10);
        tok->ival = (int64_t)v;
    }
    if (errno == ERANGE || !end || *end) {
        return lex_error(lx, start, "number out of range: %s", buf);
    }
    return RSIM_OK;
}

static int hex_val(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static void put_utf8(rsim_buf *b, unsigned long cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    (void)rsim_buf_append(b, u, n);
}

/* Decodes one escape after a backslash at lx->pos; appends the bytes to b. */
static rsim_err lex_escape(lexer *lx, rsim_buf *b, char quote)
{
    size_t at = lx->pos;
    char c = lx->text[lx->pos + 1];
    static const char simple_in[] = "abfnrtv\\'\"";
    static const char simple_out[] = "\a\b\f\n\r\t\v\\'\"";
    const char *hit = c ? strchr(simple_in, c) : NULL;
    if (hit) {
        if ((c == '\'' || c == '"') && c != quote) {
            return lex_error(lx, at, "unknown escape sequence \\%s in a string",
                             c == '\'' ? "'" : "\"");
        }
        char out = simple_out[hit - simple_in];
        (void)rsim_buf_append(b, &out, 1);
        lx->pos += 2;
        return RSIM_OK;
    }
    int digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
    if (!digits) {
        return lex_error(lx, at, "unknown escape sequence \\%c in a string", c ? c : '0');
    }
    unsigned long cp = 0;
    for (int i = 0; i < digits; i++) {
        int h = hex_val((unsigned char)lx->text[lx->pos + 2 + (size_t)i]);
        if (h < 0) {
            return lex_error(lx, at, "invalid escape sequence: expected %d hexadecimal digits",
                             digits);
        }
        cp = cp * 16 + (unsigned long)h;
    }
    if (c == 'x') {
        char byte = (char)cp;
        (void)rsim_buf_append(b, &byte, 1);
    } else if (cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) {
        return lex_error(lx, at, "invalid Unicode code point in escape sequence");
    } else {
        put_utf8(b, cp);
    }
    lx->pos += 2 + (size_t)digits;
    return RSIM_OK;
}

static rsim_err lex_string(lexer *lx)
{
    size_t start = lx->pos;
    char quote = lx->text[lx->pos++];
    rsim_buf b;
    rsim_buf_init(&b, (size_t)1 << 20);
    rsim_err err = RSIM_OK;
    for (;;) {
        char c = lx->text[lx->pos];
        if (c == '\0' || c == '\n') {
            err = lex_error(lx, start, "string not terminated");
            break;
        }
        if (c == quote) {
            lx->pos++;
            break;
        }
        if (c == '\\') {
            err = lex_escape(lx, &b, quote);
            if (err != RSIM_OK) {
                break;
            }
            continue;
        }
        (void)rsim_buf_append(&b, &c, 1);
        lx->pos++;
    }
    if (err == RSIM_OK) {
        push(lx, TK_STRING, start, lx->pos - start);
        cond_token *t = &lx->toks.items[lx->toks.n - 1];
        t->sval = rsim_arena_strndup(lx->arena, b.data ? b.data : "", b.len);
        t->slen = b.len;
    }
    rsim_buf_fini(&b);
    return err;
}

static const struct {
    const char *text;
    cond_tok kind;
} puncts[] = {
    /* longest first */
    {"**", TK_POW},    {"==", TK_EQ},    {"!=", TK_NE},       {"<=", TK_LE},    {">=", TK_GE},
    {"&&", TK_AND},    {"||", TK_OR},    {"??", TK_COALESCE}, {"?.", TK_QDOT},  {"..", TK_RANGE},
    {"(", TK_LPAREN},  {")", TK_RPAREN}, {"[", TK_LBRACK},    {"]", TK_RBRACK}, {"{", TK_LBRACE},
    {"}", TK_RBRACE},  {",", TK_COMMA},  {":", TK_COLON},     {".", TK_DOT},    {"?", TK_QUESTION},
    {"#", TK_HASH},    {"+", TK_PLUS},   {"-", TK_MINUS},     {"*", TK_STAR},   {"/", TK_SLASH},
    {"%", TK_PERCENT}, {"^", TK_POW},    {"<", TK_LT},        {">", TK_GT},     {"!", TK_NOT},
    {"|", TK_PIPE},
};

static rsim_err lex_punct(lexer *lx)
{
    const char *s = lx->text + lx->pos;
    for (size_t i = 0; i < sizeof(puncts) / sizeof(puncts[0]); i++) {
        size_t n = strlen(puncts[i].text);
        if (strncmp(s, puncts[i].text, n) == 0) {
            push(lx, puncts[i].kind, lx->pos, n);
            lx->pos += n;
            return RSIM_OK;
        }
    }
    unsigned char c = (unsigned char)*s;
    if (c >= 0x20 && c < 0x7F) {
        return lex_error(lx, lx->pos, "unexpected character '%c'", (char)c);
    }
    return lex_error(lx, lx->pos, "unexpected byte 0x%02X", (unsigned)c);
}

rsim_err rsim_cond_lex(rsim_arena *a,
                       const char *text,
                       cond_token **out,
                       size_t *n_out,
                       char *err,
                       size_t errsize,
                       int *err_off)
{
    lexer lx = {0};
    lx.arena = a;
    lx.text = text;
    lx.err = err;
    lx.errsize = errsize;
    rsim_err rc = RSIM_OK;
    while (rc == RSIM_OK) {
        unsigned char c = (unsigned char)text[lx.pos];
        if (c == '\0') {
            break;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            lx.pos++;
        } else if (isdigit(c)) {
            rc = lex_number(&lx);
        } else if (ident_start(c)) {
            lex_ident(&lx);
        } else if (c == '\'' || c == '"') {
            rc = lex_string(&lx);
        } else {
            rc = lex_punct(&lx);
        }
    }
    if (rc != RSIM_OK) {
        free(lx.toks.items);
        *err_off = lx.err_off;
        return rc;
    }
    push(&lx, TK_EOF, lx.pos, 0);
    cond_token *toks = rsim_arena_alloc(a, lx.toks.n * sizeof(*toks));
    memcpy(toks, lx.toks.items, lx.toks.n * sizeof(*toks));
    *out = toks;
    *n_out = lx.toks.n;
    free(lx.toks.items);
    return RSIM_OK;
}

const char *rsim_cond_tok_name(cond_tok kind)
{
    static const char *const names[] = {
        [TK_EOF] = "end of expression",
        [TK_INT] = "a number",
        [TK_FLOAT] = "a number",
        [TK_STRING] = "a string",
        [TK_IDENT] = "a name",
        [TK_LPAREN] = "'('",
        [TK_RPAREN] = "')'",
        [TK_LBRACK] = "'['",
        [TK_RBRACK] = "']'",
        [TK_LBRACE] = "'{'",
        [TK_RBRACE] = "'}'",
        [TK_COMMA] = "','",
        [TK_COLON] = "':'",
        [TK_DOT] = "'.'",
        [TK_QDOT] = "'?.'",
        [TK_QUESTION] = "'?'",
        [TK_HASH] = "'#'",
        [TK_PLUS] = "'+'",
        [TK_MINUS] = "'-'",
        [TK_STAR] = "'*'",
        [TK_SLASH] = "'/'",
        [TK_PERCENT] = "'%'",
        [TK_POW] = "'**'",
        [TK_EQ] = "'=='",
        [TK_NE] = "'!='",
        [TK_LT] = "'<'",
        [TK_GT] = "'>'",
        [TK_LE] = "'<='",
        [TK_GE] = "'>='",
        [TK_AND] = "'&&'",
        [TK_OR] = "'||'",
        [TK_NOT] = "'not'",
        [TK_IN] = "'in'",
        [TK_CONTAINS] = "'contains'",
        [TK_STARTSWITH] = "'startsWith'",
        [TK_ENDSWITH] = "'endsWith'",
        [TK_COALESCE] = "'\?\?'",
        [TK_MATCHES] = "'matches'",
        [TK_RANGE] = "'..'",
        [TK_PIPE] = "'|'",
    };
    return (size_t)kind < sizeof(names) / sizeof(names[0]) && names[kind] ? names[kind] : "a token";
}
