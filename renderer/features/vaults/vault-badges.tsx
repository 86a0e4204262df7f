/** How a vault's settings read at a glance. */
import type { Vault } from '../../../shared/contract/models.ts';
import { Badge } from '../../components/badge.tsx';

export function ImmutabilityBadge({ state }: { state: Vault['immutability'] }) {
  if (state === 'locked') return <Badge tone="accent" title="Locked: irreversible">Locked</Badge>;
  if (state === 'enabled') return <Badge tone="info">Enabled</Badge>;
  return <Badge>Disabled</Badge>;
}

export function SoftDeleteBadge({ vault }: { vault: Vault }) {
  return vault.softDeleteEnabled ? <Badge tone="ok">{vault.softDeleteDays} days</Badge> : <Badge tone="warn">Off</Badge>;
}

export function VaultStatusBadge({ vault }: { vault: Vault }) {
  if (vault.status !== 'ok') return <Badge tone="danger" title={vault.statusMessage}>Missing</Badge>;
  if (vault.locked) return <Badge tone="warn" title={vault.statusMessage}>Locked</Badge>;
  return <Badge tone="ok">Available</Badge>;
}
