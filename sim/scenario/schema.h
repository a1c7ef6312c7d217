/* schema.h - declarative schemas for every document rollsim reads, and the checker that walks a
 * YAML tree against them. Schemas are static const tables (no allocation); the checker reports
 * every problem to the diagnostics sink, with the YAML path and the position of the offending key
 * or value, and never stops at the first one. */
#ifndef RSIM_SCHEMA_H
#define RSIM_SCHEMA_H

#include <rsim/diag.h>

#include "ynode.h"

typedef enum rsim_ftype {
    RSIM_FT_STRING,   /* a string (a plain scalar that reads as a number/bool/null is wrong) */
    RSIM_FT_BOOL,     /* true/false */
    RSIM_FT_INT,      /* an integer, within [min, max] */
    RSIM_FT_NUMBER,   /* a float or integer, within [min, max] when min < max */
    RSIM_FT_DURATION, /* a Go duration string: "30s", "1h30m" (Argo DurationString) */
    RSIM_FT_INT_OR_DURATION, /* integer seconds, or a duration string, or a numeric string
                                (Argo pause.duration, an IntOrString) */
    RSIM_FT_INT_OR_PERCENT,  /* integer or "NN%" (maxSurge, maxUnavailable) */
    RSIM_FT_INT_OR_STRING,   /* integer or any string (ports: targetPort) */
    RSIM_FT_QUANTITY,        /* a resource quantity: "128Mi", "500m", 2 */
    RSIM_FT_OBJECT,          /* a mapping checked against `obj` */
    RSIM_FT_LIST,            /* a sequence; each item checked as `elem` (with `obj` for objects) */
    RSIM_FT_STRING_MAP,      /* a mapping of string keys to string values (labels, annotations) */
    RSIM_FT_ANY,             /* any YAML value, not inspected (opaque content passed through) */
} rsim_ftype;

/* Field flags. */
#define RSIM_F_REQUIRED    0x1u /* must be present */
#define RSIM_F_UNSUPPORTED 0x2u /* recognised, but rejected: "not supported yet" + note */
#define RSIM_F_NO_EFFECT   0x4u /* accepted and checked; has no effect on the simulation */
#define RSIM_F_NONEMPTY    0x8u /* strings, lists and maps must not be empty */

typedef struct rsim_schema rsim_schema;
typedef struct rsim_schema_ctx rsim_schema_ctx;

/* A hook run after a mapping's fields were checked, for rules across fields ("at most one of
 * setWeight, pause, experiment, analysis"). path is the YAML path of the mapping. */
typedef void rsim_schema_check_fn(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path);

typedef struct rsim_schema_field {
    const char *name;
    rsim_ftype type;
    rsim_ftype elem;                /* for RSIM_FT_LIST: the item type */
    const rsim_schema *obj;         /* for OBJECT, or LIST of OBJECT */
    unsigned flags;                 /* RSIM_F_* */
    int64_t min, max;               /* INT/NUMBER bounds when min < max */
    const char *const *enum_values; /* STRING: allowed values, NULL-terminated; NULL = any */
    const char *note;               /* UNSUPPORTED: why and where ("§14.7 workloadRef");
                                       otherwise a hint appended to type errors */
} rsim_schema_field;

struct rsim_schema {
    const char *name; /* "Rollout.spec", for messages and docs */
    const rsim_schema_field *fields;
    size_t n_fields;
    rsim_schema_check_fn *check; /* optional cross-field rule */
    bool open;                   /* true: unknown keys allowed (e.g. a free-form map) */
};

#define RSIM_SCHEMA_FIELDS(arr) (arr), (sizeof(arr) / sizeof((arr)[0]))

struct rsim_schema_ctx {
    rsim_diag *diag;
    const char *file; /* borrowed */
    size_t n_errors;  /* errors reported through this context */
    void *user;       /* borrowed; for check hooks */
};

/* Checks `node` against `schema` (a mapping is expected), reporting to ctx->diag with paths
 * under `path` ("spec"). Unknown keys get "unknown field 'x'" with the nearest known name as a
 * suggestion; unsupported fields get "'x' is not supported yet (note)". Returns true when no
 * error was found. */
bool rsim_schema_check(rsim_schema_ctx *ctx,
                       const rsim_ynode *node,
                       const rsim_schema *schema,
                       const char *path);

/* Reports one error at a node, with the same format as the checker. Used by check hooks and by
 * the builders for rules a table cannot express. */
void rsim_schema_error(rsim_schema_ctx *ctx,
                       const rsim_ynode *at,
                       const char *path,
                       const char *fmt,
                       ...) __attribute__((format(printf, 4, 5)));

/* Reports one "not supported yet: <what>" error (code RSIM_EUNSUPPORTED) at a node, the way the
 * checker reports RSIM_F_UNSUPPORTED fields. fmt gives <what>, with its section reference. */
void rsim_schema_unsupported(rsim_schema_ctx *ctx,
                             const rsim_ynode *at,
                             const char *path,
                             const char *fmt,
                             ...) __attribute__((format(printf, 4, 5)));

/* The schemas of the documents rollsim reads (defined in schema_*.c). */
extern const rsim_schema rsim_schema_rollout;                   /* argoproj.io Rollout */
extern const rsim_schema rsim_schema_analysis_template;         /* AnalysisTemplate */
extern const rsim_schema rsim_schema_cluster_analysis_template; /* ClusterAnalysisTemplate */
extern const rsim_schema rsim_schema_service;                   /* v1 Service */
extern const rsim_schema rsim_schema_world;                     /* rollsim Scenario */
/* Shared parts (defined in schema_rollout.c). */
extern const rsim_schema rsim_schema_object_meta;       /* metadata of any object */
extern const rsim_schema rsim_schema_pod_template_spec; /* a pod template */

#endif
