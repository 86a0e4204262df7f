/**
 * The catalog-scale bench's purge step, in its own process: `prune` as the CLI calls it
 * (the engine's vaults.prune channel through the contract's direct client), on an Engine
 * whose clock is set past the vault's soft-delete period, so the points soft-deleted by the
 * bench's earlier prune are due and purged. The CLI has no clock option, so this is the
 * only way to time a purge without waiting 14 days; it runs the TypeScript sources (node's
 * type stripping), not the bundle, so its start is slower than the CLI's.
 *   node catalog-scale-purge.ts <appHome> <vault> <nowIso>
 * Prints the prune report as JSON.
 */
import { createDirectClient } from '../../shared/contract/direct-client.ts';
import { ManualClock } from '../../electron/engine/app/clock.ts';
import { Engine } from '../../electron/engine/index.ts';

const [appHome, vault, now] = process.argv.slice(2);
if (!appHome || !vault || !now) throw new Error('usage: catalog-scale-purge.ts <appHome> <vault> <nowIso>');
const engine = new Engine({ face: 'cli', appHome, clock: new ManualClock(now), env: { ...process.env, LABVAULT_HOME: appHome } });
try {
  const report = await createDirectClient(engine.handlers).vaults.prune({ vault, dryRun: false });
  process.stdout.write(`${JSON.stringify(report)}\n`);
} finally {
  await engine.close();
}
