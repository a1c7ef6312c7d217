/* test_scenario_analysis.c - AnalysisTemplate, ClusterAnalysisTemplate and Service documents:
 * schema tables (schema_analysis.c) and builders (build_analysis.c), driven through the YAML
 * parser and the checker as the loader drives them. Pinned: every validation rule of the
 * builders, Argo's defaults in the typed model (§4, §21), placeholder rules, provider selection
 * and the exact message text. Not pinned here: cross-document references (a Rollout naming a
 * template) and the CLI output format, which tests/errors covers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scenario_int.h"

typedef struct fx {
    rsim_arena arena;
    rsim_diag *diag;
    rsim_spec_analysis_template tpl;
    rsim_spec_service svc;
    bool ok;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    rsim_arena_init(&f->arena);
    f->diag = rsim_diag_new(0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    rsim_diag_free(f->diag);
    rsim_arena_fini(&f->arena);
    free(f);
    return 0;
}

typedef enum doc_kind { DOC_TEMPLATE, DOC_CLUSTER, DOC_SERVICE } doc_kind;

/* Parses text, checks it against its schema and, when that passed, builds it. */
static bool load(fx *f, doc_kind kind, const char *text)
{
    rsim_yfile *yf = NULL;
    assert_int_equal(rsim_ynode_parse(&f->arena, "t.yaml", text, strlen(text), f->diag, &yf),
                     RSIM_OK);
    assert_true(yf->n_docs >= 1);
    const rsim_ynode *root = yf->docs[0].root;
    rsim_build_ctx b = {.sc = {.diag = f->diag, .file = "t.yaml"}, .arena = &f->arena, .dir = "."};
    const rsim_schema *schema = kind == DOC_TEMPLATE  ? &rsim_schema_analysis_template
                                : kind == DOC_CLUSTER ? &rsim_schema_cluster_analysis_template
                                                      : &rsim_schema_service;
    f->ok = rsim_schema_check(&b.sc, root, schema, "");
    if (f->ok && kind == DOC_SERVICE) {
        f->ok = rsim_scenario_build_service(&b, root, &f->svc);
    } else if (f->ok) {
        f->ok = rsim_scenario_build_analysis_template(&b, root, kind == DOC_CLUSTER, &f->tpl);
    }
    assert_int_equal(f->ok, !rsim_diag_has_errors(f->diag));
    if (getenv("RSIM_TEST_VERBOSE")) {
        rsim_diag_print(f->diag, stderr);
    }
    return f->ok;
}

/* A template with the given args block (may be "") and metrics block. */
static bool load_metrics(fx *f, const char *args, const char *metrics)
{
    char text[8192];
    snprintf(text, sizeof text,
             "apiVersion: argoproj.io/v1alpha1\n"
             "kind: AnalysisTemplate\n"
             "metadata:\n"
             "  name: t\n"
             "spec:\n"
             "%s"
             "  metrics:\n"
             "%s",
             args, metrics);
    return load(f, DOC_TEMPLATE, text);
}

/* Asserts that one diagnostic reads exactly msg ("<path>: <message>"). */
static void expect_msg(fx *f, const char *msg)
{
    size_t n = rsim_diag_count(f->diag);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rsim_diag_message_at(f->diag, i), msg) == 0) {
            return;
        }
    }
    for (size_t i = 0; i < n; i++) {
        print_error("  got: %s\n", rsim_diag_message_at(f->diag, i));
    }
    fail_msg("no diagnostic '%s' among %zu", msg, n);
}

static void expect_only(fx *f, const char *msg)
{
    assert_false(f->ok);
    expect_msg(f, msg);
    assert_int_equal(rsim_diag_count(f->diag), 1);
}

#define PROM(q) "    provider:\n      prometheus:\n        query: " q "\n"

/* ---- typed values and defaults -------------------------------------------------------------- */

static void test_scenario_analysis_defaults_single_measurement(void **state)
{
    fx *f = *state;
    assert_true(load_metrics(f, "", "  - name: m\n" PROM("up")));
    assert_string_equal(f->tpl.name, "t");
    assert_false(f->tpl.cluster);
    assert_int_equal(f->tpl.n_metrics, 1);
    const rsim_spec_metric *m = &f->tpl.metrics[0];
    assert_string_equal(m->name, "m");
    assert_false(m->interval.set);
    assert_int_equal(m->count.value, 1); /* no count, no interval: one measurement (§4.3) */
    assert_int_equal(m->failure_limit.value, 0);
    assert_int_equal(m->inconclusive_limit.value, 0);
    assert_int_equal(m->consecutive_error_limit.value, 4);
    assert_int_equal(m->consecutive_success_limit.value, 0);
    assert_null(m->success_condition);
    assert_null(m->failure_condition);
    assert_int_equal(m->provider, RSIM_SPEC_PROVIDER_PROMETHEUS);
    assert_non_null(m->prometheus);
    assert_null(m->web);
    assert_null(m->job);
    assert_string_equal(m->prometheus->query, "up");
    assert_string_equal(m->prometheus->address, "");
    assert_int_equal(m->prometheus->timeout, RSIM_SEC(30));
}

