import { afterEach, beforeEach } from "vitest";
import type { Step } from "../../../src/core/index.js";
import type { Lease, Store } from "../../../src/store/index.js";

export interface StoreFixture {
  readonly store: Store;
  cleanup(): Promise<void>;
}

export type MakeStore = () => Promise<StoreFixture>;

/** A fresh, migrated store for every test; returns the getter the tests use. */
export function useFreshStore(makeStore: MakeStore): () => Store {
  let fixture: StoreFixture | undefined;
  beforeEach(async () => {
    fixture = await makeStore();
  });
  afterEach(async () => {
    await fixture?.cleanup();
    fixture = undefined;
  });
  return () => {
    if (!fixture) throw new Error("the store is only there inside a test");
    return fixture.store;
  };
}

/** Long enough never to expire during a test. */
export const LONG_LEASE_MS = 60_000;
/** Short enough to expire after `waitForExpiry()`. */
export const SHORT_LEASE_MS = 100;

export function waitForExpiry(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, SHORT_LEASE_MS + 60));
}

/** `run-001`, `run-002`, …: ids that sort like their submission order, so ties in time break the same way. */
export function runId(n: number): string {
  return `run-${String(n).padStart(3, "0")}`;
}

/** Submits `count` runs (`run-001` …) oldest first and returns their ids. */
export async function submitRuns(store: Store, count: number, task: { tenant?: string } = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 1; n <= count; n++) {
    const { run } = await store.submit({ description: `task ${n}`, ...task }, { runId: runId(n) });
    ids.push(run.id);
  }
  return ids;
}

export async function claimOne(store: Store, workerId: string, options: { leaseMs?: number; runId?: string; maxCrashes?: number } = {}): Promise<Lease> {
  const { leaseMs = LONG_LEASE_MS, maxCrashes = 3, runId } = options;
  const [lease] = await store.claim({ workerId, leaseMs, limit: 1, maxCrashes, ...(runId === undefined ? {} : { runId }) });
  if (!lease) throw new Error(`${workerId} claimed nothing`);
  return lease;
}

export function step(lease: Lease, key: string, fields: Partial<Step> = {}): Step {
  return { runId: lease.runId, key, kind: "tool_call", status: "succeeded", startedAt: new Date(1_700_000_000_000), ...fields };
}
