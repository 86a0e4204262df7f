/**
 * A compact set of 32-byte chunk ids: open addressing in one Buffer, 32 bytes per slot,
 * load factor <= 1/2 (so about 64 bytes per id: 1M chunks = 64 MiB at most, 32-48 MiB
 * typically). Ids are uniformly random digests, so their first 4 bytes are the hash. The
 * all-zero id is the empty-slot marker (zero chunks are never stored, so never added).
 * No removal: after a GC the owner drops the set and reloads it.
 */
import { DIGEST_SIZE } from './format-constants.ts';

const INITIAL_SLOTS = 1024;

export class KnownChunkSet {
  private slots: Buffer;
  private mask: number;
  private count = 0;

  constructor(expected = 0) {
    let size = INITIAL_SLOTS;
    while (size < expected * 2) size *= 2;
    this.slots = Buffer.alloc(size * DIGEST_SIZE);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  private findSlot(slots: Buffer, mask: number, id: Uint8Array): { index: number; found: boolean } {
    let index = ((id[0]! | (id[1]! << 8) | (id[2]! << 16) | (id[3]! << 24)) >>> 0) & mask;
    for (;;) {
      const offset = index * DIGEST_SIZE;
      if (slots.readBigUInt64LE(offset) === 0n && isEmptySlot(slots, offset)) return { index, found: false };
      if (slots.compare(id, 0, DIGEST_SIZE, offset, offset + DIGEST_SIZE) === 0) return { index, found: true };
      index = (index + 1) & mask;
    }
  }

  has(id: Uint8Array): boolean {
    return this.findSlot(this.slots, this.mask, id).found;
  }

  add(id: Uint8Array): void {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const slot = this.findSlot(this.slots, this.mask, id);
    if (slot.found) return;
    this.slots.set(id.subarray(0, DIGEST_SIZE), slot.index * DIGEST_SIZE);
    this.count += 1;
  }

  private grow(): void {
    const old = this.slots;
    const size = (this.mask + 1) * 2;
    this.slots = Buffer.alloc(size * DIGEST_SIZE);
    this.mask = size - 1;
    for (let offset = 0; offset < old.length; offset += DIGEST_SIZE) {
      if (isEmptySlot(old, offset)) continue;
      const id = old.subarray(offset, offset + DIGEST_SIZE);
      this.slots.set(id, this.findSlot(this.slots, this.mask, id).index * DIGEST_SIZE);
    }
  }
}

function isEmptySlot(slots: Buffer, offset: number): boolean {
  for (let i = 0; i < DIGEST_SIZE; i += 8) if (slots.readBigUInt64LE(offset + i) !== 0n) return false;
  return true;
}
