import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli, scratchDir } from "./spawn-cli.js";

describe("cs-agents --version", () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  it.each([["--version"], ["-V"]])("%s prints the package version and exits 0", async (flag) => {
    const result = await runCli([flag], { cwd: scratchDir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
  });
});
