/* cond_value.c - the values conditions compute with: constructors in a caller's arena, queries,
 * Go's == (runtime.Equal, then reflect.DeepEqual for lists and maps) and printing.
 * Values are immutable once handed to an evaluation; arrays and maps grow only while built. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond_ast.h"

static const rsim_cond_value nil_value = {.kind = RSIM_COND_NIL};

const rsim_cond_value *rsim_cond_nil(void)
{
    return &nil_value;
}

static rsim_cond_value *new_value(rsim_arena *a, rsim_cond_kind kind)
{
    rsim_cond_value *v = rsim_arena_alloc(a, sizeof(*v));
    v->kind = kind;
    return v;
}

rsim_cond_value *rsim_cond_bool(rsim_arena *a, bool b)
{
    rsim_cond_value *v = new_value(a, RSIM_COND_BOOL);
    v->b = b;
    return v;
}

rsim_cond_value *rsim_cond_int(rsim_arena *a, int64_t i)
{
    rsim_cond_value *v = new_value(a, RSIM_COND_INT);
    v->i = i;
    return v;
}

rsim_cond_value *rsim_cond_float(rsim_arena *a, double f)
{
    rsim_cond_value *v = new_value(a, RSIM_COND_FLOAT);
    v->f = f;
    return v;
}

rsim_cond_value *rsim_cond_string_n(rsim_arena *a, const char *s, size_t len)
{
    rsim_cond_value *v = new_value(a, RSIM_COND_STRING);
    v->s = rsim_arena_strndup(a, s, len);
    v->slen = len;
    return v;
}

rsim_cond_value *rsim_cond_string(rsim_arena *a, const char *s)
{
    return rsim_cond_string_n(a, s, strlen(s));
}

rsim_cond_value *rsim_cond_array_sized(rsim_arena *a, size_t n)
{
    rsim_cond_value *v = new_value(a, RSIM_COND_ARRAY);
    v->atype = COND_ARRAY_ANY;
    if (n > 0) {
        /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
        v->items = rsim_arena_alloc(a, n * sizeof(*v->items));
        v->cap = n;
    }
    return v;
}

rsim_cond_value *rsim_cond_array(rsim_arena *a)
{
    return rsim_cond_array_sized(a, 0);
}

rsim_cond_value *rsim_cond_floats(rsim_arena *a, const double *vals, size_t n)
{
    rsim_cond_value *v = rsim_cond_array_sized(a, n);
    v->atype = COND_ARRAY_FLOAT64;
    for (size_t i = 0; i < n; i++) {
        v->items[i] = rsim_cond_float(a, vals[i]);
    }
    v->n = n;
    return v;
}

rsim_cond_value *rsim_cond_map(rsim_arena *a)
{
    return new_value(a, RSIM_COND_MAP);
}

/* Makes room for one more entry; the arena keeps the old block until it is released. */
static void grow(rsim_arena *a, rsim_cond_value *v)
{
    if (v->n < v->cap) {
        return;
    }
    size_t cap = v->cap ? 2 * v->cap : 4;
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
    const rsim_cond_value **items = rsim_arena_alloc(a, cap * sizeof(*items));
    if (v->n) {
        /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
        memcpy((void *)items, (const void *)v->items, v->n * sizeof(*items));
    }
    v->items = items;
    if (v->kind == RSIM_COND_MAP) {
        const char **keys = rsim_arena_alloc(a, cap * sizeof(*keys));
        if (v->n) {
            memcpy((void *)keys, (const void *)v->keys, v->n * sizeof(*keys));
        }
        v->keys = keys;
    }
    v->cap = cap;
}

void rsim_cond_array_push(rsim_arena *a, rsim_cond_value *array, const rsim_cond_value *item)
{
    RSIM_ASSERT(array->kind == RSIM_COND_ARRAY);
    grow(a, array);
    array->items[array->n++] = item ? item : &nil_value;
}

const rsim_cond_value *
rsim_cond_map_lookup(const rsim_cond_value *map, const char *key, size_t klen)
{
    for (size_t i = 0; i < map->n; i++) {
        if (strlen(map->keys[i]) == klen && memcmp(map->keys[i], key, klen) == 0) {
            return map->items[i];
        }
    }
    return NULL;
}

void rsim_cond_map_set(rsim_arena *a,
                       rsim_cond_value *map,
                       const char *key,
                       const rsim_cond_value *val)
{
    RSIM_ASSERT(map->kind == RSIM_COND_MAP);
    if (!val) {
        val = &nil_value;
    }
    size_t klen = strlen(key);
    for (size_t i = 0; i < map->n; i++) {
        if (strlen(map->keys[i]) == klen && memcmp(map->keys[i], key, klen) == 0) {
            map->items[i] = val;
            return;
        }
    }
    grow(a, map);
    map->keys[map->n] = rsim_arena_strdup(a, key);
    map->items[map->n++] = val;
}

