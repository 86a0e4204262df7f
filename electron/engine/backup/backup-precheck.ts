/**
 * Whether an on-demand backup could start now, without starting it: the item is protected
 * and confirmed on this machine, the retain-until date is valid and the vault's keys are at
 * hand (an encrypted vault asks for its passphrase here). A face that runs the backup in
 * another process (`labvault backup --no-wait`) checks first so mistakes are reported at once.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { Clock } from '../app/clock.ts';
import { assertItemConfirmed } from '../protection/item-confirmation.ts';
import type { ProtectionService } from '../protection/protection-service.ts';
import type { VaultKeyring } from '../vault/vault-keyring.ts';
import { resolveRetainUntil } from './retain-until.ts';

export interface BackupPrecheckDeps {
  protection: ProtectionService;
  keyring: VaultKeyring;
  clock: Clock;
}

export async function precheckBackup(
  deps: BackupPrecheckDeps, itemRef: string, retainUntil: string | undefined,
): Promise<{ item: string; vault: string }> {
  const { session, record } = await deps.protection.resolve(itemRef);
  if (record.state !== 'protected') {
    const message = `Item "${record.name}" is not protected (${record.state}).`;
    throw new LabvaultError(ErrorCodes.RULE_VIOLATION, message, { field: 'item' });
  }
  await assertItemConfirmed(deps.protection.trust, session, record);
  resolveRetainUntil(retainUntil, deps.clock.now());
  await deps.keyring.keysFor(session);
  return { item: record.name, vault: session.config.name };
}
