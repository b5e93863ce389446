import { Server, ServerCredentials } from "@grpc/grpc-js";
import type { ServiceDefinition } from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation } from "grpc-health-check";
import { CsAgentsError } from "../../core/index.js";
import { installResponseCompression } from "./compression.js";
import { loadTasksDefinition, TASKS_SERVICE } from "./proto.js";
import type { DoorService } from "./service-port.js";
import { tasksImplementation } from "./tasks-service.js";

export interface GrpcDoorOptions {
  /** Auth off: the door, like the HTTP server, listens on loopback only. */
  readonly authOff: boolean;
  /** The API's certificate and key (CS_AGENTS_TLS_*): served with TLS when set. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer } | undefined;
  /** Largest request message; default 262,144, the HTTP body limit. */
  readonly maxReceiveBytes?: number;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/**
 * The gRPC door: cs_agents.v1.Tasks over the API's service layer, grpc.health.v1.Health
 * (SERVING until the drain starts) and server reflection, on its own port.
 */
export class GrpcDoor {
  readonly #server: Server;
  readonly #health: HealthImplementation;
  readonly #streams = new Set<AbortController>();
  readonly #options: GrpcDoorOptions;
  #draining = false;
  #closed: Promise<void> | undefined;
  #port: number | undefined;

  constructor(service: DoorService, options: GrpcDoorOptions) {
    this.#options = options;
    installResponseCompression();
    const definition = loadTasksDefinition();
    this.#server = new Server({
      "grpc.max_receive_message_length": options.maxReceiveBytes ?? 262_144,
      // Keep-alive pings from clients that watch long runs are fine every 10 s or more.
      "grpc.keepalive_permit_without_calls": 1,
      "grpc.http2.min_ping_interval_without_data_ms": 10_000,
    });
    this.#server.addService(definition[TASKS_SERVICE] as ServiceDefinition, tasksImplementation(service, { streams: this.#streams, draining: () => this.#draining }));
    this.#health = new HealthImplementation({ "": "SERVING", [TASKS_SERVICE]: "SERVING" });
    this.#health.addToServer(this.#server);
    new ReflectionService(definition).addToServer(this.#server);
  }

  get port(): number | undefined {
    return this.#port;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /**
   * Starts listening; resolves with the bound port (0 picks a free one).
   * @throws CsAgentsError (AUTH_CONFIG) when auth is off and `host` is not loopback; (GRPC_LISTEN) when the port cannot be bound.
   */
  async listen(port: number, host: string): Promise<number> {
    if (this.#options.authOff && !LOOPBACK.has(host)) {
      throw new CsAgentsError("AUTH_CONFIG", `auth is off (CS_AGENTS_AUTH=off), so the gRPC server listens on loopback only; refusing --host ${host}`);
    }
    const tls = this.#options.tls;
    // Node's TLS defaults (TLS 1.2 at least); grpc-js takes its cipher list from GRPC_SSL_CIPHER_SUITES.
    const credentials = tls
      ? ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }], false)
      : ServerCredentials.createInsecure();
    const address = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
    this.#port = await new Promise<number>((resolve, reject) => {
      this.#server.bindAsync(address, credentials, (error, bound) => {
        if (error) reject(new CsAgentsError("GRPC_LISTEN", `the gRPC server cannot listen on ${address}: ${error.message}`, { cause: error }));
        else resolve(bound);
      });
    });
    return this.#port;
  }

  /** Health says NOT_SERVING at once; open WatchRun streams end (UNAVAILABLE: resume elsewhere). */
  drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    this.#health.setStatus("", "NOT_SERVING");
    this.#health.setStatus(TASKS_SERVICE, "NOT_SERVING");
    for (const stream of this.#streams) stream.abort();
  }

  /** Drains, lets calls in flight finish within `graceMs`, then cuts what is left. */
  async close(graceMs = 10_000): Promise<void> {
    this.drain();
    this.#closed ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#server.forceShutdown();
        resolve();
      }, graceMs);
      timer.unref();
      this.#server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    await this.#closed;
  }
}
