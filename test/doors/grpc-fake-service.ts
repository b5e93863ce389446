// TEMPORARY: the service layer over REST (app.inject) until the API's Service is merged.
import { ApiError, STATUS_BY_CODE } from "../../src/api/index.js";
import type { ProblemCode } from "../../src/api/index.js";
import type { DoorService } from "../../src/doors/grpc/index.js";
import type { TestApi } from "../api/harness.js";

const ROUTES: Record<string, { method: "GET" | "POST"; path: (p: Record<string, string>) => string }> = {
  submitTask: { method: "POST", path: () => "/v1/tasks" },
  listTasks: { method: "GET", path: () => "/v1/tasks" },
  getTask: { method: "GET", path: (p) => `/v1/tasks/${encodeURIComponent(p.id ?? "")}` },
  cancelTask: { method: "POST", path: (p) => `/v1/tasks/${encodeURIComponent(p.id ?? "")}/cancel` },
  listApprovals: { method: "GET", path: () => "/v1/approvals" },
  decideApproval: { method: "POST", path: (p) => `/v1/approvals/${encodeURIComponent(p.id ?? "")}` },
  listTools: { method: "GET", path: () => "/v1/tools" },
  listAgents: { method: "GET", path: () => "/v1/agents" },
};

function fail(statusCode: number, body: string, headers: Record<string, unknown>): never {
  const problem = JSON.parse(body) as { code: string; detail: string };
  const code = (problem.code in STATUS_BY_CODE ? problem.code : "INTERNAL") as ProblemCode;
  const retry = headers["retry-after"];
  throw new ApiError(code, problem.detail, typeof retry === "string" ? { headers: { "Retry-After": retry } } : {});
}

export function fakeService(t: TestApi): DoorService {
  return {
    async call(operation, caller, input = {}) {
      const route = ROUTES[operation]!;
      const query = new URLSearchParams(Object.entries((input.query ?? {}) as Record<string, unknown>).map(([k, v]): [string, string] => [k, String(v)])).toString();
      const res = await t.api.app.inject({
        method: route.method,
        url: route.path((input.params ?? {}) as Record<string, string>) + (query ? `?${query}` : ""),
        headers: { ...(caller.authorization ? { authorization: caller.authorization } : {}), ...(input.idempotencyKey ? { "idempotency-key": input.idempotencyKey } : {}), ...(input.body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(input.body !== undefined ? { payload: JSON.stringify(input.body) } : {}),
      });
      if (res.statusCode >= 400) fail(res.statusCode, res.body, res.headers);
      const headers: Record<string, string> = {};
      if (typeof res.headers["idempotent-replayed"] === "string") headers["Idempotent-Replayed"] = res.headers["idempotent-replayed"];
      return { status: res.statusCode, body: JSON.parse(res.body) as unknown, headers };
    },
    async events(caller, runId, options) {
      const res = await t.api.app.inject({ method: "GET", url: `/v1/tasks/${encodeURIComponent(runId)}/events`, headers: { ...(caller.authorization ? { authorization: caller.authorization } : {}), ...(options.afterId ? { "last-event-id": String(options.afterId) } : {}) } });
      if (res.statusCode >= 400) fail(res.statusCode, res.body, res.headers);
      const events = res.body
        .split("\n\n")
        .map((block) => Object.fromEntries(block.split("\n").filter((l) => l && !l.startsWith(":")).map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()])) as Record<string, string>)
        .filter((f) => f.id !== undefined)
        .map((f) => ({ id: Number(f.id), type: f.event ?? "", data: JSON.parse(f.data ?? "null") as unknown }));
      return (async function* () {
        yield* events;
      })();
    },
  };
}
