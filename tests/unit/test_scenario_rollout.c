/* test_scenario_rollout.c - the Rollout document: the Argo documentation's canary, traffic-routed
 * canary and blue-green examples load unchanged with the expected typed values and defaults, and
 * each rule of the controller's validation and of the pod-template checks rejects its case with
 * the error at the right path. Pinned: typed values, defaults, "unset" vs explicit, one error
 * path per rule. Not pinned: message wording (tests/errors holds the exact texts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "scenario.h"
#include "scenario_int.h"

static rsim_scenario *load_ok(const char *text)
{
    rsim_diag *d = rsim_diag_new(0);
    rsim_scenario *s = NULL;
    rsim_err e = rsim_scenario_load_string("t.yaml", text, strlen(text), RSIM_SCENARIO_LINT, d, &s);
    if (e != RSIM_OK) {
        rsim_diag_print(d, stderr);
    }
    assert_int_equal(e, RSIM_OK);
    rsim_diag_free(d);
    return s;
}

/* Loads text that must fail, and checks that an error names `path` (prefix of the message). */
static void expect_error(const char *text, const char *path)
{
    rsim_diag *d = rsim_diag_new(0);
    rsim_scenario *s = NULL;
    rsim_err e = rsim_scenario_load_string("t.yaml", text, strlen(text), RSIM_SCENARIO_LINT, d, &s);
    assert_int_not_equal(e, RSIM_OK);
    assert_null(s);
    bool found = false;
    size_t plen = strlen(path);
    for (size_t i = 0; i < rsim_diag_count(d); i++) {
        const char *m = rsim_diag_message_at(d, i);
        if (strncmp(m, path, plen) == 0 && m[plen] == ':') {
            found = true;
        }
    }
    if (!found) {
        rsim_diag_print(d, stderr);
    }
    assert_true(found);
    rsim_diag_free(d);
}

static const rsim_spec_rollout *only_rollout(const rsim_scenario *s)
{
    const rsim_spec *spec = rsim_scenario_spec(s);
    assert_int_equal(spec->n_rollouts, 1);
    return &spec->rollouts[0];
}

/* The canary example of the Argo Rollouts getting-started guide, unchanged. */
static const char canary_doc[] = "apiVersion: argoproj.io/v1alpha1\n"
                                 "kind: Rollout\n"
                                 "metadata:\n"
                                 "  name: rollouts-demo\n"
                                 "spec:\n"
                                 "  replicas: 5\n"
                                 "  strategy:\n"
                                 "    canary:\n"
                                 "      steps:\n"
                                 "      - setWeight: 20\n"
                                 "      - pause: {}\n"
                                 "      - setWeight: 40\n"
                                 "      - pause: {duration: 10}\n"
                                 "      - setWeight: 60\n"
                                 "      - pause: {duration: 10}\n"
                                 "      - setWeight: 80\n"
                                 "      - pause: {duration: 10}\n"
                                 "  revisionHistoryLimit: 2\n"
                                 "  selector:\n"
                                 "    matchLabels:\n"
                                 "      app: rollouts-demo\n"
                                 "  template:\n"
                                 "    metadata:\n"
                                 "      labels:\n"
                                 "        app: rollouts-demo\n"
                                 "    spec:\n"
                                 "      containers:\n"
                                 "      - name: rollouts-demo\n"
                                 "        image: argoproj/rollouts-demo:blue\n"
                                 "        ports:\n"
                                 "        - name: http\n"
                                 "          containerPort: 8080\n"
                                 "          protocol: TCP\n"
                                 "        resources:\n"
                                 "          requests:\n"
                                 "            memory: 32Mi\n"
                                 "            cpu: 5m\n";

