/* schema_rollout.c - the schema tables of the argoproj.io/v1alpha1 Rollout document, and of the
 * Kubernetes parts it embeds (ObjectMeta, PodTemplateSpec, LabelSelector), which other documents
 * reuse. Every field of the real types is recognised: simulated fields are plain entries,
 * fields with no effect on the simulation carry RSIM_F_NO_EFFECT, and fields whose behaviour is
 * not modelled yet carry RSIM_F_UNSUPPORTED with the reason. Cross-field rules are hooks in
 * check_rollout.c. Start reading at rsim_schema_rollout (the bottom of the file). */
#include <stdint.h>
#include <stdio.h>

#include "check_rollout.h"
#include "schema.h"
#include "schema_fields.h"

/* Field constructors. Tables read better with one field per line; these keep the designated
 * initialisers short. */
#define SCHEMA(nm, arr, hook)                                                 \
    {                                                                         \
        .name = (nm), RSIM_SCHEMA_FIELDS(arr), .check = (hook), .open = false \
    }

#define NE   RSIM_F_NO_EFFECT
#define REQ  RSIM_F_REQUIRED
#define NONE 0u
#define I32  INT32_MAX
#define I64  INT64_MAX

/* ------------------------------------------------------------------------------------------ */
/* Kubernetes meta/v1: ObjectMeta, OwnerReference, LabelSelector                               */
/* ------------------------------------------------------------------------------------------ */

static const rsim_schema_field owner_reference_fields[] = {
    F_STR("apiVersion", REQ | NE), F_STR("kind", REQ | NE),  F_STR("name", REQ | NE),
    F_STR("uid", REQ | NE),        F_BOOL("controller", NE), F_BOOL("blockOwnerDeletion", NE),
};
static const rsim_schema owner_reference = SCHEMA("OwnerReference", owner_reference_fields, NULL);

/* name, namespace and labels are read; everything the API server or other tools write into an
 * object (kubectl get -o yaml output, Argo CD annotations) is accepted and has no effect. */
static const rsim_schema_field object_meta_fields[] = {
    F_STR("name", RSIM_F_NONEMPTY),
    F_STR("namespace", NONE),
    F_MAP("labels", NONE),
    F_MAP("annotations", NE),
    F_STR("generateName", NE),
    F_STR("uid", NE),
    F_STR("resourceVersion", NE),
    F_INT("generation", NE, 0, I64),
    F_STR("selfLink", NE),
    F_ANY("creationTimestamp", NE), /* kubectl writes `creationTimestamp: null` */
    F_ANY("deletionTimestamp", NE),
    F_INT("deletionGracePeriodSeconds", NE, 0, I64),
    F_OLIST("ownerReferences", NE, &owner_reference),
    F_LIST("finalizers", NE, RSIM_FT_STRING),
    F_ANY("managedFields", NE),
};
const rsim_schema rsim_schema_object_meta =
    SCHEMA("ObjectMeta", object_meta_fields, rsim_check_object_meta_labels);

static const char *const selector_operators[] = {"In", "NotIn", "Exists", "DoesNotExist", NULL};
static const rsim_schema_field label_requirement_fields[] = {
    F_STR("key", REQ | RSIM_F_NONEMPTY),
    F_ENUM("operator", REQ, selector_operators),
    F_LIST("values", NONE, RSIM_FT_STRING),
};
static const rsim_schema label_requirement =
    SCHEMA("LabelSelectorRequirement", label_requirement_fields, NULL);

static const rsim_schema_field label_selector_fields[] = {
    F_MAP("matchLabels", NONE),
    F_OLIST("matchExpressions", NONE, &label_requirement),
};
static const rsim_schema label_selector =
    SCHEMA("LabelSelector", label_selector_fields, rsim_check_label_selector);

/* ------------------------------------------------------------------------------------------ */
/* Kubernetes core/v1: Container, Probe, ResourceRequirements, PodSpec, PodTemplateSpec        */
/* ------------------------------------------------------------------------------------------ */

static const char *const protocols[] = {"TCP", "UDP", "SCTP", NULL};
static const rsim_schema_field container_port_fields[] = {
    F_STR("name", NE),
    F_INT("containerPort", REQ | NE, 1, 65535),
    F_INT("hostPort", NE, 1, 65535),
    F_ENUM("protocol", NE, protocols),
    F_STR("hostIP", NE),
};
static const rsim_schema container_port = SCHEMA("ContainerPort", container_port_fields, NULL);

