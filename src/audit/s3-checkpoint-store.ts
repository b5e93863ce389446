import type { KeyObject } from "node:crypto";
import type * as S3Sdk from "@aws-sdk/client-s3";
import type { S3Client } from "@aws-sdk/client-s3";
import { createS3Client, loadS3Sdk, type S3Location } from "../artifacts/index.js";
import { CsAgentsError } from "../core/index.js";
import { checkpointName, checkpointText, isCheckpointName, parseCheckpoint, type Checkpoint } from "./checkpoint.js";
import type { CheckpointStore } from "./checkpoint-store.js";

/**
 * Checkpoints as objects `<prefix>checkpoint-<seq>-<time>.json` in an S3-compatible bucket,
 * through the same SDK client settings as the artifact store. An object is never replaced: the
 * write asks first (HEAD) and sends `If-None-Match: *`, which S3 and MinIO enforce atomically;
 * servers that ignore the header still have the HEAD. A bucket with versioning or Object Lock
 * keeps even a deliberate overwrite from erasing one.
 */
export class S3CheckpointStore implements CheckpointStore {
  readonly location: string;
  #sdk: Promise<typeof S3Sdk> | undefined;
  #client: Promise<S3Client> | undefined;

  constructor(readonly where: S3Location) {
    this.location = `s3://${where.bucket}/${where.prefix}`;
  }

  async write(checkpoint: Checkpoint): Promise<string> {
    const key = `${this.where.prefix}${checkpointName(checkpoint)}`;
    const url = `s3://${this.where.bucket}/${key}`;
    const { HeadObjectCommand, PutObjectCommand } = await this.#loadSdk();
    if (await this.#exists(new HeadObjectCommand({ Bucket: this.where.bucket, Key: key }), url)) throw exists(url);
    await this.#send(`write ${url}`, async (client) => {
      try {
        return await client.send(new PutObjectCommand({ Bucket: this.where.bucket, Key: key, Body: checkpointText(checkpoint), ContentType: "application/json", IfNoneMatch: "*" }));
      } catch (error) {
        // 412: written by someone else between the HEAD and the PUT.
        if (statusOf(error) === 412) throw exists(url);
        throw error;
      }
    });
    return url;
  }

  async read(publicKey: KeyObject): Promise<Checkpoint[]> {
    const { GetObjectCommand, ListObjectsV2Command } = await this.#loadSdk();
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#send(`list ${this.location}`, async (client) =>
        client.send(new ListObjectsV2Command({ Bucket: this.where.bucket, Prefix: `${this.where.prefix}checkpoint-`, ...(token ? { ContinuationToken: token } : {}) })),
      );
      for (const object of page.Contents ?? []) {
        const key = object.Key ?? "";
        // Only this prefix's own checkpoints, not those of a deeper "folder".
        if (isCheckpointName(key.slice(this.where.prefix.length)) && !key.slice(this.where.prefix.length).includes("/")) keys.push(key);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const checkpoints: Checkpoint[] = [];
    for (const key of keys.sort()) {
      const url = `s3://${this.where.bucket}/${key}`;
      const text = await this.#send(`read ${url}`, async (client) => {
        const answer = await client.send(new GetObjectCommand({ Bucket: this.where.bucket, Key: key }));
        return answer.Body ? answer.Body.transformToString("utf8") : "";
      });
      checkpoints.push(parseCheckpoint(text, url, publicKey));
    }
    return checkpoints;
  }

  async close(): Promise<void> {
    if (this.#client) (await this.#client).destroy();
  }

  async #exists(head: InstanceType<typeof S3Sdk.HeadObjectCommand>, url: string): Promise<boolean> {
    try {
      await this.#send(`check ${url}`, async (client) => client.send(head));
      return true;
    } catch (error) {
      if (error instanceof CsAgentsError && error.cause !== undefined && statusOf(error.cause) === 404 && nameOf(error.cause) !== "NoSuchBucket") return false;
      throw error;
    }
  }

  #loadSdk(): Promise<typeof S3Sdk> {
    this.#sdk ??= loadS3Sdk();
    return this.#sdk;
  }

  async #send<T>(what: string, operation: (client: S3Client) => Promise<T>): Promise<T> {
    this.#client ??= this.#loadSdk().then((sdk) => createS3Client(sdk, this.where));
    const client = await this.#client;
    try {
      return await operation(client);
    } catch (error) {
      if (error instanceof CsAgentsError) throw error;
      const name = nameOf(error);
      const reason = name === "NoSuchBucket" ? `bucket ${this.where.bucket} does not exist` : name || (error as Error).message;
      throw new CsAgentsError("AUDIT_CHECKPOINT_STORE_UNAVAILABLE", `cannot ${what}: ${reason}`, { cause: error, retryable: name !== "NoSuchBucket" });
    }
  }
}

function exists(url: string): CsAgentsError {
  return new CsAgentsError("AUDIT_CHECKPOINT_EXISTS", `checkpoint ${url} exists already; checkpoints are never overwritten`);
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function nameOf(error: unknown): string {
  return (error as { name?: string }).name ?? "";
}
