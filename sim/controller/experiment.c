/* experiment.c - the canary `experiment` step (§5.5) and the Experiments it creates (§15.8):
 * the rollout side (rollout/experiment.go: create one Experiment per step, terminate it on
 * another step, revision, abort or promotion, map its phase to completion, abort or the
 * InconclusiveExperiment pause) and a model of the experiment controller run in the same pass
 * (one ReplicaSet per template, availableAt, analyses started once available, duration,
 * requiredForCompletion, the final phase and the scale-down delay). Start at
 * rsim_controller_experiments. */
#include <string.h>

#include "controller_int.h"

static int32_t cur_index(const rsim_ctl_status *s)
{
    return s->current_step_index < 0 ? 0 : s->current_step_index;
}

static const rsim_spec_canary_step *current_step(const rsim_ctl_pass *p)
{
    const rsim_spec_canary *c = &p->spec->canary;
    int32_t idx = cur_index(&p->st->status);
    if (c->n_steps == 0 || (size_t)idx >= c->n_steps) {
        return NULL;
    }
    return &c->steps[idx];
}

rsim_ctl_exp_rs *rsim_controller_find_exp_rs(rsim_ctl_state *st, const char *hash)
{
    if (hash == NULL || hash[0] == '\0') {
        return NULL;
    }
    for (size_t i = 0; i < st->n_exps; i++) {
        rsim_ctl_experiment *ex = &st->exps[i];
        for (size_t k = 0; k < ex->n_rs; k++) {
            if (strcmp(ex->rs[k].hash, hash) == 0) {
                return &ex->rs[k];
            }
        }
    }
    return NULL;
}

rsim_ctl_experiment *rsim_controller_current_exp(rsim_ctl_state *st, int32_t step)
{
    for (size_t i = st->n_exps; i-- > 0;) {
        if (st->exps[i].current && st->exps[i].step_index == step) {
            return &st->exps[i];
        }
    }
    return NULL;
}

/* ---- the experiment controller (§15.8) ---- */

static void scale_exp_rs(rsim_ctl_pass *p, rsim_ctl_exp_rs *rs, int32_t replicas)
{
    if (rs->spec_replicas == replicas) {
        return;
    }
    rsim_ctl_fx *f = rsim_controller_fx_add(p, RSIM_CTL_FX_RS_SCALE);
    if (f != NULL) {
        rsim_controller_copy(f->name, sizeof f->name, rs->name);
        rsim_controller_copy(f->hash, sizeof f->hash, rs->hash);
        f->replicas = replicas;
        f->prev = rs->spec_replicas;
    }
    rs->spec_replicas = replicas;
}

static void terminate_exp_ar(rsim_ctl_pass *p, const rsim_ctl_experiment *ex, rsim_ctl_exp_ar *a)
{
    if (!a->started || a->terminate || rsim_analysis_phase_completed(a->phase)) {
        return;
    }
    a->terminate = true;
    rsim_ctl_fx *f = rsim_controller_fx_add(p, RSIM_CTL_FX_AR_TERMINATE);
    if (f != NULL) {
        rsim_controller_copy(f->name, sizeof f->name, a->name);
        f->ar_kind = RSIM_CTL_AR_STEP;
        f->step = ex->step_index;
    }
}

/* The experiment reaches its final phase: running analyses are terminated and its ReplicaSets
 * go to 0 after the scale-down delay. The Rollout watches its Experiments, so a pass follows. */
static void end_exp(rsim_ctl_pass *p, rsim_ctl_experiment *ex, rsim_analysis_phase phase)
{
    ex->phase = phase;
    ex->ended_at = p->now;
    ex->scale_down_at = rsim_controller_stamp(p, p->now + RSIM_CTL_EXP_SCALE_DOWN_DELAY);
    for (size_t i = 0; i < ex->n_ars; i++) {
        terminate_exp_ar(p, ex, &ex->ars[i]);
    }
    rsim_controller_requeue(p, p->now);
}