/* requests and limits are maps from a resource name to a quantity; the hook checks both. */
static const rsim_schema resource_list = {.name = "ResourceList",
                                          .fields = NULL,
                                          .n_fields = 0,
                                          .check = rsim_check_resource_list,
                                          .open = true};

static const rsim_schema_field resource_claim_fields[] = {
    F_STR("name", REQ | NE),
    F_STR("request", NE),
};
static const rsim_schema resource_claim = SCHEMA("ResourceClaim", resource_claim_fields, NULL);

static const rsim_schema_field resources_fields[] = {
    F_OBJ("requests", NONE, &resource_list),
    F_OBJ("limits", NONE, &resource_list),
    F_OLIST("claims", NE, &resource_claim),
};
static const rsim_schema resource_requirements =
    SCHEMA("ResourceRequirements", resources_fields, rsim_check_resources);

static const char *const http_schemes[] = {"HTTP", "HTTPS", NULL};
static const rsim_schema_field http_header_fields[] = {
    F_STR("name", REQ | NE),
    F_STR("value", REQ | NE),
};
static const rsim_schema http_header = SCHEMA("HTTPHeader", http_header_fields, NULL);
static const rsim_schema_field http_get_fields[] = {
    F_STR("path", NE),
    F_TYPE("port", RSIM_FT_INT_OR_STRING, REQ | NE),
    F_STR("host", NE),
    F_ENUM("scheme", NE, http_schemes),
    F_OLIST("httpHeaders", NE, &http_header),
};
static const rsim_schema http_get = SCHEMA("HTTPGetAction", http_get_fields, NULL);
static const rsim_schema_field exec_fields[] = {
    F_LIST("command", NE, RSIM_FT_STRING),
};
static const rsim_schema exec_action = SCHEMA("ExecAction", exec_fields, NULL);
static const rsim_schema_field tcp_socket_fields[] = {
    F_TYPE("port", RSIM_FT_INT_OR_STRING, REQ | NE),
    F_STR("host", NE),
};
static const rsim_schema tcp_socket = SCHEMA("TCPSocketAction", tcp_socket_fields, NULL);
static const rsim_schema_field grpc_fields[] = {
    F_INT("port", REQ | NE, 1, 65535),
    F_STR("service", NE),
};
static const rsim_schema grpc_action = SCHEMA("GRPCAction", grpc_fields, NULL);

/* The probe timings are read (readiness decides when a pod serves); the handler is not. The
 * bounds are the API server's. */
#define PROBE_FIELDS                                                                       \
    F_OBJ("exec", NE, &exec_action), F_OBJ("httpGet", NE, &http_get),                      \
        F_OBJ("tcpSocket", NE, &tcp_socket), F_OBJ("grpc", NE, &grpc_action),              \
        F_INT("initialDelaySeconds", NONE, 0, I32), F_INT("timeoutSeconds", NONE, 1, I32), \
        F_INT("periodSeconds", NONE, 1, I32), F_INT("successThreshold", NONE, 1, I32),     \
        F_INT("failureThreshold", NONE, 1, I32),                                           \
        F_INT("terminationGracePeriodSeconds", NE, 1, I64)
static const rsim_schema_field probe_fields[] = {PROBE_FIELDS};
static const rsim_schema readiness_probe = SCHEMA("Probe", probe_fields, rsim_check_probe);
static const rsim_schema single_success_probe =
    SCHEMA("Probe", probe_fields, rsim_check_probe_single);

static const rsim_schema_field env_var_fields[] = {
    F_STR("name", REQ | RSIM_F_NONEMPTY | NE),
    F_STR("value", NE),
    F_ANY("valueFrom", NE),
};
static const rsim_schema env_var = SCHEMA("EnvVar", env_var_fields, NULL);

static const char *const pull_policies[] = {"Always", "IfNotPresent", "Never", NULL};
static const char *const message_policies[] = {"File", "FallbackToLogsOnError", NULL};

/* Containers of the pod: name, image, resources and probes are read. */
#define CONTAINER_FIELDS                                                                   \
    F_STR("name", REQ), F_STR("image", NONE), F_LIST("command", NE, RSIM_FT_STRING),       \
        F_LIST("args", NE, RSIM_FT_STRING), F_STR("workingDir", NE),                       \
        F_OLIST("ports", NE, &container_port), F_LIST("envFrom", NE, RSIM_FT_ANY),         \
        F_OLIST("env", NE, &env_var), F_OBJ("resources", NONE, &resource_requirements),    \
        F_LIST("resizePolicy", NE, RSIM_FT_ANY), F_STR("restartPolicy", NE),               \
        F_LIST("volumeMounts", NE, RSIM_FT_ANY), F_LIST("volumeDevices", NE, RSIM_FT_ANY), \
        F_OBJ("livenessProbe", NONE, &single_success_probe),                               \
        F_OBJ("readinessProbe", NONE, &readiness_probe),                                   \
        F_OBJ("startupProbe", NONE, &single_success_probe), F_ANY("lifecycle", NE),        \
        F_STR("terminationMessagePath", NE),                                               \
        F_ENUM("terminationMessagePolicy", NE, message_policies),                          \
        F_ENUM("imagePullPolicy", NE, pull_policies), F_ANY("securityContext", NE),        \
        F_BOOL("stdin", NE), F_BOOL("stdinOnce", NE), F_BOOL("tty", NE)
