/** Step 2: a recovery point, from a month calendar and the list of that day's points; compare it with another. */
import { useMemo, useState } from 'react';
import type { Point } from '../../../shared/contract/item-models.ts';
import { formatBytes } from '../../format/format-bytes.ts';
import { formatDateTime, formatDateTimeSeconds, localDayKey } from '../../format/format-time.ts';
import { ConsistencyBadge, TierBadges, VaultOnlyNote } from '../items/item-badges.tsx';
import { MonthCalendar } from './month-calendar.tsx';
import { PointComparePanel } from './point-compare-panel.tsx';

export function RestorePointStep({ item, points, selected, onSelect }: {
  item: string; points: readonly Point[]; selected: string; onSelect: (point: Point) => void;
}) {
  const active = useMemo(() => points.filter((point) => point.state === 'active'), [points]);
  const selectedPoint = active.find((point) => point.id === selected);
  const anchor = selectedPoint ?? active[0];
  const start = anchor ? new Date(anchor.createdAt) : new Date();
  const [view, setView] = useState({ year: start.getFullYear(), month: start.getMonth() });
  const [day, setDay] = useState<string | null>(anchor ? localDayKey(new Date(anchor.createdAt)) : null);
  const marked = useMemo(() => {
    const map = new Map<string, number>();
    for (const point of active) {
      const key = localDayKey(new Date(point.createdAt));
      map.set(key, (map.get(key) ?? 0) + 1);
    }
    return map;
  }, [active]);
  const shown = day ? active.filter((point) => localDayKey(new Date(point.createdAt)) === day) : active;
  if (active.length === 0) return <p className="muted">This item has no recovery point to restore from yet.</p>;
  return (
    <div>
      <h2>Recovery point</h2>
      <p className="step-intro">Days with recovery points are marked. Each point shows its consistency and where it is stored: a fast restore copy on this disk restores fastest; the vault copy is always there.</p>
      <VaultOnlyNote points={active} />
      <div className="point-picker">
        <MonthCalendar
          year={view.year} month={view.month} marked={marked} selected={day} onSelect={setDay}
          onMonth={(year, month) => setView({ year, month })}
        />
        <div className="point-list" role="radiogroup" aria-label="Recovery points">
          {shown.map((point) => (
            <label key={point.id} className={`choice point-option${point.id === selected ? ' is-selected' : ''}`}>
              <span className="row">
                <input type="radio" name="point" checked={point.id === selected} onChange={() => onSelect(point)} />
                <span className="check-title">{formatDateTimeSeconds(point.createdAt)}</span>
                {point.onDemand ? <span className="badge">On-demand</span> : null}
              </span>
              <span className="row"><ConsistencyBadge consistency={point.consistency} /><TierBadges point={point} /></span>
              <span className="check-text">{point.files.length} files · {formatBytes(point.logicalBytes)} · expires {point.expiresAt ? formatDateTime(point.expiresAt) : 'never'}</span>
            </label>
          ))}
        </div>
      </div>
      {selectedPoint
        ? <PointComparePanel key={selectedPoint.id} item={item} point={selectedPoint} points={active} /> : null}
    </div>
  );
}
