/* cmd_compare.c - `rollsim compare SCENARIO ROLLOUT...`: run several strategies (one Rollout per
 * file) against one world on the same seed and print their figures side by side (terminal table,
 * JSON, CSV), optionally writing each run's outputs for the overlay plot (plots/compare.gp). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <yaml.h>

#include <rsim/engine.h>
#include <rsim/scenario.h>

#include "cli.h"
#include "plot.h"
#include "util.h"

static const char compare_help[] =
    "Usage: rollsim compare [OPTION]... SCENARIO ROLLOUT...\n"
    "Run several strategies against one world and print their figures side by side.\n"
    "SCENARIO holds the world: a Scenario document (without a Rollout) and whatever it uses,\n"
    "such as AnalysisTemplates and Services. Each ROLLOUT file holds one Rollout (and, if it\n"
    "wants, its own AnalysisTemplates and Services); its metadata.name names its column. The\n"
    "Rollouts must run the world's running image (the `versions` image no setImage deploys).\n"
    "Every run uses the same seed, so each strategy meets the same arrivals, users and pod\n"
    "start-up times (common random numbers): the differences are the strategies'.\n"
    "\n"
    "  -s, --seed N         use seed N instead of the scenario's\n"
    "  -j, --json FILE      write the table as JSON to FILE ('-': stdout)\n"
    "  -c, --csv FILE       write the table as CSV to FILE ('-': stdout)\n"
    "  -o, --out DIR        write each run's outputs into DIR/<name>/ (timeline.csv, ...)\n"
    "                       and the overlay plot DIR/compare.png and .svg (gnuplot)\n"
    "  -q, --quiet          print no table\n"
    "  -h, --help           show this help\n"
    "\n"
    "Output files are written whole or not at all.\n"
    "Exit status: 0 success, 2 bad input or usage, 3 an output could not be written.\n";

#define MAX_NAME 128

/* What compare needs to know of a file before loading it. */
typedef struct file_facts {
    int n_rollouts, n_scenarios;
    char rollout[MAX_NAME]; /* metadata.name of the (first) Rollout */
    char image[256];        /* its first container's image */
    int image_line;
    char spec_rollout[MAX_NAME]; /* Scenario spec.rollout, "" when absent */
    char running[256];           /* the world's running image, "" when unknown */
    int n_running;               /* versions images that no setImage deploys */
} file_facts;

/* One strategy's column. */
typedef struct column {
    const char *file;
    char name[MAX_NAME];
    rsim_figures fig;
    char final_phase[32];
    char not_detected[64];
} column;

/* ---- a small look into the YAML (libyaml document API) ---- */

static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE) {
        return NULL;
    }
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        if (k && k->type == YAML_SCALAR_NODE && strcmp((char *)k->data.scalar.value, key) == 0) {
            return yaml_document_get_node(doc, p->value);
        }
    }
    return NULL;
}

static yaml_node_t *seq_item(yaml_document_t *doc, yaml_node_t *seq, size_t i)
{
    if (!seq || seq->type != YAML_SEQUENCE_NODE ||
        seq->data.sequence.items.start + i >= seq->data.sequence.items.top) {
        return NULL;
    }
    return yaml_document_get_node(doc, seq->data.sequence.items.start[i]);
}

