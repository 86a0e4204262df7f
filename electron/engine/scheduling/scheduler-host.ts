/**
 * startSchedulerHost(services): runs scheduled backups for every vault the engine knows,
 * for whichever face hosts it (the Electron app, `labvault ui`, `labvault service run`).
 *
 * - The PolicyScheduler (policy/scheduler.ts) decides what is due; this host gives it the
 *   vaults' protected items (scheduled-items.ts), records each slot BEFORE the backup
 *   starts (schedule-slot-ledger.ts: catalog compare-and-set plus a file), and starts the
 *   backup as a 'scheduled' or 'catch-up' job.
 * - One scheduler per vault (scheduler-lock.ts): a vault whose lock another live process
 *   holds is skipped with one log line, and re-checked on every tick (at least once a
 *   minute); the host takes it over when that process ends.
 * - Retention runs after every backup (the engine's BackupService hook) and, with garbage
 *   collection after it, every maintenanceEveryMs (default one hour) on the vaults this
 *   host schedules. GC refused because backups are running is retried next time.
 * stop() disarms the timers and releases the vault locks; running backups are not touched.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { SchedulerServices } from './scheduler-services.ts';
import type { ScheduledItem } from '../policy/due-run.ts';
import { PolicyScheduler, type SchedulerClock, type TickResult } from '../policy/scheduler.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import { alertUnconfirmed, confirmationProblems } from '../protection/item-confirmation.ts';
import { listItemRecords } from '../protection/item-catalog.ts';
import { recordScheduledSlot } from './schedule-slot-ledger.ts';
import { scheduledItemsOf } from './scheduled-items.ts';
import { trySchedulerLock, type HeldSchedulerLock } from './scheduler-lock.ts';
import { maintainVault, type MaintenanceResult } from './vault-maintenance.ts';



export type { MaintenanceResult } from './vault-maintenance.ts';

export const MAINTENANCE_EVERY_MS = 60 * 60_000;

export interface SchedulerHostOptions {
  /** Time and timers (default: the engine's clock and real timers). */
  clock?: SchedulerClock;
  /** Receives one line per event (default: stderr). */
  log?: (line: string) => void;
  /** Longest time between ticks (default one minute). */
  recheckMs?: number;
  /** Retention + GC interval (default one hour); 0 turns the timed pass off. */
  maintenanceEveryMs?: number;
  /** Start ticking at once (default true). With false, call tick()/maintain() yourself. */
  autoStart?: boolean;
}


export interface SchedulerHost {
  stop(): Promise<void>;
  /** Checks every vault once and starts what is due (what start() does every minute). */
  tick(): Promise<TickResult>;
  /** Retention then GC on every vault this host schedules. */
  maintain(): Promise<MaintenanceResult[]>;
  /** Resolves when the backups this host started so far have ended. */
  idle(): Promise<void>;
  /** Names of the vaults this host holds the scheduler lock of. */
  ownedVaults(): string[];
}

