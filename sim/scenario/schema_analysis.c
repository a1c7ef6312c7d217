/* schema_analysis.c - the schema tables of AnalysisTemplate and ClusterAnalysisTemplate
 * (argoproj.io/v1alpha1) and of the Kubernetes v1 Service. Every field of the real types is
 * recognised: simulated fields are plain entries, fields with no effect carry RSIM_F_NO_EFFECT,
 * and behaviour rollsim does not model carries RSIM_F_UNSUPPORTED with the reason. Values the
 * tables cannot judge (durations and integers that may hold `{{args.x}}`, regular expressions,
 * rules across fields) are checked by build_analysis.c. Start at the bottom of the file. */
#include <stdint.h>

#include "schema.h"
#include "schema_fields.h"

#define SCHEMA(nm, arr)                                                     \
    {                                                                       \
        .name = (nm), RSIM_SCHEMA_FIELDS(arr), .check = NULL, .open = false \
    }

#define NE   RSIM_F_NO_EFFECT
#define REQ  RSIM_F_REQUIRED
#define NEMP RSIM_F_NONEMPTY
#define NONE 0u
#define I32  INT32_MAX
#define I64  INT64_MAX

/* ------------------------------------------------------------------------------------------ */
/* AnalysisTemplate: args, dryRun, measurementRetention                                         */
/* ------------------------------------------------------------------------------------------ */

static const rsim_schema_field secret_key_ref_fields[] = {
    F_STR("name", REQ | NEMP),
    F_STR("key", REQ | NEMP),
};
static const rsim_schema secret_key_ref = SCHEMA("SecretKeyRef", secret_key_ref_fields);

static const rsim_schema_field field_ref_fields[] = {
    F_STR("fieldPath", REQ | NEMP),
};
static const rsim_schema field_ref = SCHEMA("FieldRef", field_ref_fields);

/* A template's valueFrom reads a Secret or a field; podTemplateHashValue exists only on the
 * Rollout side of analysis args. */
static const rsim_schema_field value_from_fields[] = {
    F_OBJ("secretKeyRef", NONE, &secret_key_ref),
    F_OBJ("fieldRef", NONE, &field_ref),
};
static const rsim_schema value_from = SCHEMA("ValueFrom", value_from_fields);

static const rsim_schema_field argument_fields[] = {
    F_STR("name", REQ | NEMP),
    F_STR("value", NONE),
    F_OBJ("valueFrom", NONE, &value_from),
};
static const rsim_schema argument = SCHEMA("Argument", argument_fields);

static const rsim_schema_field dry_run_fields[] = {
    F_STR("metricName", REQ | NEMP),
};
static const rsim_schema dry_run = SCHEMA("DryRun", dry_run_fields);

static const rsim_schema_field retention_fields[] = {
    F_STR("metricName", REQ | NEMP),
    F_INT("limit", REQ, 0, I32),
};
static const rsim_schema retention = SCHEMA("MeasurementRetention", retention_fields);

/* ------------------------------------------------------------------------------------------ */
/* Providers                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static const rsim_schema_field header_fields[] = {
    F_STR("key", REQ | NEMP),
    F_STR("value", REQ),
};
static const rsim_schema header = SCHEMA("WebMetricHeader", header_fields);

static const rsim_schema_field sigv4_fields[] = {
    F_STR("region", NE),
    F_STR("profile", NE),
    F_STR("roleArn", NE),
};
static const rsim_schema sigv4 = SCHEMA("Sigv4Config", sigv4_fields);

static const rsim_schema_field oauth2_fields[] = {
    F_STR("tokenUrl", NE),
    F_STR("clientId", NE),
    F_STR("clientSecret", NE),
    F_LIST("scopes", NE, RSIM_FT_STRING),
};
static const rsim_schema oauth2 = SCHEMA("OAuth2Config", oauth2_fields);

/* The modelled backends accept every request: credentials have no effect. */
static const rsim_schema_field authentication_fields[] = {
    F_OBJ("sigv4", NE, &sigv4),
    F_OBJ("oauth2", NE, &oauth2),
};
static const rsim_schema authentication = SCHEMA("Authentication", authentication_fields);

