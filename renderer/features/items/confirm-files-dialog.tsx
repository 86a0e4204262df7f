/**
 * Confirm the files of an item that came with a vault from elsewhere (or whose record
 * changed): lists exactly the files its record names; Confirm lets this machine back
 * them up. The list shown is sent along, so a record changed meanwhile is refused.
 */
import type { Item } from '../../../shared/contract/item-models.ts';
import { api } from '../../api/labvault-client.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { CliEquivalent } from '../../components/cli-equivalent.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { Table } from '../../components/table.tsx';
import { shellQuote } from '../../format/cli-quote.ts';
import { formatBytes } from '../../format/format-bytes.ts';
import { toastSuccess } from '../../stores/toast-store.ts';
import { useDialogAction } from '../../hooks/use-dialog-action.ts';

export function ConfirmFilesDialog({ item, onClose, onDone }: { item: Item; onClose: () => void; onDone: () => void }) {
  const { busy, error, run } = useDialogAction(() => {
    onDone();
    onClose();
  });
  const confirm = () => run(async () => {
    await api.items.confirm({ item: item.id, files: item.files.map((file) => file.path) });
    toastSuccess(`"${item.name}" is backed up on this machine from now on`);
  });
  return (
    <Dialog
      title={`Confirm the files of "${item.name}"`}
      wide
      onClose={onClose}
      footer={(
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" busy={busy} onClick={() => void confirm()}>Confirm</Button>
        </>
      )}
    >
      <p>
        This item is not backed up on this machine: {item.needsConfirmation?.reason ?? 'its files are not confirmed here'}.
        Its record is stored in the vault folder, which others may have written. Confirm only if these are the
        virtual machine files you mean to back up into vault {item.vaultName}:
      </p>
      <Table
        label="Files the item would read"
        rows={item.files}
        rowKey={(file) => file.path}
        columns={[
          { key: 'path', header: 'Path', render: (file) => <span className="mono small">{file.path}</span> },
          { key: 'role', header: 'Role', render: (file) => file.role },
          { key: 'size', header: 'Size', align: 'right', render: (file) => formatBytes(file.size) },
        ]}
      />
      {error ? <AlertBanner tone="danger">{error}</AlertBanner> : null}
      <CliEquivalent command={`labvault item confirm ${shellQuote(item.name)} --vault ${shellQuote(item.vaultName)}`} />
    </Dialog>
  );
}
