/* cmd_reconcile.c - `rollsim reconcile --state FILE [--now TIME]`: one controller pass over a
 * snapshot of real objects (a Rollout with its status, its ReplicaSets and AnalysisRuns), printed
 * as JSON: the ReplicaSets after the pass, the Rollout status in Argo's field names, the weights
 * sent to the router, the AnalysisRuns created or terminated and the events, in order. Keys come
 * in a fixed order so outputs can be compared byte for byte. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <rsim/common.h>
#include <rsim/diag.h>

#include "cli.h"
#include "controller.h"
#include "controller_snapshot.h"
#include "scenario_snapshot.h"

static const char reconcile_help[] =
    "Usage: rollsim reconcile --state FILE [--now TIME]\n"
    "Run one pass of the Argo Rollouts controller over a snapshot of real objects and print, as\n"
    "JSON, what it would do. FILE holds what `kubectl get rollout,replicaset,analysisrun -o yaml`\n"
    "prints for one Rollout (YAML or JSON, documents or a List): the Rollout with its status, its\n"
    "ReplicaSets and its AnalysisRuns. Other kinds are listed as skipped.\n"
    "\n"
    "  -s, --state FILE     the snapshot to read\n"
    "  -n, --now TIME       the time of the pass, RFC 3339 (\"2024-05-01T10:00:00Z\"); default:\n"
    "                       the newest timestamp in the snapshot\n"
    "  -h, --help           show this help\n"
    "\n"
    "Output keys: rollout, now, replicaSets (name, podTemplateHash, revision, replicas after the\n"
    "pass, created, scaleDownDeadline), status (Argo's field names), trafficWeights (null when\n"
    "the pass sent none), analysisRuns (created or terminated), events, requeueAt.\n"
    "\n"
    "Exit status: 0 done, 2 bad snapshot or usage (every error as FILE:LINE:COLUMN), 3 output "
    "error.\n";

/* ---- JSON helpers (cJSON returns NULL only on allocation failure) ---- */

static cJSON *checked(cJSON *j)
{
    if (!j) {
        fputs("rollsim: out of memory\n", stderr);
        abort();
    }
    return j;
}

static void add_str(cJSON *o, const char *k, const char *v)
{
    (void)checked(cJSON_AddStringToObject(o, k, v));
}

/* A text that may name the matching RS by rollsim's hash: printed with the cluster's. */
static void add_text(cJSON *o, const char *k, const char *v, const rsim_ctl_snapshot_map *map)
{
    char buf[2 * RSIM_CTL_MSGMAX];
    rsim_controller_snapshot_text(map, v, buf, sizeof(buf));
    add_str(o, k, buf);
}

static void add_num(cJSON *o, const char *k, int64_t v)
{
    (void)checked(cJSON_AddNumberToObject(o, k, (double)v));
}

static void add_bool(cJSON *o, const char *k, bool v)
{
    (void)checked(cJSON_AddBoolToObject(o, k, v));
}

static void add_null(cJSON *o, const char *k)
{
    (void)checked(cJSON_AddNullToObject(o, k));
}

static void add_time(cJSON *o, const char *k, rsim_time t)
{
    if (t < 0) {
        add_null(o, k);
        return;
    }
    char buf[40];
    rsim_scenario_format_rfc3339(t, buf, sizeof(buf));
    add_str(o, k, buf);
}

static cJSON *add_obj(cJSON *o, const char *k)
{
    return checked(cJSON_AddObjectToObject(o, k));
}

static cJSON *add_arr(cJSON *o, const char *k)
{
    return checked(cJSON_AddArrayToObject(o, k));
}

static cJSON *push_obj(cJSON *arr)
{
    cJSON *o = checked(cJSON_CreateObject());
    cJSON_AddItemToArray(arr, o);
    return o;
}

/* ---- sections ---- */

