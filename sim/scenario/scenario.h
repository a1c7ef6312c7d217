/* scenario.h - the scenario module's front header for the modules above it: the public loading
 * API plus read-only access to the typed model. Ownership: the spec is borrowed from the
 * scenario and lives as long as it. */
#ifndef RSIM_SCENARIO_MODULE_H
#define RSIM_SCENARIO_MODULE_H

#include <rsim/scenario.h>

#include "spec.h"

/* The typed model of a loaded scenario (borrowed). */
const rsim_spec *rsim_scenario_spec(const rsim_scenario *s);

#endif
