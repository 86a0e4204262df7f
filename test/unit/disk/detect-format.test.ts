import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, qemuImg, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { detectFormatByContent, detectImageFormat } from '../../../electron/engine/disk/detect-format.ts';

let dir: string;

beforeAll(() => {
  dir = makeTempDir('labvault-detect-');
});
afterAll(() => removeDir(dir));

function head(bytes: number[] | string, at = 0, size = 4096): Buffer {
  const buffer = Buffer.alloc(size);
  (typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes)).copy(buffer, at);
  return buffer;
}

describe('format detection by content', () => {
  it('recognises each magic number in a buffer', () => {
    const empty = Buffer.alloc(512);
    expect(detectFormatByContent(head([0x51, 0x46, 0x49, 0xfb]), empty, 1 << 20)).toBe('qcow2');
    expect(detectFormatByContent(head('KDMV'), empty, 1 << 20)).toBe('vmdk');
    expect(detectFormatByContent(head('# Disk DescriptorFile\nversion=1\n'), empty, 200)).toBe('vmdk');
    expect(detectFormatByContent(head('vhdxfile'), empty, 1 << 20)).toBe('vhdx');
    expect(detectFormatByContent(head([0x7f, 0x10, 0xda, 0xbe], 0x40), empty, 1 << 20)).toBe('vdi');
    expect(detectFormatByContent(head('conectix'), empty, 1 << 20)).toBe('vpc');
    expect(detectFormatByContent(Buffer.alloc(4096), head('conectix', 0, 512), 1 << 20)).toBe('vpc');
    expect(detectFormatByContent(Buffer.alloc(4096), Buffer.alloc(512), 1 << 20)).toBe('raw');
    expect(detectFormatByContent(head('QFI'), Buffer.alloc(3), 3)).toBe('raw');
    expect(detectFormatByContent(Buffer.alloc(0), Buffer.alloc(0), 0)).toBe('raw');
  });

  it('detects images made by qemu-img, whatever their file name', async () => {
    const raw = writePatternRaw(join(dir, 'data.raw'), { size: 2 * 1024 * 1024 });
    const cases: [string, string[]][] = [
      ['qcow2', []], ['vmdk', []], ['vmdk', ['-o', 'subformat=monolithicFlat']], ['vmdk', ['-o', 'subformat=streamOptimized']],
      ['vdi', []], ['vpc', []], ['vpc', ['-o', 'subformat=fixed']], ['vhdx', []], ['raw', []],
    ];
    for (const [index, [format, options]] of cases.entries()) {
      const image = join(dir, `image-${index}.img`);
      qemuImg(['convert', '-f', 'raw', '-O', format, ...options, raw, image]);
      expect(await detectImageFormat(image), `${format} ${options.join(' ')}`).toBe(format);
    }
  });

  it('takes a file named .qcow2 holding plain bytes as raw, and an empty file as raw', async () => {
    const fake = join(dir, 'fake.qcow2');
    writeFileSync(fake, 'just some text, not an image');
    expect(await detectImageFormat(fake)).toBe('raw');
    const empty = join(dir, 'empty.img');
    writeFileSync(empty, '');
    expect(await detectImageFormat(empty)).toBe('raw');
  });

  it('reports a missing file as NOT_FOUND naming it', async () => {
    const missing = join(dir, 'nope.qcow2');
    await expect(detectImageFormat(missing)).rejects.toMatchObject({ code: 'NOT_FOUND', details: { path: missing } });
  });
});
