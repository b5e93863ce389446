import { newRunId } from "../../src/core/index.js";
import type { FencedLedger } from "../../src/demo/payments/index.js";
import { Worker, type RunEnd } from "../../src/engine/index.js";
import { openStore, type ServiceStore } from "../../src/store/index.js";
import type { FencingToken } from "../../src/tools/index.js";
import { startTcpProxy } from "../support/tcp-proxy.js";
import { loggedLedger, PAY_STEP, paymentEngine } from "./payment-engine.js";

const LEASE_MS = 2_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(25);
  }
}

export interface PartitionResult {
  readonly ledger: FencedLedger & { readonly calls: readonly { token: FencingToken; outcome: string }[] };
  /** The epoch of worker A's lease. */
  readonly zombieEpoch: number;
  /** Calls worker A's tool started (after the partition healed, if any). */
  readonly zombieCalls: readonly FencingToken[];
  readonly zombieEnd: RunEnd | undefined;
  readonly status: string | undefined;
  /** From the partition's start to the run waiting for a decision on the payment. */
  readonly ambiguousMs: number;
  /** Server-to-client bytes the partition held back from worker A. */
  readonly heldBytes: number;
}

/**
 * The first reproduction, in one process: worker A reaches PostgreSQL through a proxy
 * that partitions it right after A sends the intent of the payment (the intent commits, its reply
 * and A's heartbeats are held). Worker B, connected directly, reclaims the run after the 2 s
 * lease and finds the payment ambiguous; the ledger shows no payment, so the operator decides
 * `--retry` and B pays. Then the partition heals and A gets its replies, late.
 *
 * `deadlineCheck: false` gives A a clock that never moves, so its lease deadline never passes:
 * the worker as it was before the deadline existed.
 */
export async function partitionedPayment(databaseUrl: string, options: { readonly deadlineCheck: boolean }): Promise<PartitionResult> {
  const target = new URL(databaseUrl);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const proxied = new URL(databaseUrl);
  proxied.port = String(proxy.port);
  const ledger = loggedLedger();
  const zombieCalls: FencingToken[] = [];
  let zombieEpoch = 0;
  const stores: ServiceStore[] = [];
  let rescuer: Worker | undefined;
  try {
    const direct = await openStore(databaseUrl, { migrate: true });
    stores.push(direct);
    const throughProxy = await openStore(proxied.toString(), { migrate: false });
    stores.push(throughProxy);
    const claim = throughProxy.claim.bind(throughProxy);
    throughProxy.claim = async (request) => {
      const leases = await claim(request);
      zombieEpoch = leases[0]?.epoch ?? zombieEpoch;
      return leases;
    };
    const zombieEngine = paymentEngine(ledger, {
      beforeLedger: (context) => {
        if (context.fencing) zombieCalls.push(context.fencing);
        return Promise.resolve();
      },
    });
    const zombie = new Worker({ store: throughProxy, engine: zombieEngine, workerId: "zombie", leaseMs: LEASE_MS, ...(options.deadlineCheck ? {} : { clock: () => 0 }) });
    rescuer = new Worker({ store: direct, engine: paymentEngine(ledger), workerId: "rescuer", leaseMs: LEASE_MS, pollMs: 50 });

    const { run } = await direct.submit({ description: "pay ACME" }, { runId: newRunId() });
    const partitioned = proxy.partitionAfter(PAY_STEP);
    const zombieDone = zombie.runOne(run.id);
    await partitioned;
    const partitionedAt = performance.now();
    rescuer.start();
    const status = async () => (await direct.get(run.id))?.status;
    await until(async () => (await status()) === "waiting_approval", 20_000, "the rescuer finds the payment ambiguous");
    const ambiguousMs = performance.now() - partitionedAt;
    // The operator checks the ledger: nothing was paid, so the payment is retried.
    if (ledger.payments().length !== 0) throw new Error("a payment was made before the operator decided");
    await direct.decide(run.id, PAY_STEP, { action: "retry" });
    rescuer.wake();
    await until(async () => (await status()) === "succeeded", 20_000, "the rescuer pays and finishes the run");
    const heldBytes = proxy.heldBytes;
    proxy.heal();
    const zombieEnd = await zombieDone;
    return { ledger, zombieEpoch, zombieCalls, zombieEnd, status: await status(), ambiguousMs, heldBytes };
  } finally {
    proxy.heal();
    await rescuer?.stop(1_000);
    for (const store of stores) await store.close();
    await proxy.close();
  }
}
