/**
 * Vault lifecycle: create, open (add to the known list), list, show, update settings,
 * delete when empty. Rename is not allowed: a vault's name is fixed at creation.
 */
import { mkdir, rm, readdir, rmdir } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { PathCheck, Vault } from '../../../shared/contract/models.ts';
import type { CreateVaultInput } from '../../../shared/contract/vault-channels.ts';
import {
  SOFT_DELETE_DAYS_DEFAULT, sameVaultName, softDeleteDaysProblem, vaultNameProblem,
} from '../../../shared/vault-rules.ts';
import { KnownVaults, type KnownVault } from '../app/known-vaults.ts';
import { MachineTrust } from '../app/machine-trust.ts';
import { countItemsInStates } from '../catalog/item-repository.ts';
import { countPoints } from '../catalog/point-repository.ts';
import { CATALOG_SIDE_SUFFIXES, catalogLocation, catalogPath, externalCatalogPath, openCatalog } from '../catalog/vault-catalog.ts';
import type { Clock } from '../app/clock.ts';
import { ioError } from '../fs/io-error.ts';
import { checkVaultPath, planVaultPath } from './vault-path-check.ts';
import {
  VAULT_FORMAT_TAG, VAULT_FORMAT_VERSION, readVaultConfig, writeVaultConfig, type VaultConfig,
} from './vault-config.ts';
import { DEFAULT_CHUNK_SIZE } from './store/index.ts';
import type { VaultSession } from './vault-session.ts';
import { vaultDataDir, vaultHoldsData } from './vault-contents.ts';
import { effectiveImmutability, effectiveSoftDelete, immutabilityNote } from './immutability-state.ts';
import { plainRecords, RecordStore, type RecordSealer } from './record-store.ts';
import { instantRestoreClonesOn } from './instant-restore-setting.ts';
import { assertNoLinksInVault } from './vault-folders.ts';

export interface VaultLifecycleHooks {
  /** Called after the vault's files exist and before it is registered (default policy, store init). */
  initialize?(session: VaultSession, input: CreateVaultInput): Promise<void>;
  /** Indexes a locked encrypted vault (asks for its passphrase); clears indexPending. */
  index?(session: VaultSession): Promise<void>;
  /** The sealer of a session's records (the keyring's; without it an encrypted vault's records stay closed). */
  recordSealer?(session: VaultSession): Promise<RecordSealer>;
  /** Called before Labvault writes vault.json (encrypted vaults: recompute its settingsMac). */
  authenticate?(session: VaultSession): Promise<void>;
  /** Called when a session is opened: reconcile the catalog with the vault's files. */
  opened?(session: VaultSession): Promise<void>;
}

export class VaultDirectory {
  readonly known: KnownVaults;
  /** What this machine trusts: confirmed item files, immutability seen (app/machine-trust.ts). */
  readonly trust: MachineTrust;
  private readonly sessions = new Map<string, VaultSession>();
  private readonly opening = new Map<string, Promise<VaultSession>>();
  private readonly clock: Clock;
  private readonly hooks: VaultLifecycleHooks;

  readonly appHome: string;

  constructor(appHome: string, clock: Clock, hooks: VaultLifecycleHooks = {}) {
    this.appHome = appHome;
    this.known = new KnownVaults(appHome);
    this.trust = new MachineTrust(appHome);
    this.clock = clock;
    this.hooks = hooks;
  }

  async list(): Promise<Vault[]> {
    const known = await this.known.list();
    const result: Vault[] = [];
    for (const entry of known) result.push(await this.describe(entry));
    return result.sort((a, b) => a.name.localeCompare(b.name));
  }

  async show(name: string): Promise<Vault> {
    return this.describe(await this.findKnown(name));
  }

  checkPath(path: string): Promise<PathCheck> {
    return checkVaultPath(path);
  }

