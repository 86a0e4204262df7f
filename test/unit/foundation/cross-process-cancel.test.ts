import { afterEach, beforeEach, expect, it } from 'vitest';
import { join } from 'node:path';
import { Engine } from '../../../electron/engine/engine.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

let root: string;
let runner: Engine;
let other: Engine;

beforeEach(() => {
  root = makeTempDir('labvault-cancel-');
  runner = new Engine({ face: 'cli', appHome: join(root, 'home') });
  other = new Engine({ face: 'cli', appHome: join(root, 'home') });
});

afterEach(async () => {
  await runner.close();
  await other.close();
  removeDir(root);
});

it('a job running in one engine (process) is cancelled from another through a cancel request', async () => {
  await runner.handlers.vaults.create({ name: 'lab', path: join(root, 'vault') });
  const session = await runner.vaults.session('lab');
  const job = runner.jobs.create(session, { operation: 'verify', itemId: null, item: null, trigger: 'on-demand', subtasks: ['Verify'] });
  const running = runner.jobs.start(session, job, async (context) => {
    context.begin('Verify');
    // Work that only ends when the job is aborted.
    await new Promise<void>((_resolve, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true }));
  });
  const cancelled = await other.handlers.jobs.cancel({ id: job.id, by: 'service' });
  expect(cancelled.status).toBe('cancelled');
  expect((await running.done).status).toBe('cancelled');
  // Who cancelled travels through the cancel request file to the process running the job.
  expect((await other.handlers.jobs.show({ id: job.id })).cancelled?.by).toBe('service');
});
