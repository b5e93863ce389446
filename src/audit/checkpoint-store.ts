import type { KeyObject } from "node:crypto";
import { parseS3Url } from "../artifacts/index.js";
import { readCheckpoints, writeCheckpoint, type Checkpoint } from "./checkpoint.js";
import { S3CheckpointStore } from "./s3-checkpoint-store.js";

/** Where signed checkpoints are kept, outside the database: a directory or a bucket. */
export interface CheckpointStore {
  /** The directory or `s3://bucket/prefix/`, for messages. */
  readonly location: string;
  /**
   * Writes one checkpoint under its own name (`checkpointName`); never replaces one.
   * Returns the file's path or the object's `s3://` URL.
   * @throws CsAgentsError AUDIT_CHECKPOINT_EXISTS when the name is taken.
   */
  write(checkpoint: Checkpoint): Promise<string>;
  /**
   * Every checkpoint there, in log order, each signature checked; none when it does not exist yet.
   * @throws CsAgentsError AUDIT_CHECKPOINT_INVALID naming one that is malformed or forged.
   */
  read(publicKey: KeyObject): Promise<Checkpoint[]>;
  close(): Promise<void>;
}

/**
 * The checkpoint store at a location: `s3://bucket[/prefix][?endpoint=…&region=…&path_style=true]`
 * (read as the artifact store reads its URL, credentials from the AWS environment), or a directory.
 * @throws ArtifactError ARTIFACT_STORE_CONFIG when an s3:// URL is not usable.
 */
export function checkpointStoreAt(location: string): CheckpointStore {
  if (location.startsWith("s3://")) return new S3CheckpointStore(parseS3Url(location, "audit checkpoint URL"));
  return {
    location,
    write: async (checkpoint) => writeCheckpoint(location, checkpoint),
    read: async (publicKey) => readCheckpoints(location, publicKey),
    close: async () => undefined,
  };
}
