/**
 * The ceilings of this machine for each stage of the backup pipeline, one thread each, as
 * the engine does the work (1 MiB chunks; node:crypto, node:zlib zstd, AES-256-GCM, Buffer
 * compares), plus the warm read of a file and the fsynced write to a folder's filesystem.
 * Usage: node test/bench/stage-ceilings.ts <file to read warm> <folder to write in>
 * Prints one JSON object: { name: MB/s } (MB = 10^6 bytes), and notes.
 */
import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { zstdCompressFrame } from '../../electron/engine/vault/store/zstd-lanes.ts';
import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const MIB = 1024 * 1024;
const random = randomBytes(MIB);
const text = Buffer.alloc(MIB);
for (let at = 0, line = 0; at < MIB; line += 1) at += text.write(`${line} INFO kernel: eth0 link up 1000Mbps full duplex; sector ${line * 8} ok\n`, at);
const zero = Buffer.alloc(MIB);
const zeroToo = Buffer.alloc(MIB);

/** MB/s of `work` over `bytes` per call, repeated for at least `minMs` (after one warm-up call). */
function rate(bytes: number, work: () => void, minMs = 400): number {
  work();
  const start = performance.now();
  let calls = 0;
  while (performance.now() - start < minMs && calls < 100_000) {
    work();
    calls += 1;
  }
  return (bytes * calls) / 1e6 / ((performance.now() - start) / 1000);
}

/** The same for asynchronous work, one call at a time (one zstd lane: one threadpool thread). */
async function rateAsync(bytes: number, work: () => Promise<unknown>, minMs = 400): Promise<number> {
  await work();
  const start = performance.now();
  let calls = 0;
  while (performance.now() - start < minMs && calls < 100_000) {
    await work();
    calls += 1;
  }
  return (bytes * calls) / 1e6 / ((performance.now() - start) / 1000);
}

const figures: Record<string, number> = {};
const notes: string[] = [];
figures['sha256 (node:crypto)'] = rate(MIB, () => createHash('sha256').update(random).digest());
const macKey = randomBytes(32);
figures['hmac-sha256 (encrypted vault id)'] = rate(MIB, () => createHmac('sha256', macKey).update(random).digest());
try {
  const require = createRequire(import.meta.url);
  const blake3 = require('blake3') as { hash: (data: Buffer) => Buffer };
  figures['blake3'] = rate(MIB, () => blake3.hash(random));
} catch {
  notes.push('blake3: no package installed (not measured)');
}
for (const level of [1, 3]) {
  figures[`zstd L${level} compress, text (reused context)`] = await rateAsync(MIB, () => zstdCompressFrame(text, level));
  figures[`zstd L${level} compress, random (reused context)`] = await rateAsync(MIB, () => zstdCompressFrame(random, level));
}
const key = randomBytes(32);
figures['aes-256-gcm seal'] = rate(MIB, () => {
  const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
  cipher.update(random);
  cipher.final();
});
figures['zero check, all-zero chunk (Buffer.equals)'] = rate(MIB, () => zero.equals(zeroToo));

const [readPath, writeDir] = process.argv.slice(2);
if (readPath !== undefined) {
  const size = (await stat(readPath)).size;
  const buffer = Buffer.alloc(4 * MIB);
  const handle = await open(readPath, 'r');
  const pass = async (): Promise<number> => {
    const start = performance.now();
    for (let at = 0; at < size; at += buffer.length) await handle.read(buffer, 0, buffer.length, at);
    return size / 1e6 / ((performance.now() - start) / 1000);
  };
  await pass();
  figures['warm read (page cache, holes included)'] = await pass();
  await handle.close();
}
if (writeDir !== undefined) {
  const path = join(writeDir, `ceiling-write-${process.pid}`);
  const total = 256 * MIB;
  const handle = await open(path, 'w');
  const start = performance.now();
  for (let at = 0; at < total; at += MIB) await handle.write(random, 0, MIB, at);
  await handle.datasync();
  figures['fsynced write (256 MiB, one file)'] = total / 1e6 / ((performance.now() - start) / 1000);
  await handle.close();
  await rm(path, { force: true });
}
console.log(JSON.stringify({ figures, notes }));
