/** Step 3: everything chosen, the command line that does the same, and Create. */
import type { PathCheck } from '../../../shared/contract/models.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Badge } from '../../components/badge.tsx';
import { CliEquivalent } from '../../components/cli-equivalent.tsx';
import { createVaultCli, type VaultDraft } from './create-vault-steps.ts';

export function CreateVaultReviewStep({ draft, pathCheck, error, creating = false }: {
  draft: VaultDraft; pathCheck: PathCheck | null; error: string | null; creating?: boolean;
}) {
  return (
    <div className="form-wide">
      <h2>Review</h2>
      <p className="step-intro">Check the settings, then create the vault.</p>
      {error ? <AlertBanner tone="danger" title="The vault was not created.">{error}</AlertBanner> : null}
      {creating ? <AlertBanner tone="info" title="Creating the vault…">Writing the vault's configuration and catalog.</AlertBanner> : null}
      <dl className="review">
        <dt>Name</dt><dd>{draft.name}</dd>
        <dt>Location</dt><dd><span className="mono">{pathCheck?.path ?? draft.path}</span>{pathCheck?.ok ? <div className="muted small">{pathCheck.message}</div> : null}</dd>
        <dt>Soft delete</dt><dd>{draft.softDeleteEnabled ? <><Badge tone="ok">On</Badge> deleted data kept {draft.softDeleteDays} days</> : <Badge tone="warn">Off</Badge>}</dd>
        <dt>Immutability</dt><dd>{draft.immutability === 'enabled' ? <><Badge tone="accent">On</Badge> points cannot be deleted before they expire</> : <><Badge>Off</Badge> points can be deleted before they expire</>}</dd>
        <dt>Encryption</dt><dd>{draft.encrypt ? <><Badge tone="info">Encrypted</Badge> AES-256-GCM, passphrase not stored</> : <Badge>Not encrypted</Badge>}</dd>
        <dt>Default policy</dt>
        <dd>Daily at 22:00; daily points kept 30 days; fast restore copies kept on this disk for 2 days.</dd>
      </dl>
      <CliEquivalent command={createVaultCli(draft)} />
    </div>
  );
}
