import { randomBytes } from "node:crypto";
import { access, mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ArtifactError, checkSha256, sha256Hex, verified, type ArtifactStore, type BlobInfo } from "./artifact-store.js";

/**
 * Blobs as files `<dir>/<first 2 hex digits>/<sha256>` (256 folders keep any one folder small).
 * A blob is written to a temporary file and renamed, so a reader never sees part of one.
 */
export class FilesystemArtifactStore implements ArtifactStore {
  readonly location: string;

  constructor(readonly dir: string) {
    this.location = dir;
  }

  async put(bytes: Uint8Array): Promise<string> {
    const sha256 = sha256Hex(bytes);
    const path = this.#path(sha256);
    // A blob already there is written again as far as its age goes: a run about to reference it
    // keeps it young, so garbage collection's grace period covers it until the run's row commits.
    const now = new Date();
    if (await utimes(path, now, now).then(() => true, () => false)) return sha256;
    const folder = join(this.dir, sha256.slice(0, 2));
    const temporary = join(folder, `.${sha256}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
    try {
      await mkdir(folder, { recursive: true });
      await writeFile(temporary, bytes);
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw new ArtifactError("ARTIFACT_STORE_UNAVAILABLE", `cannot write blob ${sha256} to ${this.dir}: ${(error as Error).message}`, { cause: error });
    }
    return sha256;
  }

  async get(sha256: string): Promise<Buffer> {
    const path = this.#path(checkSha256(sha256));
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new ArtifactError("ARTIFACT_MISSING", `blob ${sha256} is not in ${this.dir}`);
      throw new ArtifactError("ARTIFACT_STORE_UNAVAILABLE", `cannot read blob ${sha256} from ${this.dir}: ${(error as Error).message}`, { cause: error });
    }
    return verified(sha256, bytes, this.dir);
  }

  has(sha256: string): Promise<boolean> {
    return exists(this.#path(checkSha256(sha256)));
  }

  async *list(): AsyncIterable<string> {
    const folders = await readdir(this.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw new ArtifactError("ARTIFACT_STORE_UNAVAILABLE", `cannot list ${this.dir}: ${error.message}`, { cause: error });
    });
    for (const folder of folders.filter((f) => /^[0-9a-f]{2}$/.test(f)).sort()) {
      for (const file of (await readdir(join(this.dir, folder))).sort()) {
        if (/^[0-9a-f]{64}$/.test(file) && file.startsWith(folder)) yield file;
      }
    }
  }

  async *listBlobs(): AsyncIterable<BlobInfo> {
    for await (const sha256 of this.list()) {
      const info = await stat(this.#path(sha256)).catch(() => undefined);
      // Gone since the listing (collected by another process): nothing to report.
      if (info) yield { sha256, bytes: info.size, writtenAt: info.mtime };
    }
  }

  async writtenAt(sha256: string): Promise<Date | undefined> {
    return (await stat(this.#path(checkSha256(sha256))).catch(() => undefined))?.mtime;
  }

  async delete(sha256: string): Promise<void> {
    try {
      await rm(this.#path(checkSha256(sha256)), { force: true });
    } catch (error) {
      throw new ArtifactError("ARTIFACT_STORE_UNAVAILABLE", `cannot delete blob ${sha256} from ${this.dir}: ${(error as Error).message}`, { cause: error });
    }
  }

  #path(sha256: string): string {
    return join(this.dir, sha256.slice(0, 2), sha256);
  }
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