static void test_scenario_analysis_interval_only_is_unbounded(void **state)
{
    fx *f = *state;
    assert_true(load_metrics(f, "",
                             "  - name: m\n"
                             "    interval: 5m\n"
                             "    initialDelay: 30s\n"
                             "    failureLimit: 3\n"
                             "    successCondition: result[0] >= 0.95\n" PROM("up")));
    const rsim_spec_metric *m = &f->tpl.metrics[0];
    assert_int_equal(m->interval.value, RSIM_MIN(5));
    assert_int_equal(m->initial_delay.value, RSIM_SEC(30));
    assert_int_equal(m->count.value, RSIM_SPEC_COUNT_UNBOUNDED);
    assert_false(m->count.set);
    assert_int_equal(m->failure_limit.value, 3);
    assert_string_equal(m->success_condition, "result[0] >= 0.95");
    assert_int_equal(m->success_loc.line, 11);
}

static void test_scenario_analysis_count_zero_is_unset(void **state)
{
    fx *f = *state;
    assert_true(load_metrics(f, "", "  - name: m\n    count: 0\n" PROM("up")));
    assert_int_equal(f->tpl.metrics[0].count.value, 1);
    assert_true(f->tpl.metrics[0].count.set);
}

static void test_scenario_analysis_string_limits_are_integers(void **state)
{
    fx *f = *state;
    assert_true(load_metrics(f, "",
                             "  - name: m\n"
                             "    interval: 1m\n"
                             "    count: \"5\"\n"
                             "    consecutiveErrorLimit: \"0\"\n" PROM("up")));
    assert_int_equal(f->tpl.metrics[0].count.value, 5);
    assert_int_equal(f->tpl.metrics[0].consecutive_error_limit.value, 0);
}

static void test_scenario_analysis_web_defaults(void **state)
{
    fx *f = *state;
    assert_true(load_metrics(f, "",
                             "  - name: w\n"
                             "    provider:\n"
                             "      web:\n"
                             "        url: http://x/health\n"
                             "        headers:\n"
                             "        - key: A\n"
                             "          value: b\n"));
    const rsim_spec_web *w = f->tpl.metrics[0].web;
    assert_int_equal(f->tpl.metrics[0].provider, RSIM_SPEC_PROVIDER_WEB);
    assert_non_null(w);
    assert_int_equal(w->method, RSIM_SPEC_WEB_GET);
    assert_int_equal(w->timeout, RSIM_SEC(10));
    assert_string_equal(w->json_path, "{$}");
    assert_null(w->body);
    assert_null(w->json_body);
    assert_int_equal(w->n_headers, 1);
    assert_string_equal(w->headers[0].key, "A");
    assert_string_equal(w->headers[0].value, "b");
}

static void test_scenario_analysis_web_json_body_is_encoded(void **state)
{
    fx *f = *state;
    assert_true(load_metrics(f, "",
                             "  - name: w\n"
                             "    provider:\n"
                             "      web:\n"
                             "        method: POST\n"
                             "        url: http://x/\n"
                             "        timeoutSeconds: 20\n"
                             "        jsonBody:\n"
                             "          a: 1\n"
                             "          b: [true, null, \"q\\\"\", x]\n"
                             "          c: {d: 2.5}\n"));
    const rsim_spec_web *w = f->tpl.metrics[0].web;
    assert_int_equal(w->method, RSIM_SPEC_WEB_POST);
    assert_int_equal(w->timeout, RSIM_SEC(20));
    assert_string_equal(w->json_body,
                        "{\"a\":1,\"b\":[true,null,\"q\\\"\",\"x\"],\"c\":{\"d\":2.5}}");
}

static const char job_metric[] = "  - name: j\n"
                                 "    provider:\n"
                                 "      job:\n"
                                 "        spec:\n"
                                 "          %s"
                                 "template:\n"
                                 "            spec:\n"
                                 "              containers:\n"
                                 "              - name: smoke\n"
                                 "                image: curl:8\n"
                                 "              %s\n";

