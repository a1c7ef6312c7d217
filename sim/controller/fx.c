/* fx.c - what a pass does to the outside world: the effects list, Kubernetes events, requeue
 * times, and the ReplicaSet and Service writes every strategy shares (scale with the
 * controller's event, scale-down-deadline annotations, the §10.3 delay helper, selectors, status
 * counts). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "controller_int.h"
#include "util.h"

void rsim_controller_fmt(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
}

void rsim_controller_copy(char *dst, size_t cap, const char *src)
{
    if (cap == 0) {
        return;
    }
    size_t n = src == NULL ? 0 : strlen(src);
    if (n >= cap) {
        n = cap - 1;
    }
    if (n > 0) {
        memmove(dst, src, n);
    }
    dst[n] = '\0';
}

rsim_time rsim_controller_stamp(const rsim_ctl_pass *p, rsim_time t)
{
    if (!p->opts->truncate_seconds || t < 0) {
        return t;
    }
    return t - t % RSIM_SEC(1);
}

rsim_ctl_fx *rsim_controller_fx_add(rsim_ctl_pass *p, rsim_ctl_fx_kind kind)
{
    rsim_ctl_effects *fx = p->fx;
    if (fx->n >= RSIM_CTL_MAX_FX) {
        fx->n_dropped++;
        return NULL;
    }
    rsim_ctl_fx *f = &fx->items[fx->n++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->step = -1;
    f->deadline = -1;
    return f;
}

void rsim_controller_event(rsim_ctl_pass *p, const char *reason, const char *fmt, ...)
{
    rsim_ctl_fx *f = rsim_controller_fx_add(p, RSIM_CTL_FX_EVENT);
    if (f == NULL) {
        return;
    }
    rsim_controller_copy(f->reason, sizeof f->reason, reason);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
}

void rsim_controller_requeue(rsim_ctl_pass *p, rsim_time at)
{
    if (at < 0) {
        return;
    }
    if (p->fx->requeue_at < 0 || at < p->fx->requeue_at) {
        p->fx->requeue_at = at;
    }
}

/* ---- ReplicaSets ---- */

bool rsim_controller_scale_rs(rsim_ctl_pass *p, rsim_ctl_rs *rs, int32_t replicas)
{
    if (replicas < 0) {
        replicas = 0;
    }
    rs->desired_replicas = p->n;
    if (rs->spec_replicas == replicas) {
        return false;
    }
    int32_t old = rs->spec_replicas;
    rs->spec_replicas = replicas;
    p->scaled = true;
    rsim_ctl_fx *f = rsim_controller_fx_add(p, RSIM_CTL_FX_RS_SCALE);
    if (f != NULL) {
        rsim_controller_copy(f->name, sizeof f->name, rs->name);
        rsim_controller_copy(f->hash, sizeof f->hash, rs->hash);
        f->replicas = replicas;
        f->prev = old;
        f->revision = rs->revision;
    }
    /* conditions.ScalingReplicaSetMessage */
    rsim_controller_event(
        p, "ScalingReplicaSet", "Scaled %s ReplicaSet %s (revision %lld) from %d to %d",
        replicas > old ? "up" : "down", rs->name, (long long)rs->revision, old, replicas);
    return true;
}

void rsim_controller_annotate_deadline(rsim_ctl_pass *p, rsim_ctl_rs *rs, rsim_time deadline)
{
    if (rs->scale_down_deadline == deadline) {
        return;
    }
    rs->scale_down_deadline = deadline;
    rsim_ctl_fx *f = rsim_controller_fx_add(p, RSIM_CTL_FX_RS_ANNOTATE);
    if (f != NULL) {
        rsim_controller_copy(f->name, sizeof f->name, rs->name);
        rsim_controller_copy(f->hash, sizeof f->hash, rs->hash);
        f->deadline = deadline;
    }
}

/* Delete st->rs[i]: drops it from the state (the pass's new/stable pointers follow the move) and
 * records RS_DELETE. */
