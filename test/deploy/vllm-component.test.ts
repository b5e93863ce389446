import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { loadConfig } from "../../src/config.js";
import { scratchDir } from "../support/scratch.js";
import { containerEnvironment, find, imageEnvironment, kustomize, validate, type Container, type Manifest, type PodSpec } from "./manifests.js";
import { hasTool, readText, ROOT } from "./tools.js";

type Workload = Manifest & { spec: { replicas?: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } } };
type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } };
type Service = Manifest & { spec: { selector: Record<string, string>; ports: { name: string; port: number; targetPort: string | number }[] } };
type NetworkPolicy = Manifest & {
  spec: {
    podSelector: { matchLabels: Record<string, string> };
    ingress?: { from: { podSelector?: { matchLabels: Record<string, string> } }[]; ports: { port: number }[] }[];
    egress?: { to?: { podSelector?: { matchLabels: Record<string, string> } }[]; ports: { port: number }[] }[];
  };
};

const selects = (selector: Record<string, string>, labels: Record<string, string> | undefined) => Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** The example overlay with the vLLM component, rendered from a copy of deploy/k8s. */
function renderWithVllm() {
  const copy = join(scratchDir("cs-agents-vllm-"), "k8s");
  cpSync(join(ROOT, "deploy/k8s"), copy, { recursive: true });
  const overlay = join(copy, "overlays/with-vllm");
  mkdirSync(overlay);
  writeFileSync(join(overlay, "kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../example\ncomponents:\n  - ../../components/vllm\n");
  return kustomize(overlay);
}

/** The production overlay with the component switched on and the model server sized in values.yaml. */
function renderProduction(modelServerGpus: string, modelServerReplicas: number) {
  const copy = join(scratchDir("cs-agents-vllm-prod-"), "k8s");
  cpSync(join(ROOT, "deploy/k8s"), copy, { recursive: true });
  const overlay = join(copy, "overlays/production");
  const kustomization = readFileSync(join(overlay, "kustomization.yaml"), "utf8");
  const enabled = kustomization.replace("# components:\n#   - ../../components/vllm", "components:\n  - ../../components/vllm");
  if (enabled === kustomization) throw new Error("the production overlay no longer carries the commented-out vLLM component");
  writeFileSync(join(overlay, "kustomization.yaml"), enabled);
  const values = parse(readFileSync(join(overlay, "values.yaml"), "utf8")) as { spec: Record<string, unknown> };
  writeFileSync(join(overlay, "values.yaml"), stringify({ ...values, spec: { ...values.spec, modelServerGpus, modelServerReplicas } }));
  return kustomize(overlay);
}

/** What Kubernetes does to `$(VAR)` in args: the container's own env values. */
function expandedArgs(container: Container & { env?: EnvVar[] }): string[] {
  const env = new Map((container.env ?? []).map((e) => [e.name, e.value]));
  return (container.args ?? []).map((arg) => arg.replace(/\$\(([A-Z_]+)\)/g, (whole, name: string) => env.get(name) ?? whole));
}

describe.runIf(hasTool("kubectl", ["version", "--client"]))("the vLLM model server component", () => {
  const rendered = renderWithVllm();
  const { docs } = rendered;
  const vllm = find<Workload>(docs, "Deployment", "vllm");
  const container = vllm.spec.template.spec.containers[0] as Container & { env?: EnvVar[] };

  it("renders without warnings and every object validates strictly", () => {
    expect(rendered.status, rendered.stderr).toBe(0);
    expect(rendered.stderr.trim()).toBe("");
    for (const doc of docs) validate(doc);
    expect(docs.filter((d) => d.metadata.name === "vllm").map((d) => d.kind).sort()).toEqual(["Deployment", "NetworkPolicy", "PodDisruptionBudget", "Service"]);
  });

  it("requests the GPUs and sets --tensor-parallel-size to their count", () => {
    expect(container.resources?.limits?.["nvidia.com/gpu"]).toBe("2");
    expect(container.resources?.requests?.["nvidia.com/gpu"]).toBe("2");
    expect(expandedArgs(container)).toContain("--tensor-parallel-size=2");
  });

  it("follows the GPU count set once in the production overlay's values.yaml: limit, request and tensor parallelism", () => {
    const production = renderProduction("4", 3);
    expect(production.status, production.stderr).toBe(0);
    for (const doc of production.docs) validate(doc);
    const deployment = find<Workload>(production.docs, "Deployment", "vllm");
    expect(deployment.spec.replicas).toBe(3);
    const four = deployment.spec.template.spec.containers[0] as Container & { env?: EnvVar[] };
    expect(four.resources?.limits?.["nvidia.com/gpu"]).toBe("4");
    expect(four.resources?.requests?.["nvidia.com/gpu"]).toBe("4");
    expect(expandedArgs(four)).toContain("--tensor-parallel-size=4");
    expect(expandedArgs(four).filter((arg) => arg.startsWith("--tensor-parallel-size"))).toHaveLength(1);
  });

  it("is ready only when vLLM's /health answers, on the port the Service targets", () => {
    const service = find<Service>(docs, "Service", "vllm");
    expect(selects(service.spec.selector, vllm.spec.template.metadata.labels)).toBe(true);
    const [port] = service.spec.ports;
    const containerPort = container.ports?.find((p) => p.name === port?.targetPort || p.containerPort === port?.targetPort);
    expect(containerPort).toBeDefined();
    for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
      expect(probe?.httpGet?.path).toBe("/health");
      expect(probe?.httpGet?.port === containerPort?.name || probe?.httpGet?.port === containerPort?.containerPort).toBe(true);
    }
    expect(expandedArgs(container)).toContain(`--port=${containerPort?.containerPort}`);
  });

  it("keeps a model server up through voluntary disruptions (PodDisruptionBudget)", () => {
    const pdb = find<Manifest & { spec: { maxUnavailable: number; selector: { matchLabels: Record<string, string> } } }>(docs, "PodDisruptionBudget", "vllm");
    expect(selects(pdb.spec.selector.matchLabels, vllm.spec.template.metadata.labels)).toBe(true);
    expect(pdb.spec.maxUnavailable).toBeLessThan(vllm.spec.replicas ?? 1);
  });

  it("points cs-agents at the Service, with the served model name, and the environment passes the configuration check", () => {
    const service = find<Service>(docs, "Service", "vllm");
    const statefulSet = find<Workload>(docs, "StatefulSet", "cs-agents");
    const server = statefulSet.spec.template.spec.containers[0];
    if (!server) throw new Error("no cs-agents container");
    const config = loadConfig(containerEnvironment(docs, server, imageEnvironment(readText("Dockerfile"))));
    expect(config.CS_AGENTS_LLM_BASE_URL).toBe(`http://${service.metadata.name}:${service.spec.ports[0]?.port}/v1`);
    expect(config.CS_AGENTS_LLM_MODEL).toBe(container.env?.find((e) => e.name === "SERVED_MODEL_NAME")?.value);
    // Both sides read the same key: vLLM refuses callers without it.
    expect(container.env?.find((e) => e.name === "VLLM_API_KEY")?.valueFrom?.secretKeyRef).toEqual({ name: "cs-agents-secrets", key: "CS_AGENTS_LLM_API_KEY" });
  });

  it("lets cs-agents reach the model server through both NetworkPolicies, and no one else but Prometheus", () => {
    const server = find<NetworkPolicy>(docs, "NetworkPolicy", "cs-agents");
    const model = find<NetworkPolicy>(docs, "NetworkPolicy", "vllm");
    const serverLabels = find<Workload>(docs, "StatefulSet", "cs-agents").spec.template.metadata.labels;
    const modelLabels = vllm.spec.template.metadata.labels;
    expect(server.spec.egress?.some((rule) => rule.ports.some((p) => p.port === 8000) && (rule.to ?? []).some((peer) => selects(peer.podSelector?.matchLabels ?? {}, modelLabels)))).toBe(true);
    expect(selects(model.spec.podSelector.matchLabels, modelLabels)).toBe(true);
    const peers = (model.spec.ingress ?? []).flatMap((rule) => rule.from);
    expect(peers.filter((peer) => peer.podSelector).every((peer) => selects(peer.podSelector?.matchLabels ?? {}, serverLabels))).toBe(true);
    expect(peers).toHaveLength(2);
  });

  it("leaves the example overlay without it: no model server, the built-in rules model", () => {
    const example = kustomize("deploy/k8s/overlays/example").docs;
    expect(example.some((d) => d.metadata.name === "vllm")).toBe(false);
    expect(find<{ data: Record<string, string> }>(example, "ConfigMap").data.CS_AGENTS_LLM_BASE_URL).toBeUndefined();
  });
});