rsim_cond_kind rsim_cond_value_kind(const rsim_cond_value *v)
{
    return v ? v->kind : RSIM_COND_NIL;
}

bool rsim_cond_value_bool(const rsim_cond_value *v)
{
    return v && v->kind == RSIM_COND_BOOL && v->b;
}

int64_t rsim_cond_value_int(const rsim_cond_value *v)
{
    return v && v->kind == RSIM_COND_INT ? v->i : 0;
}

double rsim_cond_value_float(const rsim_cond_value *v)
{
    if (v && v->kind == RSIM_COND_FLOAT) {
        return v->f;
    }
    return v && v->kind == RSIM_COND_INT ? (double)v->i : 0.0;
}

const char *rsim_cond_value_str(const rsim_cond_value *v)
{
    return v && v->kind == RSIM_COND_STRING ? v->s : NULL;
}

size_t rsim_cond_value_len(const rsim_cond_value *v)
{
    return v && (v->kind == RSIM_COND_ARRAY || v->kind == RSIM_COND_MAP) ? v->n : 0;
}

const rsim_cond_value *rsim_cond_value_at(const rsim_cond_value *v, size_t i)
{
    return v && v->kind == RSIM_COND_ARRAY && i < v->n ? v->items[i] : NULL;
}

const rsim_cond_value *rsim_cond_value_get(const rsim_cond_value *v, const char *key)
{
    return v && v->kind == RSIM_COND_MAP ? rsim_cond_map_lookup(v, key, strlen(key)) : NULL;
}

const char *rsim_cond_value_type_name(const rsim_cond_value *v)
{
    switch (rsim_cond_value_kind(v)) {
    case RSIM_COND_NIL:
        return "<nil>";
    case RSIM_COND_BOOL:
        return "bool";
    case RSIM_COND_INT:
        return "int";
    case RSIM_COND_FLOAT:
        return "float64";
    case RSIM_COND_STRING:
        return "string";
    case RSIM_COND_ARRAY:
        return v->atype == COND_ARRAY_FLOAT64 ? "[]float64" : "[]interface {}";
    case RSIM_COND_MAP:
        return "map[string]interface {}";
    }
    return "<nil>";
}

/* reflect.DeepEqual: like kinds only (an int 1 inside a list is not a float 1.0), NaN unequal
 * to itself, lists of different Go element types unequal. Recursion is bounded by
 * RSIM_COND_MAX_DEPTH levels of value nesting. */
/* NOLINTNEXTLINE(misc-no-recursion) */
static bool deep_equal(const rsim_cond_value *x, const rsim_cond_value *y, int depth, bool *deep)
{
    if (depth > RSIM_COND_MAX_DEPTH) {
        *deep = true;
        return false;
    }
    if (x->kind != y->kind) {
        return false;
    }
    switch (x->kind) {
    case RSIM_COND_NIL:
        return true;
    case RSIM_COND_BOOL:
        return x->b == y->b;
    case RSIM_COND_INT:
        return x->i == y->i;
    case RSIM_COND_FLOAT:
        return x->f == y->f;
    case RSIM_COND_STRING:
        return x->slen == y->slen && memcmp(x->s, y->s, x->slen) == 0;
    case RSIM_COND_ARRAY:
        if (x->atype != y->atype || x->n != y->n) {
            return false;
        }
        for (size_t i = 0; i < x->n; i++) {
            if (!deep_equal(x->items[i], y->items[i], depth + 1, deep)) {
                return false;
            }
        }
        return true;
    case RSIM_COND_MAP:
        if (x->n != y->n) {
            return false;
        }
        for (size_t i = 0; i < x->n; i++) {
            const rsim_cond_value *o = rsim_cond_map_lookup(y, x->keys[i], strlen(x->keys[i]));
            if (!o || !deep_equal(x->items[i], o, depth + 1, deep)) {
                return false;
            }
        }
        return true;
    }
    return false;
}

static bool is_number(const rsim_cond_value *v)
{
    return v->kind == RSIM_COND_INT || v->kind == RSIM_COND_FLOAT;
}

bool rsim_cond_value_equal(const rsim_cond_value *x, const rsim_cond_value *y, bool *too_deep)
{
    if (!x) {
        x = &nil_value;
    }
    if (!y) {
        y = &nil_value;
    }
    /* runtime.Equal: numbers compare by value across int and float64. */
    if (is_number(x) && is_number(y)) {
        if (x->kind == RSIM_COND_INT && y->kind == RSIM_COND_INT) {
            return x->i == y->i;
        }
        return rsim_cond_value_float(x) == rsim_cond_value_float(y);
    }
    bool deep = false;
    bool eq = deep_equal(x, y, 0, &deep);
    if (too_deep) {
        *too_deep = deep;
    }
    return eq;
}

