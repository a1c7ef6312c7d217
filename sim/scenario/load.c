/* load.c - documents to a scenario: reads files (and the manifests a Scenario lists), parses
 * them, dispatches each document by apiVersion and kind to its schema check and builder, and
 * runs the cross-document checks. Every problem of every file is reported before returning;
 * on error nothing of the scenario survives. Start at load_all. */
/* realpath() is XSI, not in the base POSIX set the build selects. */
#define _XOPEN_SOURCE 700 /* NOLINT(readability-identifier-naming) */

#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario_int.h"

#define LOAD_MAX_FILE_BYTES ((size_t)16 << 20)
#define LOAD_MAX_PATH       4096

/* The document kinds rollsim models. */
typedef enum doc_type {
    DOC_ROLLOUT,
    DOC_TEMPLATE,
    DOC_CLUSTER_TEMPLATE,
    DOC_SERVICE,
    DOC_SCENARIO,
} doc_type;

typedef struct known_kind {
    const char *kind;
    const char *api_version;
    doc_type type;
} known_kind;

static const known_kind known_kinds[] = {
    {"Rollout", "argoproj.io/v1alpha1", DOC_ROLLOUT},
    {"AnalysisTemplate", "argoproj.io/v1alpha1", DOC_TEMPLATE},
    {"ClusterAnalysisTemplate", "argoproj.io/v1alpha1", DOC_CLUSTER_TEMPLATE},
    {"Service", "v1", DOC_SERVICE},
    {RSIM_SCENARIO_KIND, RSIM_SCENARIO_API_VERSION, DOC_SCENARIO},
};

/* A loaded object's identity, for "defined twice" errors. */
typedef struct ident {
    const char *kind;
    const char *ns;
    const char *name;
    rsim_loc loc;
} ident;

/* A file to read: given by the caller, or listed by a Scenario (from is then the list item). */
typedef struct pending {
    char *path;       /* owned */
    const char *text; /* borrowed, for load_string; NULL = read the file */
    size_t len;
} pending;

typedef struct loader {
    rsim_scenario *scn;
    rsim_diag *diag;
    rsim_scenario_mode mode;
    RSIM_VEC(pending) queue;
    RSIM_VEC(char *) seen; /* realpaths of files already queued (owned) */
    RSIM_VEC(rsim_spec_rollout) rollouts;
    RSIM_VEC(rsim_spec_analysis_template) templates;
    RSIM_VEC(rsim_spec_service) services;
    RSIM_VEC(rsim_spec_skipped) skipped;
    RSIM_VEC(const char *) files;
    RSIM_VEC(ident) idents;
    const rsim_spec_world *world;
    rsim_loc world_loc; /* kind value of the first Scenario document */
    bool have_world;
    bool io_failed;
    bool parse_failed;
    const char *first_file;
} loader;

/* ---- small helpers ---- */

static const char *str_field(const rsim_ynode *map, const char *key)
{
    const rsim_ynode *v = rsim_ynode_get(map, key);
    return v && rsim_ynode_is_string(v) ? v->str : NULL;
}

static void error_at(loader *l, rsim_loc loc, rsim_err code, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void error_at(loader *l, rsim_loc loc, rsim_err code, const char *path, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap); /* NOLINT(clang-analyzer-valist.Uninitialized) */
    va_end(ap);
    rsim_diag_add(l->diag, RSIM_SEV_ERROR, code, loc, path, "%s", msg);
}

/* The directory part of a path as the user typed it; "." when there is none. */
static char *dir_of(rsim_arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        return rsim_arena_strdup(a, ".");
    }
    if (slash == path) {
        return rsim_arena_strdup(a, "/");
    }
    return rsim_arena_strndup(a, path, (size_t)(slash - path));
}

/* dir joined with rel, lightly normalised: no "./" prefixes, no doubled slashes. The result is
 * what the user would type from the current directory. Heap-allocated. */
static char *join_path(const char *dir, const char *rel)
{
    while (rel[0] == '.' && rel[1] == '/') {
        rel += 2;
        while (*rel == '/') {
            rel++;
        }
    }
    rsim_buf b;
    rsim_buf_init(&b, (size_t)LOAD_MAX_PATH * 2);
    if (rel[0] != '/' && strcmp(dir, ".") != 0) {
        (void)rsim_buf_puts(&b, dir);
        if (b.len == 0 || b.data[b.len - 1] != '/') {
            (void)rsim_buf_puts(&b, "/");
        }
    }
    (void)rsim_buf_puts(&b, *rel ? rel : ".");
    /* Collapse "//" runs. */
    size_t j = 0;
    for (size_t i = 0; i < b.len; i++) {
        if (b.data[i] == '/' && j > 0 && b.data[j - 1] == '/') {
            continue;
        }
        b.data[j++] = b.data[i];
    }
    b.data[j] = '\0';
    return b.data;
}

