/* spec.c - lookups over the typed scenario model. */
#include "spec.h"

#include <string.h>

const rsim_spec_analysis_template *
rsim_spec_find_template(const rsim_spec *s, const char *name, bool cluster)
{
    for (size_t i = 0; i < s->n_templates; i++) {
        if (s->templates[i].cluster == cluster && strcmp(s->templates[i].name, name) == 0) {
            return &s->templates[i];
        }
    }
    return NULL;
}

const rsim_spec_service *rsim_spec_find_service(const rsim_spec *s, const char *name)
{
    for (size_t i = 0; i < s->n_services; i++) {
        if (strcmp(s->services[i].name, name) == 0) {
            return &s->services[i];
        }
    }
    return NULL;
}

const rsim_spec_rollout *rsim_spec_find_rollout(const rsim_spec *s, const char *name)
{
    for (size_t i = 0; i < s->n_rollouts; i++) {
        if (strcmp(s->rollouts[i].name, name) == 0) {
            return &s->rollouts[i];
        }
    }
    return NULL;
}

const char *rsim_spec_labels_get(const rsim_spec_labels *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->items[i].key, key) == 0) {
            return l->items[i].value;
        }
    }
    return NULL;
}

bool rsim_spec_service_selects(const rsim_spec_service *svc, const rsim_spec_labels *labels)
{
    if (svc->selector.n == 0) {
        return false; /* a Service without a selector gets no endpoints from pods */
    }
    for (size_t i = 0; i < svc->selector.n; i++) {
        const char *v = rsim_spec_labels_get(labels, svc->selector.items[i].key);
        if (v == NULL || strcmp(v, svc->selector.items[i].value) != 0) {
            return false;
        }
    }
    return true;
}

size_t rsim_spec_gateway_services(const rsim_spec_world *w,
                                  const rsim_spec_rollout *r,
                                  const char *names[2])
{
    if (w == NULL || r == NULL || w->metrics.series.preset != RSIM_SERIES_ISTIO ||
        r->strategy != RSIM_STRATEGY_CANARY ||
        !(r->canary.traffic_routing.routers & RSIM_ROUTER_ISTIO)) {
        return 0;
    }
    size_t n = 0;
    const char *stable = r->canary.stable_service;
    const char *canary = r->canary.canary_service;
    if (stable != NULL && stable[0] != '\0') {
        names[n++] = stable;
    }
    if (canary != NULL && canary[0] != '\0' && (n == 0 || strcmp(canary, names[0]) != 0)) {
        names[n++] = canary;
    }
    return n;
}
