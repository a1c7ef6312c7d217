/* cmd_check.c - `rollsim check FILE|DIR...`: run each scenario, judge its expectations, print
 * pass/fail with the actual value, optionally write JUnit XML (one testsuite per scenario, one
 * testcase per expectation). Exit 0 all held, 1 one failed, 2 bad input, 3 output error. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rsim/engine.h>
#include <rsim/scenario.h>

#include "cli.h"

static const char check_help[] =
    "Usage: rollsim check [OPTION]... FILE|DIR...\n"
    "Run each scenario and judge the expectations it states (spec.expectations): print one line\n"
    "per expectation with the value the run gave. A DIR stands for every *.yaml file in it that\n"
    "holds a Scenario document (in name order); each file is loaded and run on its own.\n"
    "\n"
    "  -j, --junit FILE     write the results as JUnit XML to FILE (whole or not at all)\n"
    "  -q, --quiet          print only failures and errors\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 every expectation held, 1 an expectation failed, 2 bad input or usage,\n"
    "3 the JUnit file could not be written.\n";

typedef struct outcome_list {
    rsim_expect_outcome *items;
    size_t n;
} outcome_list;

/* One scenario checked. */
typedef struct checked {
    char *path;
    char *name;          /* metadata.name, or the path when it did not load */
    char *error;         /* why it could not be run, or NULL */
    rsim_time simulated; /* ms */
    outcome_list outcomes;
} checked;

typedef struct check_run {
    checked *items;
    size_t n, cap;
} check_run;

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (!d) {
        fputs("rollsim: out of memory\n", stderr);
        abort();
    }
    memcpy(d, s, n);
    return d;
}

static void *grow(void *p, size_t n, size_t size)
{
    void *q = realloc(p, n * size);
    if (!q) {
        fputs("rollsim: out of memory\n", stderr);
        abort();
    }
    return q;
}

/* Whether the file holds a Scenario document: a line "kind: Scenario". */
static bool holds_scenario(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return false;
    }
    char line[512];
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\r\n");
        while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t')) {
            n--;
        }
        line[n] = '\0';
        found = strcmp(line, "kind: Scenario") == 0;
    }
    fclose(f);
    return found;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the paths an argument stands for; returns false when it is neither file nor dir. */
static bool expand(const char *arg, char ***paths, size_t *n)
{
    struct stat st;
    if (stat(arg, &st) != 0) {
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        *paths = grow(*paths, *n + 1, sizeof **paths);
        (*paths)[(*n)++] = dup_str(arg);
        return true;
    }
    DIR *d = opendir(arg);
    if (!d) {
        return false;
    }
    size_t first = *n;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0 || de->d_name[0] == '.') {
            continue;
        }
        size_t alen = strlen(arg);
        while (alen > 1 && arg[alen - 1] == '/') {
            alen--; /* "scenarios/" names files "scenarios/x.yaml" */
        }
        size_t plen = alen + len + 2;
        char *p = grow(NULL, plen, 1);
        snprintf(p, plen, "%.*s/%s", (int)alen, arg, de->d_name);
        if (!holds_scenario(p)) {
            free(p);
            continue;
        }
        *paths = grow(*paths, *n + 1, sizeof **paths);
        (*paths)[(*n)++] = p;
    }
    closedir(d);
    qsort(*paths + first, *n - first, sizeof **paths, cmp_str);
    return true;
}

/* Loads, runs and judges one scenario into *c. Returns the worst exit code. */
static int check_one(const char *path, bool quiet, checked *c)
{
    memset(c, 0, sizeof *c);
    c->path = dup_str(path);
    rsim_diag *diag = rsim_diag_new(100);
    rsim_scenario *scn = NULL;
    rsim_engine *eng = NULL;
    rsim_err err = rsim_scenario_load_files(&path, 1, RSIM_SCENARIO_RUN, diag, &scn);
    if (err == RSIM_OK) {
        err = rsim_engine_new(scn, NULL, diag, &eng);
    }
    if (err != RSIM_OK) {
        rsim_cli_print_diag(diag);
        printf("ERROR %s: could not be run (%s)\n", path, rsim_strerror(err));
        c->name = dup_str(path);
        c->error = dup_str(rsim_strerror(err));
        rsim_scenario_free(scn);
        rsim_diag_free(diag);
        return RSIM_EXIT_USAGE;
    }
    rsim_diag_free(diag);
    c->name = dup_str(rsim_scenario_name(scn));
    rsim_engine_run(eng);
    const rsim_result *res = rsim_engine_result(eng);
    c->simulated = rsim_result_duration(res);
    size_t n = rsim_result_expectation_count(res);
    c->outcomes.items = grow(NULL, n + 1, sizeof *c->outcomes.items);
    c->outcomes.n = n;
    int rc = RSIM_EXIT_OK;
    if (n == 0 && !quiet) {
        printf("%s (%s): no expectations\n", c->name, path);
    }
    for (size_t i = 0; i < n; i++) {
        rsim_expect_outcome *o = &c->outcomes.items[i];
        rsim_result_expectation_check(res, i, o);
        if (!o->passed) {
            rc = RSIM_EXIT_EXPECT;
        }
        if (!o->passed || !quiet) {
            printf("%s %s:%d: %s: %s; expected %s\n", o->passed ? "PASS" : "FAIL", path,
                   o->loc.line, o->name, o->actual, o->expected);
        }
    }
    rsim_engine_free(eng);
    rsim_scenario_free(scn);
    return rc;
}

