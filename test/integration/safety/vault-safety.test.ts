/**
 * Vault safety (issue 7): every path that could delete data, tried against an immutable
 * vault; soft delete -> undelete -> restore bit-exact; purge after the period with an
 * injected clock; encrypted vaults (round trip, wrong passphrase, tamper, no plaintext).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../../electron/engine/app/clock.ts';
import { Engine } from '../../../electron/engine/engine.ts';
import { applyRetention } from '../../../electron/engine/policy/retention-pass.ts';
import { LabvaultError } from '../../../shared/errors.ts';
import { deterministicBytes, makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { runLabvault } from '../../support/run-cli.ts';

let root: string;
let clock: ManualClock;
let engine: Engine;
const MiB = 1024 * 1024;

beforeEach(() => {
  root = makeTempDir('labvault-safety-');
  clock = new ManualClock('2026-06-01T10:00:00Z');
  engine = new Engine({ face: 'cli', appHome: join(root, 'home'), clock });
});

afterEach(async () => {
  await engine.close();
  removeDir(root);
});

function writeDisk(name: string, seed: number, size = 3 * MiB): string {
  const path = join(root, name);
  const data = Buffer.alloc(size);
  deterministicBytes(MiB, seed).copy(data, 0);
  deterministicBytes(MiB, seed + 1).copy(data, 2 * MiB);
  writeFileSync(path, data);
  return path;
}

async function backup(item: string, retainUntil?: string): Promise<string> {
  const running = await engine.backups.start(item, { trigger: 'on-demand', ...(retainUntil ? { retainUntil } : {}) });
  const job = await running.done;
  expect(job.status, JSON.stringify(job.error)).toBe('completed');
  return job.pointId as string;
}

async function refused(promise: Promise<unknown>, code = 'RULE_VIOLATION'): Promise<LabvaultError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(LabvaultError);
  expect((error as LabvaultError).code).toBe(code);
  return error as LabvaultError;
}

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('immutable vault', () => {
  it('refuses every path that would delete a point before its expiry, and the data stays intact', async () => {
    await engine.handlers.vaults.create({ name: 'locked-vault', path: join(root, 'vault'), immutability: 'enabled' });
    const disk = writeDisk('vm1.img', 11);
    await engine.handlers.items.protect({ vault: 'locked-vault', name: 'vm1', files: [disk] });
    const point = await backup('vm1', '2026-07-01');
    await engine.handlers.vaults.update({ name: 'locked-vault', immutability: 'locked', confirm: 'locked-vault' });

    const byPoint = await refused(engine.handlers.points.delete({ item: 'vm1', point }));
    expect(byPoint.message).toMatch(/Immutability is locked/);
    const byStop = await refused(engine.handlers.items.stopProtection({ item: 'vm1', mode: 'delete-data', confirm: 'vm1' }));
    expect(byStop.message).toMatch(/before .* expiry/);
    await refused(engine.handlers.vaults.update({ name: 'locked-vault', softDeleteEnabled: false, confirm: 'locked-vault' }));
    await refused(engine.handlers.vaults.update({ name: 'locked-vault', softDeleteDays: 14, confirm: 'locked-vault' }).then(async () => {
      // 14 is the current value: not a shortening. A real shortening needs a longer start.
      await engine.handlers.vaults.update({ name: 'locked-vault', softDeleteDays: 30 });
      return engine.handlers.vaults.update({ name: 'locked-vault', softDeleteDays: 20 });
    }));
    await refused(engine.handlers.vaults.update({ name: 'locked-vault', immutability: 'disabled' }));
    await refused(engine.handlers.vaults.delete({ name: 'locked-vault' }));

    // A scheduled point, kept 30 days by DefaultPolicy: a policy change or binding that would shorten its retention is refused, with the preview.
    const scheduledJob = await (await engine.backups.start('vm1', { trigger: 'scheduled', slot: '2026-06-01T10:00@UTC' })).done;
    expect(scheduledJob.status, JSON.stringify(scheduledJob.error)).toBe('completed');
    const scheduled = scheduledJob.pointId as string;
    const stored = (await engine.handlers.points.list({ item: 'vm1' })).find((candidate) => candidate.id === scheduled)?.expiresAt;
    expect(stored).toBeTruthy();
    const defaultPolicy = (await engine.handlers.policies.list({ vault: 'locked-vault' })).find((policy) => policy.isDefault);
    const shorter = { ...(defaultPolicy?.body as Record<string, unknown>), retention: { daily: { days: 7 } } };
    const preview = await engine.handlers.policies.previewChange({ vault: 'locked-vault', name: 'DefaultPolicy', policy: shorter });
    expect(preview.refusal).toMatch(/Immutability is locked.*cannot be shortened/);
    const byUpdate = await refused(engine.handlers.policies.update({ vault: 'locked-vault', name: 'DefaultPolicy', policy: shorter }));
    expect(byUpdate.field).toBe('retention');
    await engine.handlers.policies.create({ vault: 'locked-vault', policy: { ...shorter, name: 'week' } });
    const bySetPolicy = await refused(engine.handlers.items.setPolicy({ item: 'vm1', policy: 'week' }));
    expect(bySetPolicy.message).toMatch(/shorten the retention of 1 existing point/);
    expect(bySetPolicy.details?.preview).toMatchObject({ refusal: bySetPolicy.message });
    await engine.handlers.items.stopProtection({ item: 'vm1', mode: 'keep-data' });
    const byResume = await refused(engine.handlers.items.resumeProtection({ item: 'vm1', policy: 'week' }));
    expect(byResume.message).toMatch(/Immutability is locked/);
    expect((await engine.handlers.items.resumeProtection({ item: 'vm1' })).policyName).toBe('DefaultPolicy');

    // Retention and GC before expiry keep the points.
    await applyRetention(engine, await engine.vaults.session('locked-vault'), clock.now());
    const store = await engine.keyring.store(await engine.vaults.session('locked-vault'));
    await store.gc();
    const points = await engine.handlers.points.list({ item: 'vm1' });
    expect(points.map((candidate) => candidate.id).sort()).toEqual([point, scheduled].sort());
    expect(points.find((candidate) => candidate.id === scheduled)?.expiresAt).toBe(stored);
    expect((await engine.handlers.vaults.verify({ name: 'locked-vault', readData: true })).ok).toBe(true);

    // After their expiry the points may go (through soft delete).
    clock.set('2026-07-02T00:00:00Z');
    const report = await applyRetention(engine, await engine.vaults.session('locked-vault'), clock.now());
    expect(report.expired.map((entry) => entry.pointId).sort()).toEqual([point, scheduled].sort());
    expect(report.expired.map((entry) => entry.action)).toEqual(['soft-deleted', 'soft-deleted']);
  });

  it('refuses a policy update that shortens retention of existing scheduled points', async () => {
    await engine.handlers.vaults.create({ name: 'imm', path: join(root, 'vault'), immutability: 'enabled' });
    const created = await engine.handlers.policies.create({ vault: 'imm', policy: { name: 'long', timeZone: 'UTC', schedule: { frequency: 'daily', time: '10:00' }, retention: { daily: { days: 60 } } } });
    await engine.handlers.items.protect({ vault: 'imm', name: 'vm1', files: [writeDisk('vm1.img', 3)], policy: created.name });
    const running = await engine.backups.start('vm1', { trigger: 'scheduled', slot: '2026-06-01T10:00@UTC' });
    expect((await running.done).status).toBe('completed');
    await applyRetention(engine, await engine.vaults.session('imm'), clock.now());
    const shorter = { name: 'long', timeZone: 'UTC', schedule: { frequency: 'daily', time: '10:00' }, retention: { daily: { days: 7 } } };
    const preview = await engine.handlers.policies.previewChange({ vault: 'imm', name: 'long', policy: shorter });
    expect(preview.refusal).toMatch(/cannot be shortened/);
    const error = await refused(engine.handlers.policies.update({ vault: 'imm', name: 'long', policy: shorter }));
    expect(error.field).toBe('retention');
    expect((await engine.handlers.points.list({ item: 'vm1' })).length).toBe(1);
  });
});

describe('committed files', () => {
  it('chunks, indexes and manifests are written read-only', async () => {
    await engine.handlers.vaults.create({ name: 'ro', path: join(root, 'vault') });
    await engine.handlers.items.protect({ vault: 'ro', name: 'vm0', files: [writeDisk('vm0.img', 5)] });
    await backup('vm0');
    const committed = ['chunks', 'indexes', 'manifests'].flatMap((sub) => allFiles(join(root, 'vault', 'data', sub)));
    expect(committed.length).toBeGreaterThan(2);
    for (const file of committed) expect(statSync(file).mode & 0o222, file).toBe(0);
  });
});

describe('soft delete', () => {
  it('stop with delete -> soft-deleted (files cannot be protected again) -> undelete -> restore bit-exact', async () => {
    await engine.handlers.vaults.create({ name: 'soft', path: join(root, 'vault') });
    const disk = writeDisk('vm2.img', 21);
    const original = readFileSync(disk);
    await engine.handlers.items.protect({ vault: 'soft', name: 'vm2', files: [disk] });
    const point = await backup('vm2');

    const wrongName = await refused(engine.handlers.items.stopProtection({ item: 'vm2', mode: 'delete-data', confirm: 'VM2' }), 'INVALID_INPUT');
    expect(wrongName.field).toBe('confirm');
    const preview = await engine.handlers.items.deletePreview({ item: 'vm2' });
    expect(preview).toMatchObject({ points: 1, softDelete: true, purgeAt: '2026-06-15T10:00:00.000Z', blockedBy: null });
    const stopped = await engine.handlers.items.stopProtection({ item: 'vm2', mode: 'delete-data', confirm: 'vm2' });
    expect(stopped).toMatchObject({ state: 'soft-deleted', purgeAt: '2026-06-15T10:00:00.000Z' });
    const listed = await engine.handlers.items.list({ vault: 'soft' });
    expect(listed[0]).toMatchObject({ state: 'soft-deleted', purgeAt: '2026-06-15T10:00:00.000Z' });
    expect((await engine.handlers.alerts.list({})).some((alert) => /soft-deleted/.test(alert.title))).toBe(true);

    const candidates = await engine.handlers.items.inspectFiles({ paths: [disk] });
    expect(candidates[0]?.ok).toBe(false);
    expect(candidates[0]?.problem).toMatch(/soft-deleted item "vm2".*undelete/);
    await refused(engine.handlers.items.protect({ vault: 'soft', name: 'again', files: [disk] }), 'INVALID_INPUT');
    await refused(engine.handlers.vaults.delete({ name: 'soft' }));

    const undeleted = await engine.handlers.items.undelete({ item: 'vm2' });
    expect(undeleted.state).toBe('stopped');
    const out = join(root, 'restored');
    const job = await engine.jobs.find((await engine.handlers.restore.disks({ item: 'vm2', point, to: out })).jobId);
    const done = await engine.jobs.runningJob(job.job.id)?.done;
    expect(done?.status ?? (await engine.handlers.jobs.show({ id: job.job.id })).status).toBe('completed');
    expect(readFileSync(join(out, 'vm2.img')).equals(original)).toBe(true);
  });

  it('purges soft-deleted data only after the period (injected clock), then the vault can be deleted', async () => {
    await engine.handlers.vaults.create({ name: 'purge', path: join(root, 'vault'), softDeleteDays: 20 });
    await engine.handlers.items.protect({ vault: 'purge', name: 'vm3', files: [writeDisk('vm3.img', 31)] });
    await backup('vm3');
    await engine.handlers.items.stopProtection({ item: 'vm3', mode: 'delete-data', confirm: 'vm3' });
    const session = await engine.vaults.session('purge');

    clock.set('2026-06-20T10:00:00Z');
    expect((await applyRetention(engine, session, clock.now())).purged).toBe(0);
    expect((await engine.handlers.points.list({ item: 'vm3', includeDeleted: true })).length).toBe(1);

    clock.set('2026-06-21T10:00:01Z');
    expect((await applyRetention(engine, session, clock.now())).purged).toBe(1);
    expect(await engine.handlers.items.list({ vault: 'purge' })).toEqual([]);
    const store = await engine.keyring.store(session);
    const gc = await store.gc();
    expect(gc.bytesFreed).toBeGreaterThan(0);
    expect(await engine.handlers.vaults.deleteCheck({ name: 'purge' })).toEqual({ deletable: true, blockers: [] });
    await engine.handlers.vaults.delete({ name: 'purge' });
    expect(readFileSync(join(root, 'vm3.img')).length).toBe(3 * MiB);
  });

  it('with soft delete off, deleting a point is immediate; turning it off needs the typed name', async () => {
    await engine.handlers.vaults.create({ name: 'hard', path: join(root, 'vault') });
    const unconfirmed = await refused(engine.handlers.vaults.update({ name: 'hard', softDeleteEnabled: false }), 'INVALID_INPUT');
    expect(unconfirmed.field).toBe('confirm');
    await engine.handlers.vaults.update({ name: 'hard', softDeleteEnabled: false, confirm: 'hard' });
    await engine.handlers.items.protect({ vault: 'hard', name: 'vm4', files: [writeDisk('vm4.img', 41)] });
    const point = await backup('vm4');
    await engine.handlers.points.delete({ item: 'vm4', point });
    expect(await engine.handlers.points.list({ item: 'vm4', includeDeleted: true })).toEqual([]);
  });
});

describe('encrypted vault', () => {
  it('round trips, refuses a wrong passphrase, finds tampered ciphertext, and leaks no plaintext', async () => {
    const marker = 'LABVAULT-SECRET-MARKER-7f3a9c';
    const vmDir = join(root, 'vm');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(vmDir);
    const disk = join(vmDir, `${marker}.img`);
    const data = Buffer.alloc(2 * MiB + 17);
    for (let offset = 0; offset < data.length - marker.length; offset += 4096) data.write(marker, offset);
    writeFileSync(disk, data);
    await engine.handlers.vaults.create({ name: 'enc', path: join(root, 'vault'), passphrase: 'correct horse battery' });
    await engine.handlers.items.protect({ vault: 'enc', name: marker, files: [disk] });
    const point = await backup(marker);

    for (const file of allFiles(join(root, 'vault'))) {
      const bytes = readFileSync(file);
      expect(bytes.includes(Buffer.from(marker)), file).toBe(false);
      expect(bytes.includes(Buffer.from('correct horse battery')), file).toBe(false);
    }

    // A second engine (another process, or the vault on another machine) needs the passphrase.
    const other = new Engine({ face: 'cli', appHome: join(root, 'home2'), clock });
    try {
      await other.handlers.vaults.open({ path: join(root, 'vault') });
      expect((await other.handlers.vaults.show({ name: 'enc' })).locked).toBe(true);
      const wrong = await refused(other.handlers.vaults.unlock({ name: 'enc', passphrase: 'wrong passphrase' }), 'BAD_PASSPHRASE');
      expect(wrong.message).toMatch(/passphrase/i);
      await other.handlers.vaults.unlock({ name: 'enc', passphrase: 'correct horse battery' });
      const out = join(root, 'restored');
      const { jobId } = await other.handlers.restore.disks({ item: marker, point, to: out });
      const job = await other.jobs.runningJob(jobId)?.done;
      expect(job?.status).toBe('completed');
      expect(readFileSync(join(out, `${marker}.img`)).equals(data)).toBe(true);
    } finally {
      await other.close();
    }

    // Passphrase change re-wraps the key: no data file changes.
    const before = new Map(allFiles(join(root, 'vault', 'data', 'chunks')).map((file) => [file, statSync(file).mtimeMs]));
    await refused(engine.handlers.vaults.changePassphrase({ name: 'enc', oldPassphrase: 'nope nope nope', newPassphrase: 'new passphrase 2' }), 'BAD_PASSPHRASE');
    await engine.handlers.vaults.changePassphrase({ name: 'enc', oldPassphrase: 'correct horse battery', newPassphrase: 'new passphrase 2' });
    for (const [file, mtime] of before) expect(statSync(file).mtimeMs).toBe(mtime);

    // Tampering with one ciphertext byte is found by verify and named.
    const chunk = [...before.keys()].sort()[0] as string;
    const bytes = readFileSync(chunk);
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 0x40;
    const { chmodSync } = await import('node:fs');
    chmodSync(chunk, 0o644);
    writeFileSync(chunk, bytes);
    const report = await engine.handlers.vaults.verify({ name: 'enc', readData: true });
    expect(report.ok).toBe(false);
    expect(report.problems.some((problem) => problem.chunkId !== undefined && chunk.endsWith(problem.chunkId))).toBe(true);
    expect(report.affectedPoints.map((affected) => affected.pointId)).toContain(point);
  });

  it('the CLI takes the passphrase from LABVAULT_PASSPHRASE or --passphrase-file and exits 2 on a wrong one', () => {
    const env = { LABVAULT_HOME: join(root, 'cli-home') };
    const file = join(root, 'pass.txt');
    writeFileSync(file, 'file passphrase 1\n');
    const create = runLabvault(['vault', 'create', '--name', 'cli-enc', '--path', join(root, 'cli-vault'), '--encrypt', '--passphrase-file', file, '--json'], env);
    expect(create.code, create.stderr).toBe(0);
    expect(create.json<{ encrypted: boolean }>().encrypted).toBe(true);
    const disk = writeDisk('cli.img', 51, 2 * MiB);
    const protect = runLabvault(['protect', '--vault', 'cli-enc', '--name', 'clivm', disk], { ...env, LABVAULT_PASSPHRASE: 'file passphrase 1' });
    expect(protect.code, protect.stderr).toBe(0);
    const wrong = runLabvault(['backup', 'clivm'], { ...env, LABVAULT_PASSPHRASE: 'not the passphrase' });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/BAD_PASSPHRASE/);
    const noSource = runLabvault(['verify', 'cli-enc'], { ...env, LABVAULT_HOME: join(root, 'fresh-home') });
    expect(noSource.code).toBe(2);
    const ok = runLabvault(['backup', 'clivm', '--json'], { ...env, LABVAULT_PASSPHRASE: 'file passphrase 1' }, { timeoutMs: 40_000 });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json<{ status: string }>().status).toBe('completed');
  });
});
