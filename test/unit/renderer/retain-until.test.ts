/** The "Backup now" retain-until rule: the engine and the dialog read dates the same way. */
import { describe, expect, it } from 'vitest';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { localDayKey, readRetainUntil } from '../../../shared/retain-until.ts';
import { resolveRetainUntil } from '../../../electron/engine/backup/retain-until.ts';
import {
  defaultRetainUntil, maxRetainUntil, retainUntilInstant, retainUntilProblem,
} from '../../../renderer/features/items/retain-until.ts';

const now = new Date(2026, 11, 2, 15, 30, 0);

describe('retain-until', () => {
  it('defaults to 30 days from now, in the engine and in the dialog', () => {
    expect(defaultRetainUntil(now)).toBe('2027-01-01');
    expect(resolveRetainUntil(undefined, now).getTime()).toBe(now.getTime() + 30 * 86_400_000);
    expect(resolveRetainUntil('  ', now).getTime()).toBe(now.getTime() + 30 * 86_400_000);
  });

  it('keeps a date until the end of that local day', () => {
    const until = resolveRetainUntil('2026-12-24', now);
    expect([until.getFullYear(), until.getMonth(), until.getDate(), until.getHours(), until.getMinutes()]).toEqual([2026, 11, 24, 23, 59]);
  });

  it('accepts today and the last day 99 years ahead, refuses the day before and the day after', () => {
    expect(maxRetainUntil(now)).toBe('2125-12-02');
    for (const ok of ['2026-12-02', '2125-12-02']) {
      expect(readRetainUntil(ok, now).ok).toBe(true);
      expect(retainUntilProblem(ok, now)).toBeNull();
      expect(() => resolveRetainUntil(ok, now)).not.toThrow();
    }
    expect(readRetainUntil('2026-12-01', now)).toEqual({ ok: false, problem: 'past' });
    expect(readRetainUntil('2125-12-03', now)).toEqual({ ok: false, problem: 'too-far' });
    expect(retainUntilProblem('2026-12-01', now)).toMatch(/past/);
    expect(retainUntilProblem('2125-12-03', now)).toMatch(/99 years/);
  });

  it('refuses impossible dates and other spellings with the field named', () => {
    for (const [value, problem] of [['2026-02-30', 'not-a-date'], ['2026-13-01', 'not-a-date'], ['tomorrow', 'format'], ['2026/12/24', 'format']] as const) {
      expect(readRetainUntil(value, now)).toEqual({ ok: false, problem });
      let error: unknown;
      try {
        resolveRetainUntil(value, now);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(LabvaultError);
      expect((error as LabvaultError).code).toBe(ErrorCodes.INVALID_INPUT);
      expect((error as LabvaultError).field).toBe('retainUntil');
    }
    expect(retainUntilProblem('', now)).toBe('Choose a date.');
  });

  it('reads ISO instants exactly, inside the same bounds', () => {
    expect(resolveRetainUntil('2027-01-01T00:00:00Z', now).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(readRetainUntil(new Date(now.getTime() - 1000).toISOString(), now)).toEqual({ ok: false, problem: 'past' });
    expect(readRetainUntil('2200-01-01T00:00:00Z', now)).toEqual({ ok: false, problem: 'too-far' });
  });

  it('the dialog sends the end of the chosen day in its own time zone, which the engine keeps as is', () => {
    const sent = retainUntilInstant('2026-12-24', now);
    const until = new Date(sent);
    expect([until.getFullYear(), until.getMonth(), until.getDate(), until.getHours(), until.getMinutes()])
      .toEqual([2026, 11, 24, 23, 59]);
    expect(resolveRetainUntil(sent, now).toISOString()).toBe(sent);
    // The default day and the last allowed day are accepted by the engine as sent.
    expect(() => resolveRetainUntil(retainUntilInstant(defaultRetainUntil(now), now), now)).not.toThrow();
    expect(() => resolveRetainUntil(retainUntilInstant(maxRetainUntil(now), now), now)).not.toThrow();
    expect(() => resolveRetainUntil(retainUntilInstant(localDayKey(now), now), now)).not.toThrow();
  });
});
