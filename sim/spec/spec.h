/* spec.h - the typed scenario model as plain data: the world (Scenario document), Rollouts,
 * AnalysisTemplates and Services, after loading and validation.
 * Ownership: every node and string is owned by the scenario's arena and lives as long as the
 * rsim_scenario that produced it; everything here is read-only for the modules above. Every node
 * that came from a file carries its rsim_loc so later stages can point at the source. */
#ifndef RSIM_SPEC_H
#define RSIM_SPEC_H

#include <rsim/common.h>

#include "spec_analysis.h"
#include "spec_rollout.h"
#include "spec_snapshot.h"
#include "spec_world.h"

/* A document of a kind rollsim does not model (Ingress, ConfigMap, ...), listed, not loaded. */
typedef struct rsim_spec_skipped {
    const char *api_version;
    const char *kind;
    const char *name; /* metadata.name, or "" */
    rsim_loc loc;
} rsim_spec_skipped;

typedef struct rsim_spec {
    const rsim_spec_world *world; /* the Scenario document; NULL when none was loaded */
    size_t n_rollouts;
    const rsim_spec_rollout *rollouts;
    size_t n_templates; /* AnalysisTemplates and ClusterAnalysisTemplates */
    const rsim_spec_analysis_template *templates;
    size_t n_services;
    const rsim_spec_service *services;
    size_t n_skipped;
    const rsim_spec_skipped *skipped;
    size_t n_files; /* every file read, in order: scenario first, then its manifests */
    const char *const *files;
} rsim_spec;

/* Lookups by name (NULL when absent). Cluster-scoped templates are found by
 * rsim_spec_find_template with cluster=true. */
const rsim_spec_analysis_template *
rsim_spec_find_template(const rsim_spec *s, const char *name, bool cluster);
const rsim_spec_service *rsim_spec_find_service(const rsim_spec *s, const char *name);
const rsim_spec_rollout *rsim_spec_find_rollout(const rsim_spec *s, const char *name);

/* The Services an Istio ingress gateway sends the Rollout's requests to, for which the metrics
 * model writes the callers' side of Istio's series (reporter="source"): with the istio series
 * preset and a canary routed by Istio, its stableService and its canaryService when distinct
 * (names[0] and names[1]); none otherwise. Returns how many, 0 to 2. */
size_t rsim_spec_gateway_services(const rsim_spec_world *w,
                                  const rsim_spec_rollout *r,
                                  const char *names[2]);

/* The value of key in a label set, NULL when absent. */
const char *rsim_spec_labels_get(const rsim_spec_labels *l, const char *key);
/* Whether the Service's manifest selector (spec.selector) matches every label it names in
 * labels. A Service without a selector selects no pod (its endpoints are managed by hand). */
bool rsim_spec_service_selects(const rsim_spec_service *svc, const rsim_spec_labels *labels);

#endif
