import { access } from "node:fs/promises";
import { join, relative } from "node:path";
import type { Run } from "../core/index.js";
import type { ServiceStore as Store } from "../store/index.js";
import { writeArtifacts } from "./write-artifacts.js";

/** Where a run's files go when no --out is given: `<CS_AGENTS_OUT_DIR>/<run id>/`. */
export function defaultOutDir(outRoot: string, runId: string): string {
  return join(outRoot, runId);
}

/** Paths as a person reads them: relative to the working directory when inside it. */
export function shownPaths(files: readonly string[]): string[] {
  return files.map((f) => relative(process.cwd(), f) || f);
}

/** Writes a succeeded run's stored artifacts to `dir`; the paths written. */
export async function exportArtifacts(run: Run, dir: string): Promise<string[]> {
  return writeArtifacts(dir, run.result?.artifacts ?? []);
}

/**
 * Writes the files of recently succeeded runs whose default folder lacks any of them: a run
 * stopped right after it succeeded (Ctrl-C, kill -9) has its artifacts only in the store.
 * `run` makes that folder when the run starts, so a missing folder means the files went to
 * an --out folder, and is left alone.
 */
export async function writeMissingArtifacts(store: Store, outRoot: string, limit = 3): Promise<{ run: Run; files: string[] }[]> {
  const written: { run: Run; files: string[] }[] = [];
  for (const listed of await store.list({ status: ["succeeded"], limit })) {
    const run = listed.result ? listed : await store.get(listed.id);
    const artifacts = run?.result?.artifacts ?? [];
    if (!run || artifacts.length === 0) continue;
    const dir = defaultOutDir(outRoot, run.id);
    if (!(await exists(dir))) continue;
    const present = await Promise.all(artifacts.map((a) => exists(join(dir, a.name))));
    if (present.every(Boolean)) continue;
    written.push({ run, files: await exportArtifacts(run, dir) });
  }
  return written;
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
