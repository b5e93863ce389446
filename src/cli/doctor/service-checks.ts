import { Redis } from "ioredis";
import type { Config } from "../../config.js";
import { llmSettingsFromConfig } from "../../llm/index.js";
import { loadPlugins } from "../../runtime/index.js";
import { redactUrl } from "../../store/index.js";
import { type CheckResult, fail, ok, reason, skipped, withTimeout } from "./check.js";

const TIMEOUT_MS = 10_000;

export async function checkPlugins(paths: readonly string[]): Promise<CheckResult> {
  if (paths.length === 0) return skipped("plugins", "none configured (--plugin, CS_AGENTS_PLUGINS)");
  try {
    const plugins = await loadPlugins(paths);
    const count = (pick: (p: (typeof plugins)[number]) => readonly unknown[]) => plugins.reduce((n, p) => n + pick(p).length, 0);
    return ok("plugins", `${plugins.length} loaded: ${count((p) => p.tools)} tools, ${count((p) => p.agents)} agents, ${count((p) => p.templates)} plan templates`);
  } catch (error) {
    return fail("plugins", reason(error));
  }
}

/** PING, on a connection that gives up at once instead of retrying in the background. */
export async function checkRedis(config: Config): Promise<CheckResult> {
  if (!config.REDIS_URL) return skipped("redis", "REDIS_URL not set: no shared tool cache");
  const where = `Redis ${redactUrl(config.REDIS_URL)}`;
  const client = new Redis(config.REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 3_000, retryStrategy: () => null });
  // The socket's error (ECONNREFUSED, …) says more than the rejection ("Connection is closed.").
  let socketError: unknown;
  client.on("error", (error: unknown) => (socketError ??= error));
  try {
    await withTimeout(TIMEOUT_MS, where, client.connect().then(() => client.ping()), () => client.disconnect());
    return ok("redis", `${where} answers PING`);
  } catch (error) {
    return fail("redis", `${where}: ${reason(socketError ?? error) || "no connection"}`);
  } finally {
    client.disconnect();
  }
}

/** One tiny chat completion per configured model; the API key is sent, never shown. */
export async function checkLlm(config: Config): Promise<CheckResult[]> {
  if (!config.CS_AGENTS_LLM_BASE_URL) return [skipped("llm", "CS_AGENTS_LLM_BASE_URL not set: the built-in rules and templates (offline)")];
  let settings: ReturnType<typeof llmSettingsFromConfig>;
  try {
    settings = llmSettingsFromConfig(config);
  } catch (error) {
    return [fail("llm", reason(error))];
  }
  if (!settings) return [];
  const models = [...new Set([settings.model, ...Object.values(settings.agentModels ?? {})])];
  const url = `${settings.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  const timeoutMs = Math.min(settings.timeoutMs, 15_000);
  return Promise.all(models.map((model) => askOnce(url, settings.apiKey, model, timeoutMs)));
}

async function askOnce(url: string, apiKey: string, model: string, timeoutMs: number): Promise<CheckResult> {
  const name = "llm";
  const where = `${redactUrl(url)} (model ${model})`;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "Reply with the word ok." }], max_tokens: 5, stream: false }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status === 401 || response.status === 403) return fail(name, `${where}: HTTP ${response.status}, the endpoint refused the API key (CS_AGENTS_LLM_API_KEY)`);
    if (response.status === 404) return fail(name, `${where}: HTTP 404, no chat completions at this URL or no such model (CS_AGENTS_LLM_BASE_URL should end in /v1 or the provider's equivalent)`);
    if (!response.ok) return fail(name, `${where}: HTTP ${response.status} ${response.statusText}`.trim());
    const body = (await response.json().catch(() => undefined)) as { choices?: unknown } | undefined;
    if (!Array.isArray(body?.choices)) return fail(name, `${where}: answered HTTP ${response.status} but not with a chat completion`);
    return ok(name, `${where} answers`);
  } catch (error) {
    const timedOut = error instanceof Error && error.name === "TimeoutError";
    return fail(name, `${where}: ${timedOut ? `no answer within ${timeoutMs / 1000} s` : reason(error)}${error instanceof Error && error.cause instanceof Error ? ` (${reason(error.cause)})` : ""}`);
  }
}

/** Each MCP server on its own: connects, lists its tools, disconnects. */
export async function checkMcp(config: Config): Promise<CheckResult[]> {
  if (config.CS_AGENTS_MCP_SERVERS.length === 0) return [skipped("mcp", "CS_AGENTS_MCP_SERVERS not set")];
  const { connectMcpServers } = await import("../../mcp/index.js");
  return Promise.all(
    config.CS_AGENTS_MCP_SERVERS.map(async (server): Promise<CheckResult> => {
      const name = `mcp ${server.name}`;
      try {
        const toolset = await connectMcpServers([{ ...server, required: true, startTimeoutMs: Math.min(server.startTimeoutMs, TIMEOUT_MS) }]);
        const tools = toolset.tools.map((t) => t.name);
        await toolset.close();
        return ok(name, `${tools.length} tools${tools.length > 0 ? `: ${tools.join(", ")}` : ""}`);
      } catch (error) {
        return fail(name, reason(error));
      }
    }),
  );
}
