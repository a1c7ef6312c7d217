/* rsim/scenario.h - loading a scenario: YAML files of Argo objects plus a Scenario document.
 * Ownership: an rsim_scenario owns one arena holding every node and string of the loaded model;
 * rsim_scenario_free releases it all. Paths and texts passed in are copied. */
#ifndef RSIM_SCENARIO_H
#define RSIM_SCENARIO_H

#include <rsim/common.h>
#include <rsim/diag.h>

typedef struct rsim_scenario rsim_scenario;

/* Load modes. */
typedef enum rsim_scenario_mode {
    RSIM_SCENARIO_LINT, /* Argo objects alone are fine; a Scenario document is optional */
    RSIM_SCENARIO_RUN,  /* exactly one Scenario document is required, and what it names */
} rsim_scenario_mode;

/* Loads every document of the given files (and the manifests a Scenario lists, relative to the
 * Scenario's file), validates them all, and reports every problem to diag. Documents of kinds
 * rollsim does not model are listed as notes ("skipped"). Returns RSIM_OK with *out set, or an
 * error (RSIM_EPARSE, RSIM_ESCHEMA, RSIM_EUNSUPPORTED, RSIM_EIO) with *out NULL. */
rsim_err rsim_scenario_load_files(const char *const *paths,
                                  size_t n_paths,
                                  rsim_scenario_mode mode,
                                  rsim_diag *diag,
                                  rsim_scenario **out);

/* The same for one in-memory text; name is used in diagnostics. Manifests listed by a Scenario
 * are resolved relative to the directory part of name. */
rsim_err rsim_scenario_load_string(const char *name,
                                   const char *text,
                                   size_t len,
                                   rsim_scenario_mode mode,
                                   rsim_diag *diag,
                                   rsim_scenario **out);

/* The built-in default scenario (scenarios/default.yaml, compiled into the library). */
rsim_err rsim_scenario_load_default(rsim_diag *diag, rsim_scenario **out);
/* Its text, borrowed, for `rollsim run --print-default` and tests. */
const char *rsim_scenario_default_source(size_t *len);

void rsim_scenario_free(rsim_scenario *s);

/* Getters. Strings are borrowed from the scenario. */
const char *rsim_scenario_name(const rsim_scenario *s);
uint64_t rsim_scenario_seed(const rsim_scenario *s);
rsim_time rsim_scenario_duration(const rsim_scenario *s);
size_t rsim_scenario_document_count(const rsim_scenario *s); /* documents loaded, not skipped */

#endif
