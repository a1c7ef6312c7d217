/* schema.c - the checker that walks a YAML tree against the declarative tables of schema.h.
 * Owns the message texts of type, bound, enum, unknown-field, unsupported-field and
 * missing-field errors. Every problem is reported; nothing stops the walk. The recursion follows
 * the tree, whose depth rsim_ynode_parse bounds (64), and is guarded again here. Paths live in
 * one fixed buffer, truncated (never overflowed) when a path is absurdly long. */
#include "schema.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "values.h"

#define SCHEMA_MAX_DEPTH 256
#define SCHEMA_PATH_MAX  1024

typedef struct walker {
    rsim_schema_ctx *ctx;
    char path[SCHEMA_PATH_MAX];
    size_t len;
    int depth;
} walker;

/* ---- reporting ---- */

static void vreport(rsim_schema_ctx *ctx,
                    rsim_err code,
                    const rsim_ynode *at,
                    const char *path,
                    const char *fmt,
                    va_list ap) __attribute__((format(printf, 5, 0)));

static void vreport(rsim_schema_ctx *ctx,
                    rsim_err code,
                    const rsim_ynode *at,
                    const char *path,
                    const char *fmt,
                    va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof(msg), fmt, ap); /* NOLINT(clang-analyzer-valist.Uninitialized) */
    rsim_loc loc = {ctx->file, 0, 0, 0};
    if (at) {
        loc = at->loc;
    }
    rsim_diag_add(ctx->diag, RSIM_SEV_ERROR, code, loc, path, "%s", msg);
    ctx->n_errors++;
}

void rsim_schema_error(
    rsim_schema_ctx *ctx, const rsim_ynode *at, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(ctx, RSIM_ESCHEMA, at, path, fmt, ap);
    va_end(ap);
}

void rsim_schema_unsupported(
    rsim_schema_ctx *ctx, const rsim_ynode *at, const char *path, const char *fmt, ...)
{
    char what[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap); /* NOLINT(clang-analyzer-valist.Uninitialized) */
    va_end(ap);
    rsim_loc loc = {ctx->file, 0, 0, 0};
    if (at) {
        loc = at->loc;
    }
    rsim_diag_add(ctx->diag, RSIM_SEV_ERROR, RSIM_EUNSUPPORTED, loc, path, "not supported yet: %s",
                  what);
    ctx->n_errors++;
}

