/** Deletes one recovery point (to soft delete when the vault has it on). */
import { useState } from 'react';
import type { Item, Point } from '../../../shared/contract/item-models.ts';
import { api } from '../../api/labvault-client.ts';
import { shownError } from '../../api/error-text.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { formatDateTime } from '../../format/format-time.ts';
import { toastSuccess } from '../../stores/toast-store.ts';

export function DeletePointDialog({ item, point, onClose, onDone }: {
  item: Item; point: Point; onClose: () => void; onDone: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remove = async () => {
    setBusy(true);
    try {
      const result = await api.points.delete({ item: item.id, point: point.id });
      toastSuccess(result.state === 'soft-deleted' ? 'Recovery point soft-deleted' : 'Recovery point deleted', result.purgeAt ? `Purged on ${formatDateTime(result.purgeAt)}` : undefined);
      onDone();
      onClose();
    } catch (problem) {
      setError(shownError(problem).message);
      setBusy(false);
    }
  };
  return (
    <Dialog title="Delete recovery point" tone="danger" onClose={onClose} footer={<><Button onClick={onClose}>Cancel</Button><Button variant="danger" busy={busy} onClick={() => void remove()}>Delete point</Button></>}>
      <p>
        The recovery point of <strong>{item.name}</strong> created {formatDateTime(point.createdAt)} will be deleted.
        When the vault has soft delete on, it can be undeleted until it is purged.
      </p>
      {error ? <AlertBanner tone="danger" title="The point was not deleted.">{error}</AlertBanner> : null}
    </Dialog>
  );
}
