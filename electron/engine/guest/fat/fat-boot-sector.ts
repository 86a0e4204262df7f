/**
 * The FAT boot sector (BIOS parameter block): geometry checked against itself and the
 * volume, the FAT type decided by the layout (FAT32 has no 16-bit FAT size) and the cluster
 * count (12 or 16), never by the type string, and where the FATs, the root directory and the
 * data area lie.
 */
import type { BlockSource } from '../guest-filesystem.ts';
import { check, guestDamage } from '../guest-errors.ts';

export type FatType = 12 | 16 | 32;

export interface FatGeometry {
  type: FatType;
  bytesPerSector: number;
  clusterSize: number;
  /** Byte offset of the first FAT. */
  fatOffset: number;
  /** Bytes of one FAT. */
  fatBytes: number;
  /** FAT12/16: byte offset and length of the fixed root directory. */
  rootOffset: number;
  rootBytes: number;
  /** FAT32: first cluster of the root directory. */
  rootCluster: number;
  /** Byte offset of cluster 2. */
  dataOffset: number;
  /** Number of data clusters (valid cluster numbers are 2 .. clusterCount + 1). */
  clusterCount: number;
  /** Volume label from the extended boot record ("NO NAME" dropped). */
  label?: string;
}

const STRUCTURE = 'The FAT boot sector';

function power2(value: number): boolean {
  return value > 0 && (value & (value - 1)) === 0;
}

function labelAt(sector: Buffer, at: number): string | undefined {
  const value = sector.toString('latin1', at, at + 11).replace(/[\0 ]+$/, '');
  return value === '' || value === 'NO NAME' ? undefined : value;
}

/** Parses and checks the boot sector of a FAT volume of `volumeSize` bytes. */
export function parseFatBootSector(sector: Buffer, volumeSize: number): FatGeometry {
  check(sector.length >= 512, STRUCTURE, 'it is shorter than 512 bytes');
  check(sector[510] === 0x55 && sector[511] === 0xaa, STRUCTURE, 'its 0x55AA signature is missing');
  const bytesPerSector = sector.readUInt16LE(11);
  const sectorsPerCluster = sector[13] as number;
  const reservedSectors = sector.readUInt16LE(14);
  const fats = sector[16] as number;
  const rootEntries = sector.readUInt16LE(17);
  const totalSectors = sector.readUInt16LE(19) || sector.readUInt32LE(32);
  const fatSectors = sector.readUInt16LE(22) || sector.readUInt32LE(36);
  check([512, 1024, 2048, 4096].includes(bytesPerSector), STRUCTURE, `its sector size ${bytesPerSector} is not 512, 1024, 2048 or 4096`);
  check(power2(sectorsPerCluster) && sectorsPerCluster <= 128, STRUCTURE, `its ${sectorsPerCluster} sectors per cluster is not a power of two up to 128`);
  check(reservedSectors >= 1, STRUCTURE, 'it reserves no sectors');
  check(fats >= 1 && fats <= 4, STRUCTURE, `it claims ${fats} FATs`);
  check(totalSectors > 0 && fatSectors > 0, STRUCTURE, 'its sector or FAT sizes are zero');
  const clusterSize = bytesPerSector * sectorsPerCluster;
  check(clusterSize <= 256 * 1024, STRUCTURE, `its cluster size ${clusterSize} is impossible`);
  const rootBytes = rootEntries * 32;
  const rootSectors = Math.ceil(rootBytes / bytesPerSector);
  const firstDataSector = reservedSectors + fats * fatSectors + rootSectors;
  check(firstDataSector < totalSectors, STRUCTURE, 'its FATs and root directory fill the whole volume');
  const clusterCount = Math.floor((totalSectors - firstDataSector) / sectorsPerCluster);
  // FAT32's layout has no 16-bit FAT size (as Linux decides: mkfs.vfat makes FAT32 EFI
  // partitions with fewer clusters than the specification's 65525); 12 or 16 by cluster count.
  const type: FatType = sector.readUInt16LE(22) === 0 ? 32 : clusterCount < 4085 ? 12 : 16;
  check(clusterCount >= 1 && clusterCount <= (type === 32 ? 0x0ffffff5 : 65524), STRUCTURE,
    `its ${clusterCount} clusters are impossible for FAT${type}`);
  const fatBytes = fatSectors * bytesPerSector;
  const neededFatBytes = Math.ceil(((clusterCount + 2) * type) / 8);
  check(fatBytes >= neededFatBytes, STRUCTURE, `its FAT of ${fatBytes} bytes cannot map ${clusterCount} clusters`);
  const dataOffset = firstDataSector * bytesPerSector;
  // A FAT larger than its partition is damage (a tail cut short by less than a cluster is tolerated).
  check(totalSectors * bytesPerSector <= volumeSize + clusterSize, STRUCTURE,
    `it claims ${totalSectors * bytesPerSector} bytes but the volume has ${volumeSize}`);
  let rootCluster = 0;
  let label: string | undefined;
  if (type === 32) {
    check(rootEntries === 0, STRUCTURE, 'a FAT32 volume with a fixed root directory');
    check(sector.readUInt16LE(42) === 0, STRUCTURE, `FAT32 version ${sector.readUInt16LE(42)} is unknown`);
    rootCluster = sector.readUInt32LE(44) & 0x0fffffff;
    check(rootCluster >= 2 && rootCluster < clusterCount + 2, STRUCTURE, `its root cluster ${rootCluster} is outside the volume`);
    if (sector[66] === 0x29) label = labelAt(sector, 71);
  } else {
    check(rootEntries > 0, STRUCTURE, 'a FAT12/16 volume without root directory entries');
    if (sector[38] === 0x29) label = labelAt(sector, 43);
  }
  const geometry: FatGeometry = {
    type, bytesPerSector, clusterSize, fatOffset: reservedSectors * bytesPerSector, fatBytes,
    rootOffset: (reservedSectors + fats * fatSectors) * bytesPerSector, rootBytes, rootCluster, dataOffset,
    clusterCount,
  };
  if (label !== undefined) geometry.label = label;
  return geometry;
}

export async function readFatBootSector(source: BlockSource): Promise<FatGeometry> {
  if (source.size < 512) throw guestDamage(STRUCTURE, `the volume is ${source.size} bytes long`);
  return parseFatBootSector(await source.read(0, 512), source.size);
}
