/* operator.c - the kubectl-argo-rollouts verbs as writes to the Rollout object (semantics §14).
 * Each verb changes only the fields the real plugin patches; what the controller then does with
 * them (§11-§14) belongs to the reconciler. */
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

void rsim_engine_operator_init(rsim_rollout_obj *obj, const char *image)
{
    memset(obj, 0, sizeof(*obj));
    obj->image = image;
    obj->revision = 1;
    RSIM_VEC_PUSH(obj->revs, image);
    obj->restart_at = -1;
}

void rsim_engine_operator_fini(rsim_rollout_obj *obj)
{
    free(obj->revs.items);
    obj->revs.items = NULL;
}

/* Makes `image` the template; a template seen before keeps its revision number, as a ReplicaSet
 * that already exists for that template is reused. Returns whether the template changed. */
static bool set_template(rsim_rollout_obj *obj, const char *image)
{
    if (strcmp(obj->image, image) == 0) {
        return false;
    }
    obj->image = image;
    for (size_t k = 0; k < obj->revs.n; k++) {
        if (strcmp(obj->revs.items[k], image) == 0) {
            obj->revision = (int64_t)k + 1;
            return true;
        }
    }
    RSIM_VEC_PUSH(obj->revs, image);
    obj->revision = (int64_t)obj->revs.n;
    return true;
}

/* Writes one boolean field; returns whether it changed. */
static bool set_flag(bool *field, bool value)
{
    bool changed = *field != value;
    *field = value;
    return changed;
}

static void apply_undo(rsim_rollout_obj *obj, const rsim_spec_action *a, rsim_log_entry *out)
{
    /* Without --to-revision, undo goes back to the revision before the current one. */
    int64_t target = a->to_revision > 0 ? a->to_revision : obj->revision - 1;
    if (target < 1 || target > (int64_t)obj->revs.n || target == obj->revision) {
        out->changed = false;
        out->from_revision = target;
        return;
    }
    out->from_revision = target;
    out->changed = set_template(obj, obj->revs.items[target - 1]);
}

void rsim_engine_operator_apply(rsim_rollout_obj *obj,
                                const rsim_spec_action *a,
                                rsim_time now,
                                rsim_log_entry *out)
{
    memset(out, 0, sizeof(*out));
    out->t = now;
    out->kind = RSIM_LOG_OPERATOR;
    out->op = a->kind;
    out->loc = a->loc;
    switch (a->kind) {
    case RSIM_OP_SET_IMAGE:
        out->changed = set_template(obj, a->image);
        break;
    case RSIM_OP_UNDO:
        apply_undo(obj, a, out);
        break;
    case RSIM_OP_PROMOTE:
    case RSIM_OP_RESUME:
        /* promote also clears pause conditions and may move the step index (§14.3); those
         * belong to the controller's status. Here: spec.paused=false. */
        out->field = "spec.paused";
        out->value = "false";
        out->changed = set_flag(&obj->paused, false);
        out->skip_current_step = a->skip_current_step;
        out->skip_all_steps = a->skip_all_steps;
        break;
    case RSIM_OP_PROMOTE_FULL:
        out->field = "status.promoteFull";
        out->value = "true";
        out->changed = set_flag(&obj->promote_full, true) | set_flag(&obj->paused, false);
        break;
    case RSIM_OP_ABORT:
        out->field = "status.abort";
        out->value = "true";
        out->changed = set_flag(&obj->abort, true);
        break;
    case RSIM_OP_RETRY:
        out->field = "status.abort";
        out->value = "false";
        out->changed = set_flag(&obj->abort, false);
        break;
    case RSIM_OP_PAUSE:
        out->field = "spec.paused";
        out->value = "true";
        out->changed = set_flag(&obj->paused, true);
        break;
    case RSIM_OP_RESTART:
        out->field = "spec.restartAt";
        out->changed = true;
        obj->restart_at = now;
        break;
    case RSIM_OP_SCALE:
    case RSIM_OP_SET_WEIGHT:
        /* World actions: they act on the cluster and the router, not on the Rollout object;
         * the engine applies them (world.c). */
        out->changed = true;
        out->target = a->image;
        out->amount = a->kind == RSIM_OP_SCALE ? a->replicas : a->weight;
        break;
    case RSIM_OP_START_ANALYSIS:
    case RSIM_OP_STOP_ANALYSIS:
        /* Observation actions: an AnalysisRun object, not the Rollout (observe.c). */
        out->changed = true;
        out->analysis = a->analysis;
        break;
    }
    out->image = obj->image;
    out->revision = obj->revision;
}
