/* spec_world.c - names and lookups for the typed Scenario document (spec_world.h). */
#include "spec_world.h"

#include <stdio.h>
#include <string.h>

const char *rsim_spec_op_name(rsim_op_kind k)
{
    switch (k) {
    case RSIM_OP_SET_IMAGE:
        return "setImage";
    case RSIM_OP_PROMOTE:
        return "promote";
    case RSIM_OP_PROMOTE_FULL:
        return "promoteFull";
    case RSIM_OP_ABORT:
        return "abort";
    case RSIM_OP_RETRY:
        return "retry";
    case RSIM_OP_PAUSE:
        return "pause";
    case RSIM_OP_RESUME:
        return "resume";
    case RSIM_OP_RESTART:
        return "restart";
    case RSIM_OP_UNDO:
        return "undo";
    case RSIM_OP_SCALE:
        return "scale";
    case RSIM_OP_SET_WEIGHT:
        return "setWeight";
    case RSIM_OP_START_ANALYSIS:
        return "startAnalysis";
    case RSIM_OP_STOP_ANALYSIS:
        return "stopAnalysis";
    }
    return "?";
}

const char *rsim_spec_fault_name(rsim_fault_kind k)
{
    switch (k) {
    case RSIM_FAULT_ERROR_STEP:
        return "errorStep";
    case RSIM_FAULT_ERROR_RAMP:
        return "errorRamp";
    case RSIM_FAULT_ERROR_BURSTS:
        return "errorBursts";
    case RSIM_FAULT_LATENCY:
        return "latency";
    case RSIM_FAULT_CRASH_LOOP:
        return "crashLoop";
    case RSIM_FAULT_NO_TRAFFIC:
        return "noTraffic";
    case RSIM_FAULT_COHORT_ERRORS:
        return "cohortErrors";
    case RSIM_FAULT_SLOW_START:
        return "slowStart";
    }
    return "?";
}

const char *rsim_spec_phase_name(rsim_phase_name p)
{
    switch (p) {
    case RSIM_PHASE_NAME_HEALTHY:
        return "Healthy";
    case RSIM_PHASE_NAME_PROGRESSING:
        return "Progressing";
    case RSIM_PHASE_NAME_PAUSED:
        return "Paused";
    case RSIM_PHASE_NAME_DEGRADED:
        return "Degraded";
    }
    return "?";
}

const rsim_spec_version *rsim_spec_world_find_version(const rsim_spec_world *w, const char *image)
{
    for (size_t i = 0; i < w->n_versions; i++) {
        if (strcmp(w->versions[i].image, image) == 0) {
            return &w->versions[i];
        }
    }
    return NULL;
}

size_t rsim_spec_series_names(const rsim_spec_series *s,
                              char names[RSIM_SPEC_SERIES_NAMES][RSIM_SPEC_SERIES_NAME_MAX])
{
    static const char *const suffix[] = {"_bucket", "_sum", "_count"};
    size_t n = 0;
    snprintf(names[n++], RSIM_SPEC_SERIES_NAME_MAX, "up");
    if (s->requests != NULL && s->requests[0] != '\0') {
        snprintf(names[n++], RSIM_SPEC_SERIES_NAME_MAX, "%s", s->requests);
    }
    for (size_t i = 0; s->latency != NULL && s->latency[0] != '\0' && i < 3; i++) {
        snprintf(names[n++], RSIM_SPEC_SERIES_NAME_MAX, "%s%s", s->latency, suffix[i]);
    }
    return n;
}
