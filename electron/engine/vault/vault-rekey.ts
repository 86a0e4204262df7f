/**
 * Re-keying an encrypted vault: a new random master key, and every blob rewritten under it.
 * A passphrase change only re-wraps the master key; this replaces it, so whoever learned the
 * old key (or kept an old vault.json with the old passphrase) can read nothing of the vault.
 *
 * Chunk and index ids are HMACs under a key derived from the master key, so they change:
 * the rekeyed vault is built beside the old one, in <vault>/.rekey/data, point by point
 * (chunks, then indexes naming the new chunk ids, then the manifest naming the new index ids),
 * while the old data stays untouched and usable for restores and backups. Progress is what
 * <vault>/.rekey holds: rekey.json (the new master key, wrapped with the vault's passphrase)
 * and the points already written; a killed rekey continues at the next run.
 *
 * The finish runs under the vault's exclusive lock (no backup, no GC): points added, deleted
 * or soft-deleted meanwhile are mirrored, records and schedule slots are resealed, then
 *   1. <vault>/data -> <vault>/.rekey/old-data, <vault>/.rekey/data -> <vault>/data (renames),
 *   2. vault.json gets the new wrapped key and its settingsMac under the new key,
 *   3. <vault>/.rekey is removed.
 * A run that finds .rekey/old-data resumes at step 1's second rename or at step 2.
 */
