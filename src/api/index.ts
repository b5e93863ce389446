export { ApiServer, type ApiDeps, type ApiOptions, type AuthMode, type HttpDoor } from "./server.js";
export { LOCAL_PRINCIPAL, Service, SERVICE_OPERATIONS, type Caller, type DoorName, type OperationInput, type RunEventRecord, type ServiceAnswer, type ServiceOperationId } from "./service.js";
export type { Catalog } from "./handlers.js";
export { buildOpenApi, jsonSchemaOf } from "./openapi.js";
export { OPERATIONS, type Operation, type OperationId } from "./operations.js";
export { ApiError, problemOf, STATUS_BY_CODE, type Problem, type ProblemCode } from "./problem.js";
export { approvalId, parseApprovalId } from "./run-view.js";
export { MOZILLA_INTERMEDIATE_CIPHERS } from "./tls.js";
export * as schemas from "./schemas.js";
