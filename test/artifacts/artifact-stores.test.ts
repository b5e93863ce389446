import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { artifactStoreFor, besideSqliteFile, FilesystemArtifactStore, parseS3Url, S3ArtifactStore, sha256Hex, type ArtifactStore } from "../../src/artifacts/index.js";
import { loadConfig } from "../../src/config.js";
import { scratchDir } from "../support/scratch.js";
import { startS3Server } from "../support/s3-server.js";

const s3 = await startS3Server(["cs-artifacts"]);
afterAll(() => s3.close());

async function listed(store: ArtifactStore): Promise<string[]> {
  const all: string[] = [];
  for await (const sha256 of store.list()) all.push(sha256);
  return all.sort();
}

interface Adapter {
  readonly name: string;
  open(): ArtifactStore;
  /** Replaces the bytes stored under `sha256` behind the store's back. */
  corrupt(store: ArtifactStore, sha256: string): Promise<void>;
}

const adapters: Adapter[] = [
  {
    name: "filesystem",
    open: () => new FilesystemArtifactStore(join(scratchDir(), "blobs")),
    corrupt: async (store, sha256) => writeFileSync(join((store as FilesystemArtifactStore).dir, sha256.slice(0, 2), sha256), "not the bytes"),
  },
  {
    name: "S3 (s3rver, through the AWS SDK v3)",
    open: () => new S3ArtifactStore(parseS3Url(`s3://cs-artifacts/t${Math.random().toString(36).slice(2)}?endpoint=${s3.endpoint}`)),
    corrupt: async (store, sha256) => {
      const { PutObjectCommand, S3Client } = await import("@aws-sdk/client-s3");
      const where = (store as S3ArtifactStore).where;
      const client = new S3Client({ region: where.region, endpoint: s3.endpoint, forcePathStyle: true, requestChecksumCalculation: "WHEN_REQUIRED" });
      await client.send(new PutObjectCommand({ Bucket: where.bucket, Key: `${where.prefix}sha256/${sha256}`, Body: "not the bytes" }));
      client.destroy();
    },
  },
];

describe.each(adapters)("the $name artifact store", (adapter) => {
  it("stores bytes once under their SHA-256 and gives them back", async () => {
    const store = adapter.open();
    const bytes = Buffer.from("季度报告 report.md\n".repeat(200));
    const binary = Buffer.from(Array.from({ length: 4_096 }, (_, i) => (i * 7) % 256));
    const sha256 = await store.put(bytes);
    expect(sha256).toBe(sha256Hex(bytes));
    expect(await store.put(bytes)).toBe(sha256);
    const binaryHash = await store.put(binary);
    expect((await store.get(sha256)).equals(bytes)).toBe(true);
    expect((await store.get(binaryHash)).equals(binary)).toBe(true);
    expect(await store.has(sha256)).toBe(true);
    expect(await listed(store)).toEqual([sha256, binaryHash].sort());
    await store.close?.();
  });

  it("says ARTIFACT_MISSING for a hash it does not hold, and refuses what is not a hash", async () => {
    const store = adapter.open();
    const absent = sha256Hex(Buffer.from("never stored"));
    expect(await store.has(absent)).toBe(false);
    await expect(store.get(absent)).rejects.toMatchObject({ code: "ARTIFACT_MISSING" });
    await expect(store.get("../../etc/passwd")).rejects.toMatchObject({ code: "ARTIFACT_MISSING" });
    await store.close?.();
  });

  it("says ARTIFACT_CORRUPT when the stored bytes no longer hash to their name", async () => {
    const store = adapter.open();
    const sha256 = await store.put(Buffer.from("the real report"));
    await adapter.corrupt(store, sha256);
    await expect(store.get(sha256)).rejects.toMatchObject({ code: "ARTIFACT_CORRUPT" });
    await store.close?.();
  });
});

describe("choosing the artifact store", () => {
  const settings = (values: Record<string, string>) => loadConfig({ CS_AGENTS_AUTH: "off", ...values });

  it("puts it next to a SQLite file by default, and keeps values inline for :memory: and PostgreSQL without a setting", () => {
    expect(besideSqliteFile("data/cs-agents.db")).toBe(join("data", "cs-agents-artifacts"));
    const byDefault = artifactStoreFor(settings({}), { kind: "sqlite", path: "data/cs-agents.db" });
    expect(byDefault?.location).toBe(join("data", "cs-agents-artifacts"));
    expect(artifactStoreFor(settings({}), { kind: "sqlite", path: ":memory:" })).toBeUndefined();
    expect(artifactStoreFor(settings({}), { kind: "postgres" })).toBeUndefined();
    expect(artifactStoreFor(settings({ CS_AGENTS_ARTIFACTS_DIR: "/srv/blobs" }), { kind: "postgres" })?.location).toBe("/srv/blobs");
    expect(artifactStoreFor(settings({ CS_AGENTS_ARTIFACTS_URL: "s3://reports/cs?region=eu-west-1" }), { kind: "postgres" })?.location).toBe("s3://reports/cs/");
    expect(artifactStoreFor(settings({ CS_AGENTS_ARTIFACTS_URL: "s3://zone-a", CS_AGENTS_ARTIFACTS_REPLICA_URL: "s3://zone-b" }), { kind: "postgres" })?.location).toBe("s3://zone-a/ (replica s3://zone-b/)");
  });

  it.each([
    [{ CS_AGENTS_ARTIFACTS_URL: "https://bucket" }, /CS_AGENTS_ARTIFACTS_URL: must be s3:\/\/bucket/],
    [{ CS_AGENTS_ARTIFACTS_URL: "s3://Bad_Bucket" }, /CS_AGENTS_ARTIFACTS_URL: must be s3:\/\/bucket/],
    [{ CS_AGENTS_ARTIFACTS_REPLICA_URL: "/srv/replica" }, /CS_AGENTS_ARTIFACTS_REPLICA_URL: must be s3:\/\//],
    [{ CS_AGENTS_ARTIFACTS_URL: "s3://reports", CS_AGENTS_ARTIFACTS_DIR: "/srv/blobs" }, /set either CS_AGENTS_ARTIFACTS_DIR or CS_AGENTS_ARTIFACTS_URL, not both/],
  ])("refuses %j with a one-line error", (values, message) => {
    expect(() => settings(values)).toThrow(message);
  });

  it.each([
    ["s3://user:secret@reports", /credentials do not belong in it/],
    ["s3://reports?endpoint=ftp://x", /endpoint must be an http\(s\) URL/],
    ["s3://reports?colour=blue", /unknown parameter "colour"/],
    ["s3://reports?path_style=yes", /path_style must be "true" or "false"/],
  ])("refuses the S3 URL %s, naming the problem and never the credentials", (url, message) => {
    expect(() => parseS3Url(url)).toThrow(message);
    expect(() => parseS3Url(url)).not.toThrow(/secret/);
  });

  it("reads bucket, prefix, endpoint, region and path style from the URL", () => {
    expect(parseS3Url("s3://reports/cs-agents/prod?endpoint=http://minio:9000&region=cn-north-1")).toEqual({ bucket: "reports", prefix: "cs-agents/prod/", endpoint: "http://minio:9000", region: "cn-north-1", pathStyle: true });
    expect(parseS3Url("s3://reports")).toEqual({ bucket: "reports", prefix: "", region: "us-east-1", pathStyle: false });
  });
});

// The scratch folders are s3rver's: it keeps each bucket in a folder of its own.
it("keeps the bucket in the server's folder", () => {
  expect(readdirSync(s3.directory)).toContain("cs-artifacts");
});
