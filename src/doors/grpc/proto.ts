import { fileURLToPath } from "node:url";
import { loadPackageDefinition } from "@grpc/grpc-js";
import type { GrpcObject, ServiceClientConstructor } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import type { PackageDefinition, Options } from "@grpc/proto-loader";

/** proto/ at the package root: two levels above src/doors/grpc and dist/doors/grpc alike. */
export const PROTO_ROOT = fileURLToPath(new URL("../../../proto/", import.meta.url));
export const TASKS_PROTO = "cs_agents/v1/tasks.proto";
export const TASKS_SERVICE = "cs_agents.v1.Tasks";

/**
 * How messages look in JavaScript, server and clients alike: field names as in the .proto,
 * enums by name, 64-bit integers as numbers (event ids and byte counts stay below 2^53),
 * absent fields at their defaults.
 */
export const LOADER_OPTIONS: Options = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true, includeDirs: [PROTO_ROOT] };

/** The .proto read at run time (no generated code to keep in step). */
export function loadTasksDefinition(): PackageDefinition {
  return loadSync(TASKS_PROTO, LOADER_OPTIONS);
}

/** The Tasks client constructor, for programs and tests that call this door. */
export function tasksClientConstructor(definition: PackageDefinition = loadTasksDefinition()): ServiceClientConstructor {
  const root = loadPackageDefinition(definition) as unknown as { cs_agents: { v1: GrpcObject & { Tasks: ServiceClientConstructor } } };
  return root.cs_agents.v1.Tasks;
}
