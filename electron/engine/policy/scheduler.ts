/**
 * PolicyScheduler: starts scheduled backups when they are due, from an injected clock.
 *
 * - tick() asks listItems() for the protected items, works out each item's due run
 *   (due-run.ts), and for each: recordSlot() is awaited (persisted) BEFORE startBackup(),
 *   so a restart or crash mid-run never runs that slot again. The price: a crash between
 *   the two loses that one run (at most once per slot, never twice).
 * - Missed slots (sleep, shutdown, crash, clock jump) fold into ONE catch-up run per item.
 * - Ticks never overlap: a tick requested while one runs waits for it.
 * - startBackup's promise is not awaited by tick (a backup takes long); its rejection goes
 *   to onError. Backups of one item may overlap (the job system sequences the phases).
 * - start() ticks at once, then arms a timer to the next due instant, but never longer
 *   than recheckMs (default one minute) so that a sleeping machine is caught on wake.
 *   stop() disarms the timer; running backups are not touched.
 */
import { dueRunOf, nextDueAtOf, type DueRun, type ScheduledItem } from './due-run.ts';
import type { ScheduledSlot } from './next-runs.ts';

export interface SchedulerClock {
  now(): Date;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

export type SchedulerStage = 'list' | 'plan' | 'record' | 'start' | 'backup';

export interface SchedulerPorts {
  listItems(): Promise<readonly ScheduledItem[]> | readonly ScheduledItem[];
  /** Persist the slot as the item's lastScheduledSlot; resolves once durable. */
  recordSlot(itemId: string, slot: ScheduledSlot): Promise<void> | void;
  /** Start the backup; may resolve when it finishes. `run` says why (kind, missed slots). */
  startBackup(itemId: string, slot: ScheduledSlot, run: DueRun): Promise<unknown> | unknown;
  onError?(error: unknown, context: { stage: SchedulerStage; itemId?: string }): void;
}

export interface SchedulerOptions {
  /** Longest time between ticks while started (default 60 000 ms). */
  recheckMs?: number;
}

export interface TickResult {
  /** Runs started by this tick, in listItems order. */
  started: DueRun[];
  /** Earliest next slot over all items (null if none); the timer aims here. */
  nextDueAt: Date | null;
  /** Errors reported to onError during this tick. */
  errors: number;
}

const DEFAULT_RECHECK_MS = 60_000;

export class PolicyScheduler {
  readonly #ports: SchedulerPorts;
  readonly #clock: SchedulerClock;
  readonly #recheckMs: number;
  /** Slots this process recorded: listItems may lag behind them. itemId -> slot instant. */
  readonly #recorded = new Map<string, number>();
  #queue: Promise<unknown> = Promise.resolve();
  #timer: unknown = undefined;
  #started = false;

  constructor(ports: SchedulerPorts, clock: SchedulerClock, options: SchedulerOptions = {}) {
    this.#ports = ports;
    this.#clock = clock;
    this.#recheckMs = options.recheckMs ?? DEFAULT_RECHECK_MS;
  }

  get running(): boolean {
    return this.#started;
  }

  /** Checks every item once and starts what is due. Ticks run one after another. */
  tick(): Promise<TickResult> {
    const result = this.#queue.then(() => this.#runTick());
    this.#queue = result.catch(() => undefined);
    return result;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    void this.#tickAndArm();
  }

  stop(): void {
    this.#started = false;
    this.#disarm();
  }

  async #tickAndArm(): Promise<void> {
    const result = await this.tick();
    if (!this.#started) return;
    const now = this.#clock.now().getTime();
    const untilDue = result.nextDueAt === null ? this.#recheckMs : result.nextDueAt.getTime() - now;
    const delay = Math.max(0, Math.min(untilDue, this.#recheckMs));
    this.#disarm();
    this.#timer = this.#clock.setTimer(() => {
      this.#timer = undefined;
      if (this.#started) void this.#tickAndArm();
    }, delay);
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #report(error: unknown, stage: SchedulerStage, itemId?: string): void {
    try {
      this.#ports.onError?.(error, itemId === undefined ? { stage } : { stage, itemId });
    } catch {
      // An error reporter that throws must not stop the scheduler.
    }
  }

  async #runTick(): Promise<TickResult> {
    const result: TickResult = { started: [], nextDueAt: null, errors: 0 };
    let items: readonly ScheduledItem[];
    try {
      items = await this.#ports.listItems();
    } catch (error) {
      this.#report(error, 'list');
      result.errors += 1;
      return result;
    }
    const seen = new Set<string>();
    for (const item of items) {
      if (seen.has(item.itemId)) continue;
      seen.add(item.itemId);
      const now = this.#clock.now();
      let due: DueRun | null;
      try {
        due = dueRunOf(item, now, this.#recorded.get(item.itemId));
      } catch (error) {
        this.#report(error, 'plan', item.itemId); // e.g. a policy whose zone this system lost
        result.errors += 1;
        continue;
      }
      if (due !== null && !(await this.#startRun(due, result))) continue;
      const next = nextDueAtOf(item, now, this.#recorded.get(item.itemId));
      if (next !== null && (result.nextDueAt === null || next < result.nextDueAt)) result.nextDueAt = next;
    }
    return result;
  }

  /** Records then starts one run; false when recording failed (nothing started). */
  async #startRun(due: DueRun, result: TickResult): Promise<boolean> {
    try {
      await this.#ports.recordSlot(due.itemId, due.slot);
    } catch (error) {
      this.#report(error, 'record', due.itemId);
      result.errors += 1;
      return false;
    }
    this.#recorded.set(due.itemId, due.slot.at.getTime());
    result.started.push(due);
    try {
      const backup = this.#ports.startBackup(due.itemId, due.slot, due);
      Promise.resolve(backup).catch((error: unknown) => this.#report(error, 'backup', due.itemId));
    } catch (error) {
      this.#report(error, 'start', due.itemId);
      result.errors += 1;
    }
    return true;
  }
}
