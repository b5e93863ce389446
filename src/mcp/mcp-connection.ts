import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, McpError, type CallToolResult, type Tool as McpToolInfo } from "@modelcontextprotocol/sdk/types.js";
import { ToolError } from "../tools/index.js";
import type { McpServerConfig } from "./mcp-server-config.js";

export type McpConnectionState = "connecting" | "ready" | "down" | "closed";

export interface ReconnectOptions {
  /** First wait after a drop; doubles up to `maxDelayMs`. Default 250. */
  readonly initialDelayMs?: number;
  /** Default 30,000. */
  readonly maxDelayMs?: number;
}

export interface McpConnectionOptions {
  readonly reconnect?: ReconnectOptions;
  /** Told on every change, e.g. to log a dropped server. */
  readonly onStateChange?: (state: McpConnectionState, server: string, error?: Error) => void;
  /** Where a stdio server's stderr goes. Default "inherit". */
  readonly stderr?: "inherit" | "ignore" | "pipe";
}

/**
 * One MCP server, kept connected: a drop (the process exited, the HTTP endpoint stopped
 * answering) marks it down and reconnects it with exponential backoff in the background.
 * While it is down, calls fail at once with the retryable MCP_UNAVAILABLE.
 */
export class McpConnection {
  readonly server: McpServerConfig;
  #state: McpConnectionState = "connecting";
  #client: Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #delayMs: number;
  readonly #options: McpConnectionOptions;

  constructor(server: McpServerConfig, options: McpConnectionOptions = {}) {
    this.server = server;
    this.#options = options;
    this.#delayMs = options.reconnect?.initialDelayMs ?? 250;
  }

  get state(): McpConnectionState {
    return this.#state;
  }

  /**
   * The first connection.
   * @throws ToolError (MCP_UNAVAILABLE) when the server cannot be started or reached.
   */
  async connect(): Promise<void> {
    try {
      await this.#open();
    } catch (error) {
      // No listener call: the caller gets the error, and nothing is being reconnected.
      if (this.#state !== "closed") this.#state = "down";
      throw unavailable(this.server.name, error);
    }
  }

  /** Every tool the server offers (all pages). */
  async listTools(): Promise<McpToolInfo[]> {
    const client = this.#ready();
    const tools: McpToolInfo[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return tools;
  }

  /**
   * Calls a tool by its MCP name.
   * @throws ToolError (MCP_UNAVAILABLE, retryable) when the server is down or drops during
   *   the call; the SDK's McpError for a protocol error the server returned.
   */
  async callTool(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
    const client = this.#ready();
    try {
      return (await client.callTool({ name, arguments: args }, undefined, { signal, timeout: this.server.timeoutMs })) as CallToolResult;
    } catch (error) {
      if (signal.aborted || !isConnectionFailure(error)) throw error;
      this.#drop(client, error as Error);
      throw unavailable(this.server.name, error);
    }
  }

  /** Stops reconnecting and closes the connection (a stdio server's process ends). */
  async close(): Promise<void> {
    this.#state = "closed";
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    await client?.close().catch(() => undefined);
  }

  #ready(): Client {
    if (this.#state !== "ready" || !this.#client) throw unavailable(this.server.name, new Error(`it is ${this.#state}`));
    return this.#client;
  }

  async #open(): Promise<void> {
    this.#setState("connecting");
    const client = new Client({ name: "cs-agents", version: "1" }, { capabilities: {} });
    client.onclose = () => this.#drop(client, new Error("the connection closed"));
    await client.connect(this.#transport());
    if (this.#state === "closed") {
      await client.close().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#delayMs = this.#options.reconnect?.initialDelayMs ?? 250;
    this.#setState("ready");
  }

  #transport(): Transport {
    const server = this.server;
    if (server.transport === "stdio") {
      return new StdioClientTransport({
        command: server.command,
        args: server.args,
        // The SDK adds these to its own short safe list (PATH, HOME, …); our environment,
        // secrets included, is not passed on.
        env: server.env,
        stderr: this.#options.stderr ?? "inherit",
        ...(server.cwd === undefined ? {} : { cwd: server.cwd }),
      });
    }
    return new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: server.headers } });
  }

  /** Marks the server down (once per client) and schedules a reconnect. */
  #drop(client: Client, error: Error): void {
    if (this.#client !== client || this.#state === "closed") return;
    this.#client = undefined;
    this.#setState("down", error);
    void client.close().catch(() => undefined);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    const delay = this.#delayMs;
    this.#delayMs = Math.min(delay * 2, this.#options.reconnect?.maxDelayMs ?? 30_000);
    // unref: a reconnect loop must never keep the process alive.
    this.#timer = setTimeout(() => {
      this.#open().catch((error: unknown) => {
        if (this.#state === "closed") return;
        this.#setState("down", error as Error);
        this.#scheduleReconnect();
      });
    }, delay).unref();
  }

  #setState(state: McpConnectionState, error?: Error): void {
    if (this.#state === "closed") return;
    this.#state = state;
    this.#options.onStateChange?.(state, this.server.name, error);
  }
}

function unavailable(server: string, cause: unknown): ToolError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ToolError("MCP_UNAVAILABLE", `MCP server "${server}" is unavailable (${reason}); it is being reconnected`, { retryable: true });
}

/** A protocol error the server answered is the tool's failure; anything else means the link broke. */
function isConnectionFailure(error: unknown): boolean {
  if (error instanceof McpError) return error.code === ErrorCode.ConnectionClosed;
  return true;
}
