/** Step 1: which protected item to restore from. */
import type { Item } from '../../../shared/contract/item-models.ts';
import { EmptyState } from '../../components/empty-state.tsx';
import { formatDateTime } from '../../format/format-time.ts';
import { ItemStateBadge } from '../items/item-badges.tsx';

export function RestoreItemStep({ items, selected, onSelect }: {
  items: readonly Item[]; selected: string; onSelect: (item: Item) => void;
}) {
  const restorable = items.filter((item) => item.pointCount > 0 && item.state !== 'soft-deleted');
  if (restorable.length === 0) return <EmptyState title="Nothing to restore yet">Items appear here once they have at least one recovery point.</EmptyState>;
  return (
    <div>
      <h2>Item</h2>
      <p className="step-intro">Choose the VM to restore from.</p>
      <div className="choice-group cols-2" role="radiogroup" aria-label="Items">
        {restorable.map((item) => (
          <label key={item.id} className={`choice${selected === item.id ? ' is-selected' : ''}`}>
            <input type="radio" name="item" checked={selected === item.id} onChange={() => onSelect(item)} />
            <span>
              <span className="check-title">{item.name}</span> <ItemStateBadge item={item} /><br />
              <span className="check-text">Vault {item.vaultName} · {item.pointCount} points · last backup {formatDateTime(item.lastBackupAt, 'never')}</span>
            </span>
          </label>
        ))}
      </div>
    </div>
  );
}
