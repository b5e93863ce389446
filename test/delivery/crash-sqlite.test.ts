import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, it } from "vitest";
import { crashMidDelivery } from "./crash-drill.js";

const root = mkdtempSync(join(tmpdir(), "cs-agents-webhook-crash-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("a deliverer killed with SIGKILL mid-delivery (SQLite)", () => {
  it("loses nothing: another deliverer on the same file sends the same Webhook-Id again, and it is delivered", async () => {
    await crashMidDelivery(join(root, "cs-agents.db"));
  });
});
