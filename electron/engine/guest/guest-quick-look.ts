/**
 * The layout of a point whose disks hold nothing to parse, found without starting the guest
 * worker: every disk file is a raw image (by content: no image format's magic, as
 * detect-format.ts decides) with no partition table signature (no 0x55AA boot signature,
 * no "EFI PART" at LBA 1 or the last LBA for 512- or 4096-byte sectors) and no
 * filesystem signature. Only fixed-offset signatures are compared here, no size or offset read from the
 * bytes is used; a point with any other disk (a signature, an image format) goes to the
 * worker. A test restore of such a point (most points of plain files) costs a few chunk reads.
 */
import { detectFormatByContent, PROBE_HEAD_BYTES, PROBE_TAIL_BYTES } from '../disk/detect-format.ts';
import { recognizeUnsupportedFormat } from '../disk/unsupported-formats.ts';
import { DETECT_BYTES, detectFilesystemIn } from './detect-filesystem.ts';
import { unreadableReason } from './filesystem-readers.ts';
import type { BlockSource } from './guest-filesystem.ts';
import type { LayoutView } from './guest-worker-protocol.ts';
import type { PointFiles } from './point-files.ts';

const GPT_SIGNATURE = 'EFI PART';

async function hasTableSignature(source: BlockSource, head: Buffer): Promise<boolean> {
  if (head.length >= 512 && head[510] === 0x55 && head[511] === 0xaa) return true;
  for (const sector of [512, 4096]) {
    if (source.size < sector * 3) continue;
    if (head.length >= sector + 8 && head.toString('latin1', sector, sector + 8) === GPT_SIGNATURE) return true;
    const last = (Math.floor(source.size / sector) - 1) * sector;
    if ((await source.read(last, 8)).toString('latin1') === GPT_SIGNATURE) return true;
  }
  return false;
}

/** The point's layout when no disk needs the worker; null as soon as one does. */
export async function quickLayout(point: Pick<PointFiles, 'files' | 'sources'>): Promise<LayoutView | null> {
  const view: LayoutView = { disks: [], logicalVolumes: [], warnings: [] };
  for (const [fileIndex, file] of point.files.entries()) {
    const source = point.sources[fileIndex] as BlockSource;
    if (file.role !== 'disk') continue;
    const head = await source.read(0, Math.min(DETECT_BYTES, source.size));
    const tailLength = Math.min(PROBE_TAIL_BYTES, source.size);
    const tail = await source.read(source.size - tailLength, tailLength);
    const probe = head.subarray(0, PROBE_HEAD_BYTES);
    if (recognizeUnsupportedFormat(probe, tail) || detectFormatByContent(probe, tail, source.size) !== 'raw') return null;
    if (await hasTableSignature(source, head)) return null;
    if (detectFilesystemIn(head).kind !== 'unknown') return null;
    view.disks.push({
      disk: view.disks.length, name: file.name, size: source.size, table: 'none', warnings: [],
      image: { format: 'raw', files: [file.name] },
      volumes: [{ id: 'disk', kind: 'whole-disk', offset: 0, size: source.size, filesystem: 'unknown', readable: false,
        reason: unreadableReason('unknown') ?? 'No known filesystem signature was found.' }],
    });
  }
  return view;
}