static bool load_job(fx *f, const char *spec_extra, const char *pod_extra)
{
    char metrics[2048];
    snprintf(metrics, sizeof metrics, job_metric, spec_extra, pod_extra);
    return load_metrics(f, "", metrics);
}

static void test_scenario_analysis_job_defaults(void **state)
{
    fx *f = *state;
    assert_true(load_job(f, "", "restartPolicy: Never"));
    const rsim_spec_job *j = f->tpl.metrics[0].job;
    assert_int_equal(f->tpl.metrics[0].provider, RSIM_SPEC_PROVIDER_JOB);
    assert_non_null(j);
    assert_int_equal(j->backoff_limit, 6);
    assert_int_equal(j->active_deadline, 0);
    assert_int_equal(j->n_containers, 1);
    assert_string_equal(j->images[0], "curl:8");
    assert_string_equal(j->containers[0], "smoke");
}

static void test_scenario_analysis_job_typed_fields(void **state)
{
    fx *f = *state;
    assert_true(load_job(f, "backoffLimit: 1\n          activeDeadlineSeconds: 90\n          ",
                         "restartPolicy: OnFailure"));
    assert_int_equal(f->tpl.metrics[0].job->backoff_limit, 1);
    assert_int_equal(f->tpl.metrics[0].job->active_deadline, RSIM_SEC(90));
}

static void test_scenario_analysis_job_restart_policy(void **state)
{
    fx *f = *state;
    load_job(f, "", "restartPolicy: Always");
    expect_only(f, "spec.metrics[0].provider.job.spec.template.spec.restartPolicy: must be Never "
                   "or OnFailure in a Job, got 'Always'");
}

static void test_scenario_analysis_job_restart_policy_required(void **state)
{
    fx *f = *state;
    load_job(f, "", "");
    expect_only(f, "spec.metrics[0].provider.job.spec.template.spec: missing required field "
                   "'restartPolicy' (a Job's pod needs Never or OnFailure)");
}

static void test_scenario_analysis_job_parallel_unsupported(void **state)
{
    fx *f = *state;
    load_job(f, "completions: 3\n          ", "restartPolicy: Never");
    expect_only(f, "spec.metrics[0].provider.job.spec.completions: not supported yet: a Job is "
                   "modelled as one pod run to completion; completions must be 1");
    assert_int_equal(rsim_diag_code_at(f->diag, 0), RSIM_EUNSUPPORTED);
}

static void test_scenario_analysis_job_pod_failure_policy_unsupported(void **state)
{
    fx *f = *state;
    load_job(f, "podFailurePolicy: {rules: []}\n          ", "restartPolicy: Never");
    assert_false(f->ok);
    assert_int_equal(rsim_diag_code_at(f->diag, 0), RSIM_EUNSUPPORTED);
}

/* ---- Argo's metric validation ---------------------------------------------------------------- */

static void test_scenario_analysis_count_needs_interval(void **state)
{
    fx *f = *state;
    load_metrics(f, "", "  - name: m\n    count: 3\n" PROM("up"));
    expect_only(f, "spec.metrics[0].count: interval must be set when count > 1 (§4.3)");
}

static void test_scenario_analysis_count_below_failure_limit(void **state)
{
    fx *f = *state;
    load_metrics(f, "",
                 "  - name: m\n    interval: 1m\n    count: 2\n    failureLimit: 3\n" PROM("up"));
    expect_only(f, "spec.metrics[0].count: must be >= failureLimit (3), got 2");
}

static void test_scenario_analysis_negative_limits(void **state)
{
    fx *f = *state;
    load_metrics(f, "",
                 "  - name: m\n"
                 "    inconclusiveLimit: -1\n"
                 "    consecutiveErrorLimit: -2\n"
                 "    consecutiveSuccessLimit: -1\n"
                 "    failureLimit: -3\n" PROM("up"));
    assert_false(f->ok);
    expect_msg(f, "spec.metrics[0].inconclusiveLimit: must be >= 0, got -1");
    expect_msg(f, "spec.metrics[0].consecutiveErrorLimit: must be >= 0, got -2");
    expect_msg(f, "spec.metrics[0].consecutiveSuccessLimit: must be >= 0, got -1");
    expect_msg(f, "spec.metrics[0].failureLimit: must be >= 0 (or -1 with "
                  "consecutiveSuccessLimit), got -3");
    assert_int_equal(rsim_diag_count(f->diag), 4);
}

