/**
 * Restore disks with `format` or `flatten`: every disk of the point written as one image per
 * disk, its chain merged, in the chosen format (or the top layer's own). The point's files
 * are first restored into a staging folder inside the target (each checked against its
 * digests, laid out as the VM had them, staged-point.ts); the disks are the staged disk
 * files no other staged disk uses as a parent (or the named ones); each is written with the
 * disk writers, never over an existing file, then compared with the staged chain byte for
 * byte and checked. Other files of the point (configuration, NVRAM) are not written: this
 * restores disks.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { RestoreDiskFormat } from '../../../shared/contract/restore-vm-channels.ts';
import { findDiskFormat } from '../disk/disk-formats.ts';
import type { DiskFormat } from '../disk/virtual-disk.ts';
import type { JobContext } from '../jobs/job-service.ts';
import type { Manifest, ManifestFile, VaultStore } from '../vault/store/index.ts';
import { assertRestoredDiskMatches } from './restored-disk-match.ts';
import { RESTORE } from './restore-disks.ts';
import { openTargetRoot } from './restore-target.ts';
import { checkRestoredDisk } from './restored-vm-verify.ts';
import { flattenStagedDisk, openStagedDisk, stagedChainPaths, type StagedRoot } from './staged-disk-chain.ts';
import { stagePoint, vdiLayersOf } from './staged-point.ts';

export const VERIFY = 'Verify';

const EXTENSION: Record<string, string> = { raw: 'img', qcow2: 'qcow2', vmdk: 'vmdk', vdi: 'vdi', vhdx: 'vhdx', vpc: 'vhd' };

export interface ConvertedDisksRequest {
  store: VaultStore;
  manifest: Manifest;
  targetDir: string;
  /** Only these disk files of the point (their chains are read as needed). */
  files?: string[] | undefined;
  format?: RestoreDiskFormat | undefined;
  env: NodeJS.ProcessEnv;
}

/** The output name of a disk: its point file name with the format's extension. */
export function convertedName(pointFileName: string, format: DiskFormat): string {
  const stem = basename(pointFileName, extname(pointFileName)) || pointFileName;
  return `${stem}.${EXTENSION[format] ?? format}`;
}

/** Refuses before the job when an output a disk of the point could get exists. */
export async function assertConvertedTargetsFree(targetDir: string, disks: ManifestFile[],
  format: RestoreDiskFormat | undefined): Promise<void> {
  const existing: string[] = [];
  for (const disk of disks) {
    const target = join(targetDir, convertedName(disk.path, (format ?? disk.diskFormat ?? 'raw') as DiskFormat));
    if (await stat(target).then(() => true, () => false)) existing.push(target);
  }
  if (existing.length > 0) {
    throw new LabvaultError(ErrorCodes.CONFLICT, `Restore never overwrites files, and these exist: ${existing.join(', ')}. Choose another folder.`,
      { field: 'to', details: { existing } });
  }
}

async function stagedFormat(path: string, staging: StagedRoot): Promise<DiskFormat> {
  const disk = await openStagedDisk(path, staging);
  await disk.close();
  return disk.format;
}

export async function runConvertedDisks(context: JobContext, request: ConvertedDisksRequest): Promise<void> {
  const { store, manifest } = request;
  const total = manifest.files.reduce((sum, file) => sum + file.size, 0);
  context.begin(RESTORE, total);
  const targetDir = await openTargetRoot(request.targetDir);
  const staging = await mkdtemp(join(targetDir, '.labvault-restore-'));
  const written: string[] = [];
  try {
    const staged = await stagePoint(context, store, manifest, staging,
      (bytes) => context.report(RESTORE, { bytesRead: bytes }));
    const disks = staged.filter((entry) => entry.file.role === 'disk');
    const layers: StagedRoot = { root: staging, vdiLayers: vdiLayersOf(staged) };
    const parents = new Set<string>();
    for (const disk of disks) {
      for (const parent of (await stagedChainPaths(disk.staged, layers)).slice(1)) parents.add(parent);
    }
    const named = request.files && request.files.length > 0 ? new Set(request.files) : null;
    const tops = disks.filter((disk) => (named ? named.has(disk.file.path) : !parents.has(disk.staged)));
    if (tops.length === 0) throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'The point has no disk to restore.', { field: 'files' });
    const outputs: { staged: string; path: string; format: DiskFormat }[] = [];
    for (const top of tops) {
      context.throwIfCancelled();
      const format: DiskFormat = request.format ?? (await stagedFormat(top.staged, layers));
      if (!findDiskFormat(format)?.write) {
        throw new LabvaultError(ErrorCodes.UNSUPPORTED, `${top.file.path}: ${format} images cannot be written; choose --format.`, { field: 'format' });
      }
      const path = join(targetDir, convertedName(top.file.path, format));
      written.push(path);
      await flattenStagedDisk(top.staged, layers, path, { format, signal: context.signal });
      outputs.push({ staged: top.staged, path, format });
    }
    context.end(RESTORE, 'completed', `${outputs.length} disk${outputs.length === 1 ? '' : 's'} written as one image each (chains merged): ${outputs.map((output) => basename(output.path)).join(', ')}.`);
    context.begin(VERIFY);
    let verified = 0;
    const checks: string[] = [];
    for (const output of outputs) {
      await assertRestoredDiskMatches(output.staged, layers, output.path, output.format, (bytes) => {
        verified += bytes;
        context.report(VERIFY, { bytesRead: verified });
      }, context.signal);
      checks.push(`${basename(output.path)}: same content as the point, ${await checkRestoredDisk(output.path, output.format, request.env)}`);
    }
    context.end(VERIFY, 'completed', `${checks.join('; ')}.`);
  } catch (error) {
    for (const path of written) await rm(path, { force: true }).catch(() => undefined);
    throw error;
  } finally {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}
