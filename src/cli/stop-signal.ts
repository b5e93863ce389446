import { readFileSync } from "node:fs";

/** Why a long-running command (`serve`, `worker`) began to drain. */
export type StopReason = "SIGTERM" | "SIGINT" | "parent exited";

const POLL_MS = 1_000;

/**
 * Resolves when the process is asked to stop: SIGTERM, SIGINT, or — when npm started it
 * (`npx cs-agents serve &`, `npm start -- worker`) — when that npm process is gone.
 *
 * Why the last one: `kill <pid of npx>` stops npm, whose `sh -c` dies with it, but the signal
 * never reaches node; the server would keep serving, re-parented to PID 1. Outside npm (a
 * supervisor, a container, `nohup`) the parent is left alone: outliving it may be the point.
 */
export function waitForStop(env: Readonly<Record<string, string | undefined>>): Promise<StopReason> {
  return new Promise((resolve) => {
    const watched = startedByNpm(env) ? npmAncestors() : [];
    const firstParent = process.ppid;
    let timer: NodeJS.Timeout | undefined;
    const stop = (reason: StopReason) => {
      clearInterval(timer);
      process.off("SIGTERM", onTerm);
      process.off("SIGINT", onInt);
      resolve(reason);
    };
    const onTerm = () => stop("SIGTERM");
    const onInt = () => stop("SIGINT");
    process.once("SIGTERM", onTerm);
    process.once("SIGINT", onInt);
    // Re-parented to init before this ran: npm is already gone.
    if (watched.length > 0 && firstParent <= 1) return stop("parent exited");
    if (watched.length > 0) {
      timer = setInterval(() => {
        if (process.ppid !== firstParent || !watched.every(isAlive)) stop("parent exited");
      }, POLL_MS);
      // The watch alone must not keep a finished process alive.
      timer.unref();
    }
  });
}

/** npm exports `npm_command` (exec, run-script, start, …) to what it runs. */
function startedByNpm(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(env.npm_command ?? env.npm_lifecycle_event);
}

/**
 * The parent, and on Linux every ancestor up to and including the npm process (npm runs
 * commands through `sh -c`, and after `kill -9` of npm that shell lives on, waiting).
 */
function npmAncestors(): number[] {
  const chain = [process.ppid];
  let pid = process.ppid;
  for (let depth = 0; depth < 3 && !commandName(pid).startsWith("npm"); depth++) {
    const parent = parentOf(pid);
    if (parent === undefined || parent <= 1) return [process.ppid];
    chain.push(parent);
    pid = parent;
  }
  return commandName(pid).startsWith("npm") ? chain : [process.ppid];
}

function commandName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
