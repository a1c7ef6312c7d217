/* plot.c - the plots of `rollsim run --out DIR`: derives measurements.csv and events.csv from
 * the run, then starts gnuplot (posix_spawnp, an argument vector, no shell) on
 * plots/rollout.gp once for rollout.png and once for rollout.svg. */
#define _GNU_SOURCE /* open_memstream, getline */
#include "plot.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include <rsim/engine.h>

#include "cli.h"
#include "util.h"

extern char **environ;

#ifndef RSIM_PLOTS_DIR
#define RSIM_PLOTS_DIR "/usr/local/share/rsim/plots"
#endif

#define SCRIPT "rollout.gp"
static const char *const verdicts[4] = {"Successful", "Failed", "Inconclusive", "Error"};

#define ZOOM_BEFORE (60 * 1000)     /* shown before the release */
#define ZOOM_AFTER  (3 * 60 * 1000) /* shown after the last change */

typedef struct text {
    char *data;
    size_t len;
} text;

typedef struct derived {
    text meas;   /* measurements.csv */
    text events; /* events.csv */
    size_t n_meas, n_events;
    rsim_time last_change; /* the last operator, pod, analysis or acting reconcile event */
    long newrev;           /* revision of the first setImage; 0 if none */
    bool verdict_seen[4];  /* the measurement phases present, in the order of `verdicts` */
    text numeric;          /* "\n<run>_<metric>\n..." of the metrics that returned a number */
    char title[256];
} derived;

static rsim_err write_text(FILE *out, const void *arg)
{
    const text *t = arg;
    return fwrite(t->data, 1, t->len, out) == t->len ? RSIM_OK : RSIM_EIO;
}

/* Writes `s` with the characters that would break a CSV field or a gnuplot label replaced. */
static void put_label(FILE *f, const char *s)
{
    for (; *s; s++) {
        fputc(*s == ',' || *s == '"' || *s == '\'' || *s == '\n' ? '_' : *s, f);
    }
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool has_reason(const cJSON *ev, const char *reason)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(ev, "events"))
    {
        if (cJSON_IsString(r) && strcmp(r->valuestring, reason) == 0) {
            return true;
        }
    }
    return false;
}

/* One line of events.jsonl into the derived files. */
static void derive_line(derived *d, const cJSON *ev, FILE *meas, FILE *events)
{
    const char *type = str_of(ev, "type");
    const cJSON *tj = cJSON_GetObjectItemCaseSensitive(ev, "t");
    if (!type || !cJSON_IsNumber(tj)) {
        return;
    }
    long long t = (long long)tj->valuedouble;
    const cJSON *reasons = cJSON_GetObjectItemCaseSensitive(ev, "events");
    bool acted = strcmp(type, "reconcile") == 0 && cJSON_GetArraySize(reasons) > 0;
    if (t > 0 && (acted || strcmp(type, "operator") == 0 || strcmp(type, "pod") == 0 ||
                  strcmp(type, "analysis") == 0)) {
        d->last_change = (rsim_time)t;
    }
    if (strcmp(type, "run.start") == 0 && str_of(ev, "scenario")) {
        snprintf(d->title, sizeof(d->title), "%s", str_of(ev, "scenario"));
    } else if (strcmp(type, "measurement") == 0) {
        const cJSON *num = cJSON_GetObjectItemCaseSensitive(ev, "number");
        fprintf(meas, "%lld,", t);
        if (cJSON_IsNumber(num)) {
            fprintf(meas, "%.17g", num->valuedouble);
        }
        fputc(',', meas);
        put_label(meas, str_of(ev, "phase") ? str_of(ev, "phase") : "");
        fputc(',', meas);
        put_label(meas, str_of(ev, "analysis") ? str_of(ev, "analysis") : "");
        fputc(',', meas);
        put_label(meas, str_of(ev, "metric") ? str_of(ev, "metric") : "");
        fputc('\n', meas);
        d->n_meas++;
        if (cJSON_IsNumber(num) && str_of(ev, "analysis") && str_of(ev, "metric")) {
            char name[1024];
            snprintf(name, sizeof(name), "\n%s_%s\n", str_of(ev, "analysis"), str_of(ev, "metric"));
            if (!d->numeric.data || !strstr(d->numeric.data, name)) {
                size_t n = strlen(name), old = d->numeric.len;
                d->numeric.data = rsim_xrealloc(d->numeric.data, old + n + 1);
                memcpy(d->numeric.data + old, name, n + 1);
                d->numeric.len = old + n;
            }
        }
        for (size_t i = 0; i < 4 && cJSON_IsNumber(num); i++) {
            const char *phase = str_of(ev, "phase");
            d->verdict_seen[i] |= phase && strcmp(phase, verdicts[i]) == 0;
        }
    } else if (strcmp(type, "operator") == 0 && str_of(ev, "action")) {
        const char *action = str_of(ev, "action");
        fprintf(events, "%lld,", t);
        put_label(events, action);
        const char *image = str_of(ev, "image");
        if (strcmp(action, "setImage") == 0 && image) {
            const char *slash = strrchr(image, '/');
            fputc(' ', events);
            put_label(events, slash ? slash + 1 : image);
            const cJSON *rev = cJSON_GetObjectItemCaseSensitive(ev, "revision");
            if (d->newrev == 0 && cJSON_IsNumber(rev)) {
                d->newrev = (long)rev->valuedouble;
            }
        }
        fputc('\n', events);
        d->n_events++;
    } else if (acted) {
        const cJSON *step = cJSON_GetObjectItemCaseSensitive(ev, "step");
        if (has_reason(ev, "RolloutStepCompleted") && cJSON_IsNumber(step)) {
            fprintf(events, "%lld,step %d done\n", t, (int)step->valuedouble - 1);
            d->n_events++;
        }
        if (has_reason(ev, "RolloutAborted")) {
            fprintf(events, "%lld,abort\n", t);
            d->n_events++;
        }
    }
}

