export { createEngine, type Engine, type EngineOptions, type ExecuteRequest, type RunOutcome } from "./engine.js";
export type { ChildBudgeting, ChildSpent } from "./child-run.js";
export type { EngineEvent, EngineEventType, EventListener } from "./events.js";
export { createMemoryJournal, type Journal, type MemoryJournalOptions } from "./journal.js";
export { defaultLeaseMarginMs, LeaseDeadline, type LeaseDeadlineOptions, type MonotonicClock } from "./lease-deadline.js";
export type { RunLease, ToolRunner } from "./run-subtask.js";
export { Worker, type RunEnd, type WorkerOptions } from "./worker.js";