/* Queues a file unless the same file (by realpath) was queued before. */
static void enqueue(loader *l, const char *path, const char *text, size_t len)
{
    if (!text) {
        char *real = realpath(path, NULL);
        if (real) {
            for (size_t i = 0; i < l->seen.n; i++) {
                if (strcmp(l->seen.items[i], real) == 0) {
                    free(real);
                    return;
                }
            }
            RSIM_VEC_PUSH(l->seen, real);
        }
    }
    pending p = {rsim_xstrdup(path), text, len};
    RSIM_VEC_PUSH(l->queue, p);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool has_yaml_ext(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

/* Queues every *.yaml / *.yml of a folder, sorted by name, not recursive. */
static void enqueue_dir(loader *l, const char *dir, const rsim_ynode *item, const char *ypath)
{
    DIR *d = opendir(dir);
    if (!d) {
        error_at(l, item->loc, RSIM_EIO, ypath, "cannot open folder '%s'", dir);
        l->io_failed = true;
        return;
    }
    RSIM_VEC(char *) names = {0};
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.' && has_yaml_ext(e->d_name)) {
            RSIM_VEC_PUSH(names, rsim_xstrdup(e->d_name));
        }
    }
    closedir(d);
    if (names.n > 1) {
        qsort(names.items, names.n, sizeof(char *), cmp_str);
    }
    for (size_t i = 0; i < names.n; i++) {
        char *p = join_path(dir, names.items[i]);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
            enqueue(l, p, NULL, 0);
        }
        free(p);
        free(names.items[i]);
    }
    free(names.items);
}

/* spec.manifests of a Scenario document: paths relative to the Scenario file's directory. */
static void enqueue_manifests(loader *l, const rsim_ynode *doc, const char *dir)
{
    const rsim_ynode *list = rsim_ynode_get(rsim_ynode_get(doc, "spec"), "manifests");
    if (!list || list->kind != RSIM_YNODE_SEQ) {
        return; /* absent, or a type error the Scenario schema reports */
    }
    for (size_t i = 0; i < list->n; i++) {
        const rsim_ynode *item = list->items[i];
        if (!rsim_ynode_is_string(item) || item->len == 0 || item->len > LOAD_MAX_PATH ||
            strlen(item->str) != item->len) {
            continue; /* the schema reports it */
        }
        char ypath[64];
        snprintf(ypath, sizeof(ypath), "spec.manifests[%zu]", i);
        char *p = join_path(dir, item->str);
        struct stat st;
        if (stat(p, &st) != 0) {
            error_at(l, item->loc, RSIM_ESCHEMA, ypath, "no such file or folder '%s'", p);
        } else if (S_ISDIR(st.st_mode)) {
            enqueue_dir(l, p, item, ypath);
        } else if (!S_ISREG(st.st_mode)) {
            /* A FIFO or device could block or never end. */
            error_at(l, item->loc, RSIM_ESCHEMA, ypath, "'%s' is not a regular file or a folder",
                     p);
        } else {
            enqueue(l, p, NULL, 0);
        }
        free(p);
    }
}

/* ---- per document ---- */

/* Reports a second object of the same kind, namespace and name; returns true when it is one. */
static bool check_duplicate(loader *l, const char *kind, const rsim_ynode *doc)
{
    const rsim_ynode *meta = rsim_ynode_get(doc, "metadata");
    const rsim_ynode *name = rsim_ynode_get(meta, "name");
    if (!name || !rsim_ynode_is_string(name)) {
        return false;
    }
    const char *ns = str_field(meta, "namespace");
    ns = ns ? ns : "";
    for (size_t i = 0; i < l->idents.n; i++) {
        const ident *id = &l->idents.items[i];
        if (strcmp(id->kind, kind) == 0 && strcmp(id->name, name->str) == 0 &&
            strcmp(id->ns, ns) == 0) {
            if (strcmp(id->loc.file, name->loc.file) == 0) {
                error_at(l, name->loc, RSIM_ESCHEMA, "metadata.name",
                         "duplicate %s '%s' (first at line %d)", kind, name->str, id->loc.line);
            } else {
                error_at(l, name->loc, RSIM_ESCHEMA, "metadata.name",
                         "duplicate %s '%s' (first at %s:%d)", kind, name->str, id->loc.file,
                         id->loc.line);
            }
            return true;
        }
    }
    ident id = {kind, ns, name->str, name->loc};
    RSIM_VEC_PUSH(l->idents, id);
    return false;
}

