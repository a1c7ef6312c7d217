/* cmd_get.c - `rollsim get rollout FILE --at TIME`: run a scenario up to a simulated time and
 * print the Rollout as `kubectl argo rollouts get rollout` shows it (header block, then the tree
 * of revisions, ReplicaSets, pods and AnalysisRuns); `--watch` prints it at every tick of the
 * run. The tree's columns are aligned like Go's text/tabwriter (padding 2, widths in code
 * points). Format and example: docs/get.md. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rsim/engine.h>
#include <rsim/scenario.h>

#include "cli.h"

static const char get_help[] =
    "Usage: rollsim get rollout [OPTION]... FILE... --at TIME\n"
    "Run a scenario up to a simulated time and print the Rollout the way\n"
    "`kubectl argo rollouts get rollout` shows it: status, strategy, step, weights, images,\n"
    "replica counts, then the tree of revisions, ReplicaSets, pods and AnalysisRuns.\n"
    "\n"
    "  -t, --at TIME        the simulated time from the start: 5m30s, 90s, 1h, 1500ms\n"
    "                       (default: the end of the run)\n"
    "  -w, --watch          print the Rollout at every tick of the run, from TIME (default 0)\n"
    "                       to the end; the screen is cleared between frames on a terminal\n"
    "      --speed N        with --watch: N simulated seconds per real second (default 60;\n"
    "                       0 prints every frame at once)\n"
    "  -s, --seed N         use seed N instead of the scenario's\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 printed, 2 bad input or usage, 3 the output could not be written.\n";

#define NCOLS 5

/* One line of the tree: NAME, KIND, STATUS, AGE, INFO. */
typedef struct row {
    char cell[NCOLS][400];
} row;

typedef struct table {
    row *rows;
    size_t n, cap;
} table;

static row *add_row(table *t)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 32;
        t->rows = realloc(t->rows, t->cap * sizeof *t->rows);
        if (!t->rows) {
            fputs("rollsim: out of memory\n", stderr);
            abort();
        }
    }
    row *r = &t->rows[t->n++];
    memset(r, 0, sizeof *r);
    return r;
}

/* Width in code points, as text/tabwriter counts it. */
static size_t width(const char *s)
{
    size_t w = 0;
    for (; *s; s++) {
        w += ((unsigned char)*s & 0xC0u) != 0x80u;
    }
    return w;
}

static void print_table(FILE *out, const table *t)
{
    size_t w[NCOLS] = {0};
    for (size_t i = 0; i < t->n; i++) {
        for (size_t c = 0; c + 1 < NCOLS; c++) {
            size_t cw = width(t->rows[i].cell[c]) + 2;
            w[c] = cw > w[c] ? cw : w[c];
        }
    }
    for (size_t i = 0; i < t->n; i++) {
        for (size_t c = 0; c + 1 < NCOLS; c++) {
            fprintf(out, "%s%*s", t->rows[i].cell[c], (int)(w[c] - width(t->rows[i].cell[c])), "");
        }
        fprintf(out, "%s\n", t->rows[i].cell[NCOLS - 1]);
    }
}

/* Kubernetes' HumanDuration (k8s.io/apimachinery/pkg/util/duration), as the AGE column. */
static void human_age(rsim_time ms, char *buf, size_t size)
{
    long long s = ms / 1000;
    long long m = s / 60;
    long long h = m / 60;
    if (s < 0) {
        snprintf(buf, size, "0s");
    } else if (s < 120) {
        snprintf(buf, size, "%llds", s);
    } else if (m < 10) {
        if (s % 60 == 0) {
            snprintf(buf, size, "%lldm", m);
        } else {
            snprintf(buf, size, "%lldm%llds", m, s % 60);
        }
    } else if (m < 180) {
        snprintf(buf, size, "%lldm", m);
    } else if (h < 8) {
        if (m % 60 == 0) {
            snprintf(buf, size, "%lldh", h);
        } else {
            snprintf(buf, size, "%lldh%lldm", h, m % 60);
        }
    } else if (h < 48) {
        snprintf(buf, size, "%lldh", h);
    } else if (h % 24 == 0 || h >= 24LL * 8) {
        snprintf(buf, size, "%lldd", h / 24);
    } else {
        snprintf(buf, size, "%lldd%lldh", h / 24, h % 24);
    }
}