static void test_scenario_rollout_canary_example(void **state)
{
    (void)state;
    rsim_scenario *s = load_ok(canary_doc);
    const rsim_spec_rollout *r = only_rollout(s);
    assert_string_equal(r->name, "rollouts-demo");
    assert_string_equal(r->namespace_, "");
    assert_true(r->replicas.set);
    assert_int_equal(r->replicas.value, 5);
    assert_int_equal(r->revision_history_limit, 2);
    assert_int_equal(r->progress_deadline, RSIM_SEC(600));
    assert_int_equal(r->successful_run_history, 5);
    assert_int_equal(r->strategy, RSIM_STRATEGY_CANARY);
    const rsim_spec_canary *c = &r->canary;
    assert_false(c->traffic_routing.set);
    assert_int_equal(c->traffic_routing.max_weight.value, 100);
    assert_int_equal(c->n_steps, 8);
    assert_int_equal(c->steps[0].types, RSIM_STEP_SET_WEIGHT);
    assert_int_equal(c->steps[0].set_weight, 20);
    assert_int_equal(c->steps[1].primary, RSIM_STEP_PAUSE);
    assert_false(c->steps[1].pause.set); /* pause: {} waits for a promote */
    assert_true(c->steps[3].pause.set);
    assert_int_equal(c->steps[3].pause.value, RSIM_SEC(10));
    /* Defaults: 25% surge/unavailable; no delays for a basic canary (§2.7). */
    assert_false(c->max_surge.set);
    assert_true(c->max_surge.pct);
    assert_int_equal(c->max_surge.value, 25);
    assert_false(c->scale_down_delay.set);
    assert_int_equal(c->scale_down_delay.value, 0);
    assert_false(c->background.set);
    /* Template. */
    assert_int_equal(r->template.labels.n, 1);
    assert_string_equal(r->template.labels.items[0].value, "rollouts-demo");
    assert_int_equal(r->template.n_containers, 1);
    const rsim_spec_container *ct = &r->template.containers[0];
    assert_string_equal(ct->image, "argoproj/rollouts-demo:blue");
    assert_true(ct->memory_request == 32.0 * 1024 * 1024);
    assert_true(ct->cpu_request > 0.00499 && ct->cpu_request < 0.00501);
    assert_true(ct->cpu_limit < 0);
    assert_false(ct->readiness.set);
    assert_int_equal(r->template.termination_grace, RSIM_SEC(30));
    assert_int_equal(r->selector.match_labels.n, 1);
    rsim_scenario_free(s);
}

