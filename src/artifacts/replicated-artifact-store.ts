import { ArtifactError, type ArtifactStore } from "./artifact-store.js";

/**
 * Two stores in two zones, kept the same: a blob is written to both before `put` returns
 * (so a run's journal never refers to a blob only one zone holds), and read from the primary,
 * or from the replica when the primary cannot give it (lost, unreachable, corrupt). After an
 * outage, `syncArtifacts` copies to the repaired side what it missed.
 */
export class ReplicatedArtifactStore implements ArtifactStore {
  readonly location: string;

  constructor(
    readonly primary: ArtifactStore,
    readonly replica: ArtifactStore,
  ) {
    this.location = `${primary.location} (replica ${replica.location})`;
  }

  async put(bytes: Uint8Array): Promise<string> {
    const [first, second] = await Promise.all([this.primary.put(bytes), this.replica.put(bytes)]);
    if (first !== second) throw new ArtifactError("ARTIFACT_CORRUPT", `the two zones hashed one blob differently (${first}, ${second})`);
    return first;
  }

  async get(sha256: string): Promise<Buffer> {
    try {
      return await this.primary.get(sha256);
    } catch (error) {
      if (!(error instanceof ArtifactError)) throw error;
      return this.replica.get(sha256);
    }
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.primary.has(sha256).catch(() => false)) || this.replica.has(sha256);
  }

  /** The primary's blobs, or the replica's when the primary cannot be listed at all. */
  async *list(): AsyncIterable<string> {
    let listed = 0;
    try {
      for await (const sha256 of this.primary.list()) {
        listed++;
        yield sha256;
      }
    } catch (error) {
      if (!(error instanceof ArtifactError) || listed > 0) throw error;
      yield* this.replica.list();
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.primary.close?.(), this.replica.close?.()]);
  }
}

/** What `syncArtifacts` did. */
export interface SyncReport {
  /** Blobs the source holds. */
  readonly checked: number;
  /** Blobs the target lacked and now holds. */
  readonly copied: number;
}

/**
 * Copies to `target` every blob of `source` it lacks (each checked against its hash on the way):
 * a new replica bucket filled from the primary, or a replaced primary filled from the replica.
 * Safe to run again and while runs write: blobs are never changed, only added.
 */
export async function syncArtifacts(source: ArtifactStore, target: ArtifactStore, onCopied?: (sha256: string) => void): Promise<SyncReport> {
  let checked = 0;
  let copied = 0;
  for await (const sha256 of source.list()) {
    checked++;
    if (await target.has(sha256)) continue;
    const written = await target.put(await source.get(sha256));
    if (written !== sha256) throw new ArtifactError("ARTIFACT_CORRUPT", `blob ${sha256} was written to ${target.location} as ${written}`);
    copied++;
    onCopied?.(sha256);
  }
  return { checked, copied };
}
