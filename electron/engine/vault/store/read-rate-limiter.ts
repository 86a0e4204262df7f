/**
 * Keeps a backup's reads of a source file at or under a rate (bytes per second), so a VM
 * that runs on the same disk stays responsive while it is backed up. A token bucket with
 * one second of burst: each read asks for its bytes before it is issued and waits (in
 * slices, so a cancel is seen at once) until the bucket has them.
 */
import { setTimeout as sleep } from 'node:timers/promises';

const SLICE_MS = 100;

/** Milliseconds now and a wait (real time by default; tests pass a virtual clock). */
export interface LimiterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: LimiterClock = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

export class ReadRateLimiter {
  private readonly bytesPerSecond: number;
  private available: number;
  private last: number;
  private readonly clock: LimiterClock;

  constructor(bytesPerSecond: number, clock: LimiterClock = realClock) {
    this.clock = clock;
    if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) throw new RangeError(`read rate ${bytesPerSecond} is not a positive number`);
    this.bytesPerSecond = bytesPerSecond;
    this.available = bytesPerSecond;
    this.last = clock.now();
  }

  /** Resolves when `bytes` may be read; returns early (without error) when the signal aborts. */
  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      this.available = Math.min(this.bytesPerSecond, this.available + ((now - this.last) / 1000) * this.bytesPerSecond);
      this.last = now;
      // A read bigger than one second's worth waits for a full bucket, then goes into debt.
      if (this.available >= Math.min(bytes, this.bytesPerSecond)) {
        this.available -= bytes;
        return;
      }
      if (signal?.aborted === true) return;
      const waitMs = ((Math.min(bytes, this.bytesPerSecond) - this.available) / this.bytesPerSecond) * 1000;
      await this.clock.sleep(Math.max(1, Math.min(SLICE_MS, waitMs)));
    }
  }
}