/* The Istio traffic-routing example of the Argo documentation, plus analysis and routes. */
static const char tr_doc[] = "apiVersion: argoproj.io/v1alpha1\n"
                             "kind: Rollout\n"
                             "metadata:\n"
                             "  name: rollout-example\n"
                             "  namespace: shop\n"
                             "spec:\n"
                             "  replicas: 4\n"
                             "  selector:\n"
                             "    matchLabels: {app: example}\n"
                             "  template:\n"
                             "    metadata:\n"
                             "      labels: {app: example, tier: web}\n"
                             "    spec:\n"
                             "      terminationGracePeriodSeconds: 5\n"
                             "      containers:\n"
                             "      - name: app\n"
                             "        image: example:v1\n"
                             "        readinessProbe:\n"
                             "          httpGet: {path: /ready, port: 8080}\n"
                             "          periodSeconds: 2\n"
                             "          failureThreshold: 1\n"
                             "        resources:\n"
                             "          requests: {cpu: 250m, memory: 64Mi}\n"
                             "          limits: {cpu: '1', memory: 128M}\n"
                             "  strategy:\n"
                             "    canary:\n"
                             "      canaryService: canary-svc\n"
                             "      stableService: stable-svc\n"
                             "      abortScaleDownDelaySeconds: 0\n"
                             "      analysis:\n"
                             "        templates:\n"
                             "        - templateName: success-rate\n"
                             "        startingStep: 2\n"
                             "        args:\n"
                             "        - name: service-name\n"
                             "          value: canary-svc.shop.svc.cluster.local\n"
                             "        - name: stable-hash\n"
                             "          valueFrom: {podTemplateHashValue: Stable}\n"
                             "      trafficRouting:\n"
                             "        managedRoutes:\n"
                             "        - name: set-header\n"
                             "        istio:\n"
                             "          virtualService:\n"
                             "            name: rollout-vsvc\n"
                             "            routes: [primary]\n"
                             "      steps:\n"
                             "      - setCanaryScale: {replicas: 1}\n"
                             "      - setHeaderRoute:\n"
                             "          name: set-header\n"
                             "          match:\n"
                             "          - headerName: x-canary\n"
                             "            headerValue: {exact: 'yes'}\n"
                             "      - setWeight: 5\n"
                             "        setCanaryScale: {matchTrafficWeight: true}\n"
                             "      - pause: {duration: 1m30s}\n"
                             "      - analysis:\n"
                             "          templates:\n"
                             "          - templateName: error-budget\n"
                             "            clusterScope: true\n"
                             "      - experiment:\n"
                             "          duration: 90s\n"
                             "          templates:\n"
                             "          - {name: baseline, specRef: stable}\n"
                             "          - {name: canary, specRef: canary, replicas: 2}\n"
                             "      - setWeight: 50\n"
                             "---\n"
                             "apiVersion: argoproj.io/v1alpha1\n"
                             "kind: AnalysisTemplate\n"
                             "metadata: {name: success-rate}\n"
                             "spec:\n"
                             "  args:\n"
                             "  - name: service-name\n"
                             "  - name: stable-hash\n"
                             "  metrics:\n"
                             "  - name: success-rate\n"
                             "    successCondition: result[0] >= 0.95\n"
                             "    provider:\n"
                             "      prometheus:\n"
                             "        address: http://prometheus:9090\n"
                             "        query: sum(rate(x[1m]))\n"
                             "---\n"
                             "apiVersion: argoproj.io/v1alpha1\n"
                             "kind: ClusterAnalysisTemplate\n"
                             "metadata: {name: error-budget}\n"
                             "spec:\n"
                             "  metrics:\n"
                             "  - name: burn\n"
                             "    successCondition: result[0] < 1\n"
                             "    provider:\n"
                             "      prometheus:\n"
                             "        address: http://prometheus:9090\n"
                             "        query: sum(rate(x[1m]))\n"
                             "---\n"
                             "apiVersion: v1\n"
                             "kind: Service\n"
                             "metadata: {name: canary-svc}\n"
                             "spec:\n"
                             "  selector: {app: example}\n"
                             "  ports: [{port: 80, targetPort: 8080}]\n"
                             "---\n"
                             "apiVersion: v1\n"
                             "kind: Service\n"
                             "metadata: {name: stable-svc}\n"
                             "spec:\n"
                             "  selector: {app: example}\n"
                             "  ports: [{port: 80, targetPort: 8080}]\n";

