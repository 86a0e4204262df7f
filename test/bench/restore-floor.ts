/**
 * The floor a restore is measured against: write the non-zero bytes of `source` at the same
 * offsets into a new sparse file on the target disk, then fdatasync, as fast as plain
 * sequential writes go (4 MiB at a time; all-zero 1 MiB regions left as holes). The source
 * is read first (untimed), so only the write and its sync are timed.
 * Usage: node test/bench/restore-floor.ts <source> <target>; prints {"seconds", "bytes"}.
 */
import { open, rm } from 'node:fs/promises';

const [source, target] = process.argv.slice(2);
if (source === undefined || target === undefined) throw new Error('usage: restore-floor.ts <source> <target>');
const REGION = 1024 * 1024;
const input = await open(source, 'r');
const size = (await input.stat()).size;
const zeros = Buffer.alloc(REGION);
const regions: Array<{ offset: number; data: Buffer }> = [];
let held = 0;
const output = await open(target, 'wx');
let written = 0;
let timed = 0;
const flush = async (): Promise<void> => {
  const start = performance.now();
  for (const region of regions) await output.write(region.data, 0, region.data.length, region.offset);
  timed += performance.now() - start;
  regions.length = 0;
  held = 0;
};
await output.truncate(size);
for (let offset = 0; offset < size; offset += REGION) {
  const data = Buffer.alloc(Math.min(REGION, size - offset));
  await input.read(data, 0, data.length, offset);
  if (data.equals(zeros.subarray(0, data.length))) continue;
  regions.push({ offset, data });
  held += data.length;
  written += data.length;
  if (held >= 64 * REGION) await flush();
}
await flush();
const start = performance.now();
await output.datasync();
timed += performance.now() - start;
await output.close();
await input.close();
await rm(target);
console.log(JSON.stringify({ seconds: timed / 1000, bytes: written }));
