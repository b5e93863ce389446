import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { expect } from "vitest";
import { FINAL_RUN_STATUSES } from "../../src/core/index.js";
import { openStore, type ServiceStore } from "../../src/store/index.js";
import { BIN } from "../cli/spawn-cli.js";
import { countBy, logLines } from "../crash/harness.js";
import type { PatroniCluster, PatroniMember } from "../support/patroni-cluster.js";
import { Processes, until, type Started } from "../support/processes.js";
import { ReadinessWatch, SubmitLoad } from "./api-load.js";

const PLUGIN = fileURLToPath(new URL("../crash/crash-plugin.mjs", import.meta.url));
/** Each "crash test" run makes four idempotent calls (crash.append): a twice, b once, c once. */
const CALLS_PER_RUN = 4;
export const LEASE_MS = 3_000;
const FINAL: ReadonlySet<string> = FINAL_RUN_STATUSES;
/** Tasks acknowledged before the kill, and again after it, at least. */
const TASKS_EACH_SIDE = 20;

/** A process of the fleet: `cs-agents serve` or `cs-agents worker`, each logging its calls to its own file. */
interface FleetProcess {
  readonly name: string;
  readonly child: Started;
  readonly calls: string;
}

type Journal = Map<string, { status: string; steps: Map<string, string> }>;

/** What one outage measured, in ms from the kill. */
export interface OutageReport {
  readonly leaderBefore: string;
  readonly leaderAfter: string;
  readonly firstWriteMs: number;
  readonly firstAckMs: number;
  readonly notReady: { readonly fromMs: number; readonly toMs: number };
  readonly acknowledged: number;
  readonly refused: ReadonlyMap<string, number>;
  readonly stepsAtKill: number;
  readonly callsMadeAgain: number;
}

/**
 * The fleet of the failover drill on a Patroni cluster: `cs-agents serve` (two in-process
 * workers) and two `cs-agents worker` processes, all through HAProxy, the crash plugin's
 * idempotent ledger tools slowed to 300 ms a call. It lives through every outage of the test
 * file without a restart.
 */
export class FailoverDrill {
  readonly #processes = new Processes();
  readonly #effects: string;
  readonly #acknowledged: string[] = [];
  #fleet: FleetProcess[] = [];
  #base = "";
  #outages = 0;

  private constructor(
    private readonly cluster: PatroniCluster,
    private readonly dir: string,
    private readonly store: ServiceStore,
    private readonly admin: pg.Pool,
  ) {
    this.#effects = join(dir, "effects.log");
  }

  static async start(cluster: PatroniCluster, dir: string): Promise<FailoverDrill> {
    const store = await openStore(cluster.url, { migrate: true });
    const admin = new pg.Pool({ connectionString: cluster.url, connectionTimeoutMillis: 1_000, max: 2 });
    admin.on("error", () => undefined);
    await admin.query("create table drill_probe (at timestamptz not null default now())");
    const drill = new FailoverDrill(cluster, dir, store, admin);
    const serve = drill.#startProcess("serve", ["serve", "--port", "0", "--workers", "2"]);
    drill.#fleet = [serve, drill.#startProcess("worker1", ["worker", "--concurrency", "3"]), drill.#startProcess("worker2", ["worker", "--concurrency", "3"])];
    drill.#base = await until("serve to listen", async () => /listening on (http:\/\/[^\s"]+)/.exec(serve.child.output())?.[1], 60_000);
    return drill;
  }

  async close(): Promise<void> {
    await this.#processes.stopAll();
    await this.admin.end().catch(() => undefined);
    await this.store.close();
  }

