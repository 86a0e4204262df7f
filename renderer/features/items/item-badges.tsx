/** How items, points and job outcomes read at a glance. */
import type { Consistency, Item, JobStatus, Point } from '../../../shared/contract/item-models.ts';
import { Badge } from '../../components/badge.tsx';
import { formatDate } from '../../format/format-time.ts';

export function ItemStateBadge({ item }: { item: Pick<Item, 'state' | 'purgeAt' | 'retainMode'> }) {
  switch (item.state) {
    case 'protected': return <Badge tone="ok">Protected</Badge>;
    case 'stopped': return <Badge tone="warn" title={item.retainMode === 'forever' ? 'Points kept forever' : 'Points kept until their expiry'}>Stopped</Badge>;
    case 'soft-deleted': return <Badge tone="danger" title={item.purgeAt ? `Purged on ${formatDate(item.purgeAt)}` : undefined}>Soft-deleted</Badge>;
  }
}

/** Shown while this machine has not confirmed the files an item's record names (it is not backed up here). */
export function NeedsConfirmationBadge({ item }: { item: Pick<Item, 'needsConfirmation'> }) {
  if (!item.needsConfirmation) return null;
  return <Badge tone="warn" title={`Not backed up on this machine: ${item.needsConfirmation.reason}`}>Needs confirmation</Badge>;
}

const CONSISTENCY_LABEL: Record<Consistency, string> = {
  'application-consistent': 'Application-consistent',
  'file-system-consistent': 'File-system-consistent',
  'crash-consistent': 'Crash-consistent',
  'saved-state': 'Saved state',
};

export function ConsistencyBadge({ consistency }: { consistency: Consistency }) {
  const tone = consistency === 'application-consistent' ? 'ok' : consistency === 'file-system-consistent' ? 'info' : 'warn';
  return <Badge tone={tone}>{CONSISTENCY_LABEL[consistency]}</Badge>;
}

export function TierBadges({ point }: { point: Pick<Point, 'tiers'> }) {
  return (
    <span className="badges">
      {point.tiers.includes('snapshot')
        ? <Badge tone="accent" title="A copy kept on this disk that restores fastest (snapshot tier)">Fast restore</Badge>
        : null}
      {point.tiers.includes('vault') ? <Badge tone="info" title="The copy in the vault (vault tier)">Vault</Badge> : null}
    </span>
  );
}

/**
 * Why the points have no fast restore copy, said once for an item (not on every point): the
 * newest active point without one carries the reason.
 */
export function vaultOnlyReason(points: readonly Pick<Point, 'tiers' | 'tierNote' | 'state'>[]): string | null {
  const without = points.find((point) => point.state === 'active' && !point.tiers.includes('snapshot'));
  if (!without) return null;
  const note = (without.tierNote ?? '').replace(/^Vault tier only[:.]?\s*/i, '').trim();
  return note === '' ? 'this disk cannot keep one.' : note;
}

/** The once-per-item line under a list of points: which have only the vault copy, and why. */
export function VaultOnlyNote({ points }: { points: readonly Pick<Point, 'tiers' | 'tierNote' | 'state'>[] }) {
  const reason = vaultOnlyReason(points);
  if (reason === null) return null;
  const all = points.filter((point) => point.state === 'active').every((point) => !point.tiers.includes('snapshot'));
  const which = all ? 'These points restore from the vault only' : 'Points without a "Fast restore" badge restore from the vault only';
  return <p className="vault-only-note" data-testid="vault-only-note">{which} (no fast restore copy on this disk): {reason}</p>;
}

export function JobStatusBadge({ status }: { status: JobStatus | string }) {
  switch (status) {
    case 'completed': return <Badge tone="ok">Completed</Badge>;
    case 'in-progress': return <Badge tone="info">In progress</Badge>;
    case 'queued': return <Badge>Queued</Badge>;
    case 'failed': return <Badge tone="danger">Failed</Badge>;
    case 'cancelled': return <Badge tone="neutral">Cancelled</Badge>;
    case 'skipped': return <Badge>Skipped</Badge>;
    default: return <Badge>{status}</Badge>;
  }
}
