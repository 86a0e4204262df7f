/**
 * Protection settings of a vault: soft delete days, turning soft delete off (typed
 * confirmation), immutability enable/disable/lock (lock is irreversible: typed name),
 * instant-restore clones (an encrypted vault's only beside the VM), and what a passphrase
 * change does to an encrypted vault's key.
 */
import { useState } from 'react';
import type { Vault } from '../../../shared/contract/models.ts';
import type { UpdateVaultInput } from '../../../shared/contract/vault-channels.ts';
import { SOFT_DELETE_DAYS_MAX, SOFT_DELETE_DAYS_MIN, softDeleteDaysProblem } from '../../../shared/vault-rules.ts';
import { api } from '../../api/labvault-client.ts';
import { shownError } from '../../api/error-text.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { Card } from '../../components/card.tsx';
import { Field } from '../../components/field.tsx';
import { toastError, toastSuccess } from '../../stores/toast-store.ts';
import { ImmutabilityBadge, SoftDeleteBadge } from './vault-badges.tsx';
import { VaultChangeDialog, type VaultChange } from './vault-change-dialog.tsx';

export function VaultSettingsCard({ vault, onChanged }: { vault: Vault; onChanged: () => void }) {
  const [days, setDays] = useState(String(vault.softDeleteDays));
  const [daysError, setDaysError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [change, setChange] = useState<VaultChange | null>(null);
  const immutable = vault.immutability !== 'disabled';
  const liveDaysError = days.trim() === '' ? 'Enter a number of days.' : softDeleteDaysProblem(Number(days));

  const apply = async (input: Omit<UpdateVaultInput, 'name'>, done: string) => {
    try {
      await api.vaults.update({ name: vault.name, ...input });
      toastSuccess(done);
      onChanged();
    } catch (problem) {
      const shown = shownError(problem);
      if (shown.field === 'softDeleteDays') setDaysError(shown.message);
      else toastError('The change was refused', problem);
    }
  };

  const saveDays = async () => {
    setSaving(true);
    await apply({ softDeleteDays: Number(days) }, `Deleted data is now kept ${days} days`);
    setSaving(false);
  };

  return (
    <Card title="Protection settings">
      <div className="settings-grid">
        <div>
          <h3 className="section-title">Soft delete <SoftDeleteBadge vault={vault} bare /></h3>
          <p className="muted small">Deleted backup data is kept in a soft-deleted state and can be undeleted, then it is purged.{immutable ? ' Soft delete cannot be turned off while immutability is enabled or locked.' : ''}</p>
          {vault.softDeleteEnabled ? (
            <>
              <Field label="Keep deleted data for" error={daysError ?? liveDaysError} hint={`${SOFT_DELETE_DAYS_MIN} to ${SOFT_DELETE_DAYS_MAX} days.`}>
                {({ inputId, describedBy, invalid }) => (
                  <div className="input-with-suffix">
                    <input id={inputId} className="input narrow" type="number" name="soft-delete-days" min={SOFT_DELETE_DAYS_MIN} max={SOFT_DELETE_DAYS_MAX} value={days} aria-invalid={invalid || undefined} aria-describedby={describedBy} onChange={(event) => { setDays(event.target.value); setDaysError(null); }} />
                    <span>days</span>
                    <Button
                      small busy={saving} disabled={liveDaysError !== null || Number(days) === vault.softDeleteDays}
                      onClick={() => void saveDays()}
                    >
                      Save
                    </Button>
                  </div>
                )}
              </Field>
              <Button small variant="quiet" disabled={immutable} onClick={() => setChange({ kind: 'soft-delete-off' })}>Turn soft delete off…</Button>
            </>
          ) : (
            <Button small onClick={() => void apply({ softDeleteEnabled: true }, 'Soft delete is on')}>Turn soft delete on</Button>
          )}
        </div>
        <div>
          <h3 className="section-title">Immutability <ImmutabilityBadge state={vault.immutability} bare /></h3>
          <p className="muted small">
            {vault.immutability === 'locked'
              ? 'Locked: no recovery point can be deleted before its expiry and retention cannot be shortened, permanently. This cannot be undone.'
              : vault.immutability === 'enabled'
                ? 'Enabled: no recovery point can be deleted before its expiry and retention cannot be shortened. It can still be disabled, or locked for good.'
                : 'Disabled: recovery points can be deleted before they expire.'}
          </p>
          {vault.immutabilityNote ? <AlertBanner tone="warn" title="vault.json was changed">{vault.immutabilityNote}</AlertBanner> : null}
          <div className="row">
            {vault.immutability === 'disabled' ? <Button small onClick={() => setChange({ kind: 'immutability', to: 'enabled' })}>Enable immutability…</Button> : null}
            {vault.immutability === 'enabled' ? <Button small onClick={() => setChange({ kind: 'immutability', to: 'disabled' })}>Disable</Button> : null}
            {vault.immutability === 'enabled' ? <Button small variant="danger" onClick={() => setChange({ kind: 'immutability', to: 'locked' })}>Lock immutability…</Button> : null}
          </div>
        </div>
        <div>
          <h3 className="section-title">Fast restore copies (instant-restore clones)</h3>
          <p className="muted small">
            {vault.instantRestoreClones === true ? 'On' : 'Off'}: copies of the VM files on the VM&apos;s own disk
            (reflink clones), kept for the policy&apos;s instant-restore days (2 by default) after each backup;
            backups then read only what changed, and restores take seconds.
            {vault.encrypted
              ? ' They are not encrypted, so this encrypted vault keeps them only beside the VM (a hidden'
                + ' .labvault-snapshots folder next to its disk), never in the vault folder: they hold what the VM\'s'
                + ' own disk holds there in plain, and copying the vault never carries them. Until they are removed,'
                + ' blocks the VM has since overwritten stay readable on this disk.'
              : ' They are kept in the vault\'s snapshots folder when the vault is on the same disk, else beside the VM.'}
          </p>
          {vault.instantRestoreClones === true
            ? <Button small onClick={() => void apply({ instantRestoreClones: false }, 'Fast restore copies are off')}>Turn clones off</Button>
            : <Button small onClick={() => void apply({ instantRestoreClones: true }, 'Fast restore copies are on')}>Turn clones on</Button>}
        </div>
        {vault.encrypted ? (
          <div>
            <h3 className="section-title">Passphrase and key</h3>
            <p className="muted small">
              Changing the passphrase (<code>labvault vault passphrase {vault.name}</code>) keeps the vault&apos;s
              master key: someone who knew the old passphrase and kept a copy of the old vault.json can still read
              the vault. To replace the key itself and re-encrypt
              every backup, run <code>labvault vault rekey {vault.name}</code>.
            </p>
          </div>
        ) : null}
      </div>
      {change ? (
        <VaultChangeDialog
          vault={vault}
          change={change}
          onClose={() => setChange(null)}
          onApply={async (input, done) => { await apply(input, done); setChange(null); }}
        />
      ) : null}
    </Card>
  );
}
