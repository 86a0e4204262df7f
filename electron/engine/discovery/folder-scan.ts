/**
 * Scanning a folder a user names ("any folder to scan"): VM config files of every
 * hypervisor, and the folders holding disk images, a few levels deep, bounded in depth and
 * entry count. Symbolic links to folders are not followed (no loops).
 */
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isDiskImageName } from './files/files-discovery.ts';
import type { HypervisorDiscovery } from './hypervisor-discovery.ts';
import { BESIDE_VM_SNAPSHOTS_DIR } from '../../../shared/snapshot-folder-names.ts';

export const SCAN_LIMITS = { maxDepth: 4, maxEntries: 20_000 };
const HEAD_BYTES = 4096;
// Labvault's own clones beside a VM are copies of its files, never VMs or disks of their own.
const SKIPPED_FOLDERS = new Set(['Logs', 'node_modules', '.git', 'Caches', 'caches', BESIDE_VM_SNAPSHOTS_DIR]);
const CONFIG_EXTENSIONS = /\.(vbox|vmx|xml)$/i;

export interface FolderScan {
  configs: { path: string; module: HypervisorDiscovery }[];
  /** Folders with at least one disk image. */
  imageFolders: string[];
  /** True when a limit stopped the scan early. */
  truncated: boolean;
}

async function readHead(path: string): Promise<string> {
  const handle = await open(path, 'r').catch(() => null);
  if (handle === null) return '';
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } catch {
    return '';
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Which module's config `path` is, by name and first bytes; null for none. */
export async function configModuleOf(
  path: string, modules: readonly HypervisorDiscovery[],
): Promise<HypervisorDiscovery | null> {
  if (!CONFIG_EXTENSIONS.test(path)) return null;
  const head = await readHead(path);
  return modules.find((module) => module.isConfig(path, head)) ?? null;
}

export async function scanFolder(root: string, modules: readonly HypervisorDiscovery[]): Promise<FolderScan> {
  const scan: FolderScan = { configs: [], imageFolders: [], truncated: false };
  const pending: { dir: string; depth: number }[] = [{ dir: root, depth: 0 }];
  let entriesSeen = 0;
  while (pending.length > 0) {
    const { dir, depth } = pending.shift() as { dir: string; depth: number };
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    let hasImage = false;
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      entriesSeen += 1;
      if (entriesSeen > SCAN_LIMITS.maxEntries) { scan.truncated = true; return scan; }
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        const inside = depth + 1 <= SCAN_LIMITS.maxDepth;
        if (inside && !SKIPPED_FOLDERS.has(entry.name)) pending.push({ dir: path, depth: depth + 1 });
        else if (depth + 1 > SCAN_LIMITS.maxDepth) scan.truncated = true;
      } else if (entry.isFile()) {
        const module = await configModuleOf(path, modules);
        if (module) scan.configs.push({ path, module });
        else if (isDiskImageName(entry.name)) hasImage = true;
      }
    }
    if (hasImage) scan.imageFolders.push(dir);
  }
  return scan;
}
