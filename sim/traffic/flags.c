/* flags.c - feature-flag delivery to the pods, and matching request headers to cohorts.
 * A flag change reaches the pods after the world's delivery model: push (one delay), aligned
 * polling (the next common poll instant) or per-pod polling (each serving pod at its own
 * uniform phase: the flagged share moves by 1/n of the change as each of the n pods polls). */
#define _POSIX_C_SOURCE 200809L

#include <regex.h>
#include <string.h>

#include "traffic_priv.h"

static double flag_share_of(const route_state *st)
{
    return st->mode == RSIM_TRAFFIC_FLAG && st->flag_on != NULL ? st->flag_share : 0.0;
}

void rsim_traffic_flag_deliver(rsim_traffic *t,
                               const route_state *from,
                               const route_state *to,
                               rsim_time now)
{
    const rsim_spec_flags *fl = &t->w->flags;
    if (!fl->poll) {
        rsim_traffic_push_change(t, now + fl->delay, to);
        return;
    }
    rsim_time iv = fl->interval;
    if (fl->aligned) {
        rsim_time k = (now - t->flag_phase) / iv + 1;
        if (now < t->flag_phase) {
            k = 0;
        }
        rsim_traffic_push_change(t, t->flag_phase + k * iv, to);
        return;
    }
    int64_t n = 0;
    for (uint32_t r = 0; r < t->n_rs; r++) {
        n += t->rs[r].crs->n_serving;
    }
    if (n < 1) {
        n = 1;
    }
    /* The pods' poll instants in (now, now + interval], in order. */
    rsim_time *at = rsim_xmalloc((size_t)n * sizeof(*at));
    for (int64_t i = 0; i < n; i++) {
        at[i] = now + 1 + (rsim_time)rsim_rng_uniform_int(t->rng_flags, (uint64_t)iv);
    }
    for (int64_t i = 1; i < n; i++) {
        for (int64_t j = i; j > 0 && at[j - 1] > at[j]; j--) {
            rsim_time x = at[j];
            at[j] = at[j - 1];
            at[j - 1] = x;
        }
    }
    double s0 = flag_share_of(from);
    double s1 = flag_share_of(to);
    for (int64_t i = 0; i < n; i++) {
        route_state st = *to;
        st.flag_share = s0 + (s1 - s0) * (double)(i + 1) / (double)n;
        rsim_traffic_push_change(t, at[i], &st);
    }
    free(at);
}

static bool ieq(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;
        if (x != y) {
            return false;
        }
    }
    return *a == *b;
}

static bool value_matches(const rsim_spec_string_match *m, const char *v)
{
    switch (m->kind) {
    case RSIM_MATCH_EXACT:
        return strcmp(m->value, v) == 0;
    case RSIM_MATCH_PREFIX:
        return strncmp(m->value, v, strlen(m->value)) == 0;
    case RSIM_MATCH_REGEX: {
        regex_t re;
        if (regcomp(&re, m->value, REG_EXTENDED | REG_NOSUB) != 0) {
            return false;
        }
        /* Envoy and NGINX match the whole value. */
        regmatch_t pm[1];
        regex_t full;
        size_t len = strlen(m->value);
        char *anchored = rsim_xmalloc(len + 5);
        anchored[0] = '^';
        anchored[1] = '(';
        memcpy(anchored + 2, m->value, len);
        memcpy(anchored + 2 + len, ")$", 3);
        bool ok = regcomp(&full, anchored, REG_EXTENDED | REG_NOSUB) == 0;
        bool hit = ok && regexec(&full, v, 0, pm, 0) == 0;
        if (ok) {
            regfree(&full);
        }
        regfree(&re);
        free(anchored);
        return hit;
    }
    }
    return false;
}

/* Whether cohort c's requests carry header h with a matching value. */
static bool cohort_has(const rsim_spec_cohort *c, const rsim_spec_header_match *h)
{
    if (c->header_name != NULL && ieq(h->header, c->header_name)) {
        return value_matches(&h->value, c->header_value);
    }
    if (c->cookie_name != NULL && ieq(h->header, "cookie")) {
        size_t len = strlen(c->cookie_name) + strlen(c->cookie_value) + 2;
        char *kv = rsim_xmalloc(len);
        memcpy(kv, c->cookie_name, strlen(c->cookie_name));
        kv[strlen(c->cookie_name)] = '=';
        memcpy(kv + strlen(c->cookie_name) + 1, c->cookie_value, strlen(c->cookie_value) + 1);
        bool hit = value_matches(&h->value, kv);
        free(kv);
        return hit;
    }
    return false;
}

uint64_t
rsim_traffic_match_headers(const rsim_traffic *t, size_t n, const rsim_spec_header_match *m)
{
    uint64_t mask = 0;
    for (size_t k = 0; k < t->n_class; k++) {
        bool all = true;
        if (k < t->w->traffic.n_cohorts) {
            for (size_t i = 0; i < n && all; i++) {
                all = cohort_has(&t->w->traffic.cohorts[k], &m[i]);
            }
        } else {
            all = n == 0; /* users in no cohort carry no special header */
        }
        if (all) {
            mask |= (uint64_t)1 << k;
        }
    }
    return mask;
}
