/**
 * Finds a VMDK's descriptor (embedded in a sparse file or a separate text file) and opens
 * its extents in order. A sparse file opened directly is one SPARSE extent (itself), as in
 * qemu: its embedded descriptor supplies CID, parent and createType only. A sparse extent
 * without a descriptor inside is refused, as qemu refuses it, naming the descriptor that
 * lists it (vmdk-extent-owner.ts).
 */
import type { ImageFile } from '../image-file.ts';
import { localImageOpener, openRegularFile } from '../image-opener.ts';
import type { ImageOpener } from '../image-opener.ts';
import { isAllZero } from '../../bytes/zero-bytes.ts';
import { badImage, unsupportedImage } from '../image-error.ts';
import { FlatExtent, ZeroExtent } from './vmdk-extent.ts';
import type { VmdkExtent } from './vmdk-extent.ts';
import { SparseExtent } from './vmdk-sparse-extent.ts';
import { bareExtentRefusal } from './vmdk-extent-owner.ts';
import { MAX_DESCRIPTOR_BYTES, NO_PARENT_CID, looksLikeDescriptor, parseDescriptor, resolveVmdkPath } from './vmdk-descriptor.ts';
import type { VmdkDescriptor } from './vmdk-descriptor.ts';
import { SECTOR, VMDK_HEADER_SIZE, VMDK_SPARSE_MAGIC, VMDK3_COWD_MAGIC, parseSparseHeader } from './vmdk-sparse-header.ts';

export interface VmdkDescriptorSource {
  descriptor: VmdkDescriptor;
  /** True when the descriptor lives inside a sparse extent (the file is itself the extent). */
  embedded: boolean;
  /** An embedded descriptor that only parsed leniently: what is wrong with it (check warns). */
  problem?: string;
  /** A sparse extent with no descriptor inside (none, or an all-zero area): one extent of a larger disk. */
  bareExtent?: true;
}

const DEFAULT_DESCRIPTOR: VmdkDescriptor = {
  version: 1, cid: 0, parentCid: NO_PARENT_CID, createType: 'monolithicSparse', parentFileNameHint: null, extents: [],
};

/** Reads the descriptor of the VMDK in `file` (which stays open). */
export async function readVmdkDescriptor(file: ImageFile): Promise<VmdkDescriptorSource> {
  const head = await file.readAt(0, Math.min(file.size, VMDK_HEADER_SIZE), 'vmdk.header');
  const magic = head.length >= 4 ? head.readUInt32LE(0) : 0;
  if (magic === VMDK_SPARSE_MAGIC || magic === VMDK3_COWD_MAGIC) {
    const header = parseSparseHeader(file.path, head);
    if (header.descriptorOffset === 0 || header.descriptorSize === 0) {
      return { descriptor: { ...DEFAULT_DESCRIPTOR }, embedded: true, bareExtent: true };
    }
    const bytes = header.descriptorSize * SECTOR;
    if (bytes > MAX_DESCRIPTOR_BYTES) throw badImage(file.path, 'vmdk.header.descriptorSize', `embedded descriptor of ${bytes} bytes exceeds ${MAX_DESCRIPTOR_BYTES}`);
    const text = await file.readAt(header.descriptorOffset * SECTOR, bytes, 'vmdk.descriptor');
    // Extents of a split disk reserve a descriptor area and leave it empty (qemu-img, VMware).
    if (header.capacitySectors !== 0 && isAllZero(text, text.length)) {
      return { descriptor: { ...DEFAULT_DESCRIPTOR }, embedded: true, bareExtent: true };
    }
    // qemu: a sparse header with capacity 0 only wraps a descriptor that names the extents.
    if (header.capacitySectors === 0) return { descriptor: parseDescriptor(file.path, text), embedded: false };
    try {
      return { descriptor: parseDescriptor(file.path, text), embedded: true };
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      return { descriptor: parseDescriptor(file.path, text, 'lenient'), embedded: true, problem };
    }
  }
  if (file.size > MAX_DESCRIPTOR_BYTES) throw badImage(file.path, 'vmdk.header.magicNumber', 'no KDMV magic, and too large to be a descriptor file');
  const text = await file.readAt(0, file.size, 'vmdk.descriptor');
  if (!looksLikeDescriptor(text)) throw badImage(file.path, 'vmdk.header.magicNumber', 'neither a KDMV sparse extent nor a "# Disk DescriptorFile" text descriptor');
  return { descriptor: parseDescriptor(file.path, text), embedded: false };
}

/** CID of the VMDK at `path`, or null when it is not a readable VMDK (qemu: CID invalid). */
export async function readVmdkCid(path: string, format: string,
  opener: ImageOpener = localImageOpener): Promise<number | null> {
  if (format !== 'vmdk') return null;
  let file: ImageFile | null = null;
  try {
    file = await openRegularFile(path, path, 'vmdk.descriptor.CID', opener);
    return (await readVmdkDescriptor(file)).descriptor.cid;
  } catch {
    return null;
  } finally {
    await file?.close().catch(() => undefined);
  }
}

export interface VmdkLayout {
  descriptor: VmdkDescriptor;
  embedded: boolean;
  extents: VmdkExtent[];
  /** Descriptor first, then each extent file once. */
  files: string[];
}

/** Opens the VMDK at `path` and every extent it names. Closes what it opened on failure. */
export async function openVmdkLayout(path: string, opener: ImageOpener = localImageOpener): Promise<VmdkLayout> {
  const first = await opener.open(path);
  const extents: VmdkExtent[] = [];
  let firstOwned = false;
  try {
    const source = await readVmdkDescriptor(first);
    const files = [path];
    if (source.embedded) {
      if (source.bareExtent) throw await bareExtentRefusal(path, opener);
      extents.push(await SparseExtent.open(first));
      firstOwned = true;
      return { descriptor: source.descriptor, embedded: true, extents, files };
    }
    if (source.descriptor.extents.length === 0) throw badImage(path, 'vmdk.descriptor', 'the descriptor lists no extents');
    for (const [index, line] of source.descriptor.extents.entries()) {
      const field = `vmdk.descriptor.extent[${index}]`;
      if (line.type === 'ZERO') {
        extents.push(new ZeroExtent(line.sectors));
        continue;
      }
      if (line.type !== 'FLAT' && line.type !== 'VMFS' && line.type !== 'SPARSE') {
        throw unsupportedImage(path, field, `extent type ${line.type} is not supported`);
      }
      const extentPath = resolveVmdkPath(path, line.fileName!);
      const file = await openRegularFile(extentPath, path, field, opener);
      if (!files.includes(extentPath)) files.push(extentPath);
      try {
        extents.push(line.type === 'SPARSE' ? await SparseExtent.open(file) : new FlatExtent(file, line.sectors, line.offsetSectors));
      } catch (error) {
        await file.close().catch(() => undefined);
        throw error;
      }
    }
    await first.close();
    firstOwned = true;
    const total = extents.reduce((sum, extent) => sum + extent.size, 0);
    if (!Number.isSafeInteger(total)) throw badImage(path, 'vmdk.descriptor', `the extents add up to ${total} bytes, more than any disk can hold`);
    return { descriptor: source.descriptor, embedded: false, extents, files };
  } catch (error) {
    for (const extent of extents) await extent.close().catch(() => undefined);
    if (!firstOwned) await first.close().catch(() => undefined);
    throw error;
  }
}
