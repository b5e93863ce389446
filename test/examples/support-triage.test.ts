import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { ROOT, runCli, scratchDir } from "../cli/spawn-cli.js";

const PLUGIN = join(ROOT, "examples/plugins/support-triage/plugin.js");
const APPROVAL = "subtask/refund/approval/0";

let dir: string;
beforeEach(() => {
  dir = scratchDir();
});

const cli = (...args: string[]) => runCli(["--plugin", PLUGIN, ...args], { cwd: dir });
const refunds = () => (existsSync(join(dir, "refunds.jsonl")) ? readFileSync(join(dir, "refunds.jsonl"), "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { orderId: string; amountCents: number }) : []);

/** Runs a ticket up to its refund approval: the run waits, nothing is paid yet. */
async function waitingRefund(ticket: string): Promise<string> {
  const run = await cli("run", ticket, "--json");
  const json = JSON.parse(run.stdout) as { runId: string; status: string; error: { code: string } };
  expect(json.status, run.stderr).toBe("waiting_approval");
  expect(json.error.code).toBe("APPROVAL_REQUIRED");
  expect(refunds()).toEqual([]);
  return json.runId;
}

describe("the support-triage example plugin, through the CLI", () => {
  it("a refund waits for a person; approved, it is issued once and the reply says so", async () => {
    const runId = await waitingRefund("客服工单：订单 A-1043 重复扣款 ¥129.00，请尽快退款");
    const status = await cli("status", runId);
    expect(status.stdout).toContain(`waiting  ${APPROVAL} needs an approval: refund.issue {"orderId":"A-1043","amountCents":12900`);

    const approved = await cli("approve", runId, APPROVAL);
    expect(approved.code, approved.stderr).toBe(0);
    const resumed = await cli("resume", runId);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(refunds()).toMatchObject([{ orderId: "A-1043", amountCents: 12900 }]);
    const reply = readFileSync(join(dir, "out", runId, "reply.md"), "utf8");
    expect(reply).toMatch(/订单 A-1043 已退款 ¥129\.00（退款编号 RF-[0-9a-f]{10}）/);
    expect(JSON.parse(readFileSync(join(dir, "out", runId, "triage.json"), "utf8"))).toMatchObject({ classification: { category: "refund", priority: "high" }, refund: { issued: true } });

    // Resuming the finished run again pays nothing more.
    expect((await cli("resume", runId)).code).toBe(0);
    expect(refunds()).toHaveLength(1);
  });

  it("denied, no money moves and the reply promises a specialist instead", async () => {
    const runId = await waitingRefund("support ticket: I was charged twice for order B-2201, please refund CNY 45.50");
    expect((await cli("deny", runId, APPROVAL, "--reason", "the bank already reversed it")).code).toBe(0);
    const resumed = await cli("resume", runId);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(refunds()).toEqual([]);
    expect(readFileSync(join(dir, "out", runId, "reply.md"), "utf8")).toContain("We need to look further into the refund request for order B-2201");
  });

  it("a ticket that asks for no refund never reaches an approval", async () => {
    const run = await cli("run", "support ticket: my parcel has not arrived, tracking shows nothing", "--json");
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as { runId: string; status: string };
    expect(json.status).toBe("succeeded");
    expect(readFileSync(join(dir, "out", json.runId, "reply.md"), "utf8")).toContain("asked the carrier to trace your parcel");
    expect(refunds()).toEqual([]);
  });
});
