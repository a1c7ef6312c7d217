/* check_world.c - references from the Scenario document to the other documents: the Rollout it
 * simulates, and a `versions` entry for every image the run can deploy (the Rollout's template
 * and every setImage). An image without an entry is an error, not a silently healthy default:
 * a typo in an image name must not turn a faulty release into a healthy one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

/* The Rollout the world names, or the only one; reports and returns NULL otherwise. */
static const rsim_spec_rollout *
find_rollout(rsim_build_ctx *ctx, const rsim_spec *spec, const rsim_spec_world *w)
{
    rsim_ynode at = {.kind = RSIM_YNODE_SCALAR, .loc = w->loc};
    const rsim_spec_rollout *r;

    if (w->rollout != NULL) {
        r = rsim_spec_find_rollout(spec, w->rollout);
        if (r == NULL) {
            const char **names = rsim_xcalloc(spec->n_rollouts + 1, sizeof *names);
            const char *near;
            for (size_t i = 0; i < spec->n_rollouts; i++) {
                names[i] = spec->rollouts[i].name;
            }
            near = rsim_util_nearest(w->rollout, names, spec->n_rollouts);
            at.loc = w->rollout_loc;
            if (near != NULL) {
                rsim_schema_error(&ctx->sc, &at, "spec.rollout",
                                  "no Rollout named '%s' among the loaded documents; did you "
                                  "mean '%s'?",
                                  w->rollout, near);
            } else {
                rsim_schema_error(&ctx->sc, &at, "spec.rollout",
                                  "no Rollout named '%s' among the loaded documents", w->rollout);
            }
            free(names);
        }
        return r;
    }
    if (spec->n_rollouts == 1) {
        return &spec->rollouts[0];
    }
    if (spec->n_rollouts == 0) {
        rsim_schema_error(&ctx->sc, &at, "spec",
                          "no Rollout to simulate: add one to this file or to spec.manifests");
    } else {
        rsim_schema_error(&ctx->sc, &at, "spec",
                          "%zu Rollouts are loaded; name the one to simulate in spec.rollout",
                          spec->n_rollouts);
    }
    return NULL;
}

static bool has_version(const rsim_spec_world *w, const char *image)
{
    return rsim_spec_world_find_version(w, image) != NULL;
}

static void no_version(rsim_build_ctx *ctx,
                       rsim_loc loc,
                       const char *path,
                       const char *image,
                       const rsim_spec_world *w)
{
    rsim_ynode at = {.kind = RSIM_YNODE_SCALAR, .loc = loc};
    const char **images = rsim_xcalloc(w->n_versions + 1, sizeof *images);
    const char *near;

    for (size_t i = 0; i < w->n_versions; i++) {
        images[i] = w->versions[i].image;
    }
    near = rsim_util_nearest(image, images, w->n_versions);
    if (near != NULL) {
        rsim_schema_error(&ctx->sc, &at, path,
                          "image '%s' has no entry in spec.versions; did you mean '%s'?", image,
                          near);
    } else {
        rsim_schema_error(&ctx->sc, &at, path,
                          "image '%s' has no entry in spec.versions describing its behaviour",
                          image);
    }
    free(images);
}

