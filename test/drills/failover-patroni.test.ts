import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { FINAL_RUN_STATUSES } from "../../src/core/index.js";
import { openStore, type ServiceStore } from "../../src/store/index.js";
import { BIN } from "../cli/spawn-cli.js";
import { countBy, logLines } from "../crash/harness.js";
import { patroniAvailable, PATRONI_TIMING, startPatroniCluster, type PatroniCluster } from "../support/patroni-cluster.js";
import { Processes, until, type Started } from "../support/processes.js";
import { scratchDir } from "../support/scratch.js";
import { ReadinessWatch, SubmitLoad } from "./api-load.js";

const PLUGIN = fileURLToPath(new URL("../crash/crash-plugin.mjs", import.meta.url));
/** Each "crash test" run makes four idempotent calls (crash.append): a twice, b once, c once. */
const CALLS_PER_RUN = 4;
const LEASE_MS = 3_000;
/** Tasks acknowledged before the kill, and again after the failover, at least. */
const TASKS_EACH_SIDE = 20;
const FINAL: ReadonlySet<string> = FINAL_RUN_STATUSES;

const dir = scratchDir("cs-agents-failover-");
const effects = join(dir, "effects.log");
const processes = new Processes();
let cluster: PatroniCluster | undefined;
afterAll(async () => {
  await processes.stopAll();
  await cluster?.destroy();
});

/** A process of the fleet: `cs-agents serve` or `cs-agents worker`, each logging its calls to its own file. */
interface FleetProcess {
  readonly name: string;
  readonly child: Started;
  readonly calls: string;
}

function startFleetProcess(name: string, databaseUrl: string, command: readonly string[]): FleetProcess {
  const calls = join(dir, `calls-${name}.log`);
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    DATABASE_URL: databaseUrl,
    CS_AGENTS_AUTH: "off",
    CS_AGENTS_RATE_LIMIT_PER_MINUTE: "0",
    CS_AGENTS_MAX_ACTIVE_RUNS_PER_TENANT: "100000",
    CS_AGENTS_LEASE_MS: String(LEASE_MS),
    CS_AGENTS_LOG_FORMAT: "json",
    TOOL_DELAY_MS: "300",
    CALLS_FILE: calls,
    EFFECTS_FILE: effects,
  };
  return { name, calls, child: processes.start(process.execPath, [BIN, "--plugin", PLUGIN, ...command], { cwd: dir, env }, 240) };
}

