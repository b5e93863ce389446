import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { ROOT, runCli, scratchDir } from "../cli/spawn-cli.js";

const EXAMPLE = join(ROOT, "examples/plugins/research-summary");
/** The notes server as the example's README configures it: stdio, named "notes", granted to the researcher. */
const MCP_SERVERS = JSON.stringify([{ name: "notes", transport: "stdio", command: process.execPath, args: [join(EXAMPLE, "notes-server.js")], agents: ["researcher"] }]);

let dir: string;
beforeEach(() => {
  dir = scratchDir();
});

interface RunJson {
  runId: string;
  status: string;
  output: { sources: string[] };
  error?: { code: string; message: string };
}

async function research(task: string, env: Record<string, string> = { CS_AGENTS_MCP_SERVERS: MCP_SERVERS }): Promise<{ json: RunJson; stderr: string }> {
  const run = await runCli(["--plugin", join(EXAMPLE, "plugin.js"), "run", task, "--json"], { cwd: dir, env });
  return { json: JSON.parse(run.stdout) as RunJson, stderr: run.stderr };
}

describe("the research-summary example plugin, through the CLI and a real MCP server over stdio", () => {
  it("searches the notes library through MCP for each query and writes a cited summary", async () => {
    const { json, stderr } = await research("research summary: retries and idempotency");
    expect(json.status, stderr).toBe("succeeded");
    expect(json.output.sources).toContain("Stripe engineering blog (2017)");
    const summary = readFileSync(join(dir, "out", json.runId, "summary.md"), "utf8");
    expect(summary).toMatch(/^# Research summary: retries and idempotency\n/);
    expect(summary).toContain("- **Making retries safe with idempotency keys.** An idempotency key sent with a request");
    expect(summary).toMatch(/## Sources\n\n1\. /);

    // One research.queries call, then one MCP search per query: the topic and its two parts.
    const status = await runCli(["status", json.runId, "--json"], { cwd: dir });
    const subtasks = (JSON.parse(status.stdout) as { subtasks: { id: string; calls: number }[] }).subtasks;
    expect(subtasks.find((s) => s.id === "research")?.calls).toBe(4);
  });

  it("answers a Chinese topic in Chinese", async () => {
    const { json, stderr } = await research("研究综述：幂等与重试");
    expect(json.status, stderr).toBe("succeeded");
    const summary = readFileSync(join(dir, "out", json.runId, "summary.md"), "utf8");
    expect(summary).toMatch(/^# 研究综述：幂等与重试\n\n## 要点\n/);
    expect(summary).toContain("## 参考来源");
  });

  it("without the MCP server configured, fails saying which tool the researcher lacks", async () => {
    const { json } = await research("research summary: retries", {});
    expect(json.status).toBe("failed");
    expect(json.error?.message).toContain('may not call "mcp.notes.search_notes"');
  });
});
