/** Step 4: retention rules (daily, weekly, monthly, yearly), limits enforced as you type. */
import type { ReactNode } from 'react';
import { MONTHS, POLICY_LIMITS, WEEKDAYS, WEEK_ORDINALS, type MonthName, type Weekday, type WeekOrdinal } from '../../../shared/policy.ts';
import { Field } from '../../components/field.tsx';
import { fieldError, type DayRule, type PolicyDraft, type PolicyErrors } from './policy-draft.ts';

const cap = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function RuleCard({ title, text, on, onToggle, children }: {
  title: string; text: string; on: boolean; onToggle: (on: boolean) => void; children: ReactNode;
}) {
  return (
    <div className={`rule-card${on ? '' : ' is-off'}`}>
      <label className="check">
        <input type="checkbox" checked={on} onChange={(event) => onToggle(event.target.checked)} />
        <span><span className="check-title">{title}</span><span className="check-text"> {text}</span></span>
      </label>
      {on ? <div className="rule-fields">{children}</div> : null}
    </div>
  );
}

function NumberField({ label, value, onValue, error, min, max, name }: {
  label: string; value: string; onValue: (value: string) => void; error: string | null; min: number; max: number;
  name: string;
}) {
  return (
    <Field label={label} error={error} hint={`${min} to ${max}`}>
      {({ inputId, describedBy, invalid }) => <input id={inputId} className="input narrow" type="number" name={name} min={min} max={max} value={value} aria-invalid={invalid || undefined} aria-describedby={describedBy} onChange={(event) => onValue(event.target.value)} />}
    </Field>
  );
}

function DayRuleFields({ rule, onRule, errors, prefix }: {
  rule: DayRule; onRule: (rule: DayRule) => void; errors: PolicyErrors; prefix: string;
}) {
  return (
    <>
      <Field label="On">
        {({ inputId }) => (
          <select id={inputId} className="select" value={rule.mode === 'day' ? 'day' : rule.week} onChange={(event) => onRule(event.target.value === 'day' ? { mode: 'day', day: '1' } : { mode: 'weekday', week: event.target.value as WeekOrdinal, weekday: rule.mode === 'weekday' ? rule.weekday : 'sunday' })}>
            <option value="day">Day of the month</option>
            {WEEK_ORDINALS.map((week) => <option key={week} value={week}>{cap(week)} …</option>)}
          </select>
        )}
      </Field>
      {rule.mode === 'day' ? (
        <NumberField label="Day" name={`${prefix}-day`} value={rule.day} onValue={(day) => onRule({ mode: 'day', day })} error={fieldError(errors, `${prefix}.day`)} min={1} max={31} />
      ) : (
        <Field label="Weekday" error={fieldError(errors, `${prefix}.weekday`)}>
          {({ inputId }) => (
            <select id={inputId} className="select" value={rule.weekday} onChange={(event) => onRule({ ...rule, weekday: event.target.value as Weekday })}>
              {WEEKDAYS.map((day) => <option key={day} value={day}>{cap(day)}</option>)}
            </select>
          )}
        </Field>
      )}
    </>
  );
}

export function PolicyRetentionStep({ draft, update, errors }: {
  draft: PolicyDraft; update: (change: Partial<PolicyDraft>) => void; errors: PolicyErrors;
}) {
  const limits = POLICY_LIMITS;
  const noRule = fieldError(errors, 'retention');
  return (
    <div>
      <h2>Retention</h2>
      <p className="step-intro">How long recovery points are kept. A point is kept while any rule keeps it; on-demand backups keep their own date.</p>
      {noRule ? <p className="field-error">{noRule}</p> : null}
      <div className="rule-grid">
      <RuleCard title="Daily points" text="The day's backup is kept for a number of days." on={draft.daily.on} onToggle={(on) => update({ daily: { ...draft.daily, on } })}>
        <NumberField label="Keep for (days)" name="daily-days" value={draft.daily.days} onValue={(days) => update({ daily: { ...draft.daily, days } })} error={fieldError(errors, 'retention.daily.days')} min={limits.dailyDays.min} max={limits.dailyDays.max} />
      </RuleCard>
      <RuleCard title="Weekly points" text="The backup of a chosen weekday is kept for a number of weeks." on={draft.weekly.on} onToggle={(on) => update({ weekly: { ...draft.weekly, on } })}>
        <Field label="Weekday" error={fieldError(errors, 'retention.weekly.day')}>
          {({ inputId }) => (
            <select id={inputId} className="select" value={draft.weekly.day} onChange={(event) => update({ weekly: { ...draft.weekly, day: event.target.value as Weekday } })}>
              {WEEKDAYS.map((day) => <option key={day} value={day}>{cap(day)}</option>)}
            </select>
          )}
        </Field>
        <NumberField label="Keep for (weeks)" name="weekly-weeks" value={draft.weekly.weeks} onValue={(weeks) => update({ weekly: { ...draft.weekly, weeks } })} error={fieldError(errors, 'retention.weekly.weeks')} min={limits.weeklyWeeks.min} max={limits.weeklyWeeks.max} />
      </RuleCard>
      <RuleCard title="Monthly points" text="One backup a month, on a day or a weekday of the month." on={draft.monthly.on} onToggle={(on) => update({ monthly: { ...draft.monthly, on } })}>
        <DayRuleFields rule={draft.monthly.rule} onRule={(rule) => update({ monthly: { ...draft.monthly, rule } })} errors={errors} prefix="retention.monthly" />
        <NumberField label="Keep for (months)" name="monthly-months" value={draft.monthly.months} onValue={(months) => update({ monthly: { ...draft.monthly, months } })} error={fieldError(errors, 'retention.monthly.months')} min={limits.monthlyMonths.min} max={limits.monthlyMonths.max} />
      </RuleCard>
      <RuleCard title="Yearly points" text="One backup a year, in a chosen month." on={draft.yearly.on} onToggle={(on) => update({ yearly: { ...draft.yearly, on } })}>
        <Field label="Month">
          {({ inputId }) => (
            <select id={inputId} className="select" value={draft.yearly.month} onChange={(event) => update({ yearly: { ...draft.yearly, month: event.target.value as MonthName } })}>
              {MONTHS.map((month) => <option key={month} value={month}>{cap(month)}</option>)}
            </select>
          )}
        </Field>
        <DayRuleFields rule={draft.yearly.rule} onRule={(rule) => update({ yearly: { ...draft.yearly, rule } })} errors={errors} prefix="retention.yearly" />
        <NumberField label="Keep for (years)" name="yearly-years" value={draft.yearly.years} onValue={(years) => update({ yearly: { ...draft.yearly, years } })} error={fieldError(errors, 'retention.yearly.years')} min={limits.yearlyYears.min} max={limits.yearlyYears.max} />
      </RuleCard>
      </div>
    </div>
  );
}