function realTimers(services: SchedulerServices): SchedulerClock {
  return {
    now: () => services.clock.now(),
    setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
    clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class Host implements SchedulerHost {
  readonly #services: SchedulerServices;
  readonly #clock: SchedulerClock;
  readonly #log: (line: string) => void;
  readonly #maintenanceEveryMs: number;
  readonly #scheduler: PolicyScheduler;
  readonly #locks = new Map<string, { lock: HeldSchedulerLock; session: VaultSession }>();
  /** vault id -> the owner we last logged as blocking it (log once per owner). */
  readonly #blockedBy = new Map<string, string>();
  readonly #sessionOfItem = new Map<string, VaultSession>();
  /** vault id -> the last error logged for it (the same error is logged once, not every minute). */
  readonly #vaultErrors = new Map<string, string>();
  /** Encrypted vaults found locked (logged once until they open). */
  readonly #locked = new Set<string>();
  /** Unconfirmed items already logged (once per item and reason). */
  readonly #unconfirmedLogged = new Set<string>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #maintenanceTimer: unknown = undefined;
  #stopped = false;

  constructor(services: SchedulerServices, options: SchedulerHostOptions) {
    this.#services = services;
    this.#clock = options.clock ?? realTimers(services);
    this.#log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.#maintenanceEveryMs = options.maintenanceEveryMs ?? MAINTENANCE_EVERY_MS;
    this.#scheduler = new PolicyScheduler({
      listItems: () => this.#listItems(),
      recordSlot: (itemId, slot) => this.#recordSlot(itemId, slot.id),
      startBackup: (itemId, slot, run) => this.#startBackup(itemId, slot.id, run.kind, run.missedSlots),
      onError: (error, context) => this.#say(`scheduler: ${context.stage}${context.itemId ? ` of item ${context.itemId}` : ''} failed: ${messageOf(error)}`),
    }, this.#clock, options.recheckMs !== undefined ? { recheckMs: options.recheckMs } : {});
  }

  start(): void {
    this.#scheduler.start();
    this.#armMaintenance();
  }

  #say(line: string): void {
    try {
      this.#log(`${this.#clock.now().toISOString()} labvault scheduler: ${line}`);
    } catch {
      // logging must never stop scheduling
    }
  }

  async #owns(session: VaultSession): Promise<boolean> {
    const id = session.config.id;
    const mine = this.#locks.get(id);
    if (mine) {
      if (await mine.lock.stillHeld()) return true;
      this.#locks.delete(id);
      this.#say(`lost the scheduler lock of vault "${session.config.name}" (${mine.lock.path} was removed or replaced); re-checking.`);
    }
    if (this.#stopped) return false;
    const attempt = await trySchedulerLock(session.dir, this.#services.face);
    if (attempt.held) {
      this.#locks.set(id, { lock: attempt.held, session });
      this.#say(`scheduling vault "${session.config.name}"${this.#blockedBy.has(id) ? ' (the other scheduler has ended)' : ''}.`);
      this.#blockedBy.delete(id);
      return true;
    }
    const { owner } = attempt;
    const key = `${owner.pid}@${owner.host}#${owner.token}`;
    if (this.#blockedBy.get(id) !== key) {
      this.#blockedBy.set(id, key);
      this.#say(`another scheduler owns vault "${session.config.name}" (process ${owner.pid} on ${owner.host}, ${owner.face}, since ${owner.since}); this one leaves it alone and re-checks every minute.`);
    }
    return false;
  }

  /** Opens the vault's store (unlocking an encrypted vault from the face's passphrase source); false while locked. */
  async #unlocked(session: VaultSession): Promise<boolean> {
    try {
      await this.#services.keyring.store(session);
    } catch (error) {
      if (!(error instanceof LabvaultError) || error.code !== ErrorCodes.BAD_PASSPHRASE) throw error;
      if (!this.#locked.has(session.config.id)) {
        this.#locked.add(session.config.id);
        this.#say(`vault "${session.config.name}" is encrypted and locked: its scheduled backups wait until it is unlocked (${error.message})`);
      }
      return false;
    }
    this.#locked.delete(session.config.id);
    return true;
  }

  async #listItems(): Promise<ScheduledItem[]> {
    const items: ScheduledItem[] = [];
    if (this.#stopped) return items;
    this.#sessionOfItem.clear();
    for (const session of await this.#services.protection.sessions()) {
      try {
        if (!(await this.#owns(session)) || !(await this.#unlocked(session))) continue;
        const unconfirmed = await this.#unconfirmedItems(session);
        for (const item of await scheduledItemsOf(session, (name) => this.#say(`item "${name}" in vault "${session.config.name}" names a policy that no longer exists; it is not scheduled.`))) {
          if (unconfirmed.has(item.itemId)) continue;
          this.#sessionOfItem.set(item.itemId, session);
          items.push(item);
        }
        this.#vaultErrors.delete(session.config.id);
      } catch (error) {
        const message = messageOf(error);
        if (this.#vaultErrors.get(session.config.id) !== message) this.#say(`vault "${session.config.name}" skipped until this clears: ${message}`);
        this.#vaultErrors.set(session.config.id, message);
      }
    }
    return items;
  }

  /**
   * Protected items this machine has not confirmed: never scheduled; each gets a warning
   * alert (kept until acknowledged) and one log line per process.
   */
  async #unconfirmedItems(session: VaultSession): Promise<Set<string>> {
    const records = listItemRecords(session).filter((record) => record.state === 'protected');
    const resolved = records.map((record) => ({ session, record }));
    const problems = await confirmationProblems(this.#services.protection.trust, resolved);
    const unconfirmed = new Set<string>();
    for (const record of records) {
      const problem = problems.get(`${session.config.id}/${record.id}`);
      if (!problem) continue;
      unconfirmed.add(record.id);
      await alertUnconfirmed(this.#services, session, record, problem);
      const key = `${session.config.id}/${record.id}:${problem}`;
      if (!this.#unconfirmedLogged.has(key)) {
        this.#unconfirmedLogged.add(key);
        this.#say(`item "${record.name}" in vault "${session.config.name}" is not scheduled: it needs confirmation on this machine (${problem}).`);
      }
    }
    return unconfirmed;
  }

  #session(itemId: string): VaultSession {
    const session = this.#sessionOfItem.get(itemId);
    if (!session) throw new LabvaultError(ErrorCodes.NOT_FOUND, `Item ${itemId} is no longer in a vault this scheduler owns.`, { field: 'item' });
    return session;
  }

  async #recordSlot(itemId: string, slotId: string): Promise<void> {
    await recordScheduledSlot(this.#session(itemId), itemId, slotId, this.#clock.now());
  }

  /** Starts the backup; tracked from the first moment so idle() never misses it. */
  #startBackup(itemId: string, slotId: string, kind: 'scheduled' | 'catch-up', missed: number): Promise<unknown> {
    const run = this.#runBackup(itemId, slotId, kind, missed);
    this.#inFlight.add(run);
    void run.catch(() => undefined).finally(() => this.#inFlight.delete(run));
    return run;
  }

  async #runBackup(itemId: string, slotId: string, kind: 'scheduled' | 'catch-up', missed: number): Promise<unknown> {
    const session = this.#session(itemId);
    const running = await this.#services.backups.start(`${session.config.id}/${itemId}`, { trigger: kind, slot: slotId });
    this.#say(`started ${kind} backup of "${running.job.item ?? itemId}" in vault "${session.config.name}" for slot ${slotId}${missed > 1 ? ` (${missed} missed slots folded into it)` : ''} (job ${running.job.id}).`);
    const job = await running.done;
    this.#say(`backup of "${job.item ?? itemId}" ${job.status}${job.error ? `: ${job.error.message}` : ''} (job ${job.id}).`);
    return job;
  }

  tick(): Promise<TickResult> {
    return this.#scheduler.tick();
  }

  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  ownedVaults(): string[] {
    return [...this.#locks.values()].map((entry) => entry.session.config.name);
  }

  async maintain(): Promise<MaintenanceResult[]> {
    const results: MaintenanceResult[] = [];
    for (const { session, lock } of [...this.#locks.values()]) {
      if (await lock.stillHeld()) results.push(await maintainVault(this.#services, session, (line) => this.#say(line)));
    }
    return results;
  }

  #armMaintenance(): void {
    if (this.#stopped || this.#maintenanceEveryMs <= 0) return;
    this.#maintenanceTimer = this.#clock.setTimer(() => {
      this.#maintenanceTimer = undefined;
      void this.maintain().finally(() => this.#armMaintenance());
    }, this.#maintenanceEveryMs);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#scheduler.stop();
    if (this.#maintenanceTimer !== undefined) this.#clock.clearTimer(this.#maintenanceTimer);
    this.#maintenanceTimer = undefined;
    await this.#scheduler.tick().catch(() => undefined); // waits for a tick in progress; this one lists nothing
    for (const { lock } of this.#locks.values()) await lock.release().catch(() => undefined);
    this.#locks.clear();
  }
}

/** Starts scheduling (unless autoStart is false); call stop() when the face closes. */
export function startSchedulerHost(services: SchedulerServices, options: SchedulerHostOptions = {}): SchedulerHost {
  const host = new Host(services, options);
  if (options.autoStart !== false) host.start();
  return host;
}
