/** Where a vault keeps its data, and whether it holds any. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

export const VAULT_DATA_DIR = 'data';

export function vaultDataDir(vaultDir: string): string {
  return join(vaultDir, VAULT_DATA_DIR);
}

/** True when any recovery point manifest (live or soft-deleted) exists. */
export async function vaultHoldsData(vaultDir: string): Promise<boolean> {
  for (const sub of ['manifests', 'manifests-deleted']) {
    const entries = await readdir(join(vaultDataDir(vaultDir), sub), { recursive: true }).catch(() => [] as string[]);
    if (entries.some((name) => !name.startsWith('.') && !name.endsWith('.tmp') && name.includes('/'))) return true;
  }
  return false;
}
