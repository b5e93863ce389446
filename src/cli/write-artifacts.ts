import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { artifactBytes, type Artifact } from "../core/index.js";

/**
 * Writes each artifact to `dir/<name>` through a temporary file and a rename, so a reader
 * never sees half a report. Returns the paths written.
 */
export async function writeArtifacts(dir: string, artifacts: readonly Artifact[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const artifact of artifacts) {
    const path = join(dir, artifact.name);
    // A name may sit in one folder (charts/revenue.svg).
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, artifactBytes(artifact));
    await rename(temporary, path);
    paths.push(path);
  }
  return paths;
}
