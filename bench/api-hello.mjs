// The baseline for the API benchmark: a bare Fastify server answering one JSON route, in its own
// process like the API, so the ratio "API / hello" survives a noisy machine.
//   node bench/api-hello.mjs <port>
import Fastify from "fastify";

const app = Fastify({ logger: false });
app.get("/hello", async () => ({ hello: "world" }));
await app.listen({ port: Number(process.argv[2]), host: "127.0.0.1" });
process.stdout.write("listening\n");
process.once("SIGTERM", () => void app.close().then(() => process.exit(0)));
