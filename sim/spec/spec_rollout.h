/* spec_rollout.h - the typed Argo Rollout (argoproj.io/v1alpha1). Part of spec.h. */
#ifndef RSIM_SPEC_ROLLOUT_H
#define RSIM_SPEC_ROLLOUT_H

#include <rsim/common.h>

typedef struct rsim_spec_rollout {
    const char *name;
    const char *namespace_; /* metadata.namespace, "" when unset */
    rsim_loc loc;           /* the document */
} rsim_spec_rollout;

#endif
