import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseStoreUrl } from "../../src/store/open-store.js";
import { scratchDir } from "../support/scratch.js";
import { find, kustomize, validate, type Manifest, type PodSpec } from "./manifests.js";
import { hasTool, ROOT } from "./tools.js";

type Workload = Manifest & { spec: { template: { metadata: { labels: Record<string, string> }; spec: PodSpec & { containers: { env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[] }[] } } } };
type Hpa = Manifest & { spec: { minReplicas: number; maxReplicas: number } };
type Pdb = Manifest & { spec: { maxUnavailable: number; selector: { matchLabels: Record<string, string> } } };
interface CnpgCluster {
  metadata: { name: string };
  spec: {
    instances: number;
    postgresql: { synchronous: { method: string; number: number; dataDurability: string } };
    bootstrap: { initdb: { database: string; owner: string } };
    affinity: { enablePodAntiAffinity: boolean; podAntiAffinityType: string; topologyKey: string };
    backup: { barmanObjectStore: { destinationPath: string } };
  };
}

const ZONES = ["zone-a", "zone-b", "zone-c"];
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) => Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

/**
 * Places `count` pods one at a time, as the scheduler may under a `DoNotSchedule` zone spread
 * with `maxSkew`: only zones where the skew stays within bounds, and of those the worst one
 * (the fullest), so the result is the least even placement the constraint allows.
 */
function worstPlacement(count: number, maxSkew: number): number[] {
  const pods = ZONES.map(() => 0);
  for (let i = 0; i < count; i++) {
    const allowed = pods.map((n, zone) => ({ n, zone })).filter(({ n }) => n + 1 - Math.min(...pods) <= maxSkew);
    const fullest = allowed.sort((a, b) => b.n - a.n)[0];
    if (!fullest) throw new Error(`pod ${i + 1} cannot be scheduled`);
    pods[fullest.zone] = (pods[fullest.zone] ?? 0) + 1;
  }
  return pods;
}

const hasKubectl = hasTool("kubectl", ["version", "--client"]);

describe.runIf(hasKubectl)("zones: cs-agents across three zones (example overlay)", () => {
  const { docs } = kustomize("deploy/k8s/overlays/example");
  const statefulSet = find<Workload>(docs, "StatefulSet", "cs-agents");
  const podLabels = statefulSet.spec.template.metadata.labels;
  const zoneSpread = statefulSet.spec.template.spec.topologySpreadConstraints?.find((c) => c.topologyKey === "topology.kubernetes.io/zone");
  const hpa = find<Hpa>(docs, "HorizontalPodAutoscaler");

  it("spreads the pods over zones as a hard rule that counts the StatefulSet's own pods", () => {
    expect(zoneSpread).toMatchObject({ maxSkew: 1, whenUnsatisfiable: "DoNotSchedule" });
    expect(selects(zoneSpread?.labelSelector?.matchLabels, podLabels)).toBe(true);
  });

  it("puts at least one pod in each of three zones at the HPA's minimum, and keeps them even up to its maximum", () => {
    expect(hpa.spec.minReplicas % ZONES.length).toBe(0);
    for (let count = hpa.spec.minReplicas; count <= hpa.spec.maxReplicas; count++) {
      const pods = worstPlacement(count, zoneSpread?.maxSkew ?? Number.POSITIVE_INFINITY);
      expect(Math.min(...pods), `${count} pods: ${pods.join("/")}`).toBeGreaterThanOrEqual(1);
      expect(Math.max(...pods) - Math.min(...pods)).toBeLessThanOrEqual(1);
      // Losing the fullest zone keeps at least two thirds of the fleet (rounded down).
      expect(count - Math.max(...pods)).toBeGreaterThanOrEqual(Math.floor((2 * count) / 3));
    }
  });

  it("the spread is what keeps the pods apart: without it, all may land in one zone", () => {
    const pods = worstPlacement(hpa.spec.minReplicas, Number.POSITIVE_INFINITY);
    expect(Math.max(...pods)).toBe(hpa.spec.minReplicas);
  });

  it("drains a zone one pod at a time (PodDisruptionBudget over the same pods)", () => {
    const pdb = find<Pdb>(docs, "PodDisruptionBudget", "cs-agents");
    expect(selects(pdb.spec.selector.matchLabels, podLabels)).toBe(true);
    expect(pdb.spec.maxUnavailable).toBe(1);
    // One pod down for maintenance while a zone is lost still leaves a pod in each remaining zone.
    const pods = worstPlacement(hpa.spec.minReplicas, zoneSpread?.maxSkew ?? 1);
    expect(hpa.spec.minReplicas - Math.max(...pods) - pdb.spec.maxUnavailable).toBeGreaterThanOrEqual(1);
  });
});

