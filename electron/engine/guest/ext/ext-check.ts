/**
 * The metadata walk of a test restore on ext2/3/4: the superblock state, every group
 * descriptor (checksum with metadata_csum, tables and bitmaps inside the volume), the root
 * directory, then a bounded breadth-first sample of inodes from the root (directories
 * listed, block maps read, symlink targets read). Damage becomes findings; nothing throws.
 */
import type { GuestCheckFinding } from '../guest-filesystem.ts';
import { CheckFindings, messageOf } from '../check-findings.ts';
import type { FileBlockMap } from './ext-block-map.ts';
import type { ExtDirent } from './ext-directory.ts';
import { descriptorChecksum } from './ext-group-descriptors.ts';
import type { GroupDescriptors } from './ext-group-descriptors.ts';
import { ROOT_INODE } from './ext-inode.ts';
import type { ExtInode } from './ext-inode.ts';
import type { JournalState } from './ext-journal-replay.ts';
import type { ExtSuperblock } from './ext-superblock.ts';

/** Groups whose descriptors are checked (a 2 TiB filesystem of 4 KiB blocks has 16384). */
const MAX_GROUPS = 65536;
/** Findings of one kind kept (the count of the rest is reported). */

export interface ExtReader {
  readonly sb: ExtSuperblock;
  readonly groups: GroupDescriptors;
  inode(ino: number): Promise<ExtInode>;
  directory(inode: ExtInode): Promise<ExtDirent[]>;
  blockMap(inode: ExtInode): Promise<FileBlockMap>;
  symlinkTarget(inode: ExtInode): Promise<string>;
  /** What the in-memory journal replay did, when the superblock asked for recovery. */
  readonly journal?: JournalState | undefined;
}

const NOT_REPLAYED = 'recent changes may be missing or inconsistent';

async function checkJournal(reader: ExtReader, findings: CheckFindings): Promise<void> {
  const journal = reader.journal;
  if (journal === undefined) {
    if (reader.sb.needsRecovery) findings.add('warning', 'journal-needs-recovery', `The journal was not replayed: ${NOT_REPLAYED}.`);
    return;
  }
  if (journal.status === 'not-replayed') {
    findings.add('warning', 'journal-not-replayed', `The journal needs recovery but was not replayed (${journal.reason ?? 'unknown reason'}): ${NOT_REPLAYED}.`);
    return;
  }
  if (journal.fastCommit === true) {
    findings.add('warning', 'journal-fast-commit', `The journal uses fast commits, which are not replayed: ${NOT_REPLAYED}.`);
  }
  if (journal.status === 'empty') {
    findings.add('note', 'journal-needs-recovery', `The journal needs recovery but holds no committed transaction (${journal.reason ?? 'empty'}).`);
    return;
  }
  findings.add('note', 'journal-replayed', `The journal needed recovery (the guest was running or crashed) and was replayed in memory: ${journal.blocks} blocks from ${journal.transactions} transactions.`);
  try {
    const failed = journal.verify ? await journal.verify() : 0;
    if (failed > 0) findings.add('warning', 'journal-bad-copies', `${failed} block copies in the journal fail their checksum and were not replayed.`);
  } catch (error) {
    findings.add('error', 'journal-unreadable', `The journal's replayed blocks cannot be read: ${messageOf(error)}`);
  }
}

async function checkGroups(reader: ExtReader, findings: CheckFindings): Promise<void> {
  const sb = reader.sb;
  const groups = Math.min(sb.groupCount, MAX_GROUPS);
  for (let group = 0; group < groups; group += 1) {
    try {
      const raw = await reader.groups.raw(group);
      if (sb.has('metadata_csum') && descriptorChecksum(sb, group, raw) !== raw.readUInt16LE(30)) {
        findings.add('error', 'bad-group-descriptor', `Group ${group}'s descriptor checksum does not match.`);
        continue;
      }
      const descriptor = await reader.groups.get(group);
      for (const [what, block] of [['block bitmap', descriptor.blockBitmap], ['inode bitmap', descriptor.inodeBitmap]] as const) {
        if (block === 0 || block >= sb.blocksCount) {
          findings.add('error', 'bad-group-descriptor', `Group ${group}'s ${what} at block ${block} is outside the volume.`);
        }
      }
    } catch (error) {
      findings.add('error', 'bad-group-descriptor', messageOf(error));
    }
  }
  if (sb.groupCount > MAX_GROUPS) findings.add('warning', 'groups-not-checked', `Only the first ${MAX_GROUPS} of ${sb.groupCount} groups were checked.`);
}

async function sampleInodes(reader: ExtReader, maxInodes: number, findings: CheckFindings): Promise<void> {
  const queue: number[] = [ROOT_INODE];
  const seen = new Set<number>(queue);
  let visited = 0;
  while (queue.length > 0 && visited < maxInodes) {
    const ino = queue.shift() as number;
    visited += 1;
    try {
      const inode = await reader.inode(ino);
      if (inode.type === 'dir') {
        for (const entry of await reader.directory(inode)) {
          if (!seen.has(entry.ino) && seen.size < maxInodes * 4) {
            seen.add(entry.ino);
            queue.push(entry.ino);
          }
        }
      } else if (inode.type === 'symlink') {
        await reader.symlinkTarget(inode);
      } else if (inode.type === 'file' && (inode.flags & 0x10000000) === 0) {
        const map = await reader.blockMap(inode);
        const blocks = Math.ceil(inode.size / reader.sb.blockSize);
        await map.runs(0, Math.min(blocks, 4096));
      } else if (inode.type === 'unknown') {
        findings.add('error', 'bad-inode', `Inode ${ino} is named by a directory but is not in use (mode 0).`);
      }
    } catch (error) {
      findings.add('error', ino === ROOT_INODE ? 'unreadable-root' : 'bad-inode', `Inode ${ino}: ${messageOf(error)}`);
    }
  }
}

export async function checkExtMetadata(reader: ExtReader, maxInodes: number): Promise<GuestCheckFinding[]> {
  const findings = new CheckFindings();
  await checkJournal(reader, findings);
  await checkGroups(reader, findings);
  try {
    const root = await reader.inode(ROOT_INODE);
    if (root.type !== 'dir') findings.add('error', 'unreadable-root', 'The root inode is not a directory.');
  } catch (error) {
    findings.add('error', 'unreadable-root', messageOf(error));
  }
  await sampleInodes(reader, Math.max(1, maxInodes), findings);
  return findings.finish();
}
