/**
 * Unlocks an encrypted vault with its passphrase (for this session; remembered in the OS keychain on request,
 * desktop only).
 */
import { useState } from 'react';
import { api } from '../../api/labvault-client.ts';
import { shownError } from '../../api/error-text.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { TextField } from '../../components/field.tsx';
import { useAppInfoStore } from '../../stores/app-info-store.ts';
import { toastSuccess } from '../../stores/toast-store.ts';
import { useVaultsStore } from '../../stores/vaults-store.ts';

export function UnlockVaultDialog({ name, onClose, onDone }: {
  name: string; onClose: () => void; onDone: () => void;
}) {
  const nativeDialogs = useAppInfoStore((state) => state.nativeDialogs);
  const [passphrase, setPassphrase] = useState('');
  const [remember, setRemember] = useState(false);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const unlock = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.vaults.unlock({ name, passphrase, ...(remember ? { remember: true } : {}) });
      toastSuccess(`Vault "${name}" unlocked`, remember ? 'The passphrase is kept in the system keychain.' : 'Until Labvault stops.');
      void useVaultsStore.getState().refresh();
      onDone();
      onClose();
    } catch (problem) {
      const shown = shownError(problem);
      if (shown.field === 'passphrase') setFieldError(shown.message);
      else setError(shown.message);
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Unlock vault "${name}"`} onClose={onClose} footer={<><Button onClick={onClose}>Cancel</Button><Button variant="primary" busy={busy} disabled={passphrase === ''} onClick={() => void unlock()}>Unlock</Button></>}>
      <p className="muted">This vault is encrypted. Its passphrase is needed to back up into it, restore from it and list its contents. Labvault keeps it in memory only{nativeDialogs ? ', unless you ask it to remember it' : ''}.</p>
      <form onSubmit={(event) => { event.preventDefault(); if (passphrase !== '') void unlock(); }}>
        <TextField label="Passphrase" type="password" name="unlock-passphrase" autoComplete="current-password" value={passphrase} onValue={(value) => { setPassphrase(value); setFieldError(null); }} error={fieldError} />
      </form>
      {nativeDialogs ? (
        <label className="check">
          <input type="checkbox" checked={remember} onChange={(event) => setRemember(event.target.checked)} />
          <span><span className="check-title">Remember in the system keychain</span><span className="check-text"> Scheduled backups then run without asking.</span></span>
        </label>
      ) : null}
      {error ? <AlertBanner tone="danger">{error}</AlertBanner> : null}
    </Dialog>
  );
}
