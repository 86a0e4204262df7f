/** Step 2: soft delete, immutability and encryption, each with what it means. */
import { SOFT_DELETE_DAYS_MAX, SOFT_DELETE_DAYS_MIN } from '../../../shared/vault-rules.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Field, TextField } from '../../components/field.tsx';
import { passphraseAgainError, passphraseError, softDeleteDaysError, type VaultDraft } from './create-vault-steps.ts';
import { passphraseStrength } from './passphrase-strength.ts';

export function CreateVaultSettingsStep({ draft, update, serverError }: {
  draft: VaultDraft; update: (change: Partial<VaultDraft>) => void; serverError: string | null;
}) {
  const strength = passphraseStrength(draft.passphrase);
  const immutable = draft.immutability === 'enabled';
  return (
    <div className="form-narrow settings-step">
      <h2>Protection settings</h2>
      <p className="step-intro">These settings guard backups against mistakes and against someone deleting them. You can change them later in the vault's settings.</p>

      <h3 className="section-title">Soft delete</h3>
      <label className="check">
        <input
          type="checkbox"
          checked={draft.softDeleteEnabled}
          disabled={immutable}
          onChange={(event) => update({ softDeleteEnabled: event.target.checked })}
        />
        <span>
          <span className="check-title">Keep deleted backup data for a while (recommended)</span>
          <span className="check-text"> Deleted data stays recoverable (undelete) for the period below, then it is purged. {immutable ? 'Required while immutability is enabled.' : ''}</span>
        </span>
      </label>
      {draft.softDeleteEnabled ? (
        <Field label="Keep deleted data for" error={serverError ?? softDeleteDaysError(draft)} hint={`${SOFT_DELETE_DAYS_MIN} to ${SOFT_DELETE_DAYS_MAX} days.`}>
          {({ inputId, describedBy, invalid }) => (
            <div className="input-with-suffix">
              <input
                id={inputId}
                className="input narrow"
                type="number"
                name="soft-delete-days"
                inputMode="numeric"
                min={SOFT_DELETE_DAYS_MIN}
                max={SOFT_DELETE_DAYS_MAX}
                value={draft.softDeleteDays}
                aria-invalid={invalid || undefined}
                aria-describedby={describedBy}
                onChange={(event) => update({ softDeleteDays: event.target.value })}
              />
              <span>days</span>
            </div>
          )}
        </Field>
      ) : (
        <AlertBanner tone="warn" title="Deleted backup data will be removed at once.">A mistaken or malicious delete cannot be undone.</AlertBanner>
      )}

      <h3 className="section-title">Immutability</h3>
      <div className="choice-group cols-2" role="radiogroup" aria-label="Immutability">
        <label className={`choice${draft.immutability === 'disabled' ? ' is-selected' : ''}`}>
          <input type="radio" name="immutability" checked={draft.immutability === 'disabled'} onChange={() => update({ immutability: 'disabled' })} />
          <span><span className="check-title">Disabled</span><br /><span className="check-text">Recovery points can be deleted before they expire.</span></span>
        </label>
        <label className={`choice${immutable ? ' is-selected' : ''}`}>
          <input type="radio" name="immutability" checked={immutable} onChange={() => update({ immutability: 'enabled', softDeleteEnabled: true })} />
          <span><span className="check-title">Enabled</span><br /><span className="check-text">No point can be deleted before its expiry and retention cannot be shortened.</span></span>
        </label>
      </div>
      <p className="muted small">While enabled, immutability can still be disabled. From the vault's settings you can later <strong>lock</strong> it: a locked vault stays immutable forever, and locking cannot be undone.</p>

      <h3 className="section-title">Encryption</h3>
      <label className="check">
        <input type="checkbox" checked={draft.encrypt} onChange={(event) => update({ encrypt: event.target.checked })} />
        <span>
          <span className="check-title">Encrypt this vault with a passphrase</span>
          <span className="check-text"> Backups are sealed with AES-256-GCM; the passphrase is never stored.</span>
        </span>
      </label>
      {draft.encrypt ? (
        <div className="encryption-fields">
          <TextField
            label="Passphrase"
            type="password"
            name="passphrase"
            autoComplete="new-password"
            value={draft.passphrase}
            onValue={(passphrase) => update({ passphrase })}
            error={draft.passphrase === '' ? null : passphraseError(draft)}
            hint={strength.level > 0 ? <span className={`strength strength-${strength.level}`}><span className="strength-bar" /> {strength.label}</span> : 'Several unrelated words make a strong passphrase that is easy to type.'}
          />
          <TextField
            label="Passphrase again"
            type="password"
            name="passphrase-again"
            autoComplete="new-password"
            value={draft.passphraseAgain}
            onValue={(passphraseAgain) => update({ passphraseAgain })}
            error={passphraseAgainError(draft)}
          />
          <AlertBanner tone="danger" title="A lost passphrase means lost backups.">Nobody can recover an encrypted vault without it, not even with this app. Write it down and keep it somewhere safe, away from this machine.</AlertBanner>
        </div>
      ) : null}
    </div>
  );
}