/* Failed beats Error beats Inconclusive (the worse phase wins); NULL when none is bad. */
static const rsim_ctl_exp_ar *worst_ar(const rsim_ctl_experiment *ex)
{
    static const rsim_analysis_phase order[] = {RSIM_ANALYSIS_FAILED, RSIM_ANALYSIS_ERROR,
                                                RSIM_ANALYSIS_INCONCLUSIVE};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        for (size_t i = 0; i < ex->n_ars; i++) {
            if (ex->ars[i].started && ex->ars[i].phase == order[k]) {
                return &ex->ars[i];
            }
        }
    }
    return NULL;
}

/* Appends to out (capacity cap, used *n) the text of the placeholder body `what`
 * ("templates.<name>.podTemplateHash" or "templates.<name>.replicaset.name"), or the placeholder
 * itself when it names no template of the experiment. */
static void placeholder(
    const rsim_ctl_experiment *ex, const char *what, size_t len, char *out, size_t cap, size_t *n)
{
    static const char pre[] = "templates.";
    const char *text = NULL;
    for (size_t i = 0; i < ex->n_rs && text == NULL; i++) {
        const char *tpl = ex->spec->templates[i].name;
        size_t tl = strlen(tpl);
        if (len <= sizeof pre - 1 + tl + 1 || strncmp(what, pre, sizeof pre - 1) != 0 ||
            strncmp(what + sizeof pre - 1, tpl, tl) != 0 || what[sizeof pre - 1 + tl] != '.') {
            continue;
        }
        const char *field = what + sizeof pre - 1 + tl + 1;
        size_t fl = len - (sizeof pre - 1 + tl + 1);
        if (fl == strlen("podTemplateHash") && strncmp(field, "podTemplateHash", fl) == 0) {
            text = ex->rs[i].hash;
        } else if (fl == strlen("replicaset.name") && strncmp(field, "replicaset.name", fl) == 0) {
            text = ex->rs[i].name;
        }
    }
    char raw[RSIM_CTL_MSGMAX];
    if (text == NULL) {
        rsim_controller_fmt(raw, sizeof raw, "{{%.*s}}", (int)len, what);
        text = raw;
    }
    for (size_t k = 0; text[k] != '\0' && *n + 1 < cap; k++) {
        out[(*n)++] = text[k];
    }
    out[*n] = '\0';
}

/* An argument value with the experiment's {{templates.<name>.*}} placeholders resolved
 * (upstream's experiment argument templating). */
static void resolve_value(const rsim_ctl_experiment *ex, const char *v, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    while (*v != '\0') {
        const char *open = strstr(v, "{{");
        const char *close = open != NULL ? strstr(open + 2, "}}") : NULL;
        size_t plain = close != NULL ? (size_t)(open - v) : strlen(v);
        for (size_t k = 0; k < plain && n + 1 < cap; k++) {
            out[n++] = v[k];
        }
        out[n] = '\0';
        if (close == NULL) {
            return;
        }
        const char *body = open + 2;
        while (*body == ' ') {
            body++;
        }
        size_t len = (size_t)(close - body);
        while (len > 0 && body[len - 1] == ' ') {
            len--;
        }
        placeholder(ex, body, len, out, cap, &n);
        v = close + 2;
    }
}

/* The run's args, pointing into the state (set at start: the Experiment may have moved). */
static void resolve_args(const rsim_ctl_experiment *ex, rsim_ctl_exp_ar *a)
{
    const rsim_spec_experiment_analysis *sa = a->spec;
    a->analysis.n_args = sa->n_args;
    a->analysis.args = sa->args;
    if (sa->n_args > RSIM_CTL_MAX_XARGS) {
        return;
    }
    for (size_t i = 0; i < sa->n_args; i++) {
        a->args[i] = sa->args[i];
        if (sa->args[i].kind == RSIM_ROLLOUT_ARG_VALUE && sa->args[i].value != NULL) {
            resolve_value(ex, sa->args[i].value, a->values[i], sizeof a->values[i]);
            a->args[i].value = a->values[i];
        }
    }
    a->analysis.args = a->args;
}

