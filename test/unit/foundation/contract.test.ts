import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { channelNames, channels } from '../../../shared/contract/channels.ts';
import { createClient, type Transport } from '../../../shared/contract/client.ts';
import { dispatchChannel } from '../../../shared/contract/dispatch.ts';
import { eventNames } from '../../../shared/contract/events.ts';
import { Engine } from '../../../electron/engine/engine.ts';
import { LabvaultError } from '../../../shared/errors.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

describe('the contract', () => {
  it('names every channel "<group>.<method>" with an input and an output schema', () => {
    expect(channelNames.length).toBeGreaterThan(30);
    for (const name of channelNames) {
      expect(name).toMatch(/^[a-z][a-zA-Z]*\.[a-zA-Z]+$/);
      expect(channels[name].input).toBeDefined();
      expect(channels[name].output).toBeDefined();
    }
    expect(eventNames).toContain('jobProgress');
  });

  it('dispatch validates input before the engine sees it, and maps errors to codes', async () => {
    const root = makeTempDir();
    const engine = new Engine({ face: 'cli', appHome: join(root, 'home') });
    try {
      const unknown = await dispatchChannel(engine.handlers, ['vaults', 'explode'].join('.'), {});
      expect(unknown).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      const badType = await dispatchChannel(engine.handlers, channelNames.find((name) => name.endsWith('.create') && name.startsWith('vaults')), { name: 42, path: 'x' });
      expect(badType).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'name' } });
      const ruleBroken = await dispatchChannel(engine.handlers, channelNames.find((name) => name.endsWith('.create') && name.startsWith('vaults')), { name: '9lives', path: join(root, 'v') });
      expect(ruleBroken).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'name' } });
    } finally {
      await engine.close();
      removeDir(root);
    }
  });

  it('the typed client works over a transport and rethrows LabvaultError with its code and field', async () => {
    const root = makeTempDir();
    const engine = new Engine({ face: 'browser', appHome: join(root, 'home') });
    const transport: Transport = {
      invoke: (channel, input) => dispatchChannel(engine.handlers, channel, input),
      subscribe: (event, listener) => engine.events.onAny((name, payload) => { if (name === event) listener(payload); }),
    };
    const client = createClient(transport);
    try {
      const changes: unknown[] = [];
      const stop = client.on.vaultsChanged((payload) => changes.push(payload));
      const vault = await client.api.vaults.create({ name: 'via-client', path: join(root, 'v') });
      expect(vault.name).toBe('via-client');
      expect(changes).toEqual([{ reason: 'created' }]);
      stop();
      const error = await client.api.vaults.create({ name: 'x', path: join(root, 'w') }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(LabvaultError);
      expect((error as LabvaultError).field).toBe('name');
      const info = await client.api.app.info({});
      expect(info.face).toBe('browser');
    } finally {
      await engine.close();
      removeDir(root);
    }
  });
});
