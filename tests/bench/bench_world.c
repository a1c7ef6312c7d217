/* bench_world.c - cost of the world model: one simulated hour, 20 pods, a fault at minute 10,
 * a 1 s time series, at several request rates (docs/performance.md, "The world"). With
 * --analysis, each rate is also run with the Prometheus model (15 s scrapes of every pod) and an
 * AnalysisRun querying a canary error-rate ratio every 30 s, and the extra cost is printed beside
 * the cost of the world alone (docs/performance.md, "Metrics and analysis").
 * The scenario is built in memory; only rsim_engine_run is timed (not loading, not process
 * start), fastest of --repeat runs. Peak resident memory is reported for the whole process.
 * With --default, runs the built-in default scenario instead (scenarios/default.yaml: a
 * traffic-routed canary at 1,000 requests/s driven by the controller, Prometheus scraping every
 * 15 s, step analyses every 30 s), as written (10 pods) and with 20 pods.
 * With --only world|random|aligned|every, runs that one configuration once at the first rate and
 * prints nothing but errors: for `valgrind --tool=callgrind --toggle-collect=rsim_engine_run`;
 * `every` is `random` with a query over every pod's series (no pod-template hash matcher), so
 * that no ReplicaSet's per-pod split can be skipped (docs/modules/traffic.md "Deferred
 * ReplicaSets").
 * Usage: bench_world [--rates 1000,100000] [--repeat 5] [--hours 1] [--analysis] [--default]
 *                    [--only world|random|aligned|every] */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <rsim.h>

/* The world: a traffic-routed canary by hand (the controller off): 18 stable pods, a canary
 * ReplicaSet of 2 pods from minute 1, 10 % of traffic from minute 5, an error-ratio fault of the
 * canary from minute 10. Pod capacity fits 100,000 requests/s, so neither rate overloads. */
static const char scenario_fmt[] =
    "apiVersion: rollsim/v1alpha1\n"
    "kind: Scenario\n"
    "metadata: {name: bench-world}\n"
    "spec:\n"
    "  run: {duration: %dh, seed: 7, tick: 1s}\n"
    "  traffic:\n"
    "    load: {constant: {rps: %d}}\n"
    "    users: {population: 1000000}\n"
    "  controller: {enabled: false}\n"
    "%s"
    "  versionDefaults:\n"
    "    capacity: {workers: 400, serviceTime: 40ms, queue: 100}\n"
    "  versions:\n"
    "    - {image: 'app:1', cached: true}\n"
    "    - image: 'app:2'\n"
    "      faults: [{name: bad, onset: {at: 10m}, errorStep: {errorRatio: 0.05}}]\n"
    "  operator:\n"
    "    - {at: 1m, setImage: {image: 'app:2'}}\n"
    "    - {at: 1m, scale: {image: 'app:2', replicas: 2}}\n"
    "    - {at: 1m, scale: {image: 'app:1', replicas: 18}}\n"
    "    - {at: 5m, setWeight: {image: 'app:2', weight: 10}}\n"
    "%s"
    "---\n"
    "apiVersion: argoproj.io/v1alpha1\n"
    "kind: Rollout\n"
    "metadata: {name: app}\n"
    "spec:\n"
    "  replicas: 20\n"
    "  selector: {matchLabels: {app: app}}\n"
    "  template:\n"
    "    metadata: {labels: {app: app}}\n"
    "    spec: {containers: [{name: app, image: 'app:1'}]}\n"
    "  strategy:\n"
    "    canary:\n"
    "      canaryService: app-canary\n"
    "      stableService: app-stable\n"
    "      trafficRouting: {nginx: {stableIngress: app}}\n"
    "      steps: [{setWeight: 10}, {pause: {}}]\n"
    "---\n"
    "{apiVersion: v1, kind: Service, metadata: {name: app-canary},"
    " spec: {selector: {app: app}, ports: [{port: 80}]}}\n"
    "---\n"
    "{apiVersion: v1, kind: Service, metadata: {name: app-stable},"
    " spec: {selector: {app: app}, ports: [{port: 80}]}}\n"
    "%s";

/* --analysis: 15 s scrapes (per-pod offsets, or aligned), and from minute 1 an AnalysisRun whose
 * metric queries the canary's error-rate ratio every 30 s for the rest of the hour (its condition
 * holds for any ratio, so no verdict ends the run early). */
