export { keyIdOf, loadSigningKey, readCheckpoints, signCheckpoint, verifyCheckpoint, writeCheckpoint, type Checkpoint } from "./checkpoint.js";
export { readAuditLog, verifyAuditChain, type ChainVerdict } from "./verify-chain.js";
export { createStoreAuditSink } from "./store-sink.js";
export type { AuditDraft, AuditEntry, AuditSink } from "../store/index.js";