static void test_scenario_analysis_failure_limit_minus_one(void **state)
{
    fx *f = *state;
    load_metrics(f, "", "  - name: m\n    failureLimit: -1\n" PROM("up"));
    expect_only(f, "spec.metrics[0].failureLimit: -1 disables failureLimit only together with "
                   "consecutiveSuccessLimit (§4.5)");
}

static void test_scenario_analysis_failure_limit_minus_one_with_success_limit(void **state)
{
    fx *f = *state;
    assert_true(load_metrics(f, "",
                             "  - name: m\n"
                             "    interval: 1m\n"
                             "    count: 5\n"
                             "    failureLimit: -1\n"
                             "    consecutiveSuccessLimit: 3\n" PROM("up")));
    assert_int_equal(f->tpl.metrics[0].failure_limit.value, -1);
    assert_int_equal(f->tpl.metrics[0].consecutive_success_limit.value, 3);
}

static void test_scenario_analysis_bad_durations(void **state)
{
    fx *f = *state;
    load_metrics(f, "", "  - name: m\n    interval: 5 minutes\n    initialDelay: -1s\n" PROM("up"));
    assert_false(f->ok);
    expect_msg(f, "spec.metrics[0].interval: expected a duration such as \"30s\" or \"5m\", got "
                  "'5 minutes'");
    expect_msg(f, "spec.metrics[0].initialDelay: must not be negative, got '-1s'");
}

static void test_scenario_analysis_bad_integer_string(void **state)
{
    fx *f = *state;
    load_metrics(f, "", "  - name: m\n    failureLimit: three\n" PROM("up"));
    expect_only(f, "spec.metrics[0].failureLimit: expected an integer or a {{args.name}} "
                   "placeholder, got 'three'");
}

static void test_scenario_analysis_duplicate_metric_names(void **state)
{
    fx *f = *state;
    load_metrics(f, "", "  - name: m\n" PROM("up") "  - name: m\n" PROM("down"));
    expect_only(f, "spec.metrics[1].name: duplicate metric name 'm' (also metrics[0])");
}

static void test_scenario_analysis_no_metrics(void **state)
{
    fx *f = *state;
    load(f, DOC_TEMPLATE,
         "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: {name: t}\n"
         "spec:\n  args: []\n");
    expect_only(f, "spec: missing required field 'metrics'");
}

/* ---- providers --------------------------------------------------------------------------------
 */

static void test_scenario_analysis_no_provider(void **state)
{
    fx *f = *state;
    load_metrics(f, "", "  - name: m\n    provider: {}\n");
    expect_only(f, "spec.metrics[0].provider: no provider set; expected one of prometheus, web, "
                   "job");
}

static void test_scenario_analysis_two_providers(void **state)
{
    fx *f = *state;
    load_metrics(f, "", "  - name: m\n" PROM("up") "      web:\n        url: http://x\n");
    expect_only(f, "spec.metrics[0].provider: exactly one provider may be set; 'web' is a second "
                   "one");
}

static void test_scenario_analysis_datadog_unsupported(void **state)
{
    fx *f = *state;
    load_metrics(f, "", "  - name: m\n    provider:\n      datadog:\n        query: x\n");
    assert_false(f->ok);
    assert_int_equal(rsim_diag_count(f->diag), 1);
    assert_int_equal(rsim_diag_code_at(f->diag, 0), RSIM_EUNSUPPORTED);
    assert_non_null(strstr(rsim_diag_message_at(f->diag, 0),
                           "rollsim models the prometheus, web and job providers"));
}

static void test_scenario_analysis_range_query_unsupported(void **state)
{
    fx *f = *state;
    load_metrics(f, "", "  - name: m\n" PROM("up") "        rangeQuery:\n          step: 1m\n");
    assert_false(f->ok);
    assert_int_equal(rsim_diag_code_at(f->diag, 0), RSIM_EUNSUPPORTED);
    assert_non_null(strstr(rsim_diag_message_at(f->diag, 0), "use an instant query"));
}

static void test_scenario_analysis_prometheus_options(void **state)
{
    fx *f = *state;
    assert_true(load_metrics(f, "",
                             "  - name: m\n"
                             "    provider:\n"
                             "      prometheus:\n"
                             "        address: http://prom:9090\n"
                             "        timeout: 40\n"
                             "        insecure: true\n"
                             "        headers:\n"
                             "        - key: X-Scope-OrgID\n"
                             "          value: tenant_a\n"
                             "        authentication:\n"
                             "          sigv4: {region: eu-west-1}\n"
                             "        query: up\n"));
    const rsim_spec_prometheus *p = f->tpl.metrics[0].prometheus;
    assert_string_equal(p->address, "http://prom:9090");
    assert_int_equal(p->timeout, RSIM_SEC(40));
    assert_true(p->insecure);
    assert_true(p->has_authentication);
    assert_int_equal(p->n_headers, 1);
}