/* Derives measurements.csv and events.csv from the run's events; 0 or an exit code. */
static int derive(const rsim_result *res, derived *d)
{
    text ev = {0};
    FILE *f = open_memstream(&ev.data, &ev.len);
    FILE *meas = open_memstream(&d->meas.data, &d->meas.len);
    FILE *events = open_memstream(&d->events.data, &d->events.len);
    if (!f || !meas || !events || rsim_result_write_events(res, f) != RSIM_OK) {
        fprintf(stderr, "rollsim run: plots: %s\n", strerror(errno));
        return RSIM_EXIT_IO;
    }
    fclose(f);
    fputs("t_ms,value,phase,analysis,metric\n", meas);
    fputs("t_ms,label\n", events);
    char *line = ev.data;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        if (nl) {
            *nl = '\0';
        }
        cJSON *obj = cJSON_Parse(line);
        if (obj) {
            derive_line(d, obj, meas, events);
            cJSON_Delete(obj);
        }
        line = nl ? nl + 1 : NULL;
    }
    rsim_figures fig;
    rsim_result_figures(res, &fig);
    if (fig.promoted_at != RSIM_FIGURE_NONE) {
        fprintf(events, "%lld,promoted\n", (long long)fig.promoted_at);
        d->n_events++;
    }
    free(ev.data);
    fclose(meas);
    fclose(events);
    return RSIM_EXIT_OK;
}

/* Whether `name` is one of the newline-framed lines of `lines`. */
static bool has_line(const char *lines, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = strstr(lines, name); p; p = strstr(p + 1, name)) {
        if (p > lines && p[-1] == '\n' && p[n] == '\n') {
            return true;
        }
    }
    return false;
}

/* Reads the header of DIR/timeline.csv: the revisions of the rev<N>_ groups into `revs`
 * ("1 2") and the column numbers of the analysis_ columns whose metric returned a number
 * (`numeric`) into `acols` ("33 34"). */
static int read_header(
    const char *dir, const text *numeric, char *revs, size_t nrevs, char *acols, size_t nacols)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/timeline.csv", dir);
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    if (!f || getline(&line, &cap, f) < 0) {
        fprintf(stderr, "rollsim run: %s: %s\n", path, strerror(errno));
        if (f) {
            fclose(f);
        }
        free(line);
        return RSIM_EXIT_IO;
    }
    fclose(f);
    revs[0] = acols[0] = '\0';
    int colno = 0;
    for (char *save = NULL, *c = strtok_r(line, ",\r\n", &save); c;
         c = strtok_r(NULL, ",\r\n", &save)) {
        colno++;
        int rev, used = 0;
        size_t n = strlen(revs), m = strlen(acols);
        if (sscanf(c, "rev%d_requests%n", &rev, &used) == 1 && c[used] == '\0') {
            snprintf(revs + n, nrevs - n, "%s%d", n ? " " : "", rev);
        } else if (strncmp(c, "analysis_", 9) == 0 && numeric->data &&
                   has_line(numeric->data, c + 9)) {
            snprintf(acols + m, nacols - m, "%s%d", m ? " " : "", colno);
        }
    }
    free(line);
    return RSIM_EXIT_OK;
}