static void delete_rs(rsim_ctl_pass *p, size_t i)
{
    rsim_ctl_state *st = p->st;
    rsim_ctl_fx *f = rsim_controller_fx_add(p, RSIM_CTL_FX_RS_DELETE);
    if (f != NULL) {
        rsim_controller_copy(f->name, sizeof f->name, st->rs[i].name);
        rsim_controller_copy(f->hash, sizeof f->hash, st->rs[i].hash);
        f->revision = st->rs[i].revision;
    }
    char new_hash[RSIM_CTL_NAMEMAX];
    rsim_controller_copy(new_hash, sizeof new_hash, p->new_rs != NULL ? p->new_rs->hash : "");
    memmove(&st->rs[i], &st->rs[i + 1], (st->n_rs - i - 1) * sizeof st->rs[0]);
    st->n_rs--;
    p->new_rs = new_hash[0] != '\0' ? rsim_controller_find_rs(st, new_hash) : NULL;
    p->stable_rs = rsim_controller_find_rs(st, st->status.stable_rs);
}

/* Whether the RS is neither the current template's nor the stable one. */
static bool is_other(const rsim_ctl_pass *p, const rsim_ctl_rs *rs)
{
    const rsim_ctl_status *s = &p->st->status;
    return rs != p->new_rs && strcmp(rs->hash, s->stable_rs) != 0 &&
           strcmp(rs->hash, s->current_pod_hash) != 0;
}

/* Whether an RS may be deleted: scaled to 0 and without pods. */
static bool is_drained(const rsim_ctl_rs *rs)
{
    return rs->spec_replicas == 0 && rs->replicas == 0;
}

void rsim_controller_history_cleanup(rsim_ctl_pass *p)
{
    rsim_ctl_state *st = p->st;
    int64_t limit = p->spec->revision_history_limit < 0 ? 0 : p->spec->revision_history_limit;
    size_t n_other = 0;
    for (size_t i = 0; i < st->n_rs; i++) {
        n_other += is_other(p, &st->rs[i]);
    }
    if ((int64_t)n_other <= limit) {
        return;
    }
    /* The oldest n_other - limit others by revision; those still holding pods are skipped. */
    int64_t diff = (int64_t)n_other - limit;
    int64_t after = INT64_MIN; /* revision of the last one looked at */
    for (int64_t k = 0; k < diff; k++) {
        size_t pick = st->n_rs;
        for (size_t i = 0; i < st->n_rs; i++) {
            const rsim_ctl_rs *rs = &st->rs[i];
            if (is_other(p, rs) && rs->revision > after &&
                (pick == st->n_rs || rs->revision < st->rs[pick].revision)) {
                pick = i;
            }
        }
        if (pick == st->n_rs) {
            return;
        }
        after = st->rs[pick].revision;
        if (is_drained(&st->rs[pick])) {
            delete_rs(p, pick);
        }
    }
}

/* Make room for one more RS when the state is full: delete the oldest drained RS that is
 * neither new nor stable. */
static void evict_rs(rsim_ctl_pass *p)
{
    rsim_ctl_state *st = p->st;
    size_t victim = st->n_rs;
    for (size_t i = 0; i < st->n_rs; i++) {
        rsim_ctl_rs *rs = &st->rs[i];
        if (!is_drained(rs) || !is_other(p, rs)) {
            continue;
        }
        if (victim == st->n_rs || rs->created_seq < st->rs[victim].created_seq) {
            victim = i;
        }
    }
    if (victim == st->n_rs) {
        rsim_panic("rollout %s owns more than %d live ReplicaSets", p->spec->name, RSIM_CTL_MAX_RS);
    }
    delete_rs(p, victim);
}

static int64_t max_revision(const rsim_ctl_state *st)
{
    int64_t m = 0;
    for (size_t i = 0; i < st->n_rs; i++) {
        if (st->rs[i].revision > m) {
            m = st->rs[i].revision;
        }
    }
    return m;
}

