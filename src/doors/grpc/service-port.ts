// What this door needs of the API's service layer, in one place.
import type { Service, ServiceOperationId } from "../../api/index.js";
export { ApiError, problemOf as problemOfError } from "../../api/index.js";
export type { Caller, DoorName, OperationInput, RunEventRecord, ServiceAnswer } from "../../api/index.js";

export type GrpcOperationId = Extract<ServiceOperationId, "submitTask" | "listTasks" | "getTask" | "cancelTask" | "listApprovals" | "decideApproval" | "answerTask" | "listTools" | "listAgents">;

/** The part of the API's `Service` the gRPC door calls. */
export type DoorService = Pick<Service, "call" | "events">;
