/* buf.c - growable byte buffers with a size cap, and whole-file reads.
 * Invariant: data is NUL-terminated whenever it is non-NULL; len never exceeds max_bytes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void rsim_buf_init(rsim_buf *b, size_t max_bytes)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max_bytes = max_bytes;
}

void rsim_buf_fini(rsim_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void rsim_buf_reset(rsim_buf *b)
{
    b->len = 0;
    if (b->data) {
        b->data[0] = '\0';
    }
}

static rsim_err reserve(rsim_buf *b, size_t extra)
{
    if (extra > b->max_bytes || b->len > b->max_bytes - extra) {
        return RSIM_ELIMIT;
    }
    size_t need = b->len + extra + 1;
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < need) {
            cap *= 2;
        }
        b->data = rsim_xrealloc(b->data, cap);
        b->cap = cap;
    }
    return RSIM_OK;
}

rsim_err rsim_buf_append(rsim_buf *b, const void *data, size_t len)
{
    rsim_err err = reserve(b, len);
    if (err) {
        return err;
    }
    if (len) {
        memcpy(b->data + b->len, data, len);
    }
    b->len += len;
    b->data[b->len] = '\0';
    return RSIM_OK;
}

rsim_err rsim_buf_puts(rsim_buf *b, const char *s)
{
    return rsim_buf_append(b, s, strlen(s));
}

rsim_err rsim_buf_vprintf(rsim_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        rsim_panic("bad format string %s", fmt);
    }
    rsim_err err = reserve(b, (size_t)n);
    if (err) {
        return err;
    }
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return RSIM_OK;
}

rsim_err rsim_buf_printf(rsim_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rsim_err err = rsim_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return err;
}

rsim_err rsim_buf_read_file(rsim_buf *b, const char *path, rsim_diag *diag)
{
    rsim_loc loc = {path, 0, 0, 0};
    FILE *f = fopen(path, "rb");
    if (!f) {
        rsim_diag_add(diag, RSIM_SEV_ERROR, RSIM_EIO, loc, NULL, "cannot open: %s",
                      strerror(errno));
        return RSIM_EIO;
    }
    rsim_err err = RSIM_OK;
    char chunk[8192];
    for (;;) {
        size_t n = fread(chunk, 1, sizeof(chunk), f);
        if (n > 0 && rsim_buf_append(b, chunk, n) != RSIM_OK) {
            rsim_diag_add(diag, RSIM_SEV_ERROR, RSIM_ELIMIT, loc, NULL,
                          "file is larger than the limit of %zu bytes", b->max_bytes);
            err = RSIM_ELIMIT;
            break;
        }
        if (n < sizeof(chunk)) {
            if (ferror(f)) {
                rsim_diag_add(diag, RSIM_SEV_ERROR, RSIM_EIO, loc, NULL, "cannot read: %s",
                              strerror(errno));
                err = RSIM_EIO;
            }
            break;
        }
    }
    fclose(f);
    if (err == RSIM_OK && !b->data) {
        err = rsim_buf_append(b, "", 0);
    }
    return err;
}