static void test_scenario_rollout_traffic_routed_example(void **state)
{
    (void)state;
    rsim_scenario *s = load_ok(tr_doc);
    const rsim_spec_rollout *r = only_rollout(s);
    assert_string_equal(r->namespace_, "shop");
    const rsim_spec_canary *c = &r->canary;
    assert_true(c->traffic_routing.set);
    assert_int_equal(c->traffic_routing.routers, RSIM_ROUTER_ISTIO);
    assert_int_equal(c->traffic_routing.n_managed_routes, 1);
    assert_string_equal(c->traffic_routing.managed_routes[0], "set-header");
    assert_string_equal(c->canary_service, "canary-svc");
    /* §2.7 / §23 E4: with traffic routing the delays default to 30 s; explicit 0 is kept. */
    assert_false(c->scale_down_delay.set);
    assert_int_equal(c->scale_down_delay.value, RSIM_SEC(30));
    assert_true(c->abort_scale_down_delay.set);
    assert_int_equal(c->abort_scale_down_delay.value, 0);
    assert_true(c->background.set);
    assert_int_equal(c->background_starting_step, 2);
    assert_int_equal(c->background.n_args, 2);
    assert_int_equal(c->background.args[1].kind, RSIM_ROLLOUT_ARG_POD_HASH_STABLE);
    assert_int_equal(c->n_steps, 7);
    assert_true(c->steps[0].set_canary_scale.replicas.set);
    assert_int_equal(c->steps[0].set_canary_scale.replicas.value, 1);
    assert_string_equal(c->steps[1].header_route.name, "set-header");
    assert_int_equal(c->steps[1].header_route.n_match, 1);
    assert_int_equal(c->steps[1].header_route.match[0].value.kind, RSIM_MATCH_EXACT);
    assert_string_equal(c->steps[1].header_route.match[0].value.value, "yes");
    /* §23 E1: setWeight with setCanaryScale completes as a setCanaryScale step. */
    assert_int_equal(c->steps[2].types, RSIM_STEP_SET_WEIGHT | RSIM_STEP_SET_CANARY_SCALE);
    assert_int_equal(c->steps[2].primary, RSIM_STEP_SET_CANARY_SCALE);
    assert_true(c->steps[2].set_canary_scale.match_traffic_weight);
    assert_int_equal(c->steps[3].pause.value, RSIM_SEC(90));
    assert_true(c->steps[4].analysis.templates[0].cluster_scope);
    assert_int_equal(c->steps[5].experiment.duration.value, RSIM_SEC(90));
    assert_int_equal(c->steps[5].experiment.n_templates, 2);
    assert_int_equal(c->steps[5].experiment.templates[0].spec_ref, RSIM_SPEC_REF_STABLE);
    assert_int_equal(c->steps[5].experiment.templates[0].replicas.value, 1);
    assert_int_equal(c->steps[5].experiment.templates[1].replicas.value, 2);
    const rsim_spec_container *ct = &r->template.containers[0];
    assert_true(ct->readiness.set);
    assert_int_equal(ct->readiness.period, RSIM_SEC(2));
    assert_int_equal(ct->readiness.failure_threshold, 1);
    assert_int_equal(ct->readiness.timeout, RSIM_SEC(1));
    assert_true(ct->memory_limit == 128e6);
    assert_true(ct->cpu_limit == 1.0);
    assert_int_equal(r->template.termination_grace, RSIM_SEC(5));
    rsim_scenario_free(s);
}

/* The blue-green example of the Argo documentation. */
static const char bg_doc[] = "apiVersion: argoproj.io/v1alpha1\n"
                             "kind: Rollout\n"
                             "metadata:\n"
                             "  name: rollout-bluegreen\n"
                             "spec:\n"
                             "  replicas: 2\n"
                             "  revisionHistoryLimit: 2\n"
                             "  selector:\n"
                             "    matchLabels:\n"
                             "      app: rollout-bluegreen\n"
                             "  template:\n"
                             "    metadata:\n"
                             "      labels:\n"
                             "        app: rollout-bluegreen\n"
                             "    spec:\n"
                             "      containers:\n"
                             "      - name: rollouts-demo\n"
                             "        image: argoproj/rollouts-demo:blue\n"
                             "        imagePullPolicy: Always\n"
                             "        ports:\n"
                             "        - containerPort: 8080\n"
                             "  strategy:\n"
                             "    blueGreen:\n"
                             "      activeService: rollout-bluegreen-active\n"
                             "      previewService: rollout-bluegreen-preview\n"
                             "      autoPromotionEnabled: false\n"
                             "---\n"
                             "apiVersion: v1\n"
                             "kind: Service\n"
                             "metadata: {name: rollout-bluegreen-active}\n"
                             "spec:\n"
                             "  selector: {app: rollout-bluegreen}\n"
                             "  ports: [{port: 80, targetPort: 8080}]\n"
                             "---\n"
                             "apiVersion: v1\n"
                             "kind: Service\n"
                             "metadata: {name: rollout-bluegreen-preview}\n"
                             "spec:\n"
                             "  selector: {app: rollout-bluegreen}\n"
                             "  ports: [{port: 80, targetPort: 8080}]\n";

