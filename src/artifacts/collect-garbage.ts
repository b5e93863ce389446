import type { RunStore, StepStore } from "../store/index.js";
import { ArtifactError, type ArtifactStore, type BlobInfo } from "./artifact-store.js";
import { BLOB_KEY, isBlobRef } from "./blob-ref.js";

/** How long a blob nobody references is kept anyway: a run may have written it and not yet committed the row that references it. */
export const DEFAULT_GC_GRACE_MS = 60 * 60 * 1000;

export interface GcOptions {
  /** Only blobs last written longer ago than this are deleted. Default one hour. */
  readonly graceMs?: number;
  /** Count what would be deleted; delete nothing. */
  readonly dryRun?: boolean;
  readonly now?: () => Date;
}

/** What `collectGarbage` found and did. */
export interface GcReport {
  /** Blobs in the artifact store. */
  readonly blobs: number;
  readonly bytes: number;
  /** Blobs a stored run references (its result, its steps, or a blob they reference). */
  readonly referenced: number;
  /** Blobs nobody references but written within the grace period: kept. */
  readonly young: number;
  /** Blobs deleted (with `dryRun`: that would be). */
  readonly deleted: number;
  readonly deletedBytes: number;
  readonly dryRun: boolean;
}

const PAGE = 500;

/**
 * Deletes the blobs of `artifacts` that no run of `store` references, once they are older than
 * the grace period. `store` is the database itself (not wrapped by `withArtifactStore`): the
 * references are read as the rows keep them, and a blob holding JSON is read for the
 * references inside it.
 *
 * Safe while workers run: blobs are listed before the runs are read, so a blob written later is
 * never a candidate; a blob written again by a run (`put` of one already there refreshes its
 * age) is checked once more just before it is deleted; a run writes its blobs before the row
 * that references them, so within the grace period an unreferenced blob is left alone.
 */
export async function collectGarbage(store: RunStore & StepStore, artifacts: ArtifactStore, options: GcOptions = {}): Promise<GcReport> {
  const { listBlobs, writtenAt, delete: remove } = artifacts;
  if (!listBlobs || !writtenAt || !remove) throw new ArtifactError("ARTIFACT_STORE_CONFIG", `the artifact store ${artifacts.location} cannot be garbage-collected (collect each of its replicas instead)`);
  const graceMs = options.graceMs ?? DEFAULT_GC_GRACE_MS;
  const cutoff = (options.now?.() ?? new Date()).getTime() - graceMs;
  const blobs: BlobInfo[] = [];
  for await (const blob of listBlobs.call(artifacts)) blobs.push(blob);
  const referenced = await referencedBlobs(store, artifacts);

  let young = 0;
  let deleted = 0;
  let deletedBytes = 0;
  for (const blob of blobs) {
    if (referenced.has(blob.sha256)) continue;
    if (blob.writtenAt.getTime() > cutoff) {
      young++;
      continue;
    }
    if (!options.dryRun) {
      // Written again since the listing: a run is about to reference it.
      const now = await writtenAt.call(artifacts, blob.sha256);
      if (now === undefined || now.getTime() > cutoff) continue;
      await remove.call(artifacts, blob.sha256);
    }
    deleted++;
    deletedBytes += blob.bytes;
  }
  return {
    blobs: blobs.length,
    bytes: blobs.reduce((sum, b) => sum + b.bytes, 0),
    referenced: blobs.filter((b) => referenced.has(b.sha256)).length,
    young,
    deleted,
    deletedBytes,
    dryRun: options.dryRun ?? false,
  };
}

/** Every blob a stored run references: in its result, its steps' inputs and outputs, and inside the JSON blobs those reference. */
async function referencedBlobs(store: RunStore & StepStore, artifacts: ArtifactStore): Promise<Set<string>> {
  const found = new Set<string>();
  const jsonBlobs: string[] = [];
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== "object") return;
    if (isBlobRef(value)) {
      const sha256 = value[BLOB_KEY];
      if (!found.has(sha256)) {
        found.add(sha256);
        if (value.form === "json") jsonBlobs.push(sha256);
      }
      return;
    }
    for (const item of Array.isArray(value) ? value : Object.values(value)) visit(item);
  };
  let before: string | undefined;
  for (;;) {
    const runs = await store.list({ limit: PAGE, ...(before === undefined ? {} : { before }) });
    for (const run of runs) {
      // A listing leaves results out: the run itself has it.
      visit((await store.get(run.id))?.result);
      for (const step of await store.load(run.id)) {
        visit(step.input);
        visit(step.output);
      }
    }
    if (runs.length < PAGE) break;
    before = runs.at(-1)?.id;
  }
  // A JSON blob holds the references of its parts (values are packed bottom-up).
  for (let sha256 = jsonBlobs.pop(); sha256 !== undefined; sha256 = jsonBlobs.pop()) {
    const bytes = await artifacts.get(sha256).catch((error: unknown) => {
      // A referenced blob already missing is not this command's to fix; its parts stay unknown,
      // so nothing is deleted on a guess.
      if (error instanceof ArtifactError && error.code === "ARTIFACT_MISSING") return undefined;
      throw error;
    });
    if (bytes === undefined) throw new ArtifactError("ARTIFACT_MISSING", `blob ${sha256}, which a stored run references, is not in ${artifacts.location}; nothing was deleted`);
    visit(JSON.parse(bytes.toString("utf8")) as unknown);
  }
  return found;
}