static const rsim_schema_field prometheus_fields[] = {
    F_STR("address", NONE),
    F_STR("query", REQ | NEMP),
    F_INT("timeout", NONE, 0, I64),
    F_BOOL("insecure", NE),
    F_OLIST("headers", NE, &header),
    F_OBJ("authentication", NE, &authentication),
    F_UNSUP("rangeQuery", RSIM_FT_ANY, "range queries are not modelled; use an instant query"),
};
static const rsim_schema prometheus = SCHEMA("PrometheusMetric", prometheus_fields);

static const char *const web_methods[] = {"GET", "POST", "PUT", NULL};

static const rsim_schema_field web_fields[] = {
    F_ENUM("method", NONE, web_methods),
    F_STR("url", REQ | NEMP),
    F_OLIST("headers", NONE, &header),
    F_STR("body", NONE),
    F_ANY("jsonBody", NONE), /* schemaless JSON object, re-encoded by the builder */
    F_INT("timeoutSeconds", NONE, 0, I64),
    F_STR("jsonPath", NONE),
    F_BOOL("insecure", NE),
    F_OBJ("authentication", NE, &authentication),
};
static const rsim_schema web = SCHEMA("WebMetric", web_fields);

/* batch/v1 LabelSelector, as a Job may carry one (manualSelector). */
static const char *const selector_operators[] = {"In", "NotIn", "Exists", "DoesNotExist", NULL};
static const rsim_schema_field selector_requirement_fields[] = {
    F_STR("key", REQ | NEMP),
    F_ENUM("operator", REQ, selector_operators),
    F_LIST("values", NONE, RSIM_FT_STRING),
};
static const rsim_schema selector_requirement =
    SCHEMA("LabelSelectorRequirement", selector_requirement_fields);
static const rsim_schema_field label_selector_fields[] = {
    F_MAP("matchLabels", NONE),
    F_OLIST("matchExpressions", NONE, &selector_requirement),
};
static const rsim_schema label_selector = SCHEMA("LabelSelector", label_selector_fields);

static const char *const completion_modes[] = {"NonIndexed", "Indexed", NULL};
static const char *const replacement_policies[] = {"TerminatingOrFailed", "Failed", NULL};

#define JOB_POD_NOTE "a Job is modelled as one pod run to completion, retried up to backoffLimit"

/* batch/v1 JobSpec. A measurement Job runs one pod at a time to completion (§16.1); fields about
 * indexed or parallel Jobs and pod failure policies change that and are not modelled. */
static const rsim_schema_field job_spec_fields[] = {
    F_INT("parallelism", NONE, 0, I32),
    F_INT("completions", NONE, 0, I32),
    F_INT("activeDeadlineSeconds", NONE, 1, I64),
    F_INT("backoffLimit", NONE, 0, I32),
    F_UNSUP("backoffLimitPerIndex", RSIM_FT_ANY, "indexed Jobs are not modelled"),
    F_UNSUP("maxFailedIndexes", RSIM_FT_ANY, "indexed Jobs are not modelled"),
    F_UNSUP("podFailurePolicy", RSIM_FT_ANY, JOB_POD_NOTE),
    F_UNSUP("successPolicy", RSIM_FT_ANY, "indexed Jobs are not modelled"),
    F_OBJ("selector", NE, &label_selector),
    F_BOOL("manualSelector", NE),
    F_OBJ("template", REQ, &rsim_schema_pod_template_spec),
    F_INT("ttlSecondsAfterFinished", NE, 0, I32),
    F_ENUM("completionMode", NE, completion_modes),
    F_BOOL("suspend", NONE),
    F_ENUM("podReplacementPolicy", NE, replacement_policies),
    F_STR("managedBy", NE),
};
static const rsim_schema job_spec = SCHEMA("JobSpec", job_spec_fields);

