/* str.c - small string helpers: edit distance for "did you mean" hints, and hashing. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

size_t rsim_util_edit_distance(const char *a, const char *b, size_t limit)
{
    size_t la = strlen(a);
    size_t lb = strlen(b);
    if (la > 64 || lb > 64) {
        return la == lb && strcmp(a, b) == 0 ? 0 : limit + 1;
    }
    /* Three rows of the optimal-string-alignment matrix. */
    size_t prev2[65];
    size_t prev[65];
    size_t cur[65];
    for (size_t j = 0; j <= lb; j++) {
        prev[j] = j;
        prev2[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        size_t row_min = cur[0];
        for (size_t j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]);
            int cb = tolower((unsigned char)b[j - 1]);
            size_t cost = ca == cb ? 0 : 1;
            size_t v = prev[j] + 1;
            if (cur[j - 1] + 1 < v) {
                v = cur[j - 1] + 1;
            }
            if (prev[j - 1] + cost < v) {
                v = prev[j - 1] + cost;
            }
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && prev2[j - 2] + 1 < v) {
                v = prev2[j - 2] + 1;
            }
            cur[j] = v;
            if (v < row_min) {
                row_min = v;
            }
        }
        if (row_min > limit) {
            return limit + 1;
        }
        memcpy(prev2, prev, sizeof(prev));
        memcpy(prev, cur, sizeof(cur));
    }
    return prev[lb] > limit ? limit + 1 : prev[lb];
}

const char *rsim_util_nearest(const char *name, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    size_t best_d = 4;
    size_t ln = strlen(name);
    for (size_t i = 0; i < n; i++) {
        size_t lc = strlen(candidates[i]);
        size_t longer = ln > lc ? ln : lc;
        size_t allowed = longer / 3;
        if (allowed > 3) {
            allowed = 3;
        }
        if (allowed == 0) {
            allowed = 1;
        }
        size_t d = rsim_util_edit_distance(name, candidates[i], allowed);
        if (d <= allowed && d < best_d) {
            best = candidates[i];
            best_d = d;
        }
    }
    return best;
}

uint64_t rsim_util_hash64(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Appends "<n><unit>" to buf at *pos, keeping the text NUL-terminated and within size. */
static void put_part(char *buf, size_t size, size_t *pos, int64_t n, const char *unit)
{
    if (*pos >= size) {
        return;
    }
    int w = snprintf(buf + *pos, size - *pos, "%lld%s", (long long)n, unit);
    if (w > 0) {
        *pos += (size_t)w;
    }
}

void rsim_util_format_duration(rsim_time t, char *buf, size_t size)
{
    if (size == 0) {
        return;
    }
    buf[0] = '\0';
    size_t pos = 0;
    if (t == 0) {
        snprintf(buf, size, "0s");
        return;
    }
    uint64_t u = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
    if (t < 0) {
        buf[0] = '-';
        buf[1 < size ? 1 : 0] = '\0';
        pos = 1;
    }
    if (u < 1000) {
        put_part(buf, size, &pos, (int64_t)u, "ms");
        return;
    }
    /* Go's time.Duration.String form: hours and minutes as integers, seconds with the
     * milliseconds as a fraction without trailing zeros ("1h2m3.5s", "2m0s"). */
    uint64_t h = u / 3600000;
    uint64_t m = u / 60000 % 60;
    uint64_t s = u / 1000 % 60;
    uint64_t ms = u % 1000;
    if (h) {
        put_part(buf, size, &pos, (int64_t)h, "h");
    }
    if (h || m) {
        put_part(buf, size, &pos, (int64_t)m, "m");
    }
    if (ms == 0) {
        put_part(buf, size, &pos, (int64_t)s, "s");
        return;
    }
    char frac[8];
    snprintf(frac, sizeof(frac), "%03u", (unsigned)ms);
    for (int i = 2; i > 0 && frac[i] == '0'; i--) {
        frac[i] = '\0';
    }
    char tail[16];
    snprintf(tail, sizeof(tail), ".%ss", frac);
    put_part(buf, size, &pos, (int64_t)s, tail);
}

bool rsim_util_parse_int64(const char *s, int64_t *out)
{
    char *end = NULL;
    if (!*s || strchr(" \t\n+", *s)) {
        return false;
    }
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end != '\0' || errno == ERANGE) {
        return false;
    }
    *out = (int64_t)v;
    return true;
}