static const rsim_schema *schema_of(doc_type t)
{
    switch (t) {
    case DOC_ROLLOUT:
        return &rsim_schema_rollout;
    case DOC_TEMPLATE:
        return &rsim_schema_analysis_template;
    case DOC_CLUSTER_TEMPLATE:
        return &rsim_schema_cluster_analysis_template;
    case DOC_SERVICE:
        return &rsim_schema_service;
    case DOC_SCENARIO:
        return &rsim_schema_world;
    }
    return NULL;
}

static void build(loader *l, rsim_build_ctx *ctx, doc_type t, const rsim_ynode *doc)
{
    rsim_arena *a = &l->scn->arena;
    switch (t) {
    case DOC_ROLLOUT: {
        rsim_spec_rollout r;
        memset(&r, 0, sizeof(r));
        if (rsim_scenario_build_rollout(ctx, doc, &r)) {
            RSIM_VEC_PUSH(l->rollouts, r);
        }
        break;
    }
    case DOC_TEMPLATE:
    case DOC_CLUSTER_TEMPLATE: {
        rsim_spec_analysis_template at;
        memset(&at, 0, sizeof(at));
        if (rsim_scenario_build_analysis_template(ctx, doc, t == DOC_CLUSTER_TEMPLATE, &at)) {
            RSIM_VEC_PUSH(l->templates, at);
        }
        break;
    }
    case DOC_SERVICE: {
        rsim_spec_service s;
        memset(&s, 0, sizeof(s));
        if (rsim_scenario_build_service(ctx, doc, &s)) {
            RSIM_VEC_PUSH(l->services, s);
        }
        break;
    }
    case DOC_SCENARIO: {
        rsim_spec_world *w = rsim_arena_alloc(a, sizeof(*w));
        if (rsim_scenario_build_world(ctx, doc, w) && !l->world) {
            l->world = w;
        }
        break;
    }
    }
}

static void
skip_document(loader *l, const rsim_ynode *doc, const rsim_ynode *api, const rsim_ynode *kind)
{
    const char *name = str_field(rsim_ynode_get(doc, "metadata"), "name");
    rsim_spec_skipped s;
    s.api_version = api->str;
    s.kind = kind->str;
    s.name = name ? name : "";
    s.loc = kind->loc;
    RSIM_VEC_PUSH(l->skipped, s);
    if (name) {
        rsim_diag_add(l->diag, RSIM_SEV_NOTE, RSIM_OK, kind->loc, NULL,
                      "skipped %s '%s': rollsim does not model this kind", kind->str, name);
    } else {
        rsim_diag_add(l->diag, RSIM_SEV_NOTE, RSIM_OK, kind->loc, NULL,
                      "skipped %s: rollsim does not model this kind", kind->str);
    }
}

/* Checks that a document is a mapping with string apiVersion and kind; reports it otherwise. */
static bool doc_header(loader *l,
                       const rsim_ynode *doc,
                       const char *path,
                       const rsim_ynode **api_out,
                       const rsim_ynode **kind_out)
{
    if (doc->kind != RSIM_YNODE_MAP) {
        error_at(l, doc->loc, RSIM_ESCHEMA, path,
                 "expected a Kubernetes object (a mapping with apiVersion and kind), got %s",
                 rsim_ynode_describe(doc));
        return false;
    }
    const rsim_ynode *api = rsim_ynode_get(doc, "apiVersion");
    const rsim_ynode *kind = rsim_ynode_get(doc, "kind");
    bool bad = false;
    if (!api || !kind) {
        error_at(l, doc->loc, RSIM_ESCHEMA, path, "missing required field '%s'",
                 !api && !kind ? "apiVersion' and 'kind" : (!api ? "apiVersion" : "kind"));
        bad = true;
    }
    char sub[96];
    if (api && !rsim_ynode_is_string(api)) {
        snprintf(sub, sizeof(sub), "%s%sapiVersion", path, *path ? "." : "");
        error_at(l, api->loc, RSIM_ESCHEMA, sub, "expected a string, got %s",
                 rsim_ynode_describe(api));
        bad = true;
    }
    if (kind && !rsim_ynode_is_string(kind)) {
        snprintf(sub, sizeof(sub), "%s%skind", path, *path ? "." : "");
        error_at(l, kind->loc, RSIM_ESCHEMA, sub, "expected a string, got %s",
                 rsim_ynode_describe(kind));
        bad = true;
    }
    *api_out = api;
    *kind_out = kind;
    return !bad;
}

