/**
 * The home folders well-known places are looked for in: this user's, or with a discovery
 * root (another machine's disk), every user's home on it (/root, /home/*, /Users/*,
 * C:\Users\* mounted as DIR/Users/*).
 */
import { readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DiscoveryContext } from './hypervisor-discovery.ts';

const MAX_HOMES = 256;

async function subfolders(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).slice(0, MAX_HOMES).map((entry) => join(dir, entry.name));
  } catch {
    return [];
  }
}

export async function userHomes(ctx: DiscoveryContext): Promise<string[]> {
  if (ctx.root === undefined) return [resolve(ctx.env.HOME ?? ctx.env.USERPROFILE ?? homedir())];
  const root = resolve(ctx.root);
  return [join(root, 'root'), ...(await subfolders(join(root, 'home'))), ...(await subfolders(join(root, 'Users')))];
}
