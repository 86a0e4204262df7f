/**
 * What the handlers are given: the services engine.ts (the composition root) constructs.
 * Handlers depend on this interface, not on the Engine class, so engine.ts -> handlers/ runs
 * one way only.
 */
import type { AppInfo } from '../../../shared/contract/models.ts';
import type { AlertService } from '../alerts/alert-service.ts';
import type { Clock } from '../app/clock.ts';
import type { EventBus } from '../app/event-bus.ts';
import type { RememberedPassphrases } from '../app/remembered-passphrases.ts';
import type { BackupService } from '../backup/backup-service.ts';
import type { JobService } from '../jobs/job-service.ts';
import type { ProtectionService } from '../protection/protection-service.ts';
import type { GuestService } from '../guest/guest-service.ts';
import type { RestoreService } from '../restore/restore-service.ts';
import type { VmRestoreService } from '../restore/vm-restore-service.ts';
import type { ReplaceRestoreService } from '../restore/restore-replace-service.ts';
import type { VaultDirectory } from '../vault/vault-directory.ts';
import type { VaultKeyring } from '../vault/vault-keyring.ts';
import type { VmProtectionLookup } from '../discovery/vm-protection-lookup.ts';

export interface EngineServices {
  readonly appHome: string;
  readonly face: AppInfo['face'];
  readonly clock: Clock;
  readonly events: EventBus;
  readonly keyring: VaultKeyring;
  readonly vaults: VaultDirectory;
  readonly protection: ProtectionService;
  readonly jobs: JobService;
  readonly backups: BackupService;
  readonly restores: RestoreService;
  /** Restore a VM item's point as a new VM (restore.vm, restore.vmCheck). */
  readonly vmRestores: VmRestoreService;
  /** Replace existing: a point's files put back in place (restore.replace, restore.replaceStatus). */
  readonly replaceRestores: ReplaceRestoreService;
  readonly guests: GuestService;
  readonly alerts: AlertService;
  readonly passphraseStore: RememberedPassphrases | undefined;
  /** Which vault item protects a discovered VM (vms.* fill `protectedBy` with it); absent: none is looked up. */
  readonly vmProtection?: VmProtectionLookup;
}