static void
load_document(loader *l, /* NOLINT(misc-no-recursion): a List inside a List is refused */
              const rsim_ynode *doc,
              const char *file,
              const char *dir,
              const char *path,
              bool in_list);

/* NOLINTNEXTLINE(misc-no-recursion): one level only, as a List inside a List is refused. */
static void load_list(loader *l, const rsim_ynode *doc, const char *file, const char *dir)
{
    const rsim_ynode *items = rsim_ynode_get(doc, "items");
    if (!items || rsim_ynode_is_null(items)) {
        return;
    }
    if (items->kind != RSIM_YNODE_SEQ) {
        error_at(l, items->loc, RSIM_ESCHEMA, "items", "expected a list, got %s",
                 rsim_ynode_describe(items));
        return;
    }
    for (size_t i = 0; i < items->n; i++) {
        char path[64];
        snprintf(path, sizeof(path), "items[%zu]", i);
        load_document(l, items->items[i], file, dir, path, true);
    }
}

/* NOLINTNEXTLINE(misc-no-recursion): one level only (see load_list). */
static void load_document(loader *l,
                          const rsim_ynode *doc,
                          const char *file,
                          const char *dir,
                          const char *path,
                          bool in_list)
{
    const rsim_ynode *api = NULL;
    const rsim_ynode *kind = NULL;
    if (!doc_header(l, doc, path, &api, &kind)) {
        return;
    }
    char sub[96];
    if (strcmp(kind->str, "List") == 0 && strcmp(api->str, "v1") == 0) {
        if (in_list) {
            error_at(l, kind->loc, RSIM_ESCHEMA, path, "a List inside a List is not allowed");
        } else {
            load_list(l, doc, file, dir);
        }
        return;
    }
    const known_kind *k = NULL;
    for (size_t i = 0; i < sizeof(known_kinds) / sizeof(known_kinds[0]); i++) {
        if (strcmp(known_kinds[i].kind, kind->str) == 0) {
            k = &known_kinds[i];
        }
    }
    if (!k) {
        skip_document(l, doc, api, kind);
        return;
    }
    if (strcmp(k->api_version, api->str) != 0) {
        snprintf(sub, sizeof(sub), "%s%sapiVersion", path, *path ? "." : "");
        error_at(l, api->loc, RSIM_ESCHEMA, sub, "expected '%s' for kind %s, got '%s'",
                 k->api_version, k->kind, api->str);
        return;
    }
    if (k->type == DOC_SCENARIO) {
        if (l->have_world) {
            if (strcmp(l->world_loc.file, file) == 0) {
                error_at(l, kind->loc, RSIM_ESCHEMA, path,
                         "a second Scenario document (first at line %d); rollsim runs exactly one",
                         l->world_loc.line);
            } else {
                error_at(l, kind->loc, RSIM_ESCHEMA, path,
                         "a second Scenario document (first at %s:%d); rollsim runs exactly one",
                         l->world_loc.file, l->world_loc.line);
            }
            return;
        }
        l->have_world = true;
        l->world_loc = kind->loc;
        enqueue_manifests(l, doc, dir);
    }
    check_duplicate(l, k->kind, doc);
    rsim_build_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.sc.diag = l->diag;
    ctx.sc.file = file;
    ctx.arena = &l->scn->arena;
    ctx.dir = dir;
    bool ok = rsim_schema_check(&ctx.sc, doc, schema_of(k->type), path);
    const rsim_ynode *restart_at =
        k->type == DOC_ROLLOUT ? rsim_ynode_key(rsim_ynode_get(doc, "spec"), "restartAt") : NULL;
    if (ok && restart_at != NULL) {
        /* `rollsim reconcile` reads it; a scenario's clock has no date to compare it with. */
        rsim_schema_unsupported(&ctx.sc, restart_at, "spec.restartAt",
                                "a scenario has no wall-clock date; restart the pods with a "
                                "`restart` action at a time of the timeline (§14.6)");
        ok = false;
    }
    if (ok) {
        build(l, &ctx, k->type, doc);
    }
    l->scn->n_documents++;
}

