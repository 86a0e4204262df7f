/**
 * LVM2 test disks without device-mapper (../shared/LIBRARIES.md): the PVs are loop devices
 * over the image files (root needed), pvcreate/vgcreate write the real labels and metadata,
 * `lvcreate --driverloaded n -an -Zn` allocates the volumes without activating them, and a
 * filesystem image made with mkfs -d is scattered into each volume's extents as `lvs`
 * reports them (linear segments and stripes).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

const ENV = { ...process.env, LVM_SUPPRESS_FD_WARNINGS: '1' };

export interface PhysicalDisk {
  /** Image file and the byte range of the PV inside it. */
  path: string;
  offset: number;
  size: number;
}

interface Segment {
  lv_name: string;
  seg_start_pe: string;
  seg_size_pe: string;
  seg_pe_ranges: string;
  stripes: string;
  stripe_size: string;
}

export interface LvmLayout {
  extentBytes: number;
  /** PV device name -> its disk and pe_start. */
  pvs: Map<string, { disk: PhysicalDisk; peStart: number }>;
  segments: Segment[];
}

function lvm(args: string[]): string {
  return execFileSync(args[0] as string, args.slice(1), { encoding: 'utf8', env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Why LVM test disks cannot be made here, or undefined when they can. */
export function lvmUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root (pvcreate needs loop devices)';
  try {
    execFileSync('losetup', ['-f'], { stdio: 'pipe' });
  } catch {
    return 'no free loop device';
  }
  return undefined;
}

/**
 * Creates volume group `vg` over `disks` and runs each `lvcreate` argument list (without
 * the device and activation flags), then reads back the layout. Loop devices are detached.
 */
export function createVolumeGroup(vg: string, disks: PhysicalDisk[], volumes: string[][]): LvmLayout {
  const loops = disks.map((disk) => lvm(['losetup', '-f', '--show', '-o', String(disk.offset), '--sizelimit', String(disk.size), disk.path]).trim());
  const devices = ['--devices', loops.join(',')];
  try {
    lvm(['pvcreate', '-q', ...devices, ...loops]);
    lvm(['vgcreate', '-q', ...devices, vg, ...loops]);
    for (const volume of volumes) lvm(['lvcreate', '-q', ...devices, '--driverloaded', 'n', '-an', '-Zn', ...volume, vg]);
    const segments = (JSON.parse(lvm(['lvs', ...devices, '--segments', '-o', 'lv_name,seg_start_pe,seg_size_pe,seg_pe_ranges,stripes,stripe_size',
      '--units', 'b', '--reportformat', 'json'])) as { report: { seg: Segment[] }[] }).report[0]?.seg ?? [];
    const pvRows = (JSON.parse(lvm(['pvs', ...devices, '-o', 'pv_name,pe_start', '--units', 'b', '--reportformat', 'json'])) as
      { report: { pv: { pv_name: string; pe_start: string }[] }[] }).report[0]?.pv ?? [];
    const extentBytes = Number.parseInt(lvm(['vgs', ...devices, '-o', 'vg_extent_size', '--units', 'b', '--noheadings', vg]).trim(), 10);
    const pvs = new Map(pvRows.map((row) => [row.pv_name, { disk: disks[loops.indexOf(row.pv_name)] as PhysicalDisk, peStart: Number.parseInt(row.pe_start, 10) }]));
    return { extentBytes, pvs, segments };
  } finally {
    for (const loop of loops) execFileSync('losetup', ['-d', loop], { stdio: 'ignore' });
  }
}

/** Copies the filesystem image `image` into logical volume `lv`, extent range by extent range. */
export function writeIntoVolume(layout: LvmLayout, lv: string, image: string): void {
  const source = openSync(image, 'r');
  const handles = new Map<string, number>();
  try {
    for (const segment of layout.segments.filter((candidate) => candidate.lv_name === lv)) {
      const ranges = segment.seg_pe_ranges.split(' ').map((range) => {
        const match = /^(.+):(\d+)-(\d+)$/.exec(range);
        if (!match) throw new Error(`unexpected PE range ${range}`);
        return { pv: match[1] as string, first: Number(match[2]) };
      });
      const stripes = Number(segment.stripes);
      const stripeBytes = stripes === 1 ? Number(segment.seg_size_pe) * layout.extentBytes : Number.parseInt(segment.stripe_size, 10);
      const segmentStart = Number(segment.seg_start_pe) * layout.extentBytes;
      const segmentBytes = Number(segment.seg_size_pe) * layout.extentBytes;
      const buffer = Buffer.alloc(stripeBytes);
      for (let within = 0; within < segmentBytes; within += stripeBytes) {
        const chunk = within / stripeBytes;
        const range = ranges[chunk % stripes] as { pv: string; first: number };
        const row = Math.floor(chunk / stripes);
        const pv = layout.pvs.get(range.pv);
        if (!pv) throw new Error(`no PV ${range.pv}`);
        const read = readSync(source, buffer, 0, stripeBytes, segmentStart + within);
        if (read === 0) continue;
        let handle = handles.get(pv.disk.path);
        if (handle === undefined) {
          handle = openSync(pv.disk.path, 'r+');
          handles.set(pv.disk.path, handle);
        }
        writeSync(handle, buffer, 0, read, pv.disk.offset + pv.peStart + range.first * layout.extentBytes + row * stripeBytes);
      }
    }
  } finally {
    closeSync(source);
    for (const handle of handles.values()) closeSync(handle);
  }
}
