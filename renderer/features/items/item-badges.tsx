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
};

export function ConsistencyBadge({ consistency }: { consistency: Consistency }) {
  const tone = consistency === 'application-consistent' ? 'ok' : consistency === 'file-system-consistent' ? 'info' : 'warn';
  return <Badge tone={tone}>{CONSISTENCY_LABEL[consistency]}</Badge>;
}

export function TierBadges({ point }: { point: Pick<Point, 'tiers'> }) {
  return (
    <span className="badges">
      {point.tiers.includes('snapshot') ? <Badge tone="accent" title="Instant restore copy">Snapshot</Badge> : null}
      {point.tiers.includes('vault') ? <Badge tone="info">Vault</Badge> : null}
    </span>
  );
}

/** Why a point has no snapshot tier, when it has none. */
export function TierNote({ point }: { point: Pick<Point, 'tiers' | 'tierNote'> }) {
  if (point.tiers.includes('snapshot') || !point.tierNote) return null;
  return <span className="tier-note">{point.tierNote}</span>;
}

export function JobStatusBadge({ status }: { status: JobStatus | string }) {
  switch (status) {
    case 'completed': return <Badge tone="ok">Completed</Badge>;
    case 'in-progress': return <Badge tone="info">In progress</Badge>;
    case 'queued': return <Badge>Queued</Badge>;
    case 'failed': return <Badge tone="danger">Failed</Badge>;
    case 'cancelled': return <Badge tone="warn">Cancelled</Badge>;
    case 'skipped': return <Badge>Skipped</Badge>;
    default: return <Badge>{status}</Badge>;
  }
}
