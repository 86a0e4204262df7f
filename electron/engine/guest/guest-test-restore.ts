/**
 * A test restore of an opened point: its partition tables read, then each readable
 * filesystem's metadata walked in the guest worker (superblock, group descriptors or MFT,
 * root directory, a bounded sample of inodes). The outcome: verified (all clean; notes such
 * as an ext journal replayed in memory are listed as reasons), warnings
 * (readable, with findings to look at), failed (damage, with the reasons), or not-readable
 * (nothing Labvault reads: encrypted, unknown, an image format it does not read), also
 * with the reasons. A disk image that cannot be opened or read (damaged, a layer missing)
 * fails the point, naming the image's problem.
 */
import { ErrorCodes, isLabvaultError } from '../../../shared/errors.ts';
import type { TestRestore, TestRestoreStatus } from '../../../shared/contract/item-models.ts';
import type { GuestCheckFinding } from './guest-filesystem.ts';
import { volumesOf, type ChosenVolume } from './guest-session.ts';
import type { LayoutView } from './guest-worker-protocol.ts';

/** Inodes sampled per filesystem (breadth-first from the root). */
export const TEST_RESTORE_MAX_INODES = 2000;
/** Filesystems that hold no files of their own: not checked, not a reason to call a point unreadable. */
const NO_FILES = new Set(['swap', 'lvm2-pv']);
/** Disk errors from the disk image or the vault's copy of it, not from the partition table inside. */
const IMAGE_ERRORS = new Set<string>([
  ErrorCodes.BAD_IMAGE, ErrorCodes.NOT_FOUND, ErrorCodes.CORRUPT, ErrorCodes.IO_ERROR,
]);
const MAX_FINDINGS = 64;
const MAX_TEXT = 2000;

export type TestRestoreOutcome = Pick<TestRestore, 'status' | 'reasons' | 'volumes'>;

/** What a test restore reads: the point's layout, and the metadata walk of one volume (the guest worker). */
export interface TestRestoreTarget {
  layout(): Promise<LayoutView>;
  check(volume: ChosenVolume, maxInodes: number): Promise<GuestCheckFinding[]>;
}
type VolumeOutcome = TestRestore['volumes'][number];
type Finding = VolumeOutcome['findings'][number];

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

function volumeName(chosen: ChosenVolume): string {
  const where = chosen.volume.kind === 'logical-volume' ? `Logical volume ${chosen.volume.id}`
    : chosen.volume.kind === 'whole-disk' ? `Disk ${chosen.disk}` : `Disk ${chosen.disk} partition ${chosen.volume.id}`;
  return `${where} (${chosen.volume.filesystem}${chosen.volume.label ? `, "${chosen.volume.label}"` : ''})`;
}

function outcomeOf(chosen: ChosenVolume, status: TestRestoreStatus, findings: Finding[]): VolumeOutcome {
  return {
    disk: chosen.disk, id: chosen.volume.id, filesystem: chosen.volume.filesystem,
    ...(chosen.volume.label === undefined ? {} : { label: chosen.volume.label }),
    status,
    findings: findings.slice(0, MAX_FINDINGS).map((finding) => ({ ...finding, message: clip(finding.message) })),
  };
}

async function checkVolume(session: TestRestoreTarget, chosen: ChosenVolume,
  maxInodes: number): Promise<VolumeOutcome> {
  if (!chosen.volume.readable) {
    return outcomeOf(chosen, 'not-readable', [{ severity: 'note', kind: 'not-readable', message: chosen.volume.reason ?? 'Not readable.' }]);
  }
  let findings: GuestCheckFinding[];
  try {
    findings = await session.check(chosen, maxInodes);
  } catch (error) {
    if (!isLabvaultError(error)) throw error;
    // A feature the reader does not know is not damage: the volume is not readable, with why.
    if (error.code === ErrorCodes.UNSUPPORTED) {
      return outcomeOf(chosen, 'not-readable', [{ severity: 'note', kind: 'unsupported', message: error.message }]);
    }
    return outcomeOf(chosen, 'failed', [{ severity: 'error', kind: error.code === ErrorCodes.TIMEOUT ? 'timeout' : 'unreadable', message: error.message }]);
  }
  const status = findings.some((finding) => finding.severity === 'error') ? 'failed'
    : findings.some((finding) => finding.severity === 'warning') ? 'warnings' : 'verified';
  return outcomeOf(chosen, status, findings);
}

/** Runs the test restore on an opened point; never throws on what it finds in the disks. */
export async function testRestorePoint(session: TestRestoreTarget,
  maxInodes = TEST_RESTORE_MAX_INODES): Promise<TestRestoreOutcome> {
  const failures: string[] = [];
  const warnings: string[] = [];
  const notes: string[] = [];
  const unreadable: string[] = [];
  let layout;
  try {
    layout = await session.layout();
  } catch (error) {
    if (!isLabvaultError(error)) throw error;
    return { status: 'failed', reasons: [clip(`The partition tables could not be read: ${error.message}`)], volumes: [] };
  }
  if (layout.disks.length === 0) return { status: 'not-readable', reasons: ['The point has no disks.'], volumes: [] };
  for (const disk of layout.disks) {
    if (disk.error) {
      const line = `Disk ${disk.disk} (${disk.name}): ${disk.error.message}`;
      if (disk.error.code === ErrorCodes.UNSUPPORTED) unreadable.push(line);
      else if (IMAGE_ERRORS.has(disk.error.code)) failures.push(`Disk ${disk.disk} (${disk.name}): its disk image cannot be read: ${disk.error.message}`);
      else failures.push(`Disk ${disk.disk} (${disk.name}): its partition table is damaged: ${disk.error.message}`);
    }
    for (const warning of disk.warnings) warnings.push(`Disk ${disk.disk} (${disk.name}): ${warning}`);
  }
  warnings.push(...layout.warnings);
  const volumes: VolumeOutcome[] = [];
  for (const chosen of volumesOf(layout)) {
    if (NO_FILES.has(chosen.volume.filesystem)) continue;
    const outcome = await checkVolume(session, chosen, maxInodes);
    volumes.push(outcome);
    const name = volumeName(chosen);
    for (const finding of outcome.findings) {
      const line = `${name}: ${finding.message}`;
      if (outcome.status === 'not-readable') unreadable.push(line);
      else if (finding.severity === 'error') failures.push(line);
      else if (finding.severity === 'warning') warnings.push(line);
      else notes.push(line);
    }
  }
  const readable = volumes.some((volume) => volume.status !== 'not-readable');
  let status: TestRestoreStatus;
  let reasons: string[];
  if (failures.length > 0) {
    status = 'failed';
    reasons = [...failures, ...warnings];
  } else if (!readable) {
    status = 'not-readable';
    reasons = unreadable.length > 0 ? unreadable : ['No partition or filesystem was found on the point\'s disks.'];
  } else {
    status = warnings.length > 0 ? 'warnings' : 'verified';
    // Volumes next to readable ones that are not read (a Microsoft reserved partition,
    // LUKS) are noted, not warned about.
    reasons = [...warnings, ...unreadable.map((line) => `Not checked: ${line}`), ...notes];
  }
  return { status, reasons: reasons.slice(0, MAX_FINDINGS).map(clip), volumes: volumes.slice(0, 256) };
}
