import { describe, expect, it } from 'vitest';
import { dashboardSummary } from '../../../electron/engine/dashboard/dashboard-summary.ts';
import { FIXTURE_ITEM, FIXTURE_VAULT, useEngineFixture } from '../../support/engine-fixture.ts';

const makeFixture = useEngineFixture();

const DAY_MS = 86_400_000;

describe('dashboardSummary', () => {
  it('item health follows its backups: none yet, healthy after one, warning after two days without', async () => {
    const f = await makeFixture();
    const before = await dashboardSummary(f.engine);
    expect(before.vaults).toEqual([expect.objectContaining({ name: FIXTURE_VAULT, items: 1, status: 'ok' })]);
    expect(before.items)
      .toEqual([expect.objectContaining({ name: FIXTURE_ITEM, health: 'warning', healthReason: 'No backup yet.' })]);
    expect(before.upcoming.length).toBeGreaterThan(0);
    expect(before.upcoming.every((run) => run.item === FIXTURE_ITEM)).toBe(true);

    expect((await (await f.engine.backups.start(FIXTURE_ITEM)).done).status).toBe('completed');
    const after = await dashboardSummary(f.engine);
    expect(after.items[0]).toMatchObject({ health: 'healthy', healthReason: 'Last backup succeeded.' });
    expect(after.items[0]?.storedBytes).toBeGreaterThan(0);
    expect(after.jobs).toEqual({ inProgress: 0, failed24h: 0, completed24h: 1 });

    f.clock.advance(3 * DAY_MS);
    const later = await dashboardSummary(f.engine);
    expect(later.items[0]).toMatchObject({ health: 'warning', healthReason: 'No backup in the last 2 days.' });
    expect(later.jobs.completed24h).toBe(0);
  });

  it('lists open alerts and a stopped item as a warning with no upcoming runs', async () => {
    const f = await makeFixture();
    const alert = await f.engine.alerts.raise(await f.session(), 'warning', 'Check', 'Something to check.');
    await f.engine.handlers.items.stopProtection({ item: FIXTURE_ITEM, mode: 'keep-data' });
    const summary = await dashboardSummary(f.engine);
    expect(summary.alerts.map((open) => open.id)).toEqual([alert.id]);
    expect(summary.items[0]).toMatchObject({ health: 'warning', healthReason: 'Protection stopped.' });
    expect(summary.upcoming).toEqual([]);
  });
});