static void xml_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t') {
                fputc(*s, out);
            }
        }
    }
}

static rsim_err write_junit(FILE *out, const void *arg)
{
    const check_run *run = arg;
    size_t tests = 0;
    size_t failures = 0;
    size_t errors = 0;
    for (size_t i = 0; i < run->n; i++) {
        const checked *c = &run->items[i];
        errors += c->error != NULL;
        tests += c->error != NULL ? 1 : c->outcomes.n;
        for (size_t k = 0; k < c->outcomes.n; k++) {
            failures += !c->outcomes.items[k].passed;
        }
    }
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(out,
            "<testsuites name=\"rollsim check\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
            tests, failures, errors);
    for (size_t i = 0; i < run->n; i++) {
        const checked *c = &run->items[i];
        size_t f = 0;
        for (size_t k = 0; k < c->outcomes.n; k++) {
            f += !c->outcomes.items[k].passed;
        }
        fputs("  <testsuite name=\"", out);
        xml_text(out, c->name);
        fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%d\" time=\"0\" file=\"",
                c->error ? (size_t)1 : c->outcomes.n, f, c->error ? 1 : 0);
        xml_text(out, c->path);
        fputs("\">\n", out);
        if (c->error) {
            fputs("    <testcase name=\"load and run\" classname=\"", out);
            xml_text(out, c->name);
            fputs("\">\n      <error message=\"", out);
            xml_text(out, c->error);
            fputs("\"/>\n    </testcase>\n", out);
        }
        for (size_t k = 0; k < c->outcomes.n; k++) {
            const rsim_expect_outcome *o = &c->outcomes.items[k];
            fputs("    <testcase name=\"", out);
            xml_text(out, o->name);
            fputs("\" classname=\"", out);
            xml_text(out, c->name);
            fprintf(out, "\" file=\"");
            xml_text(out, c->path);
            fprintf(out, "\" line=\"%d\"", o->loc.line);
            if (o->passed) {
                fputs(">\n      <system-out>", out);
                xml_text(out, o->actual);
                fputs("</system-out>\n    </testcase>\n", out);
                continue;
            }
            fputs(">\n      <failure message=\"expected ", out);
            xml_text(out, o->expected);
            fputs(", got ", out);
            xml_text(out, o->actual);
            fputs("\" type=\"expectation\">expected: ", out);
            xml_text(out, o->expected);
            fputs("\nactual: ", out);
            xml_text(out, o->actual);
            fputs("</failure>\n    </testcase>\n", out);
        }
        fputs("  </testsuite>\n", out);
    }
    fputs("</testsuites>\n", out);
    return ferror(out) ? RSIM_EIO : RSIM_OK;
}

int rsim_cli_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"junit", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *junit = NULL;
    bool quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "j:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'j':
            junit = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            fputs(check_help, stdout);
            return RSIM_EXIT_OK;
        default:
            fputs("Try 'rollsim check --help' for more information.\n", stderr);
            return RSIM_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fputs("rollsim check: no FILE or DIR given\n"
              "Try 'rollsim check --help' for more information.\n",
              stderr);
        return RSIM_EXIT_USAGE;
    }
    char **paths = NULL;
    size_t n_paths = 0;
    int rc = RSIM_EXIT_OK;
    for (int i = optind; i < argc; i++) {
        if (!expand(argv[i], &paths, &n_paths)) {
            fprintf(stderr, "rollsim check: %s: no such file or directory\n", argv[i]);
            rc = RSIM_EXIT_USAGE;
        }
    }
    check_run run = {0};
    run.items = grow(NULL, n_paths + 1, sizeof *run.items);
    size_t n_failed = 0;
    size_t n_held = 0;
    for (size_t i = 0; i < n_paths; i++) {
        int r = check_one(paths[i], quiet, &run.items[run.n++]);
        rc = r > rc ? r : rc;
        for (size_t k = 0; k < run.items[i].outcomes.n; k++) {
            if (run.items[i].outcomes.items[k].passed) {
                n_held++;
            } else {
                n_failed++;
            }
        }
    }
    if (!quiet) {
        printf("%zu scenario%s, %zu expectation%s held, %zu failed\n", run.n, run.n == 1 ? "" : "s",
               n_held, n_held == 1 ? "" : "s", n_failed);
    }
    if (junit != NULL) {
        int w = rsim_cli_write_file(junit, write_junit, &run);
        rc = w > rc ? w : rc;
    }
    for (size_t i = 0; i < run.n; i++) {
        free(run.items[i].path);
        free(run.items[i].name);
        free(run.items[i].error);
        free(run.items[i].outcomes.items);
    }
    free(run.items);
    for (size_t i = 0; i < n_paths; i++) {
        free(paths[i]);
    }
    free(paths);
    return rc;
}
