import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ROOT } from "../cli/spawn-cli.js";

const run = promisify(execFile);

// Against the built package (`npm run build`), as a program that installed cs-agents sees it.
describe("the cs-agents/client subpath export", () => {
  it("resolves from the built dist, with its type declarations", async () => {
    const script = "const m = await import('cs-agents/client'); console.log(JSON.stringify(Object.keys(m).sort()))";
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT });
    expect(JSON.parse(stdout)).toEqual(expect.arrayContaining(["ApiConnectionError", "ApiProblemError", "CsAgentsClient", "parseRetryAfter"]));
    const exports = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, { types: string; import: string }> }).exports;
    expect(existsSync(join(ROOT, exports["./client"]?.types ?? "missing"))).toBe(true);
  });

  it("loads nothing of the server: only core's error base, eventsource-parser and Node", () => {
    const dir = join(ROOT, "dist/client");
    const imports = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".js"))) {
      for (const match of readFileSync(join(dir, file), "utf8").matchAll(/^(?:import|export)\b[^;]*?from\s+"([^"]+)"/gm)) imports.add(match[1] ?? "");
    }
    const outside = [...imports].filter((name) => !name.startsWith("./"));
    expect(outside.sort()).toEqual(["../core/errors.js", "eventsource-parser", "node:crypto"]);
  });
});
