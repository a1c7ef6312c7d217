/* scenario_int.h - private to the scenario module (and tests/unit/test_scenario.c): the loaded
 * scenario object, the build context and the per-document builders.
 * Flow: rsim_ynode_parse (ynode.c) -> per document: schema check (schema.c with the tables of
 * schema_*.c) -> builder (build_*.c) into spec structs -> cross-document checks -> rsim_scenario.
 * Builders run only on documents that passed their schema check. */
#ifndef RSIM_SCENARIO_INT_H
#define RSIM_SCENARIO_INT_H

#include <rsim/scenario.h>

#include "schema.h"
#include "spec.h"
#include "util.h"
#include "values.h"
#include "ynode.h"

struct rsim_scenario {
    rsim_arena arena; /* owns every node, string and spec struct below */
    rsim_spec spec;
    size_t n_documents; /* loaded (not skipped, not empty) */
};

typedef struct rsim_build_ctx {
    rsim_schema_ctx sc; /* diag, current file, error count */
    rsim_arena *arena;  /* where spec nodes and strings go */
    const char *dir;    /* directory of the current file ("." when none), for relative paths */
} rsim_build_ctx;

/* The apiVersion and kind of rollsim's own document. */
#define RSIM_SCENARIO_API_VERSION "rollsim/v1alpha1"
#define RSIM_SCENARIO_KIND        "Scenario"

/* Builders: fill *out (zeroed by the caller) from a document that passed its schema check,
 * allocating in ctx->arena. Values the schema cannot judge (a malformed duration string, a
 * resource quantity, a semantic rule of the controller's validation) are reported through
 * rsim_schema_error. Return false when they reported an error. */
bool rsim_scenario_build_rollout(rsim_build_ctx *ctx,
                                 const rsim_ynode *doc,
                                 rsim_spec_rollout *out);
bool rsim_scenario_build_analysis_template(rsim_build_ctx *ctx,
                                           const rsim_ynode *doc,
                                           bool cluster,
                                           rsim_spec_analysis_template *out);
bool rsim_scenario_build_service(rsim_build_ctx *ctx,
                                 const rsim_ynode *doc,
                                 rsim_spec_service *out);
bool rsim_scenario_build_world(rsim_build_ctx *ctx, const rsim_ynode *doc, rsim_spec_world *out);

/* Cross-document checks, after every document was built. Rollout references: analysis templates
 * (step, background, pre/post-promotion, experiment analyses) and services must exist among the
 * loaded documents, as the controller would otherwise mark the Rollout InvalidSpec. World
 * references: the rollout it simulates, the images its versions describe and its timeline
 * actions. Both report through ctx and return false on error. */
bool rsim_scenario_check_rollout_refs(rsim_build_ctx *ctx, const rsim_spec *spec);
bool rsim_scenario_check_world_refs(rsim_build_ctx *ctx,
                                    const rsim_spec *spec,
                                    rsim_scenario_mode mode);
/* Warnings (check_queries.c) for the selectors of templates and recording rules that can select
 * no series the world exports: an unknown metric name, or a label none of them carries. */
void rsim_scenario_check_query_series(rsim_build_ctx *ctx, const rsim_spec *spec);

/* The embedded text of scenarios/default.yaml (generated at build time). */
extern const char rsim_scenario_default_text[];
extern const size_t rsim_scenario_default_text_len;

#endif