static void test_scenario_analysis_web_body_needs_post(void **state)
{
    fx *f = *state;
    load_metrics(f, "",
                 "  - name: w\n    provider:\n      web:\n        url: http://x\n"
                 "        body: '{}'\n");
    expect_only(f, "spec.metrics[0].provider.web.body: a request body needs method POST or PUT, "
                   "got GET");
}

static void test_scenario_analysis_web_one_payload(void **state)
{
    fx *f = *state;
    load_metrics(f, "",
                 "  - name: w\n    provider:\n      web:\n        url: http://x\n"
                 "        method: PUT\n        body: '{}'\n        jsonBody: {a: 1}\n");
    expect_only(f, "spec.metrics[0].provider.web.jsonBody: set either body or jsonBody, not both");
}

static void test_scenario_analysis_web_json_body_mapping(void **state)
{
    fx *f = *state;
    load_metrics(f, "",
                 "  - name: w\n    provider:\n      web:\n        url: http://x\n"
                 "        method: POST\n        jsonBody: [1]\n");
    expect_only(f, "spec.metrics[0].provider.web.jsonBody: expected a mapping, got a list");
}

static void test_scenario_analysis_web_method_enum(void **state)
{
    fx *f = *state;
    load_metrics(f, "",
                 "  - name: w\n    provider:\n      web:\n        url: http://x\n"
                 "        method: DELETE\n");
    assert_false(f->ok);
    assert_int_equal(rsim_diag_count(f->diag), 1);
    assert_non_null(
        strstr(rsim_diag_message_at(f->diag, 0), "spec.metrics[0].provider.web.method"));
}

static void test_scenario_analysis_unknown_field_suggests(void **state)
{
    fx *f = *state;
    load_metrics(f, "", "  - name: m\n    intervall: 1m\n" PROM("up"));
    expect_only(f, "spec.metrics[0]: unknown field 'intervall'; did you mean 'interval'?");
}

/* ---- args and placeholders ---------------------------------------------------------------- */

static void test_scenario_analysis_args_and_placeholders(void **state)
{
    fx *f = *state;
    assert_true(load_metrics(f,
                             "  args:\n"
                             "  - name: service-name\n"
                             "  - name: port\n"
                             "    value: \"9090\"\n"
                             "  - name: env\n"
                             "    valueFrom:\n"
                             "      fieldRef:\n"
                             "        fieldPath: metadata.labels['env']\n"
                             "  - name: mins\n",
                             "  - name: m\n"
                             "    interval: \"{{args.mins}}m\"\n"
                             "    count: \"{{ args.mins }}\"\n"
                             "    successCondition: result[0] >= 0.95\n"
                             "    provider:\n"
                             "      prometheus:\n"
                             "        address: \"http://p:{{args.port}}\"\n"
                             "        query: x{s=\"{{args.service-name}}\",e=\"{{args.env}}\"}\n"));
    assert_int_equal(f->tpl.n_args, 4);
    assert_string_equal(f->tpl.args[0].name, "service-name");
    assert_null(f->tpl.args[0].value);
    assert_int_equal(f->tpl.args[0].source, RSIM_SPEC_ARG_VALUE);
    assert_string_equal(f->tpl.args[1].value, "9090");
    assert_int_equal(f->tpl.args[2].source, RSIM_SPEC_ARG_FIELD_REF);
    assert_string_equal(f->tpl.args[2].field_path, "metadata.labels['env']");
    const rsim_spec_metric *m = &f->tpl.metrics[0];
    assert_string_equal(m->interval.raw, "{{args.mins}}m");
    assert_true(m->interval.set);
    assert_string_equal(m->count.raw, "{{ args.mins }}");
    assert_string_equal(m->prometheus->address, "http://p:{{args.port}}");
}

static void test_scenario_analysis_undeclared_argument(void **state)
{
    fx *f = *state;
    load_metrics(f, "  args:\n  - name: a\n",
                 "  - name: m\n" PROM("\"x{s='{{args.a}}',t='{{args.b}}'}\""));
    expect_only(f, "spec.metrics[0].provider.prometheus.query: argument 'b' is not declared in "
                   "spec.args");
}

