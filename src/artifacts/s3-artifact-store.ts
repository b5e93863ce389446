import type * as S3Sdk from "@aws-sdk/client-s3";
import type { S3Client } from "@aws-sdk/client-s3";
import { ArtifactError, checkSha256, sha256Hex, verified, type ArtifactStore, type BlobInfo } from "./artifact-store.js";
import { createS3Client, loadS3Sdk, type S3ClientOptions } from "./s3-client.js";

/** Where an S3-compatible artifact store is: `s3://bucket[/prefix][?endpoint=…&region=…&path_style=true]`. */
export interface S3Location {
  readonly bucket: string;
  /** Keys start with it; empty or ending in `/`. */
  readonly prefix: string;
  /** A non-AWS server (MinIO, Ceph, a test server); default: AWS. */
  readonly endpoint?: string;
  readonly region: string;
  readonly pathStyle: boolean;
}

/**
 * Reads an `s3://` URL. Credentials never go in it: the SDK takes them from the environment
 * (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, or the pod's role).
 * @throws ArtifactError ARTIFACT_STORE_CONFIG naming what is wrong.
 */
export function parseS3Url(url: string, what = "artifact store URL"): S3Location {
  const fail = (problem: string) => new ArtifactError("ARTIFACT_STORE_CONFIG", `${what} "${url.replace(/\?.*$/, "").replace(/\/\/[^@/]*@/, "//***@")}" is not usable: ${problem}; expected s3://bucket[/prefix][?endpoint=http://host:9000&region=us-east-1&path_style=true]`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw fail("it is not a URL");
  }
  if (parsed.protocol !== "s3:") throw fail(`the scheme is "${parsed.protocol}", not "s3:"`);
  if (parsed.username !== "" || parsed.password !== "") throw fail("credentials do not belong in it (use the AWS environment)");
  const bucket = parsed.hostname;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw fail("the bucket name must be 3-63 lowercase letters, digits, '.' or '-'");
  const path = decodeURIComponent(parsed.pathname).replace(/^\/+/, "");
  const prefix = path === "" || path.endsWith("/") ? path : `${path}/`;
  const known = new Set(["endpoint", "region", "path_style"]);
  for (const key of parsed.searchParams.keys()) if (!known.has(key)) throw fail(`unknown parameter "${key}"`);
  const endpoint = parsed.searchParams.get("endpoint") ?? undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+\/?$/.test(endpoint)) throw fail("endpoint must be an http(s) URL such as http://minio:9000");
  const pathStyle = parsed.searchParams.get("path_style");
  if (pathStyle !== null && pathStyle !== "true" && pathStyle !== "false") throw fail('path_style must be "true" or "false"');
  return {
    bucket,
    prefix,
    ...(endpoint === undefined ? {} : { endpoint }),
    region: parsed.searchParams.get("region") ?? "us-east-1",
    pathStyle: pathStyle === null ? endpoint !== undefined : pathStyle === "true",
  };
}

/**
 * Blobs as objects `<prefix>sha256/<hash>` in an S3-compatible bucket, through the AWS SDK v3.
 * The SDK is loaded on first use, so commands that never touch the bucket start as fast as before.
 */
export class S3ArtifactStore implements ArtifactStore {
  readonly location: string;
  #client: Promise<S3Client> | undefined;
  #sdk: Promise<typeof S3Sdk> | undefined;

  constructor(
    readonly where: S3Location,
    private readonly clientOptions: S3ClientOptions = {},
  ) {
    this.location = `s3://${where.bucket}/${where.prefix}`;
  }

  async put(bytes: Uint8Array): Promise<string> {
    const sha256 = sha256Hex(bytes);
    // Written even when it is there already (one request either way, where a check first would
    // be two): its LastModified moves to now, so a run about to reference it is inside garbage
    // collection's grace period until its row commits. A copy onto itself would save sending
    // the bytes, but not every S3-compatible server moves LastModified for one.
    const { PutObjectCommand } = await this.#loadSdk();
    await this.#send(sha256, "write", async (client) => client.send(new PutObjectCommand({ Bucket: this.where.bucket, Key: this.#key(sha256), Body: bytes, ContentType: "application/octet-stream" })));
    return sha256;
  }

