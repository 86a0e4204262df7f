/**
 * What the restore-as-a-new-VM tests share: the VM items root (a vault, the real CLI with a
 * PATH holding only what a test links into it), the real tools linked in (qemu-img,
 * virt-xml-validate), disk layers with known content (a differencing VDI made from a
 * qemu-img VDI after its data was written, then given VirtualBox's differencing header
 * fields), and an expected raw image written with qemu-io for `qemu-img compare`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job, Point } from '../../../shared/contract/item-models.ts';
import type { RestoreVmPlan } from '../../../shared/contract/restore-vm-channels.ts';
import { createImage } from '../discovery/vm-fixture-kit.ts';
import type { VmItemsRoot } from '../vm-items/vm-items-kit.ts';

const MIB = 1024 * 1024;

/** Links real tools of this machine into the test PATH (those that exist). */
export function linkTools(kit: VmItemsRoot, names: string[]): void {
  for (const name of names) {
    for (const dir of ['/usr/bin', '/usr/local/bin', '/bin']) {
      if (existsSync(join(dir, name)) && !existsSync(join(kit.bin, name))) symlinkSync(join(dir, name), join(kit.bin, name));
    }
  }
}

/** Writes `pattern` over [offsetMiB, offsetMiB + lengthMiB) with qemu-io. */
export function qemuWrite(path: string, format: string, pattern: number, offsetMiB: number, lengthMiB: number): void {
  execFileSync('qemu-io', ['-f', format, '-c', `write -P ${pattern} ${offsetMiB}M ${lengthMiB}M`, path], { stdio: 'ignore' });
}

/** A differencing VDI child of `parent` whose own blocks hold `writes` (1 MiB VDI blocks, so whole MiBs). */
export function differencingVdiWithData(parent: string, child: string, writes: [pattern: number, offsetMiB: number, lengthMiB: number][]): string {
  const size = Number(readFileSync(parent).readBigUInt64LE(0x170) / BigInt(MIB));
  createImage(child, 'vdi', size);
  for (const [pattern, offset, length] of writes) qemuWrite(child, 'vdi', pattern, offset, length);
  const head = readFileSync(parent).subarray(0, 512);
  const image = readFileSync(child);
  image.writeUInt32LE(4, 0x4c);
  head.copy(image, 0x1a8, 0x188, 0x198);
  head.copy(image, 0x1b8, 0x198, 0x1a8);
  writeFileSync(child, image);
  return child;
}

/** A raw image of `sizeMiB` holding `writes` in order (later writes win), the expected merged view. */
export function expectedRaw(path: string, sizeMiB: number, writes: [number, number, number][]): string {
  createImage(path, 'raw', sizeMiB);
  for (const [pattern, offset, length] of writes) qemuWrite(path, 'raw', pattern, offset, length);
  return path;
}

/** qemu-img compare's exit code (0 identical, 1 different). */
export function qemuCompare(expected: string, expectedFormat: string, actual: string, actualFormat: string): number {
  try {
    execFileSync('qemu-img', ['compare', '-q', '-f', expectedFormat, '-F', actualFormat, expected, actual]);
    return 0;
  } catch (error) {
    return (error as { status?: number }).status ?? -1;
  }
}

export function qemuCheck(path: string, format: string): void {
  execFileSync('qemu-img', ['check', '-q', '-f', format, path]);
}

export function protectAndBackup(kit: VmItemsRoot, config: string, name?: string): { item: string; pointId: string; point: Point } {
  const item = kit.ok('protect', '--vault', kit.vault, '--vm', config, ...(name ? ['--name', name] : []), '--json').json<{ name: string }>().name;
  const job = kit.backup(item);
  if (job.status !== 'completed' || !job.pointId) throw new Error(`backup of ${item} ended ${job.status}: ${JSON.stringify(job.error)}`);
  const point = kit.ok('points', 'list', item, '--json').json<Point[]>()[0] as Point;
  return { item, pointId: job.pointId, point };
}

export type RestoredJob = Job & { plan: RestoreVmPlan };

/**
 * Writes into a differencing VDI's own blocks: qemu-io opens only a VDI of type "normal"
 * without a parent link, so those header fields are cleared for the write, then put back.
 */
export function writeIntoDiffVdi(path: string, writes: [pattern: number, offsetMiB: number, lengthMiB: number][]): void {
  const original = readFileSync(path).subarray(0, 0x200);
  const normal = readFileSync(path);
  normal.writeUInt32LE(1, 0x4c);
  normal.fill(0, 0x1a8, 0x1c8);
  writeFileSync(path, normal);
  for (const [pattern, offset, length] of writes) qemuWrite(path, 'vdi', pattern, offset, length);
  const written = readFileSync(path);
  written.writeUInt32LE(original.readUInt32LE(0x4c), 0x4c);
  original.copy(written, 0x1a8, 0x1a8, 0x1c8);
  writeFileSync(path, written);
}

function vmdkCid(path: string): string {
  const head = readFileSync(path).subarray(0, 64 * 1024).toString('latin1');
  const match = /\nCID=([0-9a-fA-F]{1,8})/.exec(head);
  if (!match) throw new Error(`${path} has no CID`);
  return match[1] as string;
}

/** Sets parentCID in a monolithic sparse VMDK's embedded descriptor (NUL-padded, so it may grow a byte). */
function setParentCid(path: string, cid: string): void {
  const image = readFileSync(path);
  const start = image.indexOf('# Disk DescriptorFile');
  const end = image.indexOf(0, start);
  const text = image.subarray(start, end).toString('latin1');
  const next = text.replace(/\nparentCID=[0-9a-fA-F]+/, `\nparentCID=${cid}`);
  image.fill(0, start, end);
  image.write(next, start, 'latin1');
  writeFileSync(path, image);
}

/**
 * Writes data into each layer of a VMDK delta chain, base first. qemu gives a layer a new
 * CID when it writes it and refuses to write a child whose parentCID no longer matches, so
 * each child's parentCID is set to its parent's CID first (what VMware keeps in step).
 */
export function writeVmdkChain(layers: [path: string, writes: [number, number, number][]][]): void {
  layers.forEach(([path, writes], index) => {
    if (index > 0) setParentCid(path, vmdkCid(layers[index - 1]![0]));
    for (const [pattern, offset, length] of writes) qemuWrite(path, 'vmdk', pattern, offset, length);
  });
}
