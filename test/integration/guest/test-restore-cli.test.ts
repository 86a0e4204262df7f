/**
 * Test restore after every backup, through the real CLI: an ext4 disk (mkfs.ext4 -d) backed
 * up ends with a verified point; backed up again unchanged, the point keeps that check (same
 * indexes, nothing read again); a damaged guest superblock in the source gives a failed
 * point, an open alert and `verify --guest` exit 3, and is checked again at the next backup; a LUKS header gives not-readable with the
 * reason; a policy with "testRestore": false skips the step; a rebuilt catalog keeps the results.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, Job, TestRestore } from '../../../shared/contract/item-models.ts';
import { requireTool } from '../../support/required-tools.ts';
import { Lab } from '../vault-engine/vault-engine-kit.ts';
import { MIB, mkfsExt, patchFile, sfdisk, sparseFile } from '../../unit/guest/guest-image-kit.ts';

const haveTools = requireTool('mkfs.ext4', 'e2fsprogs', ['-V']) && requireTool('sfdisk', 'fdisk');
const STEP_MS = 120_000;
const lab = new Lab('test-restore');
afterAll(() => lab.remove());

function testStep(job: Job) {
  return job.subtasks.find((subtask) => subtask.name === 'Test restore');
}

function alertsOf(vaultDir: string): Alert[] {
  const dir = join(vaultDir, 'data', 'records', 'alerts');
  return readdirSync(dir).filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as Alert);
}

describe.skipIf(!haveTools)('test restore after every backup', () => {
  const tree = join(lab.dir, 'tree');
  const disk = join(lab.vmDir, 'root.img');
  let vaultDir = '';

  beforeAll(async () => {
    mkdirSync(join(tree, 'etc'), { recursive: true });
    writeFileSync(join(tree, 'etc', 'hostname'), 'guest\n');
    for (let i = 0; i < 20; i += 1) writeFileSync(join(tree, `file-${i}.txt`), `content ${i}\n`.repeat(i * 50 + 1));
    sparseFile(disk, 32 * MIB);
    mkfsExt('ext4', disk, 0, 32 * MIB, { tree, label: 'root' });
    vaultDir = await lab.createVault('checks');
    await lab.protect('checks', 'vm-ext4', [disk]);
  }, STEP_MS);

  it('a backup of an ext4 disk ends with a verified point', async () => {
    const job = await lab.backup('vm-ext4');
    expect(job.subtasks.map((subtask) => subtask.name)).toEqual(['Snapshot', 'Transfer data to vault', 'Test restore']);
    expect(testStep(job)).toMatchObject({ status: 'completed', message: expect.stringMatching(/^Verified: 1 filesystem read clean/) });
    const [point] = await lab.points('vm-ext4');
    expect(point?.testRestore).toMatchObject({ status: 'verified', pointId: point?.id, reasons: [] });
    expect(point?.testRestore?.volumes).toEqual([{ disk: 0, id: 'disk', filesystem: 'ext4', label: 'root', status: 'verified', findings: [] }]);
    const again = await lab.cli(['verify', 'vm-ext4', '--point', point?.id as string, '--guest', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json<TestRestore>()).toMatchObject({ status: 'verified' });
    const text = await lab.cli(['verify', 'vm-ext4', '--point', point?.id as string, '--guest']);
    expect(text.stdout).toMatch(/^VERIFIED: point .*1 filesystem\(s\) checked/);
  }, STEP_MS);

  it('an unchanged disk keeps the previous point\'s check (every index equal), nothing read again', async () => {
    const [previous] = await lab.points('vm-ext4');
    const job = await lab.backup('vm-ext4');
    expect(testStep(job)?.message).toMatch(new RegExp(`^Verified: 1 filesystem read clean.*Same disks as point ${previous?.id}`));
    const [point] = await lab.points('vm-ext4');
    expect(point?.id).not.toBe(previous?.id);
    expect(point?.testRestore).toEqual({ ...previous?.testRestore, pointId: point?.id, chunksRead: 0, elapsedMs: 0 });
  }, STEP_MS);

  it('a damaged guest superblock gives a failed point, an alert, and verify --guest exit 3', async () => {
    // One byte of the volume label: the superblock's metadata_csum no longer matches.
    patchFile(disk, 1024 + 120, Buffer.from('X'));
    const job = await lab.backup('vm-ext4');
    expect(job.status).toBe('completed');
    expect(testStep(job)?.message).toMatch(/^Failed: Disk 0 \(ext4, "Xoot"\): .*superblock.*checksum/i);
    const [point] = await lab.points('vm-ext4');
    expect(point?.testRestore?.status).toBe('failed');
    expect(point?.testRestore?.volumes[0]?.status).toBe('failed');
    const alerts = alertsOf(vaultDir).filter((alert) => alert.kind === 'test-restore-failed');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ severity: 'critical', title: 'Test restore failed', item: 'vm-ext4', jobId: job.id, acknowledged: false });
    expect(alerts[0]?.message).toContain(point?.id);
    const verify = await lab.cli(['verify', 'vm-ext4', '--point', point?.id as string, '--guest']);
    expect(verify.code).toBe(3);
    expect(verify.stdout).toMatch(/^FAILED/);
    // Checking the older, clean point again passes and closes the alert.
    const older = (await lab.points('vm-ext4'))[1]?.id as string;
    expect((await lab.cli(['verify', 'vm-ext4', '--point', older, '--guest'])).code).toBe(0);
    expect(alertsOf(vaultDir).find((alert) => alert.kind === 'test-restore-failed')?.resolvedAt).toBeDefined();
    // A failed check is never carried over: the same damaged disk is read again, and fails again.
    const again = await lab.backup('vm-ext4');
    expect(testStep(again)?.message).toMatch(/^Failed: Disk 0 \(ext4, "Xoot"\)/);
    expect(testStep(again)?.message).not.toMatch(/Same disks/);
    expect((await lab.points('vm-ext4'))[0]?.testRestore?.chunksRead).toBeGreaterThan(0);
  }, STEP_MS);

  it('a disk whose partition is LUKS says not-readable with the reason instead of failing', async () => {
    const luks = join(lab.vmDir, 'crypt.img');
    sparseFile(luks, 8 * MIB);
    sfdisk(luks, 'label: dos\nstart=2048, type=83\n');
    patchFile(luks, 2048 * 512, Buffer.concat([Buffer.from('LUKS\u00ba\u00be', 'latin1'), Buffer.from([0, 2])]));
    await lab.protect('checks', 'vm-luks', [luks]);
    const job = await lab.backup('vm-luks');
    expect(testStep(job)?.message).toMatch(/^Not readable: Disk 0 partition 1 \(luks\): LUKS-encrypted/);
    const [point] = await lab.points('vm-luks');
    expect(point?.testRestore).toMatchObject({ status: 'not-readable', volumes: [{ filesystem: 'luks', status: 'not-readable' }] });
    expect((await lab.cli(['verify', 'vm-luks', '--point', point?.id as string, '--guest'])).code).toBe(0);
    expect(alertsOf(vaultDir).filter((alert) => alert.item === 'vm-luks')).toEqual([]);
  }, STEP_MS);

  it('a policy with "testRestore": false skips it; a rebuilt catalog keeps the earlier results', async () => {
    const policyFile = join(lab.dir, 'no-test.json');
    writeFileSync(policyFile, JSON.stringify({
      name: 'NoTest', timeZone: 'UTC', schedule: { frequency: 'daily', time: '03:00' }, retention: { daily: { days: 7 } }, testRestore: false,
    }));
    expect((await lab.cli(['policy', 'create', '--vault', 'checks', '--file', policyFile])).code).toBe(0);
    expect((await lab.cli(['item', 'set-policy', 'vm-luks', '--policy', 'NoTest'])).code).toBe(0);
    const job = await lab.backup('vm-luks');
    expect(testStep(job)).toMatchObject({ status: 'skipped', message: 'Test restore is off in policy "NoTest".' });
    const points = await lab.points('vm-luks');
    expect(points[0]?.testRestore).toBeUndefined();
    expect(points[1]?.testRestore?.status).toBe('not-readable');

    const before = await lab.points('vm-ext4');
    const rebuilt = await lab.cli(['vault', 'rebuild-catalog', 'checks']);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    const after = await lab.points('vm-ext4');
    expect(after.map((point) => point.testRestore)).toEqual(before.map((point) => point.testRestore));
    expect(after.map((point) => point.testRestore?.status)).toEqual(['failed', 'failed', 'verified', 'verified']);
  }, STEP_MS);
});
