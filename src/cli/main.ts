import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { loadConfig, type Config } from "../config.js";
import { describeError } from "../core/index.js";
import { MetricsRegistry } from "../observability/index.js";
import { createRuntime, loadPlugins, openToolCache, type Runtime } from "../runtime/index.js";
import { llmSettingsFromConfig, runBudgetFromConfig } from "../llm/index.js";
import type { McpToolset } from "../mcp/index.js";
import { approvalCommand, decideCommand, migrateCommand, pruneCommand } from "./commands/admin.js";
import { resumeCommand, runCommand } from "./commands/run.js";
import { checkRunId, runsCommand, statusCommand } from "./commands/status.js";
import { submitCommand } from "./commands/submit.js";
import { scheduleAddCommand, scheduleRemoveCommand, schedulesCommand } from "./commands/schedules.js";
import { workerCommand } from "./commands/worker.js";
import { serveCommand } from "./commands/serve.js";
import { auditCheckpointCommand, auditVerifyCommand } from "./commands/audit.js";
import { planCommand } from "./commands/plan.js";
import { artifactsCommand } from "./commands/artifacts.js";
import { artifactsMoveInlineCommand, artifactsSyncCommand } from "./commands/artifacts-maintenance.js";
import { artifactsGcCommand } from "./commands/artifacts-gc.js";
import { backupCommand } from "./commands/backup.js";
import { listAgents, listTools } from "./commands/list.js";
import { doctorCommand } from "./commands/doctor.js";
import { EXIT_OK, EXIT_USAGE, exitCodeFor } from "./exit-codes.js";
import { DEFAULT_LOCALE, localeFromEnv } from "../i18n/locale.js";
import { oneLine } from "./one-line.js";

export interface CliIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What every command gets: the parsed configuration and a way to build the runtime. */
export interface CommandContext {
  readonly io: CliIo;
  readonly config: Config;
  runtime(): Promise<Runtime>;
  /** The process's metrics (made on first use): one registry for the runtime and `serve`. */
  metrics(): MetricsRegistry;
}

/** Runs the CLI and resolves to the process exit code; never throws, never calls process.exit. */
export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  let exitCode = EXIT_OK;
  const verbose = argv.includes("--verbose");
  const built: { runtime?: Promise<Runtime> } = {};
  const program = buildProgram(io, (code) => (exitCode = code), built);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    io.stderr.write(`${await errorLine(error, io.env)}\n`);
    if (verbose && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return exitCodeFor(error);
  } finally {
    // The tool cache may hold a Redis connection that would keep the process alive.
    await built.runtime?.then((r) => r.close()).catch(() => undefined);
  }
}

/** `error: <message> [CODE]`, in Chinese when LANG/LC_ALL asks and the catalogue has the message. */
async function errorLine(error: unknown, env: CliIo["env"]): Promise<string> {
  const { code, message } = describeError(error);
  const english = `error: ${oneLine(message)}${code === "INTERNAL" ? "" : ` [${code}]`}`;
  const locale = localeFromEnv(env);
  if (locale === DEFAULT_LOCALE) return english;
  // Loaded only for a translated error line: an English session never pays for i18next.
  const { createTranslator } = await import("../i18n/translator.js");
  const translator = createTranslator();
  const translated = translator.errorMessage(locale, error);
  if (translated === undefined) return english;
  return translator.text(locale, code === "INTERNAL" ? "cli.error-internal" : "cli.error", { message: oneLine(translated), code }) ?? english;
}

