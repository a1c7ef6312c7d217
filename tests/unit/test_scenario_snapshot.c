/* test_scenario_snapshot.c - the snapshot loader of `rollsim reconcile`: RFC 3339 times, the
 * typed status, ReplicaSets and AnalysisRuns, ownership, and the pod-template comparison that
 * finds the ReplicaSet of the current template (defaults applied by the API server, the hash
 * label and empty values ignored). The snapshots of tests/reconcile are loaded as they are.
 * Not pinned here: what the controller does with a snapshot (tests/reconcile). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rsim/diag.h>

#include "scenario_snapshot.h"

static rsim_scenario_snapshot *load(const char *text, rsim_diag *diag)
{
    rsim_scenario_snapshot *s = NULL;
    (void)rsim_scenario_load_snapshot_string("snap.yaml", text, strlen(text), diag, &s);
    return s;
}

static rsim_scenario_snapshot *load_case(const char *name, rsim_diag *diag)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/tests/reconcile/%s", RSIM_SOURCE_DIR, name);
    rsim_scenario_snapshot *s = NULL;
    (void)rsim_scenario_load_snapshot(path, diag, &s);
    return s;
}

static void test_scenario_snapshot_rfc3339(void **state)
{
    (void)state;
    rsim_time t = 0;
    assert_true(rsim_scenario_parse_rfc3339("1970-01-01T00:00:00Z", &t));
    assert_int_equal(t, 0);
    assert_true(rsim_scenario_parse_rfc3339("2026-03-02T10:00:00Z", &t));
    assert_int_equal(t, 1772445600000LL);
    assert_true(rsim_scenario_parse_rfc3339("2026-03-02T12:00:00.250+02:00", &t));
    assert_int_equal(t, 1772445600250LL);
    assert_true(rsim_scenario_parse_rfc3339("2024-02-29T23:59:59.123456789Z", &t));
    char buf[40];
    rsim_scenario_format_rfc3339(t, buf, sizeof(buf));
    assert_string_equal(buf, "2024-02-29T23:59:59.123Z");
    rsim_scenario_format_rfc3339(1772445600000LL, buf, sizeof(buf));
    assert_string_equal(buf, "2026-03-02T10:00:00Z");
    assert_false(rsim_scenario_parse_rfc3339("2023-02-29T00:00:00Z", &t));
    assert_false(rsim_scenario_parse_rfc3339("2026-03-02 10:00:00Z", &t));
    assert_false(rsim_scenario_parse_rfc3339("2026-03-02T10:00:00", &t));
    assert_false(rsim_scenario_parse_rfc3339("yesterday", &t));
}

static void test_scenario_snapshot_mid_canary_typed(void **state)
{
    (void)state;
    rsim_diag *diag = rsim_diag_new(50);
    rsim_scenario_snapshot *s = load_case("canary-weight-held.yaml", diag);
    if (!s) {
        rsim_diag_print(diag, stderr);
    }
    assert_non_null(s);
    const rsim_spec_snapshot *snap = rsim_scenario_snapshot_spec(s);
    assert_string_equal(snap->rollout.name, "checkout");
    assert_true(snap->status.set);
    assert_string_equal(snap->status.current_pod_hash, "5b8c7d9f46");
    assert_string_equal(snap->status.stable_rs, "7d9f8c6b5d");
    assert_true(snap->status.current_step_index.set);
    assert_int_equal(snap->status.current_step_index.value, 2);
    assert_true(snap->status.has_weights);
    assert_int_equal(snap->status.canary_weight.weight, 20);
    assert_int_equal(snap->status.n_conditions, 2);
    assert_string_equal(snap->status.conditions[1].type, "Progressing");
    assert_int_equal(snap->n_replica_sets, 2);
    /* Only the ReplicaSet of the current template (1.5.0) matches, defaults notwithstanding. */
    assert_false(snap->replica_sets[0].matches_template);
    assert_true(snap->replica_sets[1].matches_template);
    assert_int_equal(snap->replica_sets[1].replicas, 3);
    assert_int_equal(snap->replica_sets[1].available_replicas, 1);
    assert_int_equal(snap->replica_sets[1].revision.value, 2);
    /* The newest timestamp: the Progressing condition's lastUpdateTime. */
    rsim_time t = 0;
    assert_true(rsim_scenario_parse_rfc3339("2026-03-02T10:03:10Z", &t));
    assert_int_equal(snap->newest, t);
    rsim_scenario_snapshot_free(s);
    rsim_diag_free(diag);
}

