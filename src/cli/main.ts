import { Command, CommanderError, Option } from "commander";
import { loadConfig, type Config } from "../config.js";
import { describeError } from "../core/index.js";
import { createRuntime, loadPlugins, type Runtime } from "../runtime/index.js";
import { runCommand } from "./commands/run.js";
import { planCommand } from "./commands/plan.js";
import { listAgents, listTools } from "./commands/list.js";
import { EXIT_OK, EXIT_USAGE, exitCodeFor } from "./exit-codes.js";

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
}

/** Runs the CLI and resolves to the process exit code; never throws, never calls process.exit. */
export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  let exitCode = EXIT_OK;
  const verbose = argv.includes("--verbose");
  const program = buildProgram(io, (code) => (exitCode = code));
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    const { code, message } = describeError(error);
    io.stderr.write(`error: ${message}${code === "INTERNAL" ? "" : ` [${code}]`}\n`);
    if (verbose && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return exitCodeFor(error);
  }
}

function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command("cs-agents")
    .description("Plan a task into subtasks, let agents carry them out with tools, and get the result.")
    .option("--plugin <path>", "load tools, agents and plan templates from a module (repeatable)", collect, [])
    .option("--verbose", "show stack traces of errors")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError("(run with --help for usage)");

  let config: Config | undefined;
  let runtime: Promise<Runtime> | undefined;
  const context = (): CommandContext => {
    config ??= loadConfig(io.env);
    const cfg = config;
    return {
      io,
      config: cfg,
      runtime: () => {
        const paths = [...cfg.CS_AGENTS_PLUGINS, ...(program.opts<{ plugin: string[] }>().plugin ?? [])];
        runtime ??= loadPlugins(paths).then((plugins) => createRuntime({ plugins, maxConcurrency: cfg.CS_AGENTS_MAX_CONCURRENCY }));
        return runtime;
      },
    };
  };

  program
    .command("run")
    .description("plan and run a task now, in this process, and write its report")
    .argument("<task>", 'the task in plain words, e.g. "生成季度财务报告"')
    .option("--out <dir>", "write the report files here (default: <CS_AGENTS_OUT_DIR>/<run id>/)")
    .addOption(new Option("--json", "print the result as JSON instead of progress"))
    .action(async (task: string, options: { out?: string; json?: boolean }) => setExit(await runCommand(context(), task, options)));

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

  return program;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