  #startProcess(name: string, command: readonly string[]): FleetProcess {
    const calls = join(this.dir, `calls-${name}.log`);
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: this.dir,
      DATABASE_URL: this.cluster.url,
      CS_AGENTS_AUTH: "off",
      CS_AGENTS_RATE_LIMIT_PER_MINUTE: "0",
      CS_AGENTS_MAX_ACTIVE_RUNS_PER_TENANT: "100000",
      CS_AGENTS_LEASE_MS: String(LEASE_MS),
      CS_AGENTS_LOG_FORMAT: "json",
      TOOL_DELAY_MS: "300",
      CALLS_FILE: calls,
      EFFECTS_FILE: this.#effects,
    };
    return { name, calls, child: this.#processes.start(process.execPath, [BIN, "--plugin", PLUGIN, ...command], { cwd: this.dir, env }, 300) };
  }

  /**
   * Under load, `kill` takes the primary down; then this waits for the cluster to write again
   * and checks what must hold: no acknowledged task or committed journal step lost, no call the
   * journal held as done made again, every side effect once, only 503s while it was away,
   * `/readyz` false and back, every fleet process working again without a restart.
   */
  async outage(kill: (leader: PatroniMember) => Promise<void>): Promise<OutageReport> {
    const load = new SubmitLoad(this.#base, "crash test", 200, `outage${++this.#outages}`);
    const readiness = new ReadinessWatch(this.#base);
    load.start(2);
    readiness.start();
    try {
      await until(
        "runs in flight on every process of the fleet",
        async () => {
          const runs = [...(await this.#journal([...load.acknowledged.values()])).values()];
          const finished = runs.filter((r) => FINAL.has(r.status)).length;
          const partWay = runs.filter((r) => !FINAL.has(r.status) && [...r.steps.values()].includes("succeeded")).length;
          return load.acknowledged.size >= TASKS_EACH_SIDE && finished >= 3 && partWay >= 2 && this.#fleet.every((p) => logLines(p.calls).length > 0) ? true : undefined;
        },
        90_000,
      );

      // What the primary has committed (and so, synchronously, its replica) just before it dies.
      const atKill = await this.#journal([...load.acknowledged.values()]);
      const callsAtKill = new Map(this.#fleet.map((p) => [p.name, logLines(p.calls).length]));
      const acknowledgedAtKill = load.acknowledged.size;
      const leaderBefore = await this.cluster.leader();
      const killedAt = performance.now();
      await kill(leaderBefore);

      const writtenAt = await firstWrite(this.cluster.url);
      const firstAck = await until("a task acknowledged after the outage", async () => load.answers.find((a) => a.at > writtenAt && a.status === 202)?.at, 60_000);
      const notReady = await until("/readyz to fail and come back", async () => readiness.notReadySpan(killedAt), 60_000);
      // Every process of the fleet, without a restart, makes calls again, and as many tasks again are acknowledged.
      await until(
        "every fleet process to work after the outage",
        async () => (load.acknowledged.size >= acknowledgedAtKill + TASKS_EACH_SIDE && this.#fleet.every((p) => logLines(p.calls).length - (callsAtKill.get(p.name) ?? 0) >= 2) ? true : undefined),
        90_000,
      );
      await load.stop();
      await readiness.stop();
      const leaderAfter = await this.cluster.leader();

      this.#acknowledged.push(...load.acknowledged.values());
      const ids = this.#acknowledged;
      await until("every acknowledged task to finish", async () => ((await Promise.all(ids.map((id) => this.store.get(id)))).every((r) => r && FINAL.has(r.status)) ? true : undefined), 90_000);
      const after = await this.#journal(ids);

      // 0 acknowledged submissions lost, none doubled by the retries, all finished.
      for (const id of ids) expect(after.get(id)?.status, id).toBe("succeeded");
      const { rows } = await this.admin.query<{ n: string }>("select count(*) as n from runs");
      expect(Number(rows[0]?.n)).toBe(ids.length);
      // While the database was away the API answered 503 (or the connection failed), never a 500.
      const refused = countBy(load.answers.filter((a) => a.status !== 202).map((a) => `${a.status}${a.code ? ` ${a.code}` : ""}`));
      expect([...refused.keys()].filter((answer) => !answer.startsWith("503 ") && answer !== "network"), this.#fleet[0]?.child.output().slice(-3_000)).toEqual([]);

      // 0 journal steps lost: every step committed before the kill is still there, as it was or further on.
      let stepsAtKill = 0;
      for (const [id, { steps }] of atKill) {
        for (const [key, status] of steps) {
          stepsAtKill++;
          const now = after.get(id)?.steps.get(key);
          expect(now, `${id} ${key}`).toBeDefined();
          if (status === "succeeded") expect(now, `${id} ${key}`).toBe("succeeded");
        }
      }
      // …so no call the journal held as done was made again after the kill.
      const doneAtKill = new Set([...atKill].flatMap(([id, { steps }]) => [...steps].filter(([key, status]) => status === "succeeded" && key.includes("/call/")).map(([key]) => `${id}/${key}`)));
      const keysOf = (lines: readonly string[]) => lines.map((line) => line.split(" ")[1] ?? "");
      const callsAfter = this.#fleet.flatMap((p) => keysOf(logLines(p.calls).slice(callsAtKill.get(p.name))));
      expect(callsAfter.filter((key) => doneAtKill.has(key))).toEqual([]);
      // 0 duplicate side effects: each idempotent call's effect happened exactly once.
      const effects = countBy(logLines(this.#effects));
      expect(effects.size).toBe(ids.length * CALLS_PER_RUN);
      expect([...effects].filter(([, n]) => n !== 1)).toEqual([]);
      // The fleet reconnected by itself: no process exited.
      for (const p of this.#fleet) expect([p.name, p.child.exitCode, p.child.signalCode]).toEqual([p.name, null, null]);

      const callsBefore = new Set(this.#fleet.flatMap((p) => keysOf(logLines(p.calls).slice(0, callsAtKill.get(p.name)))));
      return {
        leaderBefore: leaderBefore.name,
        leaderAfter: leaderAfter.name,
        firstWriteMs: writtenAt - killedAt,
        firstAckMs: firstAck - killedAt,
        notReady: { fromMs: notReady.from - killedAt, toMs: notReady.to - killedAt },
        acknowledged: load.acknowledged.size,
        refused,
        stepsAtKill,
        callsMadeAgain: callsAfter.filter((key) => callsBefore.has(key)).length,
      };
    } finally {
      await load.stop();
      await readiness.stop();
    }
  }

  /** Each run's status and its journal: step key → status. */
  async #journal(ids: readonly string[]): Promise<Journal> {
    const entries = await Promise.all(
      ids.map(async (id) => [id, { status: (await this.store.get(id))?.status ?? "missing", steps: new Map((await this.store.load(id)).map((s) => [s.key, s.status])) }] as const),
    );
    return new Map(entries);
  }
}

/** The first write that commits through HAProxy, each attempt on a new connection. */
async function firstWrite(url: string): Promise<number> {
  return until(
    "a write through HAProxy to commit",
    async () => {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000, query_timeout: 2_000 });
      try {
        await client.connect();
        await client.query("insert into drill_probe default values");
        return performance.now();
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    90_000,
  );
}

/** One line for the test's output. */
export function describeOutage(what: string, report: OutageReport): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const refused = [...report.refused].map(([answer, n]) => `${n} × ${answer}`).join(", ") || "none";
  return (
    `${what}: ${report.leaderBefore} → ${report.leaderAfter} leads; first write through HAProxy after ${s(report.firstWriteMs)}, first 202 after ${s(report.firstAckMs)}; ` +
    `/readyz not ready from ${s(report.notReady.fromMs)} to ${s(report.notReady.toMs)} (${s(report.notReady.toMs - report.notReady.fromMs)}); ` +
    `${report.acknowledged} tasks acknowledged, 0 lost; refused and retried: ${refused}; ${report.stepsAtKill} journal steps at the kill, 0 lost; ` +
    `0 duplicate side effects; ${report.callsMadeAgain} uncommitted calls made again (idempotent, deduplicated by key)`
  );
}