/** Each run's status and its journal: step key → status. */
async function journal(store: ServiceStore, ids: readonly string[]): Promise<Map<string, { status: string; steps: Map<string, string> }>> {
  const entries = await Promise.all(
    ids.map(async (id) => [id, { status: (await store.get(id))?.status ?? "missing", steps: new Map((await store.load(id)).map((s) => [s.key, s.status])) }] as const),
  );
  return new Map(entries);
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

describe.runIf(patroniAvailable("database failover drill"))("database failover drill: Patroni (synchronous replica) + etcd + HAProxy", () => {
  it("kill -9 of the primary node under load: a replica takes over, no acknowledged task or journal step is lost, no side effect repeats, the fleet reconnects by itself", async () => {
    cluster = await startPatroniCluster();
    const store = await openStore(cluster.url, { migrate: true });
    const admin = new pg.Pool({ connectionString: cluster.url, connectionTimeoutMillis: 1_000, max: 2 });
    admin.on("error", () => undefined);
    await admin.query("create table drill_probe (at timestamptz not null default now())");

    const serve = startFleetProcess("serve", cluster.url, ["serve", "--port", "0", "--workers", "2"]);
    const fleet = [serve, startFleetProcess("worker1", cluster.url, ["worker", "--concurrency", "3"]), startFleetProcess("worker2", cluster.url, ["worker", "--concurrency", "3"])];
    const base = await until("serve to listen", async () => /listening on (http:\/\/[^\s"]+)/.exec(serve.child.output())?.[1], 60_000);

    const load = new SubmitLoad(base, "crash test", 200);
    const readiness = new ReadinessWatch(base);
    load.start(2);
    readiness.start();
    try {
      // Runs in flight: some finished, several part-way with calls recorded.
      await until(
        "runs in flight on every member of the fleet",
        async () => {
          const now = await journal(store, [...load.acknowledged.values()]);
          const runs = [...now.values()];
          const finished = runs.filter((r) => FINAL.has(r.status)).length;
          const partWay = runs.filter((r) => !FINAL.has(r.status) && [...r.steps.values()].includes("succeeded")).length;
          return load.acknowledged.size >= TASKS_EACH_SIDE && finished >= 3 && partWay >= 2 && fleet.every((p) => logLines(p.calls).length > 0) ? true : undefined;
        },
        90_000,
      );

      // What the primary has committed (and so, synchronously, the replica) just before it dies.
      const atKill = await journal(store, [...load.acknowledged.values()]);
      const callsAtKill = new Map(fleet.map((p) => [p.name, logLines(p.calls).length]));
      const acknowledgedAtKill = load.acknowledged.size;
      const oldLeader = await cluster.leader();
      const killedAt = performance.now();
      await cluster.killMember(oldLeader);

      const writtenAt = await firstWrite(cluster.url);
      const newLeader = await cluster.waitForLeader({ not: oldLeader.name });
      const firstAck = await until("a task acknowledged after the failover", async () => load.answers.find((a) => a.at > writtenAt && a.status === 202)?.at, 60_000);
      const notReady = await until("/readyz to fail and come back", async () => readiness.notReadySpan(killedAt), 60_000);
      // Every process of the fleet, without a restart, makes calls on the new primary, and as many tasks again are acknowledged.
      await until(
        "every fleet process to work after the failover",
        async () => (load.acknowledged.size >= acknowledgedAtKill + TASKS_EACH_SIDE && fleet.every((p) => logLines(p.calls).length - (callsAtKill.get(p.name) ?? 0) >= 2) ? true : undefined),
        90_000,
      );
      await load.stop();
      await readiness.stop();

      const ids = [...load.acknowledged.values()];
      await until("every acknowledged task to finish", async () => ((await Promise.all(ids.map((id) => store.get(id)))).every((r) => r && FINAL_RUN_STATUSES.has(r.status)) ? true : undefined), 90_000);
      const after = await journal(store, ids);

      // 0 acknowledged submissions lost, none doubled by the retries, all finished.
      for (const id of ids) expect(after.get(id)?.status, id).toBe("succeeded");
      const { rows } = await admin.query<{ n: string }>("select count(*) as n from runs");
      expect(Number(rows[0]?.n)).toBe(ids.length);
      // While the database was away the API answered 503 (or the connection failed), never a 500.
      const refused = countBy(load.answers.filter((a) => a.status !== 202).map((a) => `${a.status}${a.code ? ` ${a.code}` : ""}`));
      expect([...refused.keys()].filter((answer) => !answer.startsWith("503 ") && answer !== "network"), serve.child.output().slice(-3_000)).toEqual([]);

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
      // …so no call the journal held as done was made again after the failover.
      const doneAtKill = new Set([...atKill].flatMap(([id, { steps }]) => [...steps].filter(([key, status]) => status === "succeeded" && key.includes("/call/")).map(([key]) => `${id}/${key}`)));
      const callsAfter = fleet.flatMap((p) => logLines(p.calls).slice(callsAtKill.get(p.name)).map((line) => line.split(" ")[1] ?? ""));
      expect(callsAfter.filter((key) => doneAtKill.has(key))).toEqual([]);
      // 0 duplicate side effects: each idempotent call's effect happened exactly once.
      const effectCounts = countBy(logLines(effects));
      expect(effectCounts.size).toBe(ids.length * CALLS_PER_RUN);
      expect([...effectCounts].filter(([, n]) => n !== 1)).toEqual([]);
      // The fleet reconnected by itself: no process exited.
      for (const p of fleet) expect([p.name, p.child.exitCode, p.child.signalCode]).toEqual([p.name, null, null]);

      const callsBefore = new Set(fleet.flatMap((p) => logLines(p.calls).slice(0, callsAtKill.get(p.name)).map((line) => line.split(" ")[1] ?? "")));
      const repeated = callsAfter.filter((key) => callsBefore.has(key)).length;
      const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      console.log(
        `failover drill (Patroni ttl ${PATRONI_TIMING.ttl} s, loop_wait ${PATRONI_TIMING.loopWait} s, HAProxy check 500 ms, lease ${LEASE_MS / 1000} s): ` +
          `${oldLeader.name} killed -9 → ${newLeader.name} leads; first write through HAProxy after ${s(writtenAt - killedAt)}, first 202 after ${s(firstAck - killedAt)}; ` +
          `/readyz not ready from ${s(notReady.from - killedAt)} to ${s(notReady.to - killedAt)} after the kill (${s(notReady.to - notReady.from)}); ${ids.length} tasks acknowledged, 0 lost, ${[...refused].map(([k, n]) => `${n} × ${k}`).join(", ") || "no"} refused attempts retried; ` +
          `${stepsAtKill} journal steps at the kill, 0 lost; ${effectCounts.size} side effects, 0 duplicates; ${repeated} uncommitted calls made again (idempotent, deduplicated by key)`,
      );
    } finally {
      await load.stop();
      await readiness.stop();
      await admin.end().catch(() => undefined);
      await store.close();
    }
  }, 180_000);
});
