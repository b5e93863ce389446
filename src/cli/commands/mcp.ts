import { readFileSync } from "node:fs";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { ApiServer } from "../../api/index.js";
import { createStoreAuditSink } from "../../audit/index.js";
import { createMcpServer } from "../../doors/mcp/index.js";
import { Worker } from "../../engine/index.js";
import { openStoreWithArtifacts } from "../../artifacts/index.js";
import { createLogger } from "../../observability/index.js";
import { EXIT_OK } from "../exit-codes.js";
import type { CommandContext } from "../main.js";
import { waitForStop } from "../stop-signal.js";
import { catalogOf } from "./serve.js";
import { wholeNumber } from "./worker.js";

export interface McpCommandOptions {
  workers?: string;
}

/**
 * `cs-agents mcp`: the MCP door over stdio for a desktop assistant that starts it. Like `run`, it
 * acts as tenant "local" with auth off, and runs what it submits on an in-process worker. Stdout
 * carries only JSON-RPC; logs go to stderr. Ends when the assistant closes stdin, or on SIGTERM/SIGINT.
 */
export async function mcpCommand(context: CommandContext, options: McpCommandOptions): Promise<number> {
  const { config, io } = context;
  const workers = wholeNumber(options.workers, "--workers", 0, 256) ?? Math.max(1, config.CS_AGENTS_WORKERS);
  const logger = createLogger(io.stderr, config.CS_AGENTS_LOG_FORMAT);
  const stopped = waitForStop(io.env);
  const runtime = await context.runtime();
  const { store } = await openStoreWithArtifacts(config, { migrate: config.CS_AGENTS_MIGRATE });
  let api: ApiServer | undefined;
  let worker: Worker | undefined;
  try {
    // Never listens: it is only the service the door calls, with the API's limits and audit.
    api = await ApiServer.create(
      { auth: { mode: "off" }, maxActiveRunsPerTenant: config.CS_AGENTS_MAX_ACTIVE_RUNS_PER_TENANT, approvals: { ttlMs: config.CS_AGENTS_APPROVAL_TTL_S * 1_000, requireSeparateApprover: config.CS_AGENTS_APPROVALS_REQUIRE_SEPARATE_APPROVER }, version: packageVersion() },
      { store, catalog: catalogOf(runtime), log: logger, onCancelled: (runId) => worker?.cancel(runId), onSubmitted: () => worker?.wake(), onDecided: () => worker?.wake() },
    );
    if (workers > 0) {
      worker = new Worker({
        store,
        engine: runtime.engine,
        audit: createStoreAuditSink(store),
        concurrency: workers,
        leaseMs: config.CS_AGENTS_LEASE_MS,
        maxCrashes: config.CS_AGENTS_MAX_CRASHES,
        onError: (error) => logger.error({ reason: (error as Error).message }, "worker error"),
        onWritten: api.wake,
      });
      worker.start();
    }
    const server = createMcpServer(api.service, { door: "mcp", address: "stdio" }, { version: packageVersion() });
    const transport = new StdioServerTransport();
    const closed = new Promise<string>((resolve) => (transport.onclose = () => resolve("stdin closed")));
    // The SDK listens for "data" only: the end of stdin (the assistant went away) is ours to notice.
    const stdinEnded = new Promise<string>((resolve) => process.stdin.once("end", () => resolve("stdin closed")));
    await server.connect(transport);
    logger.info(`MCP server on stdio (tenant local, ${workers} in-process worker slot(s))`);
    const reason = await Promise.race([stopped, closed, stdinEnded]);
    logger.info(`${reason}: stopping`);
    await server.close().catch(() => undefined);
    await worker?.stop(config.CS_AGENTS_GRACE_MS);
    return EXIT_OK;
  } finally {
    await api?.close();
    await store.close();
  }
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version?: string }).version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}