static void err(walker *w, const rsim_ynode *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void err(walker *w, const rsim_ynode *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(w->ctx, RSIM_ESCHEMA, at, w->path, fmt, ap);
    va_end(ap);
}

/* ---- paths ---- */

static size_t path_push_field(walker *w, const char *name)
{
    size_t saved = w->len;
    int n = snprintf(w->path + w->len, sizeof(w->path) - w->len, "%s%s", w->len ? "." : "", name);
    if (n > 0) {
        w->len += (size_t)n;
        if (w->len >= sizeof(w->path)) {
            w->len = sizeof(w->path) - 1;
        }
    }
    return saved;
}

static size_t path_push_index(walker *w, size_t i)
{
    size_t saved = w->len;
    int n = snprintf(w->path + w->len, sizeof(w->path) - w->len, "[%zu]", i);
    if (n > 0) {
        w->len += (size_t)n;
        if (w->len >= sizeof(w->path)) {
            w->len = sizeof(w->path) - 1;
        }
    }
    return saved;
}

static void path_pop(walker *w, size_t saved)
{
    w->len = saved;
    w->path[saved] = '\0';
}

/* ---- value checks ---- */

static const char *type_what(rsim_ftype t)
{
    switch (t) {
    case RSIM_FT_STRING:
        return "a string";
    case RSIM_FT_BOOL:
        return "a boolean";
    case RSIM_FT_INT:
        return "an integer";
    case RSIM_FT_NUMBER:
        return "a number";
    case RSIM_FT_DURATION:
        return "a duration such as \"30s\" or \"1h30m\"";
    case RSIM_FT_INT_OR_DURATION:
        return "an integer number of seconds or a duration such as \"30s\" or \"1h30m\"";
    case RSIM_FT_INT_OR_PERCENT:
        return "an integer or a percentage such as \"25%\"";
    case RSIM_FT_INT_OR_STRING:
        return "an integer or a string";
    case RSIM_FT_QUANTITY:
        return "a resource quantity such as \"128Mi\" or \"500m\"";
    case RSIM_FT_OBJECT:
    case RSIM_FT_STRING_MAP:
        return "a mapping";
    case RSIM_FT_LIST:
        return "a list";
    case RSIM_FT_ANY:
        return "a value";
    }
    return "a value";
}

static void type_error(walker *w, const rsim_ynode *v, const rsim_schema_field *f, rsim_ftype t)
{
    /* A string of the wrong syntax is shown as written; anything else by its kind. */
    bool show = rsim_ynode_is_string(v) && t != RSIM_FT_STRING && t != RSIM_FT_OBJECT &&
                t != RSIM_FT_LIST && t != RSIM_FT_STRING_MAP && t != RSIM_FT_BOOL &&
                t != RSIM_FT_INT && t != RSIM_FT_NUMBER && v->len <= 64;
    const char *hint = f && f->note && !(f->flags & RSIM_F_UNSUPPORTED) ? f->note : NULL;
    if (show) {
        err(w, v, "expected %s, got '%s'%s%s", type_what(t), v->str, hint ? "; " : "",
            hint ? hint : "");
    } else {
        err(w, v, "expected %s, got %s%s%s", type_what(t), rsim_ynode_describe(v), hint ? "; " : "",
            hint ? hint : "");
    }
}

static void check_int_bounds(walker *w, const rsim_ynode *v, const rsim_schema_field *f, int64_t x)
{
    if (!f || f->min >= f->max) {
        return;
    }
    if (x < f->min || x > f->max) {
        if (f->max == INT64_MAX) {
            err(w, v, "must be at least %" PRId64 ", got %" PRId64, f->min, x);
        } else {
            err(w, v, "must be %" PRId64 "..%" PRId64 ", got %" PRId64, f->min, f->max, x);
        }
    }
}

static void check_enum(walker *w, const rsim_ynode *v, const rsim_schema_field *f)
{
    const char *const *vals = f->enum_values;
    size_t n = 0;
    while (vals[n]) {
        if (strcmp(vals[n], v->str) == 0) {
            return;
        }
        n++;
    }
    char list[512];
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n && used < sizeof(list); i++) {
        int k = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", vals[i]);
        if (k < 0) {
            break;
        }
        used += (size_t)k;
    }
    const char *near = rsim_util_nearest(v->str, vals, n);
    if (near) {
        err(w, v, "must be one of: %s; got '%s'; did you mean '%s'?", list, v->str, near);
    } else {
        err(w, v, "must be one of: %s; got '%s'", list, v->str);
    }
}

static void check_map(walker *w,
                      const rsim_ynode *map,
                      const rsim_schema *schema); /* NOLINT(misc-no-recursion) */

static void check_string_map(walker *w, const rsim_ynode *v)
{
    for (size_t i = 0; i < v->n; i++) {
        const rsim_ynode *val = v->items[i];
        if (rsim_ynode_is_null(val)) {
            continue; /* decodes to "" in Kubernetes */
        }
        if (!rsim_ynode_is_string(val)) {
            size_t saved = path_push_field(w, v->keys[i]->str);
            err(w, val, "expected a string, got %s%s", rsim_ynode_describe(val),
                val->kind == RSIM_YNODE_SCALAR ? " (quote it)" : "");
            path_pop(w, saved);
        }
    }
}

static bool check_quantity(const rsim_ynode *v)
{
    if (rsim_ynode_is_number(v)) {
        return isfinite(rsim_ynode_number(v));
    }
    double q = 0.0;
    return rsim_ynode_is_string(v) && rsim_values_parse_quantity(v->str, &q);
}

