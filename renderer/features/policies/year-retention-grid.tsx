/**
 * A year of scheduled backups as 12 small month grids: each day colored by the longest
 * rule that still keeps its point at the end of the year (yearly > monthly > weekly > daily).
 */
import { useMemo } from 'react';
import type { z } from '../../../shared/zod-jitless.ts';
import { formatDate } from '../../format/format-time.ts';
import type { RetentionPictureSchema } from '../../../shared/contract/policy-channels.ts';

type RetentionPicture = z.infer<typeof RetentionPictureSchema>;
const RULE_RANK = ['daily', 'weekly', 'monthly', 'yearly'] as const;
type Rule = (typeof RULE_RANK)[number];
const MAX_MONTHS = 13;
const monthTitle = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric' });

function dayKeyIn(zone: string): (iso: string) => string {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (iso) => format.format(new Date(iso));
}

function strongest(rules: readonly string[]): Rule | null {
  let best: Rule | null = null;
  for (const rule of rules) {
    const rank = RULE_RANK.indexOf(rule as Rule);
    if (rank >= 0 && (best === null || rank > RULE_RANK.indexOf(best))) best = rule as Rule;
  }
  return best;
}

export function YearRetentionGrid({ picture, timeZone }: { picture: RetentionPicture; timeZone: string }) {
  const { byDay, months, kept } = useMemo(() => {
    const keyOf = dayKeyIn(timeZone);
    const map = new Map<string, { rule: Rule | null; runs: number }>();
    let keptCount = 0;
    for (const point of picture.points) {
      const key = keyOf(point.time);
      const rule = point.keep ? strongest(point.rules) : null;
      if (point.keep) keptCount += 1;
      const previous = map.get(key);
      const better = previous?.rule && (!rule || RULE_RANK.indexOf(previous.rule) >= RULE_RANK.indexOf(rule))
        ? previous.rule
        : rule;
      map.set(key, { rule: better, runs: (previous?.runs ?? 0) + 1 });
    }
    const start = new Date(keyOf(picture.from) + 'T00:00:00');
    const end = new Date(keyOf(picture.to) + 'T00:00:00');
    const count = (end.getFullYear() - start.getFullYear()) * 12 + end.getMonth() - start.getMonth() + 1;
    const list = Array.from(
      { length: Math.max(1, Math.min(count, MAX_MONTHS)) },
      (_, index) => new Date(start.getFullYear(), start.getMonth() + index, 1),
    );
    return { byDay: map, months: list, kept: keptCount };
  }, [picture, timeZone]);
  return (
    <div>
      <div className="legend" aria-label="Legend">
        <strong>Kept at the end by:</strong>
        <span><i className="keep-yearly" /> yearly rule</span>
        <span><i className="keep-monthly" /> monthly rule</span>
        <span><i className="keep-weekly" /> weekly rule</span>
        <span><i className="keep-daily" /> daily rule</span>
        <span><i className="keep-none" /> not kept (expired)</span>
      </div>
      <p className="muted small">{picture.points.length} scheduled backups in a year; {kept} still kept on {formatDate(picture.to)}.</p>
      <div className="year-grid" data-testid="retention-year-grid">
        {months.map((month) => {
          const offset = (month.getDay() + 6) % 7;
          const days = new Date(month.getFullYear(), month.getMonth() + 1, 0).getDate();
          return (
            <div className="year-month" key={month.toISOString()}>
              <h4>{monthTitle.format(month)}</h4>
              <div className="year-month-days">
                {Array.from({ length: offset }, (_, index) => <span key={`b${index}`} className="year-day is-blank" />)}
                {Array.from({ length: days }, (_, index) => {
                  const key = `${month.getFullYear()}-${String(month.getMonth() + 1).padStart(2, '0')}-${String(index + 1).padStart(2, '0')}`;
                  const entry = byDay.get(key);
                  const tone = entry ? (entry.rule ? `keep-${entry.rule}` : 'keep-none') : '';
                  return <span key={key} className={`year-day ${tone}`} title={entry ? `${key}: ${entry.runs} run${entry.runs === 1 ? '' : 's'}${entry.rule ? `, kept (${entry.rule})` : ', not kept'}` : key} />;
                })}
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}
