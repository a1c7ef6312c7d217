/* engine_int.h - private to the engine module: the engine object, the event log and the
 * operator's view of the Rollout object (the fields the kubectl-argo-rollouts verbs write). */
#ifndef RSIM_ENGINE_INT_H
#define RSIM_ENGINE_INT_H

#include <rsim/engine.h>

#include "evq.h"
#include "scenario.h"
#include "util.h"

typedef enum rsim_log_kind {
    RSIM_LOG_RUN_START,
    RSIM_LOG_RUN_END,
    RSIM_LOG_OPERATOR,
} rsim_log_kind;

/* One processed event, as written to the JSON Lines log. Strings are borrowed from the spec or
 * are static. */
typedef struct rsim_log_entry {
    rsim_time t;
    rsim_log_kind kind;
    rsim_op_kind op;       /* RSIM_LOG_OPERATOR: the verb */
    bool changed;          /* whether the verb changed the Rollout object */
    const char *field;     /* the object field the verb writes ("status.abort"), or NULL */
    const char *value;     /* its new value as text ("true"), or NULL */
    const char *image;     /* setImage/undo: the template image afterwards */
    int64_t revision;      /* setImage/undo: the template revision afterwards */
    int64_t from_revision; /* undo: the revision whose template was restored */
    bool skip_current_step;
    bool skip_all_steps;
    rsim_loc loc; /* the action in the scenario file */
} rsim_log_entry;

/* The Rollout object as the operator's verbs see and write it (semantics §14). Revisions count
 * distinct templates in order of first application, as ReplicaSet revisions do. */
typedef struct rsim_rollout_obj {
    const char *image;           /* spec.template image of the simulated container */
    int64_t revision;            /* revision of the current template */
    RSIM_VEC(const char *) revs; /* revs.items[k] = image of revision k+1 */
    bool paused;                 /* spec.paused */
    bool abort;                  /* status.abort */
    bool promote_full;           /* status.promoteFull */
    rsim_time restart_at;        /* spec.restartAt, -1 when unset */
} rsim_rollout_obj;

struct rsim_result {
    const char *scenario; /* borrowed from the scenario */
    uint64_t seed;
    rsim_time covered; /* simulated time run so far */
    RSIM_VEC(rsim_log_entry) log;
};

struct rsim_engine {
    const rsim_scenario *scn; /* borrowed */
    const rsim_spec *spec;    /* borrowed */
    const rsim_spec_world *world;
    const rsim_spec_rollout *rollout;
    rsim_evq *q; /* owned */
    rsim_rollout_obj obj;
    rsim_result result;
    size_t next_action; /* index into world->actions of the next verb to apply */
    bool ended;
};

/* Operator verbs (operator.c). */
void rsim_engine_operator_init(rsim_rollout_obj *obj, const char *image);
void rsim_engine_operator_fini(rsim_rollout_obj *obj);
/* Applies one action to the object at time now and fills the log entry. */
void rsim_engine_operator_apply(rsim_rollout_obj *obj,
                                const rsim_spec_action *a,
                                rsim_time now,
                                rsim_log_entry *out);

#endif
