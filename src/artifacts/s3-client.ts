import type * as S3Sdk from "@aws-sdk/client-s3";
import type { S3Client } from "@aws-sdk/client-s3";
import type { S3Location } from "./s3-artifact-store.js";

/** How patient one S3 client is: attempts per request (the SDK's retries) and its time limit. */
export interface S3ClientOptions {
  readonly maxAttempts?: number;
  readonly requestTimeoutMs?: number;
}

/**
 * The AWS SDK, loaded on first use: commands that never touch a bucket start as fast as before
 * (it costs a few hundred milliseconds to load).
 */
export function loadS3Sdk(): Promise<typeof S3Sdk> {
  return import("@aws-sdk/client-s3");
}

/**
 * An SDK client for the bucket an `s3://` URL names (`parseS3Url`): its region, endpoint and
 * addressing style. Credentials come from the AWS environment (keys, a profile, the pod's role).
 * Shared by the artifact store and the audit checkpoints, so both read a URL the same way.
 */
export function createS3Client(sdk: typeof S3Sdk, where: S3Location, options: S3ClientOptions = {}): S3Client {
  return new sdk.S3Client({
    region: where.region,
    forcePathStyle: where.pathStyle,
    ...(where.endpoint === undefined ? {} : { endpoint: where.endpoint }),
    maxAttempts: options.maxAttempts ?? 3,
    // Checksums only where S3 requires them: many S3-compatible servers reject the
    // aws-chunked uploads with trailing checksums the SDK now sends by default. Each blob is
    // checked against its SHA-256 when read anyway, and a checkpoint against its signature.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: { requestTimeout: options.requestTimeoutMs ?? 30_000, connectionTimeout: 5_000 },
  });
}
