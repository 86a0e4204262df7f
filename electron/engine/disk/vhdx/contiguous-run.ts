/**
 * Coalesces reads: pieces of a caller's buffer whose file bytes continue each other
 * (adjacent payload blocks stored one after the other) are read with a single read.
 */
import type { PositionedReader } from '../table-pages.ts';

export class ContiguousRun {
  private readonly reader: PositionedReader;
  private readonly buffer: Buffer;
  private at = 0;
  private fileOffset = 0;
  private length = 0;

  constructor(reader: PositionedReader, buffer: Buffer) {
    this.reader = reader;
    this.buffer = buffer;
  }

  async add(at: number, fileOffset: number, length: number): Promise<void> {
    if (this.length > 0 && this.fileOffset + this.length === fileOffset && this.at + this.length === at) {
      this.length += length;
      return;
    }
    await this.flush();
    this.at = at;
    this.fileOffset = fileOffset;
    this.length = length;
  }

  async flush(): Promise<void> {
    if (this.length === 0) return;
    const length = this.length;
    this.length = 0;
    await this.reader.readInto(this.buffer, this.at, length, this.fileOffset, 'vhdx payload block');
  }
}
