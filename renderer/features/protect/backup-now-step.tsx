/**
 * Step 6 (optional): the first backup at once for the VMs just protected, instead of
 * waiting for the schedule. Each backup is its own job; a backup that cannot start says
 * why on its row.
 */
import { useState } from 'react';
import { api } from '../../api/labvault-client.ts';
import { shownError } from '../../api/error-text.ts';
import { Badge } from '../../components/badge.tsx';
import { Button } from '../../components/button.tsx';
import { CliEquivalent } from '../../components/cli-equivalent.tsx';
import { shellQuote } from '../../format/cli-quote.ts';
import { plural } from '../../format/plural.ts';
import { navigate } from '../../stores/route-store.ts';

export interface ProtectedItemRef {
  itemId: string;
  itemName: string;
}

type Started = { status: 'starting' } | { status: 'started'; jobId: string } | { status: 'failed'; error: string };

export function BackupNowStep({ items }: { items: readonly ProtectedItemRef[] }) {
  const [started, setStarted] = useState<Record<string, Started>>({});
  const startAll = async () => {
    for (const item of items) {
      if (started[item.itemId]?.status === 'started') continue;
      setStarted((previous) => ({ ...previous, [item.itemId]: { status: 'starting' } }));
      try {
        const { jobId } = await api.backup.now({ item: item.itemId });
        setStarted((previous) => ({ ...previous, [item.itemId]: { status: 'started', jobId } }));
      } catch (error) {
        setStarted((previous) => ({ ...previous, [item.itemId]: { status: 'failed', error: shownError(error).message } }));
      }
    }
  };
  const anyStarted = Object.values(started).some((entry) => entry.status === 'started');
  return (
    <div className="done-step">
      <div className="done-mark" aria-hidden="true">✓</div>
      <h2>Backup is enabled for {plural(items.length, 'VM')}</h2>
      <p className="step-intro">The first backups run on the policy's schedule. Start them now to have a recovery point at once (kept 30 days).</p>
      <div className="row">
        <Button variant="primary" disabled={items.length === 0 || Object.keys(started).length === items.length} onClick={() => void startAll()}>
          Backup now{items.length > 1 ? ` (${items.length} VMs)` : ''}
        </Button>
        <Button onClick={() => navigate({ page: anyStarted ? 'jobs' : 'items' })}>{anyStarted ? 'Go to jobs' : 'Go to protected items'}</Button>
      </div>
      {Object.keys(started).length > 0 ? (
        <ul className="enable-list backup-now-list" aria-label="Backups started">
          {items.map((item) => {
            const entry = started[item.itemId];
            if (!entry) return null;
            return (
              <li key={item.itemId} className="enable-row">
                <span className="cell-title">{item.itemName}</span>
                {entry.status === 'starting' ? <Badge tone="info">Starting…</Badge> : null}
                {entry.status === 'started' ? <><Badge tone="ok">Started</Badge><button type="button" className="crumb-link" onClick={() => navigate({ page: 'job', id: entry.jobId })}>Open job</button></> : null}
                {entry.status === 'failed' ? <><Badge tone="danger">Not started</Badge><span className="field-error">{entry.error}</span></> : null}
              </li>
            );
          })}
        </ul>
      ) : null}
      <div className="form-wide done-cli">
        <CliEquivalent command={items.map((item) => `labvault backup ${shellQuote(item.itemName)}`).join('\n')} />
      </div>
    </div>
  );
}