static void test_scenario_analysis_other_placeholder(void **state)
{
    fx *f = *state;
    load_metrics(f, "", "  - name: m\n" PROM("\"{{workflow.name}}\""));
    expect_only(f, "spec.metrics[0].provider.prometheus.query: cannot resolve placeholder "
                   "'{{workflow.name}}'; only {{args.<name>}} is substituted");
}

static void test_scenario_analysis_unterminated_placeholder(void **state)
{
    fx *f = *state;
    load_metrics(f, "", "  - name: m\n" PROM("\"{{args.x\""));
    expect_only(f, "spec.metrics[0].provider.prometheus.query: unterminated placeholder: '{{' "
                   "without '}}'");
}

static void test_scenario_analysis_secret_argument(void **state)
{
    fx *f = *state;
    const char *args = "  args:\n"
                       "  - name: token\n"
                       "    valueFrom:\n"
                       "      secretKeyRef: {name: s, key: k}\n";
    assert_true(load_metrics(f, args,
                             "  - name: w\n"
                             "    provider:\n"
                             "      web:\n"
                             "        url: http://x\n"
                             "        headers:\n"
                             "        - key: Authorization\n"
                             "          value: \"Bearer {{args.token}}\"\n"));
    assert_int_equal(f->tpl.args[0].source, RSIM_SPEC_ARG_SECRET);
    assert_string_equal(f->tpl.args[0].secret_name, "s");
    assert_string_equal(f->tpl.args[0].secret_key, "k");
}

static void test_scenario_analysis_secret_argument_in_query(void **state)
{
    fx *f = *state;
    const char *args = "  args:\n"
                       "  - name: token\n"
                       "    valueFrom:\n"
                       "      secretKeyRef: {name: s, key: k}\n";
    load_metrics(f, args, "  - name: m\n" PROM("\"{{args.token}}\""));
    expect_only(f, "spec.metrics[0].provider.prometheus.query: not supported yet: argument "
                   "'token' comes from a Secret, which rollsim does not model; use it only in "
                   "headers");
}

static void test_scenario_analysis_arg_value_and_value_from(void **state)
{
    fx *f = *state;
    load_metrics(f,
                 "  args:\n"
                 "  - name: a\n"
                 "    value: x\n"
                 "    valueFrom:\n"
                 "      fieldRef: {fieldPath: metadata.name}\n"
                 "  - name: b\n"
                 "    valueFrom: {}\n"
                 "  - name: a\n",
                 "  - name: m\n" PROM("up"));
    assert_false(f->ok);
    expect_msg(f, "spec.args[0].valueFrom: set either value or valueFrom, not both");
    expect_msg(f, "spec.args[1].valueFrom: set exactly one of secretKeyRef or fieldRef");
    expect_msg(f, "spec.args[2].name: duplicate argument name 'a' (also args[0])");
    assert_int_equal(rsim_diag_count(f->diag), 3);
}

static void test_scenario_analysis_arg_value_is_a_string(void **state)
{
    fx *f = *state;
    /* Kubernetes rejects a number where the CRD says string (the docs' `value: 9090`). */
    load_metrics(f, "  args:\n  - name: port\n    value: 9090\n", "  - name: m\n" PROM("up"));
    assert_false(f->ok);
    assert_int_equal(rsim_diag_count(f->diag), 1);
    assert_non_null(strstr(rsim_diag_message_at(f->diag, 0), "spec.args[0].value: expected a"));
}

/* ---- dryRun and measurementRetention -----------------------------------------------------------
 */

static bool load_rules(fx *f, const char *pattern)
{
    char args[512];
    snprintf(args, sizeof args,
             "  dryRun:\n  - metricName: '%s'\n"
             "  measurementRetention:\n  - metricName: '%s'\n    limit: 20\n",
             pattern, pattern);
    return load_metrics(f, args, "  - name: m\n" PROM("up"));
}

static void test_scenario_analysis_rules_valid_patterns(void **state)
{
    static const char *const good[] = {".*",     "error", "^m$",  "a|b",         "(?i)x",
                                       "x{2,3}", "[*]",   "a\\*", "(?:ab)+",     "a*?",
                                       "[]a]",   "x{",    "\\d+", "[[:alpha:]]+"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        teardown(state);
        setup(state);
        fx *f = *state;
        if (!load_rules(f, good[i])) {
            fail_msg("pattern '%s' rejected", good[i]);
        }
        assert_string_equal(f->tpl.dry_run[0].metric_name, good[i]);
        assert_int_equal(f->tpl.retention[0].limit, 20);
    }
}

