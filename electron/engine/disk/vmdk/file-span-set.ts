/**
 * Spans of an image file claimed by tables and data blocks, for finding duplicate or
 * overlapping offsets in a check. Each span is packed into one u64 (start sector << 24 |
 * length in sectors) in a growable BigUint64Array: 8 bytes per allocated block, sorted
 * natively, so checking a large image needs no per-entry objects.
 */
const SPAN_LENGTH_BITS = 24n;
const MAX_SPAN_SECTORS = (1 << 24) - 1;

export interface SpanOverlap {
  firstSector: number;
  secondSector: number;
}

export class FileSpanSet {
  private spans = new BigUint64Array(1024);
  private used = 0;

  add(startSector: number, lengthSectors: number): void {
    if (this.used === this.spans.length) {
      const grown = new BigUint64Array(this.spans.length * 2);
      grown.set(this.spans);
      this.spans = grown;
    }
    const length = Math.max(1, Math.min(MAX_SPAN_SECTORS, Math.ceil(lengthSectors)));
    this.spans[this.used] = (BigInt(startSector) << SPAN_LENGTH_BITS) | BigInt(length);
    this.used += 1;
  }

  get size(): number {
    return this.used;
  }

  /** Calls `report` for each span that starts before the previous span ends. */
  findOverlaps(report: (overlap: SpanOverlap) => void): void {
    const sorted = this.spans.subarray(0, this.used).sort();
    const mask = (1n << SPAN_LENGTH_BITS) - 1n;
    let previousStart = -1;
    let previousEnd = -1;
    for (const packed of sorted) {
      const start = Number(packed >> SPAN_LENGTH_BITS);
      const end = start + Number(packed & mask);
      if (start < previousEnd) report({ firstSector: previousStart, secondSector: start });
      if (end > previousEnd) { previousEnd = end; previousStart = start; }
    }
  }
}
