import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { BIN, runCli, scratchDir } from "./spawn-cli.js";

const CRASH_PLUGIN = fileURLToPath(new URL("../crash/crash-plugin.mjs", import.meta.url));
const RESUME_LINE = /run (\S+) was interrupted before it finished; it stays resumable: cs-agents resume \1\r?\n/;
let dir: string;
beforeEach(() => {
  dir = scratchDir();
});

/**
 * Runs `run` until its output shows `waitFor`, then presses Ctrl-C: through a real
 * pseudo-terminal (util-linux `script`, the keystroke reaching the line discipline) or as a
 * SIGINT to a piped process.
 */
function interruptRun(terminal: boolean, waitFor: string): Promise<{ code: number | null; output: string }> {
  const cli = [process.execPath, BIN, "--plugin", CRASH_PLUGIN, "run", "crash test"].map((a) => `'${a}'`).join(" ");
  const env = { PATH: process.env.PATH ?? "", HOME: dir, TERM: "xterm", TOOL_DELAY_MS: "4000" };
  const child = terminal
    ? spawn("script", ["-qfec", `stty cols 100 rows 30; exec ${cli}`, "/dev/null"], { cwd: dir, env, stdio: ["pipe", "pipe", "pipe"] })
    : spawn(process.execPath, [BIN, "--plugin", CRASH_PLUGIN, "run", "crash test"], { cwd: dir, env, stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  let pressed = false;
  const read = (chunk: Buffer) => {
    output += chunk.toString();
    if (pressed || !output.includes(waitFor)) return;
    pressed = true;
    if (terminal) child.stdin.write("\x03");
    else child.kill("SIGINT");
  };
  child.stdout.on("data", read);
  child.stderr.on("data", read);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("Ctrl-C during `cs-agents run`", () => {
  it.each([
    ["under a pseudo-terminal (live task list)", true, "→ crash.append"],
    ["without a terminal (plain lines)", false, "started   a"],
  ])("%s: one line says how to resume, exit 130, and the run resumes", async (_name, terminal, waitFor) => {
    const { code, output } = await interruptRun(terminal, waitFor);
    expect(code, output).toBe(130);
    const runId = RESUME_LINE.exec(output)?.[1];
    expect(runId, output).toBeDefined();
    expect(output).not.toMatch(/TypeError|Error:|at .*\(.*:\d+:\d+\)|cancelled/);
    expect(output.match(/interrupted/g)).toHaveLength(1);

    const status = await runCli(["status", runId ?? "", "--json"], { cwd: dir });
    expect((JSON.parse(status.stdout) as { status: string }).status).toBe("running");
    const resumed = await runCli(["--plugin", CRASH_PLUGIN, "resume", runId ?? ""], { cwd: dir, env: { TOOL_DELAY_MS: "0" } });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/run succeeded/);
  });
});
