import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentials, loadPackageDefinition, status as GrpcStatus } from "@grpc/grpc-js";
import type { Client, ServiceClientConstructor, ServiceError } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GrpcDoor } from "../../src/doors/grpc/index.js";
import { makeApi, seedApproval, testRunId, token } from "../api/harness.js";
import type { TestApi } from "../api/harness.js";
import { bearerMetadata, serviceOf, startGrpc, tasksClient, unary } from "./grpc-harness.js";
import type { GrpcTarget } from "./grpc-harness.js";

const require = createRequire(import.meta.url);

function clientOf(protoFile: string, path: string[], address: string): Client & Record<string, (...args: unknown[]) => unknown> {
  const root = loadPackageDefinition(loadSync(protoFile, { keepCase: true, enums: String, defaults: true })) as unknown as Record<string, unknown>;
  const Ctor = path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], root) as ServiceClientConstructor;
  return new Ctor(address, credentials.createInsecure()) as unknown as Client & Record<string, (...args: unknown[]) => unknown>;
}

function healthOf(address: string, service: string): Promise<string> {
  const health = clientOf(join(require.resolve("grpc-health-check/package.json"), "../proto/health/v1/health.proto"), ["grpc", "health", "v1", "Health"], address);
  return new Promise((resolve, reject) => {
    health.Check!({ service }, (error: ServiceError | null, answer: { status: string }) => {
      health.close();
      if (error) reject(error);
      else resolve(answer.status);
    });
  });
}

function reflectedServices(address: string): Promise<string[]> {
  const reflection = clientOf(join(require.resolve("@grpc/reflection/package.json"), "../build/proto/grpc/reflection/v1/reflection.proto"), ["grpc", "reflection", "v1", "ServerReflection"], address);
  return new Promise((resolve, reject) => {
    const stream = reflection.ServerReflectionInfo!() as NodeJS.EventEmitter & { write(m: unknown): void; end(): void };
    stream.on("data", (answer: { list_services_response?: { service: { name: string }[] } }) => {
      resolve(answer.list_services_response?.service.map((s) => s.name) ?? []);
      stream.end();
      reflection.close();
    });
    stream.on("error", reject);
    stream.write({ list_services: "" });
  });
}

describe("gRPC door: health, reflection, drain", () => {
  let t: TestApi;
  let grpc: GrpcTarget;
  beforeAll(async () => {
    t = await makeApi();
    grpc = await startGrpc(t);
  });
  afterAll(async () => {
    await grpc.door.close(1_000);
    await t.close();
  });

  it("reflection lists cs_agents.v1.Tasks", async () => {
    expect(await reflectedServices(grpc.address)).toContain("cs_agents.v1.Tasks");
  });

  it("health is SERVING, then NOT_SERVING once the drain starts", async () => {
    expect(await healthOf(grpc.address, "")).toBe("SERVING");
    expect(await healthOf(grpc.address, "cs_agents.v1.Tasks")).toBe("SERVING");
    grpc.door.drain();
    expect(await healthOf(grpc.address, "")).toBe("NOT_SERVING");
    expect(await healthOf(grpc.address, "cs_agents.v1.Tasks")).toBe("NOT_SERVING");
  });
});

describe("gRPC door: approvals", () => {
  let t: TestApi;
  let grpc: GrpcTarget;
  beforeAll(async () => {
    t = await makeApi();
    grpc = await startGrpc(t);
  });
  afterAll(async () => {
    await grpc.door.close(1_000);
    await t.close();
  });

  it("lists a pending approval and decides it with its argsHash (by another person)", async () => {
    const { runId, argsHash } = await seedApproval(t.store, { runId: testRunId(1), tenant: "acme", submittedBy: "alice" });
    const client = tasksClient(grpc.address);
    const approver = await token({ sub: "bob" });
    const list = await unary<{ items: { id: string; run_id: string; args_hash: string; input_json: string; requested_at: { seconds: number } }[] }>(client, "ListApprovals", {}, bearerMetadata(approver));
    if (!list.ok) throw list.error;
    const [pending] = list.value.items;
    expect(pending?.run_id).toBe(runId);
    expect(pending?.args_hash).toBe(argsHash);
    expect(JSON.parse(pending!.input_json)).toEqual({ amount: 100, to: "ACME Ltd" });
    const wrongHash = await unary(client, "DecideApproval", { id: pending!.id, decision: "approve", args_hash: "0".repeat(64) }, bearerMetadata(approver));
    expect(wrongHash.ok ? undefined : [wrongHash.error.code, wrongHash.code]).toEqual([GrpcStatus.FAILED_PRECONDITION, "APPROVAL_MISMATCH"]);
    const decided = await unary<{ decision: string; run_status: string }>(client, "DecideApproval", { id: pending!.id, decision: "deny", args_hash: argsHash, reason: "not this supplier" }, bearerMetadata(approver));
    if (!decided.ok) throw decided.error;
    expect(decided.value.decision).toBe("deny");
    client.close();
  });
});