/* The string syntaxes and the int-or-something unions. */
static void check_syntax(walker *w, const rsim_ynode *v, const rsim_schema_field *f, rsim_ftype t)
{
    rsim_time d = 0;
    bool pct = false;
    int64_t x = 0;
    bool nonempty = f && (f->flags & RSIM_F_NONEMPTY);
    switch (t) {
    case RSIM_FT_DURATION:
        if (!rsim_ynode_is_string(v) || !rsim_values_parse_duration(v->str, &d)) {
            type_error(w, v, f, t);
        } else if (d < 0) {
            err(w, v, "must not be negative, got '%s'", v->str);
        }
        break;
    case RSIM_FT_INT_OR_DURATION:
        if (rsim_ynode_is_int(v)) {
            check_int_bounds(w, v, f, rsim_ynode_int(v));
        } else if (!rsim_ynode_is_string(v) || !(rsim_values_parse_seconds(v->str, &x) ||
                                                 rsim_values_parse_duration(v->str, &d))) {
            type_error(w, v, f, t);
        } else if (d < 0) {
            err(w, v, "must not be negative, got '%s'", v->str);
        }
        break;
    case RSIM_FT_INT_OR_PERCENT:
        /* intstr: an integer, or a string that must be a percentage ("3" quoted is refused by
         * GetScaledValueFromIntOrPercent, so it is refused here too). */
        if (rsim_ynode_is_int(v)) {
            check_int_bounds(w, v, f, rsim_ynode_int(v));
        } else if (!rsim_ynode_is_string(v) || v->len == 0 || v->str[v->len - 1] != '%' ||
                   !rsim_values_parse_int_or_percent(v->str, &pct, &x)) {
            type_error(w, v, f, t);
        }
        break;
    case RSIM_FT_INT_OR_STRING:
        if (!rsim_ynode_is_int(v) && !rsim_ynode_is_string(v)) {
            type_error(w, v, f, t);
        } else if (nonempty && rsim_ynode_is_string(v) && v->len == 0) {
            err(w, v, "must not be empty");
        }
        break;
    case RSIM_FT_QUANTITY:
        if (!check_quantity(v)) {
            type_error(w, v, f, t);
        }
        break;
    default:
        break;
    }
}

static void check_value(walker *w,
                        const rsim_ynode *v,
                        const rsim_schema_field *f,
                        rsim_ftype t); /* NOLINT(misc-no-recursion) */

/* NOLINTNEXTLINE(misc-no-recursion): bounded like check_map. */
static void check_list(walker *w, const rsim_ynode *v, const rsim_schema_field *f, rsim_ftype t)
{
    bool nonempty = f && (f->flags & RSIM_F_NONEMPTY);
    if (v->kind != RSIM_YNODE_SEQ) {
        type_error(w, v, f, t);
        return;
    }
    if (nonempty && v->n == 0) {
        err(w, v, "must not be empty");
    }
    for (size_t i = 0; i < v->n; i++) {
        size_t saved = path_push_index(w, i);
        if (f && f->elem == RSIM_FT_LIST) {
            /* A list of lists has no element schema of its own; check the shape only. */
            if (v->items[i]->kind != RSIM_YNODE_SEQ) {
                type_error(w, v->items[i], NULL, RSIM_FT_LIST);
            }
        } else if (rsim_ynode_is_null(v->items[i]) && f && f->elem != RSIM_FT_ANY) {
            err(w, v->items[i], "expected %s, got null", type_what(f->elem));
        } else {
            check_value(w, v->items[i], f, f ? f->elem : RSIM_FT_ANY);
        }
        path_pop(w, saved);
    }
}

/* Checks one value of type t (the field's type, or its list element type). */
/* NOLINTNEXTLINE(misc-no-recursion): bounded like check_map. */
static void check_value(walker *w, const rsim_ynode *v, const rsim_schema_field *f, rsim_ftype t)
{
    bool nonempty = f && (f->flags & RSIM_F_NONEMPTY);
    switch (t) {
    case RSIM_FT_STRING:
        if (!rsim_ynode_is_string(v)) {
            type_error(w, v, f, t);
        } else if (nonempty && v->len == 0) {
            err(w, v, "must not be empty");
        } else if (f && f->enum_values) {
            check_enum(w, v, f);
        }
        break;
    case RSIM_FT_BOOL:
        if (!rsim_ynode_is_bool(v)) {
            type_error(w, v, f, t);
        }
        break;
    case RSIM_FT_INT:
        if (!rsim_ynode_is_int(v)) {
            type_error(w, v, f, t);
        } else {
            check_int_bounds(w, v, f, rsim_ynode_int(v));
        }
        break;
    case RSIM_FT_NUMBER:
        if (!rsim_ynode_is_number(v) || !isfinite(rsim_ynode_number(v))) {
            type_error(w, v, f, t);
        } else if (f && f->min < f->max) {
            double y = rsim_ynode_number(v);
            if (y < (double)f->min || y > (double)f->max) {
                err(w, v, "must be %" PRId64 "..%" PRId64 ", got %s", f->min, f->max, v->str);
            }
        }
        break;
    case RSIM_FT_DURATION:
    case RSIM_FT_INT_OR_DURATION:
    case RSIM_FT_INT_OR_PERCENT:
    case RSIM_FT_INT_OR_STRING:
    case RSIM_FT_QUANTITY:
        check_syntax(w, v, f, t);
        break;
    case RSIM_FT_OBJECT:
        if (v->kind != RSIM_YNODE_MAP) {
            type_error(w, v, f, t);
        } else if (f && f->obj) {
            check_map(w, v, f->obj);
        }
        break;
    case RSIM_FT_STRING_MAP:
        if (v->kind != RSIM_YNODE_MAP) {
            type_error(w, v, f, t);
        } else if (nonempty && v->n == 0) {
            err(w, v, "must not be empty");
        } else {
            check_string_map(w, v);
        }
        break;
    case RSIM_FT_LIST:
        check_list(w, v, f, t);
        break;
    case RSIM_FT_ANY:
        break;
    }
}