static const char *scalar(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static void copy_str(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

/* Notes the images of spec.versions that no operator setImage deploys. */
static void scan_scenario(yaml_document_t *doc, yaml_node_t *spec, file_facts *f)
{
    copy_str(f->spec_rollout, sizeof(f->spec_rollout), scalar(map_get(doc, spec, "rollout")));
    yaml_node_t *versions = map_get(doc, spec, "versions");
    yaml_node_t *ops = map_get(doc, spec, "operator");
    yaml_node_t *v;
    for (size_t i = 0; (v = seq_item(doc, versions, i)) != NULL; i++) {
        const char *img = scalar(map_get(doc, v, "image"));
        bool deployed = false;
        yaml_node_t *op;
        for (size_t j = 0; img && (op = seq_item(doc, ops, j)) != NULL; j++) {
            const char *set = scalar(map_get(doc, map_get(doc, op, "setImage"), "image"));
            deployed = deployed || (set && strcmp(set, img) == 0);
        }
        if (img && !deployed) {
            if (f->n_running++ == 0) {
                copy_str(f->running, sizeof(f->running), img);
            }
        }
    }
}

/* Reads the kinds, names and images compare checks. Parse errors are left to the loader, which
 * reports them with their location: returns quietly with what was read so far. */
static void scan_file(const char *path, file_facts *f)
{
    memset(f, 0, sizeof(*f));
    FILE *in = fopen(path, "rb");
    if (!in) {
        return;
    }
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, in);
    for (;;) {
        yaml_document_t doc;
        if (!yaml_parser_load(&parser, &doc)) {
            break;
        }
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (!root) {
            yaml_document_delete(&doc);
            break;
        }
        const char *kind = scalar(map_get(&doc, root, "kind"));
        yaml_node_t *spec = map_get(&doc, root, "spec");
        if (kind && strcmp(kind, "Rollout") == 0) {
            if (f->n_rollouts++ == 0) {
                copy_str(f->rollout, sizeof(f->rollout),
                         scalar(map_get(&doc, map_get(&doc, root, "metadata"), "name")));
                yaml_node_t *c0 =
                    seq_item(&doc,
                             map_get(&doc, map_get(&doc, map_get(&doc, spec, "template"), "spec"),
                                     "containers"),
                             0);
                yaml_node_t *img = map_get(&doc, c0, "image");
                copy_str(f->image, sizeof(f->image), scalar(img));
                f->image_line = img ? (int)img->start_mark.line + 1 : 0;
            }
        } else if (kind && strcmp(kind, "Scenario") == 0) {
            if (f->n_scenarios++ == 0) {
                scan_scenario(&doc, spec, f);
            }
        }
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    fclose(in);
}

/* Checks the world and the strategy files before any run; prints every problem found. */
static int check_inputs(const char *world, char **files, size_t n, column *cols)
{
    int rc = RSIM_EXIT_OK;
    file_facts w;
    scan_file(world, &w);
    if (w.n_scenarios != 1) {
        fprintf(stderr,
                "rollsim compare: %s: the world must hold one Scenario document (found %d)\n",
                world, w.n_scenarios);
        return RSIM_EXIT_USAGE;
    }
    if (w.n_rollouts > 0) {
        fprintf(stderr,
                "rollsim compare: %s: the world holds a Rollout; each strategy brings its own, so "
                "move it into a ROLLOUT file\n",
                world);
        rc = RSIM_EXIT_USAGE;
    }
    if (w.n_running != 1) {
        fprintf(stderr,
                "rollsim compare: %s: cannot tell the world's running image: %d spec.versions "
                "images are not deployed by a setImage (need exactly one)\n",
                world, w.n_running);
        rc = RSIM_EXIT_USAGE;
    }
    for (size_t i = 0; i < n; i++) {
        file_facts f;
        scan_file(files[i], &f);
        cols[i].file = files[i];
        copy_str(cols[i].name, sizeof(cols[i].name), f.rollout);
        if (f.n_scenarios > 0) {
            fprintf(stderr, "rollsim compare: %s: a ROLLOUT file must not hold a Scenario\n",
                    files[i]);
            rc = RSIM_EXIT_USAGE;
        }
        if (f.n_rollouts != 1 || !f.rollout[0]) {
            fprintf(stderr,
                    "rollsim compare: %s: a ROLLOUT file must hold exactly one named Rollout "
                    "(found %d)\n",
                    files[i], f.n_rollouts);
            rc = RSIM_EXIT_USAGE;
            continue;
        }
        if (w.spec_rollout[0] && strcmp(w.spec_rollout, f.rollout) != 0) {
            fprintf(stderr,
                    "rollsim compare: %s: the Scenario names spec.rollout '%s', but %s holds "
                    "Rollout '%s'; drop spec.rollout from the world\n",
                    world, w.spec_rollout, files[i], f.rollout);
            rc = RSIM_EXIT_USAGE;
        }
        if (w.n_running == 1 && strcmp(f.image, w.running) != 0) {
            fprintf(stderr,
                    "rollsim compare: %s:%d: Rollout '%s' runs image '%s', but the world's running "
                    "image is '%s'; every strategy must start from the same world\n",
                    files[i], f.image_line, f.rollout, f.image, w.running);
            rc = RSIM_EXIT_USAGE;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(cols[j].name, cols[i].name) == 0) {
                fprintf(stderr,
                        "rollsim compare: %s and %s both hold Rollout '%s'; columns need distinct "
                        "names\n",
                        cols[j].file, files[i], cols[i].name);
                rc = RSIM_EXIT_USAGE;
            }
        }
    }
    return rc;
}

/* ---- running ---- */

static rsim_err write_timeline(FILE *out, const void *arg)
{
    return rsim_result_write_timeline_csv(arg, out);
}

static rsim_err write_summary(FILE *out, const void *arg)
{
    return rsim_result_write_summary_json(arg, out);
}

/* Loads the world plus one strategy, runs it and fills the column. */
static int run_one(
    const char *world, const rsim_engine_opts *opts, const char *out_dir, column *c, uint64_t *seed)
{
    rsim_diag *diag = rsim_diag_new(100);
    rsim_scenario *scn = NULL;
    const char *paths[2] = {world, c->file};
    rsim_err err = rsim_scenario_load_files(paths, 2, RSIM_SCENARIO_RUN, diag, &scn);
    rsim_engine *eng = NULL;
    if (err == RSIM_OK) {
        err = rsim_engine_new(scn, opts, diag, &eng);
    }
    rsim_cli_print_diag(diag);
    rsim_diag_free(diag);
    if (err != RSIM_OK) {
        fprintf(stderr, "rollsim compare: %s + %s cannot be run\n", world, c->file);
        rsim_scenario_free(scn);
        return RSIM_EXIT_USAGE;
    }
    rsim_engine_run(eng);
    const rsim_result *res = rsim_engine_result(eng);
    rsim_result_figures(res, &c->fig);
    *seed = rsim_result_seed(res);
    copy_str(c->final_phase, sizeof(c->final_phase), c->fig.final_phase);
    copy_str(c->not_detected, sizeof(c->not_detected), c->fig.not_detected);
    /* the strings of the figures die with the scenario: point them at the copies */
    c->fig.final_phase = c->fig.final_phase ? c->final_phase : NULL;
    c->fig.not_detected = c->fig.not_detected ? c->not_detected : NULL;
    c->fig.detected_by = NULL;
    c->fig.fault = NULL;
    int rc = RSIM_EXIT_OK;
    if (out_dir) {
        char dir[4096], path[4200];
        snprintf(dir, sizeof(dir), "%s/%s", out_dir, c->name);
        rc = rsim_cli_make_dirs(dir);
        if (rc == RSIM_EXIT_OK) {
            snprintf(path, sizeof(path), "%s/timeline.csv", dir);
            rc = rsim_cli_write_file(path, write_timeline, res);
        }
        if (rc == RSIM_EXIT_OK) {
            snprintf(path, sizeof(path), "%s/summary.json", dir);
            rc = rsim_cli_write_file(path, write_summary, res);
        }
    }
    rsim_engine_free(eng);
    rsim_scenario_free(scn);
    return rc;
}

/* ---- the rows of the table ---- */

typedef enum row_kind { ROW_COUNT, ROW_PERCENT, ROW_TIME, ROW_NUMBER, ROW_TEXT } row_kind;

typedef struct row {
    const char *label; /* terminal */
    const char *key;   /* JSON and CSV */
    row_kind kind;
} row;

static const row rows[] = {
    {"fault-caused failures", "fault_failures", ROW_COUNT},
    {"fault-caused failure share", "fault_failure_share", ROW_PERCENT},
    {"users hit", "users_hit", ROW_COUNT},
    {"peak share on faulty revision", "peak_share", ROW_PERCENT},
    {"error budget consumed", "budget_consumed", ROW_PERCENT},
    {"detection time", "detection_ms", ROW_TIME},
    {"rollback: traffic restored", "rollback_traffic_ms", ROW_TIME},
    {"rollback: faulty pods gone", "rollback_pods_ms", ROW_TIME},
    {"rollback: errors at base", "rollback_errors_ms", ROW_TIME},
    {"promotion time", "promotion_ms", ROW_TIME},
    {"extra pod-seconds", "extra_pod_seconds", ROW_NUMBER},
    {"reconciles", "reconciles", ROW_COUNT},
    {"final phase", "final_phase", ROW_TEXT},
};
#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

/* The raw value of a row: counts in *u, times in *t, ratios and numbers in *d, text in *s. */
static void
row_value(const rsim_figures *f, size_t r, uint64_t *u, double *d, rsim_time *t, const char **s)
{
    *u = 0;
    *d = NAN;
    *t = RSIM_FIGURE_NONE;
    *s = NULL;
    switch (r) {
    case 0:
        *u = f->fault_failures;
        break;
    case 1:
        *d = f->fault_failure_share;
        break;
    case 2:
        *u = f->users_hit;
        break;
    case 3:
        *d = f->peak_share;
        break;
    case 4:
        *d = f->budget_consumed;
        break;
    case 5:
        *t = f->detection_ms;
        break;
    case 6:
        *t = f->rollback_traffic_ms;
        break;
    case 7:
        *t = f->rollback_pods_ms;
        break;
    case 8:
        *t = f->rollback_errors_ms;
        break;
    case 9:
        *t = f->promotion_ms;
        break;
    case 10:
        *d = f->extra_pod_seconds;
        break;
    case 11:
        *u = (uint64_t)f->n_reconciles;
        break;
    default:
        *s = f->final_phase;
        break;
    }
}

/* The cell of the terminal table. */
static void cell_text(const rsim_figures *f, size_t r, char *buf, size_t size)
{
    uint64_t u;
    double d;
    rsim_time t;
    const char *s;
    row_value(f, r, &u, &d, &t, &s);
    switch (rows[r].kind) {
    case ROW_COUNT:
        snprintf(buf, size, "%llu", (unsigned long long)u);
        break;
    case ROW_PERCENT:
        if (isnan(d)) {
            snprintf(buf, size, "-");
        } else {
            snprintf(buf, size, "%.3f%%", 100.0 * d);
        }
        break;
    case ROW_NUMBER:
        snprintf(buf, size, "%.0f", d);
        break;
    case ROW_TIME:
        if (t == RSIM_FIGURE_NONE) {
            /* detection says why not; the rest simply did not happen */
            snprintf(buf, size, "%s", r == 5 && f->not_detected ? f->not_detected : "-");
        } else {
            rsim_util_format_duration(t, buf, size);
        }
        break;
    case ROW_TEXT:
        snprintf(buf, size, "%s", s ? s : "-");
        break;
    }
}

typedef struct table {
    const char *world;
    uint64_t seed;
    const column *cols;
    size_t n;
} table;

static rsim_err write_text(FILE *out, const void *arg)
{
    const table *tb = arg;
    int label_w = 0;
    for (size_t r = 0; r < N_ROWS; r++) {
        int l = (int)strlen(rows[r].label);
        label_w = l > label_w ? l : label_w;
    }
    int *w = rsim_xcalloc(tb->n, sizeof(int));
    for (size_t c = 0; c < tb->n; c++) {
        w[c] = (int)strlen(tb->cols[c].name);
        for (size_t r = 0; r < N_ROWS; r++) {
            char cell[96];
            cell_text(&tb->cols[c].fig, r, cell, sizeof(cell));
            w[c] = (int)strlen(cell) > w[c] ? (int)strlen(cell) : w[c];
        }
    }
    fprintf(out, "compare: %s, seed %llu (the same for every strategy)\n\n", tb->world,
            (unsigned long long)tb->seed);
    fprintf(out, "%-*s", label_w, "");
    for (size_t c = 0; c < tb->n; c++) {
        fprintf(out, "  %*s", w[c], tb->cols[c].name);
    }
    fputc('\n', out);
    for (size_t r = 0; r < N_ROWS; r++) {
        fprintf(out, "%-*s", label_w, rows[r].label);
        for (size_t c = 0; c < tb->n; c++) {
            char cell[96];
            cell_text(&tb->cols[c].fig, r, cell, sizeof(cell));
            fprintf(out, "  %*s", w[c], cell);
        }
        fputc('\n', out);
    }
    free(w);
    return ferror(out) ? RSIM_EIO : RSIM_OK;
}

static cJSON *json_value(const rsim_figures *f, size_t r)
{
    uint64_t u;
    double d;
    rsim_time t;
    const char *s;
    row_value(f, r, &u, &d, &t, &s);
    switch (rows[r].kind) {
    case ROW_COUNT:
        return cJSON_CreateNumber((double)u);
    case ROW_PERCENT:
    case ROW_NUMBER:
        return isfinite(d) ? cJSON_CreateNumber(d) : cJSON_CreateNull();
    case ROW_TIME:
        return t == RSIM_FIGURE_NONE ? cJSON_CreateNull() : cJSON_CreateNumber((double)t);
    case ROW_TEXT:
        return s ? cJSON_CreateString(s) : cJSON_CreateNull();
    }
    return cJSON_CreateNull();
}

static rsim_err write_json(FILE *out, const void *arg)
{
    const table *tb = arg;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "schema", "rollsim.compare/v1");
    cJSON_AddStringToObject(root, "world", tb->world);
    cJSON_AddNumberToObject(root, "seed", (double)tb->seed);
    cJSON *arr = cJSON_AddArrayToObject(root, "strategies");
    for (size_t c = 0; c < tb->n; c++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", tb->cols[c].name);
        cJSON_AddStringToObject(o, "file", tb->cols[c].file);
        cJSON *figs = cJSON_AddObjectToObject(o, "figures");
        for (size_t r = 0; r < N_ROWS; r++) {
            cJSON_AddItemToObject(figs, rows[r].key, json_value(&tb->cols[c].fig, r));
        }
        cJSON_AddStringToObject(figs, "not_detected",
                                tb->cols[c].fig.not_detected ? tb->cols[c].fig.not_detected : "");
        cJSON_AddItemToArray(arr, o);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text) {
        return RSIM_EIO;
    }
    fputs(text, out);
    fputc('\n', out);
    cJSON_free(text);
    return ferror(out) ? RSIM_EIO : RSIM_OK;
}

