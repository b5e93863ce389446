import { join } from "node:path";
import { expect, it } from "vitest";
import { newRunId } from "../../src/core/index.js";
import { openStore } from "../../src/store/index.js";
import type { Store } from "../../src/store/index.js";
import { scratchDir } from "../support/scratch.js";
import { countBy, logLines, startWorker, untilStatus } from "./harness.js";

/**
 * kill -9 around a child run, for any store. The parent "crash child" is a → kid (a child run:
 * k sends once, not idempotent, then appends) → c, on one-slot workers. Killed during the child's
 * send (after its effect, before its result), the child's intent makes the call ambiguous: a
 * person settles it and the child and its parent finish. Killed right after the child was
 * submitted but before the parent recorded it, a fresh worker finds the same child by its key.
 * Either way: every effect once, one child run.
 */
export function describeChildCrash(databaseUrl: () => Promise<string>): void {
  it.each(["effect-after:subtask/k/call/0", "child-submitted"])("killed at %s: a fresh worker finishes, every effect once, one child run", async (point) => {
    const dir = scratchDir("cs-agents-child-crash-");
    const url = await databaseUrl();
    const files = { calls: join(dir, "calls.log"), effects: join(dir, "effects.log") };
    const env = { DATABASE_URL: url, CALLS_FILE: files.calls, EFFECTS_FILE: files.effects, LEASE_MS: "1000", CONCURRENCY: "1" };
    const parentId = newRunId();
    const store = await openStore(url, { migrate: true });
    let childId = "";
    try {
      await store.submit({ description: "crash child" }, { runId: parentId });
      const crashed = await startWorker(["worker"], { ...env, CRASH_AT: point }).done;
      expect(crashed.signal, crashed.stderr).toBe("SIGKILL");

      const fresh = startWorker(["worker"], env);
      try {
        if (point.startsWith("effect-after:")) {
          // The child's send may have happened: its intent is found, the call is ambiguous, a person settles it.
          childId = await onlyChild(store, parentId);
          await untilStatus(store, childId, "waiting_approval");
          await store.decide(childId, "subtask/k/call/0", { action: "done", output: { item: "k-0", done: true } });
        }
        await untilStatus(store, parentId, "succeeded");
      } finally {
        fresh.child.kill("SIGTERM");
        await fresh.done;
      }
      childId = await onlyChild(store, parentId);
      expect((await store.get(childId))?.status).toBe("succeeded");
      expect((await store.load(parentId)).find((s) => s.key === "subtask/kid/child/0")).toMatchObject({ status: "succeeded", output: { runId: childId } });
    } finally {
      await store.close();
    }

    const effects = countBy(logLines(files.effects));
    const expected = [`crash.append ${parentId}/subtask/a/call/0`, `crash.send ${childId}/subtask/k/call/0`, `crash.append ${childId}/subtask/k/call/1`, `crash.append ${parentId}/subtask/c/call/0`];
    expect([...effects.keys()].sort()).toEqual(expected.sort());
    expect([...effects.values()].every((n) => n === 1)).toBe(true);
    // The send, which cannot deduplicate, was called once: after the kill, its intent stopped a second call.
    expect(logLines(files.calls).filter((l) => l.startsWith("crash.send"))).toHaveLength(1);
  }, 120_000);
}

async function onlyChild(store: Store, parentId: string): Promise<string> {
  for (let i = 0; i < 400; i++) {
    const children = await store.children(parentId);
    expect(children.length).toBeLessThanOrEqual(1);
    if (children[0]) return children[0].id;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${parentId} has no child run`);
}