describe.runIf(hasKubectl)("zones: PostgreSQL across three zones (CloudNativePG component)", () => {
  const copy = join(scratchDir("cs-agents-zones-"), "k8s");
  cpSync(join(ROOT, "deploy/k8s"), copy, { recursive: true });
  mkdirSync(join(copy, "overlays/with-cnpg"));
  writeFileSync(join(copy, "overlays/with-cnpg/kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../example\ncomponents:\n  - ../../components/cloudnative-pg\n");
  const rendered = kustomize(join(copy, "overlays/with-cnpg"));
  const cluster = find<CnpgCluster & Manifest>(rendered.docs, "Cluster");

  it("renders without warnings; every Kubernetes object validates strictly", () => {
    expect(rendered.status, rendered.stderr).toBe(0);
    expect(rendered.stderr.trim()).toBe("");
    // The operator's own kinds have no schema package here; their fields are asserted below.
    for (const doc of rendered.docs.filter((d) => !d.apiVersion.startsWith("postgresql.cnpg.io/"))) validate(doc);
    expect(rendered.docs.filter((d) => d.apiVersion.startsWith("postgresql.cnpg.io/")).map((d) => d.kind).sort()).toEqual(["Cluster", "ScheduledBackup"]);
  });

  it("runs three instances, one per zone, and acknowledges a commit only once a replica has it", () => {
    expect(cluster.spec.instances).toBe(ZONES.length);
    expect(cluster.spec.affinity).toEqual({ enablePodAntiAffinity: true, podAntiAffinityType: "required", topologyKey: "topology.kubernetes.io/zone" });
    expect(cluster.spec.postgresql.synchronous).toEqual({ method: "any", number: 1, dataDurability: "required" });
    expect(cluster.spec.backup.barmanObjectStore.destinationPath).toMatch(/^s3:\/\//);
  });

  it("points every cs-agents process at the operator's read-write Service through the Secret it generates", () => {
    const cronJob = find<Manifest & { spec: { jobTemplate: { spec: Workload["spec"] } } }>(rendered.docs, "CronJob");
    const containers = [find<Workload>(rendered.docs, "StatefulSet").spec.template.spec.containers[0], cronJob.spec.jobTemplate.spec.template.spec.containers[0]];
    for (const container of containers) {
      expect(container?.env?.find((e) => e.name === "DATABASE_URL")?.valueFrom?.secretKeyRef).toEqual({ name: `${cluster.metadata.name}-app`, key: "uri" });
    }
    // The Secret's `uri` is postgresql://<owner>:…@<cluster>-rw.<namespace>:5432/<database>: a URL the store accepts.
    const { owner, database } = cluster.spec.bootstrap.initdb;
    expect(parseStoreUrl(`postgresql://${owner}:secret@${cluster.metadata.name}-rw.cs-agents:5432/${database}`).kind).toBe("postgres");
  });

  it("backs up nightly from a standby of that cluster", () => {
    const backup = find<Manifest & { spec: { schedule: string; target: string; cluster: { name: string } } }>(rendered.docs, "ScheduledBackup");
    expect(backup.spec.cluster.name).toBe(cluster.metadata.name);
    expect(backup.spec.schedule.split(" ")).toHaveLength(6);
    expect(backup.spec.target).toBe("prefer-standby");
  });
});
