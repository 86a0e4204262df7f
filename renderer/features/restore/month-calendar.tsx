/** A month of days; days with recovery points are marked and can be picked. */
import { localDayKey } from '../../format/format-time.ts';
import { Button } from '../../components/button.tsx';

const WEEKDAY_LABELS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const monthTitle = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' });

export interface MonthCalendarProps {
  year: number;
  month: number;
  /** Local day keys (YYYY-MM-DD) that have points, with their count. */
  marked: ReadonlyMap<string, number>;
  selected: string | null;
  onSelect: (day: string) => void;
  onMonth: (year: number, month: number) => void;
}

export function MonthCalendar({ year, month, marked, selected, onSelect, onMonth }: MonthCalendarProps) {
  const first = new Date(year, month, 1);
  const offset = (first.getDay() + 6) % 7;
  const days = new Date(year, month + 1, 0).getDate();
  const today = localDayKey(new Date());
  const cells: Array<string | null> = [
    ...Array.from({ length: offset }, () => null),
    ...Array.from({ length: days }, (_, index) => localDayKey(new Date(year, month, index + 1))),
  ];
  const step = (delta: number) => {
    const target = new Date(year, month + delta, 1);
    onMonth(target.getFullYear(), target.getMonth());
  };
  return (
    <div>
      <div className="calendar-head">
        <Button small onClick={() => step(-1)} aria-label="Previous month">‹</Button>
        <strong>{monthTitle.format(first)}</strong>
        <Button small onClick={() => step(1)} aria-label="Next month">›</Button>
      </div>
      <div className="month-calendar" role="grid" aria-label={monthTitle.format(first)}>
        {WEEKDAY_LABELS.map((label) => <div key={label} className="dow">{label}</div>)}
        {cells.map((day, index) => {
          if (!day) return <div key={`blank-${index}`} />;
          const count = marked.get(day) ?? 0;
          const classes = ['month-day', count > 0 ? 'has-points' : '', selected === day ? 'is-selected' : '', today === day ? 'is-today' : ''].filter(Boolean).join(' ');
          return (
            <button key={day} type="button" className={classes} disabled={count === 0} aria-pressed={selected === day} aria-label={`${day}${count > 0 ? `, ${count} recovery point${count === 1 ? '' : 's'}` : ''}`} onClick={() => onSelect(day)}>
              {Number(day.slice(8))}
            </button>
          );
        })}
      </div>
    </div>
  );
}
