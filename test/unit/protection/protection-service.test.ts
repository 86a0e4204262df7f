import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../shared/errors.ts';
import { confirmItemFiles, itemConfirmationProblem } from '../../../electron/engine/protection/item-confirmation.ts';
import {
  deletePreview, resumeProtection, stopProtection, undeleteItem,
} from '../../../electron/engine/protection/item-lifecycle.ts';
import { purgeDate } from '../../../electron/engine/protection/soft-delete-purge.ts';
import { normalisePaths } from '../../../electron/engine/protection/protection-service.ts';
import { FIXTURE_ITEM, FIXTURE_VAULT, useEngineFixture } from '../../support/engine-fixture.ts';

const makeFixture = useEngineFixture();

describe('ProtectionService', () => {
  it('resolve finds an item by name (any case), by id and as VAULT/NAME; unknown is NOT_FOUND', async () => {
    const f = await makeFixture();
    const { protection } = f.engine;
    const { record } = await protection.resolve(FIXTURE_ITEM);
    expect(record).toMatchObject({ name: FIXTURE_ITEM, state: 'protected', files: [{ path: f.diskPath }] });
    expect((await protection.resolve('VM1')).record.id).toBe(record.id);
    expect((await protection.resolve(record.id)).record.id).toBe(record.id);
    expect((await protection.resolve(`${FIXTURE_VAULT}/${FIXTURE_ITEM}`)).record.id).toBe(record.id);
    await expect(protection.resolve('vm2')).rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND, field: 'item' });
    await expect(protection.resolve(`no-vault/${FIXTURE_ITEM}`)).rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND });
  });

  it('protect validates: a name taken is CONFLICT, a bad name and a missing file are INVALID_INPUT', async () => {
    const f = await makeFixture();
    const { protection } = f.engine;
    const other = join(f.root, 'other.raw');
    writeFileSync(other, Buffer.alloc(4096, 1));
    await expect(protection.protect({ vault: FIXTURE_VAULT, name: 'VM1', files: [other] }))
      .rejects.toMatchObject({ code: ErrorCodes.CONFLICT, field: 'name' });
    await expect(protection.protect({ vault: FIXTURE_VAULT, name: '../up', files: [other] }))
      .rejects.toMatchObject({ code: ErrorCodes.INVALID_INPUT });
    const missing = join(f.root, 'missing.raw');
    const failure = await protection.protect({ vault: FIXTURE_VAULT, name: 'vm2', files: [missing] })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: ErrorCodes.INVALID_INPUT, field: 'files' });
    expect((failure as Error).message).toContain(missing);
    expect((await protection.list(FIXTURE_VAULT)).map((item) => item.record.name)).toEqual([FIXTURE_ITEM]);
    const added = await protection.protect({ vault: FIXTURE_VAULT, name: 'vm2', files: [other] });
    expect(await itemConfirmationProblem(protection.trust, added.session, added.record)).toBeNull();
  });

  it('normalisePaths makes paths absolute', () => {
    expect(normalisePaths(['/a/./b', '/a/c/../d'])).toEqual(['/a/b', '/a/d']);
  });
});

describe('item lifecycle', () => {
  it('stop keeping data, then resume: states and times follow the clock', async () => {
    const f = await makeFixture();
    const { engine } = f;
    const stopped = await stopProtection(engine, await engine.protection.resolve(FIXTURE_ITEM), { mode: 'keep-data' });
    expect(stopped.state).toBe('stopped');
    f.clock.advance(3_600_000);
    const resumed = await resumeProtection(engine, await engine.protection.resolve(FIXTURE_ITEM));
    expect(resumed).toMatchObject({ state: 'protected', updatedAt: '2026-05-04T11:00:00.000Z' });
  });

  it('delete with soft delete on: preview says until when; soft-deleted, undeleted as stopped', async () => {
    const f = await makeFixture({ softDeleteEnabled: true });
    const { engine } = f;
    const session = await f.session();
    const expectedPurge = purgeDate(session, f.clock.now());
    expect(expectedPurge).not.toBeNull();
    const preview = await deletePreview(engine, await engine.protection.resolve(FIXTURE_ITEM));
    expect(preview)
      .toMatchObject({ item: FIXTURE_ITEM, points: 0, softDelete: true, purgeAt: expectedPurge, blockedBy: null });
    const resolved = await engine.protection.resolve(FIXTURE_ITEM);
    const deleted = await stopProtection(engine, resolved, { mode: 'delete-data', confirm: FIXTURE_ITEM });
    expect(deleted).toMatchObject({ state: 'soft-deleted', purgeAt: expectedPurge });
    expect((await engine.alerts.list()).map((alert) => alert.title)).toContain('Backup data soft-deleted');
    await expect(resumeProtection(engine, await engine.protection.resolve(FIXTURE_ITEM)))
      .rejects.toMatchObject({ code: ErrorCodes.RULE_VIOLATION, field: 'item' });
    const back = await undeleteItem(engine, await engine.protection.resolve(FIXTURE_ITEM));
    expect(back).toMatchObject({ state: 'stopped', retainMode: 'forever' });
    expect((await resumeProtection(engine, await engine.protection.resolve(FIXTURE_ITEM))).state).toBe('protected');
  });

  it('confirmItemFiles: files changed since they were shown is CONFLICT; the current files confirm', async () => {
    const f = await makeFixture();
    const resolved = await f.engine.protection.resolve(FIXTURE_ITEM);
    await expect(confirmItemFiles(f.engine, resolved, [join(f.root, 'other.raw')]))
      .rejects.toMatchObject({ code: ErrorCodes.CONFLICT, field: 'files' });
    expect(await confirmItemFiles(f.engine, resolved, [f.diskPath])).toEqual([f.diskPath]);
  });
});