static void test_scenario_analysis_rules_invalid_patterns(void **state)
{
    static const char *const bad[] = {"*", "+x", "a**", "(", ")", "[a", "x{3,2}", "a|*"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        teardown(state);
        setup(state);
        fx *f = *state;
        if (load_rules(f, bad[i])) {
            fail_msg("pattern '%s' accepted", bad[i]);
        }
        assert_int_equal(rsim_diag_count(f->diag), 2); /* dryRun and measurementRetention */
    }
}

static void test_scenario_analysis_rules_message(void **state)
{
    fx *f = *state;
    load_rules(f, "*");
    expect_msg(f, "spec.dryRun[0].metricName: not a valid regular expression: '*' (missing "
                  "argument to repetition operator; use '.*' for every metric)");
    expect_msg(f, "spec.measurementRetention[0].metricName: not a valid regular expression: '*' "
                  "(missing argument to repetition operator; use '.*' for every metric)");
}

/* ---- ClusterAnalysisTemplate
 * --------------------------------------------------------------------- */

static void test_scenario_analysis_cluster_template(void **state)
{
    fx *f = *state;
    assert_true(load(f, DOC_CLUSTER,
                     "apiVersion: argoproj.io/v1alpha1\n"
                     "kind: ClusterAnalysisTemplate\n"
                     "metadata: {name: c, namespace: ns}\n"
                     "spec:\n"
                     "  metrics:\n"
                     "  - name: m\n" PROM("up")));
    assert_true(f->tpl.cluster);
    assert_string_equal(f->tpl.name, "c");
    assert_string_equal(f->tpl.namespace_, "");
}

static void test_scenario_analysis_kind_mismatch(void **state)
{
    fx *f = *state;
    load(f, DOC_CLUSTER,
         "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: {name: c}\n"
         "spec:\n  metrics:\n  - name: m\n" PROM("up"));
    assert_false(f->ok);
}

/* ---- Service
 * ------------------------------------------------------------------------------------- */

static void test_scenario_analysis_service_typed(void **state)
{
    fx *f = *state;
    assert_true(load(f, DOC_SERVICE,
                     "apiVersion: v1\n"
                     "kind: Service\n"
                     "metadata:\n"
                     "  name: web\n"
                     "  namespace: prod\n"
                     "spec:\n"
                     "  type: NodePort\n"
                     "  clusterIP: 10.0.0.1\n"
                     "  selector:\n"
                     "    app: web\n"
                     "    tier: fe\n"
                     "  ports:\n"
                     "  - name: http\n"
                     "    port: 80\n"
                     "    targetPort: http\n"
                     "  - name: metrics\n"
                     "    port: 9090\n"
                     "    protocol: UDP\n"
                     "    nodePort: 30001\n"
                     "  - name: admin\n"
                     "    port: 81\n"
                     "    targetPort: 8081\n"
                     "status:\n"
                     "  loadBalancer: {}\n"));
    const rsim_spec_service *s = &f->svc;
    assert_string_equal(s->name, "web");
    assert_string_equal(s->namespace_, "prod");
    assert_string_equal(s->type, "NodePort");
    assert_int_equal(s->selector.n, 2);
    assert_string_equal(s->selector.items[1].key, "tier");
    assert_string_equal(s->selector.items[1].value, "fe");
    assert_int_equal(s->n_ports, 3);
    assert_string_equal(s->ports[0].target_name, "http");
    assert_int_equal(s->ports[0].target_port, 0);
    assert_string_equal(s->ports[0].protocol, "TCP");
    assert_int_equal(s->ports[1].target_port, 9090); /* defaults to port */
    assert_string_equal(s->ports[1].protocol, "UDP");
    assert_int_equal(s->ports[1].node_port, 30001);
    assert_int_equal(s->ports[2].target_port, 8081);
    assert_null(s->ports[2].target_name);
}

static void test_scenario_analysis_service_defaults(void **state)
{
    fx *f = *state;
    assert_true(load(f, DOC_SERVICE,
                     "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"
                     "spec:\n  ports:\n  - port: 80\n"));
    assert_string_equal(f->svc.type, "ClusterIP");
    assert_string_equal(f->svc.namespace_, "");
    assert_int_equal(f->svc.selector.n, 0);
    assert_string_equal(f->svc.ports[0].name, "");
}

