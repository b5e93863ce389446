import { spawn, type ChildProcessByStdio } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../support/free-port.js";
import { ROOT, scratchDir } from "./spawn-cli.js";

/**
 * The README's background commands (`npx cs-agents serve &`, later `kill $!`) stop npm, not
 * node: npm runs the command through `sh -c`, and the signal does not reach the server. These
 * tests start `serve` and `worker` through real npm (`npm start --`, the same script runner
 * `npx` uses, without installing into the npx cache) and stop npm as the README says.
 */

const started: number[] = [];
afterEach(() => {
  // A server left running by a failing test must not outlive it.
  for (const pid of started.splice(0)) if (alive(pid)) process.kill(pid, "SIGKILL");
});

/** Running (a zombie waiting for its parent to reap it has exited). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Every descendant of `pid` (Linux /proc), to find node under npm and its `sh -c`. */
function descendants(pid: number): number[] {
  let children: number[];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

interface Started {
  readonly npm: ChildProcessByStdio<null, Readable, Readable>;
  readonly node: number;
  /** Resolves with everything written once every process holding the output has exited. */
  readonly ended: Promise<string>;
}

function startThroughNpm(args: readonly string[], env: Record<string, string>, readyLine: string): Promise<Started> {
  const dir = scratchDir();
  const npm = spawn("npm", ["start", "--silent", "--", ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: dir, DATABASE_URL: join(dir, "db.sqlite"), CS_AGENTS_LOG_FORMAT: "json", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const ended = new Promise<string>((resolve) => npm.stdout.on("end", () => resolve(output)));
  npm.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    npm.on("error", reject);
    let ready = false;
    npm.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (ready || !output.includes(readyLine)) return;
      ready = true;
      const node = descendants(npm.pid ?? 0).find((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("cs-agents.js"));
      if (node === undefined) return reject(new Error(`no cs-agents process under npm:\n${output}`));
      started.push(node);
      resolve({ npm, node, ended });
    });
    npm.on("exit", (code) => reject(new Error(`npm exited (${code}) before "${readyLine}":\n${output}`)));
  });
}

/** Waits (within the test's timeout) until `pid` has exited: closing the output comes a moment before. */
async function exited(pid: number): Promise<void> {
  while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
}

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(true));
  });
}

describe("serve and worker started through npm stop with it", () => {
  it.each(["SIGTERM", "SIGKILL"] as const)("serve: %s to npm drains and stops the server, the port closes", async (signal) => {
    const port = await freePort();
    const { npm, node, ended } = await startThroughNpm(["serve", "--port", String(port), "--grace-ms", "2000"], { CS_AGENTS_AUTH: "off" }, "listening on http");
    npm.kill(signal);
    const output = await ended;
    await exited(node);
    expect(alive(node), output).toBe(false);
    expect(output).toMatch(/parent exited: draining/);
    expect(output).toMatch(/"msg":"stopped"/);
    expect(await refuses(port)).toBe(true);
  });

  it("worker: SIGTERM to npm drains and stops the worker", async () => {
    const { npm, node, ended } = await startThroughNpm(["worker", "--concurrency", "1", "--grace-ms", "2000"], {}, "started: concurrency 1");
    npm.kill("SIGTERM");
    const output = await ended;
    await exited(node);
    expect(alive(node), output).toBe(false);
    expect(output).toMatch(/parent exited: draining 0 run\(s\)/);
    expect(output).toMatch(/stopped/);
  });
});
