/**
 * A fixed set of equally sized buffers, reused: memory for reads stays bounded by
 * count x size whatever the file size. acquire() waits while all are in use. The buffers
 * live in SharedArrayBuffers so hash workers read them in place, without a copy.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];
  private readonly waiters: Array<(buffer: Buffer) => void> = [];

  /** `buffers`: ready-made ones (e.g. aligned-buffers.ts); else `count` new ones of `size` bytes. */
  constructor(count: number, size: number, buffers?: Buffer[]) {
    if (buffers !== undefined) this.free.push(...buffers);
    else for (let i = 0; i < count; i += 1) this.free.push(Buffer.from(new SharedArrayBuffer(size)));
  }

  acquire(): Promise<Buffer> {
    const buffer = this.free.pop();
    if (buffer !== undefined) return Promise.resolve(buffer);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(buffer: Buffer): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter(buffer);
    else this.free.push(buffer);
  }
}
