import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, qemuImg, qemuInfo, qemuRawBytes, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { imageCommand } from '../../../electron/cli/commands/image.ts';
import type { CliIo, ParsedArgs } from '../../../electron/cli/cli-command.ts';

const MiB = 1024 * 1024;
let dir: string;
let raw: string;
let base: string;
let top: string;

interface Captured { code: number; out: string; err: string }

async function run(positionals: string[], flags: ParsedArgs['flags'] = {}): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (text) => out.push(text), err: (text) => err.push(text), isTty: false, env: {} };
  const code = await imageCommand.run({ positionals, flags }, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(() => {
  dir = makeTempDir('labvault-image-cli-');
  raw = writePatternRaw(join(dir, 'disk.raw'), { size: 4 * MiB, seed: 10 });
  base = join(dir, 'base.qcow2');
  qemuImg(['convert', '-f', 'raw', '-O', 'qcow2', raw, base]);
  top = join(dir, 'top.qcow2');
  qemuImg(['create', '-f', 'qcow2', '-b', 'base.qcow2', '-F', 'qcow2', top]);
});
afterAll(() => removeDir(dir));

describe('labvault image', () => {
  it('info --json prints the facts qemu-img info reports', async () => {
    const result = await run(['info', top], { json: true });
    expect(result.code).toBe(0);
    const info = JSON.parse(result.out) as Record<string, unknown>;
    const reference = qemuInfo(top);
    expect(info).toMatchObject({
      format: 'qcow2',
      virtualSize: reference['virtual-size'],
      fileSize: readFileSync(top).length,
      clusterSize: 65536,
      allocatedBytes: 0,
      backing: { path: reference['full-backing-filename'], format: reference['backing-filename-format'] },
      chain: [{ path: top, format: 'qcow2' }, { path: base, format: 'qcow2' }],
    });
  });

  it('info without --json prints readable text', async () => {
    const result = await run(['info', top]);
    expect(result.out).toContain('Format:        qcow2');
    expect(result.out).toContain(`Backing file:  ${base} (qcow2)`);
  });

  it('export writes raw by default, qcow2 on request, with progress on stderr', async () => {
    const out = join(dir, 'out.raw');
    const result = await run(['export', top], { out, progress: true });
    expect(result.code).toBe(0);
    expect(readFileSync(out).equals(qemuRawBytes(top, dir))).toBe(true);
    expect(result.err).toMatch(/export: 100%/);
    const qcow2 = join(dir, 'out.qcow2');
    expect((await run(['export', top], { out: qcow2, format: 'qcow2' })).code).toBe(0);
    expect(qemuImg(['compare', top, qcow2])).toContain('identical');
    await expect(run(['export', top], { out, format: 'zip' })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'format' });
    await expect(run(['export', top], { out })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(run(['export', top])).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'out' });
  });

  it('check exits 0 on a clean image and 3 on a damaged one, listing findings', async () => {
    const clean = await run(['check', base], { json: true });
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.out)).toMatchObject({ clean: true, findings: [] });
    const bytes = readFileSync(base);
    const l1 = Number(bytes.readBigUInt64BE(40));
    const l2 = Number(bytes.readBigUInt64BE(l1) & 0x00fffffffffffe00n);
    bytes.writeBigUInt64BE(bytes.readBigUInt64BE(l2), l2 + 16);
    const broken = join(dir, 'broken.qcow2');
    writeFileSync(broken, bytes);
    const damaged = await run(['check', broken]);
    expect(damaged.code).toBe(3);
    expect(damaged.out).toContain('[overlapping-clusters]');
    expect(damaged.out).toContain('The image is damaged.');
  });

  it('map --json lists the merged data and zero ranges', async () => {
    const result = await run(['map', top], { json: true });
    const ranges = JSON.parse(result.out) as { offset: number; length: number; zero: boolean }[];
    expect(ranges.reduce((sum, range) => sum + range.length, 0)).toBe(4 * MiB);
    const reference = JSON.parse(qemuImg(['map', '--output=json', top])) as { start: number; length: number; data: boolean }[];
    const dataBytes = reference.filter((range) => range.data).reduce((sum, range) => sum + range.length, 0);
    expect(ranges.filter((range) => !range.zero).reduce((sum, range) => sum + range.length, 0)).toBe(dataBytes);
  });

  it('refuses an unknown sub-command and names a missing file', async () => {
    await expect(run(['frobnicate'])).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(run(['info', join(dir, 'missing.qcow2')])).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