/* CSV: one row per figure, one column per strategy; times in ms, ratios as fractions, empty
 * when the figure did not happen. */
static rsim_err write_csv(FILE *out, const void *arg)
{
    const table *tb = arg;
    fputs("figure", out);
    for (size_t c = 0; c < tb->n; c++) {
        fprintf(out, ",%s", tb->cols[c].name);
    }
    fputc('\n', out);
    for (size_t r = 0; r < N_ROWS; r++) {
        fputs(rows[r].key, out);
        for (size_t c = 0; c < tb->n; c++) {
            uint64_t u;
            double d;
            rsim_time t;
            const char *s;
            row_value(&tb->cols[c].fig, r, &u, &d, &t, &s);
            fputc(',', out);
            switch (rows[r].kind) {
            case ROW_COUNT:
                fprintf(out, "%llu", (unsigned long long)u);
                break;
            case ROW_PERCENT:
            case ROW_NUMBER:
                if (isfinite(d)) {
                    fprintf(out, "%.6g", d);
                }
                break;
            case ROW_TIME:
                if (t != RSIM_FIGURE_NONE) {
                    fprintf(out, "%lld", (long long)t);
                }
                break;
            case ROW_TEXT:
                fputs(s ? s : "", out);
                break;
            }
        }
        fputc('\n', out);
    }
    return ferror(out) ? RSIM_EIO : RSIM_OK;
}

