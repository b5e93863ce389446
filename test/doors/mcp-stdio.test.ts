import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { BIN, scratchDir } from "../cli/spawn-cli.js";

// Runs the built binary: `npm run build` first.
describe("cs-agents mcp (stdio)", () => {
  it("runs the seed task with progress, serves its report, keeps stdout for JSON-RPC, and exits when the client leaves", async () => {
    const cwd = scratchDir();
    const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, "mcp"], cwd, env: { PATH: process.env.PATH ?? "", HOME: cwd }, stderr: "pipe" });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: "cs-agents-test", version: "1.0.0" });
    // A line on stdout that is not JSON-RPC reaches the client as an error.
    const clientErrors: unknown[] = [];
    client.onerror = (error) => clientErrors.push(error);
    await client.connect(transport);
    const exited = new Promise<number | null>((resolve) => {
      const pid = transport.pid;
      const timer = setInterval(() => {
        try {
          if (pid !== null) process.kill(pid, 0);
        } catch {
          clearInterval(timer);
          resolve(0);
        }
      }, 50);
    });
    try {
      const progress: { progress: number; total?: number | undefined; message?: string | undefined }[] = [];
      const result = (await client.callTool({ name: "submit_task", arguments: { description: "生成季度财务报告", wait: true } }, undefined, { onprogress: (p) => progress.push(p), timeout: 90_000 })) as CallToolResult;
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      const run = result.structuredContent as { id: string; status: string; artifacts: { name: string }[] };
      expect(run.status).toBe("succeeded");
      expect(progress.filter((p) => /finished/.test(p.message ?? "")).map((p) => p.progress)).toEqual([1, 2, 3]);
      const md = run.artifacts.find((a) => a.name.endsWith(".md"));
      const read = await client.readResource({ uri: `cs-agents://runs/${run.id}/artifacts/${md?.name ?? "report.md"}` });
      expect((read.contents[0] as { text?: string }).text?.length).toBeGreaterThan(50);
      const listed = (await client.callTool({ name: "list_runs", arguments: {} })) as CallToolResult;
      expect((listed.structuredContent as { items: { id: string }[] }).items.map((r) => r.id)).toEqual([run.id]);
    } finally {
      await client.close();
    }
    await exited;
    expect(clientErrors).toEqual([]);
    expect(stderr).toMatch(/MCP server on stdio/);
  }, 120_000);
});
