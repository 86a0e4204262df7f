import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_VAULT, useEngineFixture } from '../../support/engine-fixture.ts';
import { alertSettingsChange } from '../../../electron/engine/alerts/settings-change-alert.ts';

const makeFixture = useEngineFixture();

describe('AlertService', () => {
  it('raise: stored in the catalog and as a vault record, announced once, listed newest first', async () => {
    const f = await makeFixture();
    const { alerts, events } = f.engine;
    const heard: unknown[] = [];
    const stop = events.on('alertRaised', (payload) => heard.push(payload));
    const session = await f.session();
    const first = await alerts.raise(session, 'warning', 'Disk nearly full', 'Vault disk is 91% full.');
    f.clock.advance(60_000);
    const second = await alerts.raise(session, 'critical', 'Verification found damage', 'Chunk x is damaged.');
    stop();
    expect(first).toMatchObject({
      vaultName: FIXTURE_VAULT, severity: 'warning', acknowledged: false, createdAt: '2026-05-04T10:00:00.000Z',
    });
    expect(heard).toEqual([
      {
        id: first.id, vaultId: session.config.id, severity: 'warning', title: 'Disk nearly full',
        message: 'Vault disk is 91% full.',
      },
      expect.objectContaining({ id: second.id, severity: 'critical' }),
    ]);
    expect((await alerts.list()).map((alert) => alert.id)).toEqual([second.id, first.id]);
    expect((await alerts.list(FIXTURE_VAULT)).map((alert) => alert.id)).toEqual([second.id, first.id]);
    const record = join(f.vaultDir, 'data', 'records', 'alerts', `${first.id}.json`);
    expect(JSON.parse(readFileSync(record, 'utf8'))).toMatchObject({ id: first.id, title: 'Disk nearly full' });
  });

  it('acknowledge: hidden from the default list, kept with includeAcknowledged, in the record too', async () => {
    const f = await makeFixture();
    const session = await f.session();
    const alert = await f.engine.alerts.raise(session, 'info', 'Note', 'Something to know.');
    expect(await f.engine.alerts.acknowledge(alert.id)).toBe(true);
    expect(await f.engine.alerts.list()).toEqual([]);
    expect(await f.engine.alerts.list(undefined, true)).toEqual([{ ...alert, acknowledged: true }]);
    const record = join(f.vaultDir, 'data', 'records', 'alerts', `${alert.id}.json`);
    expect(JSON.parse(readFileSync(record, 'utf8'))).toMatchObject({ acknowledged: true });
  });

  it('acknowledge of an unknown id is false and changes nothing; list of an unknown vault is NOT_FOUND', async () => {
    const f = await makeFixture();
    const alert = await f.engine.alerts.raise(await f.session(), 'info', 'Note', 'x');
    expect(await f.engine.alerts.acknowledge('00000000-0000-4000-8000-000000000000')).toBe(false);
    expect((await f.engine.alerts.list()).map((item) => item.id)).toEqual([alert.id]);
    await expect(f.engine.alerts.list('no-such-vault')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('an encrypted vault keeps its alert records sealed (no title in the file)', async () => {
    const f = await makeFixture({ encrypted: true });
    const alert = await f.engine.alerts.raise(await f.session(), 'warning', 'Secret title', 'secret message');
    const record = join(f.vaultDir, 'data', 'records', 'alerts', `${alert.id}.json`);
    expect(existsSync(record)).toBe(true);
    expect(readFileSync(record).includes('Secret title')).toBe(false);
    expect((await f.engine.alerts.list())[0]).toMatchObject({ title: 'Secret title' });
  });

  it('alertSettingsChange: immutability changes are warnings, soft delete changes info, naming the vault', async () => {
    const f = await makeFixture();
    const session = await f.session();
    await alertSettingsChange(f.engine.alerts, session, { kind: 'immutability', from: 'disabled', to: 'enabled' });
    f.clock.advance(1000);
    await alertSettingsChange(f.engine.alerts, session, { kind: 'softDelete', from: 'on', to: 'off' });
    const [softDelete, immutability] = await f.engine.alerts.list();
    expect(immutability).toMatchObject({ severity: 'warning', title: 'Immutability enabled',
      message: `Vault "${FIXTURE_VAULT}": immutability changed from disabled to enabled.` });
    expect(softDelete).toMatchObject({ severity: 'info', title: 'Soft delete turned off' });
  });

  it('vaults.update raises the settings alert through the handler', async () => {
    const f = await makeFixture();
    await f.engine.handlers.vaults.update({ name: FIXTURE_VAULT, softDeleteEnabled: false, confirm: FIXTURE_VAULT });
    for (let attempt = 0; attempt < 50 && (await f.engine.alerts.list()).length === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await f.engine.alerts.list()).map((alert) => alert.title)).toEqual(['Soft delete turned off']);
  });
});
