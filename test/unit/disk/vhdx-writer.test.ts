import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { closeSync, openSync, statSync, writeSync, ftruncateSync, existsSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { deterministicBytes, requireQemuImg, makeTempDir, qemuImg, qemuInfo, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { RawDisk } from '../../../electron/engine/disk/raw/raw-disk.ts';
import { VhdDisk } from '../../../electron/engine/disk/vhd/vhd-disk.ts';
import { VhdxDisk } from '../../../electron/engine/disk/vhdx/vhdx-disk.ts';
import { vhdxFormat } from '../../../electron/engine/disk/vhdx/vhdx-format.ts';
import type { VirtualDisk } from '../../../electron/engine/disk/virtual-disk.ts';
import { readWholeDisk } from './vhd-open-context.ts';

const run = requireQemuImg() ? describe : describe.skip;

/** `qemu-img check` exit status and output (exit 0 = no errors). */
function qemuCheck(path: string): { status: number; output: string } {
  try {
    return { status: 0, output: execFileSync('qemu-img', ['check', '-f', 'vhdx', path], { encoding: 'utf8' }) };
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string };
    return { status: failed.status, output: `${failed.stdout}${failed.stderr}` };
  }
}

function qemuCompare(reference: string, referenceFormat: string, written: string): string {
  return qemuImg(['compare', '-f', referenceFormat, '-F', 'vhdx', reference, written]);
}

run('VHDX writer read back by qemu-img', () => {
  let dir = '';
  beforeAll(() => { dir = makeTempDir('labvault-vhdx-write-'); });
  afterAll(() => removeDir(dir));

  async function writeAndVerify(source: VirtualDisk, reference: string, referenceFormat: string, name: string): Promise<string> {
    const out = join(dir, `${name}.vhdx`);
    const progress: number[] = [];
    await vhdxFormat.write!(source, out, { onProgress: (done) => progress.push(done) });
    expect(progress.at(-1)).toBe(source.virtualSize);
    const check = qemuCheck(out);
    expect(check.output).toContain('No errors were found');
    expect(check.status).toBe(0);
    expect(qemuCompare(reference, referenceFormat, out)).toContain('Images are identical');
    expect(qemuInfo(out)['virtual-size']).toBe(Math.ceil(source.virtualSize / 512) * 512);
    const back = await VhdxDisk.open(out);
    const original = await readWholeDisk(source);
    const copy = await readWholeDisk(back);
    expect(copy.subarray(0, original.length).equals(original)).toBe(true);
    await back.close();
    expect(readdirSync(dir).some((entry) => entry.includes('.partial-'))).toBe(false);
    return out;
  }

  it('writes a raw pattern disk (odd size) that qemu-img checks clean and compares equal', async () => {
    const raw = writePatternRaw(join(dir, 'p.raw'), { size: 9 * 1024 * 1024 + 1536, seed: 3, region: 512 * 1024 });
    const source = await RawDisk.open(raw);
    await writeAndVerify(source, raw, 'raw', 'from-raw');
    await source.close();
  });

  it('converts qemu-made VHD and VHDX images', async () => {
    const raw = writePatternRaw(join(dir, 'q.raw'), { size: 6 * 1024 * 1024, seed: 9 });
    qemuImg(['convert', '-f', 'raw', '-O', 'vpc', raw, join(dir, 'q.vhd')]);
    qemuImg(['convert', '-f', 'raw', '-O', 'vhdx', '-o', 'block_size=1M', raw, join(dir, 'q.vhdx')]);
    const vhd = await VhdDisk.open(join(dir, 'q.vhd'));
    await writeAndVerify(vhd, join(dir, 'q.vhd'), 'vpc', 'from-vhd');
    await vhd.close();
    const vhdx = await VhdxDisk.open(join(dir, 'q.vhdx'));
    await writeAndVerify(vhdx, join(dir, 'q.vhdx'), 'vhdx', 'from-vhdx');
    await vhdx.close();
  });

  it('writes only allocated blocks of a large sparse disk', async () => {
    const raw = join(dir, 'sparse.raw');
    const fd = openSync(raw, 'w');
    ftruncateSync(fd, 160 * 1024 * 1024);
    writeSync(fd, deterministicBytes(4096, 1), 0, 4096, 20 * 1024 * 1024 + 12345);
    writeSync(fd, deterministicBytes(70000, 2), 0, 70000, 150 * 1024 * 1024 - 1000);
    closeSync(fd);
    const source = await RawDisk.open(raw);
    const out = await writeAndVerify(source, raw, 'raw', 'sparse');
    await source.close();
    expect(statSync(out).size).toBeLessThan(16 * 1024 * 1024);
  });

  it('writes an empty disk and refuses an unknown subformat and a cancelled write', async () => {
    const raw = join(dir, 'empty.raw');
    const fd = openSync(raw, 'w');
    ftruncateSync(fd, 3 * 1024 * 1024);
    closeSync(fd);
    const source = await RawDisk.open(raw);
    await writeAndVerify(source, raw, 'raw', 'empty');
    await expect(vhdxFormat.write!(source, join(dir, 'x.vhdx'), { subformat: 'fixed' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    const controller = new AbortController();
    controller.abort();
    const pattern = await RawDisk.open(writePatternRaw(join(dir, 'c.raw'), { size: 4 * 1024 * 1024 }));
    await expect(vhdxFormat.write!(pattern, join(dir, 'c.vhdx'), { signal: controller.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(existsSync(join(dir, 'c.vhdx'))).toBe(false);
    await pattern.close();
    await source.close();
  });
});
