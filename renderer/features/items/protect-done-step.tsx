/** Step 5: the VM is protected; back it up now or open it. */
import { useState } from 'react';
import type { Item } from '../../../shared/contract/item-models.ts';
import { Button } from '../../components/button.tsx';
import { navigate } from '../../stores/route-store.ts';
import { BackupNowDialog } from './backup-now-dialog.tsx';

export function ProtectDoneStep({ item }: { item: Item }) {
  const [backingUp, setBackingUp] = useState(false);
  return (
    <div className="done-step">
      <div className="done-mark" aria-hidden="true">✓</div>
      <h2>"{item.name}" is protected</h2>
      <p className="step-intro">Policy {item.policyName} in vault {item.vaultName}. Its first backup runs on schedule; start one now to have a recovery point at once.</p>
      <div className="row">
        <Button variant="primary" onClick={() => setBackingUp(true)}>Backup now</Button>
        <Button onClick={() => navigate({ page: 'item', item: item.id })}>Open item</Button>
      </div>
      {backingUp ? <BackupNowDialog item={item} onClose={() => setBackingUp(false)} /> : null}
    </div>
  );
}
