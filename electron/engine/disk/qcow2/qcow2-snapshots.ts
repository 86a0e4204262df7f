/**
 * qcow2 internal snapshot table, at snapshots_offset, nb_snapshots entries, each aligned
 * to 8 bytes (big-endian):
 *
 * | offset | size | field                                                  |
 * |--------|------|--------------------------------------------------------|
 * | 0      | 8    | l1_table_offset (the snapshot's own L1 table)          |
 * | 8      | 4    | l1_size                                                |
 * | 12     | 2    | id_str_size                                            |
 * | 14     | 2    | name_size                                              |
 * | 16     | 4    | date_sec                                               |
 * | 20     | 4    | date_nsec                                              |
 * | 24     | 8    | vm_clock_nsec                                          |
 * | 32     | 4    | vm_state_size (32-bit)                                 |
 * | 36     | 4    | extra_data_size                                        |
 * | 40     | n    | extra data: vm_state_size_large u64, disk_size u64...  |
 * | 40+n   |      | id string, then name string, then padding to 8          |
 */
import { badImage } from '../image-error.ts';
import type { ImageFile } from '../image-file.ts';
import type { Qcow2Header } from './qcow2-header.ts';

const SNAPSHOT_FIXED_BYTES = 40;
const SNAPSHOT_MAX_EXTRA = 1024;
const SNAPSHOT_TABLE_MAX_BYTES = 64 * 1024 * 1024;

export interface Qcow2Snapshot {
  id: string;
  name: string;
  l1TableOffset: number;
  l1Size: number;
  vmStateSize: number;
  dateSec: number;
  dateNsec: number;
  vmClockNsec: number;
  diskSize: number | null;
  /** Bytes this entry takes in the snapshot table (padded to 8). */
  entryBytes: number;
}

/** Reads every snapshot entry, reading the table in pieces (each entry is bounded). */
export async function readQcow2Snapshots(file: ImageFile, header: Qcow2Header): Promise<Qcow2Snapshot[]> {
  const snapshots: Qcow2Snapshot[] = [];
  let position = header.snapshotsOffset;
  for (let index = 0; index < header.nbSnapshots; index += 1) {
    const field = `qcow2 snapshot table entry ${index}`;
    if (position - header.snapshotsOffset > SNAPSHOT_TABLE_MAX_BYTES) throw badImage(file.path, field, 'snapshot table is larger than 64 MiB');
    const fixed = await file.readAt(position, SNAPSHOT_FIXED_BYTES, field);
    const idSize = fixed.readUInt16BE(12);
    const nameSize = fixed.readUInt16BE(14);
    const extraSize = fixed.readUInt32BE(36);
    if (extraSize > SNAPSHOT_MAX_EXTRA) throw badImage(file.path, `${field}.extra_data_size`, `extra data of ${extraSize} bytes is too large`);
    const rest = await file.readAt(position + SNAPSHOT_FIXED_BYTES, extraSize + idSize + nameSize, field);
    const l1High = fixed.readBigUInt64BE(0);
    if (l1High > BigInt(Number.MAX_SAFE_INTEGER)) throw badImage(file.path, `${field}.l1_table_offset`, 'offset out of range');
    let vmStateSize = fixed.readUInt32BE(32);
    let diskSize: number | null = null;
    if (extraSize >= 8) vmStateSize = Number(rest.readBigUInt64BE(0));
    if (extraSize >= 16) diskSize = Number(rest.readBigUInt64BE(8));
    snapshots.push({
      l1TableOffset: Number(l1High),
      l1Size: fixed.readUInt32BE(8),
      id: rest.toString('utf8', extraSize, extraSize + idSize),
      name: rest.toString('utf8', extraSize + idSize, extraSize + idSize + nameSize),
      dateSec: fixed.readUInt32BE(16),
      dateNsec: fixed.readUInt32BE(20),
      vmClockNsec: Number(fixed.readBigUInt64BE(24)),
      vmStateSize,
      diskSize,
      entryBytes: Math.ceil((SNAPSHOT_FIXED_BYTES + extraSize + idSize + nameSize) / 8) * 8,
    });
    position += Math.ceil((SNAPSHOT_FIXED_BYTES + extraSize + idSize + nameSize) / 8) * 8;
  }
  return snapshots;
}
