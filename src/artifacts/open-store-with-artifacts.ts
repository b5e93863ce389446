import { openStore, parseStoreUrl, type OpenStoreOptions, type ServiceStore } from "../store/index.js";
import type { ArtifactStore } from "./artifact-store.js";
import { artifactStoreFor, type ArtifactSettings } from "./open-artifact-store.js";
import { withReadCache } from "./read-cache.js";
import { withArtifactStore } from "./with-artifact-store.js";

/**
 * Opens the configured database with the configured artifact store in front of it (see
 * `artifactStoreFor`), its reads through a cache of recent blobs; without an artifact store,
 * the database alone, as before.
 */
export async function openStoreWithArtifacts(settings: ArtifactSettings, options: OpenStoreOptions = {}): Promise<{ store: ServiceStore; artifacts: ArtifactStore | undefined }> {
  const location = parseStoreUrl(settings.DATABASE_URL);
  const artifacts = artifactStoreFor(settings, location);
  const store = await openStore(settings.DATABASE_URL, options);
  return { store: artifacts ? withArtifactStore(store, withReadCache(artifacts)) : store, artifacts };
}
