import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export function readText(relativePath: string): string {
  return readFileSync(new URL(relativePath, `file://${ROOT}`), "utf8");
}

export function readYaml<T>(relativePath: string): T {
  return parse(readText(relativePath)) as T;
}

/** The Debian package of each tool the deploy tests run. */
const DEBIAN_PACKAGES: Record<string, string> = { promtool: "prometheus", prometheus: "prometheus", kubectl: "kubernetes-client" };

/**
 * Whether a command-line tool answers. Missing tools skip their suites with a warning on a
 * developer's machine and fail them under CI=true (`.ci/run` installs promtool and kubectl).
 */
export function hasTool(command: string, versionArgs: readonly string[]): boolean {
  const found = spawnSync(command, versionArgs, { encoding: "utf8" }).status === 0;
  if (!found) {
    const message = `${command} not found: install it (apt-get install -y ${DEBIAN_PACKAGES[command] ?? command}) — .ci/run does`;
    if (process.env.CI === "true") throw new Error(`${message}; CI=true makes this a failure`);
    console.warn(`WARNING: ${message}; skipping the suites that need it`);
  }
  return found;
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(command: string, args: readonly string[], cwd = ROOT): RunResult {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
