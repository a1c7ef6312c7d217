/* diag.c - the diagnostics sink: collects entries, sorts them by position, prints them with the
 * offending source line and a caret underline (jq's locfile). Entries and sources are copies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct entry {
    rsim_severity sev;
    rsim_err code;
    rsim_loc loc;     /* loc.file points into files[] below */
    char *message;    /* owned: "<path>: <text>" */
    size_t seq;       /* order of addition, for a stable sort */
    size_t file_rank; /* order in which the file was first seen */
} entry;

typedef struct source {
    char *file; /* owned */
    char *text; /* owned, may be NULL */
    size_t len;
} source;

struct rsim_diag {
    size_t max_errors;
    size_t n_errors; /* including the ones not stored */
    size_t n_dropped;
    RSIM_VEC(entry) entries;
    RSIM_VEC(source) sources;
    bool sorted;
};

rsim_diag *rsim_diag_new(size_t max_errors)
{
    rsim_diag *d = rsim_xcalloc(1, sizeof(*d));
    d->max_errors = max_errors ? max_errors : 100;
    d->sorted = true;
    return d;
}

void rsim_diag_free(rsim_diag *d)
{
    if (!d) {
        return;
    }
    for (size_t i = 0; i < d->entries.n; i++) {
        free(d->entries.items[i].message);
    }
    for (size_t i = 0; i < d->sources.n; i++) {
        free(d->sources.items[i].file);
        free(d->sources.items[i].text);
    }
    free(d->entries.items);
    free(d->sources.items);
    free(d);
}

/* The index of the source record for a file name, creating an empty one when absent. */
static size_t source_index(rsim_diag *d, const char *file)
{
    for (size_t i = 0; i < d->sources.n; i++) {
        if (strcmp(d->sources.items[i].file, file) == 0) {
            return i;
        }
    }
    source s = {rsim_xstrdup(file), NULL, 0};
    RSIM_VEC_PUSH(d->sources, s);
    return d->sources.n - 1;
}

void rsim_diag_add_source(rsim_diag *d, const char *file, const char *text, size_t len)
{
    size_t i = source_index(d, file);
    source *s = &d->sources.items[i];
    free(s->text);
    s->text = rsim_xstrndup(text, len);
    s->len = len;
}

void rsim_diag_add(rsim_diag *d,
                   rsim_severity sev,
                   rsim_err code,
                   rsim_loc loc,
                   const char *path,
                   const char *fmt,
                   ...)
{
    if (sev == RSIM_SEV_ERROR) {
        d->n_errors++;
        if (d->n_errors > d->max_errors) {
            d->n_dropped++;
            return;
        }
    }
    rsim_buf b;
    rsim_buf_init(&b, (size_t)1 << 20);
    if (path && *path) {
        (void)rsim_buf_printf(&b, "%s: ", path);
    }
    va_list ap;
    va_start(ap, fmt);
    (void)rsim_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    entry e = {0};
    e.sev = sev;
    e.code = code;
    e.loc = loc;
    e.message = b.data ? b.data : rsim_xstrdup("");
    e.seq = d->entries.n;
    if (loc.file) {
        e.file_rank = source_index(d, loc.file);
        e.loc.file = d->sources.items[e.file_rank].file;
    } else {
        e.file_rank = (size_t)-1;
    }
    RSIM_VEC_PUSH(d->entries, e);
    d->sorted = false;
}

size_t rsim_diag_count(const rsim_diag *d)
{
    return d->entries.n;
}

size_t rsim_diag_error_count(const rsim_diag *d)
{
    return d->n_errors;
}

bool rsim_diag_has_errors(const rsim_diag *d)
{
    return d->n_errors > 0;
}

static int entry_cmp(const void *pa, const void *pb)
{
    const entry *a = pa;
    const entry *b = pb;
    if (a->file_rank != b->file_rank) {
        return a->file_rank < b->file_rank ? -1 : 1;
    }
    if (a->loc.line != b->loc.line) {
        return a->loc.line < b->loc.line ? -1 : 1;
    }
    if (a->loc.col != b->loc.col) {
        return a->loc.col < b->loc.col ? -1 : 1;
    }
    return a->seq < b->seq ? -1 : (a->seq > b->seq ? 1 : 0);
}

