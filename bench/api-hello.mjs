// The baselines for the API benchmark, in their own process like the API, so the ratios survive a
// noisy machine:
//   GET /hello        a bare Fastify route answering one JSON object;
//   POST /submit      the least a durable submission is with the same tools: Fastify's JSON body,
//                     one check, one better-sqlite3 insert (WAL, synchronous NORMAL, a unique key
//                     per tenant), committed before the 202;
//   GET /runs/:id     the least a read of one stored run is: one row by primary key, as JSON.
//   node bench/api-hello.mjs <port> <sqlite path>
import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import Fastify from "fastify";

const db = new Database(process.argv[3]);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.exec("CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, idempotency_key TEXT, task TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL, UNIQUE (tenant, idempotency_key))");
const insert = db.prepare("INSERT INTO runs (id, tenant, idempotency_key, task, status, created_at) VALUES (?, 'local', ?, ?, 'queued', ?)");
const byId = db.prepare("SELECT id, task, status, created_at FROM runs WHERE id = ?");
// A stored run for the read case, among 10,000 like the API's.
const seed = db.transaction(() => {
  let id;
  for (let i = 0; i < 10_000; i++) insert.run((id = randomUUID()), null, JSON.stringify({ description: "生成季度财务报告" }), Date.now());
  return id;
});
const storedId = seed();

const app = Fastify({ logger: false });
app.get("/hello", async () => ({ hello: "world" }));
app.post("/submit", async (request, reply) => {
  const body = request.body;
  if (typeof body?.description !== "string" || body.description.length === 0) return reply.code(400).send({ error: "description: a non-empty string is expected" });
  const id = randomUUID();
  const key = request.headers["idempotency-key"] ?? null;
  insert.run(id, key, JSON.stringify({ description: body.description }), Date.now());
  return reply.code(202).send({ id, status: "queued" });
});
app.get("/runs/:id", async (request, reply) => {
  const row = byId.get(request.params.id);
  if (!row) return reply.code(404).send({ error: "no such run" });
  return { id: row.id, task: JSON.parse(row.task), status: row.status, createdAt: new Date(row.created_at).toISOString() };
});
await app.listen({ port: Number(process.argv[2]), host: "127.0.0.1" });
process.stdout.write(`listening ${storedId}\n`);
process.once("SIGTERM", () => void app.close().then(() => process.exit(0)));
