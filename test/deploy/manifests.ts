import * as monitoringV1 from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import * as appsV1 from "kubernetes-models/apps/v1";
import * as autoscalingV2 from "kubernetes-models/autoscaling/v2";
import * as batchV1 from "kubernetes-models/batch/v1";
import * as networkingV1 from "kubernetes-models/networking.k8s.io/v1";
import * as policyV1 from "kubernetes-models/policy/v1";
import * as coreV1 from "kubernetes-models/v1";
import { parseAllDocuments } from "yaml";
import { StrictFields } from "./strict-fields.js";
import { run } from "./tools.js";

/** The real Kubernetes (and Prometheus operator) schemas, by apiVersion then kind. */
const MODELS: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  "apps/v1": appsV1,
  "autoscaling/v2": autoscalingV2,
  "batch/v1": batchV1,
  "policy/v1": policyV1,
  "networking.k8s.io/v1": networkingV1,
  "monitoring.coreos.com/v1": monitoringV1,
};

// Loose shapes: the schemas check the structure; these name what the tests read.
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}
export interface Probe {
  httpGet?: { path: string; port: number | string };
}
export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: { runAsNonRoot?: boolean; readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string }[];
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } }[];
}
export interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  topologySpreadConstraints?: { topologyKey: string; maxSkew: number; whenUnsatisfiable: string; labelSelector?: { matchLabels?: Record<string, string> } }[];
  affinity?: { podAntiAffinity?: unknown };
  volumes?: { name: string; secret?: { secretName: string }; persistentVolumeClaim?: { claimName: string } }[];
}

const strict = new StrictFields();

/** The schema's checks, then no field the kind does not have (the schemas allow any extra). */
export function validate(doc: Manifest): void {
  const Model = MODELS[doc.apiVersion]?.[doc.kind] as (new (data: unknown) => { validate(): void }) | undefined;
  if (!Model) throw new Error(`no schema for ${doc.apiVersion} ${doc.kind}`);
  new Model(doc).validate();
  const unknown = strict.unknownFields(doc);
  if (unknown.length > 0) throw new Error(`${doc.kind} ${doc.metadata.name}: unknown fields ${unknown.join(", ")}`);
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null);
}

/** The first object of a kind (and name, when given); throws when there is none. */
export function find<T = Manifest>(docs: Manifest[], kind: string, name?: string): T {
  const doc = docs.find((d) => d.kind === kind && (name === undefined || d.metadata.name === name));
  if (!doc) throw new Error(`no ${kind}${name ? ` ${name}` : ""}`);
  return doc as unknown as T;
}

export interface Rendered {
  readonly status: number | null;
  readonly stderr: string;
  readonly docs: Manifest[];
}

/** `kubectl kustomize <dir>` (relative to the repository root, or absolute). */
export function kustomize(dir: string): Rendered {
  const result = run("kubectl", ["kustomize", dir]);
  return { status: result.status, stderr: result.stderr, docs: result.status === 0 ? parseManifests(result.stdout) : [] };
}

/** What a container's process sees: the image's ENV, then envFrom (ConfigMap, Secret), then env. */
export function containerEnvironment(docs: Manifest[], container: Container, image: Record<string, string>): Record<string, string> {
  const fromRefs = (container.envFrom ?? []).map((ref) => {
    if (ref.configMapRef) return find<{ data: Record<string, string> }>(docs, "ConfigMap", ref.configMapRef.name).data;
    if (ref.secretRef) return find<{ stringData: Record<string, string> }>(docs, "Secret", ref.secretRef.name).stringData;
    return {};
  });
  const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? ""]));
  return Object.assign({}, image, ...fromRefs, env) as Record<string, string>;
}

/** The image's ENV lines (the Dockerfile's runtime stage). */
export function imageEnvironment(dockerfile: string): Record<string, string> {
  return Object.fromEntries([...dockerfile.matchAll(/^\s+([A-Z_]+)=(\S+?)(?: \\)?$/gm)].map((m) => [m[1], m[2]])) as Record<string, string>;
}