/* The folder holding rollout.gp: --plots-dir, else the installed one, else the source tree's
 * (so a binary run from its build tree finds the templates next to its sources). */
static const char *find_plots_dir(const char *given, char *buf, size_t size)
{
    if (given) {
        return given;
    }
    snprintf(buf, size, "%s/" SCRIPT, RSIM_PLOTS_DIR);
    if (access(buf, R_OK) == 0) {
        return RSIM_PLOTS_DIR;
    }
    /* __FILE__ is this source's absolute path (CMake compiles sources by absolute path). */
    snprintf(buf, size, "%s", __FILE__);
    char *cut = strstr(buf, "/sim/cli/plot.c");
    if (cut) {
        strcpy(cut, "/plots");
        return buf;
    }
    return RSIM_PLOTS_DIR;
}

/* Appends `s` as a gnuplot single-quoted string ('' stands for one quote). */
static void put_quoted(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') {
            fputc('\'', f);
        }
        fputc(*s, f);
    }
    fputc('\'', f);
}

/* Runs gnuplot on the script; 0 done, -1 gnuplot not found, else the exit code to return. */
static int run_gnuplot(char *script, char *vars)
{
    char prog[] = "gnuplot", opt[] = "-e";
    char *argv[] = {prog, opt, vars, script, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    /* gnuplot's own chatter goes to stderr: stdout is the run's summary. */
    posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
    pid_t pid;
    int err = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err == ENOENT) {
        return -1;
    }
    if (err) {
        fprintf(stderr, "rollsim run: cannot start gnuplot: %s\n", strerror(err));
        return RSIM_EXIT_IO;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "rollsim run: gnuplot: %s\n", strerror(errno));
            return RSIM_EXIT_IO;
        }
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "rollsim run: gnuplot failed on %s (status %d)\n", script,
                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return RSIM_EXIT_IO;
    }
    return 0;
}

static rsim_time max_time(rsim_time a, rsim_time b)
{
    return a > b ? a : b;
}

/* Draws one image: gnuplot writes DIR/.rollout.TERM.part, renamed into place when it is done,
 * so the image too is whole or absent. */
static int plot_one(const char *dir, char *script, const char *term, const char *common)
{
    char final[4096], part[4096];
    snprintf(final, sizeof(final), "%s/rollout.%s", dir, term);
    snprintf(part, sizeof(part), "%s/.rollout.%s.part", dir, term);
    char *vars = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&vars, &len);
    if (!f) {
        return RSIM_EXIT_IO;
    }
    fprintf(f, "%s; term='%s'; outfile=", common, term);
    put_quoted(f, part);
    fclose(f);
    int rc = run_gnuplot(script, vars);
    free(vars);
    if (rc == 0 && rename(part, final) != 0) {
        fprintf(stderr, "rollsim run: %s: %s\n", final, strerror(errno));
        rc = RSIM_EXIT_IO;
    }
    if (rc != 0) {
        unlink(part);
    }
    return rc;
}