static void start_exp_ars(rsim_ctl_pass *p, rsim_ctl_experiment *ex)
{
    for (size_t i = 0; i < ex->n_ars; i++) {
        rsim_ctl_exp_ar *a = &ex->ars[i];
        if (a->started) {
            continue;
        }
        a->started = true;
        a->phase = RSIM_ANALYSIS_PENDING;
        resolve_args(ex, a);
        rsim_ctl_fx *f = rsim_controller_fx_add(p, RSIM_CTL_FX_AR_CREATE);
        if (f != NULL) {
            rsim_controller_copy(f->name, sizeof f->name, a->name);
            rsim_controller_copy(f->hash, sizeof f->hash, ex->pod_hash);
            rsim_controller_copy(f->stable_hash, sizeof f->stable_hash, ex->stable_hash);
            f->ar_kind = RSIM_CTL_AR_STEP;
            f->step = ex->step_index;
            f->analysis = &a->analysis;
        }
    }
}

/* Whether every requiredForCompletion analysis succeeded (false when there is none). */
static bool required_done(const rsim_ctl_experiment *ex)
{
    size_t n_required = 0;
    for (size_t i = 0; i < ex->n_ars; i++) {
        if (ex->ars[i].spec->required_for_completion) {
            n_required++;
            if (!ex->ars[i].started || ex->ars[i].phase != RSIM_ANALYSIS_SUCCESSFUL) {
                return false;
            }
        }
    }
    return n_required > 0;
}

static void run_exp(rsim_ctl_pass *p, rsim_ctl_experiment *ex)
{
    bool available = true;
    for (size_t i = 0; i < ex->n_rs; i++) {
        available = available && ex->rs[i].available >= ex->rs[i].spec_replicas;
    }
    if (ex->available_at < 0 && available && !ex->terminate) {
        ex->available_at = p->now_s;
        ex->phase = RSIM_ANALYSIS_RUNNING;
        rsim_controller_requeue(p, p->now);
    }
    if (ex->available_at >= 0 && !ex->terminate) {
        start_exp_ars(p, ex);
    }
    const rsim_ctl_exp_ar *bad = worst_ar(ex);
    if (bad != NULL) {
        if (bad->message[0] != '\0') {
            rsim_controller_copy(ex->message, sizeof ex->message, bad->message);
        } else {
            rsim_controller_fmt(ex->message, sizeof ex->message, "AnalysisRun '%s' %s", bad->name,
                                rsim_analysis_phase_name(bad->phase));
        }
        end_exp(p, ex, bad->phase);
        return;
    }
    if (ex->terminate) {
        rsim_controller_copy(ex->message, sizeof ex->message, "Experiment terminated");
        end_exp(p, ex, RSIM_ANALYSIS_SUCCESSFUL);
        return;
    }
    if (ex->spec->duration.set) {
        if (ex->available_at >= 0) {
            rsim_time until = ex->available_at + ex->spec->duration.value;
            if (p->now >= until) {
                rsim_controller_copy(ex->message, sizeof ex->message, "Experiment has finished");
                end_exp(p, ex, RSIM_ANALYSIS_SUCCESSFUL);
                return;
            }
            rsim_controller_requeue(p, until);
        }
        return;
    }
    if (required_done(ex)) {
        rsim_controller_copy(ex->message, sizeof ex->message,
                             "Required analyses completed successfully");
        end_exp(p, ex, RSIM_ANALYSIS_SUCCESSFUL);
    }
}

static void sync_exp(rsim_ctl_pass *p, rsim_ctl_experiment *ex)
{
    if (ex->ended_at < 0) {
        run_exp(p, ex);
    }
    if (ex->ended_at < 0 || ex->scaled_down) {
        return;
    }
    if (p->now < ex->scale_down_at) {
        rsim_controller_requeue(p, ex->scale_down_at);
        return;
    }
    for (size_t i = 0; i < ex->n_rs; i++) {
        scale_exp_rs(p, &ex->rs[i], 0);
    }
    ex->scaled_down = true;
}

/* ---- the rollout side ---- */