static void test_scenario_analysis_service_port_rules(void **state)
{
    fx *f = *state;
    load(f, DOC_SERVICE,
         "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"
         "spec:\n"
         "  ports:\n"
         "  - port: 80\n"
         "    targetPort: Not_A_Name\n"
         "  - name: b\n"
         "    port: 80\n"
         "    targetPort: 70000\n"
         "  - name: b\n"
         "    port: 81\n");
    assert_false(f->ok);
    expect_msg(f, "spec.ports[0]: missing required field 'name' (every port needs a name when "
                  "there are several)");
    expect_msg(f, "spec.ports[0].targetPort: expected a port number or a port name (up to 15 of "
                  "a-z, 0-9, '-'), got 'Not_A_Name'");
    expect_msg(f, "spec.ports[1].port: duplicate port 80/TCP (also ports[0])");
    expect_msg(f, "spec.ports[1].targetPort: must be 1..65535, got 70000");
    expect_msg(f, "spec.ports[2].name: duplicate port name 'b' (also ports[1])");
    assert_int_equal(rsim_diag_count(f->diag), 5);
}

static void test_scenario_analysis_service_unsupported(void **state)
{
    fx *f = *state;
    load(f, DOC_SERVICE,
         "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"
         "spec:\n"
         "  type: ExternalName\n"
         "  sessionAffinity: ClientIP\n"
         "  publishNotReadyAddresses: true\n");
    assert_false(f->ok);
    assert_int_equal(rsim_diag_count(f->diag), 3);
    expect_msg(f, "spec.type: not supported yet: ExternalName services are not modelled");
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(rsim_diag_code_at(f->diag, i), RSIM_EUNSUPPORTED);
    }
}

static void test_scenario_analysis_service_port_range(void **state)
{
    fx *f = *state;
    load(f, DOC_SERVICE,
         "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: 0\n");
    assert_false(f->ok);
    assert_int_equal(rsim_diag_count(f->diag), 1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_scenario_analysis_defaults_single_measurement),
        T(test_scenario_analysis_interval_only_is_unbounded),
        T(test_scenario_analysis_count_zero_is_unset),
        T(test_scenario_analysis_string_limits_are_integers),
        T(test_scenario_analysis_web_defaults),
        T(test_scenario_analysis_web_json_body_is_encoded),
        T(test_scenario_analysis_job_defaults),
        T(test_scenario_analysis_job_typed_fields),
        T(test_scenario_analysis_job_restart_policy),
        T(test_scenario_analysis_job_restart_policy_required),
        T(test_scenario_analysis_job_parallel_unsupported),
        T(test_scenario_analysis_job_pod_failure_policy_unsupported),
        T(test_scenario_analysis_count_needs_interval),
        T(test_scenario_analysis_count_below_failure_limit),
        T(test_scenario_analysis_negative_limits),
        T(test_scenario_analysis_failure_limit_minus_one),
        T(test_scenario_analysis_failure_limit_minus_one_with_success_limit),
        T(test_scenario_analysis_bad_durations),
        T(test_scenario_analysis_bad_integer_string),
        T(test_scenario_analysis_duplicate_metric_names),
        T(test_scenario_analysis_no_metrics),
        T(test_scenario_analysis_no_provider),
        T(test_scenario_analysis_two_providers),
        T(test_scenario_analysis_datadog_unsupported),
        T(test_scenario_analysis_range_query_unsupported),
        T(test_scenario_analysis_prometheus_options),
        T(test_scenario_analysis_web_body_needs_post),
        T(test_scenario_analysis_web_one_payload),
        T(test_scenario_analysis_web_json_body_mapping),
        T(test_scenario_analysis_web_method_enum),
        T(test_scenario_analysis_unknown_field_suggests),
        T(test_scenario_analysis_args_and_placeholders),
        T(test_scenario_analysis_undeclared_argument),
        T(test_scenario_analysis_other_placeholder),
        T(test_scenario_analysis_unterminated_placeholder),
        T(test_scenario_analysis_secret_argument),
        T(test_scenario_analysis_secret_argument_in_query),
        T(test_scenario_analysis_arg_value_and_value_from),
        T(test_scenario_analysis_arg_value_is_a_string),
        T(test_scenario_analysis_rules_valid_patterns),
        T(test_scenario_analysis_rules_invalid_patterns),
        T(test_scenario_analysis_rules_message),
        T(test_scenario_analysis_cluster_template),
        T(test_scenario_analysis_kind_mismatch),
        T(test_scenario_analysis_service_typed),
        T(test_scenario_analysis_service_defaults),
        T(test_scenario_analysis_service_port_rules),
        T(test_scenario_analysis_service_unsupported),
        T(test_scenario_analysis_service_port_range),
    };
    return cmocka_run_group_tests_name("scenario_analysis", tests, NULL, NULL);
}