static void test_scenario_snapshot_json_without_status(void **state)
{
    (void)state;
    rsim_diag *diag = rsim_diag_new(50);
    rsim_scenario_snapshot *s = load_case("fresh.json", diag);
    assert_non_null(s);
    const rsim_spec_snapshot *snap = rsim_scenario_snapshot_spec(s);
    assert_false(snap->status.set);
    assert_int_equal(snap->n_replica_sets, 0);
    assert_int_equal(snap->rollout.canary.n_steps, 4);
    rsim_scenario_snapshot_free(s);
    rsim_diag_free(diag);
}

static const char rollout_head[] = "apiVersion: argoproj.io/v1alpha1\n"
                                   "kind: Rollout\n"
                                   "metadata: {name: web}\n"
                                   "spec:\n"
                                   "  selector: {matchLabels: {app: web}}\n"
                                   "  strategy: {canary: {}}\n"
                                   "  template:\n"
                                   "    metadata: {labels: {app: web}}\n"
                                   "    spec:\n"
                                   "      containers:\n"
                                   "      - name: web\n"
                                   "        image: web:2\n"
                                   "        resources: {limits: {cpu: '1'}}\n"
                                   "status:\n"
                                   "  currentPodHash: abc\n";

static bool matches(const char *rs_template_spec)
{
    char text[4096];
    snprintf(text, sizeof(text),
             "%s---\n"
             "apiVersion: apps/v1\n"
             "kind: ReplicaSet\n"
             "metadata:\n"
             "  name: web-abc\n"
             "  labels: {rollouts-pod-template-hash: abc}\n"
             "  ownerReferences: [{apiVersion: argoproj.io/v1alpha1, kind: Rollout, name: web, "
             "uid: u1, controller: true}]\n"
             "spec:\n"
             "  replicas: 1\n"
             "  template:\n"
             "    metadata: {labels: {app: web, rollouts-pod-template-hash: abc}}\n"
             "    spec:\n%s",
             rollout_head, rs_template_spec);
    rsim_diag *diag = rsim_diag_new(50);
    rsim_scenario_snapshot *s = load(text, diag);
    if (!s) {
        rsim_diag_print(diag, stderr);
    }
    assert_non_null(s);
    bool m = rsim_scenario_snapshot_spec(s)->replica_sets[0].matches_template;
    rsim_scenario_snapshot_free(s);
    rsim_diag_free(diag);
    return m;
}

static void test_scenario_snapshot_template_comparison(void **state)
{
    (void)state;
    /* Defaults the API server writes, and a quantity written differently, still match. */
    assert_true(matches("      containers:\n"
                        "      - name: web\n"
                        "        image: web:2\n"
                        "        imagePullPolicy: IfNotPresent\n"
                        "        resources: {limits: {cpu: 1000m}}\n"
                        "        terminationMessagePath: /dev/termination-log\n"
                        "      restartPolicy: Always\n"
                        "      securityContext: {}\n"
                        "      terminationGracePeriodSeconds: 30\n"));
    /* A different image, or a non-default value, does not. */
    assert_false(matches("      containers:\n"
                         "      - name: web\n"
                         "        image: web:1\n"
                         "        resources: {limits: {cpu: '1'}}\n"));
    assert_false(matches("      containers:\n"
                         "      - name: web\n"
                         "        image: web:2\n"
                         "        imagePullPolicy: Always\n"
                         "        resources: {limits: {cpu: '1'}}\n"));
    assert_false(matches("      containers:\n"
                         "      - name: web\n"
                         "        image: web:2\n"
                         "        resources: {limits: {cpu: '1'}}\n"
                         "      terminationGracePeriodSeconds: 5\n"));
}

static void test_scenario_snapshot_ownership_errors(void **state)
{
    (void)state;
    rsim_diag *diag = rsim_diag_new(50);
    assert_null(load_case("bad-foreign-replicaset.yaml", diag));
    assert_true(rsim_diag_has_errors(diag));
    rsim_diag_free(diag);
    diag = rsim_diag_new(50);
    assert_null(load_case("bad-two-rollouts.yaml", diag));
    rsim_diag_free(diag);
    diag = rsim_diag_new(50);
    assert_null(load_case("bad-no-rollout.yaml", diag));
    rsim_diag_free(diag);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenario_snapshot_rfc3339),
        cmocka_unit_test(test_scenario_snapshot_mid_canary_typed),
        cmocka_unit_test(test_scenario_snapshot_json_without_status),
        cmocka_unit_test(test_scenario_snapshot_template_comparison),
        cmocka_unit_test(test_scenario_snapshot_ownership_errors),
    };
    return cmocka_run_group_tests_name("scenario_snapshot", tests, NULL, NULL);
}
