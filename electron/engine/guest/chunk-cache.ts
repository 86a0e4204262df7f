/**
 * A least-recently-used cache of decoded chunks bounded by bytes (not by count): an open
 * point holds at most `maxBytes` of plaintext whatever its disks' sizes. Concurrent misses
 * for the same chunk share one load.
 */

export interface ChunkCacheStats {
  hits: number;
  misses: number;
  /** Bytes currently held. */
  bytes: number;
}

export class ChunkCache {
  readonly maxBytes: number;
  private readonly entries = new Map<string, Buffer>();
  private readonly loading = new Map<string, Promise<Buffer>>();
  private held = 0;
  private hitCount = 0;
  private missCount = 0;

  constructor(maxBytes: number) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new RangeError(`cache size ${maxBytes} is not a byte count`);
    this.maxBytes = maxBytes;
  }

  stats(): ChunkCacheStats {
    return { hits: this.hitCount, misses: this.missCount, bytes: this.held };
  }

  /** The chunk for `key`, loaded by `load` on a miss and kept while the budget allows. */
  async get(key: string, load: () => Promise<Buffer>): Promise<Buffer> {
    const cached = this.entries.get(key);
    if (cached !== undefined) {
      this.hitCount += 1;
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    const pending = this.loading.get(key);
    if (pending !== undefined) {
      this.hitCount += 1;
      return pending;
    }
    this.missCount += 1;
    const started = load().then((value) => {
      this.remember(key, value);
      return value;
    }).finally(() => this.loading.delete(key));
    this.loading.set(key, started);
    return started;
  }

  private remember(key: string, value: Buffer): void {
    if (value.length > this.maxBytes) return;
    while (this.held + value.length > this.maxBytes) {
      const oldest = this.entries.entries().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value[0]);
      this.held -= oldest.value[1].length;
    }
    this.entries.set(key, value);
    this.held += value.length;
  }
}
