import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STATUS_BY_CODE } from "../../src/api/problem.js";
import { bearer, makeApi, token } from "./harness.js";
import type { TestApi } from "./harness.js";

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

let t: TestApi;
let port: number;
let auth: Record<string, string>;
beforeAll(async () => {
  t = await makeApi({ bodyLimitBytes: 4_096 });
  ({ port } = await t.api.listen(0, "127.0.0.1"));
  auth = bearer(await token());
});
afterAll(async () => t.close());

/** One request as sent, path bytes untouched (no client normalises it). */
function send(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers: { ...headers, connection: "close" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers["content-type"]), body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Raw bytes on a socket, for what an HTTP client refuses to send. */
function sendRaw(bytes: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const [head = "", body = ""] = text.split("\r\n\r\n");
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), contentType: /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? "", body });
    });
  });
}

const LONG_NAME = "n".repeat(5_000);
const json = (extra: Record<string, string> = {}) => ({ ...auth, "content-type": "application/json", ...extra });

const cases: [string, () => Promise<Answer>, number, string][] = [
  ["an overlong UTF-8 sequence in the path (%C0%AE)", () => send("GET", "/v1/tasks/x/artifacts/%C0%AE", auth), 400, "INVALID_INPUT"],
  ["a broken percent-encoding (%ZZ)", () => send("GET", "/v1/tasks/%ZZ", auth), 400, "INVALID_INPUT"],
  ["a bad URL outside /v1", () => send("GET", "/%C0%AE"), 400, "INVALID_INPUT"],
  ["a 5,000-character artifact name", () => send("GET", `/v1/tasks/x/artifacts/${LONG_NAME}`, auth), 414, "URI_TOO_LONG"],
  ["a 5,000-character task id", () => send("GET", `/v1/tasks/${LONG_NAME}`, auth), 414, "URI_TOO_LONG"],
  ["an unknown route with a long path", () => send("GET", `/nope/${LONG_NAME.slice(0, 1_000)}`), 404, "NOT_FOUND"],
  ["a method the route does not have", () => send("DELETE", "/v1/tasks", auth), 404, "NOT_FOUND"],
  ["text/plain", () => send("POST", "/v1/tasks", { ...auth, "content-type": "text/plain" }, "description=x"), 415, "UNSUPPORTED_MEDIA_TYPE"],
  ["a body without a content type", () => send("POST", "/v1/tasks", auth, '{"description":"x"}'), 415, "UNSUPPORTED_MEDIA_TYPE"],
  ["a body over the limit", () => send("POST", "/v1/tasks", json(), JSON.stringify({ description: LONG_NAME })), 413, "PAYLOAD_TOO_LARGE"],
  ["an empty JSON body", () => send("POST", "/v1/tasks", json(), ""), 400, "INVALID_JSON"],
  ["broken JSON", () => send("POST", "/v1/tasks", json(), `{"description": "${LONG_NAME.slice(0, 500)}`), 400, "INVALID_JSON"],
  ["a query a route does not take", () => send("GET", "/v1/tasks?limit=abc", auth), 400, "INVALID_INPUT"],
  ["no token", () => send("GET", "/v1/tasks"), 401, "UNAUTHENTICATED"],
  ["headers over the limit", () => send("GET", "/healthz", { "x-big": "h".repeat(20_000) }), 431, "HEADERS_TOO_LARGE"],
  ["a request line that is not HTTP", () => sendRaw(`GET /${"\u0001"} HTTP/1.1\r\nHost: x\r\n\r\n`), 400, "INVALID_INPUT"],
  ["a Content-Length that is not a number", () => sendRaw("POST /v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"), 400, "INVALID_INPUT"],
];

describe("every error answer", () => {
  it.each(cases)("is problem+json from the table, with no stack and no echo: %s", async (_name, make, status, code) => {
    const res = await make();
    expect(res.status).toBe(status);
    expect(res.contentType).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(res.body) as { status: number; code: string; detail: string };
    expect(problem).toMatchObject({ status, code });
    expect((STATUS_BY_CODE as Record<string, number>)[problem.code]).toBe(status);
    expect(res.body).not.toMatch(/FST_ERR|at .*\.(js|ts):\d+|nnnnnnnnnn|hhhhhhhhhh|%C0%AE|%ZZ/);
    expect(res.body.length).toBeLessThan(600);
  });
});