int rsim_cli_write_plots(const char *dir,
                         const char *plots_dir,
                         const rsim_result *res,
                         bool required)
{
    derived d = {.title = "rollsim run"};
    int rc = derive(res, &d);
    char path[4096];
    if (rc == 0) {
        snprintf(path, sizeof(path), "%s/measurements.csv", dir);
        rc = rsim_cli_write_file(path, write_text, &d.meas);
    }
    if (rc == 0) {
        snprintf(path, sizeof(path), "%s/events.csv", dir);
        rc = rsim_cli_write_file(path, write_text, &d.events);
    }
    char revs[1024], acols[1024];
    if (rc == 0) {
        rc = read_header(dir, &d.numeric, revs, sizeof(revs), acols, sizeof(acols));
    }
    free(d.meas.data);
    free(d.events.data);
    free(d.numeric.data);
    if (rc != 0) {
        return rc;
    }

    char buf[4096], script[4096 + sizeof(SCRIPT) + 1];
    const char *pdir = find_plots_dir(plots_dir, buf, sizeof(buf));
    snprintf(script, sizeof(script), "%s/" SCRIPT, pdir);
    if (access(script, R_OK) != 0) {
        fprintf(stderr, "rollsim run: cannot read %s: %s (give the templates with --plots-dir)\n",
                script, strerror(errno));
        return RSIM_EXIT_IO;
    }

    /* The range drawn: a minute before the release to three minutes after the last change. */
    rsim_figures fig;
    rsim_result_figures(res, &fig);
    rsim_time end = rsim_result_duration(res);
    rsim_time xmin = fig.release_at != RSIM_FIGURE_NONE && fig.release_at > ZOOM_BEFORE
                         ? fig.release_at - ZOOM_BEFORE
                         : 0;
    rsim_time last = max_time(max_time(d.last_change, fig.traffic_restored_at),
                              max_time(fig.pods_gone_at, fig.promoted_at));
    rsim_time xmax = last > xmin && last + ZOOM_AFTER < end ? last + ZOOM_AFTER : end;
    rsim_time band_from = fig.exposed_at, band_to = RSIM_FIGURE_NONE;
    if (band_from != RSIM_FIGURE_NONE) {
        band_to = fig.traffic_restored_at != RSIM_FIGURE_NONE ? fig.traffic_restored_at : end;
    }

    char *common = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&common, &len);
    if (!f) {
        return RSIM_EXIT_IO;
    }
    fputs("dir=", f);
    put_quoted(f, dir);
    fprintf(f, "; revs='%s'; acols='%s'", revs, acols);
    if (d.newrev > 0) {
        fprintf(f, "; newrev=%ld", d.newrev);
    }
    fprintf(f, "; xmin_ms=%lld; xmax_ms=%lld; band_from_ms=%lld; band_to_ms=%lld", (long long)xmin,
            (long long)xmax, (long long)band_from, (long long)band_to);
    fprintf(f, "; n_events=%zu; n_measurements=%zu; verdicts='", d.n_events, d.n_meas);
    for (size_t i = 0, n = 0; i < 4; i++) {
        if (d.verdict_seen[i]) {
            fprintf(f, "%s%s", n++ ? " " : "", verdicts[i]);
        }
    }
    fputs("'; title=", f);
    put_quoted(f, d.title);
    fclose(f);

    static const char *const terms[] = {"png", "svg"};
    for (size_t i = 0; i < 2 && rc == 0; i++) {
        rc = plot_one(dir, script, terms[i], common);
    }
    free(common);
    if (rc < 0) {
        fputs("gnuplot not found: install it with `apt-get install gnuplot-nox`; the other "
              "outputs were written\n",
              stderr);
        return required ? RSIM_EXIT_NOPLOT : RSIM_EXIT_OK;
    }
    return rc;
}

int rsim_cli_write_compare_plot(const char *dir, const char *plots_dir, const char *names)
{
    char buf[4096], script[4096 + 16];
    const char *pdir = find_plots_dir(plots_dir, buf, sizeof(buf));
    snprintf(script, sizeof(script), "%s/compare.gp", pdir);
    if (access(script, R_OK) != 0) {
        fprintf(stderr,
                "rollsim compare: cannot read %s: %s (give the templates with "
                "--plots-dir)\n",
                script, strerror(errno));
        return RSIM_EXIT_IO;
    }
    static const char *const terms[] = {"png", "svg"};
    int rc = 0;
    for (size_t i = 0; i < 2 && rc == 0; i++) {
        /* compare.gp picks its terminal from the file name's ending: keep it on the part. */
        char final[4096], part[4096];
        snprintf(final, sizeof(final), "%s/compare.%s", dir, terms[i]);
        snprintf(part, sizeof(part), "%s/.compare.part.%s", dir, terms[i]);
        char *vars = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&vars, &len);
        if (!f) {
            return RSIM_EXIT_IO;
        }
        fputs("dir=", f);
        put_quoted(f, dir);
        fputs("; names=", f);
        put_quoted(f, names);
        fputs("; outfile=", f);
        put_quoted(f, part);
        fclose(f);
        rc = run_gnuplot(script, vars);
        free(vars);
        if (rc == 0 && rename(part, final) != 0) {
            fprintf(stderr, "rollsim compare: %s: %s\n", final, strerror(errno));
            rc = RSIM_EXIT_IO;
        }
        if (rc != 0) {
            unlink(part);
        }
    }
    if (rc < 0) {
        fputs("gnuplot not found: install it with `apt-get install gnuplot-nox`; the other "
              "outputs were written\n",
              stderr);
        return RSIM_EXIT_OK;
    }
    return rc;
}
