import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { scratchDir } from "./scratch.js";

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

/** A real S3-protocol server (s3rver) on a free loopback port, its objects in a scratch folder. */
export interface S3Server {
  readonly endpoint: string;
  /** The folder its buckets live in (delete a bucket's folder to lose it). */
  readonly directory: string;
  close(): Promise<void>;
}

// The SDK signs with these; s3rver checks signatures against the same pair.
process.env.AWS_ACCESS_KEY_ID = "S3RVER";
process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";

export async function startS3Server(buckets: readonly string[]): Promise<S3Server> {
  const S3rver = createRequire(import.meta.url)("s3rver") as S3rverClass;
  const directory = scratchDir("cs-agents-s3-");
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name, configs: [] })) });
  const address = await server.run();
  let closed = false;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    directory,
    close: async () => {
      if (closed) return;
      closed = true;
      await server.close();
    },
  };
}