static const rsim_ctl_fx *find_fx(const rsim_ctl_effects *fx, rsim_ctl_fx_kind kind, const char *n)
{
    for (size_t i = 0; i < fx->n; i++) {
        if (fx->items[i].kind == kind && strcmp(fx->items[i].name, n) == 0) {
            return &fx->items[i];
        }
    }
    return NULL;
}

static void put_replica_sets(cJSON *root,
                             const rsim_ctl_state *st,
                             const rsim_ctl_effects *fx,
                             const rsim_ctl_snapshot_map *map)
{
    cJSON *arr = add_arr(root, "replicaSets");
    for (size_t i = 0; i < st->n_rs; i++) {
        const rsim_ctl_rs *rs = &st->rs[i];
        cJSON *o = push_obj(arr);
        add_text(o, "name", rs->name, map);
        add_str(o, "podTemplateHash", rsim_controller_snapshot_pod_hash(map, rs->hash));
        add_num(o, "revision", rs->revision);
        add_num(o, "replicas", rs->spec_replicas);
        add_bool(o, "created", find_fx(fx, RSIM_CTL_FX_RS_CREATE, rs->name) != NULL);
        add_time(o, "scaleDownDeadline", rs->scale_down_deadline);
    }
}

static void put_weight(cJSON *o, const char *k, int32_t weight, const char *hash)
{
    cJSON *w = add_obj(o, k);
    add_num(w, "weight", weight);
    add_str(w, "podTemplateHash", hash);
}

static void
put_status(cJSON *root, const rsim_ctl_state *st, const rsim_ctl_snapshot_map *map, bool blue_green)
{
    const rsim_ctl_status *s = &st->status;
    cJSON *o = add_obj(root, "status");
    add_str(o, "phase", rsim_controller_phase_name(s->phase));
    add_text(o, "message", s->message, map);
    add_str(o, "currentPodHash", rsim_controller_snapshot_pod_hash(map, s->current_pod_hash));
    add_str(o, "currentStepHash", rsim_controller_snapshot_step_hash(map, s->current_step_hash));
    if (s->current_step_index >= 0) {
        add_num(o, "currentStepIndex", s->current_step_index);
    } else {
        add_null(o, "currentStepIndex");
    }
    add_str(o, "stableRS", rsim_controller_snapshot_pod_hash(map, s->stable_rs));
    add_bool(o, "abort", s->abort);
    add_time(o, "abortedAt", s->aborted_at);
    add_bool(o, "promoteFull", s->promote_full);
    add_bool(o, "controllerPause", s->controller_pause);
    cJSON *pauses = add_arr(o, "pauseConditions");
    for (size_t i = 0; i < s->n_pause; i++) {
        cJSON *p = push_obj(pauses);
        add_str(p, "reason", rsim_controller_pause_reason_name(s->pause[i].reason));
        add_time(p, "startTime", s->pause[i].start_time);
    }
    if (blue_green) {
        cJSON *bg = add_obj(o, "blueGreen");
        add_str(bg, "activeSelector",
                rsim_controller_snapshot_pod_hash(map, s->blue_green.active_selector));
        add_str(bg, "previewSelector",
                rsim_controller_snapshot_pod_hash(map, s->blue_green.preview_selector));
        add_bool(bg, "scaleUpPreviewCheckPoint", s->blue_green.scale_up_preview_check_point);
    } else {
        cJSON *c = add_obj(o, "canary");
        if (s->weights.set) {
            cJSON *w = add_obj(c, "weights");
            put_weight(w, "canary", s->weights.canary,
                       rsim_controller_snapshot_pod_hash(map, s->weights.canary_hash));
            put_weight(w, "stable", s->weights.stable,
                       rsim_controller_snapshot_pod_hash(map, s->weights.stable_hash));
        } else {
            add_null(c, "weights");
        }
    }
    cJSON *conds = add_arr(o, "conditions");
    for (size_t i = 0; i < s->n_conditions; i++) {
        const rsim_ctl_condition *c = &s->conditions[i];
        cJSON *j = push_obj(conds);
        add_str(j, "type", rsim_controller_cond_type_name(c->type));
        add_str(j, "status",
                c->status == RSIM_CTL_COND_TRUE    ? "True"
                : c->status == RSIM_CTL_COND_FALSE ? "False"
                                                   : "Unknown");
        add_time(j, "lastUpdateTime", c->last_update);
        add_time(j, "lastTransitionTime", c->last_transition);
        add_str(j, "reason", c->reason);
        add_text(j, "message", c->message, map);
    }
    add_num(o, "replicas", s->replicas);
    add_num(o, "updatedReplicas", s->updated_replicas);
    add_num(o, "readyReplicas", s->ready_replicas);
    add_num(o, "availableReplicas", s->available_replicas);
}

