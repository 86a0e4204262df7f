/**
 * The partition table of a disk: GPT (primary, else backup), MBR with logical partitions,
 * or none (a filesystem on the whole disk, or nothing known). A protective MBR whose GPT
 * is unreadable on both copies is damage, not "no table".
 */
import { readGpt } from './gpt.ts';
import type { BlockSource } from './guest-filesystem.ts';
import { guestDamage } from './guest-errors.ts';
import { detectFilesystem } from './detect-filesystem.ts';
import { isProtectiveMbr, looksLikeMbr, readMbr } from './mbr.ts';
import type { PartitionTable } from './partition-entry.ts';

export async function readPartitionTable(source: BlockSource): Promise<PartitionTable> {
  if (source.size < 512) return { kind: 'none', partitions: [], warnings: [] };
  const mbr = await source.read(0, 512);
  const gpt = await readGpt(source);
  if (gpt !== null && typeof gpt !== 'string') return { kind: 'gpt', partitions: gpt.partitions, warnings: gpt.warnings };
  const protective = looksLikeMbr(mbr, source.size) && isProtectiveMbr(mbr);
  if (typeof gpt === 'string' || protective) {
    throw guestDamage('The GPT partition table', gpt ?? 'the protective MBR announces a GPT but no GPT header was found');
  }
  // A FAT or NTFS boot sector also ends in 0x55AA: a filesystem at byte 0 wins over an MBR reading.
  const whole = await detectFilesystem(source);
  if (whole.kind !== 'unknown') return { kind: 'none', partitions: [], warnings: [] };
  if (looksLikeMbr(mbr, source.size)) {
    const read = await readMbr(source, mbr);
    return { kind: 'mbr', partitions: read.partitions, warnings: read.warnings };
  }
  return { kind: 'none', partitions: [], warnings: [] };
}