/* The icons of kubectl-argo-rollouts (pkg/kubectl-argo-rollouts/info). */
static const char *status_icon(const char *status, bool ready)
{
    static const struct {
        const char *status, *icon;
    } icons[] = {
        {"Healthy", "✔"},
        {"Successful", "✔"},
        {"Progressing", "◌"},
        {"Running", "◌"},
        {"Paused", "॥"},
        {"Degraded", "✖"},
        {"Failed", "✖"},
        {"Error", "⚠"},
        {"Inconclusive", "?"},
        {"Pending", "◷"},
        {"ScaledDown", "•"},
        {"Terminating", "◌"},
        {"ContainerCreating", "◌"},
        {"CrashLoopBackOff", "✖"},
    };
    if (strcmp(status, "Running") == 0 && ready) {
        return "✔";
    }
    for (size_t i = 0; i < sizeof icons / sizeof icons[0]; i++) {
        if (strcmp(icons[i].status, status) == 0) {
            return icons[i].icon;
        }
    }
    return "?";
}

/* The tree prefixes of get_rollout.go's getPrefixes. */
static void join(char *dst, size_t size, const char *a, const char *b)
{
    size_t n = 0;
    for (; *a && n + 1 < size; a++) {
        dst[n++] = *a;
    }
    for (; *b && n + 1 < size; b++) {
        dst[n++] = *b;
    }
    dst[n] = '\0';
}

static void prefixes(bool last, const char *sub, char *pfx, char *child, size_t size)
{
    /* The tree is three levels deep (revision, ReplicaSet, pod): 128 bytes always hold it. */
    join(pfx, size, sub, last ? "└──" : "├──");
    join(child, size, sub, last ? "   " : "│  ");
}

static void
rs_rows(table *t, const rsim_rollout_view *v, size_t i, const char *pfx, const char *sub)
{
    const rsim_view_rs *rs = &v->rs[i];
    row *r = add_row(t);
    snprintf(r->cell[0], sizeof r->cell[0], "%s⧉ %s", pfx, rs->name);
    snprintf(r->cell[1], sizeof r->cell[1], "ReplicaSet");
    snprintf(r->cell[2], sizeof r->cell[2], "%s %s", status_icon(rs->status, false), rs->status);
    human_age(v->now - rs->created, r->cell[3], sizeof r->cell[3]);
    /* Blue-green: the active Service selects the stable ReplicaSet until promotion. */
    bool active = rs->stable && strcmp(v->strategy, "BlueGreen") == 0;
    snprintf(r->cell[4], sizeof r->cell[4], "%s%s%s%s%s", rs->stable ? "stable" : "",
             active ? ",active" : "", rs->stable && (rs->canary || rs->preview) ? "," : "",
             rs->canary    ? "canary"
             : rs->preview ? "preview"
                           : "",
             rs->experiment ? "experiment" : "");
    size_t n = 0;
    for (size_t k = 0; k < v->n_pods; k++) {
        n += v->pods[k].rs == i;
    }
    size_t seen = 0;
    for (size_t k = 0; k < v->n_pods; k++) {
        const rsim_view_pod *p = &v->pods[k];
        if (p->rs != i) {
            continue;
        }
        char ppfx[128];
        char unused[128];
        prefixes(++seen == n, sub, ppfx, unused, sizeof ppfx);
        row *pr = add_row(t);
        snprintf(pr->cell[0], sizeof pr->cell[0], "%s□ %s", ppfx, p->name);
        snprintf(pr->cell[1], sizeof pr->cell[1], "Pod");
        snprintf(pr->cell[2], sizeof pr->cell[2], "%s %s", status_icon(p->state, p->ready),
                 p->state);
        human_age(v->now - p->created, pr->cell[3], sizeof pr->cell[3]);
        if (p->restarts > 0) {
            snprintf(pr->cell[4], sizeof pr->cell[4], "ready:%d/1,restarts:%u", p->ready ? 1 : 0,
                     p->restarts);
        } else {
            snprintf(pr->cell[4], sizeof pr->cell[4], "ready:%d/1", p->ready ? 1 : 0);
        }
    }
}

static void run_row(table *t, const rsim_rollout_view *v, const rsim_view_run *a, const char *pfx)
{
    row *r = add_row(t);
    snprintf(r->cell[0], sizeof r->cell[0], "%sα %s", pfx, a->name);
    snprintf(r->cell[1], sizeof r->cell[1], "AnalysisRun");
    snprintf(r->cell[2], sizeof r->cell[2], "%s %s", status_icon(a->phase, false), a->phase);
    human_age(v->now - a->created, r->cell[3], sizeof r->cell[3]);
    const unsigned counts[4] = {a->successful, a->failed, a->inconclusive, a->errors};
    const char *icons[4] = {"✔", "✖", "?", "⚠"};
    size_t len = 0;
    for (size_t k = 0; k < 4; k++) {
        if (counts[k] > 0 && len < sizeof r->cell[4]) {
            int w = snprintf(r->cell[4] + len, sizeof r->cell[4] - len, "%s%s %u", len ? "," : "",
                             icons[k], counts[k]);
            len += w > 0 ? (size_t)w : 0;
        }
    }
}

