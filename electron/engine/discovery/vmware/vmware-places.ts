/**
 * Where VMware Workstation, Player and Fusion list their VMs: the inventory (inventory.vmls,
 * Fusion's vmInventory: `vmlistN.config`) and the preferences' most-recently-used list
 * (`pref.mruVMN.filename`), in ~/.vmware (Linux), %APPDATA%\VMware (Windows) and
 * ~/Library/Application Support/VMware Fusion or ~/Library/Preferences/VMware Fusion (macOS).
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { readConfigText } from '../config-file.ts';
import { configPathHere } from '../discovery-paths.ts';
import type { DiscoveryContext, WellKnownPlace } from '../hypervisor-discovery.ts';
import { userHomes } from '../user-homes.ts';
import { parseVmxText } from './vmx-file.ts';

export const VMWARE_LIST_FILES = ['inventory.vmls', 'vmInventory', 'preferences', 'preferences.ini'];
const FOLDERS = {
  linux: ['.vmware'],
  win32: ['AppData/Roaming/VMware'],
  darwin: ['Library/Application Support/VMware Fusion', 'Library/Preferences/VMware Fusion'],
};

export async function vmwarePlaces(ctx: DiscoveryContext): Promise<WellKnownPlace[]> {
  const folders = ctx.root !== undefined
    ? Object.values(FOLDERS).flat()
    : FOLDERS[process.platform as keyof typeof FOLDERS] ?? [];
  const places: WellKnownPlace[] = [];
  if (ctx.root === undefined && process.platform === 'win32' && ctx.env.APPDATA) {
    places.push({ path: join(ctx.env.APPDATA, 'VMware'), kind: 'vmware-inventory' });
  }
  for (const home of await userHomes(ctx)) {
    for (const folder of folders) places.push({ path: join(home, folder), kind: 'vmware-inventory' });
  }
  return places;
}

/** The .vmx paths an inventory or preferences file lists. */
export function vmxPathsIn(text: string): string[] {
  const paths: string[] = [];
  for (const [key, value] of parseVmxText(text)) {
    if (/^vmlist\d+\.config$/.test(key) || /^pref\.mruvm\d+\.filename$/.test(key)) {
      if (value.toLowerCase().endsWith('.vmx')) paths.push(value);
    }
  }
  return paths;
}

/** The list files at `path` (one of them, or the folder holding them); null when there are none. */
export async function vmwareListFiles(path: string): Promise<string[] | null> {
  const stats = await stat(path).catch(() => null);
  if (stats?.isFile()) return VMWARE_LIST_FILES.includes(basename(path)) ? [path] : null;
  if (!stats?.isDirectory()) return null;
  const names = await readdir(path).catch(() => [] as string[]);
  const found = VMWARE_LIST_FILES.filter((name) => names.includes(name)).map((name) => join(path, name));
  return found.length > 0 ? found : null;
}

export async function vmxPathsAt(path: string, ctx: DiscoveryContext): Promise<string[] | null> {
  const files = await vmwareListFiles(path);
  if (files === null) return null;
  const paths: string[] = [];
  for (const file of files) {
    for (const written of vmxPathsIn(await readConfigText(file))) {
      const here = configPathHere(written, dirname(file), ctx.root);
      if (!paths.includes(here)) paths.push(here);
    }
  }
  const namedFile = VMWARE_LIST_FILES.includes(basename(path));
  return paths.length === 0 && !namedFile ? null : paths;
}
