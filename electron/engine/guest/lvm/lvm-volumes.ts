/**
 * LVM2 logical volumes from the physical volumes of a point's disks: each PV's metadata
 * text is read, the newest copy (highest seqno) of each volume group wins, and every
 * visible LV becomes a BlockSource over its segments. Linear and striped segments are
 * read; thin, RAID, mirror, cache and snapshot volumes are listed as not readable, and so
 * is an LV whose physical volume is on no disk of the point.
 */
import type { BlockSource } from '../guest-filesystem.ts';
import { isLabvaultError } from '../../../../shared/errors.ts';
import { checkRange } from '../point-disk-source.ts';
import { readMetadataText, readPvLabel } from './lvm-label.ts';
import { numberOf, parseLvmText, stringOf } from './lvm-metadata-text.ts';
import type { LvmSection, LvmValue } from './lvm-metadata-text.ts';

const SECTOR = 512;
const MAX_SEGMENTS = 4096;

export interface PhysicalVolumeRef {
  disk: number;
  volumeId: string;
  /** Byte offset of the PV on its disk. */
  offset: number;
  source: BlockSource;
}

export interface LogicalVolume {
  id: string;
  segmentType: string;
  size: number;
  disk: number;
  offset: number;
  source?: BlockSource;
  reason?: string;
}

interface Stripe {
  source: BlockSource;
  /** Byte offset of the stripe's first extent inside the PV. */
  start: number;
}

interface Segment {
  /** Byte range inside the LV. */
  start: number;
  length: number;
  stripes: Stripe[];
  stripeBytes: number;
}

const NOT_READ: Record<string, string> = {
  thin: 'LVM thin volumes are not read by Labvault yet.',
  'thin-pool': 'An LVM thin pool holds thin volumes, not a filesystem.',
  cache: 'LVM cached volumes are not read by Labvault yet.',
  'cache-pool': 'An LVM cache pool holds cache data, not a filesystem.',
  writecache: 'LVM writecache volumes are not read by Labvault yet.',
  snapshot: 'LVM snapshots are not read by Labvault yet.',
  mirror: 'LVM mirror volumes are not read by Labvault yet.',
  vdo: 'LVM VDO volumes are not read by Labvault yet.',
};

function reasonFor(type: string): string {
  if (type.startsWith('raid')) return `LVM ${type} volumes are not read by Labvault yet.`;
  return NOT_READ[type] ?? `LVM segments of type "${type}" are not read by Labvault yet.`;
}

class LogicalVolumeSource implements BlockSource {
  readonly size: number;
  private readonly segments: Segment[];
  private readonly name: string;

  constructor(segments: Segment[], size: number, name: string) {
    this.segments = segments;
    this.size = size;
    this.name = name;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    checkRange(this.size, offset, length, this.name);
    const out = Buffer.alloc(length);
    let position = offset;
    const end = offset + length;
    for (const segment of this.segments) {
      if (position >= end) break;
      const segmentEnd = segment.start + segment.length;
      if (segmentEnd <= position) continue;
      while (position < Math.min(end, segmentEnd)) {
        const within = position - segment.start;
        const chunk = Math.floor(within / segment.stripeBytes);
        const stripe = segment.stripes[chunk % segment.stripes.length] as Stripe;
        const row = Math.floor(chunk / segment.stripes.length);
        const inChunk = within % segment.stripeBytes;
        const take = Math.min(end, segmentEnd, position + segment.stripeBytes - inChunk) - position;
        const bytes = await stripe.source.read(stripe.start + row * segment.stripeBytes + inChunk, take);
        bytes.copy(out, position - offset);
        position += take;
      }
    }
    return out;
  }
}

interface VolumeGroupCopy {
  name: string;
  seqno: number;
  section: LvmSection;
}

function statusOf(section: LvmSection): string[] {
  const status = section.values.get('status');
  return Array.isArray(status) ? status.filter((flag): flag is string => typeof flag === 'string') : [];
}

type PvPlaces = Map<string, { ref: PhysicalVolumeRef; peStart: number }>;

