/* engine.c - one simulation run: builds the world from a scenario, drives the event queue and
 * keeps the log of processed events. Start reading at rsim_engine_new and rsim_engine_run.
 * The operator timeline acts on the Rollout through the controller (control.c), which drives
 * the cluster, the traffic router and its AnalysisRuns; a scenario with
 * spec.controller.enabled: false drives the world by hand instead (world.c). */
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

/* The image of the container the scenario simulates: the first container of the template. */
static const char *initial_image(const rsim_spec_rollout *r)
{
    return r && r->n_containers > 0 && r->containers[0].image ? r->containers[0].image : "";
}

static void log_push(rsim_engine *e, const rsim_log_entry *entry)
{
    RSIM_VEC_PUSH(e->result.log, *entry);
}

/* The controller's template after a verb (undo picks its revision by the ReplicaSets' own
 * numbering): the object and the log name the same image, as a string of the spec. */
static void follow_template(rsim_engine *e, rsim_log_entry *entry)
{
    const char *image = rsim_engine_control_image(e);
    if (image == NULL || strcmp(image, e->obj.image) == 0) {
        return;
    }
    for (size_t k = 0; k < e->obj.revs.n; k++) {
        if (strcmp(e->obj.revs.items[k], image) == 0) {
            e->obj.image = e->obj.revs.items[k];
            e->obj.revision = (int64_t)k + 1;
            entry->image = e->obj.image;
            entry->revision = e->obj.revision;
            return;
        }
    }
}

/* Event: apply the next operator action. Actions are sorted by time; each schedules the next,
 * so the queue holds one pending operator event at a time. */
static void on_action(rsim_evq *q, void *arg)
{
    rsim_engine *e = arg;
    const rsim_spec_action *a = &e->world->actions[e->next_action++];
    rsim_log_entry entry;
    rsim_engine_operator_apply(&e->obj, a, rsim_evq_now(q), &entry);
    if (e->control != NULL) {
        bool changed = rsim_engine_control_verb(e, a, rsim_evq_now(q));
        if (a->kind != RSIM_OP_START_ANALYSIS && a->kind != RSIM_OP_STOP_ANALYSIS) {
            entry.changed = changed;
        }
        follow_template(e, &entry);
        log_push(e, &entry);
    } else {
        log_push(e, &entry);
        rsim_engine_world_apply(e, a, rsim_evq_now(q));
    }
    rsim_engine_observe_apply(e, a, rsim_evq_now(q));
    if (e->next_action < e->world->n_actions) {
        const rsim_spec_action *next = &e->world->actions[e->next_action];
        rsim_evq_schedule(q, next->at, RSIM_PHASE_OPERATOR, on_action, e);
    }
}

static const rsim_spec_rollout *pick_rollout(const rsim_spec *spec)
{
    if (spec->world && spec->world->rollout) {
        return rsim_spec_find_rollout(spec, spec->world->rollout);
    }
    return spec->n_rollouts == 1 ? &spec->rollouts[0] : NULL;
}

rsim_err rsim_engine_new(const rsim_scenario *scn,
                         const rsim_engine_opts *opts,
                         rsim_diag *diag,
                         rsim_engine **out)
{
    *out = NULL;
    const rsim_spec *spec = rsim_scenario_spec(scn);
    if (!spec->world) {
        rsim_loc loc = {spec->n_files ? spec->files[0] : NULL, 0, 0, 0};
        rsim_diag_add(diag, RSIM_SEV_ERROR, RSIM_EINVAL, loc, NULL,
                      "no Scenario document to run (kind: Scenario)");
        return RSIM_EINVAL;
    }
    rsim_engine *e = rsim_xcalloc(1, sizeof(*e));
    e->scn = scn;
    e->spec = spec;
    e->world = spec->world;
    e->rollout = pick_rollout(spec);
    e->q = rsim_evq_new();
    e->result.scenario = rsim_scenario_name(scn);
    e->result.seed = opts && opts->override_seed ? opts->seed : e->world->seed;
    e->result.engine = e;
    e->seed = e->result.seed;
    e->replication = opts ? opts->replication : 0;
    rsim_engine_operator_init(&e->obj, initial_image(e->rollout));

    rsim_log_entry start = {0};
    start.kind = RSIM_LOG_RUN_START;
    start.image = e->obj.image;
    start.revision = e->obj.revision;
    start.loc = e->world->loc;
    log_push(e, &start);
    rsim_engine_world_init(e);
    rsim_engine_observe_init(e);
    rsim_engine_control_start(e);
    if (e->world->n_actions > 0) {
        rsim_evq_schedule(e->q, e->world->actions[0].at, RSIM_PHASE_OPERATOR, on_action, e);
    }
    *out = e;
    return RSIM_OK;
}

void rsim_engine_free(rsim_engine *e)
{
    if (!e) {
        return;
    }
    /* The queue goes first: pending cluster and traffic events point into the world. */
    rsim_evq_free(e->q);
    rsim_engine_control_fini(e);
    rsim_engine_observe_fini(e);
    rsim_engine_world_fini(e);
    rsim_engine_operator_fini(&e->obj);
    free(e->result.log.items);
    free(e->result.rows.items);
    free(e->result.cells.items);
    free(e->result.recs.items);
    free(e->result.rec_rs.items);
    free(e->result.rec_reasons.items);
    free(e->result.phases.items);
    free(e);
}

rsim_err rsim_engine_run_until(rsim_engine *e, rsim_time t)
{
    if (e->ended) {
        return RSIM_OK;
    }
    if (t > e->world->duration) {
        t = e->world->duration;
    }
    rsim_evq_run_until(e->q, t);
    e->result.covered = t;
    if (t == e->world->duration) {
        rsim_engine_world_finish(e, t);
        rsim_log_entry end = {0};
        end.t = t;
        end.kind = RSIM_LOG_RUN_END;
        end.image = e->obj.image;
        end.revision = e->obj.revision;
        log_push(e, &end);
        e->ended = true;
    }
    return RSIM_OK;
}

rsim_err rsim_engine_run(rsim_engine *e)
{
    return rsim_engine_run_until(e, e->world->duration);
}

rsim_time rsim_engine_now(const rsim_engine *e)
{
    return e->result.covered;
}

const rsim_result *rsim_engine_result(const rsim_engine *e)
{
    return &e->result;
}

rsim_time rsim_result_duration(const rsim_result *r)
{
    return r->covered;
}

uint64_t rsim_result_seed(const rsim_result *r)
{
    return r->seed;
}

size_t rsim_result_event_count(const rsim_result *r)
{
    return r->log.n;
}
