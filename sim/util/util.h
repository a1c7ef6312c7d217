/* util.h - allocation that aborts on OOM, arenas, growable buffers, vectors, panics.
 * Ownership: rsim_x* results are owned by the caller (free with free()); arena memory is owned by
 * the arena and released all at once by rsim_arena_fini; an rsim_buf owns its bytes. */
#ifndef RSIM_UTIL_H
#define RSIM_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rsim/common.h>
#include <rsim/diag.h>

/* ---- allocation: never returns NULL; prints the size and aborts on out-of-memory ---- */
void *rsim_xmalloc(size_t size);
void *rsim_xcalloc(size_t n, size_t size);
void *rsim_xrealloc(void *p, size_t size);
char *rsim_xstrdup(const char *s);
char *rsim_xstrndup(const char *s, size_t n);

/* ---- bugs: print file:line and the message, then abort ---- */
_Noreturn void rsim_panic_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define rsim_panic(...) rsim_panic_at(__FILE__, __LINE__, __VA_ARGS__)
#ifdef NDEBUG
#define RSIM_ASSERT(cond) ((void)0)
#else
#define RSIM_ASSERT(cond) ((cond) ? (void)0 : rsim_panic("assertion failed: %s", #cond))
#endif

/* ---- arena: bump allocation for whole-run data (scenario nodes and strings) ---- */
typedef struct rsim_arena_chunk rsim_arena_chunk;
typedef struct rsim_arena {
    rsim_arena_chunk *head; /* owned list of chunks, newest first */
    size_t total_bytes;     /* bytes handed out, for statistics */
} rsim_arena;

void rsim_arena_init(rsim_arena *a);
void rsim_arena_fini(rsim_arena *a);
/* Zeroed memory aligned for any type, valid until rsim_arena_fini. */
void *rsim_arena_alloc(rsim_arena *a, size_t size);
char *rsim_arena_strdup(rsim_arena *a, const char *s);
char *rsim_arena_strndup(rsim_arena *a, const char *s, size_t n);
char *rsim_arena_printf(rsim_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- buf: a growable byte buffer with a size cap fixed at init (curl's toobig) ---- */
typedef struct rsim_buf {
    char *data;       /* owned, always NUL-terminated when non-NULL */
    size_t len;       /* bytes used, excluding the NUL */
    size_t cap;       /* bytes allocated */
    size_t max_bytes; /* appends that would exceed this fail with RSIM_ELIMIT */
} rsim_buf;

void rsim_buf_init(rsim_buf *b, size_t max_bytes);
void rsim_buf_fini(rsim_buf *b);
void rsim_buf_reset(rsim_buf *b);
rsim_err rsim_buf_append(rsim_buf *b, const void *data, size_t len);
rsim_err rsim_buf_puts(rsim_buf *b, const char *s);
rsim_err rsim_buf_printf(rsim_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
rsim_err rsim_buf_vprintf(rsim_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Reads a whole file. On failure reports an RSIM_EIO error naming the path to diag. */
rsim_err rsim_buf_read_file(rsim_buf *b, const char *path, rsim_diag *diag);

/* ---- vec: a typed growable array ----
 * Declare with RSIM_VEC(type) name; push with RSIM_VEC_PUSH(v, value); free with free(v.items). */
#define RSIM_VEC(type) \
    struct {           \
        type *items;   \
        size_t n;      \
        size_t cap;    \
    }
#define RSIM_VEC_GROW(v)                                                        \
    do {                                                                        \
        if ((v).n == (v).cap) {                                                 \
            (v).cap = (v).cap ? 2 * (v).cap : 8;                                \
            (v).items = rsim_xrealloc((v).items, (v).cap * sizeof(*(v).items)); \
        }                                                                       \
    } while (0)
#define RSIM_VEC_PUSH(v, value)       \
    do {                              \
        RSIM_VEC_GROW(v);             \
        (v).items[(v).n++] = (value); \
    } while (0)

/* ---- strings ---- */
/* Edit distance (optimal string alignment: insert, delete, substitute, swap neighbours),
 * case-insensitive; stops counting at limit and returns limit+1 beyond it. */
size_t rsim_util_edit_distance(const char *a, const char *b, size_t limit);
/* The candidate closest to name, or NULL when none is close enough to be a likely typo
 * (distance at most 1/3 of the longer length, and at most 3). candidates are borrowed. */
const char *rsim_util_nearest(const char *name, const char *const *candidates, size_t n);

/* Formats a time span the way Go prints a time.Duration ("1h30m0s", "2m0s", "1.5s", "250ms"),
 * truncated to fit size. */
void rsim_util_format_duration(rsim_time t, char *buf, size_t size);

/* A whole decimal string ("42", "-7") as Argo's string-to-int conversion reads it: no leading
 * space or '+', no trailing characters, within int64. Returns false (and leaves *out) otherwise. */
bool rsim_util_parse_int64(const char *s, int64_t *out);

/* FNV-1a 64-bit hash of a byte string; used to derive stream keys from names. */
uint64_t rsim_util_hash64(const void *data, size_t len);

#endif