static bool name_taken(const rsim_ctl_state *st, const char *name)
{
    for (size_t i = 0; i < st->n_exps; i++) {
        if (strcmp(st->exps[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

/* Forget the oldest Experiment that is over (scaled down first, else any not current). */
static void evict_exp(rsim_ctl_state *st)
{
    size_t victim = 0;
    bool found = false;
    for (size_t i = 0; i < st->n_exps && !found; i++) {
        found = !st->exps[i].current && st->exps[i].scaled_down;
        victim = i;
    }
    for (size_t i = 0; i < st->n_exps && !found; i++) {
        found = !st->exps[i].current;
        victim = i;
    }
    if (!found) {
        victim = 0;
    }
    memmove(&st->exps[victim], &st->exps[victim + 1],
            (st->n_exps - victim - 1) * sizeof st->exps[0]);
    st->n_exps--;
}

static void
add_template_rs(rsim_ctl_pass *p, rsim_ctl_experiment *ex, const rsim_spec_experiment_template *t)
{
    const rsim_ctl_rs *from = p->new_rs;
    if (t->spec_ref == RSIM_SPEC_REF_STABLE && p->stable_rs != NULL) {
        from = p->stable_rs;
    }
    rsim_ctl_exp_rs *rs = &ex->rs[ex->n_rs++];
    memset(rs, 0, sizeof *rs);
    rsim_controller_fmt(rs->name, sizeof rs->name, "%s-%s", ex->name, t->name);
    char key[2 * RSIM_CTL_NAMEMAX];
    rsim_controller_fmt(key, sizeof key, "%s/%s", ex->name, t->name);
    rsim_controller_template_hash(key, rs->hash);
    rsim_controller_copy(rs->image, sizeof rs->image, from->image);
    rs->revision = from->revision;
    rsim_ctl_fx *f = rsim_controller_fx_add(p, RSIM_CTL_FX_RS_CREATE);
    if (f != NULL) {
        rsim_controller_copy(f->name, sizeof f->name, rs->name);
        rsim_controller_copy(f->hash, sizeof f->hash, rs->hash);
        rsim_controller_copy(f->template_key, sizeof f->template_key, key);
        rsim_controller_copy(f->image, sizeof f->image, rs->image);
        f->revision = rs->revision;
    }
    scale_exp_rs(p, rs, t->replicas.set ? (int32_t)t->replicas.value : 1);
}

static rsim_ctl_experiment *
create_exp(rsim_ctl_pass *p, int32_t step, const rsim_spec_experiment *e)
{
    rsim_ctl_state *st = p->st;
    if (st->n_exps == RSIM_CTL_MAX_EXP) {
        evict_exp(st);
    }
    /* Upstream's name: <rollout>-<hash>-<revision>-<step>, a suffix when taken (a retry). */
    char name[RSIM_CTL_NAMEMAX];
    rsim_controller_fmt(name, sizeof name, "%s-%s-%lld-%d", p->spec->name, p->new_rs->hash,
                        (long long)p->new_rs->revision, step);
    if (name_taken(st, name)) {
        char base[RSIM_CTL_NAMEMAX];
        rsim_controller_copy(base, sizeof base, name);
        for (int k = 2; name_taken(st, name); k++) {
            rsim_controller_fmt(name, sizeof name, "%.*s.%d", RSIM_CTL_NAMEMAX - 12, base, k);
        }
    }
    rsim_ctl_experiment *ex = &st->exps[st->n_exps++];
    memset(ex, 0, sizeof *ex);
    rsim_controller_copy(ex->name, sizeof ex->name, name);
    ex->step_index = step;
    rsim_controller_copy(ex->pod_hash, sizeof ex->pod_hash, p->new_rs->hash);
    rsim_controller_copy(ex->stable_hash, sizeof ex->stable_hash, st->status.stable_rs);
    ex->spec = e;
    ex->phase = RSIM_ANALYSIS_PENDING;
    ex->available_at = -1;
    ex->ended_at = -1;
    ex->scale_down_at = -1;
    ex->current = true;
    for (size_t i = 0; i < e->n_templates && ex->n_rs < RSIM_CTL_MAX_EXP_RS; i++) {
        add_template_rs(p, ex, &e->templates[i]);
    }
    for (size_t i = 0; i < e->n_analyses && ex->n_ars < RSIM_CTL_MAX_EXP_AR; i++) {
        const rsim_spec_experiment_analysis *sa = &e->analyses[i];
        rsim_ctl_exp_ar *a = &ex->ars[ex->n_ars++];
        memset(a, 0, sizeof *a);
        rsim_controller_fmt(a->name, sizeof a->name, "%s-%s", ex->name, sa->name);
        a->spec = sa;
        a->analysis.set = true;
        a->analysis.n_templates = 1;
        a->analysis.templates = &sa->template_ref;
        a->analysis.n_dry_run = e->n_dry_run;
        a->analysis.dry_run = e->dry_run;
        a->analysis.loc = sa->loc;
        a->phase = RSIM_ANALYSIS_PENDING;
    }
    rsim_controller_event(p, "ExperimentCreated", "Created Experiment '%s'", ex->name);
    return ex;
}

static void terminate_exp(rsim_ctl_pass *p, rsim_ctl_experiment *ex)
{
    ex->current = false;
    if (ex->ended_at < 0 && !ex->terminate) {
        ex->terminate = true;
        rsim_controller_event(p, "ExperimentTerminated", "Terminated Experiment '%s'", ex->name);
    }
}

/* The current Experiment's phase acts on the Rollout (§5.5). */
static void check_exp_outcome(rsim_ctl_pass *p, const rsim_ctl_experiment *ex)
{
    rsim_ctl_status *s = &p->st->status;
    if (ex->phase == RSIM_ANALYSIS_FAILED || ex->phase == RSIM_ANALYSIS_ERROR) {
        char msg[RSIM_CTL_MSGMAX];
        rsim_controller_fmt(msg, sizeof msg, "Experiment '%.60s' %s: %.150s", ex->name,
                            rsim_analysis_phase_name(ex->phase), ex->message);
        rsim_controller_raise_abort(p, msg);
    } else if (ex->phase == RSIM_ANALYSIS_INCONCLUSIVE && !s->controller_pause &&
               !rsim_controller_has_pause(s, RSIM_CTL_PAUSE_INCONCLUSIVE_EXPERIMENT)) {
        rsim_controller_add_pause(p, RSIM_CTL_PAUSE_INCONCLUSIVE_EXPERIMENT);
        p->inconclusive_added = true;
    }
}

void rsim_controller_experiments(rsim_ctl_pass *p)
{
    rsim_ctl_state *st = p->st;
    rsim_ctl_status *s = &st->status;
    bool promoted = s->stable_rs[0] != '\0' && strcmp(s->stable_rs, s->current_pod_hash) == 0;
    /* Like analysis (§15.6): nothing for initial deploy, fully promoted, aborted, promoteFull. */
    bool stop =
        s->stable_rs[0] == '\0' || promoted || s->abort || s->promote_full || p->new_rs == NULL;
    int32_t idx = cur_index(s);
    const rsim_spec_canary_step *step = current_step(p);
    bool want = !stop && step != NULL && (step->types & RSIM_STEP_EXPERIMENT) != 0;
    for (size_t i = 0; i < st->n_exps; i++) {
        rsim_ctl_experiment *ex = &st->exps[i];
        if (ex->current &&
            (!want || ex->step_index != idx || strcmp(ex->pod_hash, p->new_rs->hash) != 0)) {
            terminate_exp(p, ex);
        }
    }
    if (want) {
        rsim_ctl_experiment *ex = rsim_controller_current_exp(st, idx);
        /* A user resumed an InconclusiveExperiment pause: a new Experiment (as §15.5). */
        bool resumed = ex != NULL && ex->phase == RSIM_ANALYSIS_INCONCLUSIVE &&
                       s->controller_pause &&
                       !rsim_controller_has_pause(s, RSIM_CTL_PAUSE_CANARY_STEP) &&
                       !rsim_controller_has_pause(s, RSIM_CTL_PAUSE_INCONCLUSIVE_EXPERIMENT);
        if (ex != NULL && resumed) {
            terminate_exp(p, ex);
            ex = NULL;
        }
        if (ex == NULL && s->n_pause == 0) {
            ex = create_exp(p, idx, &step->experiment);
        }
        if (ex != NULL) {
            check_exp_outcome(p, ex);
        }
    }
    for (size_t i = 0; i < st->n_exps; i++) {
        sync_exp(p, &st->exps[i]);
    }
}

bool rsim_controller_experiment_done(rsim_ctl_state *st, int32_t step)
{
    const rsim_ctl_experiment *ex = rsim_controller_current_exp(st, step);
    return ex != NULL && ex->phase == RSIM_ANALYSIS_SUCCESSFUL;
}
