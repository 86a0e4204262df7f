import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, qemuImg, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { checkDiskImage, diskImageInfo, exportDiskImage, openDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';

const MiB = 1024 * 1024;
let dir: string;
let clean: string;
let raw: string;

/** Host offsets of the first L2 table and of the L2 entries of an image made by qemu-img. */
function layout(bytes: Buffer): { l1: number; l2: number; entry: (index: number) => number } {
  const l1 = Number(bytes.readBigUInt64BE(40));
  const l2 = Number(bytes.readBigUInt64BE(l1) & 0x00fffffffffffe00n);
  return { l1, l2, entry: (index) => l2 + index * 8 };
}

function damagedAt(path: string, damage: (bytes: Buffer) => void): string {
  const bytes = readFileSync(clean);
  damage(bytes);
  writeFileSync(path, bytes);
  return path;
}

function damaged(name: string, damage: (bytes: Buffer) => void): string {
  return damagedAt(join(dir, name), damage);
}

function qemuCheckExit(image: string): number {
  return spawnSync('qemu-img', ['check', image], { stdio: 'ignore' }).status ?? -1;
}

beforeAll(() => {
  dir = makeTempDir('labvault-qcow2-damage-');
  raw = writePatternRaw(join(dir, 'p.raw'), { size: 2 * MiB, seed: 6 });
  clean = join(dir, 'clean.qcow2');
  qemuImg(['convert', '-f', 'raw', '-O', 'qcow2', raw, clean]);
});
afterAll(() => removeDir(dir));

describe('qcow2 refusals', () => {
  it('refuses an encrypted image with UNSUPPORTED naming crypt_method', async () => {
    const image = join(dir, 'enc.qcow2');
    // qemu-img's PBKDF timing fails now and then on a busy machine ("Unable to get accurate
    // CPU usage"): retry, then fall back to a LUKS crypt_method written into a plain image.
    let made = false;
    for (let attempt = 0; attempt < 6 && !made; attempt += 1) {
      try {
        execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '--object', 'secret,id=sec0,data=labvault', '-o', 'encrypt.format=luks,encrypt.key-secret=sec0,encrypt.iter-time=100', image, '1M'], { stdio: 'pipe' });
        made = true;
      } catch {
        rmSync(image, { force: true });
      }
    }
    if (!made) damagedAt(image, (bytes) => { bytes.writeUInt32BE(2, 32); });
    const error = await openDiskImage(image).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'UNSUPPORTED', field: 'qcow2.header.crypt_method' });
    expect((error as Error).message).toMatch(/encrypted \(LUKS\)/);
    expect((error as Error).message).toContain(image);
    await expect(diskImageInfo(image)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    const result = await checkDiskImage(image);
    expect(result.findings[0]).toMatchObject({ kind: 'unsupported' });
    const aes = damaged('aes.qcow2', (bytes) => { bytes.writeUInt32BE(1, 32); });
    await expect(openDiskImage(aes)).rejects.toThrow(/encrypted \(AES\)/);
  });

  it('refuses unknown incompatible features and compression types, tolerates the dirty bit', async () => {
    const unknown = damaged('unknown-feature.qcow2', (bytes) => { bytes.writeBigUInt64BE(1n << 20n, 72); });
    await expect(openDiskImage(unknown)).rejects.toMatchObject({ code: 'UNSUPPORTED', field: 'qcow2.header.incompatible_features' });
    const compression = damaged('compression.qcow2', (bytes) => { bytes.writeBigUInt64BE(1n << 3n, 72); bytes.writeUInt8(7, 104); });
    await expect(openDiskImage(compression)).rejects.toMatchObject({ code: 'UNSUPPORTED', field: 'qcow2.header.compression_type' });
    const dirty = damaged('dirty.qcow2', (bytes) => { bytes.writeBigUInt64BE(1n, 72); });
    const out = join(dir, 'dirty.raw');
    await exportDiskImage(dirty, out);
    expect(readFileSync(out).equals(readFileSync(raw))).toBe(true);
  });

  it('rejects bad header fields with BAD_IMAGE naming the field', async () => {
    const cases: [string, (bytes: Buffer) => void, string][] = [
      ['magic', (bytes) => { bytes.writeUInt32BE(0x514649fc, 0); }, 'qcow2.header.magic'],
      ['cluster-bits', (bytes) => { bytes.writeUInt32BE(30, 20); }, 'qcow2.header.cluster_bits'],
      ['l1-size', (bytes) => { bytes.writeUInt32BE(0x7fffffff, 36); }, 'qcow2.header.l1_size'],
      ['l1-offset', (bytes) => { bytes.writeBigUInt64BE(1n << 40n, 40); }, 'qcow2.header.l1_table_offset'],
      ['size', (bytes) => { bytes.writeBigUInt64BE(1n << 62n, 24); }, 'qcow2.header.size'],
      ['header-length', (bytes) => { bytes.writeUInt32BE(8, 100); }, 'qcow2.header.header_length'],
    ];
    for (const [name, damage, field] of cases) {
      // A bad magic is no longer qcow2 by content: force the format to reach the reader.
      const image = damaged(`${name}.qcow2`, damage);
      await expect(openDiskImage(image, { format: 'qcow2' }), name).rejects.toMatchObject({ code: 'BAD_IMAGE', field });
    }
  });

  it('reports a truncated image as BAD_IMAGE truncated, naming the table', async () => {
    const image = join(dir, 'truncated.qcow2');
    copyFileSync(clean, image);
    const { l2 } = layout(readFileSync(clean));
    truncateSync(image, l2 + 100);
    const error = await openDiskImage(image).then(async (disk) => {
      try { await disk.read(Buffer.alloc(65536), 0, 65536); } finally { await disk.close(); }
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'BAD_IMAGE', details: { reason: 'truncated' } });
    expect((error as Error).message).toMatch(/L2 table/);
    const result = await checkDiskImage(image);
    expect(result.clean).toBe(false);
    expect(result.findings.map((finding) => finding.kind)).toContain('offset-past-eof');
  });

  it('rejects a misaligned data cluster offset when reading', async () => {
    const image = damaged('misaligned.qcow2', (bytes) => {
      const { entry } = layout(bytes);
      bytes.writeBigUInt64BE(bytes.readBigUInt64BE(entry(0)) + 512n, entry(0));
    });
    const disk = await openDiskImage(image);
    await expect(disk.read(Buffer.alloc(512), 0, 512)).rejects.toMatchObject({ code: 'BAD_IMAGE', field: 'qcow2 L2 entry 0 of L1 entry 0' });
    await disk.close();
    const result = await checkDiskImage(image);
    expect(result.clean).toBe(false);
    expect(result.findings.map((finding) => finding.kind)).toContain('misaligned-offset');
  });
});

