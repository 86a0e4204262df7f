/**
 * What the scheduler host is given (engine.ts's collaborators, by the names it gives them):
 * the vaults' sessions and this machine's trust, backups to start, maintenance runs, alerts,
 * and which face hosts it (written in the scheduler lock).
 */
import type { AppInfo } from '../../../shared/contract/models.ts';
import type { BackupService } from '../backup/backup-service.ts';
import type { ItemConfirmationServices } from '../protection/item-confirmation.ts';
import type { ProtectionService } from '../protection/protection-service.ts';
import type { MaintenanceServices } from './maintenance-services.ts';

export interface SchedulerServices extends MaintenanceServices, Pick<ItemConfirmationServices, 'alerts'> {
  readonly face: AppInfo['face'];
  readonly protection: Pick<ProtectionService, 'sessions' | 'trust'>;
  readonly backups: Pick<BackupService, 'start'>;
}
