/** The qcow2 format module: detection, open, info, check and the v3 writer. */
import { ImageFile } from '../image-file.ts';
import { QCOW2_MAGIC_NUMBER, readQcow2Header } from './qcow2-header.ts';
import { Qcow2ClusterMap } from './qcow2-cluster-map.ts';
import { Qcow2Disk, backingFormatHint, dataFilePath } from './qcow2-disk.ts';
import { readQcow2Snapshots } from './qcow2-snapshots.ts';
import { checkQcow2 } from './qcow2-check.ts';
import { writeQcow2Image } from './qcow2-writer.ts';
import type { DiskFormatModule } from '../disk-format-module.ts';
import type { DiskImageInfo } from '../virtual-disk.ts';

async function qcow2Info(path: string): Promise<Omit<DiskImageInfo, 'chain'>> {
  const file = await ImageFile.open(path);
  try {
    const header = await readQcow2Header(file);
    const map = await Qcow2ClusterMap.load(file, header);
    let allocatedBytes = 0;
    for (const range of await map.layerMap()) if (range.state === 'data') allocatedBytes += range.length;
    const snapshots = await readQcow2Snapshots(file, header);
    const info: Omit<DiskImageInfo, 'chain'> = {
      format: 'qcow2',
      path,
      virtualSize: header.virtualSize,
      fileSize: file.size,
      allocatedBytes,
      clusterSize: header.clusterSize,
      subformat: header.version === 2 ? 'compat=0.10' : 'compat=1.1',
      files: [path],
    };
    const dataFile = dataFilePath(path, header);
    if (dataFile) info.files = [path, dataFile];
    if (header.backingFile !== null) {
      const hint = backingFormatHint(header);
      info.backing = { path: header.backingFile, format: hint ?? 'raw', recordedPath: header.backingFile, formatRecorded: hint !== undefined };
    }
    if (snapshots.length > 0) {
      info.snapshots = snapshots.map((snapshot) => ({
        id: snapshot.id,
        name: snapshot.name,
        vmStateSize: snapshot.vmStateSize,
        date: new Date(snapshot.dateSec * 1000).toISOString(),
      }));
    }
    return info;
  } finally {
    await file.close();
  }
}

export const qcow2Format: DiskFormatModule = {
  format: 'qcow2',
  probe: (head) => head.length >= 4 && head.readUInt32BE(0) === QCOW2_MAGIC_NUMBER,
  open: (path, ctx) => Qcow2Disk.open(path, ctx),
  info: (path) => qcow2Info(path),
  check: (path) => checkQcow2(path),
  write: (source, outPath, options) => writeQcow2Image(source, outPath, options),
};
