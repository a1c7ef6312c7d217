/* alloc.c - allocation that aborts on out-of-memory, and panics.
 * No code path above this file handles ENOMEM: running out of memory is fatal (Redis zmalloc). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static _Noreturn void oom(size_t size)
{
    fprintf(stderr, "rollsim: out of memory allocating %zu bytes\n", size);
    abort();
}

void *rsim_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) {
        oom(size);
    }
    return p;
}

void *rsim_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        oom(n * size);
    }
    return p;
}

void *rsim_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q) {
        oom(size);
    }
    return q;
}

char *rsim_xstrdup(const char *s)
{
    return rsim_xstrndup(s, strlen(s));
}

char *rsim_xstrndup(const char *s, size_t n)
{
    char *p = rsim_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

_Noreturn void rsim_panic_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rollsim: internal error at %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

const char *rsim_strerror(rsim_err err)
{
    switch (err) {
#define RSIM_ERR_CASE(name, text) \
    case RSIM_##name:             \
        return text;
        RSIM_ERR_MAP(RSIM_ERR_CASE)
#undef RSIM_ERR_CASE
    }
    return "unknown error";
}