static const rsim_schema_field job_fields[] = {
    F_OBJ("metadata", NE, &rsim_schema_object_meta),
    F_OBJ("spec", REQ, &job_spec),
};
static const rsim_schema job = SCHEMA("JobMetric", job_fields);

#define PROVIDER_NOTE "rollsim models the prometheus, web and job providers (§4.9)"

static const rsim_schema_field provider_fields[] = {
    F_OBJ("prometheus", NONE, &prometheus),
    F_OBJ("web", NONE, &web),
    F_OBJ("job", NONE, &job),
    F_UNSUP("datadog", RSIM_FT_ANY, PROVIDER_NOTE),
    F_UNSUP("newRelic", RSIM_FT_ANY, PROVIDER_NOTE),
    F_UNSUP("wavefront", RSIM_FT_ANY, PROVIDER_NOTE),
    F_UNSUP("kayenta", RSIM_FT_ANY, PROVIDER_NOTE),
    F_UNSUP("cloudWatch", RSIM_FT_ANY, PROVIDER_NOTE),
    F_UNSUP("graphite", RSIM_FT_ANY, PROVIDER_NOTE),
    F_UNSUP("influxdb", RSIM_FT_ANY, PROVIDER_NOTE),
    F_UNSUP("skywalking", RSIM_FT_ANY, PROVIDER_NOTE),
    F_UNSUP("plugin", RSIM_FT_ANY, PROVIDER_NOTE),
};
static const rsim_schema provider = SCHEMA("MetricProvider", provider_fields);

/* ------------------------------------------------------------------------------------------ */
/* Metric and the template documents                                                           */
/* ------------------------------------------------------------------------------------------ */

/* interval, initialDelay and the limits may hold `{{args.x}}`, so they are strings (or
 * int-or-strings) here and their syntax is checked by the builder when no placeholder is in. */
static const rsim_schema_field metric_fields[] = {
    F_STR("name", REQ | NEMP),
    F_STR("interval", NONE),
    F_STR("initialDelay", NONE),
    F_TYPE("count", RSIM_FT_INT_OR_STRING, NONE),
    F_STR("successCondition", NEMP),
    F_STR("failureCondition", NEMP),
    F_TYPE("failureLimit", RSIM_FT_INT_OR_STRING, NONE),
    F_TYPE("inconclusiveLimit", RSIM_FT_INT_OR_STRING, NONE),
    F_TYPE("consecutiveErrorLimit", RSIM_FT_INT_OR_STRING, NONE),
    F_TYPE("consecutiveSuccessLimit", RSIM_FT_INT_OR_STRING, NONE),
    F_OBJ("provider", REQ, &provider),
};
static const rsim_schema metric = SCHEMA("Metric", metric_fields);

static const rsim_schema_field template_spec_fields[] = {
    F_OLIST("metrics", REQ | NEMP, &metric),
    F_OLIST("args", NONE, &argument),
    F_OLIST("dryRun", NONE, &dry_run),
    F_OLIST("measurementRetention", NONE, &retention),
};
static const rsim_schema template_spec = SCHEMA("AnalysisTemplateSpec", template_spec_fields);

static const char *const argo_api_versions[] = {"argoproj.io/v1alpha1", NULL};
static const char *const kind_template[] = {"AnalysisTemplate", NULL};
static const char *const kind_cluster_template[] = {"ClusterAnalysisTemplate", NULL};

static const rsim_schema_field analysis_template_fields[] = {
    F_ENUM("apiVersion", REQ, argo_api_versions),
    F_ENUM("kind", REQ, kind_template),
    F_OBJ("metadata", REQ, &rsim_schema_object_meta),
    F_OBJ("spec", REQ, &template_spec),
};
const rsim_schema rsim_schema_analysis_template =
    SCHEMA("AnalysisTemplate", analysis_template_fields);

static const rsim_schema_field cluster_analysis_template_fields[] = {
    F_ENUM("apiVersion", REQ, argo_api_versions),
    F_ENUM("kind", REQ, kind_cluster_template),
    F_OBJ("metadata", REQ, &rsim_schema_object_meta),
    F_OBJ("spec", REQ, &template_spec),
};
const rsim_schema rsim_schema_cluster_analysis_template =
    SCHEMA("ClusterAnalysisTemplate", cluster_analysis_template_fields);