static int cmp_rev_desc(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a;
    int64_t y = *(const int64_t *)b;
    return (x < y) - (x > y);
}

static void
revision_rows(table *t, const rsim_rollout_view *v, int64_t rev, const char *pfx, const char *sub)
{
    row *r = add_row(t);
    snprintf(r->cell[0], sizeof r->cell[0], "%s# revision:%lld", pfx, (long long)rev);
    snprintf(r->cell[2], sizeof r->cell[2], " ");
    size_t total = 0;
    for (size_t i = 0; i < v->n_rs; i++) {
        total += v->rs[i].revision == rev;
    }
    for (size_t i = 0; i < v->n_runs; i++) {
        total += v->runs[i].revision == rev;
    }
    size_t curr = 0;
    char cpfx[128];
    char csub[128];
    for (size_t i = 0; i < v->n_rs; i++) {
        if (v->rs[i].revision == rev) {
            prefixes(++curr == total, sub, cpfx, csub, sizeof cpfx);
            rs_rows(t, v, i, cpfx, csub);
        }
    }
    for (size_t i = 0; i < v->n_runs; i++) {
        if (v->runs[i].revision == rev) {
            prefixes(++curr == total, sub, cpfx, csub, sizeof cpfx);
            run_row(t, v, &v->runs[i], cpfx);
        }
    }
}

static void print_tree(FILE *out, const rsim_rollout_view *v)
{
    table t = {0};
    row *h = add_row(&t);
    const char *head[NCOLS] = {"NAME", "KIND", "STATUS", "AGE", "INFO"};
    for (size_t c = 0; c < NCOLS; c++) {
        snprintf(h->cell[c], sizeof h->cell[c], "%s", head[c]);
    }
    row *r = add_row(&t);
    snprintf(r->cell[0], sizeof r->cell[0], "⟳ %s", v->name);
    snprintf(r->cell[1], sizeof r->cell[1], "Rollout");
    snprintf(r->cell[2], sizeof r->cell[2], "%s %s", status_icon(v->phase, false), v->phase);
    human_age(v->now, r->cell[3], sizeof r->cell[3]);

    /* Distinct revisions, newest first; runs of no revision (startAnalysis) come last. */
    int64_t *revs = calloc(v->n_rs + v->n_runs + 1, sizeof *revs);
    if (!revs) {
        fputs("rollsim: out of memory\n", stderr);
        abort();
    }
    size_t n_revs = 0;
    size_t n_loose = 0;
    for (size_t i = 0; i < v->n_rs + v->n_runs; i++) {
        int64_t rev = i < v->n_rs ? v->rs[i].revision : v->runs[i - v->n_rs].revision;
        if (rev <= 0) {
            n_loose++;
            continue;
        }
        bool seen = false;
        for (size_t k = 0; k < n_revs && !seen; k++) {
            seen = revs[k] == rev;
        }
        if (!seen) {
            revs[n_revs++] = rev;
        }
    }
    qsort(revs, n_revs, sizeof *revs, cmp_rev_desc);
    char pfx[128];
    char sub[128];
    for (size_t k = 0; k < n_revs; k++) {
        prefixes(k + 1 == n_revs && n_loose == 0, "", pfx, sub, sizeof pfx);
        revision_rows(&t, v, revs[k], pfx, sub);
    }
    size_t done = 0;
    for (size_t i = 0; i < v->n_runs; i++) {
        if (v->runs[i].revision <= 0) {
            prefixes(++done == n_loose, "", pfx, sub, sizeof pfx);
            run_row(&t, v, &v->runs[i], pfx);
        }
    }
    free(revs);
    print_table(out, &t);
    free(t.rows);
}

#define TABLE_FORMAT "%-17s%s\n"

static void print_images(FILE *out, const rsim_rollout_view *v)
{
    bool first = true;
    for (size_t i = 0; i < v->n_rs; i++) {
        const rsim_view_rs *rs = &v->rs[i];
        bool tagged = rs->stable || rs->canary || rs->preview;
        bool dup = false;
        for (size_t k = 0; k < i && !dup; k++) {
            dup =
                strcmp(v->rs[k].image, rs->image) == 0 &&
                (v->rs[k].stable || v->rs[k].canary || v->rs[k].preview || v->rs[k].current > 0) &&
                !v->rs[k].experiment;
        }
        if (rs->experiment || dup || (!tagged && rs->current == 0)) {
            continue;
        }
        char img[256];
        bool active = rs->stable && strcmp(v->strategy, "BlueGreen") == 0;
        snprintf(img, sizeof img, "%s%s%s%s%s%s%s", rs->image, tagged ? " (" : "",
                 rs->stable ? "stable" : "", active ? ", active" : "",
                 rs->stable && (rs->canary || rs->preview) ? ", " : "",
                 rs->canary    ? "canary"
                 : rs->preview ? "preview"
                               : "",
                 tagged ? ")" : "");
        fprintf(out, TABLE_FORMAT, first ? "Images:" : "", img);
        first = false;
    }
}

