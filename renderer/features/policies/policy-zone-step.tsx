/** Step 2: the IANA time zone the schedule's wall-clock times are in (searchable). */
import { useMemo, useState } from 'react';
import { Field } from '../../components/field.tsx';
import { LOCAL_TIME_ZONE } from '../../format/format-time.ts';
import { fieldError, type PolicyDraft, type PolicyErrors } from './policy-draft.ts';

const MAX_SHOWN = 200;

function allZones(): string[] {
  const supported = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return supported.includes('UTC') ? supported : ['UTC', ...supported];
}

function offsetOf(zone: string, at: Date): string {
  try {
    const part = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'shortOffset' }).formatToParts(at).find((entry) => entry.type === 'timeZoneName');
    return part?.value ?? '';
  } catch {
    return '';
  }
}

export function PolicyZoneStep({ draft, update, errors }: {
  draft: PolicyDraft; update: (change: Partial<PolicyDraft>) => void; errors: PolicyErrors;
}) {
  const [query, setQuery] = useState('');
  const zones = useMemo(allZones, []);
  const now = useMemo(() => new Date(), []);
  const matches = useMemo(() => {
    const needle = query.trim().toLowerCase().replace(/\s+/g, '_');
    return needle === '' ? zones : zones.filter((zone) => zone.toLowerCase().includes(needle));
  }, [query, zones]);
  return (
    <div className="form-narrow">
      <h2>Time zone</h2>
      <p className="step-intro">Backups run at the schedule's times in this zone. On days when clocks change, a time that does not exist runs at the first valid time after it, and a repeated hour runs once.</p>
      <p>Selected: <strong data-testid="selected-zone">{draft.timeZone}</strong> <span className="muted">({offsetOf(draft.timeZone, now)})</span>{draft.timeZone !== LOCAL_TIME_ZONE ? <> · <button type="button" className="crumb-link" onClick={() => update({ timeZone: LOCAL_TIME_ZONE })}>use this computer's zone ({LOCAL_TIME_ZONE})</button></> : null}</p>
      {fieldError(errors, 'timeZone') ? <p className="field-error">{fieldError(errors, 'timeZone')}</p> : null}
      <Field label="Search time zones" hint={`${zones.length} zones; type a city or region, e.g. "berlin" or "new york".`}>
        {({ inputId, describedBy }) => <input id={inputId} className="input" type="search" value={query} aria-describedby={describedBy} onChange={(event) => setQuery(event.target.value)} placeholder="Search…" />}
      </Field>
      <div className="zone-list" role="listbox" aria-label="Time zones">
        {matches.slice(0, MAX_SHOWN).map((zone) => (
          <button key={zone} type="button" role="option" aria-selected={zone === draft.timeZone} className={`zone-option${zone === draft.timeZone ? ' is-selected' : ''}`} onClick={() => update({ timeZone: zone })}>
            <span>{zone.replace(/_/g, ' ')}</span>
            <span className="muted small">{offsetOf(zone, now)}</span>
          </button>
        ))}
        {matches.length === 0 ? <p className="muted" style={{ padding: '8px 12px' }}>No zone matches "{query}".</p> : null}
        {matches.length > MAX_SHOWN ? <p className="muted small" style={{ padding: '8px 12px' }}>{matches.length - MAX_SHOWN} more: refine the search.</p> : null}
      </div>
    </div>
  );
}
