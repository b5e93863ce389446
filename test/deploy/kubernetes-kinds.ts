// The Kubernetes (and Prometheus operator) types the strict field check reads, by "apiVersion kind".
// Types only: test/deploy/strict-fields.ts loads this file with the TypeScript compiler.
import type { IPrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import type { IServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import type { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import type { ICronJob } from "kubernetes-models/batch/v1/CronJob";
import type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { INamespace } from "kubernetes-models/v1/Namespace";
import type { IPersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import type { ISecret } from "kubernetes-models/v1/Secret";
import type { IService } from "kubernetes-models/v1/Service";
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount";

export interface Kinds {
  "v1 ConfigMap": IConfigMap;
  "v1 Namespace": INamespace;
  "v1 PersistentVolumeClaim": IPersistentVolumeClaim;
  "v1 Secret": ISecret;
  "v1 Service": IService;
  "v1 ServiceAccount": IServiceAccount;
  "apps/v1 StatefulSet": IStatefulSet;
  "apps/v1 Deployment": IDeployment;
  "autoscaling/v2 HorizontalPodAutoscaler": IHorizontalPodAutoscaler;
  "batch/v1 CronJob": ICronJob;
  "networking.k8s.io/v1 Ingress": IIngress;
  "networking.k8s.io/v1 NetworkPolicy": INetworkPolicy;
  "policy/v1 PodDisruptionBudget": IPodDisruptionBudget;
  "monitoring.coreos.com/v1 PrometheusRule": IPrometheusRule;
  "monitoring.coreos.com/v1 ServiceMonitor": IServiceMonitor;
}
