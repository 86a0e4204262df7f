/** Adds an existing vault folder (copied or moved from elsewhere) to the known list. */
import { useState } from 'react';
import { api } from '../../api/labvault-client.ts';
import { shownError } from '../../api/error-text.ts';
import { Button } from '../../components/button.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { FolderInput } from '../../components/path-input.tsx';
import { CliEquivalent } from '../../components/cli-equivalent.tsx';
import { shellQuote } from '../../format/cli-quote.ts';
import { navigate } from '../../stores/route-store.ts';
import { toastSuccess } from '../../stores/toast-store.ts';
import { useVaultsStore } from '../../stores/vaults-store.ts';

export function OpenVaultDialog({ onClose }: { onClose: () => void }) {
  const [path, setPath] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const open = async () => {
    setBusy(true);
    try {
      const vault = await api.vaults.open({ path });
      await useVaultsStore.getState().refresh();
      toastSuccess(`Opened vault "${vault.name}"`, vault.path);
      onClose();
      navigate({ page: 'vault', name: vault.name });
    } catch (problem) {
      setError(shownError(problem).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="Open an existing vault"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" busy={busy} disabled={path.trim() === ''} onClick={() => void open()}>Open vault</Button>
        </>
      }
    >
      <p className="muted">A vault copied or moved from another machine can be opened here and restored from: its folder holds everything it needs.</p>
      <FolderInput label="Vault folder" value={path} onValue={(value) => { setPath(value); setError(null); }} error={error} placeholder="/mnt/usb/lab-vault" pickerTitle="Choose a vault folder" />
      <CliEquivalent command={`labvault vault open ${path ? shellQuote(path) : 'DIR'}`} />
    </Dialog>
  );
}
