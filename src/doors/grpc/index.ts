export { GrpcDoor, type GrpcDoorOptions } from "./server.js";
export { CODE_METADATA_KEY, grpcStatusOf } from "./status-codes.js";
export { LOADER_OPTIONS, PROTO_ROOT, TASKS_PROTO, TASKS_SERVICE, loadTasksDefinition, tasksClientConstructor } from "./proto.js";
export { installResponseCompression, responseCompressionInstalled, MIN_COMPRESSED_BYTES } from "./compression.js";
export type { DoorService } from "./service-port.js";
