/* values.c - Kubernetes value syntaxes: Go durations (time.ParseDuration), int-or-percent,
 * resource.Quantity, whole seconds, and the shortest Go-parseable duration text.
 * Pure functions; each mirrors the Go code it names so that what the API server or the Argo
 * controller accepts is exactly what rollsim accepts. */
#include "values.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- time.ParseDuration (Go src/time/format.go) ----
 * Grammar: [-+]? ( "0" | ( [0-9]* ( "." [0-9]* )? unit )+ ), where each component needs at
 * least one digit before or after the point ("1.s" and ".5s" are valid, ".s" is not) and a
 * unit ("1" alone is not, except the bare "0"). Units: ns us µs (U+00B5) μs (U+03BC) ms s m
 * h; no "d". The sum is kept in nanoseconds as Go does (overflow beyond 2^63 ns is an error),
 * then truncated towards zero to milliseconds. */

#define NS_MAX ((uint64_t)1 << 63)

static uint64_t duration_unit(const char *u, size_t n)
{
    static const struct {
        const char *name;
        uint64_t ns;
    } units[] = {
        {"ns", 1},           {"us", 1000},      {"\xC2\xB5s", 1000}, /* µs, U+00B5 MICRO SIGN */
        {"\xCE\xBCs", 1000}, /* μs, U+03BC GREEK SMALL LETTER MU */
        {"ms", 1000000},     {"s", 1000000000}, {"m", 60000000000ULL}, {"h", 3600000000000ULL},
    };
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strlen(units[i].name) == n && memcmp(units[i].name, u, n) == 0) {
            return units[i].ns;
        }
    }
    return 0;
}

/* One "<number>[.<fraction>]<unit>" component of a Go duration, in ns; advances *s. */
static bool duration_component(const char **s, uint64_t *ns)
{
    if (!(**s == '.' || (**s >= '0' && **s <= '9'))) {
        return false;
    }
    uint64_t v = 0;
    bool pre = false;
    while (**s >= '0' && **s <= '9') {
        uint64_t d = (uint64_t)(**s - '0');
        if (v > (NS_MAX - d) / 10) {
            return false; /* Go: "invalid duration" (overflow) */
        }
        v = v * 10 + d;
        (*s)++;
        pre = true;
    }
    uint64_t f = 0;
    double scale = 1.0;
    bool post = false;
    if (**s == '.') {
        (*s)++;
        bool overflow = false;
        while (**s >= '0' && **s <= '9') {
            /* leadingFraction: digits beyond what fits are consumed and ignored. */
            if (!overflow) {
                uint64_t d = (uint64_t)(**s - '0');
                if (f > (NS_MAX - 1 - d) / 10) {
                    overflow = true;
                } else {
                    f = f * 10 + d;
                    scale *= 10.0;
                }
            }
            (*s)++;
            post = true;
        }
    }
    if (!pre && !post) {
        return false;
    }
    const char *u = *s;
    while (**s && **s != '.' && !(**s >= '0' && **s <= '9')) {
        (*s)++;
    }
    uint64_t unit = duration_unit(u, (size_t)(*s - u));
    if (unit == 0) {
        return false; /* missing or unknown unit */
    }
    if (v > NS_MAX / unit) {
        return false;
    }
    v *= unit;
    if (f > 0) {
        v += (uint64_t)((double)f * ((double)unit / scale));
        if (v > NS_MAX) {
            return false;
        }
    }
    *ns = v;
    return true;
}

bool rsim_values_parse_duration(const char *s, rsim_time *out)
{
    if (!s) {
        return false;
    }
    bool neg = false;
    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        s++;
    }
    if (strcmp(s, "0") == 0) {
        *out = 0;
        return true;
    }
    if (*s == '\0') {
        return false;
    }
    uint64_t total = 0;
    while (*s) {
        uint64_t v = 0;
        if (!duration_component(&s, &v)) {
            return false;
        }
        total += v;
        if (total > NS_MAX) {
            return false;
        }
    }
    if (!neg && total > NS_MAX - 1) {
        return false;
    }
    int64_t ms = (int64_t)(total / 1000000u);
    *out = neg ? -ms : ms;
    return true;
}

/* ---- int-or-percent (k8s.io/apimachinery intstr.GetScaledValueFromIntOrPercent) ---- */

