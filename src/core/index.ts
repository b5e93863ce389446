export * from "./errors.js";
export * from "./plan.js";
export * from "./run.js";
export * from "./task.js";
export * from "./ids.js";
export * from "./canonical-json.js";
export * from "./subtask-timing.js";
export * from "./input-request.js";