static void test_scenario_rollout_blue_green_example(void **state)
{
    (void)state;
    rsim_scenario *s = load_ok(bg_doc);
    const rsim_spec_rollout *r = only_rollout(s);
    assert_int_equal(r->strategy, RSIM_STRATEGY_BLUE_GREEN);
    const rsim_spec_blue_green *bg = &r->blue_green;
    assert_string_equal(bg->active_service, "rollout-bluegreen-active");
    assert_string_equal(bg->preview_service, "rollout-bluegreen-preview");
    assert_false(bg->auto_promotion_enabled);
    assert_int_equal(bg->auto_promotion_delay, 0);
    assert_false(bg->preview_replica_count.set);
    assert_false(bg->scale_down_delay.set);
    assert_int_equal(bg->scale_down_delay.value, RSIM_SEC(30));
    assert_int_equal(bg->abort_scale_down_delay.value, RSIM_SEC(30));
    assert_true(bg->max_unavailable.pct);
    assert_int_equal(bg->max_unavailable.value, 25);
    assert_false(bg->pre_promotion.set);
    rsim_scenario_free(s);
}

/* Replaces the first occurrence of `from` in canary_doc-like text `base` by `to`. */
static char *edit(const char *base, const char *from, const char *to)
{
    const char *at = strstr(base, from);
    assert_non_null(at);
    size_t n = strlen(base) - strlen(from) + strlen(to) + 1;
    char *out = test_malloc(n);
    size_t head = (size_t)(at - base);
    memcpy(out, base, head);
    strcpy(out + head, to);
    strcat(out, at + strlen(from));
    return out;
}

static void expect_edit_error(const char *from, const char *to, const char *path)
{
    char *text = edit(canary_doc, from, to);
    expect_error(text, path);
    test_free(text);
}

static const char steps_at[] = "      steps:\n      - setWeight: 20\n";

static void test_scenario_rollout_rejects_bad_strategies(void **state)
{
    (void)state;
    expect_edit_error("    canary:\n", "    blueGreen: {activeService: a}\n    canary:\n",
                      "spec.strategy");
    expect_edit_error("      - setWeight: 40\n", "      - setWeight: 150\n",
                      "spec.strategy.canary.steps[2].setWeight");
    expect_edit_error("      - setWeight: 40\n", "      - setWeight: -1\n",
                      "spec.strategy.canary.steps[2].setWeight");
    expect_edit_error("      - setWeight: 40\n", "      - setWeight: 40\n        pause: {}\n",
                      "spec.strategy.canary.steps[2].pause");
    expect_edit_error("      - setWeight: 40\n", "      - {}\n", "spec.strategy.canary.steps[2]");
    expect_edit_error("pause: {duration: 10}", "pause: {duration: -10}",
                      "spec.strategy.canary.steps[3].pause.duration");
    expect_edit_error("      - setWeight: 40\n", "      - setCanaryScale: {replicas: 2}\n",
                      "spec.strategy.canary.steps[2].setCanaryScale");
    expect_edit_error("      - setWeight: 40\n", "      - setMirrorRoute: {name: m}\n",
                      "spec.strategy.canary.steps[2].setMirrorRoute");
    expect_edit_error(steps_at, "      maxSurge: 0\n      maxUnavailable: 0\n      steps:\n",
                      "spec.strategy.canary.maxSurge");
    expect_edit_error(steps_at, "      maxUnavailable: '101%'\n      steps:\n",
                      "spec.strategy.canary.maxUnavailable");
    expect_edit_error(steps_at, "      scaleDownDelaySeconds: 5\n      steps:\n",
                      "spec.strategy.canary.scaleDownDelaySeconds");
    expect_edit_error(steps_at, "      dynamicStableScale: true\n      steps:\n",
                      "spec.strategy.canary.dynamicStableScale");
    expect_edit_error(steps_at, "      minPodsPerReplicaSet: 2\n      steps:\n",
                      "spec.strategy.canary.minPodsPerReplicaSet");
    expect_edit_error(steps_at, "      canaryService: a\n      stableService: a\n      steps:\n",
                      "spec.strategy.canary.stableService");
    expect_edit_error(steps_at,
                      "      canaryService: a\n      trafficRouting: {smi: {}}\n      steps:\n",
                      "spec.strategy.canary");
    expect_edit_error(steps_at,
                      "      canaryService: a\n      stableService: b\n"
                      "      dynamicStableScale: true\n      scaleDownDelaySeconds: 5\n"
                      "      trafficRouting: {smi: {}}\n      steps:\n",
                      "spec.strategy.canary.dynamicStableScale");
    expect_edit_error(steps_at,
                      "      canaryService: a\n      stableService: b\n"
                      "      trafficRouting: {smi: {}, maxTrafficWeight: 1000}\n      steps:\n",
                      "spec.strategy.canary.trafficRouting.maxTrafficWeight");
    expect_edit_error(steps_at,
                      "      canaryService: a\n      stableService: b\n"
                      "      trafficRouting: {istio: {virtualService: {name: v}}}\n"
                      "      steps:\n      - setHeaderRoute: {name: h}\n",
                      "spec.strategy.canary.steps[0].setHeaderRoute.name");
    expect_edit_error(steps_at,
                      "      analysis:\n        templates: [{templateName: t}]\n"
                      "        startingStep: 9\n      steps:\n",
                      "spec.strategy.canary.analysis.startingStep");
    expect_edit_error(steps_at, "      stepz: []\n      steps:\n", "spec.strategy.canary");
    expect_edit_error(steps_at, "      pingPong: {pingService: a, pongService: b}\n      steps:\n",
                      "spec.strategy.canary.pingPong");
    expect_edit_error("      - setWeight: 40\n",
                      "      - experiment:\n          templates: [{name: x, specRef: newest}]\n",
                      "spec.strategy.canary.steps[2].experiment.templates[0].specRef");
    expect_edit_error("      - setWeight: 40\n",
                      "      - analysis:\n          templates: [{templateName: missing}]\n",
                      "spec.strategy.canary.steps[2].analysis.templates[0].templateName");
    expect_edit_error("      - setWeight: 40\n",
                      "      - analysis:\n          templates: [{templateName: t}]\n"
                      "          args: [{name: a, value: v, valueFrom: {fieldRef: "
                      "{fieldPath: metadata.name}}}]\n",
                      "spec.strategy.canary.steps[2].analysis.args[0].valueFrom");
    expect_edit_error("      - setWeight: 40\n",
                      "      - analysis:\n          templates: [{templateName: t}]\n"
                      "          args: [{name: a, valueFrom: {}}]\n",
                      "spec.strategy.canary.steps[2].analysis.args[0].valueFrom");
}