static const char *ar_type_label(rsim_ctl_ar_kind kind)
{
    switch (kind) {
    case RSIM_CTL_AR_STEP:
        return "Step";
    case RSIM_CTL_AR_BACKGROUND:
        return "Background";
    case RSIM_CTL_AR_PRE:
        return "PrePromotion";
    case RSIM_CTL_AR_POST:
        return "PostPromotion";
    }
    return "";
}

static void put_effects(cJSON *root,
                        const rsim_ctl_state *st,
                        const rsim_ctl_effects *fx,
                        const rsim_ctl_snapshot_map *map)
{
    const rsim_ctl_fx *weight = NULL;
    for (size_t i = 0; i < fx->n; i++) {
        if (fx->items[i].kind == RSIM_CTL_FX_WEIGHT) {
            weight = &fx->items[i];
        }
    }
    if (weight) {
        cJSON *w = add_obj(root, "trafficWeights");
        add_num(w, "canary", weight->replicas);
        add_num(w, "stable", weight->prev);
    } else {
        add_null(root, "trafficWeights");
    }
    cJSON *runs = add_arr(root, "analysisRuns");
    for (size_t i = 0; i < fx->n; i++) {
        const rsim_ctl_fx *f = &fx->items[i];
        if (f->kind != RSIM_CTL_FX_AR_CREATE && f->kind != RSIM_CTL_FX_AR_TERMINATE) {
            continue;
        }
        cJSON *o = push_obj(runs);
        add_str(o, "action", f->kind == RSIM_CTL_FX_AR_CREATE ? "created" : "terminated");
        add_text(o, "name", f->name, map);
        rsim_ctl_ar_kind kind = f->ar_kind;
        int32_t step = f->step;
        if (f->kind == RSIM_CTL_FX_AR_TERMINATE) {
            for (size_t j = 0; j < st->n_ars; j++) {
                if (strcmp(st->ars[j].name, f->name) == 0) {
                    kind = st->ars[j].kind;
                    step = st->ars[j].step_index;
                }
            }
        }
        add_str(o, "type", ar_type_label(kind));
        if (kind == RSIM_CTL_AR_STEP) {
            add_num(o, "stepIndex", step);
        } else {
            add_null(o, "stepIndex");
        }
    }
    cJSON *events = add_arr(root, "events");
    for (size_t i = 0; i < fx->n; i++) {
        if (fx->items[i].kind == RSIM_CTL_FX_EVENT) {
            cJSON *o = push_obj(events);
            add_str(o, "reason", fx->items[i].reason);
            add_text(o, "message", fx->items[i].message, map);
        }
    }
    add_time(root, "requeueAt", fx->requeue_at);
}

/* ---- the command ---- */

static int parse_args(int argc, char **argv, const char **state, const char **now, bool *help)
{
    static const struct option longopts[] = {
        {"state", required_argument, NULL, 's'},
        {"now", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:n:h", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            *state = optarg;
            break;
        case 'n':
            *now = optarg;
            break;
        case 'h':
            *help = true;
            return RSIM_EXIT_OK;
        default:
            fputs("Try 'rollsim reconcile --help' for more information.\n", stderr);
            return RSIM_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr,
                "rollsim reconcile: unexpected argument '%s' (the snapshot is given with "
                "--state)\nTry 'rollsim reconcile --help' for more information.\n",
                argv[optind]);
        return RSIM_EXIT_USAGE;
    }
    if (!*state) {
        fputs("rollsim reconcile: no --state FILE given\n"
              "Try 'rollsim reconcile --help' for more information.\n",
              stderr);
        return RSIM_EXIT_USAGE;
    }
    return RSIM_EXIT_OK;
}

