import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mcpHttpDoor } from "../../src/doors/mcp/index.js";
import { makeApi, token, type TestApi } from "../api/harness.js";
import { connectMcp, problemCode } from "./mcp-caller.js";

const SEED = "生成季度财务报告";
let t: TestApi;
let baseUrl: string;
let c: Client;

beforeAll(async () => {
  t = await makeApi({}, undefined, { doors: [mcpHttpDoor({ version: "test" })] });
  const address = await t.api.listen(0, "127.0.0.1");
  baseUrl = `http://127.0.0.1:${address.port}`;
  c = await connectMcp({ baseUrl }, await token());
});

afterAll(async () => {
  await c.close();
  await t.close();
});

const structured = (result: unknown) => (result as CallToolResult).structuredContent as Record<string, unknown>;
const runCount = async () => (await t.store.list({ tenant: "acme", limit: 500 })).length;

describe("MCP submit_task: priority and callback_url, as REST takes them", () => {
  it("describes both in the tool's input schema, priority bounded 0-9", async () => {
    const { tools } = await c.listTools();
    const submit = tools.find((tool) => tool.name === "submit_task");
    const properties = submit?.inputSchema.properties as Record<string, { type?: string; minimum?: number; maximum?: number; maxLength?: number }>;
    expect(properties.priority).toMatchObject({ type: "integer", minimum: 0, maximum: 9 });
    expect(properties.callback_url).toMatchObject({ type: "string", maxLength: 2_048 });
  });

  it("keeps the priority (0 included) and the callback URL on the run", async () => {
    const low = structured(await c.callTool({ name: "submit_task", arguments: { description: SEED, priority: 0 } }));
    expect(low.priority).toBe(0);
    const withHook = structured(await c.callTool({ name: "submit_task", arguments: { description: SEED, priority: 9, callback_url: "https://hooks.example.com/cs-agents" } }));
    expect(withHook.priority).toBe(9);
    const run = await t.store.get(String(withHook.id));
    expect(run?.task).toMatchObject({ priority: 9, callbackUrl: "https://hooks.example.com/cs-agents" });
    const got = structured(await c.callTool({ name: "get_task", arguments: { id: String(withHook.id) } }));
    expect(got.callback).toEqual({ url: "https://hooks.example.com/cs-agents", status: "waiting", attempts: 0 });
  });

  it("refuses a priority outside 0-9 and callback URLs the SSRF policy refuses, as tool errors, storing nothing", async () => {
    const before = await runCount();
    for (const priority of [10, -1, 2.5]) {
      const refused = (await c.callTool({ name: "submit_task", arguments: { description: SEED, priority } })) as CallToolResult;
      expect(refused.isError).toBe(true);
      expect(JSON.stringify(refused.content)).toContain("priority must be an integer from 0 to 9");
    }
    for (const url of ["http://hooks.example.com/x", "https://127.0.0.1/x", "https://192.168.1.10/x", "https://169.254.169.254/latest"]) {
      const refused = (await c.callTool({ name: "submit_task", arguments: { description: SEED, callback_url: url } })) as CallToolResult;
      expect(refused.isError).toBe(true);
      expect(problemCode(refused)).toBe("INVALID_INPUT");
    }
    expect(await runCount()).toBe(before);
  });
});
