import { basename, dirname, extname, join } from "node:path";
import type { ArtifactStore } from "./artifact-store.js";
import { FilesystemArtifactStore } from "./filesystem-artifact-store.js";
import { ReplicatedArtifactStore } from "./replicated-artifact-store.js";
import { parseS3Url, S3ArtifactStore } from "./s3-artifact-store.js";

/** The settings that choose the artifact store (`config.ts`). */
export interface ArtifactSettings {
  readonly CS_AGENTS_ARTIFACTS_DIR: string;
  readonly CS_AGENTS_ARTIFACTS_URL: string;
  readonly CS_AGENTS_ARTIFACTS_REPLICA_URL: string;
  readonly DATABASE_URL: string;
}

/** Where a store location string (a directory or an s3:// URL) keeps its blobs. */
export function artifactStoreAt(location: string): ArtifactStore {
  return location.startsWith("s3://") ? new S3ArtifactStore(parseS3Url(location)) : new FilesystemArtifactStore(location);
}

/**
 * The artifact store the settings name: the bucket of CS_AGENTS_ARTIFACTS_URL, the directory of
 * CS_AGENTS_ARTIFACTS_DIR, or by default `<SQLite file>-artifacts/` next to a SQLite database
 * (`data/cs-agents.db` → `data/cs-agents-artifacts/`). Undefined for an in-memory database and
 * for PostgreSQL without a setting: values then stay in the rows, as before (a fleet shares no
 * directory, so it needs a bucket or a shared volume named explicitly).
 * With CS_AGENTS_ARTIFACTS_REPLICA_URL, every blob is written to that bucket too.
 */
export function artifactStoreFor(settings: ArtifactSettings, database: { readonly kind: "sqlite"; readonly path: string } | { readonly kind: "postgres" }): ArtifactStore | undefined {
  const primary =
    settings.CS_AGENTS_ARTIFACTS_URL !== ""
      ? artifactStoreAt(settings.CS_AGENTS_ARTIFACTS_URL)
      : settings.CS_AGENTS_ARTIFACTS_DIR !== ""
        ? new FilesystemArtifactStore(settings.CS_AGENTS_ARTIFACTS_DIR)
        : database.kind === "sqlite" && database.path !== ":memory:" && !database.path.startsWith("file::memory:")
          ? new FilesystemArtifactStore(besideSqliteFile(database.path))
          : undefined;
  if (primary === undefined || settings.CS_AGENTS_ARTIFACTS_REPLICA_URL === "") return primary;
  return new ReplicatedArtifactStore(primary, artifactStoreAt(settings.CS_AGENTS_ARTIFACTS_REPLICA_URL));
}

/** `data/cs-agents.db` → `data/cs-agents-artifacts`. */
export function besideSqliteFile(path: string): string {
  const file = basename(path);
  return join(dirname(path), `${file.slice(0, file.length - extname(file).length) || file}-artifacts`);
}