static void test_scenario_rollout_rejects_bad_spec(void **state)
{
    (void)state;
    expect_edit_error("  replicas: 5\n", "  replicas: -1\n", "spec.replicas");
    expect_edit_error("  replicas: 5\n", "  replicas: 5\n  workloadRef: {name: d}\n",
                      "spec.workloadRef");
    expect_edit_error("  replicas: 5\n", "  replicas: 5\n  minReadySeconds: 600\n",
                      "spec.minReadySeconds");
    expect_edit_error("  replicas: 5\n",
                      "  replicas: 5\n  minReadySeconds: 30\n  progressDeadlineSeconds: 20\n",
                      "spec.progressDeadlineSeconds");
    expect_edit_error("  revisionHistoryLimit: 2\n", "  revisionHistoryLimit: -2\n",
                      "spec.revisionHistoryLimit");
    expect_edit_error("      app: rollouts-demo\n  template:", "      app: other\n  template:",
                      "spec.template.metadata.labels");
    expect_edit_error("  selector:\n    matchLabels:\n      app: rollouts-demo\n", "", "spec");
    expect_edit_error("  name: rollouts-demo\n", "  name: rollouts-demo\nstatus: {}\n", "status");
    /* A matchExpressions selector is evaluated against the template labels too. */
    expect_edit_error("    matchLabels:\n      app: rollouts-demo\n",
                      "    matchExpressions:\n    - {key: app, operator: NotIn, values: "
                      "[rollouts-demo]}\n",
                      "spec.template.metadata.labels");
    expect_edit_error("    matchLabels:\n      app: rollouts-demo\n",
                      "    matchLabels:\n      app: rollouts-demo\n    matchExpressions:\n"
                      "    - {key: app, operator: In}\n",
                      "spec.selector.matchExpressions[0].values");
}

