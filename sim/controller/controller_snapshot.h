/* controller_snapshot.h - a controller state built from a snapshot of real objects (a Rollout
 * with its status, its ReplicaSets and AnalysisRuns), for `rollsim reconcile`: one pass over what
 * a real cluster showed. Ownership: the state borrows the snapshot's spec (the snapshot must
 * outlive it); names and hashes are copied. */
#ifndef RSIM_CONTROLLER_SNAPSHOT_H
#define RSIM_CONTROLLER_SNAPSHOT_H

#include <rsim/common.h>
#include <rsim/diag.h>

#include "controller.h"
#include "spec.h"

/* How rollsim's names for the snapshot's hashes relate to the cluster's. rollsim finds the new
 * ReplicaSet by the hash it computes from a template key, and computes the step hash its own way,
 * so the ReplicaSet of the current template and the recorded step hash get rollsim's values in
 * the state and are translated back for output. */
typedef struct rsim_ctl_snapshot_map {
    char pod_hash_real[RSIM_CTL_NAMEMAX];      /* the matching RS's hash in the cluster, or "" */
    char pod_hash_internal[RSIM_CTL_NAMEMAX];  /* rollsim's hash for the same RS */
    char step_hash_real[RSIM_CTL_NAMEMAX];     /* status.currentStepHash as recorded, or "" */
    char step_hash_internal[RSIM_CTL_NAMEMAX]; /* rollsim's hash of the same steps */
} rsim_ctl_snapshot_map;

/* Fills st (and map) from snap. The ReplicaSet whose template matches the Rollout's
 * (matches_template) is the new RS; when none matches, the pass creates one, named after
 * template_digest (rollsim does not reproduce Go's pod-template hash). Hashes recorded in the
 * status (currentPodHash, stableRS, currentStepHash) are trusted to describe the spec they were
 * computed from; a status without them is a freshly applied object. Reports to diag (at the
 * object's position) what the state cannot hold (more ReplicaSets or AnalysisRuns than it keeps,
 * a name longer than it stores, an AnalysisRun without a known rollout-type label) and returns
 * RSIM_ESCHEMA; RSIM_OK otherwise. */
rsim_err rsim_controller_state_from_snapshot(rsim_ctl_state *st,
                                             const rsim_spec_snapshot *snap,
                                             uint64_t template_digest,
                                             rsim_ctl_snapshot_map *map,
                                             rsim_diag *diag);

/* A pod-template hash of the state as the cluster names it (borrowed from map or h). */
const char *rsim_controller_snapshot_pod_hash(const rsim_ctl_snapshot_map *map, const char *h);
/* A text of the state (a message, an event, an AnalysisRun name) with rollsim's hash of the
 * matching RS replaced by the cluster's, into out (truncated to cap). */
void rsim_controller_snapshot_text(const rsim_ctl_snapshot_map *map,
                                   const char *text,
                                   char *out,
                                   size_t cap);
/* A currentStepHash of the state as the cluster recorded it: the snapshot's own value while the
 * steps are the recorded ones, rollsim's hash when the pass computed a new one. */
const char *rsim_controller_snapshot_step_hash(const rsim_ctl_snapshot_map *map, const char *h);

#endif
