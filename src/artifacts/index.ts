export { ArtifactError, sha256Hex, type ArtifactStore } from "./artifact-store.js";
export { BLOB_KEY, DEFAULT_INLINE_LIMIT, holdsBlobRef, isBlobRef, packValue, unpackValue, type BlobRef } from "./blob-ref.js";
export { FilesystemArtifactStore } from "./filesystem-artifact-store.js";
export { artifactStoreAt, artifactStoreFor, besideSqliteFile, type ArtifactSettings } from "./open-artifact-store.js";
export { ReplicatedArtifactStore, syncArtifacts, type SyncReport } from "./replicated-artifact-store.js";
export { parseS3Url, S3ArtifactStore, type S3Location } from "./s3-artifact-store.js";
export { withArtifactStore, type WithArtifactStoreOptions } from "./with-artifact-store.js";
export { openStoreWithArtifacts } from "./open-store-with-artifacts.js";
export { moveInlineValues, type MoveReport } from "./move-inline-values.js";
