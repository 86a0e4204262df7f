/**
 * Messages between the guest service (main thread) and the guest worker. The worker never
 * opens a vault: it asks the main thread for disk bytes ("read"), which serves them from
 * the point's chunk cache, so one cache bounds the memory of every walk.
 */
import type { ErrorInfo } from '../../../shared/errors.ts';
import type { GuestCheckFinding, GuestEntry, GuestVolume } from './guest-filesystem.ts';
import type { DiskLayout } from './disk-volumes.ts';

/**
 * What the worker is told at start: the byte sources it reads, by index (a 'read' names
 * one). Without `pointFiles` each source is a disk; with it the sources are a point's files
 * (same order, each with the path it had at backup time and its role) and the worker opens
 * the disk images among them, chains and all (point-disk-images.ts).
 */
export interface GuestWorkerData {
  disks: { name: string; size: number }[];
  pointFiles?: { path: string; role: string }[];
}

export interface LayoutView {
  disks: DiskLayout[];
  logicalVolumes: GuestVolume[];
  warnings: string[];
}

/** A volume as the worker knows it: "<disk>:<id>" for partitions, "lv:<vg/lv>" for logical volumes. */
export type VolumeKey = string;

export type GuestRequest =
  | { op: 'layout' }
  | { op: 'list'; volume: VolumeKey; path: string }
  | { op: 'stat'; volume: VolumeKey; path: string }
  | { op: 'open-file'; volume: VolumeKey; path: string; chunkSize: number }
  | { op: 'next-chunk'; handle: number }
  | { op: 'close-file'; handle: number }
  | { op: 'check'; volume: VolumeKey; maxInodes: number };

export interface GuestResults {
  layout: LayoutView;
  list: GuestEntry[];
  stat: GuestEntry;
  'open-file': number;
  /** The next bytes, a count of zero bytes (a hole, sent without its bytes), or null at the end (handle closed). */
  'next-chunk': Uint8Array | number | null;
  'close-file': null;
  check: GuestCheckFinding[];
}

export type ToWorker =
  | { type: 'request'; id: number; request: GuestRequest }
  | { type: 'read-result'; readId: number; bytes?: Uint8Array; error?: ErrorInfo };

export type FromWorker =
  | { type: 'read'; readId: number; disk: number; offset: number; length: number }
  | { type: 'response'; id: number; result?: unknown; error?: ErrorInfo };