/* Recursion bounded like check_map. */
static void check_field(walker *w, /* NOLINT(misc-no-recursion) */
                        const rsim_ynode *key,
                        const rsim_ynode *v,
                        const rsim_schema_field *f)
{
    if (rsim_ynode_is_null(v) && (f->type != RSIM_FT_ANY || (f->flags & RSIM_F_UNSUPPORTED))) {
        /* Kubernetes decodes an explicit null as "absent". A required field stays required. */
        if (f->flags & RSIM_F_REQUIRED) {
            err(w, v, "expected %s, got null", type_what(f->type));
        }
        return;
    }
    if (f->flags & RSIM_F_UNSUPPORTED) {
        rsim_schema_unsupported(w->ctx, key, w->path, "%s",
                                f->note ? f->note : "rollsim does not model it");
        return;
    }
    check_value(w, v, f, f->type);
}

/* Recursion bounded by the tree depth (ynode limit 64) and SCHEMA_MAX_DEPTH. */
/* NOLINTNEXTLINE(misc-no-recursion) */
static void check_map(walker *w, const rsim_ynode *map, const rsim_schema *schema)
{
    if (w->depth >= SCHEMA_MAX_DEPTH) {
        err(w, map, "nested too deeply");
        return;
    }
    w->depth++;
    const char *names[128];
    size_t n_names = schema->n_fields < 128 ? schema->n_fields : 128;
    for (size_t i = 0; i < n_names; i++) {
        names[i] = schema->fields[i].name;
    }
    for (size_t i = 0; i < map->n; i++) {
        const rsim_ynode *key = map->keys[i];
        const rsim_schema_field *f = NULL;
        for (size_t j = 0; j < schema->n_fields; j++) {
            if (strlen(schema->fields[j].name) == key->len &&
                memcmp(schema->fields[j].name, key->str, key->len) == 0) {
                f = &schema->fields[j];
                break;
            }
        }
        if (!f) {
            if (schema->open) {
                continue;
            }
            const char *near = rsim_util_nearest(key->str, names, n_names);
            if (near) {
                err(w, key, "unknown field '%s'; did you mean '%s'?", key->str, near);
            } else {
                err(w, key, "unknown field '%s'", key->str);
            }
            continue;
        }
        size_t saved = path_push_field(w, f->name);
        check_field(w, key, map->items[i], f);
        path_pop(w, saved);
    }
    for (size_t j = 0; j < schema->n_fields; j++) {
        const rsim_schema_field *f = &schema->fields[j];
        if ((f->flags & RSIM_F_REQUIRED) && !rsim_ynode_key(map, f->name)) {
            err(w, map, "missing required field '%s'", f->name);
        }
    }
    if (schema->check) {
        char path[SCHEMA_PATH_MAX];
        memcpy(path, w->path, w->len + 1);
        schema->check(w->ctx, map, path);
    }
    w->depth--;
}

bool rsim_schema_check(rsim_schema_ctx *ctx,
                       const rsim_ynode *node,
                       const rsim_schema *schema,
                       const char *path)
{
    walker *w = rsim_xcalloc(1, sizeof(*w));
    w->ctx = ctx;
    snprintf(w->path, sizeof(w->path), "%s", path ? path : "");
    w->len = strlen(w->path);
    size_t before = ctx->n_errors;
    if (!node || node->kind != RSIM_YNODE_MAP) {
        err(w, node, "expected a mapping, got %s", rsim_ynode_describe(node));
    } else {
        check_map(w, node, schema);
    }
    bool ok = ctx->n_errors == before;
    free(w);
    return ok;
}