static const rsim_schema_field container_fields[] = {CONTAINER_FIELDS};
static const rsim_schema container = SCHEMA("Container", container_fields, rsim_check_container);
/* Init and ephemeral containers are recognised; rollsim does not model them. */
static const rsim_schema_field aux_container_fields[] = {CONTAINER_FIELDS,
                                                         F_STR("targetContainerName", NE)};
static const rsim_schema aux_container = SCHEMA("Container", aux_container_fields, NULL);

static const char *const restart_policies[] = {"Always", "OnFailure", "Never", NULL};
static const char *const dns_policies[] = {"ClusterFirstWithHostNet", "ClusterFirst", "Default",
                                           "None", NULL};
static const char *const preemption_policies[] = {"PreemptLowerPriority", "Never", NULL};

static const rsim_schema_field pod_spec_fields[] = {
    F_OLIST("containers", REQ | RSIM_F_NONEMPTY, &container),
    F_OLIST("initContainers", NE, &aux_container),
    F_OLIST("ephemeralContainers", NE, &aux_container),
    F_INT("terminationGracePeriodSeconds", NONE, 0, I64),
    F_LIST("volumes", NE, RSIM_FT_ANY),
    F_ENUM("restartPolicy", NE, restart_policies),
    F_INT("activeDeadlineSeconds", NE, 1, I64),
    F_ENUM("dnsPolicy", NE, dns_policies),
    F_MAP("nodeSelector", NE),
    F_STR("serviceAccountName", NE),
    F_STR("serviceAccount", NE),
    F_BOOL("automountServiceAccountToken", NE),
    F_STR("nodeName", NE),
    F_BOOL("hostNetwork", NE),
    F_BOOL("hostPID", NE),
    F_BOOL("hostIPC", NE),
    F_BOOL("shareProcessNamespace", NE),
    F_ANY("securityContext", NE),
    F_LIST("imagePullSecrets", NE, RSIM_FT_ANY),
    F_STR("hostname", NE),
    F_STR("subdomain", NE),
    F_ANY("affinity", NE),
    F_STR("schedulerName", NE),
    F_LIST("tolerations", NE, RSIM_FT_ANY),
    F_LIST("hostAliases", NE, RSIM_FT_ANY),
    F_STR("priorityClassName", NE),
    F_INT("priority", NE, INT32_MIN, I32),
    F_ANY("dnsConfig", NE),
    F_LIST("readinessGates", NE, RSIM_FT_ANY),
    F_STR("runtimeClassName", NE),
    F_BOOL("enableServiceLinks", NE),
    F_ENUM("preemptionPolicy", NE, preemption_policies),
    F_ANY("overhead", NE),
    F_LIST("topologySpreadConstraints", NE, RSIM_FT_ANY),
    F_BOOL("setHostnameAsFQDN", NE),
    F_ANY("os", NE),
    F_BOOL("hostUsers", NE),
    F_LIST("schedulingGates", NE, RSIM_FT_ANY),
    F_LIST("resourceClaims", NE, RSIM_FT_ANY),
    F_ANY("resources", NE),
};
static const rsim_schema pod_spec = SCHEMA("PodSpec", pod_spec_fields, rsim_check_pod_spec);

static const rsim_schema_field pod_template_spec_fields[] = {
    F_OBJ("metadata", NONE, &rsim_schema_object_meta),
    F_OBJ("spec", REQ, &pod_spec),
};
const rsim_schema rsim_schema_pod_template_spec =
    SCHEMA("PodTemplateSpec", pod_template_spec_fields, NULL);

/* ------------------------------------------------------------------------------------------ */
/* Argo Rollouts: shared parts                                                                 */
/* ------------------------------------------------------------------------------------------ */

/* labels/annotations added to canary, stable, preview, active pods or AnalysisRuns. */
static const rsim_schema_field pod_template_metadata_fields[] = {
    F_MAP("labels", NE),
    F_MAP("annotations", NE),
};
static const rsim_schema pod_template_metadata =
    SCHEMA("PodTemplateMetadata", pod_template_metadata_fields, NULL);

