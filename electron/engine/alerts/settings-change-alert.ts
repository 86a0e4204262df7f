/**
 * The alert a change of a vault's protection settings raises, so it shows on every face:
 * immutability changes are warnings, soft delete changes are info.
 */
import type { SettingsChange } from '../vault/vault-settings.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import type { AlertService } from './alert-service.ts';

export async function alertSettingsChange(alerts: Pick<AlertService, 'raise'>, session: VaultSession,
  change: SettingsChange): Promise<void> {
  const immutability = change.kind === 'immutability';
  const setting = immutability ? 'immutability' : 'soft delete';
  await alerts.raise(session, immutability ? 'warning' : 'info',
    immutability ? `Immutability ${change.to}` : `Soft delete turned ${change.to}`,
    `Vault "${session.config.name}": ${setting} changed from ${change.from} to ${change.to}.`);
}