static bool parse_decimal(const char *s, size_t n, int64_t *out)
{
    if (n == 0) {
        return false;
    }
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        int64_t d = s[i] - '0';
        if (v > (INT64_MAX - d) / 10) {
            return false;
        }
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool rsim_values_parse_int_or_percent(const char *s, bool *pct, int64_t *value)
{
    if (!s) {
        return false;
    }
    size_t n = strlen(s);
    bool is_pct = n > 0 && s[n - 1] == '%';
    int64_t v = 0;
    if (!parse_decimal(s, is_pct ? n - 1 : n, &v)) {
        return false;
    }
    *pct = is_pct;
    *value = v;
    return true;
}

/* ---- resource.Quantity (k8s.io/apimachinery/pkg/api/resource/quantity.go) ----
 *   <quantity>     ::= <signedNumber><suffix>
 *   <signedNumber> ::= <number> | <sign><number>       <sign> ::= "+" | "-"
 *   <number>       ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
 *   <suffix>       ::= <binarySI> | <decimalExponent> | <decimalSI>
 *   <binarySI>     ::= Ki | Mi | Gi | Ti | Pi | Ei
 *   <decimalSI>    ::= n | u | m | "" | k | M | G | T | P | E
 *   <decimalExponent> ::= "e" <signed integer> | "E" <signed integer>
 * No spaces anywhere; "K" (capital) and "mi" are not suffixes; "1E" is one exa. */

static bool quantity_suffix(const char *s, double *mult)
{
    static const struct {
        const char *name;
        double mult;
    } suffixes[] = {
        {"", 1.0},
        {"n", 1e-9},
        {"u", 1e-6},
        {"m", 1e-3},
        {"k", 1e3},
        {"M", 1e6},
        {"G", 1e9},
        {"T", 1e12},
        {"P", 1e15},
        {"E", 1e18},
        {"Ki", 1024.0},
        {"Mi", 1048576.0},
        {"Gi", 1073741824.0},
        {"Ti", 1099511627776.0},
        {"Pi", 1125899906842624.0},
        {"Ei", 1152921504606846976.0},
    };
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        if (strcmp(s, suffixes[i].name) == 0) {
            *mult = suffixes[i].mult;
            return true;
        }
    }
    if ((s[0] == 'e' || s[0] == 'E') && s[1] != '\0') {
        const char *p = s + 1;
        bool neg = false;
        if (*p == '+' || *p == '-') {
            neg = *p == '-';
            p++;
        }
        int64_t e = 0;
        if (!parse_decimal(p, strlen(p), &e) || e > 400) {
            return false;
        }
        *mult = pow(10.0, neg ? -(double)e : (double)e);
        return true;
    }
    return false;
}

bool rsim_values_parse_quantity(const char *s, double *out)
{
    if (!s) {
        return false;
    }
    const char *p = s;
    bool neg = false;
    if (*p == '+' || *p == '-') {
        neg = *p == '-';
        p++;
    }
    const char *num = p;
    size_t digits = 0;
    while (*p >= '0' && *p <= '9') {
        p++;
        digits++;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            p++;
            digits++;
        }
    }
    if (digits == 0) {
        return false;
    }
    char buf[128];
    size_t n = (size_t)(p - num);
    if (n >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, num, n);
    buf[n] = '\0';
    double mult = 1.0;
    if (!quantity_suffix(p, &mult)) {
        return false;
    }
    double v = strtod(buf, NULL) * mult;
    if (!isfinite(v)) {
        return false;
    }
    *out = neg ? -v : v;
    return true;
}

bool rsim_values_parse_seconds(const char *s, int64_t *out)
{
    int64_t v = 0;
    if (!s || !parse_decimal(s, strlen(s), &v)) {
        return false;
    }
    *out = v;
    return true;
}

/* ---- formatting ---- */

void rsim_values_format_duration(rsim_time t, char *buf, size_t size)
{
    if (size == 0) {
        return;
    }
    if (t == 0) {
        snprintf(buf, size, "0s");
        return;
    }
    /* Unsigned magnitude so that INT64_MIN formats too. */
    uint64_t ms = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
    const char *sign = t < 0 ? "-" : "";
    if (ms < 1000) {
        snprintf(buf, size, "%s%" PRIu64 "ms", sign, ms);
        return;
    }
    uint64_t h = ms / 3600000u;
    uint64_t m = (ms / 60000u) % 60u;
    uint64_t sec = (ms / 1000u) % 60u;
    uint64_t frac = ms % 1000u;
    char hs[32] = "";
    char msb[32] = "";
    char ss[40] = "";
    if (h) {
        snprintf(hs, sizeof(hs), "%" PRIu64 "h", h);
    }
    if (m) {
        snprintf(msb, sizeof(msb), "%" PRIu64 "m", m);
    }
    if (frac) {
        char f[8];
        snprintf(f, sizeof(f), "%03" PRIu64, frac);
        size_t fl = strlen(f);
        while (fl > 0 && f[fl - 1] == '0') {
            f[--fl] = '\0';
        }
        snprintf(ss, sizeof(ss), "%" PRIu64 ".%ss", sec, f);
    } else if (sec) {
        snprintf(ss, sizeof(ss), "%" PRIu64 "s", sec);
    }
    snprintf(buf, size, "%s%s%s%s", sign, hs, msb, ss);
}
