/**
 * Cheap per-stage counters for the transfer pipeline: for each stage a sum of durations
 * (process.hrtime.bigint around the work), a byte count and a call count. A backup or a
 * restore fills one when given; the job reports it (Subtask.stages) and the bench prints it.
 *
 * What a stage's time means depends on where it runs, and the figures say so (`where`):
 * 'main' is time on the main thread (CPU there), 'worker' is time inside chunk workers or
 * the zstd threadpool (CPU on another core), 'wait' is awaited I/O summed over calls that
 * may overlap (so it can exceed the wall time); 'total' are the whole phase's wall time
 * and the process's CPU time (user + system, every thread) over it.
 */

export const STAGES = {
  map: 'wait', track: 'wait', read: 'wait', zero: 'main', hash: 'worker', probe: 'worker', compress: 'worker', encrypt: 'worker', decrypt: 'worker',
  decompress: 'worker', write: 'wait', sync: 'wait', index: 'wait', manifest: 'wait',
  wall: 'total', cpu: 'total',
} as const;
export type Stage = keyof typeof STAGES;

export interface StageFigure {
  stage: Stage;
  where: (typeof STAGES)[Stage];
  ms: number;
  bytes: number;
  calls: number;
}

export class StageProfile {
  private readonly ns = new Map<Stage, bigint>();
  private readonly bytes = new Map<Stage, number>();
  private readonly calls = new Map<Stage, number>();

  /** A start mark for `end` (monotonic nanoseconds). */
  static now(): bigint {
    return process.hrtime.bigint();
  }

  /** Adds the time since `startNs` and `bytes` to `stage`. */
  end(stage: Stage, startNs: bigint, bytes: number): void {
    this.addNs(stage, process.hrtime.bigint() - startNs, bytes);
  }

  /** Adds a measured duration (for example reported by a worker) to `stage`. */
  addNs(stage: Stage, ns: bigint, bytes: number): void {
    this.ns.set(stage, (this.ns.get(stage) ?? 0n) + ns);
    this.bytes.set(stage, (this.bytes.get(stage) ?? 0) + bytes);
    this.calls.set(stage, (this.calls.get(stage) ?? 0) + 1);
  }

  /** Awaits `work` and adds its duration to `stage`. */
  async time<T>(stage: Stage, bytes: number, work: () => Promise<T>): Promise<T> {
    const start = process.hrtime.bigint();
    try {
      return await work();
    } finally {
      this.end(stage, start, bytes);
    }
  }

  /** Adds every stage of `other` to this profile. */
  merge(other: StageProfile): void {
    for (const [stage, ns] of other.ns) {
      this.ns.set(stage, (this.ns.get(stage) ?? 0n) + ns);
      this.bytes.set(stage, (this.bytes.get(stage) ?? 0) + (other.bytes.get(stage) ?? 0));
      this.calls.set(stage, (this.calls.get(stage) ?? 0) + (other.calls.get(stage) ?? 0));
    }
  }

  figures(): StageFigure[] {
    return (Object.keys(STAGES) as Stage[]).filter((stage) => this.ns.has(stage)).map((stage) => ({
      stage,
      where: STAGES[stage],
      ms: Math.round(Number(this.ns.get(stage) ?? 0n) / 1e4) / 100,
      bytes: this.bytes.get(stage) ?? 0,
      calls: this.calls.get(stage) ?? 0,
    }));
  }
}
