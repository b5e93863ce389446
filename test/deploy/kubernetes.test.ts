import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { authMode } from "../../src/cli/commands/serve.js";
import { loadConfig } from "../../src/config.js";
import { containerEnvironment, find, imageEnvironment, kustomize, parseManifests, validate, type Manifest, type PodSpec, type Probe } from "./manifests.js";
import { loadRuleGroups } from "./rules.js";
import { hasTool, readText, ROOT } from "./tools.js";

const BASE = "deploy/k8s/base";
const baseFiles = readdirSync(`${ROOT}${BASE}`).filter((file) => file.endsWith(".yaml") && file !== "kustomization.yaml");
const baseDocs = baseFiles.flatMap((file) => parseManifests(readText(`${BASE}/${file}`)));

describe("Kubernetes base manifests (each file, before kustomize)", () => {
  it.each(baseFiles)("%s validates against the Kubernetes schemas", (file) => {
    for (const doc of parseManifests(readText(`${BASE}/${file}`))) validate(doc);
  });

  it("rejects a manifest the schemas forbid (the validation is real)", () => {
    const statefulSet = find(baseDocs, "StatefulSet");
    expect(() => validate({ ...statefulSet, spec: { ...(statefulSet.spec as object), replicas: "three" } })).toThrow(/replicas/);
  });

  it("rejects unknown fields at any depth (a misspelt probe, spec.replica)", () => {
    const statefulSet = find<Manifest & { spec: { template: { spec: PodSpec } } }>(baseDocs, "StatefulSet");
    expect(() => validate({ ...statefulSet, spec: { ...statefulSet.spec, replica: 3 } })).toThrow(/unknown fields StatefulSet\.spec\.replica$/);
    const [container] = statefulSet.spec.template.spec.containers;
    const misspelt = { ...statefulSet, spec: { ...statefulSet.spec, template: { ...statefulSet.spec.template, spec: { ...statefulSet.spec.template.spec, containers: [{ ...container, livenesProbe: container?.livenessProbe }] } } } };
    expect(() => validate(misspelt)).toThrow(/StatefulSet\.spec\.template\.spec\.containers\[0\]\.livenesProbe/);
    // Maps stay open: labels and annotations take any key.
    expect(() => validate({ ...statefulSet, metadata: { ...statefulSet.metadata, labels: { anything: "x" } } })).not.toThrow();
  });

  it("keeps the PrometheusRule in sync with deploy/prometheus (node scripts/gen-prometheusrule.mjs)", () => {
    const rule = find<{ spec: { groups: unknown } }>(baseDocs, "PrometheusRule");
    expect(rule.spec.groups).toEqual(loadRuleGroups());
  });
});