/* The container a setImage names must exist in the template. */
static bool has_container(const rsim_spec_rollout *r, const char *name)
{
    for (size_t i = 0; i < r->template.n_containers; i++) {
        if (strcmp(r->template.containers[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

/* spec.metrics.scrapeServices: every name is a loaded Service. With `targets: services` and no
 * list, some loaded Service must select the Rollout's pods, or nothing would ever be scraped. */
static void check_scrape_services(rsim_build_ctx *ctx,
                                  const rsim_spec *spec,
                                  const rsim_spec_world *w,
                                  const rsim_spec_rollout *r)
{
    const rsim_spec_metrics *m = &w->metrics;
    char path[96];

    if (m->targets != RSIM_SCRAPE_TARGETS_SERVICES) {
        return;
    }
    for (size_t i = 0; i < m->n_scrape_services; i++) {
        const rsim_spec_scrape_service *ss = &m->scrape_services[i];
        if (ss->name[0] == '\0' || rsim_spec_find_service(spec, ss->name) != NULL) {
            continue;
        }
        const char **names = rsim_xcalloc(spec->n_services + 1, sizeof *names);
        for (size_t k = 0; k < spec->n_services; k++) {
            names[k] = spec->services[k].name;
        }
        const char *near = rsim_util_nearest(ss->name, names, spec->n_services);
        rsim_ynode at = {.kind = RSIM_YNODE_SCALAR, .loc = ss->loc};
        snprintf(path, sizeof path, "spec.metrics.scrapeServices[%zu]", i);
        if (near != NULL) {
            rsim_schema_error(&ctx->sc, &at, path,
                              "no Service named '%s' among the loaded documents; did you mean "
                              "'%s'?",
                              ss->name, near);
        } else {
            rsim_schema_error(&ctx->sc, &at, path,
                              "no Service named '%s' among the loaded documents", ss->name);
        }
        free(names);
    }
    if (m->scrape_services_set || r == NULL) {
        return;
    }
    for (size_t k = 0; k < spec->n_services; k++) {
        if (rsim_spec_service_selects(&spec->services[k], &r->template.labels)) {
            return;
        }
    }
    rsim_ynode at = {.kind = RSIM_YNODE_SCALAR, .loc = m->targets_loc};
    rsim_schema_error(&ctx->sc, &at, "spec.metrics.targets",
                      "targets: services, and no loaded Service selects the pods of the Rollout "
                      "'%s': nothing would be scraped (load its Services through spec.manifests)",
                      r->name);
}

/* startAnalysis: its templates must be loaded, its name unique among startAnalysis actions.
 * stopAnalysis: it must name a run started by an action played before it. */
static void check_analysis_action(rsim_build_ctx *ctx,
                                  const rsim_spec *spec,
                                  const rsim_spec_world *w,
                                  size_t i)
{
    const rsim_spec_action *a = &w->actions[i];
    rsim_ynode at = {.kind = RSIM_YNODE_SCALAR, .loc = a->analysis_loc};
    char path[96];

    if (a->kind == RSIM_OP_START_ANALYSIS) {
        for (size_t k = 0; k < a->n_templates; k++) {
            const rsim_spec_template_ref *r = &a->templates[k];
            if (r->template_name[0] == '\0' ||
                rsim_spec_find_template(spec, r->template_name, r->cluster_scope) != NULL) {
                continue;
            }
            rsim_ynode t = {.kind = RSIM_YNODE_SCALAR, .loc = r->loc};
            snprintf(path, sizeof path, "spec.operator[%zu].startAnalysis.templates[%zu]", a->index,
                     k);
            rsim_schema_error(&ctx->sc, &t, path, "%s '%s' not found among the loaded files",
                              r->cluster_scope ? "ClusterAnalysisTemplate" : "AnalysisTemplate",
                              r->template_name);
        }
    }
    snprintf(path, sizeof path, "spec.operator[%zu].%s.name", a->index, rsim_spec_op_name(a->kind));
    for (size_t j = 0; j < i; j++) {
        const rsim_spec_action *b = &w->actions[j];
        if (b->kind == RSIM_OP_START_ANALYSIS && strcmp(b->analysis, a->analysis) == 0) {
            if (a->kind == RSIM_OP_START_ANALYSIS) {
                rsim_schema_error(&ctx->sc, &at, path,
                                  "an AnalysisRun named '%s' is already started at line %d",
                                  a->analysis, b->loc.line);
            }
            return;
        }
    }
    if (a->kind == RSIM_OP_STOP_ANALYSIS) {
        rsim_schema_error(&ctx->sc, &at, path,
                          "no startAnalysis named '%s' is played before this action", a->analysis);
    }
}

bool rsim_scenario_check_world_refs(rsim_build_ctx *ctx,
                                    const rsim_spec *spec,
                                    rsim_scenario_mode mode)
{
    const rsim_spec_world *w = spec->world;
    const rsim_spec_rollout *r;
    size_t before = ctx->sc.n_errors;
    char path[64];

    if (w == NULL) {
        return true;
    }
    /* Sections the loader reads and checks but the run does not act on yet are refused here,
     * at their key, so that nothing written in a scenario is silently ignored. */
    if (w->metrics.n_alert_rules > 0) {
        rsim_ynode at = {.kind = RSIM_YNODE_SCALAR, .loc = w->metrics.alert_rules_loc};
        rsim_schema_unsupported(&ctx->sc, &at, "spec.metrics.alertRules",
                                "alert rules are not evaluated yet: detection comes from "
                                "AnalysisRuns (recording rules are evaluated)");
    }
    if (w->on_call.enabled) {
        rsim_ynode at = {.kind = RSIM_YNODE_SCALAR, .loc = w->on_call.loc};
        rsim_schema_unsupported(&ctx->sc, &at, "spec.onCall",
                                "an on-call human acting on alerts is not modelled yet");
    }
    if (w->slo.latency_threshold > 0) {
        rsim_ynode at = {.kind = RSIM_YNODE_SCALAR, .loc = w->slo.latency_threshold_loc};
        rsim_schema_unsupported(&ctx->sc, &at, "spec.slo.latencyThreshold",
                                "slow requests do not count against the error budget yet: the "
                                "budget counts failed requests");
    }
    if (w->flags.set) {
        rsim_ynode at = {.kind = RSIM_YNODE_SCALAR, .loc = w->flags.loc};
        rsim_schema_unsupported(&ctx->sc, &at, "spec.featureFlags",
                                "feature-flag rollouts are not modelled yet: no step moves a flag");
    }
    /* Every reference that can be checked is checked in both modes, so that `rollsim validate`
     * does not pass what `rollsim run` would refuse. Only completeness is left to RUN mode: a
     * Scenario linted beside AnalysisTemplates alone (no Rollout loaded) is fine there. */
    if (mode == RSIM_SCENARIO_LINT && w->rollout == NULL && spec->n_rollouts == 0) {
        r = NULL;
    } else {
        r = find_rollout(ctx, spec, w);
    }
    if (r != NULL) {
        /* The template's first container is the application: its image is what the versions
         * describe. Other containers (sidecars) are not modelled as versions. */
        if (r->template.n_containers > 0) {
            const rsim_spec_container *c = &r->template.containers[0];
            if (!has_version(w, c->image)) {
                no_version(ctx, c->image_loc, "spec.template.spec.containers[0].image", c->image,
                           w);
            }
        }
    }
    check_scrape_services(ctx, spec, w, r);
    /* Each setImage or undo may create a ReplicaSet; the simulated controller keeps a bounded
     * number of them (64, experiments included), so a run's template changes are bounded too. */
    size_t n_templates = 0;
    for (size_t i = 0; i < w->n_actions; i++) {
        const rsim_spec_action *a = &w->actions[i];
        if (a->kind != RSIM_OP_SET_IMAGE && a->kind != RSIM_OP_UNDO) {
            continue;
        }
        if (++n_templates == RSIM_SPEC_MAX_TEMPLATE_CHANGES + 1) {
            rsim_ynode at = {.kind = RSIM_YNODE_SCALAR, .loc = a->loc};
            snprintf(path, sizeof path, "spec.operator[%zu]", a->index);
            rsim_schema_error(&ctx->sc, &at, path,
                              "more than %d setImage and undo actions in one run; split the "
                              "timeline into several scenarios",
                              RSIM_SPEC_MAX_TEMPLATE_CHANGES);
        }
    }
    for (size_t i = 0; i < w->n_actions; i++) {
        const rsim_spec_action *a = &w->actions[i];
        if (a->kind == RSIM_OP_START_ANALYSIS || a->kind == RSIM_OP_STOP_ANALYSIS) {
            check_analysis_action(ctx, spec, w, i);
            continue;
        }
        if (a->kind != RSIM_OP_SET_IMAGE && a->kind != RSIM_OP_SCALE &&
            a->kind != RSIM_OP_SET_WEIGHT) {
            continue;
        }
        if ((a->kind == RSIM_OP_SCALE || a->kind == RSIM_OP_SET_WEIGHT) && w->controller.enabled) {
            /* The reconciler owns replica counts and weights: a manual write would fight it. */
            rsim_ynode at = {.kind = RSIM_YNODE_SCALAR, .loc = a->loc};
            snprintf(path, sizeof path, "spec.operator[%zu].%s", a->index,
                     rsim_spec_op_name(a->kind));
            rsim_schema_error(&ctx->sc, &at, path,
                              "%s is a manual world action; it needs spec.controller.enabled: "
                              "false",
                              rsim_spec_op_name(a->kind));
        }
        snprintf(path, sizeof path, "spec.operator[%zu].%s.image", a->index,
                 rsim_spec_op_name(a->kind));
        if (!has_version(w, a->image)) {
            no_version(ctx, a->image_loc, path, a->image, w);
        }
        if (a->kind == RSIM_OP_SET_WEIGHT && r != NULL &&
            (r->strategy != RSIM_STRATEGY_CANARY || !r->canary.traffic_routing.set)) {
            rsim_ynode at = {.kind = RSIM_YNODE_SCALAR, .loc = a->loc};
            snprintf(path, sizeof path, "spec.operator[%zu].setWeight", a->index);
            rsim_schema_error(&ctx->sc, &at, path,
                              "setWeight needs a traffic router, and the Rollout '%s' has no "
                              "spec.strategy.canary.trafficRouting: its traffic follows pods "
                              "(use scale)",
                              r->name);
        }
        if (r != NULL && a->container != NULL && !has_container(r, a->container)) {
            rsim_ynode at = {.kind = RSIM_YNODE_SCALAR, .loc = a->container_loc};
            snprintf(path, sizeof path, "spec.operator[%zu].setImage.container", a->index);
            rsim_schema_error(&ctx->sc, &at, path, "the Rollout '%s' has no container named '%s'",
                              r->name, a->container);
        }
    }
    return ctx->sc.n_errors == before;
}
