/* check_rollout.h - cross-field rules of the Rollout document and of pod templates: the checks
 * the Argo controller's validation and the Kubernetes API server apply that a schema table
 * cannot express. Private to the scenario module; the hooks are referenced by the tables of
 * schema_rollout.c and run by rsim_schema_check after a mapping's fields were checked. Every
 * hook tolerates ill-typed input (already reported by the checker) and stays silent on it. */
#ifndef RSIM_CHECK_ROLLOUT_H
#define RSIM_CHECK_ROLLOUT_H

#include "schema.h"

/* Pod template (Kubernetes API server rules). */
rsim_schema_check_fn rsim_check_object_meta_labels; /* label keys and values syntax */
rsim_schema_check_fn rsim_check_label_selector;     /* operators and their values */
rsim_schema_check_fn rsim_check_pod_spec;           /* container names: DNS-1123, unique */
rsim_schema_check_fn rsim_check_container;          /* image present and non-blank */
rsim_schema_check_fn rsim_check_resource_list;      /* resource names and quantities */
rsim_schema_check_fn rsim_check_resources;          /* requests <= limits */
rsim_schema_check_fn rsim_check_probe;              /* exactly one handler */
rsim_schema_check_fn rsim_check_probe_single;       /* + successThreshold 1 (liveness, startup) */

/* Rollout (the controller's validation, pkg/apis/rollouts/validation). */
rsim_schema_check_fn rsim_check_rollout;         /* metadata.name */
rsim_schema_check_fn rsim_check_rollout_spec;    /* selector/template, deadlines, limits */
rsim_schema_check_fn rsim_check_strategy;        /* exactly one of canary / blueGreen */
rsim_schema_check_fn rsim_check_canary;          /* services, surge, steps against routing */
rsim_schema_check_fn rsim_check_canary_step;     /* at least one type, at most one main type */
rsim_schema_check_fn rsim_check_pause;           /* duration >= 0 */
rsim_schema_check_fn rsim_check_experiment;      /* unique template and analysis names */
rsim_schema_check_fn rsim_check_blue_green;      /* active != preview */
rsim_schema_check_fn rsim_check_traffic_routing; /* maxTrafficWeight with nginx only */
rsim_schema_check_fn rsim_check_anti_affinity;   /* exactly one rule */
rsim_schema_check_fn rsim_check_string_match;    /* exactly one of exact/prefix/regex */
rsim_schema_check_fn rsim_check_header_matches;  /* each value a StringMatch */
rsim_schema_check_fn rsim_check_analysis_arg;    /* value or valueFrom, not both */
rsim_schema_check_fn rsim_check_arg_value_from;  /* exactly one source */
rsim_schema_check_fn rsim_check_field_ref;       /* a metadata path the controller resolves */

#endif