static const rsim_schema_field preferred_anti_affinity_fields[] = {
    F_INT("weight", REQ | NE, 1, 100),
};
static const rsim_schema preferred_anti_affinity =
    SCHEMA("PreferredDuringSchedulingIgnoredDuringExecution", preferred_anti_affinity_fields, NULL);
static const rsim_schema required_anti_affinity = {
    .name = "RequiredDuringSchedulingIgnoredDuringExecution",
    .fields = NULL,
    .n_fields = 0,
    .check = NULL,
    .open = false};
static const rsim_schema_field anti_affinity_fields[] = {
    F_OBJ("preferredDuringSchedulingIgnoredDuringExecution", NE, &preferred_anti_affinity),
    F_OBJ("requiredDuringSchedulingIgnoredDuringExecution", NE, &required_anti_affinity),
};
static const rsim_schema anti_affinity =
    SCHEMA("AntiAffinity", anti_affinity_fields, rsim_check_anti_affinity);

static const rsim_schema_field template_ref_fields[] = {
    F_STR("templateName", REQ | RSIM_F_NONEMPTY),
    F_BOOL("clusterScope", NONE),
};
static const rsim_schema template_ref =
    SCHEMA("RolloutAnalysisTemplate", template_ref_fields, NULL);

static const char *const pod_hash_values[] = {"Stable", "Latest", NULL};
static const rsim_schema_field field_ref_fields[] = {
    F_STR("fieldPath", REQ | RSIM_F_NONEMPTY),
};
static const rsim_schema field_ref = SCHEMA("FieldRef", field_ref_fields, rsim_check_field_ref);
static const rsim_schema_field arg_value_from_fields[] = {
    F_ENUM("podTemplateHashValue", NONE, pod_hash_values),
    F_OBJ("fieldRef", NONE, &field_ref),
};
static const rsim_schema arg_value_from =
    SCHEMA("ArgumentValueFrom", arg_value_from_fields, rsim_check_arg_value_from);
static const rsim_schema_field analysis_arg_fields[] = {
    F_STR("name", REQ | RSIM_F_NONEMPTY),
    F_STR("value", NONE),
    F_OBJ("valueFrom", NONE, &arg_value_from),
};
static const rsim_schema analysis_arg =
    SCHEMA("AnalysisRunArgument", analysis_arg_fields, rsim_check_analysis_arg);

static const rsim_schema_field dry_run_fields[] = {
    F_STR("metricName", REQ | RSIM_F_NONEMPTY),
};
static const rsim_schema dry_run = SCHEMA("DryRun", dry_run_fields, NULL);
static const rsim_schema_field retention_fields[] = {
    F_STR("metricName", REQ | RSIM_F_NONEMPTY),
    F_INT("limit", REQ, 0, I32),
};
static const rsim_schema retention = SCHEMA("MeasurementRetention", retention_fields, NULL);

#define ROLLOUT_ANALYSIS_FIELDS                                                               \
    F_OLIST("templates", NONE, &template_ref), F_OLIST("args", NONE, &analysis_arg),          \
        F_OLIST("dryRun", NONE, &dry_run), F_OLIST("measurementRetention", NONE, &retention), \
        F_OBJ("analysisRunMetadata", NE, &pod_template_metadata)
static const rsim_schema_field rollout_analysis_fields[] = {ROLLOUT_ANALYSIS_FIELDS};
static const rsim_schema rollout_analysis =
    SCHEMA("RolloutAnalysis", rollout_analysis_fields, NULL);
static const rsim_schema_field background_analysis_fields[] = {
    ROLLOUT_ANALYSIS_FIELDS,
    F_INT("startingStep", NONE, 0, I32),
};
static const rsim_schema background_analysis =
    SCHEMA("RolloutAnalysisBackground", background_analysis_fields, NULL);

/* ------------------------------------------------------------------------------------------ */
/* Canary steps                                                                                */
/* ------------------------------------------------------------------------------------------ */

static const rsim_schema_field pause_fields[] = {
    F_TYPE("duration", RSIM_FT_INT_OR_DURATION, NONE),
};
static const rsim_schema pause = SCHEMA("RolloutPause", pause_fields, rsim_check_pause);

static const char *const spec_refs[] = {"canary", "stable", NULL};
static const rsim_schema_field template_service_fields[] = {
    F_STR("name", NE),
};
static const rsim_schema template_service =
    SCHEMA("TemplateService", template_service_fields, NULL);
