/**
 * The volumes of a point's disks: each disk's partition table read, each partition's (or
 * the whole disk's) filesystem detected, and LVM2 physical volumes gathered across all
 * disks into their volume groups, whose logical volumes become volumes of their own.
 * A disk whose table is damaged is reported with its error, not dropped.
 */
import { sliceSource } from './block-source-views.ts';
import { detectFilesystem } from './detect-filesystem.ts';
import { unreadableReason } from './filesystem-readers.ts';
import type { BlockSource, GuestVolume } from './guest-filesystem.ts';
import { isLabvaultError } from '../../../shared/errors.ts';
import { readPartitionTable } from './partition-table.ts';
import { logicalVolumesOf } from './lvm/lvm-volumes.ts';
import type { PhysicalVolumeRef } from './lvm/lvm-volumes.ts';

export interface DiskInput {
  source: BlockSource;
  /** The point's file name of the disk, for messages. */
  name: string;
}

export interface DiskLayout {
  /** Index in the point's disks (`--disk N`). */
  disk: number;
  name: string;
  size: number;
  table: 'gpt' | 'mbr' | 'none' | 'unreadable';
  volumes: GuestVolume[];
  warnings: string[];
  /** Why the table could not be read (table 'unreadable'), or why the disk image could not be opened. */
  error?: { code: string; message: string };
  /** The disk image format and the point files the disk is read from, top layer first (point-disks.ts). */
  image?: { format: string; files: string[] };
}

export interface VolumeHandle {
  volume: GuestVolume;
  /** The disk it lives on; for a logical volume, its first physical volume's disk. */
  disk: number;
  source: BlockSource;
}

export interface PointLayout {
  disks: DiskLayout[];
  /** Logical volumes of the volume groups found on the disks (ids "vg/lv"). */
  logicalVolumes: GuestVolume[];
  warnings: string[];
  /** Every volume with the source that reads it. */
  handles: VolumeHandle[];
}

async function describe(kind: GuestVolume['kind'], id: string, source: BlockSource, offset: number,
  extra: Partial<GuestVolume>): Promise<GuestVolume> {
  const detected = await detectFilesystem(source);
  const reason = unreadableReason(detected.kind);
  const label = detected.label ?? extra.label;
  return {
    id, kind, offset, size: source.size, ...extra, ...(label === undefined ? {} : { label }),
    filesystem: detected.kind, readable: reason === undefined, ...(reason === undefined ? {} : { reason }),
  };
}

export async function scanDisks(disks: DiskInput[]): Promise<PointLayout> {
  const layouts: DiskLayout[] = [];
  const handles: VolumeHandle[] = [];
  const physical: PhysicalVolumeRef[] = [];
  for (const [index, disk] of disks.entries()) {
    const layout: DiskLayout = { disk: index, name: disk.name, size: disk.source.size, table: 'none', volumes: [], warnings: [] };
    layouts.push(layout);
    try {
      const table = await readPartitionTable(disk.source);
      layout.table = table.kind;
      layout.warnings.push(...table.warnings);
      const parts = table.kind === 'none'
        ? [{ id: 'disk', offset: 0, size: disk.source.size, kind: 'whole-disk' as const, extra: {} }]
        : table.partitions.map((part) => ({ id: part.id, offset: part.offset, size: part.size, kind: 'partition' as const,
          extra: { typeCode: part.typeCode, ...(part.name === undefined ? {} : { label: part.name }) } }));
      for (const part of parts) {
        const source = sliceSource(disk.source, part.offset, part.size, `${disk.name} partition ${part.id}`);
        const volume = await describe(part.kind, part.id, source, part.offset, part.extra);
        layout.volumes.push(volume);
        handles.push({ volume, disk: index, source });
        if (volume.filesystem === 'lvm2-pv') physical.push({ disk: index, volumeId: part.id, offset: part.offset, source });
      }
    } catch (error) {
      if (!isLabvaultError(error)) throw error;
      layout.table = 'unreadable';
      layout.error = { code: error.code, message: error.message };
    }
  }
  const lvm = await logicalVolumesOf(physical);
  const logicalVolumes: GuestVolume[] = [];
  for (const lv of lvm.volumes) {
    const volume = lv.source
      ? await describe('logical-volume', lv.id, lv.source, lv.offset, { typeCode: lv.segmentType })
      : { id: lv.id, kind: 'logical-volume' as const, offset: lv.offset, size: lv.size, typeCode: lv.segmentType,
        filesystem: 'unknown' as const, readable: false, reason: lv.reason ?? 'This logical volume is not readable.' };
    logicalVolumes.push(volume);
    if (lv.source) handles.push({ volume, disk: lv.disk, source: lv.source });
  }
  return { disks: layouts, logicalVolumes, warnings: lvm.warnings, handles };
}
