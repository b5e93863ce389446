import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FilesystemArtifactStore, withReadCache } from "../../src/artifacts/index.js";
import { scratchDir } from "../support/scratch.js";

/** The filesystem store, counting the blobs it reads. */
class CountingBlobs extends FilesystemArtifactStore {
  reads = 0;
  override async get(sha256: string): Promise<Buffer> {
    this.reads++;
    return super.get(sha256);
  }
}

describe("withReadCache", () => {
  it("reads a blob from its store once, and gives every caller bytes of its own", async () => {
    const blobs = new CountingBlobs(join(scratchDir(), "blobs"));
    const cached = withReadCache(blobs, 1_000);
    const sha = await cached.put(Buffer.from("quarterly figures"));
    const first = await cached.get(sha);
    first.fill(0);
    const second = await cached.get(sha);
    expect(second.toString("utf8")).toBe("quarterly figures");
    expect(await cached.get(sha)).toEqual(second);
    expect(blobs.reads).toBe(1);
  });

  it("keeps no blob larger than an eighth of its budget, and forgets what it deletes", async () => {
    const blobs = new CountingBlobs(join(scratchDir(), "blobs"));
    const cached = withReadCache(blobs, 800);
    const big = await cached.put(Buffer.alloc(101, 1));
    const small = await cached.put(Buffer.alloc(100, 2));
    await cached.get(big);
    await cached.get(big);
    expect(blobs.reads).toBe(2);
    await cached.get(small);
    await cached.delete?.(small);
    await expect(cached.get(small)).rejects.toMatchObject({ code: "ARTIFACT_MISSING" });
    expect(await cached.has(small)).toBe(false);
  });

  it("passes the store's listing and ages through", async () => {
    const blobs = new CountingBlobs(join(scratchDir(), "blobs"));
    const cached = withReadCache(blobs);
    const sha = await cached.put(Buffer.from("x"));
    const listed: string[] = [];
    for await (const name of cached.list()) listed.push(name);
    expect(listed).toEqual([sha]);
    expect(await cached.writtenAt?.(sha)).toBeInstanceOf(Date);
    expect(cached.location).toBe(blobs.location);
  });
});
