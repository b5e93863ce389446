import type { SendMessageRequest, Task } from "@a2a-js/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiDeps } from "../../src/api/index.js";
import { a2aDoor } from "../../src/doors/a2a/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { bearer, makeApi, token } from "../api/harness.js";
import type { TestApi } from "../api/harness.js";
import { a2aClient, authOf, problemCodeOf, sendRequest, textPart, userMessage } from "./a2a-caller.js";

const SEED = "生成季度财务报告";
let t: TestApi;
let base: string;
let acme: string;

beforeAll(async () => {
  const door = a2aDoor({ authOn: true, version: "9.9.9", templates: createRuntime().templatePlanner.capabilities() });
  t = await makeApi({}, undefined, { doors: [door] } as Partial<ApiDeps>);
  const address = await t.api.listen(0, "127.0.0.1");
  base = `http://127.0.0.1:${address.port}`;
  acme = await token({ tenant: "acme" });
});

afterAll(async () => {
  await t.close();
});

/** A send that returns at once, with run options in the request's metadata. */
function send(metadata: Record<string, unknown> | undefined): SendMessageRequest {
  return { ...sendRequest(userMessage([textPart(SEED)]), true), metadata };
}

const runCount = async () => (await t.store.list({ tenant: "acme", limit: 500 })).length;

describe("A2A message/send: priority and callbackUrl in the request's metadata, as REST takes them", () => {
  it("keeps the priority (0 included) and the callback URL, shows them in the task's metadata, ignores other keys", async () => {
    const client = await a2aClient(base);
    const low = (await client.sendMessage(send({ priority: 0, traceTag: "mine" }), authOf(acme))) as Task;
    expect(low.metadata?.priority).toBe(0);
    expect((await t.store.get(low.id))?.task.priority).toBe(0);

    const hooked = (await client.sendMessage(send({ priority: 8, callbackUrl: "https://hooks.example.com/cs-agents" }), authOf(acme))) as Task;
    expect((await t.store.get(hooked.id))?.task).toMatchObject({ priority: 8, callbackUrl: "https://hooks.example.com/cs-agents" });
    const got = await client.getTask({ tenant: "", id: hooked.id, historyLength: undefined }, authOf(acme));
    expect(got.metadata).toMatchObject({ priority: 8, callback: { url: "https://hooks.example.com/cs-agents", status: "waiting", attempts: 0 } });

    const plain = (await client.sendMessage(send(undefined), authOf(acme))) as Task;
    expect(plain.metadata?.priority).toBe(5);
  });

  it("refuses a bad priority or a callback URL the SSRF policy refuses with INVALID_INPUT, storing nothing", async () => {
    const client = await a2aClient(base);
    const before = await runCount();
    const refusals: unknown[] = [{ priority: 10 }, { priority: "high" }, { priority: 1.5 }, { callbackUrl: "http://hooks.example.com/x" }, { callbackUrl: "https://127.0.0.1/x" }, { callbackUrl: "https://172.16.0.5/x" }, { callbackUrl: 42 }];
    for (const metadata of refusals) {
      const error = await client.sendMessage(send(metadata as Record<string, unknown>), authOf(acme)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, JSON.stringify(metadata)).toBeInstanceOf(Error);
      expect(problemCodeOf(error)).toBe("INVALID_INPUT");
    }
    const error = await client.sendMessage(send({ priority: 12 }), authOf(acme)).catch((e: unknown) => e);
    expect(String((error as Error).message)).toContain("priority must be an integer from 0 to 9");
    expect(await runCount()).toBe(before);
  });

  it("takes them from an A2A 0.3 message/send's params.metadata too", async () => {
    const res = await fetch(`${base}/a2a`, {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(acme) },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "message/send", params: { message: { kind: "message", messageId: "legacy-priority-1", role: "user", parts: [{ kind: "text", text: SEED }] }, configuration: { blocking: false }, metadata: { priority: 2, callbackUrl: "https://hooks.example.com/legacy" } } }),
    });
    const task = ((await res.json()) as { result: { id: string; metadata: Record<string, unknown> } }).result;
    expect(task.metadata.priority).toBe(2);
    expect((await t.store.get(task.id))?.task).toMatchObject({ priority: 2, callbackUrl: "https://hooks.example.com/legacy" });
  });
});
