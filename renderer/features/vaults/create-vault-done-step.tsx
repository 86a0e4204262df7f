/** Step 4: the vault exists; the next things a user does with it. */
import type { Vault } from '../../../shared/contract/models.ts';
import { Button } from '../../components/button.tsx';
import { navigate } from '../../stores/route-store.ts';

export function CreateVaultDoneStep({ vault }: { vault: Vault }) {
  return (
    <div className="done-step">
      <div className="done-mark" aria-hidden="true">✓</div>
      <h2>Vault "{vault.name}" is ready</h2>
      <p className="step-intro">It lives in <span className="mono">{vault.path}</span> and has the default policy. Next, protect the virtual machines you want to back up.</p>
      <div className="row">
        <Button variant="primary" onClick={() => navigate({ page: 'protect', vault: vault.name })}>Protect VMs</Button>
        <Button onClick={() => navigate({ page: 'vault', name: vault.name })}>Open vault</Button>
        <Button variant="quiet" onClick={() => navigate({ page: 'vaults' })}>Back to vaults</Button>
      </div>
    </div>
  );
}