static const char *const analysis_metrics[] = {
    "",
    "  metrics: {scrapeInterval: 15s, scrapeTimeout: 10s}\n",
    "  metrics: {scrapeInterval: 15s, scrapeTimeout: 10s, scrapeOffset: aligned}\n",
    "  metrics: {scrapeInterval: 15s, scrapeTimeout: 10s}\n",
};
static const char analysis_action[] =
    "    - at: 1m\n"
    "      startAnalysis:\n"
    "        name: error-rate\n"
    "        templates: [{templateName: error-rate}]\n"
    "        args: [{name: hash, valueFrom: {podTemplateHashValue: Latest}}]\n";
static const char analysis_template[] =
    "---\n"
    "apiVersion: argoproj.io/v1alpha1\n"
    "kind: AnalysisTemplate\n"
    "metadata: {name: error-rate}\n"
    "spec:\n"
    "  args: [{name: hash}]\n"
    "  metrics:\n"
    "    - name: error-rate\n"
    "      interval: 30s\n"
    "      successCondition: len(result) == 0 || isNaN(result[0]) || result[0] <= 1\n"
    "      provider:\n"
    "        prometheus:\n"
    "          query: >-\n"
    "            %s\n";
static const char query_canary[] =
    "sum(rate(http_requests_total{rollouts_pod_template_hash=\"{{args.hash}}\","
    "code=~\"5..\"}[1m])) / sum(rate(http_requests_total{rollouts_pod_template_hash=\""
    "{{args.hash}}\"}[1m]))";
static const char query_every[] =
    "sum(rate(http_requests_total{code=~\"5..\"}[1m])) / sum(rate(http_requests_total[1m]))";

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs the world once at `rps`; returns the seconds rsim_engine_run took, or a negative value
 * on a load error (printed). */
static double run_once(int rps, int hours, int analysis)
{
    char tmpl[2048];
    snprintf(tmpl, sizeof(tmpl), analysis_template, analysis == 3 ? query_every : query_canary);
    char text[8192];
    int n = snprintf(text, sizeof(text), scenario_fmt, hours, rps, analysis_metrics[analysis],
                     analysis ? analysis_action : "", analysis ? tmpl : "");
    rsim_diag *diag = rsim_diag_new(0);
    rsim_scenario *scn = NULL;
    rsim_engine *eng = NULL;
    double seconds = -1;
    if (rsim_scenario_load_string("bench-world.yaml", text, (size_t)n, RSIM_SCENARIO_RUN, diag,
                                  &scn) == RSIM_OK &&
        rsim_engine_new(scn, NULL, diag, &eng) == RSIM_OK) {
        double t0 = now_seconds();
        rsim_engine_run(eng);
        seconds = now_seconds() - t0;
    } else {
        rsim_diag_print(diag, stderr);
    }
    rsim_engine_free(eng);
    rsim_scenario_free(scn);
    rsim_diag_free(diag);
    return seconds;
}

/* Runs the default scenario once, its Rollout at `replicas` pods (0 = as written); returns the
 * seconds rsim_engine_run took, or a negative value on a load error (printed). */
static double run_default(int replicas)
{
    size_t len = 0;
    const char *src = rsim_scenario_default_source(&len);
    rsim_diag *diag = rsim_diag_new(0);
    rsim_scenario *scn = NULL;
    rsim_engine *eng = NULL;
    double seconds = -1;
    rsim_err rc;
    if (replicas > 0) {
        /* The Rollout's "  replicas: N" line, rewritten. */
        const char *at = strstr(src, "\n  replicas: ");
        const char *eol = at ? strchr(at + 1, '\n') : NULL;
        if (!eol) {
            fprintf(stderr, "bench_world: no spec.replicas line in the default scenario\n");
            rsim_diag_free(diag);
            return -1;
        }
        size_t cap = len + 64;
        char *text = malloc(cap);
        if (!text) {
            abort();
        }
        int n = snprintf(text, cap, "%.*s\n  replicas: %d%s", (int)(at - src), src, replicas, eol);
        rc = rsim_scenario_load_string("default.yaml", text, (size_t)n, RSIM_SCENARIO_RUN, diag,
                                       &scn);
        free(text);
    } else {
        rc = rsim_scenario_load_default(diag, &scn);
    }
    if (rc == RSIM_OK && rsim_engine_new(scn, NULL, diag, &eng) == RSIM_OK) {
        double t0 = now_seconds();
        rsim_engine_run(eng);
        seconds = now_seconds() - t0;
    } else {
        rsim_diag_print(diag, stderr);
    }
    rsim_engine_free(eng);
    rsim_scenario_free(scn);
    rsim_diag_free(diag);
    return seconds;
}

