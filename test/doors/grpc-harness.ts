import { credentials as grpcCredentials, Metadata } from "@grpc/grpc-js";
import type { ChannelCredentials, ChannelOptions, Client, ServiceError, StatusObject } from "@grpc/grpc-js";
import { GrpcDoor, CODE_METADATA_KEY, tasksClientConstructor } from "../../src/doors/grpc/index.js";
import type { DoorService } from "../../src/doors/grpc/index.js";
import type { TestApi } from "../api/harness.js";

export type TasksClient = Client & Record<string, (...args: unknown[]) => unknown>;

export interface GrpcTarget {
  readonly door: GrpcDoor;
  readonly address: string;
}

/** The API's service layer, as `serve` hands it to the gRPC door. */
export function serviceOf(t: TestApi): DoorService {
  return t.api.service;
}

/** A gRPC door on a free loopback port over the test API's service. */
export async function startGrpc(t: TestApi, options: { tls?: { cert: string | Buffer; key: string | Buffer }; authOff?: boolean } = {}): Promise<GrpcTarget> {
  const door = new GrpcDoor(serviceOf(t), { authOff: options.authOff ?? false, ...(options.tls ? { tls: options.tls } : {}) });
  const port = await door.listen(0, "127.0.0.1");
  return { door, address: `127.0.0.1:${port}` };
}

export function tasksClient(address: string, options: { credentials?: ChannelCredentials; channel?: ChannelOptions } = {}): TasksClient {
  const Tasks = tasksClientConstructor();
  return new Tasks(address, options.credentials ?? grpcCredentials.createInsecure(), options.channel ?? {}) as unknown as TasksClient;
}

export function bearerMetadata(jwt: string | undefined, extra: Record<string, string> = {}): Metadata {
  const metadata = new Metadata();
  if (jwt !== undefined) metadata.set("authorization", `Bearer ${jwt}`);
  for (const [key, value] of Object.entries(extra)) metadata.set(key, value);
  return metadata;
}

export type UnaryResult<T> = { ok: true; value: T; headers: Metadata } | { ok: false; error: ServiceError; code: string | undefined };

/** One unary call, resolved either way, with the response headers or the problem code from the trailers. */
export function unary<T>(client: TasksClient, method: string, request: unknown, metadata: Metadata, options: { deadline?: Date } = {}): Promise<UnaryResult<T>> {
  return new Promise((resolve) => {
    let headers = new Metadata();
    const call = client[method]!(request, metadata, options, (error: ServiceError | null, value: T) => {
      if (error) resolve({ ok: false, error, code: problemCode(error) });
      else resolve({ ok: true, value, headers });
    }) as { on(event: "metadata", listener: (m: Metadata) => void): void };
    call.on("metadata", (m) => {
      headers = m;
    });
  });
}

export function problemCode(error: { metadata?: Metadata }): string | undefined {
  const value = error.metadata?.get(CODE_METADATA_KEY)[0];
  return typeof value === "string" ? value : undefined;
}

export interface WatchedEvent {
  readonly id: number;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** Reads a WatchRun stream to its end (or `stopAfter` events, then cancels). */
export function watch(client: TasksClient, request: { run_id: string; after_id?: number }, metadata: Metadata, options: { deadline?: Date; stopAfter?: number } = {}): Promise<{ events: WatchedEvent[]; status: StatusObject | undefined; error: ServiceError | undefined }> {
  return new Promise((resolve) => {
    const events: WatchedEvent[] = [];
    const stream = client.WatchRun!(request, metadata, options.deadline ? { deadline: options.deadline } : {}) as NodeJS.EventEmitter & { cancel(): void };
    let status: StatusObject | undefined;
    let error: ServiceError | undefined;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      resolve({ events, status, error });
    };
    stream.on("data", (event: { id: number; type: string; data_json: string }) => {
      events.push({ id: event.id, type: event.type, data: JSON.parse(event.data_json) as Record<string, unknown> });
      if (options.stopAfter !== undefined && events.length >= options.stopAfter) {
        stream.cancel();
        finish();
      }
    });
    stream.on("status", (s: StatusObject) => {
      status = s;
    });
    stream.on("error", (e: ServiceError) => {
      error = e;
      finish();
    });
    stream.on("end", () => setImmediate(finish));
  });
}