import { cp, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../fs/atomic-file.ts';
import { readUntrustedFile, readUntrustedText } from '../fs/untrusted-file.ts';
import { fsyncDir } from './store/durable-fs.ts';
import { writeKeyCheck } from './store/key-check.ts';
import {
  FixedIndex, VaultStore, createEncryption, recordBinding, scheduleSlotBinding, unlock,
  type EncryptionSettings, type Manifest, type ManifestRef, type StoreSettings, type VaultKeys,
} from './store/index.ts';
import { sealedRecords } from './record-sealer.ts';
import type { RecordSealer } from './record-store.ts';
import { writeVaultConfig } from './vault-config.ts';
import { vaultDataDir } from './vault-contents.ts';
import type { VaultKeyring } from './vault-keyring.ts';
import { storeSettingsOf } from './vault-keyring.ts';
import type { VaultSession } from './vault-session.ts';
import { withSettingsMac } from './vault-settings-mac.ts';

export const REKEY_DIR_NAME = '.rekey';
const STATE_FILE = 'rekey.json';
const OLD_DATA_NAME = 'old-data';
const RECORD_KINDS = ['items', 'policies', 'jobs', 'alerts', 'point-checks'] as const;
const SLOTS_PATH = ['schedule', 'slots'] as const;
const FINISH_LOCK_WAIT_MS = 120_000;

export interface RekeyProgress {
  phase: 'points' | 'finish';
  done: number;
  total: number;
}

export interface RekeyResult {
  points: number;
  resumed: boolean;
}

interface RekeyState {
  format: 'labvault-rekey';
  startedAt: string;
  /** The new master key, wrapped with the vault's passphrase (settings-bound AAD). */
  encryption: EncryptionSettings;
}

export function rekeyDir(vaultDir: string): string {
  return join(vaultDir, REKEY_DIR_NAME);
}

/** True while a rekey of this vault is unfinished (its work folder exists). */
export async function rekeyUnfinished(vaultDir: string): Promise<boolean> {
  return readdir(rekeyDir(vaultDir)).then(() => true, () => false);
}

async function readState(dir: string): Promise<RekeyState | null> {
  const path = join(dir, STATE_FILE);
  const text = await readUntrustedText(path, 'rekey-state').catch((error: unknown) => {
    if (error instanceof LabvaultError) throw error;
    return null;
  });
  if (text === null) return null;
  try {
    const state = JSON.parse(text) as RekeyState;
    if (state.format !== 'labvault-rekey' || typeof state.encryption?.wrappedKey !== 'string') throw new Error('not a rekey state');
    return state;
  } catch {
    throw new LabvaultError(ErrorCodes.CORRUPT, `${path} is damaged: the rekey cannot continue. If the vault's data folder is intact, remove ${dir} and run the rekey again.`, { details: { path } });
  }
}

/** The new keys: from an unfinished rekey's state, or a new master key written to the state first. */
async function newKeysOf(
  session: VaultSession, passphrase: string, dir: string,
): Promise<{ keys: VaultKeys; state: RekeyState; resumed: boolean }> {
  const existing = await readState(dir);
  if (existing !== null) return { keys: await unlock(existing.encryption, passphrase), state: existing, resumed: true };
  const current = storeSettingsOf(session).encryption as EncryptionSettings;
  const made = await createEncryption(passphrase, { n: current.n, r: current.r, p: current.p });
  const state: RekeyState = { format: 'labvault-rekey', startedAt: new Date().toISOString(), encryption: made.settings };
  await mkdir(dir, { recursive: true });
  await writeJsonAtomic(join(dir, STATE_FILE), state);
  return { keys: made.keys, state, resumed: false };
}

/** Copies one point into the new store: chunks under their new ids, new indexes, the manifest last. */
async function copyPoint(
  from: VaultStore, to: VaultStore, ref: ManifestRef, idMap: Map<string, Buffer>,
): Promise<void> {
  const manifest = await from.readManifest(ref.itemId, ref.pointId);
  const files: Manifest['files'] = [];
  for (const file of manifest.files) {
    const index = await from.readIndex(file.indexId, file.size);
    const next = new FixedIndex(to.chunkSize, index.fileSize);
    for (let i = 0; i < index.chunkCount; i += 1) {
      if (index.isZero(i)) continue;
      const oldHex = index.idAt(i).toString('hex');
      let newId = idMap.get(oldHex);
      if (newId === undefined) {
        const plain = await from.chunks.get(index.idAt(i));
        newId = await to.hasher.digest(plain);
        await to.chunks.put(newId, plain);
        idMap.set(oldHex, newId);
      }
      next.setId(i, newId);
    }
    await to.chunks.syncAll();
    const indexId = await to.indexes.write(next);
    files.push({ ...file, indexId, digest: indexId });
  }
  const { formatVersion: _formatVersion, ...input } = manifest;
  await to.commitPoint({ ...input, files });
  if (ref.state === 'soft-deleted') {
    await to.softDeleteManifest(ref.itemId, ref.pointId, {
      deletedAt: ref.deletedAt ?? new Date().toISOString(), purgeAt: ref.purgeAt ?? null,
    });
  }
}

const refKey = (ref: { itemId: string; pointId: string }): string => `${ref.itemId}/${ref.pointId}`;

/** Copies the points the new store lacks; with `mirror`, also drops and re-states points to match the old store. */
async function copyPoints(
  from: VaultStore, to: VaultStore, idMap: Map<string, Buffer>, onProgress: (progress: RekeyProgress) => void,
  mirror: boolean,
): Promise<number> {
  const refs = await from.listManifests({ includeDeleted: true });
  const done = new Map((await to.listManifests({ includeDeleted: true })).map((ref) => [refKey(ref), ref]));
  const writer = await to.beginWrite('rekey', { waitMs: FINISH_LOCK_WAIT_MS });
  try {
    let count = 0;
    for (const ref of refs) {
      const copied = done.get(refKey(ref));
      if (copied === undefined) await copyPoint(from, to, ref, idMap);
      else if (mirror && copied.state !== ref.state) {
        if (ref.state === 'live') await to.undeleteManifest(ref.itemId, ref.pointId);
        else await to.softDeleteManifest(ref.itemId, ref.pointId, {
          deletedAt: ref.deletedAt ?? new Date().toISOString(), purgeAt: ref.purgeAt ?? null,
        });
      }
      count += 1;
      onProgress({ phase: mirror ? 'finish' : 'points', done: count, total: refs.length });
    }
    if (mirror) {
      const live = new Set(refs.map(refKey));
      for (const ref of done.values()) if (!live.has(refKey(ref))) await to.deleteManifest(ref.itemId, ref.pointId);
    }
    return refs.length;
  } finally {
    await writer.release();
  }
}

/** Reseals every record and schedule slot file of `fromData` into `toData` with the new keys. */
async function resealRecords(
  fromData: string, toData: string, oldSealer: RecordSealer, newSealer: RecordSealer,
): Promise<void> {
  const groups = [
    ...RECORD_KINDS.map((kind) => ({ dir: join('records', kind), bind: (id: string) => recordBinding(kind, id), kind: 'record' as const })),
    { dir: join(...SLOTS_PATH), bind: scheduleSlotBinding, kind: 'schedule-slot' as const },
  ];
  for (const group of groups) {
    const names = await readdir(join(fromData, group.dir)).catch(() => [] as string[]);
    for (const name of names.sort()) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      const id = name.slice(0, -'.json'.length);
      const source = join(fromData, group.dir, name);
      const plain = await oldSealer.open(await readUntrustedFile(source, group.kind), source, group.bind(id));
      await writeFileAtomic(join(toData, group.dir, name), await newSealer.seal(plain, group.bind(id)));
    }
  }
}

