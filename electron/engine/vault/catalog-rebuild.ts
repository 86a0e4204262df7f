/**
 * `vault rebuild-catalog`: a new catalog database made from the vault's files alone. A
 * catalog too damaged to open is what this is for: it is renamed aside (kept, never
 * deleted) and the vault is opened with a fresh one before the rebuild.
 */
import { rename, rm } from 'node:fs/promises';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { countItems } from '../catalog/item-repository.ts';
import { countJobs } from '../catalog/job-repository.ts';
import { countPoints } from '../catalog/point-repository.ts';
import { countPolicies } from '../catalog/policy-repository.ts';
import { catalogPath } from '../catalog/vault-catalog.ts';
import { rebuildCatalog } from './vault-initialization.ts';
import type { VaultDirectory } from './vault-directory.ts';
import type { VaultKeyring } from './vault-keyring.ts';
import type { VaultSession } from './vault-session.ts';

export interface RebuiltCatalog {
  vault: string;
  policies: number;
  items: number;
  points: number;
  jobs: number;
  setAside: { path: string; reason: string } | null;
}

/** Opens the vault; when its catalog cannot be opened (CORRUPT naming the catalog), sets it aside first. */
async function openSettingAside(vaults: VaultDirectory, name: string): Promise<{
  session: VaultSession; setAside: RebuiltCatalog['setAside'];
}> {
  try {
    return { session: await vaults.session(name), setAside: null };
  } catch (error) {
    const entry = (await vaults.known.list())
      .find((known) => known.id === name || known.name.toLowerCase() === name.toLowerCase());
    const damagedCatalog = entry ? catalogPath(entry.path) : null;
    if (!(error instanceof LabvaultError) || error.code !== ErrorCodes.CORRUPT || !entry
      || error.details?.path !== damagedCatalog || damagedCatalog === null) throw error;
    const aside = `${damagedCatalog}.damaged-${Date.now()}`;
    await rename(damagedCatalog, aside);
    for (const suffix of ['-wal', '-shm']) await rm(`${damagedCatalog}${suffix}`, { force: true });
    return { session: await vaults.session(entry.id), setAside: { path: aside, reason: error.message } };
  }
}

export async function rebuildVaultCatalog(
  vaults: VaultDirectory, keyring: VaultKeyring, name: string,
): Promise<RebuiltCatalog> {
  const { session, setAside } = await openSettingAside(vaults, name);
  await keyring.keysFor(session); // an encrypted vault's records are read with its keys (asks for the passphrase)
  await rebuildCatalog(session, keyring, (catalog) => { session.catalog = catalog; });
  return {
    vault: session.config.name,
    policies: countPolicies(session.catalog),
    items: countItems(session.catalog),
    points: countPoints(session.catalog),
    jobs: countJobs(session.catalog),
    setAside,
  };
}
