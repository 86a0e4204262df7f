/**
 * The metadata walk of a test restore on NTFS: $MFT and its runlist read (done on open),
 * $Volume's dirty flag, the root folder's index, then
 * a bounded breadth-first sample of files (folders listed, every file's record, attribute
 * list and runlists parsed). Damage becomes findings; nothing throws.
 */
import type { GuestCheckFinding } from '../guest-filesystem.ts';
import { CheckFindings, messageOf } from '../check-findings.ts';
import { AttributeType } from './ntfs-record.ts';
import { ROOT_RECORD } from './ntfs-record.ts';
import type { Mft, NtfsFile } from './ntfs-mft.ts';

/** What the check reads of an NTFS filesystem (ntfs-filesystem.ts passes itself). */
export interface NtfsWalk {
  readonly mft: Mft;
  info(file: NtfsFile): Promise<{ type: string }>;
  directory(file: NtfsFile): Promise<Array<{ record: number }>>;
}

const VOLUME_DIRTY = 0x0001;

export async function checkNtfsMetadata(fs: NtfsWalk, maxInodes: number): Promise<GuestCheckFinding[]> {
  const findings = new CheckFindings();
  const add = (severity: GuestCheckFinding['severity'], kind: string, message: string): void => findings.add(severity, kind, message);
  try {
    const volume = fs.mft.stream(await fs.mft.file(3), 0x70, '');
    if (volume?.resident && volume.resident.length >= 12 && (volume.resident.readUInt16LE(10) & VOLUME_DIRTY) !== 0) {
      add('warning', 'volume-dirty', 'The volume is marked dirty (Windows was not shut down cleanly): chkdsk would run on it.');
    }
  } catch (error) {
    add('error', 'bad-mft', `$Volume: ${messageOf(error)}`);
  }
  const queue: number[] = [ROOT_RECORD];
  const seen = new Set<number>(queue);
  let visited = 0;
  while (queue.length > 0 && visited < Math.max(1, maxInodes)) {
    const number = queue.shift() as number;
    visited += 1;
    try {
      const file = await fs.mft.file(number);
      const info = await fs.info(file);
      if (info.type === 'dir') {
        for (const entry of await fs.directory(file)) {
          if (!seen.has(entry.record) && seen.size < maxInodes * 4) {
            seen.add(entry.record);
            queue.push(entry.record);
          }
        }
      } else if (info.type === 'file') {
        const data = fs.mft.stream(file, AttributeType.DATA, '');
        const last = data?.runs[data.runs.length - 1];
        const cs = fs.mft.geometry.clusterSize;
        if (data && !data.resident && data.dataSize > 0 && (!last || (last.vcn + last.length) * cs < data.dataSize)) {
          add('error', 'bad-runlist', `MFT record ${number}: its runlist maps fewer bytes than its size ${data.dataSize}.`);
        }
      }
    } catch (error) {
      add('error', number === ROOT_RECORD ? 'unreadable-root' : 'bad-record', `MFT record ${number}: ${messageOf(error)}`);
    }
  }
  return findings.finish();
}