static void print_view(FILE *out, const rsim_rollout_view *v)
{
    char buf[256];
    fprintf(out, TABLE_FORMAT, "Name:", v->name);
    fprintf(out, TABLE_FORMAT, "Namespace:", v->namespace_);
    snprintf(buf, sizeof buf, "%s %s", status_icon(v->phase, false), v->phase);
    fprintf(out, TABLE_FORMAT, "Status:", buf);
    if (v->message[0]) {
        fprintf(out, TABLE_FORMAT, "Message:", v->message);
    }
    fprintf(out, TABLE_FORMAT, "Strategy:", v->strategy);
    if (strcmp(v->strategy, "Canary") == 0) {
        buf[0] = '\0';
        if (v->n_steps > 0) {
            snprintf(buf, sizeof buf, "%d/%zu", v->step < 0 ? 0 : v->step, v->n_steps);
        }
        fprintf(out, TABLE_FORMAT, "  Step:", buf);
        snprintf(buf, sizeof buf, "%d", v->set_weight);
        fprintf(out, TABLE_FORMAT, "  SetWeight:", buf);
        snprintf(buf, sizeof buf, "%d", v->actual_weight);
        fprintf(out, TABLE_FORMAT, "  ActualWeight:", buf);
    }
    print_images(out, v);
    fputs("Replicas:\n", out);
    const char *labels[5] = {"  Desired:", "  Current:", "  Updated:", "  Ready:", "  Available:"};
    const int32_t counts[5] = {v->desired, v->current, v->updated, v->ready, v->available};
    for (size_t i = 0; i < 5; i++) {
        snprintf(buf, sizeof buf, "%d", counts[i]);
        fprintf(out, TABLE_FORMAT, labels[i], buf);
    }
    fputs("\n", out);
    print_tree(out, v);
}

/* "5m30s", "90s", "1h", "1500ms", "2m0.5s" -> ms; a bare number is seconds. */
static bool parse_time(const char *s, rsim_time *out)
{
    rsim_time total = 0;
    const char *p = s;
    if (!*p) {
        return false;
    }
    while (*p) {
        char *end = NULL;
        double x = strtod(p, &end);
        if (end == p || x < 0 || x > 1e9) {
            return false;
        }
        p = end;
        double unit = 1000.0;
        if (strncmp(p, "ms", 2) == 0) {
            unit = 1.0;
            p += 2;
        } else if (*p == 'h') {
            unit = 3600000.0;
            p++;
        } else if (*p == 'm') {
            unit = 60000.0;
            p++;
        } else if (*p == 's') {
            p++;
        } else if (*p != '\0') {
            return false;
        }
        total += (rsim_time)(x * unit + 0.5);
    }
    *out = total;
    return true;
}

/* A simulated time as "1h2m3.5s" (exact, unlike the AGE column). */
static void exact_time(rsim_time ms, char *buf, size_t size)
{
    long long h = ms / 3600000;
    long long m = ms / 60000 % 60;
    long long s = ms / 1000 % 60;
    long long f = ms % 1000;
    char frac[8] = "";
    if (f > 0) {
        snprintf(frac, sizeof frac, ".%03lld", f);
        for (size_t n = strlen(frac); n > 0 && frac[n - 1] == '0'; n--) {
            frac[n - 1] = '\0';
        }
    }
    if (h > 0) {
        snprintf(buf, size, "%lldh%lldm%lld%ss", h, m, s, frac);
    } else if (m > 0) {
        snprintf(buf, size, "%lldm%lld%ss", m, s, frac);
    } else {
        snprintf(buf, size, "%lld%ss", s, frac);
    }
}