static void sort_entries(rsim_diag *d)
{
    if (!d->sorted) {
        qsort(d->entries.items, d->entries.n, sizeof(entry), entry_cmp);
        d->sorted = true;
    }
}

rsim_severity rsim_diag_severity_at(rsim_diag *d, size_t i)
{
    sort_entries(d);
    return d->entries.items[i].sev;
}

rsim_err rsim_diag_code_at(rsim_diag *d, size_t i)
{
    sort_entries(d);
    return d->entries.items[i].code;
}

rsim_loc rsim_diag_loc_at(rsim_diag *d, size_t i)
{
    sort_entries(d);
    return d->entries.items[i].loc;
}

const char *rsim_diag_message_at(rsim_diag *d, size_t i)
{
    sort_entries(d);
    return d->entries.items[i].message;
}

/* Finds line `line` (1-based) of a source text; returns its start and sets *len. */
static const char *find_line(const source *s, int line, size_t *len)
{
    if (!s->text || line < 1) {
        return NULL;
    }
    const char *p = s->text;
    const char *end = s->text + s->len;
    for (int l = 1; l < line; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            return NULL;
        }
        p = nl + 1;
    }
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    if (n > 0 && p[n - 1] == '\r') {
        n--;
    }
    *len = n;
    return p;
}

static void print_quote(const entry *e, const source *s, FILE *out)
{
    size_t len = 0;
    const char *text = find_line(s, e->loc.line, &len);
    if (!text) {
        return;
    }
    char num[16];
    int w = snprintf(num, sizeof(num), "%d", e->loc.line);
    if (w < 4) {
        w = 4;
    }
    fprintf(out, " %*d | ", w, e->loc.line);
    for (size_t i = 0; i < len; i++) {
        /* Tabs become one space so that the caret lines up with the byte column. */
        fputc(text[i] == '\t' ? ' ' : text[i], out);
    }
    fputc('\n', out);
    if (e->loc.col < 1) {
        return;
    }
    fprintf(out, " %*s | ", w, "");
    for (int c = 1; c < e->loc.col; c++) {
        fputc(' ', out);
    }
    fputc('^', out);
    int span = e->loc.len;
    size_t room = len >= (size_t)e->loc.col ? len - (size_t)e->loc.col + 1 : 1;
    if (span > 1 && (size_t)span > room) {
        span = (int)room;
    }
    for (int i = 1; i < span; i++) {
        fputc('~', out);
    }
    fputc('\n', out);
}

static const char *sev_name(rsim_severity sev)
{
    switch (sev) {
    case RSIM_SEV_ERROR:
        return "error";
    case RSIM_SEV_WARNING:
        return "warning";
    case RSIM_SEV_NOTE:
        return "note";
    }
    return "error";
}

size_t rsim_diag_print(rsim_diag *d, FILE *out)
{
    sort_entries(d);
    for (size_t i = 0; i < d->entries.n; i++) {
        const entry *e = &d->entries.items[i];
        if (e->loc.file && e->loc.line > 0 && e->loc.col > 0) {
            fprintf(out, "%s:%d:%d: ", e->loc.file, e->loc.line, e->loc.col);
        } else if (e->loc.file && e->loc.line > 0) {
            fprintf(out, "%s:%d: ", e->loc.file, e->loc.line);
        } else if (e->loc.file) {
            fprintf(out, "%s: ", e->loc.file);
        }
        fprintf(out, "%s: %s\n", sev_name(e->sev), e->message);
        if (e->loc.file && e->loc.line > 0) {
            print_quote(e, &d->sources.items[e->file_rank], out);
        }
    }
    if (d->n_dropped) {
        fprintf(out, "rollsim: %zu more errors not shown (limit %zu)\n", d->n_dropped,
                d->max_errors);
    }
    return d->entries.n;
}
