/** How a vault's settings read at a glance. */
import type { Vault } from '../../../shared/contract/models.ts';
import { Badge } from '../../components/badge.tsx';

/**
 * Says what it is about ("Immutability: off"), so it reads right outside a labelled column;
 * `bare` drops the prefix where a heading already names it.
 */
export function ImmutabilityBadge({ state, bare = false }: { state: Vault['immutability']; bare?: boolean }) {
  const prefix = bare ? '' : 'Immutability: ';
  if (state === 'locked') {
    return <Badge tone="accent" title="Points cannot be deleted before they expire; this cannot be undone">{prefix}locked</Badge>;
  }
  if (state === 'enabled') {
    return <Badge tone="info" title="Points cannot be deleted before they expire; can still be turned off">{prefix}on</Badge>;
  }
  return <Badge title="Recovery points can be deleted before they expire">{prefix}off</Badge>;
}

export function SoftDeleteBadge({ vault, bare = false }: { vault: Vault; bare?: boolean }) {
  const prefix = bare ? '' : 'Soft delete: ';
  return vault.softDeleteEnabled
    ? <Badge tone="ok" title="Deleted backup data can be undeleted for this long">{prefix}{vault.softDeleteDays} days</Badge>
    : <Badge tone="warn" title="Deleted backup data is removed at once">{prefix}off</Badge>;
}

export function VaultStatusBadge({ vault }: { vault: Vault }) {
  if (vault.status !== 'ok') return <Badge tone="danger" title={vault.statusMessage}>Missing</Badge>;
  if (vault.locked) return <Badge tone="warn" title={vault.statusMessage}>Locked</Badge>;
  return <Badge tone="ok">Available</Badge>;
}