static void sleep_ms(rsim_time ms)
{
    if (ms <= 0) {
        return;
    }
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

typedef struct get_opts {
    rsim_time at;
    bool at_set;
    bool watch;
    double speed;
    bool seed_set;
    unsigned long long seed;
} get_opts;

static int usage(const char *msg, const char *arg)
{
    fprintf(stderr, "rollsim get: %s%s%s\nTry 'rollsim get --help'.\n", msg, arg ? " " : "",
            arg ? arg : "");
    return RSIM_EXIT_USAGE;
}

static int parse_args(int argc, char **argv, get_opts *o)
{
    static const struct option longopts[] = {
        {"at", required_argument, NULL, 't'},    {"watch", no_argument, NULL, 'w'},
        {"speed", required_argument, NULL, 'S'}, {"seed", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "t:ws:h", longopts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 't':
            if (!parse_time(optarg, &o->at)) {
                return usage("--at: not a duration (5m30s, 90s, 1h, 1500ms):", optarg);
            }
            o->at_set = true;
            break;
        case 'w':
            o->watch = true;
            break;
        case 'S':
            o->speed = strtod(optarg, &end);
            if (end == optarg || *end || o->speed < 0) {
                return usage("--speed: not a number >= 0:", optarg);
            }
            break;
        case 's':
            o->seed = strtoull(optarg, &end, 10);
            if (end == optarg || *end) {
                return usage("--seed: not a number:", optarg);
            }
            o->seed_set = true;
            break;
        case 'h':
            fputs(get_help, stdout);
            return RSIM_EXIT_OK;
        default:
            return usage("bad option", NULL);
        }
    }
    return -1;
}

static int watch(rsim_engine *eng, rsim_time from, rsim_time end, double speed)
{
    bool tty = isatty(fileno(stdout)) != 0;
    rsim_time tick = rsim_engine_tick(eng);
    for (rsim_time t = from;; t += tick) {
        if (t > end) {
            t = end;
        }
        rsim_engine_run_until(eng, t);
        rsim_rollout_view v;
        rsim_engine_view(eng, &v);
        char when[64];
        exact_time(t, when, sizeof when);
        if (tty) {
            fputs("\033[H\033[2J", stdout);
        } else if (t != from) {
            fputs("\n", stdout);
        }
        printf("Time:            %s\n", when);
        print_view(stdout, &v);
        rsim_engine_view_fini(&v);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            return RSIM_EXIT_IO;
        }
        if (t >= end) {
            return RSIM_EXIT_OK;
        }
        if (speed > 0) {
            rsim_time step = t + tick > end ? end - t : tick;
            sleep_ms((rsim_time)((double)step / speed));
        }
    }
}

int rsim_cli_get(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(get_help, stdout);
        return RSIM_EXIT_OK;
    }
    if (argc < 2 || (strcmp(argv[1], "rollout") != 0 && strcmp(argv[1], "ro") != 0 &&
                     strcmp(argv[1], "rollouts") != 0)) {
        return usage("expected: get rollout FILE... --at TIME", NULL);
    }
    get_opts o = {.speed = 60.0};
    int rc = parse_args(argc - 1, argv + 1, &o);
    if (rc >= 0) {
        return rc;
    }
    if (optind >= argc - 1) {
        return usage("no FILE given", NULL);
    }
    rsim_diag *diag = rsim_diag_new(100);
    rsim_scenario *scn = NULL;
    rsim_engine *eng = NULL;
    rsim_engine_opts eo = {.override_seed = o.seed_set, .seed = o.seed};
    rsim_err err =
        rsim_scenario_load_files((const char *const *)(argv + 1 + optind),
                                 (size_t)(argc - 1 - optind), RSIM_SCENARIO_RUN, diag, &scn);
    if (err == RSIM_OK) {
        err = rsim_engine_new(scn, &eo, diag, &eng);
    }
    rsim_cli_print_diag(diag);
    rsim_diag_free(diag);
    if (err != RSIM_OK) {
        rsim_scenario_free(scn);
        return RSIM_EXIT_USAGE;
    }
    rsim_time end = rsim_scenario_duration(scn);
    rsim_time at = o.at_set ? o.at : (o.watch ? 0 : end);
    if (at > end) {
        char buf[64];
        exact_time(end, buf, sizeof buf);
        fprintf(stderr, "rollsim get: --at is after the end of the run (%s)\n", buf);
        rsim_engine_free(eng);
        rsim_scenario_free(scn);
        return RSIM_EXIT_USAGE;
    }
    if (o.watch) {
        rc = watch(eng, at, end, o.speed);
    } else {
        rsim_engine_run_until(eng, at);
        rsim_rollout_view v;
        rsim_engine_view(eng, &v);
        print_view(stdout, &v);
        rsim_engine_view_fini(&v);
        rc = fflush(stdout) == 0 && !ferror(stdout) ? RSIM_EXIT_OK : RSIM_EXIT_IO;
    }
    rsim_engine_free(eng);
    rsim_scenario_free(scn);
    return rc;
}
