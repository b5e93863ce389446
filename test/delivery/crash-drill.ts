import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { WebhookDeliverer } from "../../src/delivery/index.js";
import { openStore } from "../../src/store/index.js";
import { startReceiver } from "./receiver.js";

const CHILD = fileURLToPath(new URL("./crash-deliverer.mjs", import.meta.url));
const SECRET = "whsec_crash_0123456789abcdef";

/**
 * A finished run's webhook; a deliverer process sends it and is killed with SIGKILL while the
 * receiver holds its answer; a new deliverer on a new connection to the same store (`url`) must
 * send the same Webhook-Id again, and it is delivered: at least once, never lost.
 */
export async function crashMidDelivery(url: string): Promise<void> {
  const receiver = await startReceiver(SECRET, ["hold"]);
  const setup = await openStore(url);
  try {
    await setup.submit({ description: "生成季度财务报告", tenant: "acme", callbackUrl: receiver.url }, { runId: "run-1" });
    const [lease] = await setup.claim({ workerId: "w1", leaseMs: 60_000, limit: 1, maxCrashes: 3 });
    if (!lease) throw new Error("nothing claimed");
    await setup.transition(lease, { status: "succeeded", result: { subtasks: {}, artifacts: [], output: "done" } });
  } finally {
    await setup.close();
  }

  const child = spawn(process.execPath, [CHILD, url, SECRET], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code)));
  // The request reached the receiver, which holds its answer: the deliverer dies mid-delivery.
  await Promise.race([receiver.onRequest, exited.then(() => Promise.reject(new Error(`the deliverer exited early: ${output}`)))]);
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");

  const store = await openStore(url);
  try {
    // The outbox row survived the crash, its attempt counted and unsettled.
    expect(await store.webhookDeliveries().deliveryOfRun("run-1")).toMatchObject({ id: "run-1:final", status: "pending", attempts: 1 });
    const next = new WebhookDeliverer(store.webhookDeliveries(), { policy: { allowHttp: true, allowPrivate: true }, secrets: { byTenant: {}, fallback: SECRET }, maxAttempts: 5, timeoutMs: 5_000 });
    // The dead deliverer's claim (300 ms) expires; until then the delivery is not claimable.
    for (let i = 0; i < 100 && (await store.webhookDeliveries().deliveryOfRun("run-1"))?.status === "pending"; i++) {
      await next.deliverDue();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await store.webhookDeliveries().deliveryOfRun("run-1")).toMatchObject({ status: "delivered", attempts: 2 });
    // At least once, never under another id: the receiver dedupes by Webhook-Id.
    expect(receiver.received.map((r) => r.id)).toEqual(["run-1:final", "run-1:final"]);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect(receiver.received[0]?.body).toBe(receiver.received[1]?.body);
  } finally {
    await store.close();
    await receiver.close();
  }
}