/* ---- the command ---- */

typedef struct compare_opts {
    const char *json, *csv, *out_dir;
    bool quiet;
    rsim_engine_opts engine;
} compare_opts;

static int parse_args(int argc, char **argv, compare_opts *o)
{
    static const struct option longopts[] = {
        {"seed", required_argument, NULL, 's'},
        {"json", required_argument, NULL, 'j'},
        {"csv", required_argument, NULL, 'c'},
        {"out", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:j:c:o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 's': {
            char *end = NULL;
            if (!*optarg || *optarg == '-' ||
                (o->engine.seed = strtoull(optarg, &end, 10), *end != '\0')) {
                fprintf(stderr, "rollsim compare: --seed needs a whole number, got '%s'\n", optarg);
                return RSIM_EXIT_USAGE;
            }
            o->engine.override_seed = true;
            break;
        }
        case 'j':
            o->json = optarg;
            break;
        case 'c':
            o->csv = optarg;
            break;
        case 'o':
            o->out_dir = optarg;
            break;
        case 'q':
            o->quiet = true;
            break;
        case 'h':
            fputs(compare_help, stdout);
            return RSIM_EXIT_OK;
        default:
            fputs("Try 'rollsim compare --help' for more information.\n", stderr);
            return RSIM_EXIT_USAGE;
        }
    }
    if (argc - optind < 2) {
        fputs("rollsim compare: needs SCENARIO and at least one ROLLOUT file\n"
              "Try 'rollsim compare --help' for more information.\n",
              stderr);
        return RSIM_EXIT_USAGE;
    }
    return -1;
}