static void test_scenario_rollout_rejects_bad_pod_template(void **state)
{
    (void)state;
    const char *res = "            memory: 32Mi\n";
    expect_edit_error(res, "            memory: 128MB\n",
                      "spec.template.spec.containers[0].resources.requests.memory");
    expect_edit_error(res, "            memroy: 32Mi\n",
                      "spec.template.spec.containers[0].resources.requests.memroy");
    expect_edit_error("            cpu: 5m\n", "            cpu: 5m\n          limits: {cpu: 1m}\n",
                      "spec.template.spec.containers[0].resources.requests.cpu");
    expect_edit_error("      - name: rollouts-demo\n", "      - name: Rollouts_Demo\n",
                      "spec.template.spec.containers[0].name");
    expect_edit_error("        image: argoproj/rollouts-demo:blue\n", "",
                      "spec.template.spec.containers[0]");
    expect_edit_error("          containerPort: 8080\n", "          containerPort: 0\n",
                      "spec.template.spec.containers[0].ports[0].containerPort");
    expect_edit_error("          protocol: TCP\n", "          protocol: HTTP\n",
                      "spec.template.spec.containers[0].ports[0].protocol");
    expect_edit_error("        ports:\n",
                      "        livenessProbe: {exec: {command: [true]}, successThreshold: 2}\n"
                      "        ports:\n",
                      "spec.template.spec.containers[0].livenessProbe.successThreshold");
    expect_edit_error("        ports:\n",
                      "        readinessProbe: {httpGet: {port: 80}, periodSeconds: 0}\n"
                      "        ports:\n",
                      "spec.template.spec.containers[0].readinessProbe.periodSeconds");
    expect_edit_error("        ports:\n",
                      "        readinessProbe: {httpGet: {port: 80}, tcpSocket: {port: 80}}\n"
                      "        ports:\n",
                      "spec.template.spec.containers[0].readinessProbe");
    expect_edit_error("    spec:\n      containers:\n",
                      "    spec:\n      terminationGracePeriodSeconds: -1\n      containers:\n",
                      "spec.template.spec.terminationGracePeriodSeconds");
    expect_edit_error("    spec:\n      containers:\n",
                      "    spec:\n      containers:\n      - name: rollouts-demo\n"
                      "        image: sidecar\n",
                      "spec.template.spec.containers[1].name");
    expect_edit_error("    spec:\n      containers:\n",
                      "    spec:\n      tolerance: []\n"
                      "      containers:\n",
                      "spec.template.spec");
}

/* Real manifests carry fields written by the API server and by tools: accepted, no effect. */
static void test_scenario_rollout_accepts_server_fields(void **state)
{
    (void)state;
    char *text = edit(canary_doc, "  name: rollouts-demo\n",
                      "  name: rollouts-demo\n  creationTimestamp: null\n"
                      "  annotations: {rollout.argoproj.io/revision: '3'}\n"
                      "  generation: 4\n  resourceVersion: '1234'\n"
                      "  managedFields: [{manager: kubectl}]\n");
    rsim_scenario *s = load_ok(text);
    rsim_scenario_free(s);
    test_free(text);
    text = edit(canary_doc, "        ports:\n",
                "        env: [{name: A, value: b}]\n        volumeMounts: [{name: v, mountPath: "
                "/v}]\n        securityContext: {runAsNonRoot: true}\n        ports:\n");
    s = load_ok(text);
    rsim_scenario_free(s);
    test_free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenario_rollout_canary_example),
        cmocka_unit_test(test_scenario_rollout_traffic_routed_example),
        cmocka_unit_test(test_scenario_rollout_blue_green_example),
        cmocka_unit_test(test_scenario_rollout_rejects_bad_strategies),
        cmocka_unit_test(test_scenario_rollout_rejects_bad_spec),
        cmocka_unit_test(test_scenario_rollout_rejects_bad_pod_template),
        cmocka_unit_test(test_scenario_rollout_accepts_server_fields),
    };
    return cmocka_run_group_tests_name("scenario_rollout", tests, NULL, NULL);
}
