/**
 * The engine's composition root: one Engine per process constructs every service with the
 * collaborators it uses passed to its constructor (nothing is wired by assigning fields
 * later), then the contract's handlers over them. Faces (Electron, CLI, browser host) reach
 * it through index.ts and call `handlers` through the contract. Nothing below handlers/
 * imports this file: lower modules declare the narrow services they use (e.g.
 * MaintenanceServices, SchedulerServices, ItemLifecycleServices), which Engine satisfies.
 */
import type { ChannelHandlers } from '../../shared/contract/channels.ts';
import type { AppInfo } from '../../shared/contract/models.ts';
import { resolveAppHome } from './app/app-home.ts';
import { preparePrivateAppHome } from './app/private-app-home.ts';
import { systemClock, type Clock } from './app/clock.ts';
import { EventBus } from './app/event-bus.ts';
import type { RememberedPassphrases } from './app/remembered-passphrases.ts';
import { BackupService } from './backup/backup-service.ts';
import { buildHandlers } from './handlers/build-handlers.ts';
import type { EngineServices } from './handlers/engine-services.ts';
import { JobService } from './jobs/job-service.ts';
import { ProtectionService } from './protection/protection-service.ts';
import { AlertService } from './alerts/alert-service.ts';
import { alertOnBackupEnd } from './alerts/backup-failure-alert.ts';
import { RestoreService } from './restore/restore-service.ts';
import { VmRestoreService } from './restore/vm-restore-service.ts';
import { ReplaceRestoreService } from './restore/restore-replace-service.ts';
import { GuestService } from './guest/guest-service.ts';
import { VaultDirectory } from './vault/vault-directory.ts';
import { VaultKeyring } from './vault/vault-keyring.ts';
import { initializeVault, reconcileCatalog } from './vault/vault-initialization.ts';
import { retentionAfterBackup } from './scheduling/retention-follow-up.ts';
import { discoverVms, readVm } from './discovery/discovery-service.ts';
import { configModuleOf } from './discovery/folder-scan.ts';
import { hypervisorModules } from './discovery/hypervisor-modules.ts';
import type { VmProtectionLookup } from './discovery/vm-protection-lookup.ts';
import { vmProtectionLookup } from './protection/vm-protected-by.ts';

export type { RememberedPassphrases } from './app/remembered-passphrases.ts';

export interface EngineOptions {
  appHome?: string;
  passphraseStore?: RememberedPassphrases;
  /** Where a locked vault's passphrase comes from when one is needed (the CLI: env, file or prompt). */
  passphraseSource?: (vaultName: string, vaultId: string) => Promise<string | null>;
  clock?: Clock;
  face: AppInfo['face'];
  env?: NodeJS.ProcessEnv;
}

export { appVersion } from './app/app-version.ts';

export class Engine implements EngineServices {
  readonly appHome: string;
  readonly clock: Clock;
  readonly events = new EventBus();
  readonly keyring: VaultKeyring;
  readonly vaults: VaultDirectory;
  readonly protection: ProtectionService;
  readonly jobs: JobService;
  readonly backups: BackupService;
  readonly alerts: AlertService;
  readonly restores: RestoreService;
  readonly vmRestores: VmRestoreService;
  readonly replaceRestores: ReplaceRestoreService;
  readonly guests: GuestService;
  /** Which item protects a discovered VM (discovery's protectedBy). */
  readonly vmProtection: VmProtectionLookup;
  readonly face: AppInfo['face'];
  readonly handlers: ChannelHandlers;
  readonly passphraseStore: RememberedPassphrases | undefined;

  constructor(options: EngineOptions) {
    this.appHome = options.appHome ?? resolveAppHome(options.env ?? process.env);
    preparePrivateAppHome(this.appHome);
    this.clock = options.clock ?? systemClock;
    this.face = options.face;
    this.passphraseStore = options.passphraseStore;
    const remembered = options.passphraseStore;
    this.keyring = new VaultKeyring({
      passphraseFor: options.passphraseSource
        ?? (remembered ? (_name, vaultId) => remembered.recall(vaultId).catch(() => null) : undefined),
      onUnlocked: (session) => reconcileCatalog(session, this.keyring, { onlyIfEmpty: true }),
    });
    this.vaults = new VaultDirectory(this.appHome, this.clock, {
      initialize: (session, input) => initializeVault(session, input, this.keyring, this.clock),
      opened: (session) => reconcileCatalog(session, this.keyring, { onlyIfEmpty: true }),
      authenticate: (session) => this.keyring.sealSettings(session),
      index: async (session) => {
        await this.keyring.keysFor(session);
        if (session.indexPending) await reconcileCatalog(session, this.keyring, { onlyIfEmpty: true });
      },
      recordSealer: (session) => this.keyring.recordSealer(session),
    });
    const env = options.env ?? process.env;
    // VM items: discovery reads a VM from its configuration; hypervisor tools and scripts run in `env`.
    const vms = {
      readVm: (configPath: string) => readVm(configPath, { env }),
      discoverVms: (found: { paths: string[] }) => discoverVms({ paths: found.paths, env }),
      isVmConfig: async (path: string) => (await configModuleOf(path, hypervisorModules())) !== null,
    };
    this.protection = new ProtectionService(this.vaults, this.clock, vms);
    this.vmProtection = vmProtectionLookup(this.protection);
    this.jobs = new JobService(this.vaults, this.clock, this.events);
    // Retention runs after every backup, whichever face started it.
    const afterBackup = [retentionAfterBackup({ keyring: this.keyring, jobs: this.jobs, clock: this.clock })];
    this.alerts = new AlertService(this.vaults, this.clock, this.events);
    this.guests = new GuestService(this.protection, this.keyring);
    // Every backup ends with a test restore of its point when its policy has it on (the default).
    this.backups = new BackupService(this.protection, this.jobs, this.keyring, this.clock,
      { readVm: vms.readVm, env }, afterBackup, { guests: this.guests, alerts: this.alerts, clock: this.clock });
    // A failed backup raises an alert about its item; a later successful one resolves it.
    this.jobs.onJobEnd((session, job) => alertOnBackupEnd(this.alerts, session, job));
    this.restores = new RestoreService(this.protection, this.keyring, this.jobs, env);
    this.vmRestores = new VmRestoreService({
      protection: this.protection, keyring: this.keyring, jobs: this.jobs, env,
      wellKnownVms: () => discoverVms({ env }),
    });
    this.replaceRestores = new ReplaceRestoreService({
      appHome: this.appHome, protection: this.protection, keyring: this.keyring, jobs: this.jobs, backups: this.backups,
      readVm: vms.readVm,
    });
    this.handlers = buildHandlers(this);
  }

  /** Closes catalogs at once and stops the stores' worker threads (await it before exiting). */
  close(): Promise<void> {
    this.vaults.close();
    return this.keyring.closeStores();
  }
}
