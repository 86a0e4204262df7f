/** Deletes an empty vault; when it is not empty, says what blocks it. */
import { useState } from 'react';
import { api } from '../../api/labvault-client.ts';
import { shownError } from '../../api/error-text.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { TypedConfirm } from '../../components/typed-confirm.tsx';
import { useLoader } from '../../hooks/use-loader.ts';
import { navigate } from '../../stores/route-store.ts';
import { toastSuccess } from '../../stores/toast-store.ts';
import { useVaultsStore } from '../../stores/vaults-store.ts';

export function DeleteVaultDialog({ name, onClose }: { name: string; onClose: () => void }) {
  const check = useLoader(() => api.vaults.deleteCheck({ name }), [name]);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remove = async () => {
    setBusy(true);
    try {
      await api.vaults.delete({ name });
      await useVaultsStore.getState().refresh();
      toastSuccess(`Deleted vault "${name}"`);
      onClose();
      navigate({ page: 'vaults' });
    } catch (problem) {
      setError(shownError(problem).message);
      setBusy(false);
    }
  };
  const deletable = check.data?.deletable === true;
  return (
    <Dialog
      title={`Delete vault "${name}"`}
      tone="danger"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{deletable ? 'Cancel' : 'Close'}</Button>
          {deletable ? <Button variant="danger" busy={busy} disabled={typed !== name} onClick={() => void remove()}>Delete vault</Button> : null}
        </>
      }
    >
      {check.loading && !check.data ? <p className="muted">Checking what the vault still holds…</p> : null}
      {check.error ? <AlertBanner tone="danger">{check.error}</AlertBanner> : null}
      {check.data && !check.data.deletable ? (
        <AlertBanner tone="warn" title="This vault cannot be deleted yet.">
          <p>
            A vault can only be deleted when it protects no items and holds no data, soft-deleted data included.
            It still holds:
          </p>
          <ul className="plain-list" data-testid="delete-blockers">{check.data.blockers.map((blocker) => <li key={blocker}>{blocker}</li>)}</ul>
          <p>Stop protection of its items with "delete data", and wait for soft-deleted data to be purged.</p>
        </AlertBanner>
      ) : null}
      {deletable ? (
        <>
          <p>
            The vault is empty. Deleting it removes its files from <strong>its folder</strong> and forgets it.
            Virtual machines are never touched.
          </p>
          <TypedConfirm expected={name} value={typed} onValue={setTyped} what="vault name" />
        </>
      ) : null}
      {error ? <AlertBanner tone="danger">{error}</AlertBanner> : null}
    </Dialog>
  );
}
