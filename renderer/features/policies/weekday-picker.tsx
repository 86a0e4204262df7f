/** Toggle buttons for weekdays (Mon..Sun). */
import { WEEKDAYS, type Weekday } from '../../../shared/policy.ts';

export function WeekdayPicker({ value, onChange, label }: {
  value: readonly Weekday[]; onChange: (days: Weekday[]) => void; label: string;
}) {
  return (
    <div className="weekday-picker" role="group" aria-label={label}>
      {WEEKDAYS.map((day) => {
        const on = value.includes(day);
        return (
          <button
            key={day}
            type="button"
            className={`weekday-toggle${on ? ' is-on' : ''}`}
            aria-pressed={on}
            aria-label={day}
            onClick={() => onChange(on
              ? value.filter((entry) => entry !== day)
              : WEEKDAYS.filter((entry) => entry === day || value.includes(entry)))}
          >
            {day.charAt(0).toUpperCase() + day.slice(1, 3)}
          </button>
        );
      })}
    </div>
  );
}
