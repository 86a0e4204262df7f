/** A point's test restore at a glance: Verified, Warnings, Failed, Not readable, with the reasons on hover. */
import type { TestRestore } from '../../../shared/contract/item-models.ts';
import { Badge, type BadgeTone } from '../../components/badge.tsx';
import { formatDateTime } from '../../format/format-time.ts';

const LOOK: Record<TestRestore['status'], { tone: BadgeTone; label: string }> = {
  verified: { tone: 'ok', label: 'Verified' },
  warnings: { tone: 'warn', label: 'Warnings' },
  failed: { tone: 'danger', label: 'Failed' },
  'not-readable': { tone: 'neutral', label: 'Not readable' },
};

export function TestRestoreBadge({ check }: { check: TestRestore | undefined }) {
  if (!check) return <span className="muted small" title="No test restore ran for this point (off in its policy, or made before test restores)">Not tested</span>;
  const look = LOOK[check.status];
  const title = [`Test restore ${formatDateTime(check.checkedAt)}`, ...check.reasons.slice(0, 5)].join('\n');
  return (
    <span className="test-restore-cell">
      <Badge tone={look.tone} title={title}>{look.label}</Badge>
      {check.status === 'verified' ? null : <span className="cell-sub test-restore-reason" title={title}>{check.reasons[0] ?? ''}</span>}
    </span>
  );
}