static const rsim_schema_field experiment_template_fields[] = {
    F_STR("name", REQ | RSIM_F_NONEMPTY),
    F_ENUM("specRef", REQ, spec_refs),
    F_INT("replicas", NONE, 0, I32),
    F_OBJ("metadata", NE, &pod_template_metadata),
    F_OBJ("selector", NONE, &label_selector),
    F_UNSUP("weight",
            RSIM_FT_INT,
            "traffic weights for experiment ReplicaSets are not modelled; experiment pods "
            "receive no traffic (§15.8)"),
    F_OBJ("service", NE, &template_service),
};
static const rsim_schema experiment_template =
    SCHEMA("RolloutExperimentTemplate", experiment_template_fields, NULL);
static const rsim_schema_field experiment_analysis_fields[] = {
    F_STR("name", REQ | RSIM_F_NONEMPTY),  F_STR("templateName", REQ | RSIM_F_NONEMPTY),
    F_BOOL("clusterScope", NONE),          F_OLIST("args", NONE, &analysis_arg),
    F_BOOL("requiredForCompletion", NONE),
};
static const rsim_schema experiment_analysis =
    SCHEMA("RolloutExperimentStepAnalysisTemplateRef", experiment_analysis_fields, NULL);
static const rsim_schema_field experiment_fields[] = {
    F_OLIST("templates", REQ | RSIM_F_NONEMPTY, &experiment_template),
    F_TYPE("duration", RSIM_FT_DURATION, NONE),
    F_OLIST("analyses", NONE, &experiment_analysis),
    F_OLIST("dryRun", NONE, &dry_run),
    F_OBJ("analysisRunMetadata", NE, &pod_template_metadata),
};
static const rsim_schema experiment =
    SCHEMA("RolloutExperimentStep", experiment_fields, rsim_check_experiment);

static const rsim_schema_field set_canary_scale_fields[] = {
    F_INT("replicas", NONE, 0, I32),
    F_INT("weight", NONE, 0, I32),
    F_BOOL("matchTrafficWeight", NONE),
};
static const rsim_schema set_canary_scale = SCHEMA("SetCanaryScale", set_canary_scale_fields, NULL);

static const rsim_schema_field string_match_fields[] = {
    F_STR("exact", NONE),
    F_STR("prefix", NONE),
    F_STR("regex", NONE),
};
static const rsim_schema string_match =
    SCHEMA("StringMatch", string_match_fields, rsim_check_string_match);
/* A map from header name to StringMatch: open, its values checked by the hook. */
static const rsim_schema header_matches = {.name = "HeaderMatches",
                                           .fields = NULL,
                                           .n_fields = 0,
                                           .check = rsim_check_header_matches,
                                           .open = true};

static const rsim_schema_field header_routing_match_fields[] = {
    F_STR("headerName", REQ | RSIM_F_NONEMPTY),
    F_OBJ("headerValue", REQ, &string_match),
};
static const rsim_schema header_routing_match =
    SCHEMA("HeaderRoutingMatch", header_routing_match_fields, NULL);
static const rsim_schema_field set_header_route_fields[] = {
    F_STR("name", REQ | RSIM_F_NONEMPTY),
    F_OLIST("match", NONE, &header_routing_match),
};
static const rsim_schema set_header_route = SCHEMA("SetHeaderRoute", set_header_route_fields, NULL);

static const rsim_schema_field route_match_fields[] = {
    F_OBJ("method", NONE, &string_match),
    F_OBJ("path", NONE, &string_match),
    F_OBJ("headers", NONE, &header_matches),
};
static const rsim_schema route_match = SCHEMA("RouteMatch", route_match_fields, NULL);
static const rsim_schema_field set_mirror_route_fields[] = {
    F_STR("name", REQ | RSIM_F_NONEMPTY),
    F_OLIST("match", NONE, &route_match),
    F_INT("percentage", NONE, 0, 100),
};
static const rsim_schema set_mirror_route = SCHEMA("SetMirrorRoute", set_mirror_route_fields, NULL);

static const rsim_schema_field canary_step_fields[] = {
    F_INT("setWeight", NONE, INT32_MIN, I32), /* range checked against maxTrafficWeight */
    F_OBJ("pause", NONE, &pause),
    F_OBJ("experiment", NONE, &experiment),
    F_OBJ("analysis", NONE, &rollout_analysis),
    F_OBJ("setCanaryScale", NONE, &set_canary_scale),
    F_OBJ("setHeaderRoute", NONE, &set_header_route),
    F_OBJ("setMirrorRoute", NONE, &set_mirror_route),
    F_UNSUP("plugin", RSIM_FT_ANY, "step plugins run external code rollsim cannot model (§5.8)"),
};
static const rsim_schema canary_step =
    SCHEMA("CanaryStep", canary_step_fields, rsim_check_canary_step);