rsim_ctl_rs *rsim_controller_create_rs(rsim_ctl_pass *p)
{
    rsim_ctl_state *st = p->st;
    if (st->n_rs == RSIM_CTL_MAX_RS) {
        evict_rs(p);
    }
    rsim_ctl_rs *rs = &st->rs[st->n_rs++];
    memset(rs, 0, sizeof *rs);
    rsim_controller_template_hash(st->template_key, rs->hash);
    rsim_controller_fmt(rs->name, sizeof rs->name, "%s-%s", p->spec->name, rs->hash);
    rsim_controller_copy(rs->template_key, sizeof rs->template_key, st->template_key);
    rsim_controller_copy(rs->image, sizeof rs->image, st->image);
    rs->revision = max_revision(st) + 1;
    rs->created_seq = st->rs_created++;
    rs->desired_replicas = p->n;
    rs->scale_down_deadline = -1;
    rsim_ctl_fx *f = rsim_controller_fx_add(p, RSIM_CTL_FX_RS_CREATE);
    if (f != NULL) {
        rsim_controller_copy(f->name, sizeof f->name, rs->name);
        rsim_controller_copy(f->hash, sizeof f->hash, rs->hash);
        rsim_controller_copy(f->template_key, sizeof f->template_key, rs->template_key);
        rsim_controller_copy(f->image, sizeof f->image, rs->image);
        f->revision = rs->revision;
    }
    return rs;
}

bool rsim_controller_is_referenced(const rsim_ctl_pass *p, const rsim_ctl_rs *rs)
{
    const rsim_ctl_status *s = &p->st->status;
    return strcmp(rs->hash, s->stable_rs) == 0 || strcmp(rs->hash, s->current_pod_hash) == 0 ||
           (s->weights.set && (strcmp(rs->hash, s->weights.canary_hash) == 0 ||
                               strcmp(rs->hash, s->weights.stable_hash) == 0));
}

int32_t rsim_controller_scale_down_delay(
    rsim_ctl_pass *p, rsim_ctl_rs *rs, int64_t *annotated, rsim_time delay, int64_t revision_limit)
{
    int32_t want = 0;
    if (rs->scale_down_deadline < 0 && rs->spec_replicas > 0) {
        if (*annotated < revision_limit) {
            (*annotated)++;
            want = rs->spec_replicas;
            if (delay > 0) { /* an explicit 0 writes nothing: kept forever (§23 I7) */
                rsim_controller_annotate_deadline(p, rs, rsim_controller_stamp(p, p->now + delay));
                rsim_controller_requeue(p, rs->scale_down_deadline);
            }
        }
    } else if (rs->scale_down_deadline >= 0) {
        (*annotated)++;
        if (*annotated <= revision_limit && rs->scale_down_deadline > p->now) {
            rsim_controller_requeue(p, rs->scale_down_deadline);
            want = p->n;
        }
    }
    return want;
}

void rsim_controller_select_service(rsim_ctl_pass *p,
                                    char *selector,
                                    const char *service,
                                    const char *hash)
{
    if (strcmp(selector, hash) == 0) {
        return;
    }
    rsim_controller_copy(selector, RSIM_CTL_NAMEMAX, hash);
    rsim_ctl_fx *f = rsim_controller_fx_add(p, RSIM_CTL_FX_SERVICE_SELECT);
    if (f != NULL) {
        rsim_controller_copy(f->name, sizeof f->name, service);
        rsim_controller_copy(f->hash, sizeof f->hash, hash);
    }
}

void rsim_controller_status_counts(rsim_ctl_pass *p, const rsim_ctl_rs *active)
{
    rsim_ctl_state *st = p->st;
    rsim_ctl_status *s = &st->status;
    s->replicas = s->ready_replicas = s->available_replicas = 0;
    for (size_t i = 0; i < st->n_rs; i++) {
        s->replicas += st->rs[i].replicas;
        if (active == NULL) {
            s->ready_replicas += st->rs[i].ready;
            s->available_replicas += st->rs[i].available;
        }
    }
    if (active != NULL) {
        s->ready_replicas = active->ready;
        s->available_replicas = active->available;
    }
    s->updated_replicas = p->new_rs != NULL ? p->new_rs->replicas : 0;
}