describe('qcow2 check agrees with qemu-img check', () => {
  it('finds nothing on a clean image (qemu-img check exit 0)', async () => {
    expect(qemuCheckExit(clean)).toBe(0);
    expect(await checkDiskImage(clean)).toMatchObject({ format: 'qcow2', clean: true, findings: [] });
  });

  it('finds overlapping clusters (two L2 entries, one host cluster)', async () => {
    const image = damaged('overlap.qcow2', (bytes) => {
      const { entry } = layout(bytes);
      bytes.writeBigUInt64BE(bytes.readBigUInt64BE(entry(0)), entry(4));
    });
    expect(qemuCheckExit(image)).toBe(2);
    const result = await checkDiskImage(image);
    expect(result.clean).toBe(false);
    expect(result.findings.map((finding) => finding.kind)).toContain('overlapping-clusters');
  });

  it('finds an L1 entry pointing at the L1 table itself', async () => {
    const image = damaged('l1-self.qcow2', (bytes) => {
      const { l1 } = layout(bytes);
      bytes.writeBigUInt64BE(BigInt(l1) | (1n << 63n), l1);
    });
    const result = await checkDiskImage(image);
    expect(result.clean).toBe(false);
    expect(result.findings.map((finding) => finding.kind)).toContain('overlapping-clusters');
  });

  it('finds a data cluster past the end of the file', async () => {
    const image = damaged('past-eof.qcow2', (bytes) => {
      const { entry } = layout(bytes);
      bytes.writeBigUInt64BE((1n << 40n) | (1n << 63n), entry(0));
    });
    expect(qemuCheckExit(image)).toBe(2);
    const result = await checkDiskImage(image);
    expect(result.findings.map((finding) => finding.kind)).toContain('offset-past-eof');
    expect(result.clean).toBe(false);
  });

  it('reports a dropped reference as a leak, not corruption (qemu-img check exit 3)', async () => {
    const image = damaged('leak.qcow2', (bytes) => {
      const { entry } = layout(bytes);
      bytes.writeBigUInt64BE(0n, entry(0));
    });
    expect(qemuCheckExit(image)).toBe(3);
    const result = await checkDiskImage(image);
    expect(result.findings.map((finding) => finding.kind)).toEqual(['leaked-cluster']);
    expect(result.findings[0]?.severity).toBe('leak');
    expect(result.clean).toBe(true);
  });

  it('finds a copied flag that disagrees with the refcount', async () => {
    const image = damaged('copied.qcow2', (bytes) => {
      const { entry } = layout(bytes);
      bytes.writeBigUInt64BE(bytes.readBigUInt64BE(entry(0)) & ~(1n << 63n), entry(0));
    });
    expect(qemuCheckExit(image)).toBe(2);
    const result = await checkDiskImage(image);
    expect(result.clean).toBe(false);
    expect(result.findings.map((finding) => finding.kind)).toEqual(['copied-flag']);
  });

  it('is clean on images with snapshots, compression, subclusters, any refcount width and cluster size', async () => {
    const variants: [string, string[]][] = [
      ['snap', []], ['comp', ['-c']], ['extl2', ['-o', 'extended_l2=on']], ['v2', ['-o', 'compat=0.10']],
      ['refcount-1', ['-o', 'refcount_bits=1']], ['refcount-64', ['-o', 'refcount_bits=64']],
      ['cluster-512', ['-o', 'cluster_size=512']], ['cluster-2M', ['-o', 'cluster_size=2M']],
    ];
    for (const [name, options] of variants) {
      const image = join(dir, `clean-${name}.qcow2`);
      qemuImg(['convert', '-f', 'raw', '-O', 'qcow2', ...options, raw, image]);
      if (name === 'snap') {
        qemuImg(['snapshot', '-c', 'one', image]);
        execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x44 0 128k', image], { stdio: 'ignore' });
        qemuImg(['snapshot', '-c', 'two', image]);
      }
      expect(qemuCheckExit(image), name).toBe(0);
      expect((await checkDiskImage(image)).findings, name).toEqual([]);
    }
  });

  it('agrees with qemu-img check on random bit flips in the metadata', async () => {
    const source = join(dir, 'flips-source.qcow2');
    qemuImg(['convert', '-f', 'raw', '-O', 'qcow2', '-o', 'cluster_size=4096', raw, source]);
    const original = readFileSync(source);
    let state = 0x2545f491;
    const random = (limit: number): number => {
      state ^= state << 13; state ^= state >>> 17; state ^= state << 5;
      return (state >>> 0) % limit;
    };
    const image = join(dir, 'flips.qcow2');
    let corrupt = 0;
    for (let index = 0; index < 80; index += 1) {
      const bytes = Buffer.from(original);
      for (let flips = 1 + random(3); flips > 0; flips -= 1) bytes[random(16 * 4096)]! ^= 1 << random(8);
      writeFileSync(image, bytes);
      const qemu = qemuCheckExit(image);
      if (qemu !== 0 && qemu !== 2) continue;
      const ours = await checkDiskImage(image, { format: 'qcow2' });
      expect(ours.clean, `case ${index}: qemu-img check exit ${qemu}, ours ${JSON.stringify(ours.findings.slice(0, 2))}`).toBe(qemu === 0);
      if (qemu === 2) corrupt += 1;
    }
    expect(corrupt).toBeGreaterThan(5);
  });

  it('reports bad magic and never throws on garbage', async () => {
    const image = damaged('garbage.qcow2', (bytes) => { bytes.fill(0xff, 8, 200); });
    const result = await checkDiskImage(image);
    expect(result.clean).toBe(false);
    expect(result.findings.length).toBeGreaterThan(0);
    const magic = damaged('bad-magic.qcow2', (bytes) => { bytes.writeUInt32BE(0, 0); });
    const forced = await checkDiskImage(magic, { format: 'qcow2' });
    expect(forced.findings[0]).toMatchObject({ kind: 'bad-magic', severity: 'corruption' });
  });
});
