/**
 * CHS geometry of a new VHD, computed as qemu-img does (the VHD specification's algorithm,
 * retried with one more sector until the geometry covers the disk). The disk is then sized
 * to exactly cylinders x heads x sectors, so readers that size by geometry (Virtual PC,
 * qemu before 9.x for unknown creators) and readers that use the footer's current size
 * (Hyper-V) agree. At the maximum geometry the size is kept exact: every reader then uses
 * the current size.
 */
import { VHD_MAX_GEOMETRY, VHD_SECTOR } from './vhd-layout.ts';

export interface VhdGeometry {
  cylinders: number;
  heads: number;
  sectorsPerTrack: number;
}

function calculateGeometry(totalSectors: number): VhdGeometry {
  const sectors = Math.min(totalSectors, VHD_MAX_GEOMETRY);
  let sectorsPerTrack: number;
  let heads: number;
  let cylindersTimesHeads: number;
  if (sectors >= 65535 * 16 * 63) {
    sectorsPerTrack = 255;
    heads = 16;
    cylindersTimesHeads = Math.floor(sectors / sectorsPerTrack);
  } else {
    sectorsPerTrack = 17;
    cylindersTimesHeads = Math.floor(sectors / sectorsPerTrack);
    heads = Math.max(4, Math.ceil(cylindersTimesHeads / 1024));
    if (cylindersTimesHeads >= heads * 1024 || heads > 16) {
      sectorsPerTrack = 31;
      heads = 16;
      cylindersTimesHeads = Math.floor(sectors / sectorsPerTrack);
    }
    if (cylindersTimesHeads >= heads * 1024) {
      sectorsPerTrack = 63;
      heads = 16;
      cylindersTimesHeads = Math.floor(sectors / sectorsPerTrack);
    }
  }
  return { cylinders: Math.floor(cylindersTimesHeads / heads), heads, sectorsPerTrack };
}

function product(geometry: VhdGeometry): number {
  return geometry.cylinders * geometry.heads * geometry.sectorsPerTrack;
}

/** Geometry and virtual size (bytes) of a new VHD holding at least `size` bytes. */
export function planVhdSize(size: number): { geometry: VhdGeometry; virtualSize: number } {
  const totalSectors = Math.ceil(size / VHD_SECTOR);
  if (totalSectors >= VHD_MAX_GEOMETRY) {
    return { geometry: calculateGeometry(VHD_MAX_GEOMETRY), virtualSize: totalSectors * VHD_SECTOR };
  }
  let geometry = calculateGeometry(totalSectors);
  for (let extra = 1; product(geometry) < totalSectors; extra += 1) geometry = calculateGeometry(totalSectors + extra);
  if (product(geometry) === VHD_MAX_GEOMETRY) return { geometry, virtualSize: totalSectors * VHD_SECTOR };
  return { geometry, virtualSize: product(geometry) * VHD_SECTOR };
}
