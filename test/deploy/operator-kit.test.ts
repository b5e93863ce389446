import { generateKeyPairSync } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { parseS3Url } from "../../src/artifacts/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { runCli, scratchDir } from "../cli/spawn-cli.js";
import { containerEnvironment, find, imageEnvironment, kustomize, type Container, type Manifest, type PodSpec, validate } from "./manifests.js";
import { hasTool, readText, ROOT } from "./tools.js";
import { startS3Server, type S3Server } from "../support/s3-server.js";

interface IngressSpec {
  ingressClassName: string;
  tls: { hosts: string[]; secretName: string }[];
  rules: { host: string; http: { paths: { path: string; backend: { service: { name: string; port: { name: string } } } }[] } }[];
}
type Ingress = Manifest & { spec: IngressSpec };
type CronJob = Manifest & { spec: { schedule: string; concurrencyPolicy: string; jobTemplate: { spec: { template: { spec: PodSpec } } } } };
type StatefulSet = Manifest & { spec: { template: { spec: PodSpec }; volumeClaimTemplates: { spec: { storageClassName?: string } }[] } };

const hasKubectl = hasTool("kubectl", ["version", "--client"]);

describe.runIf(hasKubectl)("what an operator also needs (example overlay)", () => {
  const { docs } = kustomize("deploy/k8s/overlays/example");
  const ingress = find<Ingress>(docs, "Ingress");
  const cronJob = find<CronJob>(docs, "CronJob", "cs-agents-audit-checkpoint");
  const jobPod = cronJob.spec.jobTemplate.spec.template.spec;
  const scratch = scratchDir("cs-agents-operator-kit-");
  let s3: S3Server | undefined;
  afterAll(async () => s3?.close());

  it("serves HTTPS through an Ingress whose certificate cert-manager issues for every host it routes", () => {
    expect(ingress.metadata.annotations?.["cert-manager.io/cluster-issuer"]).toBeTruthy();
    const routed = ingress.spec.rules.map((rule) => rule.host);
    expect(ingress.spec.tls.flatMap((tls) => tls.hosts).sort()).toEqual(routed.sort());
    expect(ingress.spec.tls.every((tls) => tls.secretName.length > 0)).toBe(true);
  });

  it("routes the Ingress to the client Service on a port it has", () => {
    const services = docs.filter((d) => d.kind === "Service") as (Manifest & { spec: { clusterIP?: string; ports: { name: string }[] } })[];
    for (const path of ingress.spec.rules.flatMap((rule) => rule.http.paths)) {
      const service = services.find((s) => s.metadata.name === path.backend.service.name);
      expect(service?.spec.clusterIP, "not the headless Service").not.toBe("None");
      expect(service?.spec.ports.map((p) => p.name)).toContain(path.backend.service.port.name);
    }
  });

  it("checkpoints the audit log on a schedule, one job at a time, with the signing key mounted, into a bucket with credentials of its own", () => {
    expect(cronJob.spec.schedule.split(" ")).toHaveLength(5);
    expect(cronJob.spec.concurrencyPolicy).toBe("Forbid");
    const [container] = jobPod.containers;
    expect(container?.command?.slice(0, 3)).toEqual(["cs-agents", "audit", "checkpoint"]);
    const volumes = new Map((jobPod.volumes ?? []).map((v) => [v.name, v]));
    const mounted = (container?.volumeMounts ?? []).map((m) => volumes.get(m.name));
    expect(mounted.map((v) => v?.secret?.secretName).filter(Boolean)).toEqual(["cs-agents-audit-key"]);
    // Object storage, not a volume: no claim to fill up or to lose with a zone.
    expect(mounted.filter((v) => v?.persistentVolumeClaim !== undefined)).toEqual([]);
    expect(docs.filter((d) => d.kind === "PersistentVolumeClaim")).toEqual([]);
    const url = container?.env?.find((e) => e.name === "CS_AGENTS_AUDIT_CHECKPOINT_URL")?.value ?? "";
    expect(parseS3Url(url, "CS_AGENTS_AUDIT_CHECKPOINT_URL")).toMatchObject({ bucket: expect.any(String) });
    expect(container?.env?.map((e) => e.name)).not.toContain("CS_AGENTS_AUDIT_CHECKPOINT_DIR");
    // The bucket's key is this job's alone (optional: a cloud role may stand in); the servers never get it.
    expect(container?.envFrom?.map((e) => e.secretRef)).toContainEqual({ name: "cs-agents-audit-bucket", optional: true });
    const statefulSet = find<StatefulSet>(docs, "StatefulSet");
    expect(JSON.stringify(statefulSet)).not.toMatch(/cs-agents-audit-bucket/);
    // Every Secret the job names exists in the render.
    expect(find(docs, "Secret", "cs-agents-audit-key")).toBeDefined();
    expect(find(docs, "Secret", "cs-agents-audit-bucket")).toBeDefined();
    expect(container?.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  });

  it("runs the CronJob's command with its environment, writes a checkpoint object into the bucket, and `audit verify` accepts it from there", async () => {
    const [container] = jobPod.containers as [Container];
    // The pod's mounts, mapped to scratch directories; the database is a local SQLite file with an audit log.
    const mounts = new Map((container.volumeMounts ?? []).map((m) => [m.mountPath, join(scratch, m.name)]));
    const env = containerEnvironment(docs, container, imageEnvironment(readText("Dockerfile")));
    const local = (path: string | undefined) => {
      const mount = [...mounts.keys()].find((m) => path?.startsWith(`${m}/`) || path === m);
      if (!mount || path === undefined) throw new Error(`${path ?? "(unset)"} is on no volume the job mounts`);
      return path.replace(mount, mounts.get(mount) ?? "");
    };
    const keyFile = local(env.CS_AGENTS_AUDIT_SIGNING_KEY_FILE);
    // The job's bucket, served here by s3rver: the same bucket and prefix, this server's endpoint.
    const where = parseS3Url(env.CS_AGENTS_AUDIT_CHECKPOINT_URL ?? "", "CS_AGENTS_AUDIT_CHECKPOINT_URL");
    s3 = await startS3Server([where.bucket]);
    const bucketUrl = `${(env.CS_AGENTS_AUDIT_CHECKPOINT_URL ?? "").replace(/\?.*$/, "")}?endpoint=${s3.endpoint}`;
    const { privateKey } = generateKeyPairSync("ed25519");
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }));
    const dbPath = join(scratch, "db.sqlite");
    const store = SqliteStore.open(dbPath);
    for (let i = 1; i <= 3; i++) await store.appendAudit({ action: `action.${i}`, actor: "ops", tenant: "acme", details: { n: i } });
    await store.close();

    const [command, ...args] = container.command ?? [];
    expect(command).toBe("cs-agents");
    // The keys the Secret cs-agents-audit-bucket gives; the SDK's Node 20 notice off (the image runs Node 24).
    const bucketEnv = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
    const jobEnv = { ...env, ...bucketEnv, DATABASE_URL: dbPath, CS_AGENTS_AUDIT_SIGNING_KEY_FILE: keyFile, CS_AGENTS_AUDIT_CHECKPOINT_URL: bucketUrl };
    const result = await runCli(args, { cwd: scratch, env: jobEnv });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const written = JSON.parse(result.stdout) as { seq: number; path: string };
    expect(written.seq).toBe(3);
    expect(written.path.startsWith(`s3://${where.bucket}/${where.prefix}checkpoint-000000000003-`)).toBe(true);
    // A second run (the next schedule) adds an object; it never replaces the first.
    const again = await runCli(args, { cwd: scratch, env: jobEnv });
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { path: string }).path).not.toBe(written.path);
    const verify = await runCli(["audit", "verify"], { cwd: scratch, env: jobEnv });
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/intact: 3 entries.*2 signed checkpoint/);
  });
});

