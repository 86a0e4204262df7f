/** Step 1: which vault will hold the VM's recovery points. */
import type { Vault } from '../../../shared/contract/models.ts';
import { Button } from '../../components/button.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { formatBytes } from '../../format/format-bytes.ts';
import { navigate } from '../../stores/route-store.ts';
import { ImmutabilityBadge } from '../vaults/vault-badges.tsx';

export function ProtectVaultStep({ vaults, selected, onSelect }: {
  vaults: readonly Vault[]; selected: string; onSelect: (vault: string) => void;
}) {
  if (vaults.length === 0) {
    return <EmptyState title="No vault yet" action={<Button variant="primary" onClick={() => navigate({ page: 'vault-create' })}>Create vault</Button>}>Recovery points live in a vault. Create one first.</EmptyState>;
  }
  return (
    <div>
      <h2>Vault</h2>
      <p className="step-intro">A VM is protected in one vault only. Its recovery points, policy and job history live there.</p>
      <div className="choice-group cols-2" role="radiogroup" aria-label="Vault">
        {vaults.map((vault) => (
          <label key={vault.id} className={`choice${selected === vault.name ? ' is-selected' : ''}${vault.status !== 'ok' ? ' is-disabled' : ''}`}>
            <input type="radio" name="vault" disabled={vault.status !== 'ok'} checked={selected === vault.name} onChange={() => onSelect(vault.name)} />
            <span>
              <span className="check-title">{vault.name}</span> <ImmutabilityBadge state={vault.immutability} /><br />
              <span className="check-text mono">{vault.path}</span><br />
              <span className="check-text">{vault.itemCount ?? 0} items · {formatBytes(vault.storedBytes ?? 0)} stored{vault.encrypted ? ' · encrypted' : ''}</span>
            </span>
          </label>
        ))}
      </div>
    </div>
  );
}