int rsim_cli_compare(int argc, char **argv)
{
    compare_opts o = {0};
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0) {
        return rc;
    }
    const char *world = argv[optind];
    char **files = argv + optind + 1;
    size_t n = (size_t)(argc - optind - 1);
    column *cols = rsim_xcalloc(n, sizeof(*cols));
    rc = check_inputs(world, files, n, cols);
    uint64_t seed = 0;
    for (size_t i = 0; i < n && rc == RSIM_EXIT_OK; i++) {
        rc = run_one(world, &o.engine, o.out_dir, &cols[i], &seed);
    }
    if (rc == RSIM_EXIT_OK) {
        table tb = {world, seed, cols, n};
        if (o.json) {
            rc = rsim_cli_write_file(o.json, write_json, &tb);
        }
        if (rc == RSIM_EXIT_OK && o.csv) {
            rc = rsim_cli_write_file(o.csv, write_csv, &tb);
        }
        if (rc == RSIM_EXIT_OK && o.out_dir) {
            char names[4096] = "";
            for (size_t i = 0; i < n; i++) {
                size_t used = strlen(names);
                snprintf(names + used, sizeof(names) - used, "%s%s", i ? " " : "", cols[i].name);
            }
            rc = rsim_cli_write_compare_plot(o.out_dir, NULL, names);
        }
        bool stdout_taken =
            (o.json && strcmp(o.json, "-") == 0) || (o.csv && strcmp(o.csv, "-") == 0);
        if (rc == RSIM_EXIT_OK && !o.quiet && !stdout_taken) {
            write_text(stdout, &tb);
            rc = fflush(stdout) == 0 && !ferror(stdout) ? RSIM_EXIT_OK : RSIM_EXIT_IO;
        }
    }
    free(cols);
    return rc;
}