static void load_one(loader *l, const pending *p)
{
    rsim_arena *a = &l->scn->arena;
    const char *text = p->text;
    size_t len = p->len;
    rsim_buf b;
    rsim_buf_init(&b, LOAD_MAX_FILE_BYTES);
    if (!text) {
        if (rsim_buf_read_file(&b, p->path, l->diag) != RSIM_OK) {
            l->io_failed = true;
            rsim_buf_fini(&b);
            return;
        }
        text = b.data;
        len = b.len;
    }
    rsim_yfile *yf = NULL;
    rsim_err err = rsim_ynode_parse(a, p->path, text, len, l->diag, &yf);
    rsim_buf_fini(&b);
    if (err != RSIM_OK) {
        l->parse_failed = true;
        return;
    }
    RSIM_VEC_PUSH(l->files, yf->path);
    const char *dir = dir_of(a, yf->path);
    for (size_t i = 0; i < yf->n_docs; i++) {
        if (yf->docs[i].root) {
            load_document(l, yf->docs[i].root, yf->path, dir, "", false);
        }
    }
}

/* Copies a heap vector into the arena (so the scenario owns it) and frees the vector. */
static const void *to_arena(rsim_arena *a, void *items, size_t n, size_t size)
{
    void *p = NULL;
    if (n > 0) {
        p = rsim_arena_alloc(a, n * size);
        memcpy(p, items, n * size);
    }
    free(items);
    return p;
}

static size_t count_code(rsim_diag *d, rsim_err code)
{
    size_t n = 0;
    for (size_t i = 0; i < rsim_diag_count(d); i++) {
        if (rsim_diag_severity_at(d, i) == RSIM_SEV_ERROR && rsim_diag_code_at(d, i) == code) {
            n++;
        }
    }
    return n;
}

static void free_loader(loader *l)
{
    for (size_t i = 0; i < l->queue.n; i++) {
        free(l->queue.items[i].path);
    }
    for (size_t i = 0; i < l->seen.n; i++) {
        free(l->seen.items[i]);
    }
    free(l->queue.items);
    free(l->seen.items);
    free(l->rollouts.items);
    free(l->templates.items);
    free(l->services.items);
    free(l->skipped.items);
    free(l->files.items);
    free(l->idents.items);
}

/* The whole load: the queue starts with the caller's files and grows with manifests. */
static rsim_err load_all(loader *l, rsim_scenario **out)
{
    size_t errors_before = rsim_diag_error_count(l->diag);
    size_t parse_before = count_code(l->diag, RSIM_EPARSE);
    size_t unsup_before = count_code(l->diag, RSIM_EUNSUPPORTED);
    for (size_t i = 0; i < l->queue.n; i++) {
        pending p = l->queue.items[i]; /* copied: the queue may grow while loading */
        load_one(l, &p);
    }
    rsim_scenario *s = l->scn;
    rsim_arena *a = &s->arena;
    s->spec.world = l->world;
    s->spec.n_rollouts = l->rollouts.n;
    s->spec.rollouts = to_arena(a, l->rollouts.items, l->rollouts.n, sizeof(rsim_spec_rollout));
    s->spec.n_templates = l->templates.n;
    s->spec.templates =
        to_arena(a, l->templates.items, l->templates.n, sizeof(rsim_spec_analysis_template));
    s->spec.n_services = l->services.n;
    s->spec.services = to_arena(a, l->services.items, l->services.n, sizeof(rsim_spec_service));
    s->spec.n_skipped = l->skipped.n;
    s->spec.skipped = to_arena(a, l->skipped.items, l->skipped.n, sizeof(rsim_spec_skipped));
    s->spec.n_files = l->files.n;
    s->spec.files = to_arena(a, (void *)l->files.items, l->files.n, sizeof(const char *));
    l->rollouts.items = NULL;
    l->templates.items = NULL;
    l->services.items = NULL;
    l->skipped.items = NULL;
    l->files.items = NULL;

    bool read_all = !l->io_failed && !l->parse_failed;
    if (l->mode == RSIM_SCENARIO_RUN && !l->have_world && read_all) {
        rsim_loc loc = {l->first_file, 0, 0, 0};
        error_at(l, loc, RSIM_ESCHEMA, NULL,
                 "no Scenario document (kind: Scenario); `rollsim validate` checks Argo objects "
                 "alone");
    }
    if (read_all) {
        rsim_build_ctx ctx;
        memset(&ctx, 0, sizeof(ctx));
        ctx.sc.diag = l->diag;
        ctx.sc.file = l->first_file;
        ctx.arena = a;
        ctx.dir = ".";
        (void)rsim_scenario_check_rollout_refs(&ctx, &s->spec);
        (void)rsim_scenario_check_world_refs(&ctx, &s->spec, l->mode);
        rsim_scenario_check_query_series(&ctx, &s->spec);
    }
    free_loader(l);

    size_t errors = rsim_diag_error_count(l->diag) - errors_before;
    if (errors == 0) {
        *out = s;
        return RSIM_OK;
    }
    size_t parse = count_code(l->diag, RSIM_EPARSE) - parse_before;
    size_t unsup = count_code(l->diag, RSIM_EUNSUPPORTED) - unsup_before;
    rsim_scenario_free(s);
    if (l->io_failed) {
        return RSIM_EIO;
    }
    if (l->parse_failed || parse > 0) {
        return RSIM_EPARSE;
    }
    return unsup == errors ? RSIM_EUNSUPPORTED : RSIM_ESCHEMA;
}

