import { loadConfig, type Config } from "../../config.js";
import { type CheckResult, fail, ok, reason, skipped } from "../doctor/check.js";
import { checkStore } from "../doctor/store-checks.js";
import { checkLlm, checkMcp, checkPlugins, checkRedis } from "../doctor/service-checks.js";
import { EXIT_OK, EXIT_TASK_FAILED } from "../exit-codes.js";
import type { CliIo } from "../main.js";

/**
 * `cs-agents doctor`: checks the configuration and everything it names, one line per check,
 * exit 1 when any check fails. It reads and asks; it never creates, migrates or writes.
 */
export async function doctorCommand(io: CliIo, pluginPaths: readonly string[], options: { json?: boolean }): Promise<number> {
  const checks = await runChecks(io.env, pluginPaths);
  const failed = checks.filter((c) => c.status === "fail").length;
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ ok: failed === 0, checks }, null, 2)}\n`);
  } else {
    const width = Math.max(...checks.map((c) => c.name.length));
    for (const c of checks) io.stdout.write(`${c.status.padEnd(7)} ${c.name.padEnd(width)}  ${c.detail}\n`);
    io.stdout.write(failed === 0 ? "all checks passed\n" : `${failed} check(s) failed\n`);
  }
  return failed === 0 ? EXIT_OK : EXIT_TASK_FAILED;
}

async function runChecks(env: CliIo["env"], pluginPaths: readonly string[]): Promise<CheckResult[]> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    const why = "the configuration does not parse";
    return [fail("config", reason(error)), ...["store", "migrations", "plugins", "redis", "llm", "mcp"].map((name) => skipped(name, why))];
  }
  const plugins = [...config.CS_AGENTS_PLUGINS, ...pluginPaths];
  // Independent services, asked at once: the slowest one sets the doctor's time.
  const [store, loaded, redis, llm, mcp] = await Promise.all([checkStore(config), checkPlugins(plugins), checkRedis(config), checkLlm(config), checkMcp(config)]);
  return [ok("config", "the environment parses"), ...store, loaded, redis, ...llm, ...mcp];
}
