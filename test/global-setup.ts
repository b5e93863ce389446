import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

/** The CLI tests spawn the built binary: build once so they never test a stale dist/. */
export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
}
