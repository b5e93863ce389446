import type { Service } from "../../api/index.js";

// The slice of the API's Service this door calls.
export type { Caller, DoorName, OperationInput, RunEventRecord, ServiceAnswer, ServiceOperationId } from "../../api/index.js";

export type DoorService = Pick<Service, "call" | "events" | "authenticate">;
