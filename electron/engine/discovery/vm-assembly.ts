/** Pieces every hypervisor module uses to assemble a DiscoveredVm from what it read. */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { DiscoveredDisk, DiscoveredVm, IgnoredDevice } from './discovered-vm.ts';
import { type ChainOptions, resolveDiskChain } from './disk-chain.ts';

export async function isFileHere(path: string): Promise<boolean> {
  return stat(path).then((stats) => stats.isFile(), () => false);
}

/** A stable id for a VM its hypervisor gives none: a digest of its config path. */
export function idFromPath(path: string): string {
  return `path-${createHash('sha256').update(path).digest('hex').slice(0, 32)}`;
}

/** Collects a VM's files, missing files, disks and notes while a module reads its config. */
export class VmFileSet {
  readonly disks: DiscoveredDisk[] = [];
  readonly ignoredDevices: IgnoredDevice[] = [];
  readonly notes: string[] = [];
  private readonly files = new Set<string>();
  private readonly missing = new Set<string>();

  constructor(configPath: string) {
    this.files.add(configPath);
  }

  /** A file the VM is made of; listed as missing when it is not on disk. Returns whether it exists. */
  async addFile(path: string): Promise<boolean> {
    if (await isFileHere(path)) {
      this.files.add(path);
      return true;
    }
    this.missing.add(path);
    return false;
  }

  /** A disk the VM uses now: its whole chain is part of the VM. */
  async addDisk(
    activePath: string, options: ChainOptions, extra: Partial<DiscoveredDisk> = {},
  ): Promise<DiscoveredDisk> {
    const chain = await resolveDiskChain(activePath, options);
    const disk = { ...chain.disk, ...extra };
    if (chain.disk.reason !== undefined && extra.reason !== undefined) disk.reason = `${extra.reason}; ${chain.disk.reason}`;
    this.disks.push(disk);
    this.addChain(chain);
    return disk;
  }

  /** Layers that are part of the VM without being a current disk (older snapshot branches). */
  async addLayers(activePath: string, options: ChainOptions): Promise<void> {
    this.addChain(await resolveDiskChain(activePath, options));
  }

  private addChain(chain: Awaited<ReturnType<typeof resolveDiskChain>>): void {
    for (const file of chain.files) this.files.add(file);
    for (const file of chain.missing) this.missing.add(file);
    this.notes.push(...chain.notes.filter((note) => !this.notes.includes(note)));
  }

  fileList(): string[] {
    return [...this.files];
  }

  missingList(): string[] {
    return [...this.missing].filter((path) => !this.files.has(path));
  }

  /** The collected parts of a DiscoveredVm. */
  parts(): Pick<DiscoveredVm, 'disks' | 'files' | 'missingOnDisk' | 'ignoredDevices'> & { notes?: string[] } {
    const parts = {
      disks: this.disks, files: this.fileList(), missingOnDisk: this.missingList(), ignoredDevices: this.ignoredDevices,
    };
    return this.notes.length > 0 ? { ...parts, notes: this.notes } : parts;
  }
}