  async get(sha256: string): Promise<Buffer> {
    const key = this.#key(checkSha256(sha256));
    const { GetObjectCommand } = await this.#loadSdk();
    const bytes = await this.#send(sha256, "read", async (client) => {
      const answer = await client.send(new GetObjectCommand({ Bucket: this.where.bucket, Key: key }));
      if (!answer.Body) throw new ArtifactError("ARTIFACT_MISSING", `blob ${sha256} in ${this.location} has no body`);
      return Buffer.from(await answer.Body.transformToByteArray());
    });
    return verified(sha256, bytes, this.location);
  }

  async has(sha256: string): Promise<boolean> {
    const { HeadObjectCommand } = await this.#loadSdk();
    try {
      await this.#send(sha256, "read", async (client) => client.send(new HeadObjectCommand({ Bucket: this.where.bucket, Key: this.#key(checkSha256(sha256)) })));
      return true;
    } catch (error) {
      if (error instanceof ArtifactError && error.code === "ARTIFACT_MISSING") return false;
      throw error;
    }
  }

  async *list(): AsyncIterable<string> {
    const { ListObjectsV2Command } = await this.#loadSdk();
    const prefix = `${this.where.prefix}sha256/`;
    let token: string | undefined;
    do {
      const page = await this.#send("(list)", "list", async (client) => client.send(new ListObjectsV2Command({ Bucket: this.where.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) })));
      for (const object of page.Contents ?? []) {
        const sha256 = object.Key?.slice(prefix.length) ?? "";
        if (/^[0-9a-f]{64}$/.test(sha256)) yield sha256;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async *listBlobs(): AsyncIterable<BlobInfo> {
    const { ListObjectsV2Command } = await this.#loadSdk();
    const prefix = `${this.where.prefix}sha256/`;
    let token: string | undefined;
    do {
      const page = await this.#send("(list)", "list", async (client) => client.send(new ListObjectsV2Command({ Bucket: this.where.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) })));
      for (const object of page.Contents ?? []) {
        const sha256 = object.Key?.slice(prefix.length) ?? "";
        if (/^[0-9a-f]{64}$/.test(sha256) && object.LastModified) yield { sha256, bytes: object.Size ?? 0, writtenAt: object.LastModified };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async writtenAt(sha256: string): Promise<Date | undefined> {
    const { HeadObjectCommand } = await this.#loadSdk();
    try {
      const head = await this.#send(sha256, "read", async (client) => client.send(new HeadObjectCommand({ Bucket: this.where.bucket, Key: this.#key(checkSha256(sha256)) })));
      return head.LastModified;
    } catch (error) {
      if (error instanceof ArtifactError && error.code === "ARTIFACT_MISSING") return undefined;
      throw error;
    }
  }

  async delete(sha256: string): Promise<void> {
    const { DeleteObjectCommand } = await this.#loadSdk();
    await this.#send(sha256, "write", async (client) => client.send(new DeleteObjectCommand({ Bucket: this.where.bucket, Key: this.#key(checkSha256(sha256)) })));
  }

  /** Closes the SDK's connections. */
  async close(): Promise<void> {
    if (this.#client) (await this.#client).destroy();
  }

  #key(sha256: string): string {
    return `${this.where.prefix}sha256/${sha256}`;
  }

  #loadSdk(): Promise<typeof S3Sdk> {
    this.#sdk ??= loadS3Sdk();
    return this.#sdk;
  }

  #clientOnce(): Promise<S3Client> {
    this.#client ??= this.#loadSdk().then((sdk) => createS3Client(sdk, this.where, this.clientOptions));
    return this.#client;
  }

  async #send<T>(sha256: string, what: "read" | "write" | "list", operation: (client: S3Client) => Promise<T>): Promise<T> {
    const client = await this.#clientOnce();
    try {
      return await operation(client);
    } catch (error) {
      if (error instanceof ArtifactError) throw error;
      const name = (error as { name?: string }).name ?? "";
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (name === "NoSuchKey" || name === "NotFound" || status === 404) {
        if (name === "NoSuchBucket") throw new ArtifactError("ARTIFACT_STORE_UNAVAILABLE", `bucket ${this.where.bucket} does not exist`, { cause: error });
        throw new ArtifactError("ARTIFACT_MISSING", `blob ${sha256} is not in ${this.location}`, { cause: error });
      }
      throw new ArtifactError("ARTIFACT_STORE_UNAVAILABLE", `cannot ${what} ${what === "list" ? this.location : `blob ${sha256} in ${this.location}`}: ${name || (error as Error).message}`, { cause: error });
    }
  }
}
