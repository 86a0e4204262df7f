/** Deletes one recovery point (to soft delete when the vault has it on). */
import type { Item, Point } from '../../../shared/contract/item-models.ts';
import { api } from '../../api/labvault-client.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { formatDateTime } from '../../format/format-time.ts';
import { toastSuccess } from '../../stores/toast-store.ts';
import { useDialogAction } from '../../hooks/use-dialog-action.ts';

export function DeletePointDialog({ item, point, onClose, onDone }: {
  item: Item; point: Point; onClose: () => void; onDone: () => void;
}) {
  const { busy, error, run } = useDialogAction(() => {
    onDone();
    onClose();
  });
  const remove = () => run(async () => {
    const result = await api.points.delete({ item: item.id, point: point.id });
    toastSuccess(result.state === 'soft-deleted' ? 'Recovery point soft-deleted' : 'Recovery point deleted', result.purgeAt ? `Purged on ${formatDateTime(result.purgeAt)}` : undefined);
  });
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