/* ------------------------------------------------------------------------------------------ */
/* Traffic routing: every router's fields are recognised; rollsim models each as a router that  */
/* splits traffic by weight (§9).                                                              */
/* ------------------------------------------------------------------------------------------ */

static const rsim_schema_field tls_route_fields[] = {
    F_INT("port", NE, 0, I64),
    F_LIST("sniHosts", NE, RSIM_FT_STRING),
};
static const rsim_schema tls_route = SCHEMA("TLSRoute", tls_route_fields, NULL);
static const rsim_schema_field tcp_route_fields[] = {
    F_INT("port", NE, 0, I64),
};
static const rsim_schema tcp_route = SCHEMA("TCPRoute", tcp_route_fields, NULL);
static const rsim_schema_field istio_vs_fields[] = {
    F_STR("name", REQ | RSIM_F_NONEMPTY | NE),
    F_LIST("routes", NE, RSIM_FT_STRING),
    F_OLIST("tlsRoutes", NE, &tls_route),
    F_OLIST("tcpRoutes", NE, &tcp_route),
};
static const rsim_schema istio_vs = SCHEMA("IstioVirtualService", istio_vs_fields, NULL);
static const rsim_schema_field istio_dr_fields[] = {
    F_STR("name", REQ | RSIM_F_NONEMPTY | NE),
    F_STR("canarySubsetName", REQ | NE),
    F_STR("stableSubsetName", REQ | NE),
};
static const rsim_schema istio_dr = SCHEMA("IstioDestinationRule", istio_dr_fields, NULL);
static const rsim_schema_field istio_fields[] = {
    F_OBJ("virtualService", NONE, &istio_vs),
    F_OLIST("virtualServices", NONE, &istio_vs),
    F_OBJ("destinationRule", NONE, &istio_dr),
};
static const rsim_schema istio = SCHEMA("IstioTrafficRouting", istio_fields, NULL);

static const rsim_schema_field nginx_fields[] = {
    F_STR("stableIngress", NE),
    F_LIST("stableIngresses", NE, RSIM_FT_STRING),
    F_STR("annotationPrefix", NE),
    F_MAP("additionalIngressAnnotations", NE),
    F_MAP("canaryIngressAnnotations", NE),
};
static const rsim_schema nginx = SCHEMA("NginxTrafficRouting", nginx_fields, NULL);

static const rsim_schema_field stickiness_fields[] = {
    F_BOOL("enabled", REQ | NE),
    F_INT("durationSeconds", REQ | NE, 1, 604800),
};
static const rsim_schema stickiness = SCHEMA("StickinessConfig", stickiness_fields, NULL);
static const rsim_schema_field alb_fields[] = {
    F_STR("ingress", NE),
    F_LIST("ingresses", NE, RSIM_FT_STRING),
    F_INT("servicePort", REQ | NE, 1, 65535),
    F_STR("rootService", NE),
    F_STR("annotationPrefix", NE),
    F_OBJ("stickinessConfig", NE, &stickiness),
};
static const rsim_schema alb = SCHEMA("ALBTrafficRouting", alb_fields, NULL);

static const rsim_schema_field smi_fields[] = {
    F_STR("rootService", NE),
    F_STR("trafficSplitName", NE),
};
static const rsim_schema smi = SCHEMA("SMITrafficRouting", smi_fields, NULL);

static const rsim_schema_field ambassador_fields[] = {
    F_LIST("mappings", REQ | RSIM_F_NONEMPTY | NE, RSIM_FT_STRING),
};
static const rsim_schema ambassador = SCHEMA("AmbassadorTrafficRouting", ambassador_fields, NULL);

static const rsim_schema_field appmesh_vs_fields[] = {
    F_STR("name", REQ | RSIM_F_NONEMPTY | NE),
    F_LIST("routes", NE, RSIM_FT_STRING),
};
static const rsim_schema appmesh_vs = SCHEMA("AppMeshVirtualService", appmesh_vs_fields, NULL);
static const rsim_schema_field appmesh_node_ref_fields[] = {
    F_STR("name", REQ | RSIM_F_NONEMPTY | NE),
};
static const rsim_schema appmesh_node_ref =
    SCHEMA("AppMeshVirtualNodeReference", appmesh_node_ref_fields, NULL);
