/** The host's read limit: LABVAULT_READ_LIMIT parsed to bytes per second, and the limiter's pace on a virtual clock. */
import { describe, expect, it } from 'vitest';
import { readLimitFrom } from '../../../electron/engine/backup/read-limit-setting.ts';
import { ReadRateLimiter, type LimiterClock } from '../../../electron/engine/vault/store/read-rate-limiter.ts';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';

const MIB = 1024 * 1024;

function virtualClock(): LimiterClock & { t: number; sleeps: number } {
  const clock = {
    t: 0,
    sleeps: 0,
    now: () => clock.t,
    sleep: async (ms: number) => { clock.t += ms; clock.sleeps += 1; },
  };
  return clock;
}

describe('LABVAULT_READ_LIMIT', () => {
  it('reads MiB per second by default and K, M, G units', () => {
    expect(readLimitFrom({})).toBeNull();
    expect(readLimitFrom({ LABVAULT_READ_LIMIT: '' })).toBeNull();
    expect(readLimitFrom({ LABVAULT_READ_LIMIT: '0' })).toBeNull();
    expect(readLimitFrom({ LABVAULT_READ_LIMIT: '50' })).toBe(50 * MIB);
    expect(readLimitFrom({ LABVAULT_READ_LIMIT: '50M' })).toBe(50 * MIB);
    expect(readLimitFrom({ LABVAULT_READ_LIMIT: '50MiB/s' })).toBe(50 * MIB);
    expect(readLimitFrom({ LABVAULT_READ_LIMIT: '512k' })).toBe(512 * 1024);
    expect(readLimitFrom({ LABVAULT_READ_LIMIT: '1.5G' })).toBe(1.5 * 1024 * MIB);
  });

  it('refuses what is not a rate, naming the variable', () => {
    for (const bad of ['fast', '-5', '10 T', '5x', '1K']) {
      const error = (() => { try { readLimitFrom({ LABVAULT_READ_LIMIT: bad }); return null; } catch (caught) { return caught; } })();
      expect(error, bad).toBeInstanceOf(LabvaultError);
      expect((error as LabvaultError).code).toBe(ErrorCodes.INVALID_INPUT);
      expect((error as LabvaultError).message).toContain('LABVAULT_READ_LIMIT');
    }
  });
});

describe('ReadRateLimiter', () => {
  it('lets one second of reads through at once, then paces the rest at the rate', async () => {
    const clock = virtualClock();
    const limiter = new ReadRateLimiter(4 * MIB, clock);
    for (let index = 0; index < 12; index += 1) await limiter.take(MIB);
    // 4 MiB of burst, 8 MiB at 4 MiB/s: two seconds of virtual time.
    expect(clock.t).toBeGreaterThanOrEqual(1990);
    expect(clock.t).toBeLessThanOrEqual(2100);
  });

  it('a read larger than a second of the rate waits for a full bucket, then the debt slows the next', async () => {
    const clock = virtualClock();
    const limiter = new ReadRateLimiter(MIB, clock);
    await limiter.take(4 * MIB);
    expect(clock.t).toBe(0);
    await limiter.take(MIB);
    // 3 MiB of debt and one more MiB: four seconds.
    expect(clock.t).toBeGreaterThanOrEqual(3990);
    expect(clock.t).toBeLessThanOrEqual(4100);
  });

  it('stops waiting when the job is cancelled', async () => {
    const clock = virtualClock();
    const limiter = new ReadRateLimiter(MIB, clock);
    await limiter.take(MIB);
    const controller = new AbortController();
    controller.abort();
    await limiter.take(MIB, controller.signal);
    expect(clock.sleeps).toBe(0);
  });
});
