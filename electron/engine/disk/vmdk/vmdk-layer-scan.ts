/**
 * The layer map of a sparse extent (data / zero / unallocated per grain), built by walking
 * the grain directory. Grain tables that lie back to back in the file (qemu and VMware
 * preallocate them that way) are read together, up to SCAN_BATCH_BYTES at a time, and each
 * table is scanned for runs of one state, so a 2 TB disk maps in a few large reads.
 * Tables read here bypass the extent's small LRU cache.
 */
import type { ImageFile } from '../image-file.ts';
import { pushLayerRange } from '../disk-ranges.ts';
import type { LayerRange, LayerState } from '../disk-ranges.ts';
import { GTE_UNALLOCATED, GTE_ZERO_GRAIN, SECTOR } from './vmdk-sparse-header.ts';

const SCAN_BATCH_BYTES = 1024 * 1024;

export interface SparseLayerSource {
  file: ImageFile;
  gd: Uint32Array;
  gtesPerGt: number;
  grainBytes: number;
  /** Extent size in bytes. */
  size: number;
  zeroGrains: boolean;
}

function entryState(value: number, zeroGrains: boolean): LayerState {
  if (value === GTE_UNALLOCATED) return 'unallocated';
  return value === GTE_ZERO_GRAIN && zeroGrains ? 'zero' : 'data';
}

/** Appends the ranges of one grain table (as raw little-endian bytes) to `ranges`. */
function scanTable(ranges: LayerRange[], source: SparseLayerSource, tableIndex: number, raw: Buffer): void {
  const firstGrain = tableIndex * source.gtesPerGt;
  const grains = Math.min(source.gtesPerGt, Math.ceil(source.size / source.grainBytes) - firstGrain);
  let runStart = 0;
  let runState = entryState(raw.readUInt32LE(0), source.zeroGrains);
  for (let entry = 1; entry <= grains; entry += 1) {
    const state = entry < grains ? entryState(raw.readUInt32LE(entry * 4), source.zeroGrains) : null;
    if (state === runState) continue;
    const start = (firstGrain + runStart) * source.grainBytes;
    const end = Math.min(source.size, (firstGrain + entry) * source.grainBytes);
    pushLayerRange(ranges, start, end - start, runState);
    if (state !== null) {
      runStart = entry;
      runState = state;
    }
  }
}

export async function scanSparseLayer(source: SparseLayerSource): Promise<LayerRange[]> {
  const ranges: LayerRange[] = [];
  const gtBytes = source.gtesPerGt * 4;
  const gtSectors = gtBytes / SECTOR;
  const batchTables = Math.max(1, Math.floor(SCAN_BATCH_BYTES / gtBytes));
  let index = 0;
  while (index < source.gd.length) {
    const sector = source.gd[index]!;
    if (sector === 0) {
      const start = index * source.gtesPerGt * source.grainBytes;
      pushLayerRange(ranges, start, Math.min(source.gtesPerGt * source.grainBytes, source.size - start), 'unallocated');
      index += 1;
      continue;
    }
    let count = 1;
    while (
      count < batchTables && index + count < source.gd.length
      && source.gd[index + count] === sector + count * gtSectors && Number.isInteger(gtSectors)
    ) count += 1;
    const raw = await source.file.readAt(sector * SECTOR, count * gtBytes, `vmdk.grainTable[${index}]`);
    for (let table = 0; table < count; table += 1) {
      scanTable(ranges, source, index + table, raw.subarray(table * gtBytes, (table + 1) * gtBytes));
    }
    index += count;
  }
  return ranges;
}