  async create(input: CreateVaultInput): Promise<Vault> {
    const name = input.name;
    const nameProblem = vaultNameProblem(name);
    if (nameProblem) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Invalid name "${name}": ${nameProblem}`, { field: 'name' });
    const softDeleteDays = input.softDeleteDays ?? SOFT_DELETE_DAYS_DEFAULT;
    const daysProblem = softDeleteDaysProblem(softDeleteDays);
    if (daysProblem) throw new LabvaultError(ErrorCodes.INVALID_INPUT, daysProblem, { field: 'softDeleteDays' });
    const softDeleteEnabled = input.softDeleteEnabled ?? true;
    const immutability = input.immutability ?? 'disabled';
    if (immutability !== 'disabled' && !softDeleteEnabled) {
      throw new LabvaultError(ErrorCodes.RULE_VIOLATION, 'Soft delete cannot be off while immutability is enabled.', { field: 'softDeleteEnabled' });
    }
    const known = await this.known.list();
    const clash = known.find((vault) => sameVaultName(vault.name, name));
    if (clash) throw new LabvaultError(ErrorCodes.CONFLICT, `A vault named "${clash.name}" already exists (names are unique regardless of case).`, { field: 'name' });
    const plan = await planVaultPath(input.path);
    if (known.some((vault) => resolve(vault.path) === plan.path)) {
      throw new LabvaultError(ErrorCodes.CONFLICT, `Location ${plan.path} already holds a known vault.`, { field: 'path' });
    }

    const config: VaultConfig = {
      format: VAULT_FORMAT_TAG,
      formatVersion: VAULT_FORMAT_VERSION,
      id: randomUUID(),
      name,
      createdAt: this.clock.now().toISOString(),
      settings: {
        softDelete: { enabled: softDeleteEnabled, days: softDeleteDays },
        immutability,
        chunkSize: DEFAULT_CHUNK_SIZE,
        compression: 'zstd',
        // Clones on. An encrypted vault's "on" is the setting's absence, and its clones stay beside the VM,
        // never in its folder (instant-restore-setting.ts).
        ...(input.passphrase === undefined ? { instantRestoreClones: true } : {}),
      },
      store: {},
    };
    const dir = plan.path;
    try {
      await mkdir(dir, { recursive: true });
      await mkdir(vaultDataDir(dir), { recursive: true });
      const catalogFile = catalogLocation(dir, config.id, input.passphrase !== undefined, this.appHome);
      const catalog = openCatalog(catalogFile);
      const session: VaultSession = {
        dir, config, catalog, catalogFile, records: new RecordStore(dir, () => this.recordSealer(session)),
      };
      this.sessions.set(config.id, session);
      await this.hooks.initialize?.(session, input);
      await this.hooks.authenticate?.(session);
      // vault.json last: a folder without it is not a vault, so a crash before here leaves no half vault.
      await writeVaultConfig(dir, session.config);
    } catch (error) {
      await this.discardCreated(config.id, dir, plan.exists);
      throw ioError(dir, 'create the vault', error);
    }
    await this.known.add({ id: config.id, name, path: dir, addedAt: this.clock.now().toISOString() });
    const created = this.sessions.get(config.id);
    if (created) await this.rememberImmutability(created);
    return this.describe({ id: config.id, name, path: dir, addedAt: '' });
  }

  async open(rawPath: string): Promise<Vault> {
    const dir = resolve(rawPath);
    const config = await readVaultConfig(dir);
    const known = await this.known.list();
    const sameId = known.find((vault) => vault.id === config.id);
    const clash = known.find((vault) => vault.id !== config.id && sameVaultName(vault.name, config.name));
    if (clash) {
      throw new LabvaultError(ErrorCodes.CONFLICT, `Another known vault is already named "${clash.name}" (at ${clash.path}). Vault names must be unique; remove that vault from the list first.`, { field: 'path' });
    }
    // Items of a vault new to this machine, or found in another folder, need their files confirmed here.
    if (!sameId || resolve(sameId.path) !== dir) await this.trust.forgetItems(config.id);
    if (sameId && resolve(sameId.path) !== dir) {
      // The vault moved: remember its new place.
      this.sessions.get(config.id)?.catalog.close();
      this.sessions.delete(config.id);
    }
    await this.known.add({
      id: config.id, name: config.name, path: dir, addedAt: sameId?.addedAt ?? this.clock.now().toISOString(),
    });
    await this.session(config.id, { allowLocked: true });
    return this.show(config.name);
  }

  /** Opens (or returns the cached) session of a vault given its name or id. */
  async session(nameOrId: string, options: { allowLocked?: boolean } = {}): Promise<VaultSession> {
    const entry = await this.findKnown(nameOrId);
    let session = this.sessions.get(entry.id);
    if (!session) {
      let pending = this.opening.get(entry.id);
      if (!pending) {
        pending = this.openSession(entry).finally(() => this.opening.delete(entry.id));
        this.opening.set(entry.id, pending);
      }
      session = await pending;
    }
    if (session.indexPending && !options.allowLocked) await this.hooks.index?.(session);
    return session;
  }

  /** The sealer of a session's records: the hook's (the keyring's); plain vaults need none. */
  private recordSealer(session: VaultSession): Promise<RecordSealer> {
    if (this.hooks.recordSealer) return this.hooks.recordSealer(session);
    if ((session.config.store as { encryption?: unknown }).encryption) {
      return Promise.reject(new LabvaultError(ErrorCodes.BAD_PASSPHRASE,
        `Vault "${session.config.name}" is encrypted and locked: unlock it with its passphrase first.`, { field: 'passphrase' }));
    }
    return Promise.resolve(plainRecords);
  }

  private async openSession(entry: KnownVault): Promise<VaultSession> {
    const config = await readVaultConfig(entry.path);
    if (config.id !== entry.id) {
      throw new LabvaultError(ErrorCodes.CONFLICT, `The folder ${entry.path} now holds a different vault ("${config.name}"). Open it again with "labvault vault open".`);
    }
    assertNoLinksInVault(entry.path);
    const encrypted = Boolean((config.store as { encryption?: unknown }).encryption);
    const catalogFile = catalogLocation(entry.path, config.id, encrypted, this.appHome);
    const session: VaultSession = {
      dir: entry.path, config, catalog: openCatalog(catalogFile), catalogFile,
      records: new RecordStore(entry.path, () => this.recordSealer(session)),
    };
    try {
      await this.hooks.opened?.(session);
    } catch (error) {
      session.catalog.close();
      throw error;
    }
    await this.rememberImmutability(session);
    this.sessions.set(entry.id, session);
    return session;
  }

  /**
   * Remembers on this machine the immutability the vault shows now (only ever stronger,
   * unless `allowWeaker`: the app's own settings change) and keeps it on the session.
   */
  async rememberImmutability(session: VaultSession, options: { allowWeaker?: boolean } = {}): Promise<void> {
    const { immutability, softDelete } = session.config.settings;
    session.immutabilityMemory = await this.trust.rememberImmutability(session.config.id, immutability,
      softDelete.enabled ? softDelete.days : 0, this.clock.now(), options);
  }

  /** Sessions open right now (for the scheduler and shutdown). */
  openSessions(): VaultSession[] {
    return [...this.sessions.values()];
  }

  async saveConfig(session: VaultSession): Promise<void> {
    try {
      await this.hooks.authenticate?.(session);
    } catch (error) {
      session.config = await readVaultConfig(session.dir); // the change is not made: keep what is on disk
      throw error;
    }
    await writeVaultConfig(session.dir, session.config);
  }

  async deleteBlockers(name: string): Promise<string[]> {
    const session = await this.session(name);
    const blockers: string[] = [];
    const items = countItemsInStates(session.catalog, ['protected', 'stopped']);
    if (items > 0) blockers.push(`${items} protected item${items === 1 ? '' : 's'} (stop protection and delete their data first)`);
    const softDeletedItems = countItemsInStates(session.catalog, ['soft-deleted']);
    if (softDeletedItems > 0) blockers.push(`${softDeletedItems} soft-deleted item${softDeletedItems === 1 ? '' : 's'} (kept until purge; undelete or wait for the purge date)`);
    const points = countPoints(session.catalog);
    if (points > 0) blockers.push(`${points} recovery point${points === 1 ? '' : 's'}, soft-deleted ones included`);
    if (blockers.length === 0 && (await vaultHoldsData(session.dir))) blockers.push('backup data in the vault folder not yet in the catalog (run "labvault vault rebuild-catalog")');
    return blockers;
  }

  async delete(name: string): Promise<void> {
    const entry = await this.findKnown(name);
    // Checked before anything is removed: the id names a file in the app's folder.
    const external = externalCatalogPath(this.appHome, entry.id, this.known.file);
    const blockers = await this.deleteBlockers(entry.id);
    if (blockers.length > 0) {
      throw new LabvaultError(ErrorCodes.RULE_VIOLATION, `Vault "${entry.name}" cannot be deleted while it holds: ${blockers.join('; ')}.`, { details: { blockers } });
    }
    const session = this.sessions.get(entry.id);
    session?.catalog.close();
    this.sessions.delete(entry.id);
    await this.known.remove(entry.id);
    await removeVaultFiles(entry.path);
    for (const suffix of ['', ...CATALOG_SIDE_SUFFIXES]) await rm(`${external}${suffix}`, { force: true });
  }

  close(): void {
    for (const session of this.sessions.values()) session.catalog.close();
    this.sessions.clear();
  }

  private async findKnown(nameOrId: string): Promise<KnownVault> {
    const known = await this.known.list();
    const entry = known.find((vault) => vault.id === nameOrId)
      ?? known.find((vault) => sameVaultName(vault.name, nameOrId));
    if (!entry) throw new LabvaultError(ErrorCodes.NOT_FOUND, `No vault named "${nameOrId}". "labvault vault list" shows the known vaults.`, { field: 'name' });
    return entry;
  }

  private async describe(entry: KnownVault): Promise<Vault> {
    try {
      const session = await this.session(entry.id, { allowLocked: true });
      const { config } = session;
      return {
        id: config.id,
        name: config.name,
        path: session.dir,
        createdAt: config.createdAt,
        formatVersion: config.formatVersion,
        softDeleteEnabled: effectiveSoftDelete(session).enabled,
        softDeleteDays: effectiveSoftDelete(session).days,
        immutability: effectiveImmutability(session),
        ...(immutabilityNote(session) ? { immutabilityNote: immutabilityNote(session) } : {}),
        encrypted: Boolean((config.store as { encryption?: unknown }).encryption),
        instantRestoreClones: instantRestoreClonesOn(config),
        chunkSize: config.settings.chunkSize,
        status: 'ok',
        ...(session.indexPending ? { locked: true, statusMessage: 'Encrypted and locked: unlock it with its passphrase to see its items.' } : {}),
        itemCount: countItemsInStates(session.catalog, ['protected', 'stopped', 'soft-deleted']),
      };
    } catch (error) {
      return {
        id: entry.id, name: entry.name, path: entry.path, createdAt: entry.addedAt, formatVersion: 0,
        softDeleteEnabled: true, softDeleteDays: 0, immutability: 'disabled', encrypted: false, chunkSize: 0,
        status: 'missing', statusMessage: error instanceof Error ? error.message : String(error),
      };
    }
  }

  private async discardCreated(id: string, dir: string, existedBefore: boolean): Promise<void> {
    this.sessions.get(id)?.catalog.close();
    this.sessions.delete(id);
    // The id was made here (randomUUID); externalCatalogPath still checks it names a file in <appHome>/catalogs.
    const external = externalCatalogPath(this.appHome, id, this.known.file);
    for (const suffix of ['', ...CATALOG_SIDE_SUFFIXES]) await rm(`${external}${suffix}`, { force: true });
    await removeVaultFiles(dir, existedBefore).catch(() => undefined);
  }
}

/** Removes only the files a vault owns, then the folder when it is left empty. */
async function removeVaultFiles(dir: string, keepFolder = false): Promise<void> {
  for (const name of ['vault.json', 'catalog.sqlite', 'catalog.sqlite-wal', 'catalog.sqlite-shm']) {
    await rm(join(dir, name), { force: true });
  }
  await rm(catalogPath(dir) + '-journal', { force: true });
  await rm(vaultDataDir(dir), { recursive: true, force: true });
  if (keepFolder) return;
  const left = await readdir(dir).catch(() => null);
  if (left && left.length === 0) await rmdir(dir).catch(() => undefined);
}
