/* scenario_snapshot.h - loading a snapshot of real objects (`kubectl get rollout,replicaset,
 * analysisrun -o yaml`, YAML or JSON, one file, documents or a `kind: List`) into the typed
 * rsim_spec_snapshot, for `rollsim reconcile`. Also the RFC 3339 time syntax it uses.
 * Ownership: an rsim_scenario_snapshot owns one arena holding the typed snapshot and every string
 * in it; rsim_scenario_snapshot_free releases it all. Start at rsim_scenario_load_snapshot. */
#ifndef RSIM_SCENARIO_SNAPSHOT_H
#define RSIM_SCENARIO_SNAPSHOT_H

#include <stddef.h>

#include <rsim/common.h>
#include <rsim/diag.h>

#include "spec.h"

typedef struct rsim_scenario_snapshot rsim_scenario_snapshot;

/* Reads and validates a snapshot file: exactly one Rollout (its spec checked as a scenario's
 * Rollout is, its status typed), the ReplicaSets and AnalysisRuns it owns, and notes for other
 * kinds (skipped). Server-written fields (managedFields, resourceVersion, uid, conditions, ...)
 * are accepted. Every problem is reported to diag with file:line:column. Returns RSIM_OK with
 * *out set, or RSIM_EIO / RSIM_EPARSE / RSIM_ESCHEMA / RSIM_EUNSUPPORTED with *out NULL. */
rsim_err
rsim_scenario_load_snapshot(const char *path, rsim_diag *diag, rsim_scenario_snapshot **out);

/* The same for an in-memory text; name is used in diagnostics. */
rsim_err rsim_scenario_load_snapshot_string(
    const char *name, const char *text, size_t len, rsim_diag *diag, rsim_scenario_snapshot **out);

/* The typed snapshot (borrowed; lives as long as s). */
const rsim_spec_snapshot *rsim_scenario_snapshot_spec(const rsim_scenario_snapshot *s);

/* A digest of the Rollout's pod template with the pod-template-hash label ignored: equal
 * templates (in the sense of matches_template) give equal digests. Used to name a ReplicaSet
 * rollsim creates, since rollsim does not reproduce Go's hash function. */
uint64_t rsim_scenario_snapshot_template_digest(const rsim_scenario_snapshot *s);

void rsim_scenario_snapshot_free(rsim_scenario_snapshot *s);

/* RFC 3339 ("2024-05-01T10:00:00Z", "2024-05-01T12:00:00.5+02:00"): *out = ms since the Unix
 * epoch (fractions below a millisecond dropped). Returns false on malformed input. */
bool rsim_scenario_parse_rfc3339(const char *s, rsim_time *out);

/* Formats ms since the epoch as RFC 3339 in UTC: whole seconds as "...T10:00:00Z", otherwise
 * with milliseconds ("...T10:00:00.250Z"). */
void rsim_scenario_format_rfc3339(rsim_time t, char *buf, size_t size);

#endif