/* ------------------------------------------------------------------------------------------ */
/* core/v1 Service                                                                              */
/* ------------------------------------------------------------------------------------------ */

static const char *const protocols[] = {"TCP", "UDP", "SCTP", NULL};

static const rsim_schema_field service_port_fields[] = {
    F_STR("name", NONE),
    F_ENUM("protocol", NONE, protocols),
    F_STR("appProtocol", NE),
    F_INT("port", REQ, 1, 65535),
    F_TYPE("targetPort", RSIM_FT_INT_OR_STRING, NONE),
    F_INT("nodePort", NE, 0, 65535),
};
static const rsim_schema service_port = SCHEMA("ServicePort", service_port_fields);

static const rsim_schema_field client_ip_config_fields[] = {
    F_INT("timeoutSeconds", NE, 1, 86400),
};
static const rsim_schema client_ip_config = SCHEMA("ClientIPConfig", client_ip_config_fields);
static const rsim_schema_field session_affinity_config_fields[] = {
    F_OBJ("clientIP", NE, &client_ip_config),
};
static const rsim_schema session_affinity_config =
    SCHEMA("SessionAffinityConfig", session_affinity_config_fields);

static const char *const service_types[] = {"ClusterIP", "NodePort", "LoadBalancer", "ExternalName",
                                            NULL};
static const char *const affinities[] = {"None", "ClientIP", NULL};
static const char *const traffic_policies[] = {"Cluster", "Local", NULL};
static const char *const ip_family_policies[] = {"SingleStack", "PreferDualStack",
                                                 "RequireDualStack", NULL};

/* A Service spreads requests over the ready pods its selector matches. Addressing, node ports,
 * load balancers and topology hints do not change which pod serves a request in the model. */
static const rsim_schema_field service_spec_fields[] = {
    F_OLIST("ports", NONE, &service_port),
    F_MAP("selector", NONE),
    F_STR("clusterIP", NE),
    F_LIST("clusterIPs", NE, RSIM_FT_STRING),
    F_ENUM("type", NONE, service_types),
    F_LIST("externalIPs", NE, RSIM_FT_STRING),
    F_ENUM("sessionAffinity", NONE, affinities),
    F_STR("loadBalancerIP", NE),
    F_LIST("loadBalancerSourceRanges", NE, RSIM_FT_STRING),
    F_UNSUP("externalName", RSIM_FT_ANY, "ExternalName services are not modelled"),
    F_ENUM("externalTrafficPolicy", NE, traffic_policies),
    F_INT("healthCheckNodePort", NE, 0, 65535),
    F_BOOL("publishNotReadyAddresses", NONE),
    F_OBJ("sessionAffinityConfig", NE, &session_affinity_config),
    F_LIST("ipFamilies", NE, RSIM_FT_STRING),
    F_ENUM("ipFamilyPolicy", NE, ip_family_policies),
    F_BOOL("allocateLoadBalancerNodePorts", NE),
    F_STR("loadBalancerClass", NE),
    F_ENUM("internalTrafficPolicy", NE, traffic_policies),
    F_STR("trafficDistribution", NE),
};
static const rsim_schema service_spec = SCHEMA("ServiceSpec", service_spec_fields);

static const char *const core_api_versions[] = {"v1", NULL};
static const char *const kind_service[] = {"Service", NULL};

static const rsim_schema_field service_fields[] = {
    F_ENUM("apiVersion", REQ, core_api_versions),
    F_ENUM("kind", REQ, kind_service),
    F_OBJ("metadata", REQ, &rsim_schema_object_meta),
    F_OBJ("spec", REQ, &service_spec),
    F_ANY("status", NE), /* written by the API server; exported manifests carry it */
};
const rsim_schema rsim_schema_service = SCHEMA("Service", service_fields);