describe.runIf(hasTool("kubectl", ["version", "--client"]))("rendered example overlay (kubectl kustomize)", () => {
  const rendered = kustomize("deploy/k8s/overlays/example");
  const docs = rendered.docs;
  const statefulSet = docs.find((d) => d.kind === "StatefulSet") as (Manifest & { spec: { template: { spec: PodSpec }; volumeClaimTemplates: { metadata: { name: string } }[]; serviceName: string } }) | undefined;
  const pod = statefulSet?.spec.template.spec;

  it("renders without kustomize warnings (no deprecated fields)", () => {
    expect(rendered.status, rendered.stderr).toBe(0);
    expect(rendered.stderr.trim()).toBe("");
    expect(docs.map((d) => d.kind).sort()).toEqual(
      ["ConfigMap", "CronJob", "HorizontalPodAutoscaler", "Ingress", "Namespace", "NetworkPolicy", "PodDisruptionBudget", "PrometheusRule", "Secret", "Secret", "Secret", "Service", "Service", "ServiceAccount", "ServiceMonitor", "StatefulSet"].sort(),
    );
  });

  it("validates every rendered object against the Kubernetes schemas", () => {
    for (const doc of docs) validate(doc);
  });

  it("gives every container resources, probes and a non-root, read-only, capability-free context", () => {
    expect(pod?.securityContext?.runAsNonRoot).toBe(true);
    expect(pod?.securityContext?.runAsUser).toBeGreaterThan(0);
    for (const container of pod?.containers ?? []) {
      expect(container.resources?.requests).toEqual({ cpu: "2", memory: "4Gi" });
      expect(container.resources?.limits).toEqual({ cpu: "4", memory: "8Gi" });
      for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) expect(probe?.httpGet, container.name).toBeDefined();
      expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    }
  });

  it("runs `cs-agents serve` and probes /healthz and /readyz on the port it serves", () => {
    const container = pod?.containers[0];
    expect(container?.command).toEqual(["cs-agents", "serve", "--port", "8080", "--host", "0.0.0.0", "--workers", "4"]);
    const port = Number(container?.command?.[container.command.indexOf("--port") + 1]);
    const named = new Map((container?.ports ?? []).map((p) => [p.name, p.containerPort]));
    const probePort = (probe: Probe | undefined) => (typeof probe?.httpGet?.port === "string" ? named.get(probe.httpGet.port) : probe?.httpGet?.port);
    expect(container?.livenessProbe?.httpGet?.path).toBe("/healthz");
    expect(container?.startupProbe?.httpGet?.path).toBe("/healthz");
    expect(container?.readinessProbe?.httpGet?.path).toBe("/readyz");
    for (const probe of [container?.livenessProbe, container?.readinessProbe, container?.startupProbe]) expect(probePort(probe)).toBe(port);
  });

  it("mounts the volume claim at /var/lib/agents and writable /tmp only", () => {
    const mounts = pod?.containers[0]?.volumeMounts ?? [];
    expect(statefulSet?.spec.volumeClaimTemplates.map((claim) => claim.metadata.name)).toEqual(["data"]);
    expect(mounts).toContainEqual({ name: "data", mountPath: "/var/lib/agents" });
  });

  it("gives the drain time to finish: grace period ≥ preStop + CS_AGENTS_GRACE_MS + 10 s", () => {
    const config = find<{ data: Record<string, string> }>(docs, "ConfigMap").data;
    const preStopSeconds = Number(pod?.containers[0]?.lifecycle?.preStop?.exec?.command[1] ?? 0);
    const drainSeconds = Number(config.CS_AGENTS_GRACE_MS) / 1000;
    expect(pod?.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStopSeconds + drainSeconds + 10);
  });

  it("spreads pods over zones and keeps them on different nodes", () => {
    expect(pod?.topologySpreadConstraints?.map((c) => c.topologyKey)).toContain("topology.kubernetes.io/zone");
    expect(pod?.affinity?.podAntiAffinity).toBeDefined();
  });

  it("scales the StatefulSet on 70 % CPU, stepwise up and slowly down", () => {
    const hpa = find<{ spec: { scaleTargetRef: { kind: string; name: string; apiVersion: string }; minReplicas: number; metrics: unknown[]; behavior: { scaleUp: { policies: unknown[] }; scaleDown: { stabilizationWindowSeconds: number } } } }>(docs, "HorizontalPodAutoscaler");
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "StatefulSet", name: statefulSet?.metadata.name });
    expect(hpa.spec.metrics).toEqual([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }]);
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(3);
    expect(hpa.spec.behavior.scaleUp.policies.length).toBeGreaterThan(0);
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBeGreaterThanOrEqual(300);
  });

  it("wires the headless Service, the ConfigMap and the Secret the pods name", () => {
    const services = docs.filter((d) => d.kind === "Service") as (Manifest & { spec: { clusterIP?: string } })[];
    expect(services.find((s) => s.metadata.name === statefulSet?.spec.serviceName)?.spec.clusterIP).toBe("None");
    const envFrom = pod?.containers[0]?.envFrom ?? [];
    expect(envFrom.map((e) => e.configMapRef?.name ?? e.secretRef?.name)).toEqual([find(docs, "ConfigMap").metadata.name, find(docs, "Secret", "cs-agents-secrets").metadata.name]);
  });

  it("starts as shipped: the container's environment passes the configuration and auth checks of `serve`", () => {
    const container = pod?.containers[0];
    if (!container) throw new Error("no container");
    const parsed = loadConfig(containerEnvironment(docs, container, imageEnvironment(readText("Dockerfile"))));
    expect(parsed.CS_AGENTS_AUTH).toBe("jwt");
    expect(authMode(parsed).mode).toBe("jwt");
  });

  it("leaves the replica count to the HorizontalPodAutoscaler", () => {
    const hpa = find<{ spec: { scaleTargetRef: { kind: string; name: string } } }>(docs, "HorizontalPodAutoscaler");
    const target = docs.find((d) => d.kind === hpa.spec.scaleTargetRef.kind && d.metadata.name === hpa.spec.scaleTargetRef.name) as (Manifest & { spec: Record<string, unknown> }) | undefined;
    expect(target).toBeDefined();
    expect(target?.spec).not.toHaveProperty("replicas");
  });

  it("sets only variables .env.example lists, and the Secrets hold placeholders only", () => {
    const documented = new Set([...readText(".env.example").matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]));
    const config = find<{ data: Record<string, string> }>(docs, "ConfigMap").data;
    const secret = find<{ stringData: Record<string, string> }>(docs, "Secret", "cs-agents-secrets").stringData;
    for (const key of [...Object.keys(config), ...Object.keys(secret)]) expect(documented.has(key), key).toBe(true);
    for (const doc of docs.filter((d) => d.kind === "Secret")) {
      for (const [key, value] of Object.entries((doc as unknown as { stringData: Record<string, string> }).stringData)) expect(value, `${doc.metadata.name} ${key}`).toMatch(/REPLACE_ME/);
    }
  });

  it("scrapes the client Service's /metrics, and only that Service", () => {
    const monitor = find<{ spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string }[] } }>(docs, "ServiceMonitor");
    const selected = docs.filter((d) => d.kind === "Service" && Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => d.metadata.labels?.[k] === v));
    expect(selected.map((s) => s.metadata.name)).toEqual(["cs-agents"]);
    expect(monitor.spec.endpoints).toContainEqual(expect.objectContaining({ port: "http", path: "/metrics" }));
  });
});
