/**
 * A point's files restored into a private staging folder laid out as the VM had them: each
 * file at its source path (the manifest's `sources`) mapped under the staging folder the
 * way discovery maps another machine's paths under `--root` (discovery-paths.ts underRoot).
 * Then discovery reads the staged configuration with that root and every path inside it
 * (relative or absolute, disk parents included) lands on the point's copy, never on a live
 * file of this machine. A source that is not a usable path (the manifest is untrusted) or
 * that two files share stays flat under `.flat/` by its point file name.
 *
 * Every file is restored from the vault, each chunk checked against its id and the whole
 * file against the manifest's digest.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import type { PointExtra } from '../backup/point-record.ts';
import { underRoot } from '../discovery/discovery-paths.ts';
import type { JobContext } from '../jobs/job-service.ts';
import type { Manifest, ManifestFile, VaultStore } from '../vault/store/index.ts';
import { manifestPathOf, selectFiles } from './restore-disks.ts';
import { restoredFileMode } from './restore-target.ts';

export interface StagedFile {
  file: ManifestFile;
  /** The file's path at backup time as the manifest records it (untrusted: a lookup key only). */
  source: string | null;
  staged: string;
}

const SOURCE_MAX = 4096;

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** Where each point file goes under `staging`. */
export function stagedLayout(manifest: Manifest, files: ManifestFile[], staging: string): StagedFile[] {
  const sources = ((manifest.extra ?? {}) as PointExtra).sources ?? {};
  const used = new Set<string>();
  return files.map((file) => {
    const recorded = Object.hasOwn(sources, file.path) ? sources[file.path] : undefined;
    const source = typeof recorded === 'string' && recorded.length > 0 && recorded.length <= SOURCE_MAX && !recorded.includes('\0')
      ? recorded : null;
    const mirrored = source !== null ? underRoot(source, staging) : null;
    const flatDir = join(staging, '.flat');
    const usable = mirrored !== null && inside(staging, mirrored) && !inside(flatDir, mirrored) && !used.has(mirrored);
    const staged = usable ? mirrored : join(flatDir, file.path);
    used.add(staged);
    return { file, source, staged };
  });
}

/** Restores every file of the point into `staging`; progress is reported on top of `base` bytes. */
export async function stagePoint(context: JobContext, store: VaultStore, manifest: Manifest, staging: string,
  progress: (bytes: number) => void): Promise<StagedFile[]> {
  const files = selectFiles(manifest, undefined, manifestPathOf(store, manifest));
  const layout = stagedLayout(manifest, files, staging);
  let done = 0;
  for (const entry of layout) {
    context.throwIfCancelled();
    await mkdir(dirname(entry.staged), { recursive: true });
    const index = await store.readIndex(entry.file.indexId, entry.file.size);
    const base = done;
    await store.restoreFile({
      index, outPath: entry.staged, expectedDigest: entry.file.digest, signal: context.signal,
      attributes: { mode: restoredFileMode(entry.file.mode), mtime: new Date(entry.file.mtimeMs) },
      onProgress: (step) => progress(base + step.bytesDone),
    });
    done = base + entry.file.size;
    progress(done);
  }
  return layout;
}

/** The staged VDI files (a differencing VDI's parent is looked for among them by UUID). */
export function vdiLayersOf(staged: readonly StagedFile[]): string[] {
  return staged.filter((entry) => entry.file.role === 'disk' && (entry.file.diskFormat === 'vdi' || entry.staged.toLowerCase().endsWith('.vdi')))
    .map((entry) => entry.staged);
}
