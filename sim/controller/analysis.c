/* analysis.c - the AnalysisRuns a Rollout owns (§15): naming, creation with the inputs the
 * world needs to build the run (kind, step, the spec's analysis block, stable and latest pod
 * hashes), termination, and lookup of the current run of each kind. */
#include <string.h>

#include "controller_int.h"

rsim_ctl_ar *rsim_controller_current_ar(rsim_ctl_state *st, rsim_ctl_ar_kind kind, int32_t step)
{
    for (size_t i = st->n_ars; i-- > 0;) {
        rsim_ctl_ar *ar = &st->ars[i];
        if (ar->current && ar->kind == kind &&
            (kind != RSIM_CTL_AR_STEP || ar->step_index == step)) {
            return ar;
        }
    }
    return NULL;
}

static bool name_taken(const rsim_ctl_state *st, const char *name)
{
    for (size_t i = 0; i < st->n_ars; i++) {
        if (strcmp(st->ars[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

/* Forget the oldest run that is neither current nor running (history limits, §1.10). */
static void evict_ar(rsim_ctl_state *st)
{
    for (size_t i = 0; i < st->n_ars; i++) {
        if (!st->ars[i].current) {
            memmove(&st->ars[i], &st->ars[i + 1], (st->n_ars - i - 1) * sizeof st->ars[0]);
            st->n_ars--;
            return;
        }
    }
    memmove(&st->ars[0], &st->ars[1], (st->n_ars - 1) * sizeof st->ars[0]);
    st->n_ars--;
}

rsim_ctl_ar *rsim_controller_create_ar(rsim_ctl_pass *p,
                                       rsim_ctl_ar_kind kind,
                                       int32_t step,
                                       const rsim_spec_rollout_analysis *analysis)
{
    rsim_ctl_state *st = p->st;
    if (st->n_ars == RSIM_CTL_MAX_AR) {
        evict_ar(st);
    }
    const char *hash = p->new_rs != NULL ? p->new_rs->hash : st->status.current_pod_hash;
    long long rev = p->new_rs != NULL ? (long long)p->new_rs->revision : 0;
    char name[RSIM_CTL_NAMEMAX];
    /* Upstream names: <rollout>-<hash>-<revision>[-<step>|-pre|-post]. */
    switch (kind) {
    case RSIM_CTL_AR_STEP:
        rsim_controller_fmt(name, sizeof name, "%s-%s-%lld-%d", p->spec->name, hash, rev, step);
        break;
    case RSIM_CTL_AR_BACKGROUND:
        rsim_controller_fmt(name, sizeof name, "%s-%s-%lld", p->spec->name, hash, rev);
        break;
    case RSIM_CTL_AR_PRE:
        rsim_controller_fmt(name, sizeof name, "%s-%s-%lld-pre", p->spec->name, hash, rev);
        break;
    case RSIM_CTL_AR_POST:
        rsim_controller_fmt(name, sizeof name, "%s-%s-%lld-post", p->spec->name, hash, rev);
        break;
    }
    if (name_taken(st, name)) {
        char base[RSIM_CTL_NAMEMAX];
        rsim_controller_copy(base, sizeof base, name);
        for (int k = 2; name_taken(st, name); k++) {
            rsim_controller_fmt(name, sizeof name, "%.*s.%d", RSIM_CTL_NAMEMAX - 12, base, k);
        }
    }
    rsim_ctl_ar *ar = &st->ars[st->n_ars++];
    memset(ar, 0, sizeof *ar);
    rsim_controller_copy(ar->name, sizeof ar->name, name);
    ar->kind = kind;
    ar->step_index = kind == RSIM_CTL_AR_STEP ? step : -1;
    rsim_controller_copy(ar->pod_hash, sizeof ar->pod_hash, hash);
    ar->analysis = analysis;
    ar->phase = RSIM_ANALYSIS_PENDING;
    ar->current = true;
    st->ars_created++;
    rsim_ctl_fx *f = rsim_controller_fx_add(p, RSIM_CTL_FX_AR_CREATE);
    if (f != NULL) {
        rsim_controller_copy(f->name, sizeof f->name, ar->name);
        rsim_controller_copy(f->hash, sizeof f->hash, hash);
        rsim_controller_copy(f->stable_hash, sizeof f->stable_hash, st->status.stable_rs);
        f->ar_kind = kind;
        f->step = ar->step_index;
        f->analysis = analysis;
        f->revision = rev;
    }
    return ar;
}

void rsim_controller_terminate_ar(rsim_ctl_pass *p, rsim_ctl_ar *ar)
{
    ar->current = false;
    if (ar->terminate || rsim_analysis_phase_completed(ar->phase)) {
        return;
    }
    ar->terminate = true;
    rsim_ctl_fx *f = rsim_controller_fx_add(p, RSIM_CTL_FX_AR_TERMINATE);
    if (f != NULL) {
        rsim_controller_copy(f->name, sizeof f->name, ar->name);
        f->ar_kind = ar->kind;
        f->step = ar->step_index;
    }
}

void rsim_controller_terminate_all_ars(rsim_ctl_pass *p)
{
    for (size_t i = 0; i < p->st->n_ars; i++) {
        if (p->st->ars[i].current) {
            rsim_controller_terminate_ar(p, &p->st->ars[i]);
        }
    }
}
