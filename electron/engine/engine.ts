/**
 * The engine facade: one object per process that owns the vault directory, items, jobs
 * and events, and implements every contract channel. Faces (Electron, CLI, browser host)
 * construct it and route requests to `handlers`.
 */
import { readFileSync } from 'node:fs';
import type { ChannelHandlers } from '../../shared/contract/channels.ts';
import type { AppInfo } from '../../shared/contract/models.ts';
import { resolveAppHome } from './app/app-home.ts';
import { preparePrivateAppHome } from './app/private-app-home.ts';
import { systemClock, type Clock } from './app/clock.ts';
import { EventBus } from './app/event-bus.ts';
import { BackupService } from './backup/backup-service.ts';
import { buildHandlers } from './handlers/build-handlers.ts';
import { JobService } from './jobs/job-service.ts';
import { ProtectionService } from './protection/protection-service.ts';
import { AlertService } from './alerts/alert-service.ts';
import { VaultDirectory } from './vault/vault-directory.ts';
import { VaultKeyring } from './vault/vault-keyring.ts';
import { initializeVault, reconcileCatalog } from './vault/vault-initialization.ts';
import { installRetentionFollowUp } from './scheduling/retention-follow-up.ts';

/** Remembers vault passphrases in the OS keychain (desktop app only, when the user asks). */
export interface RememberedPassphrases {
  remember(vaultId: string, passphrase: string): Promise<void>;
  recall(vaultId: string): Promise<string | null>;
  forget(vaultId: string): Promise<boolean>;
}

export interface EngineOptions {
  appHome?: string;
  passphraseStore?: RememberedPassphrases;
  clock?: Clock;
  face: AppInfo['face'];
  env?: NodeJS.ProcessEnv;
}

export function appVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export class Engine {
  readonly appHome: string;
  readonly clock: Clock;
  readonly events = new EventBus();
  readonly keyring = new VaultKeyring();
  readonly vaults: VaultDirectory;
  readonly protection: ProtectionService;
  readonly jobs: JobService;
  readonly backups: BackupService;
  readonly alerts: AlertService;
  readonly face: AppInfo['face'];
  readonly handlers: ChannelHandlers;
  readonly passphraseStore: RememberedPassphrases | undefined;

  constructor(options: EngineOptions) {
    this.appHome = options.appHome ?? resolveAppHome(options.env ?? process.env);
    preparePrivateAppHome(this.appHome);
    this.clock = options.clock ?? systemClock;
    this.face = options.face;
    this.passphraseStore = options.passphraseStore;
    if (options.passphraseStore) {
      const store = options.passphraseStore;
      this.keyring.passphraseFor = (_name, vaultId) => store.recall(vaultId).catch(() => null);
    }
    this.vaults = new VaultDirectory(this.appHome, this.clock, {
      initialize: (session, input) => initializeVault(session, input, this.keyring, this.clock),
      opened: (session) => reconcileCatalog(session, this.keyring, { onlyIfEmpty: true }),
      authenticate: (session) => this.keyring.sealSettings(session),
      index: async (session) => {
        await this.keyring.keysFor(session);
        if (session.indexPending) await reconcileCatalog(session, this.keyring, { onlyIfEmpty: true });
      },
      prepare: (session) => {
        session.records.unlock = async () => {
          await this.keyring.keysFor(session);
        };
      },
    });
    this.protection = new ProtectionService(this.vaults, this.clock);
    this.jobs = new JobService(this.vaults, this.clock, this.events);
    this.backups = new BackupService(this.protection, this.jobs, this.keyring, this.clock);
    this.alerts = new AlertService(this.vaults, this.clock, this.events);
    this.keyring.onUnlocked = (session) => reconcileCatalog(session, this.keyring, { onlyIfEmpty: true });
    // Retention runs after every backup, whichever face started it.
    installRetentionFollowUp(this);
    this.handlers = buildHandlers(this);
  }

  /** Closes catalogs at once and stops the stores' worker threads (await it before exiting). */
  close(): Promise<void> {
    this.vaults.close();
    return this.keyring.closeStores();
  }
}
