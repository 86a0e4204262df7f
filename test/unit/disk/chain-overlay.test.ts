import { describe, expect, it } from 'vitest';
import { dataBytes, overlayAllocation, pushLayerRange, readFromParent } from '../../../electron/engine/disk/disk-ranges.ts';
import type { LayerRange } from '../../../electron/engine/disk/disk-ranges.ts';
import type { DiskRange, VirtualDisk } from '../../../electron/engine/disk/virtual-disk.ts';

function layer(...parts: [number, LayerRange['state']][]): LayerRange[] {
  const ranges: LayerRange[] = [];
  let offset = 0;
  for (const [length, state] of parts) {
    pushLayerRange(ranges, offset, length, state);
    offset += length;
  }
  return ranges;
}

describe('merged allocation map of a chain', () => {
  it('lets unallocated ranges fall through to the parent and zero ranges mask it', () => {
    const parent: DiskRange[] = [{ offset: 0, length: 100, zero: false }, { offset: 100, length: 100, zero: true }, { offset: 200, length: 100, zero: false }];
    const top = layer([50, 'unallocated'], [30, 'zero'], [70, 'unallocated'], [50, 'data'], [100, 'unallocated']);
    expect(overlayAllocation(top, parent)).toEqual([
      { offset: 0, length: 50, zero: false },
      { offset: 50, length: 30, zero: true },
      { offset: 80, length: 20, zero: false },
      { offset: 100, length: 50, zero: true },
      { offset: 150, length: 150, zero: false },
    ]);
    expect(dataBytes(overlayAllocation(top, parent))).toBe(220);
  });

  it('reads zeros where there is no parent or the parent is shorter', () => {
    expect(overlayAllocation(layer([10, 'data'], [20, 'unallocated']), null)).toEqual([
      { offset: 0, length: 10, zero: false }, { offset: 10, length: 20, zero: true },
    ]);
    const shortParent: DiskRange[] = [{ offset: 0, length: 15, zero: false }];
    expect(overlayAllocation(layer([30, 'unallocated']), shortParent)).toEqual([
      { offset: 0, length: 15, zero: false }, { offset: 15, length: 15, zero: true },
    ]);
  });

  it('merges adjacent layer ranges of the same state', () => {
    expect(layer([10, 'data'], [10, 'data'], [5, 'zero'], [5, 'zero'])).toEqual([
      { offset: 0, length: 20, state: 'data' }, { offset: 20, length: 10, state: 'zero' },
    ]);
  });

  it('reads the parent up to its size and zeros after it', async () => {
    const parent: VirtualDisk = {
      format: 'raw', path: '/parent', virtualSize: 4,
      read: async (buffer, offset, length) => { for (let i = 0; i < length; i += 1) buffer[i] = offset + i + 1; },
      allocationMap: async () => [], close: async () => undefined,
    };
    const buffer = Buffer.alloc(8, 0xee);
    await readFromParent(parent, buffer, 1, 2, 6);
    expect([...buffer]).toEqual([0xee, 3, 4, 0, 0, 0, 0, 0xee]);
    await readFromParent(null, buffer, 0, 0, 2);
    expect([...buffer.subarray(0, 2)]).toEqual([0, 0]);
  });
});
