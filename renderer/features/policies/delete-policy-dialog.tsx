/** Deletes a policy no item uses (never the vault's default policy). */
import type { PolicyView } from '../../../shared/contract/policy-channels.ts';
import { api } from '../../api/labvault-client.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { CliEquivalent } from '../../components/cli-equivalent.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { shellQuote } from '../../format/cli-quote.ts';
import { toastSuccess } from '../../stores/toast-store.ts';
import { useDialogAction } from '../../hooks/use-dialog-action.ts';

export function DeletePolicyDialog({ vault, policy, onClose, onDone }: {
  vault: string; policy: PolicyView; onClose: () => void; onDone: () => void;
}) {
  const { busy, error, run } = useDialogAction(() => {
    onDone();
    onClose();
  });
  const remove = () => run(async () => {
    await api.policies.delete({ vault, name: policy.name });
    toastSuccess(`Policy "${policy.name}" deleted`);
  });
  return (
    <Dialog title={`Delete policy "${policy.name}"`} tone="danger" onClose={onClose} footer={<><Button onClick={onClose}>Cancel</Button><Button variant="danger" busy={busy} onClick={() => void remove()}>Delete policy</Button></>}>
      <p>The policy is removed from vault {vault}. No item uses it, so no backup schedule or recovery point changes.</p>
      {error ? <AlertBanner tone="danger" title="The policy was not deleted.">{error}</AlertBanner> : null}
      <CliEquivalent command={`labvault policy delete --vault ${shellQuote(vault)} ${shellQuote(policy.name)}`} />
    </Dialog>
  );
}
