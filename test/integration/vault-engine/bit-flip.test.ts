/**
 * A flipped bit in one chunk file: `verify --read-data` exits 3 naming the chunk and the
 * point it damages; restoring that point fails clearly and leaves no partial file; a point
 * that does not use the chunk still restores bit-exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job, VerifyReport } from '../../../shared/contract/item-models.ts';
import { Lab, MIB, expectSameFile, writeRandomFile } from './vault-engine-kit.ts';

const lab = new Lab('bitflip');
let vaultDir: string;
let damagedPoint: string;
let healthyPoint: string;
let healthyCopy: string;
let chunkId: string;

beforeAll(async () => {
  const disk = join(lab.vmDir, 'disk.raw');
  await writeRandomFile(disk, 4 * MIB);
  const firstContent = readFileSync(disk);
  vaultDir = await lab.createVault('flip');
  await lab.protect('flip', 'vm-flip', [disk]);
  damagedPoint = (await lab.backup('vm-flip')).pointId as string;
  // New content: the second point shares no chunk with the first.
  await writeRandomFile(disk, 4 * MIB);
  healthyCopy = join(lab.dir, 'healthy.raw');
  copyFileSync(disk, healthyCopy);
  healthyPoint = (await lab.backup('vm-flip')).pointId as string;

  // Chunk ids are SHA-256 of the plaintext: the first point's chunk 2.
  chunkId = createHash('sha256').update(firstContent.subarray(2 * MIB, 3 * MIB)).digest('hex');
  const chunkPath = join(vaultDir, 'data', 'chunks', chunkId.slice(0, 2), chunkId);
  expect(existsSync(chunkPath), `chunk file ${chunkPath}`).toBe(true);
  const bytes = readFileSync(chunkPath);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = (bytes[at] as number) ^ 0x10;
  writeFileSync(chunkPath, bytes);
  expect(readdirSync(join(vaultDir, 'data', 'chunks', chunkId.slice(0, 2)))).toContain(chunkId);
});

afterAll(() => lab.remove());

describe('a flipped bit in a chunk', () => {
  it('verify --read-data exits 3 naming the chunk and the affected point', async () => {
    const json = await lab.cli(['verify', 'flip', '--read-data', '--json']);
    expect(json.code).toBe(3);
    const report = json.json<VerifyReport>();
    expect(report.ok).toBe(false);
    expect(report.problems.some((problem) => problem.chunkId === chunkId)).toBe(true);
    expect(report.affectedPoints.map((point) => point.pointId)).toEqual([damagedPoint]);
    expect(report.affectedPoints[0]).toMatchObject({ item: 'vm-flip', files: ['disk.raw'] });

    const text = await lab.cli(['verify', 'flip', '--read-data']);
    expect(text.code).toBe(3);
    expect(text.stdout).toContain(chunkId);
    expect(text.stdout).toContain(damagedPoint);
    expect(text.stdout).not.toContain(healthyPoint);
  });

  it('restoring the damaged point fails clearly and leaves no partial file', async () => {
    const target = join(lab.dir, 'restore-damaged');
    const result = await lab.cli(['restore', 'disks', 'vm-flip', '--point', damagedPoint, '--to', target, '--json']);
    expect(result.code).not.toBe(0);
    const job = result.json<Job>();
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('CORRUPT');
    expect(result.stderr).toMatch(/CORRUPT/);
    const left = existsSync(target) ? readdirSync(target) : [];
    expect(left).toEqual([]);
  });

  it('a point without the damaged chunk still restores bit-exact', async () => {
    const restored = await lab.restore('vm-flip', healthyPoint);
    await expectSameFile(join(restored, 'disk.raw'), healthyCopy);
    expect(statSync(join(restored, 'disk.raw')).size).toBe(4 * MIB);
  });
});