function buildProgram(io: CliIo, setExit: (code: number) => void, built: { runtime?: Promise<Runtime> }): Command {
  const program = new Command("cs-agents")
    .description("Plan a task into subtasks, let agents carry them out with tools, and get the result.")
    .option("--plugin <path>", "load tools, agents and plan templates from a module (repeatable)", collect, [])
    .option("--verbose", "show stack traces of errors")
    .version(packageVersion(), "-V, --version", "print the version")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError("(run with --help for usage)");

  let config: Config | undefined;
  let metrics: MetricsRegistry | undefined;
  const context = (): CommandContext => {
    config ??= loadConfig(io.env);
    const cfg = config;
    const registry = () => (metrics ??= new MetricsRegistry());
    return {
      io,
      config: cfg,
      metrics: registry,
      runtime: () => {
        const paths = [...cfg.CS_AGENTS_PLUGINS, ...(program.opts<{ plugin: string[] }>().plugin ?? [])];
        built.runtime ??= buildRuntime(io, cfg, paths, (tool, size) => registry().observe("cs_agents_batch_size_calls", size, { tool }));
        return built.runtime;
      },
    };
  };

  program
    .command("run")
    .description("plan and run a task now, in this process, and write its report")
    .argument("<task>", 'the task in plain words, e.g. "生成季度财务报告"')
    .option("--out <dir>", "write the report files here (default: <CS_AGENTS_OUT_DIR>/<run id>/)")
    .option("--priority <n>", "0-9, 9 first: kept on the run (default 5)")
    .addOption(new Option("--json", "print the result as JSON instead of progress"))
    .action(async (task: string, options: { out?: string; json?: boolean; priority?: string }) => setExit(await runCommand(context(), task, options)));

  program
    .command("resume")
    .description("finish an unfinished run from its journal, without repeating recorded tool calls")
    .argument("<run-id>", "the id printed by run or submit")
    .option("--out <dir>", "write the report files here (default: <CS_AGENTS_OUT_DIR>/<run id>/)")
    .option("--json", "print the result as JSON instead of progress")
    .action(async (id: string, options: { out?: string; json?: boolean }) => setExit(await resumeCommand(context(), checkRunId(id), options)));

  program
    .command("artifacts")
    .description("write a succeeded run's files (its report) from the store")
    .argument("<run-id>", "the id printed by run or submit")
    .option("--out <dir>", "write the files here (default: <CS_AGENTS_OUT_DIR>/<run id>/)")
    .option("--json", "print {runId, files} as JSON")
    .action(async (id: string, options: { out?: string; json?: boolean }) => setExit(await artifactsCommand(context(), id, options)));
  // `artifacts` has --json itself, and takes it before the subcommand's: read both (optsWithGlobals).
  const artifacts = program.commands.find((c) => c.name() === "artifacts");
  artifacts
    ?.command("sync")
    .description("copy to <to> every artifact blob of <from> it lacks (a directory or s3://bucket[/prefix][?endpoint=…]), each checked by its SHA-256")
    .argument("<from>", "where the blobs are")
    .argument("<to>", "where they must also be")
    .option("--json", "print {checked, copied} as JSON")
    .action(async (from: string, to: string, _options: unknown, command: Command) => setExit(await artifactsSyncCommand(context(), from, to, command.optsWithGlobals<{ json?: boolean }>())));
  artifacts
    ?.command("move-inline")
    .description("move the artifacts that runs written before the artifact store keep in the database into it")
    .option("--json", "print {runs, values, artifactStore} as JSON")
    .action(async (_options: unknown, command: Command) => setExit(await artifactsMoveInlineCommand(context(), command.optsWithGlobals<{ json?: boolean }>())));
  artifacts
    ?.command("gc")
    .description("delete the artifact blobs no stored run references, written more than the grace period ago")
    .option("--dry-run", "count what would be deleted; delete nothing")
    .option("--grace-hours <h>", "keep unreferenced blobs written this recently: a run may be writing them (default 1)")
    .option("--json", "print {blobs, bytes, referenced, young, deleted, deletedBytes, dryRun, graceMs, artifactStore} as JSON")
    .action(async (_options: unknown, command: Command) => setExit(await artifactsGcCommand(context(), command.optsWithGlobals<{ dryRun?: boolean; graceHours?: string; json?: boolean }>())));

  program
    .command("submit")
    .description("queue a task for the workers and print its run id")
    .argument("<task>", "the task in plain words")
    .option("--idempotency-key <key>", "submitting the same key again returns the same run")
    .option("--tenant <tenant>", "the tenant the run belongs to")
    .option("--priority <n>", "0-9, 9 first: the order among this tenant's queued runs (default 5); tenants take turns whatever their priorities")
    .option("--server <url>", "submit through this cs-agents API instead of the store (default: CS_AGENTS_SERVER)")
    .option("--token <token>", "bearer token for --server (default: CS_AGENTS_TOKEN)")
    .option("--json", "print {runId, status, created} as JSON")
    .action(async (task: string, options: { idempotencyKey?: string; tenant?: string; priority?: string; server?: string; token?: string; json?: boolean }) =>
      setExit(await submitCommand(context(), task, options)));

  program
    .command("status")
    .description("show a run: state, plan, subtasks, results, storage size")
    .argument("<run-id>", "the id printed by run or submit")
    .option("--server <url>", "read the run from this cs-agents API instead of the store (default: CS_AGENTS_SERVER)")
    .option("--token <token>", "bearer token for --server (default: CS_AGENTS_TOKEN)")
    .option("--json", "print as JSON")
    .action(async (id: string, options: { json?: boolean; server?: string; token?: string }) => setExit(await statusCommand(context(), id, options)));

  program
    .command("runs")
    .description("list runs, newest first")
    .option("--status <list>", "only these statuses, comma-separated (queued,running,succeeded,…)")
    .option("--tenant <tenant>", "only this tenant's runs")
    .option("--limit <n>", "at most n runs (default 20, at most 500)")
    .option("--before <run-id>", "runs created before this one (the next page)")
    .option("--json", "print as JSON")
    .action(async (options: { status?: string; tenant?: string; limit?: string; before?: string; json?: boolean }) => setExit(await runsCommand(context(), options)));

  const schedules = program
    .command("schedules")
    .description("list schedules: tasks submitted on a cron or an interval (see docs/run-control.md)")
    .option("--tenant <tenant>", "only this tenant's schedules (local store)")
    .option("--server <url>", "list through this cs-agents API instead of the store (default: CS_AGENTS_SERVER)")
    .option("--token <token>", "bearer token for --server (default: CS_AGENTS_TOKEN)")
    .option("--json", "print as JSON")
    .action(async (options: Parameters<typeof schedulesCommand>[1]) => setExit(await schedulesCommand(context(), options)));
  schedules
    .command("list")
    .description("list schedules (the same as plain `schedules`)")
    .option("--tenant <tenant>", "only this tenant's schedules (local store)")
    .option("--server <url>", "list through this cs-agents API instead of the store (default: CS_AGENTS_SERVER)")
    .option("--token <token>", "bearer token for --server (default: CS_AGENTS_TOKEN)")
    .option("--json", "print as JSON")
    .action(async (_options: unknown, command: Command) => setExit(await schedulesCommand(context(), command.optsWithGlobals<Parameters<typeof schedulesCommand>[1]>())));
  schedules
    .command("add")
    .description("submit a task on a cron (with --tz) or every --every-ms; prints the schedule id")
    .argument("<task>", "the task in plain words")
    .option("--cron <expr>", 'minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5"')
    .option("--tz <zone>", "IANA time zone the cron is read in, e.g. Asia/Shanghai (default UTC)")
    .option("--every-ms <ms>", "an interval instead of a cron (at least 1000)")
    .option("--missed <policy>", "ticks missed while nothing ran: skip (default) or run_once")
    .option("--name <name>", "a name to know it by")
    .option("--tenant <tenant>", "the tenant its runs belong to (local store)")
    .option("--paused", "create it paused")
    .option("--server <url>", "create it through this cs-agents API (default: CS_AGENTS_SERVER)")
    .option("--token <token>", "bearer token for --server (default: CS_AGENTS_TOKEN)")
    .option("--json", "print {id, nextRunAt} as JSON")
    // With the parent's options: `--json`, `--server`, `--token` and `--tenant` may land on either.
    .action(async (task: string, _options: unknown, command: Command) => setExit(await scheduleAddCommand(context(), task, command.optsWithGlobals<Parameters<typeof scheduleAddCommand>[2]>())));
  schedules
    .command("remove")
    .description("delete a schedule (the runs it made stay)")
    .argument("<id>", "the schedule id")
    .option("--server <url>", "through this cs-agents API (default: CS_AGENTS_SERVER)")
    .option("--token <token>", "bearer token for --server (default: CS_AGENTS_TOKEN)")
    .action(async (id: string, _options: unknown, command: Command) => setExit(await scheduleRemoveCommand(context(), id, command.optsWithGlobals<Parameters<typeof scheduleRemoveCommand>[2]>())));

  program
    .command("worker")
    .description("claim queued runs from the store and execute them until SIGTERM")
    .option("--concurrency <n>", "runs executed at once (default 4)")
    .option("--grace-ms <ms>", "on SIGTERM, how long running runs may finish (default CS_AGENTS_GRACE_MS)")
    .action(async (options: { concurrency?: string; graceMs?: string }) => setExit(await workerCommand(context(), options)));

  program
    .command("serve")
    .description("serve the HTTP API (and run tasks in-process) until SIGTERM; see docs/api.md")
    .option("--port <n>", "port (default CS_AGENTS_PORT, 8080)")
    .option("--host <addr>", "address (default CS_AGENTS_HOST, 127.0.0.1)")
    .option("--workers <n>", "runs executed at once in-process; 0: API only (default CS_AGENTS_WORKERS)")
    .option("--tls-cert <file>", "PEM certificate: serve HTTPS (default CS_AGENTS_TLS_CERT)")
    .option("--tls-key <file>", "PEM private key (default CS_AGENTS_TLS_KEY)")
    .option("--grpc-port <n>", "also serve gRPC on this port, same host, TLS and auth (default CS_AGENTS_GRPC_PORT; unset: off)")
    .option("--grace-ms <ms>", "on SIGTERM, how long requests and runs may finish (default CS_AGENTS_GRACE_MS)")
    .action(async (options: Parameters<typeof serveCommand>[1]) => setExit(await serveCommand(context(), options)));

  program
    .command("mcp")
    .description("serve MCP over stdio for a desktop assistant (tenant local, runs executed in-process); see docs/protocols.md")
    .option("--workers <n>", "runs executed at once in-process (default CS_AGENTS_WORKERS, at least 1)")
    // Loaded on use: the MCP SDK costs ~0.3 s to load.
    .action(async (options: { workers?: string }) => setExit(await (await import("./commands/mcp.js")).mcpCommand(context(), options)));

  const audit = program.command("audit").description("the tamper-evident audit log");
  audit
    .command("verify")
    .description("walk the hash chain and check the signed checkpoints; names the first broken entry")
    .option("--from <dir|s3-url>", "where the checkpoints are: a directory or s3://bucket[/prefix][?endpoint=…] (default CS_AGENTS_AUDIT_CHECKPOINT_URL, else CS_AGENTS_AUDIT_CHECKPOINT_DIR)")
    .option("--dir <dir>", "checkpoint directory (the older form of --from)")
    .option("--key <file>", "Ed25519 private key PEM (default CS_AGENTS_AUDIT_SIGNING_KEY_FILE)")
    .option("--public-key <file>", "verify checkpoints with this Ed25519 public key PEM instead")
    .option("--json", "print the verdict as JSON")
    .action(async (options: Parameters<typeof auditVerifyCommand>[1]) => setExit(await auditVerifyCommand(context(), options)));
  audit
    .command("checkpoint")
    .description("sign the newest entry with the Ed25519 key and write it outside the database")
    .option("--to <dir|s3-url>", "where to write: a directory or s3://bucket[/prefix][?endpoint=…] (default CS_AGENTS_AUDIT_CHECKPOINT_URL, else CS_AGENTS_AUDIT_CHECKPOINT_DIR)")
    .option("--dir <dir>", "checkpoint directory (the older form of --to)")
    .option("--key <file>", "Ed25519 private key PEM (default CS_AGENTS_AUDIT_SIGNING_KEY_FILE)")
    .option("--json", "print {seq, hash, path} as JSON; path is the file or the s3:// object")
    .action(async (options: Parameters<typeof auditCheckpointCommand>[1]) => setExit(await auditCheckpointCommand(context(), options)));

  program
    .command("backup")
    .description("copy the SQLite store to a new file while workers keep running (online backup, checked), and its artifact folder beside it")
    .argument("<file>", "the backup to write; never overwritten")
    .option("--json", "print {path, bytes, pages, runs, unfinishedRuns, elapsedMs} as JSON")
    .action(async (file: string, options: { json?: boolean }) => setExit(await backupCommand(context(), file, options)));

  program
    .command("migrate")
    .description("apply the store's schema migrations")
    .action(async () => setExit(await migrateCommand(context())));

  program
    .command("decide")
    .description("settle an ambiguous step (a non-idempotent tool cut off mid-call)")
    .argument("<run-id>", "the run")
    .argument("<step-key>", "the step, as `status` shows it, e.g. subtask/send/call/0")
    .option("--retry", "call the tool again")
    .option("--done <json>", "the call took effect; use this JSON as its result")
    .option("--fail <reason>", "fail the step, and so the run")
    .action(async (id: string, step: string, options: { retry?: boolean; done?: string; fail?: string }) => setExit(await decideCommand(context(), id, step, options)));

  program
    .command("fork")
    .description("fork a run from one of its steps: a new run with the run's journal up to the step, the rest executed again")
    .argument("<run-id>", "the run to fork")
    .argument("<step-key>", "the step to fork from, a key of the run's journal (GET /v1/tasks/<id>/steps), e.g. subtask/fetch/call/0, subtask/fetch/done or plan")
    .option("--output <json>", "record the step with this result instead of executing it again (a tool's output, a subtask's output, a plan, an answer)")
    .option("--input <json>", "the fork's task input, replacing the run's, e.g. '{\"quarter\":\"2024Q2\"}'")
    .option("--server <url>", "fork through this cs-agents API instead of the store (default: CS_AGENTS_SERVER)")
    .option("--token <token>", "bearer token for --server (default: CS_AGENTS_TOKEN)")
    .action(async (id: string, step: string, options: { output?: string; input?: string; server?: string; token?: string }) => setExit(await (await import("./commands/fork.js")).forkCommand(context(), id, step, options)));

  program
    .command("answer")
    .description("answer a question a tool asked (a run waiting_input); the answer must fit the question's schema")
    .argument("<run-id>", "the run")
    .argument("<step-key>", "the question, as `status` shows it, e.g. subtask/book/input/0")
    .requiredOption("--json <answer>", "the answer as JSON, e.g. '{\"seat\":\"12C\"}'")
    .option("--server <url>", "answer through this cs-agents API instead of the store (default: CS_AGENTS_SERVER)")
    .option("--token <token>", "bearer token for --server (default: CS_AGENTS_TOKEN)")
    .action(async (id: string, step: string, options: { json?: string; server?: string; token?: string }) => setExit(await (await import("./commands/answer.js")).answerCommand(context(), id, step, options)));

  program
    .command("approve")
    .description("approve a sensitive tool call waiting for a person (its arguments as `status` shows them)")
    .argument("<run-id>", "the run")
    .argument("<step-key>", "the approval step, e.g. subtask/pay/approval/0")
    .action(async (id: string, step: string) => setExit(await approvalCommand(context(), id, step, true, {})));

  program
    .command("deny")
    .description("deny a sensitive tool call waiting for a person; the call fails with APPROVAL_DENIED")
    .argument("<run-id>", "the run")
    .argument("<step-key>", "the approval step, e.g. subtask/pay/approval/0")
    .option("--reason <text>", "why, recorded with the decision")
    .action(async (id: string, step: string, options: { reason?: string }) => setExit(await approvalCommand(context(), id, step, false, options)));

  program
    .command("prune")
    .description("delete finished runs past the retention")
    .option("--older-than-days <days>", "default CS_AGENTS_RETENTION_DAYS")
    .option("--keep <n>", "keep the newest n finished runs (default CS_AGENTS_RETENTION_MAX_RUNS)")
    .action(async (options: { olderThanDays?: string; keep?: string }) => setExit(await pruneCommand(context(), options)));

  program
    .command("plan")
    .description("show the plan for a task without running it")
    .argument("<task>", "the task in plain words")
    .option("--json", "print the plan as JSON")
    .action(async (task: string, options: { json?: boolean }) => setExit(await planCommand(context(), task, options)));

  program
    .command("tools")
    .description("list the registered tools")
    .option("--json", "print as JSON")
    .action(async (options: { json?: boolean }) => setExit(await listTools(context(), options)));

  program
    .command("agents")
    .description("list the registered agents")
    .option("--json", "print as JSON")
    .action(async (options: { json?: boolean }) => setExit(await listAgents(context(), options)));

  program
    .command("doctor")
    .description("check the configuration: the store, migrations, plugins, Redis, the LLM endpoint and MCP servers; exit 1 on any failure")
    .option("--json", "print {ok, checks: [{name, status, detail}]} as JSON")
    .action(async (options: { json?: boolean }) => setExit(await doctorCommand(io, program.opts<{ plugin: string[] }>().plugin ?? [], options)));

  return program;
}