/**
 * Carries the data folder's plain state files over unchanged: the scheduler lock and other
 * schedule files (slots are resealed), the jobs' phase locks and cancel requests, the GC epoch.
 * Symbolic links are copied as links, never followed.
 */
async function carryPlainState(fromData: string, toData: string): Promise<void> {
  const slots = join(fromData, ...SLOTS_PATH);
  for (const name of ['schedule', 'phase-locks', 'cancel-requests', 'gc-epoch']) {
    const source = join(fromData, name);
    if (!(await readdir(source).then(() => true, (error: NodeJS.ErrnoException) => error.code === 'ENOTDIR'))) continue;
    await cp(source, join(toData, name), {
      recursive: true, force: false, errorOnExist: false, verbatimSymlinks: true,
      filter: (path) => path !== slots && !path.startsWith(`${slots}/`),
    });
  }
}

/** Steps 1-3 of the finish (see the file comment); safe to run again after a kill at any point. */
async function swapIn(session: VaultSession, dir: string, state: RekeyState, keys: VaultKeys): Promise<void> {
  const data = vaultDataDir(session.dir);
  const fresh = join(dir, 'data');
  const old = join(dir, OLD_DATA_NAME);
  const oldExists = await readdir(old).then(() => true, () => false);
  if (!oldExists) await rename(data, old);
  const dataExists = await readdir(data).then(() => true, () => false);
  if (!dataExists) await rename(fresh, data);
  await fsyncDir(session.dir);
  const store = { ...session.config.store, encryption: state.encryption };
  const config = withSettingsMac({ ...session.config, store }, keys);
  await writeVaultConfig(session.dir, config);
  session.config = config;
  await rm(dir, { recursive: true, force: true });
  await fsyncDir(session.dir);
}

/**
 * Rekeys the session's encrypted vault with `passphrase` (the vault's passphrase: the new
 * master key is wrapped with it). Resumes an unfinished rekey. Afterwards the keyring holds
 * the new keys and the catalog should be rebuilt by the caller (chunk and index ids changed).
 */
export async function rekeyVault(
  session: VaultSession, keyring: VaultKeyring, passphrase: string,
  onProgress: (progress: RekeyProgress) => void = () => undefined,
): Promise<RekeyResult> {
  const settings = storeSettingsOf(session);
  if (!settings.encryption) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Vault "${session.config.name}" is not encrypted: there is no key to replace.`, { field: 'name' });
  const dir = rekeyDir(session.dir);
  const { keys: newKeys, state, resumed } = await newKeysOf(session, passphrase, dir);
  if (await readdir(join(dir, OLD_DATA_NAME)).then(() => true, () => false)) {
    // Killed during the swap: the new data is complete; finish it.
    await swapIn(session, dir, state, newKeys);
    keyring.replaceKeys(session, newKeys);
    return { points: 0, resumed: true };
  }
  await keyring.unlockWith(session, passphrase); // the old keys (checks vault.json's settingsMac too)
  const from = await keyring.store(session);
  const storeSettings: StoreSettings = { ...settings, encryption: state.encryption };
  const freshData = join(dir, 'data');
  const to = await (await readdir(freshData).then((names) => names.length > 0, () => false)
    ? VaultStore.open(dir, storeSettings, newKeys, { log: () => undefined })
    : VaultStore.create(dir, storeSettings, newKeys, { log: () => undefined }));
  const idMap = new Map<string, Buffer>();
  try {
    await copyPoints(from, to, idMap, onProgress, false);
    const lock = await from.lock.acquireExclusive({ purpose: 'rekey', waitMs: FINISH_LOCK_WAIT_MS, log: from.log });
    try {
      const points = await copyPoints(from, to, idMap, onProgress, true);
      await mkdir(join(freshData, 'records'), { recursive: true });
      await carryPlainState(vaultDataDir(session.dir), freshData);
      await resealRecords(
        vaultDataDir(session.dir), freshData, sealedRecords(keyring.keysOf(session)), sealedRecords(newKeys),
      );
      await writeKeyCheck(freshData, to.layout.tmpDir, newKeys);
      await to.close();
      await swapIn(session, dir, state, newKeys);
      keyring.replaceKeys(session, newKeys);
      return { points, resumed };
    } finally {
      await lock.release();
    }
  } finally {
    await to.close().catch(() => undefined);
  }
}
