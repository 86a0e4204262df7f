/**
 * MBR: four primary entries at byte 446, an extended partition (0x05, 0x0f, 0x85) walked
 * as a chain of EBRs (each: one logical partition relative to itself, the next EBR
 * relative to the extended partition's start). The chain is bounded in length and may not
 * revisit an EBR; logical partitions are numbered from 5 as Linux does.
 */
import type { BlockSource } from './guest-filesystem.ts';
import { guestDamage } from './guest-errors.ts';
import type { PartitionEntry } from './partition-entry.ts';

const SECTOR = 512;
const TABLE_OFFSET = 446;
const ENTRY_SIZE = 16;
export const PROTECTIVE_TYPE = 0xee;
const EXTENDED_TYPES = new Set([0x05, 0x0f, 0x85]);
/** Logical partitions followed in one extended partition. */
const MAX_LOGICAL = 128;

interface RawEntry {
  type: number;
  start: number;
  sectors: number;
}

export function hasBootSignature(sector: Buffer): boolean {
  return sector.length >= SECTOR && sector[510] === 0x55 && sector[511] === 0xaa;
}

function entriesOf(sector: Buffer): RawEntry[] {
  const out: RawEntry[] = [];
  for (let i = 0; i < 4; i += 1) {
    const at = TABLE_OFFSET + i * ENTRY_SIZE;
    out.push({ type: sector[at + 4] ?? 0, start: sector.readUInt32LE(at + 8), sectors: sector.readUInt32LE(at + 12) });
  }
  return out;
}

/** The MBR's entries are plausible: status bytes 0 or 0x80, each used entry inside the disk. */
export function looksLikeMbr(sector: Buffer, diskSize: number): boolean {
  if (!hasBootSignature(sector)) return false;
  let used = 0;
  for (let i = 0; i < 4; i += 1) {
    const at = TABLE_OFFSET + i * ENTRY_SIZE;
    const status = sector[at] ?? 0;
    if (status !== 0 && status !== 0x80) return false;
    const entry = entriesOf(sector)[i] as RawEntry;
    if (entry.type === 0) continue;
    if (entry.type !== PROTECTIVE_TYPE && (entry.start + entry.sectors) * SECTOR > diskSize) return false;
    used += 1;
  }
  return used > 0;
}

export function isProtectiveMbr(sector: Buffer): boolean {
  return entriesOf(sector).some((entry) => entry.type === PROTECTIVE_TYPE);
}

function typeCode(type: number): string {
  return `0x${type.toString(16).padStart(2, '0')}`;
}

function checkInside(source: BlockSource, what: string, start: number, sectors: number): void {
  if (sectors === 0 || (start + sectors) * SECTOR > source.size) {
    throw guestDamage(`The MBR ${what}`, `it spans sectors ${start}-${start + sectors - 1}, outside the disk of `
      + `${Math.floor(source.size / SECTOR)} sectors`);
  }
}

async function readLogical(source: BlockSource, extendedStart: number, extendedSectors: number,
  warnings: string[]): Promise<PartitionEntry[]> {
  const out: PartitionEntry[] = [];
  const seen = new Set<number>();
  let ebr = extendedStart;
  for (let n = 0; n < MAX_LOGICAL; n += 1) {
    if (seen.has(ebr)) throw guestDamage('The MBR chain of extended boot records', `EBR at sector ${ebr} is visited twice`);
    seen.add(ebr);
    const sector = await source.read(ebr * SECTOR, SECTOR);
    if (!hasBootSignature(sector)) {
      warnings.push(`The extended boot record at sector ${ebr} has no 0x55AA signature; logical partitions end there.`);
      return out;
    }
    const [logical, next] = entriesOf(sector) as [RawEntry, RawEntry];
    if (logical.type !== 0) {
      const start = ebr + logical.start;
      checkInside(source, `logical partition ${5 + out.length}`, start, logical.sectors);
      out.push({ id: String(5 + out.length), offset: start * SECTOR, size: logical.sectors * SECTOR,
        typeCode: typeCode(logical.type) });
    }
    if (next.type === 0 || !EXTENDED_TYPES.has(next.type)) return out;
    if (next.start === 0 || next.start >= extendedSectors) {
      throw guestDamage('The MBR chain of extended boot records', `the next EBR at +${next.start} lies outside the extended partition`);
    }
    ebr = extendedStart + next.start;
  }
  warnings.push(`More than ${MAX_LOGICAL} logical partitions: the rest are not listed.`);
  return out;
}

/** The partitions of an MBR sector (already known to look like one). */
export async function readMbr(
  source: BlockSource, sector: Buffer,
): Promise<{ partitions: PartitionEntry[]; warnings: string[] }> {
  const warnings: string[] = [];
  const partitions: PartitionEntry[] = [];
  const logical: PartitionEntry[] = [];
  let extendedSeen = false;
  for (const [i, entry] of entriesOf(sector).entries()) {
    if (entry.type === 0) continue;
    checkInside(source, `partition ${i + 1}`, entry.start, entry.sectors);
    if (EXTENDED_TYPES.has(entry.type)) {
      if (extendedSeen) throw guestDamage('The MBR', 'it has two extended partitions');
      extendedSeen = true;
      logical.push(...await readLogical(source, entry.start, entry.sectors, warnings));
      continue;
    }
    partitions.push({
      id: String(i + 1), offset: entry.start * SECTOR, size: entry.sectors * SECTOR, typeCode: typeCode(entry.type),
    });
  }
  return { partitions: [...partitions, ...logical], warnings };
}
