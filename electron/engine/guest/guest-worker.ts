/**
 * The guest worker: the program that opens a point's disk images (any format, with their
 * chains: point-disk-images.ts) and parses their partition tables, volumes and filesystems,
 * in a worker thread so that a hostile image or filesystem can neither crash nor hang the
 * app (guest-worker-client.ts bounds each request in time and the thread in memory). File
 * bytes come from the main thread, one message per read; each disk's guest-visible bytes
 * go through a small page cache.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { ErrorInfo } from '../../../shared/errors.ts';
import { isAllZero } from '../bytes/zero-bytes.ts';
import { scanDisks } from './disk-volumes.ts';
import type { PointLayout } from './disk-volumes.ts';
import { FileSetOpener } from './file-set-opener.ts';
import { openPointDiskImages, skippedDiskLayout } from './point-disk-images.ts';
import type { DiskImageView, SkippedDisk } from './point-disk-images.ts';
import { filesystemOpener } from './filesystem-readers.ts';
import type { BlockSource, GuestFilesystem } from './guest-filesystem.ts';
import type { FromWorker, GuestRequest, GuestWorkerData, ToWorker } from './guest-worker-protocol.ts';
import { PagedSource } from './paged-source.ts';

const port = parentPort;
const data = workerData as GuestWorkerData;
const pendingReads = new Map<number, { resolve: (bytes: Buffer) => void; reject: (error: Error) => void }>();
let nextReadId = 1;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

function remoteDisk(disk: number, size: number): BlockSource {
  return {
    size,
    read(offset, length) {
      return new Promise((resolve, reject) => {
        const readId = nextReadId;
        nextReadId += 1;
        pendingReads.set(readId, { resolve, reject });
        post({ type: 'read', readId, disk, offset, length });
      });
    },
  };
}

interface WorkerDisks {
  disks: { name: string; source: BlockSource; image?: DiskImageView }[];
  skipped: SkippedDisk[];
}

/** The disks to scan: the sources themselves, or the disk images opened among a point's files. */
async function openDisks(): Promise<WorkerDisks> {
  const remote = data.disks.map((disk, index) => remoteDisk(index, disk.size));
  if (!data.pointFiles) {
    const disks = data.disks.map((disk, index) => ({
      name: disk.name, source: new PagedSource(remote[index] as BlockSource, disk.name),
    }));
    return { disks, skipped: [] };
  }
  const files = data.pointFiles.map((file, index) => ({
    name: data.disks[index]?.name ?? file.path, path: file.path, role: file.role, size: data.disks[index]?.size ?? 0,
  }));
  const opener = new FileSetOpener(files, (index) => ({
    readInto: async (out, outOffset, offset, length) => {
      (await (remote[index] as BlockSource).read(offset, length)).copy(out, outOffset);
    },
  }));
  const opened = await openPointDiskImages(opener);
  return {
    disks: opened.disks.map((disk) => ({ ...disk, source: new PagedSource(disk.source, disk.name) })),
    skipped: opened.skipped,
  };
}

async function scanPoint(): Promise<PointLayout> {
  const { disks, skipped } = await openDisks();
  const found = await scanDisks(disks);
  for (const skip of skipped) found.disks[skip.disk] = skippedDiskLayout(skip);
  for (const [index, disk] of disks.entries()) {
    const layout = found.disks[index];
    if (disk.image && layout) layout.image = disk.image;
  }
  return found;
}

let layout: Promise<PointLayout> | undefined;
const filesystems = new Map<string, Promise<GuestFilesystem>>();
const MAX_OPEN_FILES = 16;
const openFiles = new Map<number, AsyncIterator<Buffer>>();
let nextFileHandle = 1;

function layoutOnce(): Promise<PointLayout> {
  layout ??= scanPoint();
  return layout;
}

function keyOf(disk: number, id: string, kind: string): string {
  return kind === 'logical-volume' ? `lv:${id}` : `${disk}:${id}`;
}

async function openFilesystem(volumeKey: string): Promise<GuestFilesystem> {
  let opened = filesystems.get(volumeKey);
  if (opened === undefined) {
    opened = (async () => {
      const handle = (await layoutOnce()).handles.find((candidate) =>
        keyOf(candidate.disk, candidate.volume.id, candidate.volume.kind) === volumeKey);
      if (!handle) throw new LabvaultError(ErrorCodes.NOT_FOUND, `No volume ${volumeKey} on this point's disks.`, { field: 'partition' });
      const opener = filesystemOpener(handle.volume.filesystem);
      if (!opener) {
        throw new LabvaultError(ErrorCodes.UNSUPPORTED, handle.volume.reason ?? `Volume ${handle.volume.id} is not readable.`,
          { field: 'partition' });
      }
      return opener(handle.source, `volume ${handle.volume.id}`);
    })();
    filesystems.set(volumeKey, opened);
  }
  return opened;
}

async function answer(request: GuestRequest): Promise<{ result: unknown; transfer: ArrayBuffer[] }> {
  switch (request.op) {
    case 'layout': {
      const found = await layoutOnce();
      const view = { disks: found.disks, logicalVolumes: found.logicalVolumes, warnings: found.warnings };
      return { result: view, transfer: [] };
    }
    case 'list': return { result: await (await openFilesystem(request.volume)).list(request.path), transfer: [] };
    case 'stat': return { result: await (await openFilesystem(request.volume)).stat(request.path), transfer: [] };
    case 'check': return { result: await (await openFilesystem(request.volume)).checkMetadata({ maxInodes: request.maxInodes }), transfer: [] };
    case 'open-file': {
      const fs = await openFilesystem(request.volume);
      const handle = nextFileHandle;
      nextFileHandle += 1;
      if (openFiles.size >= MAX_OPEN_FILES) throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Too many guest files open at once.');
      openFiles.set(handle, fs.readFile(request.path, request.chunkSize)[Symbol.asyncIterator]());
      return { result: handle, transfer: [] };
    }
    case 'next-chunk': {
      const iterator = openFiles.get(request.handle);
      if (!iterator) throw new LabvaultError(ErrorCodes.NOT_FOUND, `No open guest file ${request.handle}.`);
      const step = await iterator.next();
      if (step.done === true) {
        openFiles.delete(request.handle);
        return { result: null, transfer: [] };
      }
      if (isAllZero(step.value)) return { result: step.value.length, transfer: [] };
      return { result: new Uint8Array(step.value.buffer, step.value.byteOffset, step.value.length), transfer: [] };
    }
    case 'close-file': {
      const iterator = openFiles.get(request.handle);
      openFiles.delete(request.handle);
      await iterator?.return?.();
      return { result: null, transfer: [] };
    }
  }
}

function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof LabvaultError) return error.toInfo();
  const message = error instanceof Error ? error.message : String(error);
  return { code: ErrorCodes.GUEST_UNREADABLE, message: `The guest reader failed on this disk's data: ${message}` };
}

port?.on('message', (message: ToWorker) => {
  if (message.type === 'read-result') {
    const pending = pendingReads.get(message.readId);
    pendingReads.delete(message.readId);
    if (!pending) return;
    const error = message.error;
    if (error) {
      pending.reject(new LabvaultError(error.code, error.message, error.details ? { details: error.details } : {}));
    } else {
      pending.resolve(Buffer.from(message.bytes ?? new Uint8Array(0)));
    }
    return;
  }
  answer(message.request).then(
    ({ result, transfer }) => post({ type: 'response', id: message.id, result }, transfer),
    (error: unknown) => post({ type: 'response', id: message.id, error: errorInfo(error) }),
  );
});
