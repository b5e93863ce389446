import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import { BIN, scratchDir } from "./spawn-cli.js";

describe("cs-agents writing into a pipe its reader closed", () => {
  it("stops quietly when the reader stops early (tools --json | head)", async () => {
    const cwd = scratchDir("closed-pipe");
    // The catalogue is ~100 KB: more than a pipe holds, so the CLI is still writing when head exits.
    const script = `"${process.execPath}" "${BIN}" tools --json 2>"${cwd}/stderr" | head -c 1 >/dev/null; cat "${cwd}/stderr"`;
    const stderr = await new Promise<string>((resolve, reject) => {
      execFile("sh", ["-c", script], { cwd, env: { PATH: process.env.PATH ?? "", HOME: cwd } }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
    });
    expect(stderr).toBe("");
  });
});