static void loader_init(loader *l, rsim_scenario_mode mode, rsim_diag *diag)
{
    memset(l, 0, sizeof(*l));
    l->scn = rsim_xcalloc(1, sizeof(*l->scn));
    rsim_arena_init(&l->scn->arena);
    l->diag = diag;
    l->mode = mode;
}

rsim_err rsim_scenario_load_files(const char *const *paths,
                                  size_t n_paths,
                                  rsim_scenario_mode mode,
                                  rsim_diag *diag,
                                  rsim_scenario **out)
{
    *out = NULL;
    if (n_paths == 0) {
        rsim_loc loc = {NULL, 0, 0, 0};
        rsim_diag_add(diag, RSIM_SEV_ERROR, RSIM_EINVAL, loc, NULL, "no files to load");
        return RSIM_EINVAL;
    }
    loader l;
    loader_init(&l, mode, diag);
    l.first_file = rsim_arena_strdup(&l.scn->arena, paths[0]);
    for (size_t i = 0; i < n_paths; i++) {
        enqueue(&l, paths[i], NULL, 0);
    }
    return load_all(&l, out);
}

rsim_err rsim_scenario_load_string(const char *name,
                                   const char *text,
                                   size_t len,
                                   rsim_scenario_mode mode,
                                   rsim_diag *diag,
                                   rsim_scenario **out)
{
    *out = NULL;
    loader l;
    loader_init(&l, mode, diag);
    l.first_file = rsim_arena_strdup(&l.scn->arena, name);
    enqueue(&l, name, text, len);
    return load_all(&l, out);
}

rsim_err rsim_scenario_load_default(rsim_diag *diag, rsim_scenario **out)
{
    return rsim_scenario_load_string("<built-in default.yaml>", rsim_scenario_default_text,
                                     rsim_scenario_default_text_len, RSIM_SCENARIO_RUN, diag, out);
}

const char *rsim_scenario_default_source(size_t *len)
{
    if (len) {
        *len = rsim_scenario_default_text_len;
    }
    return rsim_scenario_default_text;
}

void rsim_scenario_free(rsim_scenario *s)
{
    if (!s) {
        return;
    }
    rsim_arena_fini(&s->arena);
    free(s);
}

const char *rsim_scenario_name(const rsim_scenario *s)
{
    if (s->spec.world && s->spec.world->name) {
        return s->spec.world->name;
    }
    if (s->spec.n_rollouts > 0 && s->spec.rollouts[0].name) {
        return s->spec.rollouts[0].name;
    }
    return "";
}

uint64_t rsim_scenario_seed(const rsim_scenario *s)
{
    return s->spec.world ? s->spec.world->seed : 0;
}

rsim_time rsim_scenario_duration(const rsim_scenario *s)
{
    return s->spec.world ? s->spec.world->duration : 0;
}

size_t rsim_scenario_document_count(const rsim_scenario *s)
{
    return s->n_documents;
}
