/** Step 1: which vault holds the VMs' recovery points (its immutability and the space it uses shown). */
import type { Vault } from '../../../shared/contract/models.ts';
import { Button } from '../../components/button.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { formatBytes } from '../../format/format-bytes.ts';
import { plural } from '../../format/plural.ts';
import { navigate } from '../../stores/route-store.ts';
import { ImmutabilityBadge } from '../vaults/vault-badges.tsx';

function vaultUnavailable(vault: Vault): string | null {
  if (vault.status !== 'ok') return vault.statusMessage ?? 'The vault folder cannot be read now.';
  if (vault.locked) return 'Encrypted and locked: unlock it on its page first.';
  return null;
}

export function BackupVaultStep({ vaults, selected, onSelect }: {
  vaults: readonly Vault[]; selected: string; onSelect: (vault: string) => void;
}) {
  if (vaults.length === 0) {
    return (
      <EmptyState title="No vault yet" action={<Button variant="primary" onClick={() => navigate({ page: 'vault-create' })}>Create vault</Button>}>
        Recovery points live in a vault. Create one first.
      </EmptyState>
    );
  }
  return (
    <div>
      <h2>Vault</h2>
      <p className="step-intro">A VM is protected in one vault only. Its recovery points, policy and job history live there.</p>
      <div className="choice-group cols-2" role="radiogroup" aria-label="Vault">
        {vaults.map((vault) => {
          const unavailable = vaultUnavailable(vault);
          return (
            <label key={vault.id} className={`choice${selected === vault.name ? ' is-selected' : ''}${unavailable ? ' is-disabled' : ''}`}>
              <input type="radio" name="vault" disabled={unavailable !== null} checked={selected === vault.name} onChange={() => onSelect(vault.name)} />
              <span>
                <span className="check-title">{vault.name}</span>{' '}
                <span className="badges"><ImmutabilityBadge state={vault.immutability} /></span><br />
                <span className="check-text mono">{vault.path}</span><br />
                <span className="check-text">
                  {plural(vault.itemCount ?? 0, 'item')} · {vault.usage === undefined ? 'size not known' : `${formatBytes(vault.usage.storedBytes)} stored`}
                  {vault.encrypted ? ' · encrypted' : ''}
                </span>
                {unavailable ? <><br /><span className="check-text">{unavailable}</span></> : null}
              </span>
            </label>
          );
        })}
      </div>
    </div>
  );
}