describe("gRPC door: failed authentications are limited per address", () => {
  it("past the limit: RESOURCE_EXHAUSTED with RATE_LIMITED and retry advice in the trailers", async () => {
    const t = await makeApi({ rateLimit: { max: 2, windowMs: 60_000 } });
    const grpc = await startGrpc(t);
    const client = tasksClient(grpc.address);
    try {
      const codes: (string | undefined)[] = [];
      let last: ServiceError | undefined;
      for (let i = 0; i < 4; i++) {
        const result = await unary(client, "ListTools", {}, bearerMetadata("not-a-jwt"));
        if (!result.ok) {
          codes.push(result.code);
          last = result.error;
        }
      }
      expect(codes.slice(0, 2)).toEqual(["UNAUTHENTICATED", "UNAUTHENTICATED"]);
      expect(codes.at(-1)).toBe("RATE_LIMITED");
      expect(last?.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
      expect(last?.metadata.get("retry-after")).toEqual(["60"]);
      expect(last?.metadata.get("grpc-retry-pushback-ms")).toEqual(["60000"]);
    } finally {
      client.close();
      await grpc.door.close(1_000);
      await t.close();
    }
  });
});

describe("gRPC door: TLS", () => {
  const dir = mkdtempSync(join(tmpdir(), "cs-agents-grpc-tls-"));
  let t: TestApi;
  let grpc: GrpcTarget;
  let cert: Buffer;
  beforeAll(async () => {
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
    cert = readFileSync(join(dir, "cert.pem"));
    t = await makeApi();
    grpc = await startGrpc(t, { tls: { cert, key: readFileSync(join(dir, "key.pem")) } });
  });
  afterAll(async () => {
    await grpc.door.close(1_000);
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves over TLS with the API's certificate; a plaintext client gets no answer", async () => {
    const secure = tasksClient(grpc.address, { credentials: credentials.createSsl(cert), channel: { "grpc.ssl_target_name_override": "localhost", "grpc.default_authority": "localhost" } });
    const agents = await unary<{ items: unknown[] }>(secure, "ListAgents", {}, bearerMetadata(await token()));
    secure.close();
    if (!agents.ok) throw agents.error;
    expect(agents.value.items.length).toBeGreaterThan(0);

    const plain = tasksClient(grpc.address);
    const refused = await unary(plain, "ListAgents", {}, bearerMetadata(await token()), { deadline: new Date(Date.now() + 2_000) });
    plain.close();
    expect(refused.ok).toBe(false);
    expect(refused.ok ? undefined : [GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED]).toContain(refused.ok ? undefined : refused.error.code);
  });
});

describe("gRPC door: auth off", () => {
  it("listens on loopback only, and every call is the local tenant", async () => {
    const t = await makeApi({ auth: { mode: "off" } });
    const door = new GrpcDoor(serviceOf(t), { authOff: true });
    await expect(door.listen(0, "0.0.0.0")).rejects.toMatchObject({ code: "AUTH_CONFIG" });
    await door.close(100);
    const grpc = await startGrpc(t, { authOff: true });
    const client = tasksClient(grpc.address);
    const submitted = await unary<{ id: string }>(client, "SubmitTask", { description: "生成季度财务报告" }, bearerMetadata(undefined));
    client.close();
    await grpc.door.close(1_000);
    await t.close();
    expect(submitted.ok).toBe(true);
  });
});