async function buildRuntime(io: CliIo, config: Config, pluginPaths: readonly string[], onBatch: (tool: string, size: number) => void): Promise<Runtime> {
  const plugins = await loadPlugins(pluginPaths);
  const cache = await openToolCache({
    maxEntries: config.CS_AGENTS_CACHE_MAX_ENTRIES,
    maxMegabytes: config.CS_AGENTS_CACHE_MAX_MB,
    redisUrl: config.REDIS_URL,
    onError: (error) => io.stderr.write(`warning: tool cache: ${error.message}\n`),
  });
  let mcp: McpToolset | undefined;
  try {
    if (config.CS_AGENTS_MCP_SERVERS.length > 0) {
      // Loaded only when configured: the MCP SDK costs ~0.3 s to load.
      const { connectMcpServers } = await import("../mcp/index.js");
      mcp = await connectMcpServers(config.CS_AGENTS_MCP_SERVERS, {
        onStateChange: (state, server, error) => {
          if (state === "down") io.stderr.write(`warning: MCP server "${server}" is down (${error?.message ?? "no reason"}); reconnecting\n`);
        },
        onToolsChange: (server, change, error) => {
          if (error) io.stderr.write(`warning: MCP server "${server}" changed its tools and listing them again failed (${error.message})\n`);
          if (change?.removed.length) io.stderr.write(`warning: MCP server "${server}" no longer offers ${change.removed.join(", ")}: calls to them fail with MCP_TOOL_REMOVED\n`);
          if (change?.added.length) io.stderr.write(`warning: MCP server "${server}" now offers ${change.added.join(", ")}: restart cs-agents to register them\n`);
        },
      });
      for (const [server, error] of mcp.skipped) {
        io.stderr.write(`warning: MCP server "${server}" (required: false) did not answer, its tools are left out until the next start: ${error.message}\n`);
      }
    }
    const llm = llmSettingsFromConfig(config);
    return createRuntime({
      plugins,
      maxConcurrency: config.CS_AGENTS_MAX_CONCURRENCY,
      budget: runBudgetFromConfig(config),
      onBatch,
      ...(cache ? { cache } : {}),
      ...(llm ? { llm } : {}),
      ...(mcp ? { mcp } : {}),
    });
  } catch (error) {
    // Nothing else will close what was opened for a runtime that was never built.
    await Promise.all([mcp?.close(), cache?.close()]);
    throw error;
  }
}

/** The version in package.json, found next to the built code (dist/cli → the package root). */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
  return typeof manifest.version === "string" ? manifest.version : "unknown";
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
