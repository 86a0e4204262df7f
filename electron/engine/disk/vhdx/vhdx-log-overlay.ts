/**
 * A read-only view of an image file with replayed log writes laid over it, in log order:
 * data writes (4 KiB each) and zero ranges. Reads past the real end of the file (the log
 * may grow the file) return zeros. Memory: the log's data sectors, bounded by the log size.
 */
import type { ImageFile } from '../image-file.ts';
import { truncatedImage } from '../image-error.ts';
import type { PositionedReader } from '../table-pages.ts';

export type LogOperation =
  | { kind: 'data'; offset: number; data: Buffer }
  | { kind: 'zero'; offset: number; length: number };

export class LogOverlayFile implements PositionedReader {
  readonly path: string;
  readonly size: number;
  private readonly file: ImageFile;
  private readonly operations: readonly LogOperation[];
  private readonly low: number;
  private readonly high: number;

  constructor(file: ImageFile, operations: readonly LogOperation[], size: number) {
    this.file = file;
    this.path = file.path;
    this.size = size;
    this.operations = operations;
    let low = Number.POSITIVE_INFINITY;
    let high = 0;
    for (const op of operations) {
      low = Math.min(low, op.offset);
      high = Math.max(high, op.offset + (op.kind === 'data' ? op.data.length : op.length));
    }
    this.low = low;
    this.high = high;
  }

  async readInto(buffer: Buffer, bufferOffset: number, length: number, position: number, field: string): Promise<void> {
    if (!Number.isSafeInteger(position) || position < 0 || position + length > this.size) {
      throw truncatedImage(this.path, field, position, length, this.size);
    }
    await this.file.readZeroFilled(buffer, bufferOffset, length, position);
    const end = position + length;
    if (end <= this.low || position >= this.high) return;
    for (const op of this.operations) {
      const opLength = op.kind === 'data' ? op.data.length : op.length;
      const from = Math.max(position, op.offset);
      const to = Math.min(end, op.offset + opLength);
      if (from >= to) continue;
      if (op.kind === 'data') op.data.copy(buffer, bufferOffset + (from - position), from - op.offset, to - op.offset);
      else buffer.fill(0, bufferOffset + (from - position), bufferOffset + (to - position));
    }
  }

  async readAt(position: number, length: number, field: string): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(length);
    await this.readInto(buffer, 0, length, position, field);
    return buffer;
  }
}
