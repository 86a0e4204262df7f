/**
 * The NTFS boot sector: sector and cluster sizes, the volume's clusters, where $MFT starts,
 * and the sizes of MFT records and index blocks (a positive count of clusters or a negative
 * power of two in bytes), each checked against the volume.
 */
import type { BlockSource } from '../guest-filesystem.ts';
import { check, guestDamage } from '../guest-errors.ts';

export interface NtfsGeometry {
  bytesPerSector: number;
  clusterSize: number;
  /** Clusters of the volume (from its sector count). */
  clusterCount: number;
  mftLcn: number;
  recordSize: number;
  indexBlockSize: number;
}

const STRUCTURE = 'The NTFS boot sector';

function power2(value: number): boolean {
  return value > 0 && (value & (value - 1)) === 0;
}

/** A size byte: clusters when positive, 2^-n bytes when negative (as a signed byte). */
function sizeOf(raw: number, clusterSize: number, what: string): number {
  const signed = raw > 127 ? raw - 256 : raw;
  const size = signed > 0 ? signed * clusterSize : signed < 0 && signed >= -31 ? 2 ** -signed : 0;
  check(power2(size) && size >= 256 && size <= 65536, STRUCTURE, `its ${what} size ${size} is impossible`);
  return size;
}

export function parseNtfsBootSector(sector: Buffer, volumeSize: number): NtfsGeometry {
  check(sector.length >= 512 && sector.toString('latin1', 3, 11) === 'NTFS    ', STRUCTURE, 'its NTFS signature is missing');
  const bytesPerSector = sector.readUInt16LE(11);
  check([256, 512, 1024, 2048, 4096].includes(bytesPerSector), STRUCTURE, `its sector size ${bytesPerSector} is impossible`);
  const rawCluster = sector[13] as number;
  // Clusters past 64 KiB are written as a negative power of two (Windows 10 1903+).
  const sectorsPerCluster = rawCluster <= 0x80 ? rawCluster : 2 ** (256 - rawCluster);
  check(power2(sectorsPerCluster), STRUCTURE, `its ${rawCluster} sectors per cluster is impossible`);
  const clusterSize = bytesPerSector * sectorsPerCluster;
  check(clusterSize <= 2 * 1024 * 1024, STRUCTURE, `its cluster size ${clusterSize} is impossible`);
  const totalSectors = sector.readBigUInt64LE(40);
  check(totalSectors > 0n && totalSectors < 2n ** 52n, STRUCTURE, `its ${totalSectors} sectors are impossible`);
  const clusterCount = Math.floor(Number(totalSectors) / sectorsPerCluster);
  check(clusterCount * clusterSize <= volumeSize + clusterSize, STRUCTURE,
    `it claims ${clusterCount * clusterSize} bytes but the volume has ${volumeSize}`);
  const mftLcn = sector.readBigUInt64LE(48);
  check(mftLcn > 0n && mftLcn < BigInt(clusterCount), STRUCTURE, `its $MFT cluster ${mftLcn} is outside the volume`);
  check(Number(mftLcn) * clusterSize < volumeSize, STRUCTURE, `its $MFT lies past the end of the volume (${volumeSize} bytes)`);
  return {
    bytesPerSector, clusterSize, clusterCount, mftLcn: Number(mftLcn),
    recordSize: sizeOf(sector[64] as number, clusterSize, 'MFT record'),
    indexBlockSize: sizeOf(sector[68] as number, clusterSize, 'index block'),
  };
}

export async function readNtfsBootSector(source: BlockSource): Promise<NtfsGeometry> {
  if (source.size < 512) throw guestDamage(STRUCTURE, `the volume is ${source.size} bytes long`);
  return parseNtfsBootSector(await source.read(0, 512), source.size);
}
