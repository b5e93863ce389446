import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "vitest";
import { newRunId } from "../../src/core/ids.js";
import type { Step } from "../../src/core/index.js";
import type { ServiceStore } from "../../src/store/index.js";
import { BIN } from "../cli/spawn-cli.js";
import { Processes, until, type Started } from "../support/processes.js";
import { countBy, logLines } from "./harness.js";

const PLUGIN = fileURLToPath(new URL("./crash-plugin.mjs", import.meta.url));
/** Each "crash test" run makes four idempotent calls: a twice, b once, c once. */
const CALLS_PER_RUN = 4;
const FINAL = new Set(["succeeded", "failed", "cancelled"]);
/** Slow enough that runs are still part-way when the backup process has started. */
const TOOL_DELAY_MS = 1_500;

/** The backup-and-restore drill: runs in flight, a backup, the original lost, the copy resumed. */
export class BackupDrill {
  readonly processes = new Processes();

  constructor(private readonly files: { readonly effects: string; readonly dir: string }) {}

  /** Queues `count` three-subtask runs whose tools append to the shared effects ledger. */
  async submit(store: ServiceStore, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await store.submit({ description: "crash test" }, { runId: newRunId() })).run.id);
    return ids;
  }

  /** Present while the live worker's calls are held (see `hold`); the restored worker ignores it. */
  get #holdFile(): string {
    return join(this.files.dir, "hold");
  }

  /**
   * A real `cs-agents worker` (the CLI) with the crash plugin's slow tools, logging its calls to
   * `callsFile`. `live` workers honour the hold file.
   */
  worker(databaseUrl: string, callsFile: string, live = false): Started {
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: this.files.dir,
      DATABASE_URL: databaseUrl,
      CS_AGENTS_LEASE_MS: "2000",
      CS_AGENTS_LOG_FORMAT: "json",
      TOOL_DELAY_MS: String(TOOL_DELAY_MS),
      CALLS_FILE: callsFile,
      EFFECTS_FILE: this.files.effects,
      ...(live ? { HOLD_FILE: this.#holdFile } : {}),
    };
    return this.processes.start(process.execPath, [BIN, "--plugin", PLUGIN, "worker", "--concurrency", "3"], { cwd: this.files.dir, env }, 240);
  }

  /** Waits for the moment worth a backup: some runs done, several others part-way through. */
  async midFlight(store: ServiceStore, ids: readonly string[]): Promise<void> {
    await until(
      "runs in flight: one finished, two part-way",
      async () => {
        const runs = await Promise.all(ids.map(async (id) => ({ run: await store.get(id), steps: await store.load(id) })));
        const finished = runs.filter(({ run }) => run && FINAL.has(run.status)).length;
        const partWay = runs.filter(({ run, steps }) => run && !FINAL.has(run.status) && doneCalls(steps).length > 0).length;
        return finished >= 1 && partWay >= 2 ? true : undefined;
      },
      60_000,
    );
  }

  /**
   * Holds the live worker's next calls (it keeps heartbeating and recording the calls already in
   * flight) until the store stands still with unfinished runs that have recorded calls: from then
   * on, whatever moment the backup copies holds such runs. Without the hold, a slow backup could
   * start after the part-way runs had finished, and the drill would prove nothing. Runs move in
   * step, so a hold can catch them all just finished; then calls are let through briefly again.
   */
  async hold(store: ServiceStore, ids: readonly string[]): Promise<void> {
    for (let attempt = 0; attempt < 10; attempt++) {
      writeFileSync(this.#holdFile, "");
      const runs = [...(await this.#standStill(store, ids)).values()];
      const unfinished = runs.filter((run) => !FINAL.has(run.status));
      if (unfinished.length >= 2 && unfinished.some((run) => run.done.length > 0)) return;
      rmSync(this.#holdFile);
      await sleep(700);
    }
    throw new Error("the live runs never stood still part-way");
  }

  /** The journal once it has not changed for longer than a call takes. */
  async #standStill(store: ServiceStore, ids: readonly string[]): Promise<Map<string, { status: string; done: string[] }>> {
    let previous = "";
    let since = performance.now();
    for (;;) {
      const now = await this.journal(store, ids);
      const snapshot = JSON.stringify([...now]);
      if (snapshot !== previous) [previous, since] = [snapshot, performance.now()];
      else if (performance.now() - since > TOOL_DELAY_MS + 1_000) return now;
      await sleep(250);
    }
  }

  /** Each run's status and the tool calls its journal holds as done. */
  async journal(store: ServiceStore, ids: readonly string[]): Promise<Map<string, { status: string; done: string[] }>> {
    const entries = await Promise.all(ids.map(async (id) => [id, { status: (await store.get(id))?.status ?? "missing", done: doneCalls(await store.load(id)) }] as const));
    return new Map(entries);
  }

  /** Waits until every run is final in `store`. */
  async allFinished(store: ServiceStore, ids: readonly string[]): Promise<void> {
    await until(
      "every run to finish on the restored store",
      async () => ((await Promise.all(ids.map((id) => store.get(id)))).every((run) => run && FINAL.has(run.status)) ? true : undefined),
      90_000,
    );
  }

  /**
   * What a restore must show: every run succeeded; no call the backup's journal holds as done was
   * made again by the restored worker; every side effect happened exactly once.
   */
  async expectResumed(restored: ServiceStore, backup: Map<string, { status: string; done: string[] }>, restoredCalls: string): Promise<void> {
    const ids = [...backup.keys()];
    for (const id of ids) expect((await restored.get(id))?.status, id).toBe("succeeded");
    const calledAgain = new Set(logLines(restoredCalls).map((line) => line.split(" ")[1]));
    for (const [id, { done }] of backup) for (const key of done) expect(calledAgain.has(`${id}/${key}`), `${id}/${key} was repeated`).toBe(false);
    const effects = countBy(logLines(this.files.effects));
    expect(effects.size).toBe(ids.length * CALLS_PER_RUN);
    expect([...effects.values()].every((n) => n === 1)).toBe(true);
  }
}

function doneCalls(steps: readonly Step[]): string[] {
  return steps.filter((step) => step.kind === "tool_call" && step.status === "succeeded").map((step) => step.key);
}