static int bench_default(int repeat)
{
    printf("%-30s %12s\n", "default scenario (1 sim-h)", "ms per run");
    const int pods[] = {0, 20};
    for (size_t i = 0; i < sizeof pods / sizeof pods[0]; i++) {
        double best = 1e30;
        for (int r = 0; r < repeat; r++) {
            double s = run_default(pods[i]);
            if (s < 0) {
                return 1;
            }
            best = s < best ? s : best;
        }
        char label[64];
        snprintf(label, sizeof label, pods[i] ? "%d pods" : "as written", pods[i]);
        printf("%-30s %12.3f\n", label, best * 1e3);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak resident memory of this process: %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    return 0;
}

/* Fastest of `repeat` runs, seconds; negative on a load error. */
static double best_of(int rps, int hours, int analysis, int repeat)
{
    double best = 1e30;
    for (int r = 0; r < repeat; r++) {
        double s = run_once(rps, hours, analysis);
        if (s < 0) {
            return s;
        }
        best = s < best ? s : best;
    }
    return best;
}

int main(int argc, char **argv)
{
    char rates_arg[256] = "1000,100000";
    int repeat = 5;
    int hours = 1;
    bool analysis = false;
    bool dflt = false;
    int only = -1; /* --only: 0 world, 1 per-pod offsets, 2 aligned, 3 every pod queried */
    for (int i = 1; i < argc; i += 2) {
        if (strcmp(argv[i], "--analysis") == 0) {
            analysis = true;
            i--;
        } else if (strcmp(argv[i], "--default") == 0) {
            dflt = true;
            i--;
        } else if (i + 1 < argc && strcmp(argv[i], "--rates") == 0) {
            snprintf(rates_arg, sizeof(rates_arg), "%s", argv[i + 1]);
        } else if (i + 1 < argc && strcmp(argv[i], "--repeat") == 0) {
            repeat = atoi(argv[i + 1]);
        } else if (i + 1 < argc && strcmp(argv[i], "--hours") == 0) {
            hours = atoi(argv[i + 1]);
        } else if (i + 1 < argc && strcmp(argv[i], "--only") == 0) {
            const char *names[] = {"world", "random", "aligned", "every"};
            for (int k = 0; k < 4; k++) {
                only = strcmp(argv[i + 1], names[k]) == 0 ? k : only;
            }
            if (only < 0) {
                fprintf(stderr, "bench_world: --only takes world, random, aligned or every\n");
                return 2;
            }
        } else {
            fprintf(stderr, "usage: bench_world [--rates R1,R2] [--repeat N] [--hours H] "
                            "[--analysis] [--default] [--only world|random|aligned|every]\n");
            return 2;
        }
    }
    if (dflt) {
        return bench_default(repeat);
    }
    if (only >= 0) {
        return run_once(atoi(rates_arg), hours, only) < 0 ? 1 : 0;
    }
    if (analysis) {
        printf("%10s %10s %20s %20s %20s\n", "", "world", "+analysis, random", "+analysis, aligned",
               "+every pod queried");
        printf("%10s %10s %10s %9s %10s %9s %10s %9s\n", "rps", "ms", "extra ms", "x world",
               "extra ms", "x world", "extra ms", "x world");
    } else {
        printf("%10s %12s %14s\n", "rps", "ms per run", "ms per sim-h");
    }
    double first = 0;
    for (char *tok = strtok(rates_arg, ","); tok; tok = strtok(NULL, ",")) {
        int rps = atoi(tok);
        double best = best_of(rps, hours, 0, repeat);
        if (best < 0) {
            return 1;
        }
        if (analysis) {
            /* Scrape offsets drawn per pod (Prometheus' spread), then all pods at once. */
            double random = best_of(rps, hours, 1, repeat);
            double aligned = best_of(rps, hours, 2, repeat);
            double every = best_of(rps, hours, 3, repeat);
            if (random < 0 || aligned < 0 || every < 0) {
                return 1;
            }
            printf("%10d %10.3f %10.3f %9.2f %10.3f %9.2f %10.3f %9.2f\n", rps, best * 1e3,
                   (random - best) * 1e3, (random - best) / best, (aligned - best) * 1e3,
                   (aligned - best) / best, (every - best) * 1e3, (every - best) / best);
            continue;
        }
        printf("%10d %12.3f %14.3f\n", rps, best * 1e3, best * 1e3 / hours);
        if (first == 0) {
            first = best;
        } else {
            printf("%10s ratio to the first rate: %.2f\n", "", best / first);
        }
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak resident memory of this process: %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    return 0;
}