function buildVolume(vg: VolumeGroupCopy, lvName: string, lv: LvmSection, pvs: PvPlaces,
  extentBytes: number): LogicalVolume {
  const id = `${vg.name}/${lvName}`;
  const segments: Segment[] = [];
  let size = 0;
  let firstType = 'striped';
  let first: { disk: number; offset: number } | undefined;
  const count = numberOf(lv, 'segment_count', id);
  if (count > MAX_SEGMENTS) return { id, segmentType: 'striped', size: 0, disk: 0, offset: 0, reason: `It has ${count} segments.` };
  for (let n = 1; n <= count; n += 1) {
    const segment = lv.sections.get(`segment${n}`);
    if (!segment) return { id, segmentType: firstType, size, disk: 0, offset: 0, reason: `Its metadata lacks segment${n}.` };
    const type = stringOf(segment, 'type') ?? 'unknown';
    if (n === 1) firstType = type;
    const start = numberOf(segment, 'start_extent', id) * extentBytes;
    const length = numberOf(segment, 'extent_count', id) * extentBytes;
    if (type !== 'striped' && type !== 'linear') return { id, segmentType: type, size: 0, disk: 0, offset: 0, reason: reasonFor(type) };
    const list: LvmValue[] = Array.isArray(segment.values.get('stripes')) ? segment.values.get('stripes') as LvmValue[] : [];
    const stripeCount = numberOf(segment, 'stripe_count', id);
    if (stripeCount === 0 || list.length !== stripeCount * 2) {
      return { id, segmentType: type, size: 0, disk: 0, offset: 0, reason: `Its segment${n} lists ${list.length / 2} stripes, not ${stripeCount}.` };
    }
    const stripeBytes = stripeCount === 1 ? length : numberOf(segment, 'stripe_size', id) * SECTOR;
    if (stripeBytes === 0 || start !== size) return { id, segmentType: type, size: 0, disk: 0, offset: 0, reason: `Its segment${n} is malformed.` };
    const stripes: Stripe[] = [];
    for (let s = 0; s < stripeCount; s += 1) {
      const pvName = list[s * 2];
      const pvExtent = list[s * 2 + 1];
      const pv = typeof pvName === 'string' ? pvs.get(pvName) : undefined;
      if (!pv) return { id, segmentType: type, size: 0, disk: 0, offset: 0, reason: `Its physical volume ${String(pvName)} is not on any disk of this point.` };
      if (typeof pvExtent !== 'number' || !Number.isSafeInteger(pvExtent)) return { id, segmentType: type, size: 0, disk: 0, offset: 0, reason: 'Its stripes are malformed.' };
      const stripeStart = pv.peStart + pvExtent * extentBytes;
      const perStripe = Math.ceil(length / stripeCount);
      if (stripeStart + perStripe > pv.ref.source.size) {
        return { id, segmentType: type, size: 0, disk: 0, offset: 0, reason: `Its segment${n} lies past the end of ${String(pvName)}.` };
      }
      stripes.push({ source: pv.ref.source, start: stripeStart });
      first ??= { disk: pv.ref.disk, offset: pv.ref.offset + stripeStart };
    }
    segments.push({ start, length, stripes, stripeBytes });
    size += length;
  }
  const location = first ?? { disk: 0, offset: 0 };
  return { id, segmentType: firstType, size, ...location, source: new LogicalVolumeSource(segments, size, `logical volume ${id}`) };
}

/** The LVs that hold a snapshot's copy-on-write data (named by "cow_store" in a snapshot segment). */
function snapshotStores(lvs: Map<string, LvmSection>): Set<string> {
  const stores = new Set<string>();
  for (const lv of lvs.values()) {
    for (const segment of lv.sections.values()) {
      const store = stringOf(segment, 'cow_store');
      if (stringOf(segment, 'type') === 'snapshot' && store !== undefined) stores.add(store);
    }
  }
  return stores;
}

export async function logicalVolumesOf(
  physical: PhysicalVolumeRef[],
): Promise<{ volumes: LogicalVolume[]; warnings: string[] }> {
  const warnings: string[] = [];
  const byUuid = new Map<string, PhysicalVolumeRef>();
  const groups = new Map<string, VolumeGroupCopy>();
  for (const ref of physical) {
    const name = `disk ${ref.disk} volume ${ref.volumeId}`;
    try {
      const label = await readPvLabel(ref.source, name);
      byUuid.set(label.uuid, ref);
      for (const area of label.metadataAreas) {
        try {
          const root = parseLvmText(await readMetadataText(ref.source, area, name));
          for (const [vgName, section] of root.sections) {
            const seqno = numberOf(section, 'seqno', vgName);
            const key = stringOf(section, 'id') ?? vgName;
            const known = groups.get(key);
            if (!known || known.seqno < seqno) groups.set(key, { name: vgName, seqno, section });
          }
        } catch (error) {
          if (!isLabvaultError(error)) throw error;
          warnings.push(error.message);
        }
      }
    } catch (error) {
      if (!isLabvaultError(error)) throw error;
      warnings.push(error.message);
    }
  }
  const volumes: LogicalVolume[] = [];
  for (const vg of groups.values()) {
    try {
      const extentBytes = numberOf(vg.section, 'extent_size', vg.name) * SECTOR;
      const pvs: PvPlaces = new Map();
      for (const [pvName, pv] of vg.section.sections.get('physical_volumes')?.sections ?? []) {
        const ref = byUuid.get((stringOf(pv, 'id') ?? '').replaceAll('-', ''));
        if (ref) pvs.set(pvName, { ref, peStart: numberOf(pv, 'pe_start', pvName) * SECTOR });
      }
      const lvs = vg.section.sections.get('logical_volumes')?.sections ?? new Map<string, LvmSection>();
      const cowStores = snapshotStores(lvs);
      for (const [lvName, lv] of lvs) {
        if (!statusOf(lv).includes('VISIBLE')) continue;
        if (cowStores.has(lvName)) {
          volumes.push({ id: `${vg.name}/${lvName}`, segmentType: 'snapshot', size: 0, disk: 0, offset: 0, reason: reasonFor('snapshot') });
          continue;
        }
        volumes.push(buildVolume(vg, lvName, lv, pvs, extentBytes));
      }
    } catch (error) {
      if (!isLabvaultError(error)) throw error;
      warnings.push(error.message);
    }
  }
  return { volumes, warnings };
}