__extension__ typedef unsigned __int128 u128;

/* Places the digits of %.*g (prec significant digits d, decimal exponent x10 of the first one)
 * in out, as printf does: fixed notation when -4 <= x10 < prec, else d.ddde±XX; trailing zeros
 * and a bare point removed. */
static void put_g(uint64_t d, int prec, int x10, bool neg, char *out)
{
    char dig[24];
    for (int i = prec - 1; i >= 0; i--) {
        dig[i] = (char)('0' + d % 10);
        d /= 10;
    }
    int nd = prec;
    while (nd > 1 && dig[nd - 1] == '0') {
        nd--;
    }
    char *o = out;
    if (neg) {
        *o++ = '-';
    }
    if (x10 < -4 || x10 >= prec) {
        *o++ = dig[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, dig + 1, (size_t)nd - 1);
            o += nd - 1;
        }
        *o++ = 'e';
        *o++ = x10 < 0 ? '-' : '+';
        int ax = x10 < 0 ? -x10 : x10;
        if (ax >= 100) {
            *o++ = (char)('0' + ax / 100);
        }
        *o++ = (char)('0' + ax / 10 % 10);
        *o++ = (char)('0' + ax % 10);
    } else if (x10 >= 0) {
        int whole = x10 + 1; /* digits before the point, all within prec */
        memcpy(o, dig, (size_t)whole);
        o += whole;
        if (nd > whole) {
            *o++ = '.';
            memcpy(o, dig + whole, (size_t)(nd - whole));
            o += nd - whole;
        }
    } else {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -x10 - 1; i++) {
            *o++ = '0';
        }
        memcpy(o, dig, (size_t)nd);
        o += nd;
    }
    *o = '\0';
}

/* format_float's rule computed exactly with integers, for finite non-zero f of magnitude
 * about 1e-14 .. 2^53 (false outside: the caller then uses printf and strtod). With f = m·2^e
 * and s chosen so that f·10^s has 17 to 19 integral digits, T = m·5^s is f·10^s scaled by 2^sh
 * (sh = -e-s >= 0), and one ulp of f is 5^s in the same units. The P-digit rounding (P = 15,
 * 16, 17) is round-half-even on the exact remainder, as glibc's printf rounds; it reads back
 * as f when it lies within half an ulp (a quarter below a power of two): ties cannot occur, the
 * half ulp 5^s/2 not being an integer. */
static bool format_float_exact(double f, char *out)
{
    uint64_t bits;
    memcpy(&bits, &f, sizeof bits);
    bool neg = (bits >> 63) != 0;
    int bexp = (int)((bits >> 52) & 0x7FF);
    if (bexp == 0 || bexp == 0x7FF) {
        return false; /* zero, subnormal, Inf, NaN */
    }
    uint64_t m = (bits & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1) << 52);
    int e = bexp - 1075;
    int e2 = e + 52; /* 2^e2 <= |f| < 2^(e2+1) */
    /* about e2·log10 2, the decimal exponent of f within one */
    int d10 = e2 >= 0 ? (e2 * 78913) >> 18 : -((-e2 * 78913 + 262143) >> 18);
    int s = 17 - d10;
    if (s < 0 || s > 31 || e + s > 0) {
        return false;
    }
    int sh = -(e + s);
    static const uint64_t p5_64[] = {1,           5,           25,        125,        625,
                                     3125,        15625,       78125,     390625,     1953125,
                                     9765625,     48828125,    244140625, 1220703125, 6103515625,
                                     30517578125, 152587890625};
    u128 p5 = (u128)p5_64[s > 16 ? 16 : s] * p5_64[s > 16 ? s - 16 : 0]; /* s <= 31 */
    u128 t = (u128)m * p5;
    u128 whole = t >> sh;
    u128 frac = sh ? t & (((u128)1 << sh) - 1) : 0;
    if (whole >> 64) {
        return false;
    }
    uint64_t n = (uint64_t)whole;
    static const uint64_t p10[] = {UINT64_C(1),
                                   UINT64_C(10),
                                   UINT64_C(100),
                                   UINT64_C(1000),
                                   UINT64_C(10000),
                                   UINT64_C(100000),
                                   UINT64_C(1000000),
                                   UINT64_C(10000000),
                                   UINT64_C(100000000),
                                   UINT64_C(1000000000),
                                   UINT64_C(10000000000),
                                   UINT64_C(100000000000),
                                   UINT64_C(1000000000000),
                                   UINT64_C(10000000000000),
                                   UINT64_C(100000000000000),
                                   UINT64_C(1000000000000000),
                                   UINT64_C(10000000000000000),
                                   UINT64_C(100000000000000000),
                                   UINT64_C(1000000000000000000),
                                   UINT64_C(10000000000000000000)};
    if (n < p10[16]) {
        return false;
    }
    int len = 17;
    while (len < 20 && n >= p10[len]) {
        len++;
    }
    u128 half_ulp = p5 >> 1;    /* 2·diff < 5^s */
    u128 quarter_ulp = p5 >> 2; /* 4·diff < 5^s */
    bool narrow_below = m == UINT64_C(1) << 52 && bexp > 1;
    for (int prec = 15; prec <= 17; prec++) {
        int k = len - prec;
        uint64_t d = n / p10[k];
        u128 rem = ((u128)(n % p10[k]) << sh) | frac; /* T - d·10^k·2^sh */
        u128 unit = (u128)p10[k] << sh;
        bool up = 2 * rem > unit || (2 * rem == unit && (d & 1));
        bool exact = up ? unit - rem <= half_ulp : rem <= (narrow_below ? quarter_ulp : half_ulp);
        if (!exact) {
            continue;
        }
        int x10 = prec - 1 + k - s;
        if (up && ++d == p10[prec]) {
            d = p10[prec - 1];
            x10++;
        }
        put_g(d, prec, x10, neg, out);
        return true;
    }
    return false;
}

