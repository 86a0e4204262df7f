/** Step 1: name and schedule (daily, weekly, or every N hours inside a window). */
import type { ReactNode } from 'react';
import { POLICY_LIMITS } from '../../../shared/policy.ts';
import { Field, TextField } from '../../components/field.tsx';
import { HOURLY_CHOICES, draftType, fieldError, type PolicyDraft, type PolicyErrors } from './policy-draft.ts';
import { WeekdayPicker } from './weekday-picker.tsx';
import { POLICY_TYPE_EXPLANATION, POLICY_TYPE_LABEL } from './policy-type-words.ts';

export interface PolicyStepProps {
  draft: PolicyDraft;
  update: (change: Partial<PolicyDraft>) => void;
  errors: PolicyErrors;
}

export function PolicyScheduleStep(
  { draft, update, errors, editing, vaultPicker }: PolicyStepProps & { editing: boolean; vaultPicker: ReactNode },
) {
  const type = draftType(draft);
  const setFrequency = (frequency: PolicyDraft['frequency']) => {
    const enhancedNow = frequency === 'hourly' || draft.enhanced;
    const wasType = draftType(draft);
    const nextType = enhancedNow ? 'enhanced' : 'standard';
    const instant = wasType !== nextType
      ? String(POLICY_LIMITS.instantRestoreDays[nextType].default)
      : draft.instantRestoreDays;
    update({ frequency, instantRestoreDays: instant });
  };
  return (
    <div className="wizard-columns">
      <div className="form-narrow">
        <h2>Name and schedule</h2>
        <p className="step-intro">When backups run. Times are wall-clock times in the policy's time zone (next step).</p>
        {vaultPicker}
        <TextField label="Policy name" name="policy-name" value={draft.name} onValue={(name) => update({ name })} disabled={editing} error={draft.name === '' ? null : fieldError(errors, 'name')} hint="Starts with a letter; letters, digits, - and _." autoComplete="off" spellCheck={false} />
        <div className="choice-group cols-3" role="radiogroup" aria-label="Frequency">
          {(['daily', 'weekly', 'hourly'] as const).map((frequency) => (
            <label key={frequency} className={`choice${draft.frequency === frequency ? ' is-selected' : ''}`}>
              <input type="radio" name="frequency" checked={draft.frequency === frequency} onChange={() => setFrequency(frequency)} />
              <span><span className="check-title">{frequency === 'daily' ? 'Daily' : frequency === 'weekly' ? 'Weekly' : 'Hourly'}</span><br /><span className="check-text">{frequency === 'daily' ? 'Once a day' : frequency === 'weekly' ? 'On chosen days' : 'Every 4-24 h in a window'}</span></span>
            </label>
          ))}
        </div>
        {draft.frequency !== 'hourly' ? (
          <>
            {draft.frequency === 'weekly' ? (
              <Field label="Days" error={fieldError(errors, 'schedule.days')}>
                {() => <WeekdayPicker value={draft.days} onChange={(days) => update({ days })} label="Backup days" />}
              </Field>
            ) : null}
            <Field label="Time" error={fieldError(errors, 'schedule.time')}>
              {({ inputId, describedBy }) => <input id={inputId} className="input narrow" type="time" name="time" value={draft.time} aria-describedby={describedBy} onChange={(event) => update({ time: event.target.value })} />}
            </Field>
            <label className="check">
              <input type="checkbox" checked={draft.enhanced} onChange={(event) => update({ enhanced: event.target.checked, instantRestoreDays: String(POLICY_LIMITS.instantRestoreDays[event.target.checked ? 'enhanced' : 'standard'].default) })} />
              <span><span className="check-title">Keep fast restore copies longer</span><span className="check-text"> Up to 30 days on this disk instead of 5 (makes it an hourly-type policy).</span></span>
            </label>
          </>
        ) : (
          <>
            <div className="rule-fields">
              <Field label="Every" error={fieldError(errors, 'schedule.everyHours')}>
                {({ inputId }) => (
                  <select id={inputId} className="select" name="every-hours" value={draft.everyHours} onChange={(event) => update({ everyHours: Number(event.target.value) })}>
                    {HOURLY_CHOICES.map((hours) => <option key={hours} value={hours}>{hours} hours</option>)}
                  </select>
                )}
              </Field>
              <Field label="Window starts" error={fieldError(errors, 'schedule.windowStart')}>
                {({ inputId }) => <input id={inputId} className="input" type="time" name="window-start" value={draft.windowStart} onChange={(event) => update({ windowStart: event.target.value })} />}
              </Field>
              <Field label="Window length (hours)" error={fieldError(errors, 'schedule.windowHours')} hint={`${POLICY_LIMITS.windowHours.min} to ${POLICY_LIMITS.windowHours.max}`}>
                {({ inputId }) => <input id={inputId} className="input narrow" type="number" name="window-hours" min={1} max={24} value={draft.windowHours} onChange={(event) => update({ windowHours: event.target.value })} />}
              </Field>
            </div>
            <Field label="Days (none chosen: every day)" error={fieldError(errors, 'schedule.days')}>
              {() => <WeekdayPicker value={draft.hourlyDays} onChange={(hourlyDays) => update({ hourlyDays })} label="Window days" />}
            </Field>
          </>
        )}
      </div>
      <aside className="side-note">
        <h3>{POLICY_TYPE_LABEL[type]}</h3>
        <p className="small">{POLICY_TYPE_EXPLANATION[type]}</p>
        <ul>
          <li>{POLICY_TYPE_LABEL.standard}: {POLICY_TYPE_EXPLANATION.standard}</li>
          <li>{POLICY_TYPE_LABEL.enhanced}: {POLICY_TYPE_EXPLANATION.enhanced}</li>
          <li>
            Fast restore copies: where the disk can clone files, each backup also leaves a copy on this disk that
            restores in seconds; the vault copy is always kept.
          </li>
          <li>
            Runs are computed in the policy's time zone across daylight-saving changes: never skipped, never twice.
          </li>
        </ul>
      </aside>
    </div>
  );
}
