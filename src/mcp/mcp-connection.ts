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

/** What a server's new tool list changed, by MCP tool name. */
export interface McpToolsChange {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

export interface McpConnectionOptions {
  readonly reconnect?: ReconnectOptions;
  /** Told on every change, e.g. to log a dropped server. */
  readonly onStateChange?: (state: McpConnectionState, server: string, error?: Error) => void;
  /**
   * Told when the server's tool list changed (its `list_changed` notification, or a reconnect
   * to a server that now offers other tools); `error` when listing them again failed.
   */
  readonly onToolsChange?: (server: string, change: McpToolsChange | undefined, error?: Error) => void;
  /** Where a stdio server's stderr goes. Default "inherit". */
  readonly stderr?: "inherit" | "ignore" | "pipe";
}

/**
 * One MCP server, kept connected: a drop (the process exited, the HTTP endpoint stopped
 * answering) marks it down and reconnects it with exponential backoff in the background.
 * While it is down, calls fail at once with the retryable MCP_UNAVAILABLE. The server's tool
 * list is kept current: listed again on its `list_changed` notification and after a reconnect.
 */
export class McpConnection {
  readonly server: McpServerConfig;
  #state: McpConnectionState = "connecting";
  #client: Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #delayMs: number;
  /** The tools the server offered when last listed, by MCP name; undefined before the first list. */
  #tools: Map<string, McpToolInfo> | undefined;
  #everReady = false;
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

  /**
   * The first connection, tried again with backoff until `withinMs` passed: a server started
   * next to this process (a sidecar, a container in the same pod) may not answer yet.
   * @throws ToolError (MCP_UNAVAILABLE) with the last reason when it never answered.
   */
  async connectWithin(withinMs: number): Promise<void> {
    const deadline = Date.now() + withinMs;
    let delay = this.#options.reconnect?.initialDelayMs ?? 250;
    for (;;) {
      try {
        return await this.connect();
      } catch (error) {
        if (this.#state === "closed" || Date.now() >= deadline) throw error;
      }
      // The last try comes at the deadline, not a backoff step before it.
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, deadline - Date.now())));
      delay = Math.min(delay * 2, this.#options.reconnect?.maxDelayMs ?? 30_000);
    }
  }

  /** Every tool the server offers (all pages); kept as the current list. */
  async listTools(): Promise<McpToolInfo[]> {
    const client = this.#ready();
    const tools: McpToolInfo[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    this.#tools = new Map(tools.map((tool) => [tool.name, tool]));
    return tools;
  }

  /**
   * The tool as the server offers it now; undefined when the server no longer lists it.
   * Before the first list, and while the server is down, the last list stands.
   */
  toolInfo(name: string): McpToolInfo | undefined {
    return this.#tools?.get(name);
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
    const client = new Client(
      { name: "cs-agents", version: "1" },
      {
        capabilities: {},
        // Our own listing (every page) rather than the SDK's refresh of the first page only.
        listChanged: { tools: { autoRefresh: false, debounceMs: 100, onChanged: () => void this.#relist(client) } },
      },
    );
    client.onclose = () => this.#drop(client, new Error("the connection closed"));
    await client.connect(this.#transport());
    if (this.#state === "closed") {
      await client.close().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#delayMs = this.#options.reconnect?.initialDelayMs ?? 250;
    this.#setState("ready");
    // A server that came back may be a new version offering other tools.
    if (this.#everReady) void this.#relist(client);
    this.#everReady = true;
  }

  /** Lists the tools again and tells what changed, if anything. */
  async #relist(client: Client): Promise<void> {
    if (this.#client !== client) return;
    const before = this.#tools ?? new Map<string, McpToolInfo>();
    try {
      await this.listTools();
    } catch (error) {
      this.#options.onToolsChange?.(this.server.name, undefined, error as Error);
      return;
    }
    const after = this.#tools ?? new Map<string, McpToolInfo>();
    const same = (a: McpToolInfo, b: McpToolInfo) => JSON.stringify(a) === JSON.stringify(b);
    const change = {
      added: [...after.keys()].filter((name) => !before.has(name)),
      removed: [...before.keys()].filter((name) => !after.has(name)),
      changed: [...after.keys()].filter((name) => before.has(name) && !same(before.get(name) as McpToolInfo, after.get(name) as McpToolInfo)),
    };
    if (change.added.length + change.removed.length + change.changed.length > 0) this.#options.onToolsChange?.(this.server.name, change);
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