static void format_float(double f, rsim_buf *b)
{
    if (isnan(f)) {
        (void)rsim_buf_puts(b, "NaN");
    } else if (isinf(f)) {
        (void)rsim_buf_puts(b, f > 0 ? "+Inf" : "-Inf");
    } else if (f == 0) {
        (void)rsim_buf_puts(b, signbit(f) ? "-0" : "0");
    } else {
        /* The shortest of %.15g..%.17g that reads back exactly, as Go's %v does. */
        char tmp[40];
        if (!format_float_exact(f, tmp)) {
            for (int prec = 15; prec <= 17; prec++) {
                (void)snprintf(tmp, sizeof(tmp), "%.*g", prec, f);
                if (strtod(tmp, NULL) == f) {
                    break;
                }
            }
        }
        (void)rsim_buf_puts(b, tmp);
    }
}

static void format_string(const char *s, size_t len, rsim_buf *b)
{
    (void)rsim_buf_puts(b, "\"");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            (void)rsim_buf_printf(b, "\\%c", c);
        } else if (c == '\n') {
            (void)rsim_buf_puts(b, "\\n");
        } else if (c < 0x20) {
            (void)rsim_buf_printf(b, "\\u%04x", c);
        } else {
            (void)rsim_buf_append(b, &s[i], 1);
        }
    }
    (void)rsim_buf_puts(b, "\"");
}

/* Recursion is bounded by RSIM_COND_MAX_DEPTH levels of value nesting. */
/* NOLINTNEXTLINE(misc-no-recursion) */
static void format_value(const rsim_cond_value *v, rsim_buf *b, int depth)
{
    if (depth > RSIM_COND_MAX_DEPTH) {
        (void)rsim_buf_puts(b, "...");
        return;
    }
    switch (v->kind) {
    case RSIM_COND_NIL:
        (void)rsim_buf_puts(b, "nil");
        return;
    case RSIM_COND_BOOL:
        (void)rsim_buf_puts(b, v->b ? "true" : "false");
        return;
    case RSIM_COND_INT:
        (void)rsim_buf_printf(b, "%lld", (long long)v->i);
        return;
    case RSIM_COND_FLOAT:
        format_float(v->f, b);
        return;
    case RSIM_COND_STRING:
        format_string(v->s, v->slen, b);
        return;
    case RSIM_COND_ARRAY:
        (void)rsim_buf_puts(b, "[");
        for (size_t i = 0; i < v->n; i++) {
            (void)rsim_buf_puts(b, i ? ", " : "");
            format_value(v->items[i], b, depth + 1);
        }
        (void)rsim_buf_puts(b, "]");
        return;
    case RSIM_COND_MAP:
        (void)rsim_buf_puts(b, "{");
        for (size_t i = 0; i < v->n; i++) {
            (void)rsim_buf_puts(b, i ? ", " : "");
            format_string(v->keys[i], strlen(v->keys[i]), b);
            (void)rsim_buf_puts(b, ": ");
            format_value(v->items[i], b, depth + 1);
        }
        (void)rsim_buf_puts(b, "}");
        return;
    }
}

void rsim_cond_value_format(const rsim_cond_value *v, rsim_buf *b)
{
    format_value(v ? v : &nil_value, b, 0);
}
