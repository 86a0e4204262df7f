/**
 * Creating a vault's storage (with optional encryption) and keeping the catalog in step
 * with the vault's files: records (policies, items, jobs, alerts) and manifests (points).
 * The catalog is an index; `rebuildCatalog` makes a new one from the files alone.
 */
import { rename, rm } from 'node:fs/promises';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { Alert, Job } from '../../../shared/contract/item-models.ts';
import type { CreateVaultInput } from '../../../shared/contract/vault-channels.ts';
import type { Clock } from '../app/clock.ts';
import { saveAlertRow } from '../alerts/alert-service.ts';
import { allPointRows, deletePointRow, pointFromManifest, savePointRow } from '../backup/point-record.ts';
import { loadPointTestRestores } from '../backup/point-test-record.ts';
import { countItems } from '../catalog/item-repository.ts';
import { countPolicies } from '../catalog/policy-repository.ts';
import { openCatalog } from '../catalog/vault-catalog.ts';
import { saveJobRow } from '../jobs/job-catalog.ts';
import { upsertItemRow } from '../protection/item-catalog.ts';
import type { ItemRecord } from '../protection/item-record.ts';
import { createEncryption, defaultStoreSettings, VaultStore } from './store/index.ts';
import { ensureDefaultPolicy, upsertPolicyRow, type PolicyRecord } from '../policy/policy-records.ts';
import type { VaultKeyring } from './vault-keyring.ts';
import type { VaultSession } from './vault-session.ts';

export const MIN_PASSPHRASE_LENGTH = 8;

export async function initializeVault(
  session: VaultSession, input: CreateVaultInput, keyring: VaultKeyring, clock: Clock,
): Promise<void> {
  const settings = defaultStoreSettings();
  settings.chunkSize = session.config.settings.chunkSize;
  let keys;
  if (input.passphrase !== undefined) {
    if (input.passphrase.length < MIN_PASSPHRASE_LENGTH) {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, `The passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long.`, { field: 'passphrase' });
    }
    const encryption = await createEncryption(input.passphrase);
    settings.encryption = encryption.settings;
    keys = encryption.keys;
  }
  await VaultStore.create(session.dir, settings, keys, { log: () => undefined });
  session.config = { ...session.config, store: settings as unknown as Record<string, unknown> };
  if (keys) keyring.rememberCreated(session, keys);
  await ensureDefaultPolicy(session, clock.now());
}

/**
 * Brings the catalog in line with the vault's files. With onlyIfEmpty, records are loaded
 * only into an empty catalog (a fresh or rebuilt one); manifests are always compared.
 */
export async function reconcileCatalog(
  session: VaultSession, keyring: VaultKeyring, options: { onlyIfEmpty?: boolean } = {},
): Promise<void> {
  const empty = countPolicies(session.catalog) === 0 && countItems(session.catalog) === 0;
  // Records of a locked encrypted vault cannot be read yet: reconciled again on unlock.
  if (!keyring.isUnlocked(session)) {
    if (empty) session.indexPending = true;
    return;
  }
  await keyring.keysFor(session);
  session.indexPending = false;
  if (!options.onlyIfEmpty || empty) {
    // Every record is read (and checked) before any row is written: a damaged record leaves
    // the catalog as it was, so the vault shows as damaged again next time, not half-loaded.
    const policies = await session.records.list<PolicyRecord>('policies');
    const items = await session.records.list<ItemRecord>('items');
    const jobs = await session.records.list<Job>('jobs');
    const alerts = await session.records.list<Alert>('alerts');
    for (const policy of policies) upsertPolicyRow(session, policy);
    for (const item of items) upsertItemRow(session, item);
    for (const job of jobs) saveJobRow(session, job);
    for (const alert of alerts) saveAlertRow(session, alert);
  }
  if (!keyring.isUnlocked(session)) return; // manifests of a locked vault cannot be read yet
  const store = await keyring.store(session);
  const refs = await store.listManifests({ includeDeleted: true });
  const rows = new Map(allPointRows(session).map((row) => [row.id, row]));
  const seen = new Set<string>();
  for (const ref of refs) {
    seen.add(ref.pointId);
    const row = rows.get(ref.pointId);
    const state = ref.state === 'live' ? 'active' : 'soft-deleted';
    if (row && row.state === state) continue;
    const manifest = await store.readManifest(ref.itemId, ref.pointId).catch(() => null);
    if (!manifest) continue;
    savePointRow(session, pointFromManifest(manifest, state, {
      ...(ref.purgeAt !== undefined ? { purgeAt: ref.purgeAt } : {}),
      ...(ref.deletedAt !== undefined ? { deletedAt: ref.deletedAt } : {}),
      ...(row?.expiresAt !== undefined ? { expiresAt: row.expiresAt } : {}),
      ...(row?.snapshotUntil !== undefined ? { snapshotUntil: row.snapshotUntil } : {}),
    }));
  }
  for (const id of rows.keys()) if (!seen.has(id)) deletePointRow(session, id);
  // Test restore results of the points (records beside the manifests) into a fresh catalog.
  if (!options.onlyIfEmpty || empty) await loadPointTestRestores(session, seen);
}

/** Replaces the catalog with one built from the vault's files alone; the old one is kept as .bak until it succeeds. */
export async function rebuildCatalog(
  session: VaultSession, keyring: VaultKeyring, reopen: (catalog: ReturnType<typeof openCatalog>) => void,
): Promise<void> {
  const path = session.catalogFile;
  session.catalog.close();
  const backup = `${path}.bak`;
  await rm(backup, { force: true });
  await rename(path, backup).catch(() => undefined);
  await rm(`${path}-wal`, { force: true });
  await rm(`${path}-shm`, { force: true });
  const catalog = openCatalog(path);
  reopen(catalog);
  try {
    await reconcileCatalog(session, keyring);
  } catch (error) {
    catalog.close();
    await rm(path, { force: true });
    await rename(backup, path).catch(() => undefined);
    reopen(openCatalog(path));
    throw error;
  }
  await rm(backup, { force: true });
}