static const rsim_schema_field appmesh_group_fields[] = {
    F_OBJ("canaryVirtualNodeRef", REQ | NE, &appmesh_node_ref),
    F_OBJ("stableVirtualNodeRef", REQ | NE, &appmesh_node_ref),
};
static const rsim_schema appmesh_group =
    SCHEMA("AppMeshVirtualNodeGroup", appmesh_group_fields, NULL);
static const rsim_schema_field appmesh_fields[] = {
    F_OBJ("virtualService", NE, &appmesh_vs),
    F_OBJ("virtualNodeGroup", NE, &appmesh_group),
};
static const rsim_schema appmesh = SCHEMA("AppMeshTrafficRouting", appmesh_fields, NULL);

static const rsim_schema_field traefik_fields[] = {
    F_STR("weightedTraefikServiceName", REQ | RSIM_F_NONEMPTY | NE),
};
static const rsim_schema traefik = SCHEMA("TraefikTrafficRouting", traefik_fields, NULL);

static const rsim_schema_field apisix_route_fields[] = {
    F_STR("name", REQ | RSIM_F_NONEMPTY | NE),
    F_LIST("rules", NE, RSIM_FT_STRING),
};
static const rsim_schema apisix_route = SCHEMA("ApisixRoute", apisix_route_fields, NULL);
static const rsim_schema_field apisix_fields[] = {
    F_OBJ("route", NE, &apisix_route),
};
static const rsim_schema apisix = SCHEMA("ApisixTrafficRouting", apisix_fields, NULL);

static const rsim_schema_field managed_route_fields[] = {
    F_STR("name", REQ | RSIM_F_NONEMPTY),
};
static const rsim_schema managed_route = SCHEMA("MangedRoutes", managed_route_fields, NULL);

static const rsim_schema_field traffic_routing_fields[] = {
    F_OBJ("istio", NONE, &istio),
    F_OBJ("nginx", NONE, &nginx),
    F_OBJ("alb", NONE, &alb),
    F_OBJ("smi", NONE, &smi),
    F_OBJ("ambassador", NONE, &ambassador),
    F_OBJ("appMesh", NONE, &appmesh),
    F_OBJ("traefik", NONE, &traefik),
    F_OBJ("apisix", NONE, &apisix),
    F_OLIST("managedRoutes", NONE, &managed_route),
    F_INT("maxTrafficWeight", NONE, 1, I32),
    F_UNSUP("plugins",
            RSIM_FT_ANY,
            "traffic router plugins run external code rollsim cannot model (§9, I1)"),
};
static const rsim_schema traffic_routing =
    SCHEMA("RolloutTrafficRouting", traffic_routing_fields, rsim_check_traffic_routing);

/* ------------------------------------------------------------------------------------------ */
/* Strategies                                                                                  */
/* ------------------------------------------------------------------------------------------ */

static const char *const progress_types[] = {"Percent", "Pods", NULL};
static const rsim_schema_field replica_progress_fields[] = {
    F_ENUM("type", REQ, progress_types),
    F_INT("value", REQ, INT32_MIN, I32),
};
static const rsim_schema replica_progress =
    SCHEMA("ReplicaProgressThreshold", replica_progress_fields, NULL);

static const rsim_schema_field canary_fields[] = {
    F_OLIST("steps", NONE, &canary_step),
    F_TYPE("maxSurge", RSIM_FT_INT_OR_PERCENT, NONE),
    F_TYPE("maxUnavailable", RSIM_FT_INT_OR_PERCENT, NONE),
    F_STR("canaryService", NONE),
    F_STR("stableService", NONE),
    F_OBJ("trafficRouting", NONE, &traffic_routing),
    F_OBJ("analysis", NONE, &background_analysis),
    F_INT("scaleDownDelaySeconds", NONE, 0, I32),
    F_INT("scaleDownDelayRevisionLimit", NONE, 0, I32),
    F_INT("abortScaleDownDelaySeconds", NONE, 0, I32),
    F_BOOL("dynamicStableScale", NONE),
    F_INT("minPodsPerReplicaSet", NONE, 1, I32),
    F_OBJ("replicaProgressThreshold", NONE, &replica_progress),
    F_OBJ("antiAffinity", NE, &anti_affinity),
    F_OBJ("canaryMetadata", NE, &pod_template_metadata),
    F_OBJ("stableMetadata", NE, &pod_template_metadata),
    F_UNSUP("pingPong",
            RSIM_FT_OBJECT,
            "ping-pong services (the stable side flipping at each promotion) are not modelled "
            "(§2.13)"),
};
static const rsim_schema canary = SCHEMA("CanaryStrategy", canary_fields, rsim_check_canary);