interface Values {
  spec: { image: string; host: string; clusterIssuer: string; ingressClassName: string; storageClass: string; checkpointUrl: string; minReplicas: number; maxReplicas: number };
}

describe.runIf(hasKubectl)("the values-style production overlay", () => {
  const VALUES = "deploy/k8s/overlays/production/values.yaml";

  /** Renders the production overlay from a copy of deploy/k8s whose values.yaml has these changes. */
  function renderWith(changes: Partial<Values["spec"]>) {
    const copy = scratchDir("cs-agents-values-");
    cpSync(join(ROOT, "deploy/k8s"), join(copy, "k8s"), { recursive: true });
    const values = parse(readText(VALUES)) as Values;
    writeFileSync(join(copy, "k8s/overlays/production/values.yaml"), stringify({ ...values, spec: { ...values.spec, ...changes } }));
    return kustomize(join(copy, "k8s/overlays/production"));
  }

  it("renders cleanly, leaves values.yaml out and validates every object", () => {
    const rendered = kustomize("deploy/k8s/overlays/production");
    expect(rendered.status, rendered.stderr).toBe(0);
    expect(rendered.stderr.trim()).toBe("");
    expect(rendered.docs.map((d) => d.kind)).not.toContain("Values");
    for (const doc of rendered.docs) validate(doc);
  });

  it("carries every value into the objects that need it", () => {
    const changes = { image: "registry.internal/ops/cs-agents@sha256:" + "ab".repeat(32), host: "agents.corp.test", clusterIssuer: "corp-ca", ingressClassName: "traefik", storageClass: "fast-ssd", checkpointUrl: "s3://corp-audit/cs-agents/prod/?endpoint=https://minio.corp.test:9000", minReplicas: 6, maxReplicas: 30 };
    const { status, stderr, docs } = renderWith(changes);
    expect(status, stderr).toBe(0);
    const statefulSet = find<StatefulSet>(docs, "StatefulSet");
    const cronJob = find<CronJob>(docs, "CronJob");
    const ingress = find<Ingress>(docs, "Ingress");
    const hpa = find<Manifest & { spec: { minReplicas: number; maxReplicas: number } }>(docs, "HorizontalPodAutoscaler");
    expect(statefulSet.spec.template.spec.containers.map((c) => c.image)).toEqual([changes.image]);
    expect(cronJob.spec.jobTemplate.spec.template.spec.containers.map((c) => c.image)).toEqual([changes.image]);
    expect(ingress.spec.rules.map((r) => r.host)).toEqual([changes.host]);
    expect(ingress.spec.tls.flatMap((t) => t.hosts)).toEqual([changes.host]);
    expect(ingress.metadata.annotations?.["cert-manager.io/cluster-issuer"]).toBe(changes.clusterIssuer);
    expect(ingress.spec.ingressClassName).toBe(changes.ingressClassName);
    expect(statefulSet.spec.volumeClaimTemplates.map((t) => t.spec.storageClassName)).toEqual([changes.storageClass]);
    expect(cronJob.spec.jobTemplate.spec.template.spec.containers[0]?.env?.find((e) => e.name === "CS_AGENTS_AUDIT_CHECKPOINT_URL")?.value).toBe(changes.checkpointUrl);
    // Numbers stay numbers (the schema check above would refuse "6").
    expect(hpa.spec).toMatchObject({ minReplicas: 6, maxReplicas: 30 });
    // Nothing from the example's placeholders leaks into the production render.
    expect(JSON.stringify(docs)).not.toMatch(/example\.com/);
  });

  it("ships no Secret: the operator creates them from a secret store", () => {
    const { docs } = kustomize("deploy/k8s/overlays/production");
    expect(docs.filter((d) => d.kind === "Secret")).toEqual([]);
    expect(readFileSync(join(ROOT, "deploy/k8s/overlays/production/kustomization.yaml"), "utf8")).toMatch(/cs-agents-secrets/);
  });
});