static int print_json(cJSON *root)
{
    char *text = cJSON_Print(root);
    if (!text) {
        fputs("rollsim: out of memory\n", stderr);
        abort();
    }
    fputs(text, stdout);
    fputc('\n', stdout);
    free(text);
    return fflush(stdout) == 0 && !ferror(stdout) ? RSIM_EXIT_OK : RSIM_EXIT_IO;
}

/* One pass and its report; the state is large, so it lives on the heap. */
static int reconcile(const rsim_scenario_snapshot *snapshot, rsim_time now, rsim_diag *diag)
{
    const rsim_spec_snapshot *snap = rsim_scenario_snapshot_spec(snapshot);
    rsim_ctl_state *st = calloc(1, sizeof(*st));
    rsim_ctl_effects *fx = calloc(1, sizeof(*fx));
    if (!st || !fx) {
        fputs("rollsim: out of memory\n", stderr);
        abort();
    }
    int rc = RSIM_EXIT_USAGE;
    rsim_ctl_snapshot_map map;
    if (rsim_controller_state_from_snapshot(
            st, snap, rsim_scenario_snapshot_template_digest(snapshot), &map, diag) == RSIM_OK) {
        rsim_ctl_opts opts;
        rsim_controller_opts_init(&opts);
        rsim_controller_reconcile(st, now, &opts, fx);
        cJSON *root = checked(cJSON_CreateObject());
        add_str(root, "rollout", snap->rollout.name);
        add_time(root, "now", now);
        put_replica_sets(root, st, fx, &map);
        put_status(root, st, &map, snap->rollout.strategy == RSIM_STRATEGY_BLUE_GREEN);
        put_effects(root, st, fx, &map);
        rc = print_json(root);
        cJSON_Delete(root);
    }
    rsim_cli_print_diag(diag);
    free(st);
    free(fx);
    return rc;
}

int rsim_cli_reconcile(int argc, char **argv)
{
    const char *state = NULL;
    const char *now_text = NULL;
    bool help = false;
    int rc = parse_args(argc, argv, &state, &now_text, &help);
    if (rc != RSIM_EXIT_OK || help) {
        if (help) {
            fputs(reconcile_help, stdout);
        }
        return rc;
    }
    rsim_time now = 0;
    if (now_text && !rsim_scenario_parse_rfc3339(now_text, &now)) {
        fprintf(stderr,
                "rollsim reconcile: --now needs an RFC 3339 time such as "
                "\"2024-05-01T10:00:00Z\", got '%s'\n",
                now_text);
        return RSIM_EXIT_USAGE;
    }
    rsim_diag *diag = rsim_diag_new(100);
    rsim_scenario_snapshot *snapshot = NULL;
    if (rsim_scenario_load_snapshot(state, diag, &snapshot) != RSIM_OK) {
        rsim_cli_print_diag(diag);
        rsim_diag_free(diag);
        return RSIM_EXIT_USAGE;
    }
    const rsim_spec_snapshot *snap = rsim_scenario_snapshot_spec(snapshot);
    if (!now_text) {
        now = snap->newest;
        if (now <= 0) {
            fprintf(stderr,
                    "rollsim reconcile: %s holds no timestamp to take the time from; give "
                    "--now TIME\n",
                    state);
            rsim_scenario_snapshot_free(snapshot);
            rsim_diag_free(diag);
            return RSIM_EXIT_USAGE;
        }
    }
    rc = reconcile(snapshot, now, diag);
    rsim_scenario_snapshot_free(snapshot);
    rsim_diag_free(diag);
    return rc;
}