static const rsim_schema_field blue_green_fields[] = {
    F_STR("activeService", REQ | RSIM_F_NONEMPTY),
    F_STR("previewService", NONE),
    F_INT("previewReplicaCount", NONE, 0, I32),
    F_BOOL("autoPromotionEnabled", NONE),
    F_INT("autoPromotionSeconds", NONE, 0, I32),
    F_TYPE("maxUnavailable", RSIM_FT_INT_OR_PERCENT, NONE),
    F_INT("scaleDownDelaySeconds", NONE, 0, I32),
    F_INT("scaleDownDelayRevisionLimit", NONE, 0, I32),
    F_INT("abortScaleDownDelaySeconds", NONE, 0, I32),
    F_OBJ("prePromotionAnalysis", NONE, &rollout_analysis),
    F_OBJ("postPromotionAnalysis", NONE, &rollout_analysis),
    F_OBJ("antiAffinity", NE, &anti_affinity),
    F_OBJ("previewMetadata", NE, &pod_template_metadata),
    F_OBJ("activeMetadata", NE, &pod_template_metadata),
};
static const rsim_schema blue_green =
    SCHEMA("BlueGreenStrategy", blue_green_fields, rsim_check_blue_green);

static const rsim_schema_field strategy_fields[] = {
    F_OBJ("canary", NONE, &canary),
    F_OBJ("blueGreen", NONE, &blue_green),
};
static const rsim_schema strategy = SCHEMA("RolloutStrategy", strategy_fields, rsim_check_strategy);

/* ------------------------------------------------------------------------------------------ */
/* The Rollout                                                                                 */
/* ------------------------------------------------------------------------------------------ */

static const rsim_schema_field run_strategy_fields[] = {
    F_INT("successfulRunHistoryLimit", NONE, 0, I32),
    F_INT("unsuccessfulRunHistoryLimit", NONE, 0, I32),
};
static const rsim_schema run_strategy = SCHEMA("AnalysisRunStrategy", run_strategy_fields, NULL);

static const rsim_schema_field rollout_spec_fields[] = {
    F_INT("replicas", NONE, INT32_MIN, I32), /* the controller's own message for < 0 */
    F_OBJ("selector", NONE, &label_selector),
    F_OBJ("template", NONE, &rsim_schema_pod_template_spec),
    F_INT("minReadySeconds", NONE, 0, I32),
    F_INT("revisionHistoryLimit", NONE, 0, I32),
    F_BOOL("paused", NONE),
    F_INT("progressDeadlineSeconds", NONE, 0, I32),
    F_BOOL("progressDeadlineAbort", NONE),
    F_STR("restartAt", NONE),
    F_UNSUP("rollbackWindow",
            RSIM_FT_OBJECT,
            "the fast-tracked rollback to a recent revision is not simulated (semantics §14.5); "
            "undo still works, through the steps"),
    F_OBJ("analysis", NONE, &run_strategy),
    F_OBJ("strategy", NONE, &strategy),
    F_UNSUP("workloadRef",
            RSIM_FT_OBJECT,
            "taking the pod template from a Deployment (workloadRef) is not modelled; inline "
            "the template (§1.9, §14.7)"),
};
static const rsim_schema rollout_spec =
    SCHEMA("Rollout.spec", rollout_spec_fields, rsim_check_rollout_spec);

static const char *const rollout_api_versions[] = {"argoproj.io/v1alpha1", NULL};
static const char *const rollout_kinds[] = {"Rollout", NULL};
static const rsim_schema_field rollout_fields[] = {
    F_ENUM("apiVersion", REQ, rollout_api_versions),
    F_ENUM("kind", REQ, rollout_kinds),
    F_OBJ("metadata", REQ, &rsim_schema_object_meta),
    F_OBJ("spec", REQ, &rollout_spec),
    F_UNSUP("status",
            RSIM_FT_ANY,
            "a Rollout's status is read by `rollsim reconcile`, not by scenarios; remove it"),
};
const rsim_schema rsim_schema_rollout = SCHEMA("Rollout", rollout_fields, rsim_check_rollout);

/* Header matches of a mirror route: a map from header name to a StringMatch. Defined here, next
 * to the StringMatch table it applies. */
void rsim_check_header_matches(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    if (!map || map->kind != RSIM_YNODE_MAP) {
        return;
    }
    for (size_t i = 0; i < map->n; i++) {
        char sub[512];
        (void)snprintf(sub, sizeof(sub), "%s.%s", path, map->keys[i]->str);
        (void)rsim_schema_check(ctx, map->items[i], &string_match, sub);
    }
}
