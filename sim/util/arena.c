/* arena.c - bump allocation in chunks; everything is released at once by rsim_arena_fini.
 * Invariant: every pointer handed out is aligned to max_align_t and zero-filled. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CHUNK_BYTES ((size_t)64 * 1024)

struct rsim_arena_chunk {
    rsim_arena_chunk *next;
    size_t used;
    size_t cap;
    _Alignas(max_align_t) unsigned char data[];
};

void rsim_arena_init(rsim_arena *a)
{
    a->head = NULL;
    a->total_bytes = 0;
}

void rsim_arena_fini(rsim_arena *a)
{
    rsim_arena_chunk *c = a->head;
    while (c) {
        rsim_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->total_bytes = 0;
}

void *rsim_arena_alloc(rsim_arena *a, size_t size)
{
    const size_t align = _Alignof(max_align_t);
    size_t need = (size + align - 1) / align * align;
    if (need == 0) {
        need = align;
    }
    rsim_arena_chunk *c = a->head;
    if (!c || c->cap - c->used < need) {
        size_t cap = need > CHUNK_BYTES ? need : CHUNK_BYTES;
        c = rsim_xmalloc(sizeof(*c) + cap);
        c->used = 0;
        c->cap = cap;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += need;
    a->total_bytes += need;
    memset(p, 0, need);
    return p;
}

char *rsim_arena_strndup(rsim_arena *a, const char *s, size_t n)
{
    char *p = rsim_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *rsim_arena_strdup(rsim_arena *a, const char *s)
{
    return rsim_arena_strndup(a, s, strlen(s));
}

char *rsim_arena_printf(rsim_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        rsim_panic("bad format string %s", fmt);
    }
    char *p = rsim_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
