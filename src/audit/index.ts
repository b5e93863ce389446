export { checkpointName, keyIdOf, loadSigningKey, parseCheckpoint, readCheckpoints, signCheckpoint, verifyCheckpoint, writeCheckpoint, type Checkpoint } from "./checkpoint.js";
export { checkpointStoreAt, type CheckpointStore } from "./checkpoint-store.js";
export { S3CheckpointStore } from "./s3-checkpoint-store.js";
export { readAuditLog, verifyAuditChain, type ChainVerdict } from "./verify-chain.js";
export { createStoreAuditSink } from "./store-sink.js";
export type { AuditDraft, AuditEntry, AuditSink } from "../store/index.js";
