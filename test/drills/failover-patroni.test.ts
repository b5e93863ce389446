import { afterAll, describe, expect, it } from "vitest";
import { patroniAvailable, PATRONI_TIMING, startPatroniCluster, type PatroniCluster } from "../support/patroni-cluster.js";
import { scratchDir } from "../support/scratch.js";
import { describeOutage, FailoverDrill, LEASE_MS } from "./failover-drill.js";

const dir = scratchDir("cs-agents-failover-");
let cluster: PatroniCluster | undefined;
let drill: FailoverDrill | undefined;
afterAll(async () => {
  await drill?.close();
  await cluster?.destroy();
});

const timing = `Patroni ttl ${PATRONI_TIMING.ttl} s, loop_wait ${PATRONI_TIMING.loopWait} s; HAProxy check every 500 ms; lease ${LEASE_MS / 1000} s`;

// One cluster and one fleet for both outages, in order: the fleet lives through both without a restart.
describe.runIf(patroniAvailable("database failover drill"))(`database failover drill: Patroni (synchronous replica) + etcd + HAProxy (${timing})`, () => {
  it("kill -9 of the primary's PostgreSQL under load (its Patroni lives): writes resume, nothing acknowledged or committed is lost, no side effect repeats", async () => {
    cluster = await startPatroniCluster();
    drill = await FailoverDrill.start(cluster, dir);
    const report = await drill.outage((leader) => (cluster as PatroniCluster).killPostgres(leader));
    console.log(describeOutage("PostgreSQL killed -9 on the primary", report));
  }, 150_000);

  it("kill -9 of the whole primary node under load (Patroni and PostgreSQL): the synchronous replica takes over, nothing acknowledged or committed is lost, no side effect repeats", async () => {
    if (!cluster || !drill) throw new Error("the first outage did not set up the cluster");
    await cluster.waitForLeader({ withSyncStandby: true });
    const report = await drill.outage((leader) => (cluster as PatroniCluster).killMember(leader));
    expect(report.leaderAfter).not.toBe(report.leaderBefore);
    console.log(describeOutage("primary node killed -9", report));
  }, 150_000);
});
