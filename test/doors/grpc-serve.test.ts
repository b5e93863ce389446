import { spawn } from "node:child_process";
import { join } from "node:path";
import { status as GrpcStatus } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { BIN, scratchDir } from "../cli/spawn-cli.js";
import { bearerMetadata, tasksClient, unary, watch } from "./grpc-harness.js";

describe("serve --grpc-port", () => {
  it("serves gRPC beside HTTP; on SIGTERM an open WatchRun ends UNAVAILABLE with where to resume, and serve exits 0", async () => {
    const dir = scratchDir();
    const env = { PATH: process.env.PATH ?? "", HOME: dir, CS_AGENTS_AUTH: "off", DATABASE_URL: join(dir, "db.sqlite"), CS_AGENTS_RATE_LIMIT_PER_MINUTE: "0" };
    const child = spawn(process.execPath, [BIN, "serve", "--port", "0", "--grpc-port", "0", "--workers", "0", "--grace-ms", "2000"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString();
        const match = /gRPC listening on ([^\s]+)/.exec(stdout);
        if (match?.[1]) resolve(match[1]);
      });
      child.once("exit", () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const client = tasksClient(address);
    const submitted = await unary<{ id: string; status: string }>(client, "SubmitTask", { description: "生成季度财务报告" }, bearerMetadata(undefined));
    if (!submitted.ok) throw submitted.error;
    expect(submitted.value.status).toBe("RUN_STATUS_QUEUED");
    // No workers: the run stays queued and the stream stays open until the drain ends it.
    const watching = watch(client, { run_id: submitted.value.id }, bearerMetadata(undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill("SIGTERM");
    const watched = await watching;
    client.close();
    expect(watched.events.map((e) => e.type)).toEqual(["run.queued"]);
    expect(watched.error?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(watched.error?.details).toContain(`after_id=${watched.events[0]!.id}`);
    expect(await exited).toBe(0);
  }, 60_000);
});
