/** Backup now: an on-demand point kept until a chosen date (default 30 days from today). */
import { useState } from 'react';
import type { Item } from '../../../shared/contract/item-models.ts';
import { api } from '../../api/labvault-client.ts';
import { shownError } from '../../api/error-text.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { CliEquivalent } from '../../components/cli-equivalent.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { Field } from '../../components/field.tsx';
import { shellQuote } from '../../format/cli-quote.ts';
import { localDayKey } from '../../format/format-time.ts';
import { navigate } from '../../stores/route-store.ts';
import { toastSuccess } from '../../stores/toast-store.ts';
import { defaultRetainUntil, maxRetainUntil, retainUntilInstant, retainUntilProblem } from './retain-until.ts';

export function BackupNowDialog({ item, onClose }: { item: Pick<Item, 'id' | 'name'>; onClose: () => void }) {
  const [until, setUntil] = useState(defaultRetainUntil);
  const [serverError, setServerError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const problem = serverError ?? retainUntilProblem(until);
  const start = async () => {
    setBusy(true);
    try {
      const { jobId } = await api.backup.now({ item: item.id, retainUntil: retainUntilInstant(until) });
      toastSuccess(`Backup of "${item.name}" started`);
      onClose();
      navigate({ page: 'job', id: jobId });
    } catch (failure) {
      const shown = shownError(failure);
      if (shown.field === 'retainUntil') setServerError(shown.message);
      else setError(shown.message);
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Backup now: ${item.name}`}
      onClose={onClose}
      footer={<><Button onClick={onClose}>Cancel</Button><Button variant="primary" busy={busy} disabled={problem !== null} onClick={() => void start()}>Start backup</Button></>}
    >
      <p className="muted">An on-demand backup runs at once, beside the schedule. Its recovery point is kept until the date below, whatever the policy says.</p>
      <Field label="Retain until" error={until === '' ? 'Choose a date.' : problem} hint="Kept until the end of that day.">
        {({ inputId, describedBy, invalid }) => (
          <input id={inputId} className="input" type="date" name="retain-until" value={until} min={localDayKey(new Date())} max={maxRetainUntil()} aria-invalid={invalid || undefined} aria-describedby={describedBy} onChange={(event) => { setUntil(event.target.value); setServerError(null); }} />
        )}
      </Field>
      {error ? <AlertBanner tone="danger" title="The backup did not start.">{error}</AlertBanner> : null}
      <CliEquivalent command={`labvault backup ${shellQuote(item.name)} --retain-until ${until || 'YYYY-MM-DD'}`} />
    </Dialog>
  );
}
