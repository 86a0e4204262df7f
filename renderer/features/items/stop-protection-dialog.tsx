/**
 * Stop protection: keep the data (forever, or until each point expires) or delete it
 * (soft delete, with the item name typed to confirm and the purge date shown).
 */
import { useState } from 'react';
import type { Item } from '../../../shared/contract/item-models.ts';
import { api } from '../../api/labvault-client.ts';
import { shownError } from '../../api/error-text.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { CliEquivalent } from '../../components/cli-equivalent.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { TypedConfirm } from '../../components/typed-confirm.tsx';
import { shellQuote } from '../../format/cli-quote.ts';
import { formatBytes } from '../../format/format-bytes.ts';
import { formatDateTime } from '../../format/format-time.ts';
import { useLoader } from '../../hooks/use-loader.ts';
import { toastSuccess } from '../../stores/toast-store.ts';

type Choice = 'keep-forever' | 'keep-expiry' | 'delete';

export function StopProtectionDialog({ item, onClose, onDone }: {
  item: Item; onClose: () => void; onDone: () => void;
}) {
  const [choice, setChoice] = useState<Choice>(item.state === 'stopped' ? 'delete' : 'keep-expiry');
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const preview = useLoader(() => (choice === 'delete' ? api.items.deletePreview({ item: item.id }) : Promise.resolve(null)), [choice, item.id]);
  const ready = choice !== 'delete' || (typed === item.name && preview.data !== undefined && preview.data !== null && preview.data.blockedBy === null);
  const run = async () => {
    setBusy(true);
    try {
      if (choice === 'delete') await api.items.stopProtection({ item: item.id, mode: 'delete-data', confirm: typed });
      else await api.items.stopProtection({ item: item.id, mode: 'keep-data', retain: choice === 'keep-forever' ? 'forever' : 'expiry' });
      toastSuccess(choice === 'delete' ? `Backup data of "${item.name}" soft-deleted` : `Protection of "${item.name}" stopped`);
      onDone();
      onClose();
    } catch (problem) {
      setError(shownError(problem).message);
      setBusy(false);
    }
  };
  const name = shellQuote(item.name);
  const cli = choice === 'delete' ? `labvault protection stop ${name} --delete-data --confirm ${name}` : `labvault protection stop ${name} --keep-data --retain ${choice === 'keep-forever' ? 'forever' : 'expiry'}`;
  return (
    <Dialog
      title={item.state === 'stopped' ? `Delete backup data of "${item.name}"` : `Stop protection of "${item.name}"`}
      tone={choice === 'delete' ? 'danger' : 'default'}
      wide
      onClose={onClose}
      footer={<><Button onClick={onClose}>Cancel</Button><Button variant={choice === 'delete' ? 'danger' : 'primary'} busy={busy} disabled={!ready} onClick={() => void run()}>{choice === 'delete' ? 'Stop and delete data' : 'Stop protection'}</Button></>}
    >
      <p className="muted">No further backups run. Labvault never deletes the VM itself.</p>
      <div className="choice-group" role="radiogroup" aria-label="What happens to the backup data">
        {item.state !== 'stopped' ? (
          <>
            <label className={`choice${choice === 'keep-expiry' ? ' is-selected' : ''}`}>
              <input type="radio" name="stop-choice" checked={choice === 'keep-expiry'} onChange={() => setChoice('keep-expiry')} />
              <span><span className="check-title">Keep backup data until each point expires</span><br /><span className="check-text">Points are removed one by one as their retention ends.</span></span>
            </label>
            <label className={`choice${choice === 'keep-forever' ? ' is-selected' : ''}`}>
              <input type="radio" name="stop-choice" checked={choice === 'keep-forever'} onChange={() => setChoice('keep-forever')} />
              <span><span className="check-title">Keep backup data forever</span><br /><span className="check-text">Points stay until you delete them; storage stays in use.</span></span>
            </label>
          </>
        ) : null}
        <label className={`choice${choice === 'delete' ? ' is-selected' : ''}`}>
          <input type="radio" name="stop-choice" checked={choice === 'delete'} onChange={() => setChoice('delete')} />
          <span><span className="check-title">Delete backup data</span><br /><span className="check-text">Every recovery point of this item goes to soft delete, then is purged.</span></span>
        </label>
      </div>
      {choice === 'delete' ? (
        <>
          {preview.error ? <AlertBanner tone="danger">{preview.error}</AlertBanner> : null}
          {preview.data ? (
            preview.data.blockedBy ? (
              <AlertBanner tone="danger" title="The data cannot be deleted now.">{preview.data.blockedBy}</AlertBanner>
            ) : (
              <AlertBanner tone={preview.data.softDelete ? 'warn' : 'danger'} title={`${preview.data.points} recovery point${preview.data.points === 1 ? '' : 's'} (${formatBytes(preview.data.storedBytes)}) will be deleted.`}>
                {preview.data.softDelete
                  ? (
                    <>
                      They stay soft-deleted and can be undeleted until{' '}
                      <strong>{formatDateTime(preview.data.purgeAt)}</strong>, then they are purged.
                    </>
                  )
                  : <>Soft delete is off in this vault: they are removed at once and cannot be recovered.</>}
              </AlertBanner>
            )
          ) : null}
          <TypedConfirm expected={item.name} value={typed} onValue={setTyped} what="item name" />
        </>
      ) : null}
      {error ? <AlertBanner tone="danger" title="Nothing was changed.">{error}</AlertBanner> : null}
      <CliEquivalent command={cli} />
    </Dialog>
  );
}
