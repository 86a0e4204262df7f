/**
 * The direct client (the CLI's way to the engine): every call goes through the contract,
 * so bad input never reaches a handler and a handler's bad output is an INTERNAL error,
 * while a handler's LabvaultError comes back with its code, field and details.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { ChannelHandlers } from '../../../shared/contract/channels.ts';
import { createDirectClient } from '../../../shared/contract/direct-client.ts';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { Engine } from '../../../electron/engine/index.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

/** Handlers for the app and vaults groups only, recording which were called. */
function recordingHandlers(calls: string[]): ChannelHandlers {
  const handlers = {
    app: {
      info: async () => {
        calls.push('info');
        return { version: 7, appHome: '/x' };
      },
    },
    vaults: {
      show: async ({ name }: { name: string }) => {
        calls.push('show');
        throw new LabvaultError(ErrorCodes.NOT_FOUND, `No vault named "${name}".`, { field: 'name', details: { known: ['a'] } });
      },
    },
  };
  return handlers as unknown as ChannelHandlers;
}

describe('createDirectClient', () => {
  it('a handler returning a shape the contract does not allow gives INTERNAL naming the channel', async () => {
    const calls: string[] = [];
    const client = createDirectClient(recordingHandlers(calls));
    const failure = await client.app.info({}).then(() => null, (error: unknown) => error);
    expect(calls).toEqual(['info']);
    expect(failure).toBeInstanceOf(LabvaultError);
    expect(failure).toMatchObject({ code: ErrorCodes.INTERNAL });
    expect((failure as Error).message).toMatch(/invalid app[.]info result/);
  });

  it('input the contract rejects never reaches the handler and names the field', async () => {
    const calls: string[] = [];
    const client = createDirectClient(recordingHandlers(calls));
    await expect(client.vaults.show({ name: 42 } as never)).rejects.toMatchObject({ code: ErrorCodes.INVALID_INPUT, field: 'name' });
    expect(calls).toEqual([]);
  });

  it('a handler error comes back as the same LabvaultError (code, message, field, details)', async () => {
    const client = createDirectClient(recordingHandlers([]));
    const failure = await client.vaults.show({ name: 'nope' }).then(() => null, (error: unknown) => error);
    expect(failure).toBeInstanceOf(LabvaultError);
    expect(failure).toMatchObject({ code: ErrorCodes.NOT_FOUND, message: 'No vault named "nope".', field: 'name', details: { known: ['a'] } });
  });

  it('over a real engine: new maintenance channels validate their input', async () => {
    const root = makeTempDir();
    const engine = new Engine({ face: 'cli', appHome: join(root, 'home') });
    try {
      const client = createDirectClient(engine.handlers);
      await expect(client.vaults.gc({ vault: '' })).rejects.toMatchObject({ code: ErrorCodes.INVALID_INPUT, field: 'vault' });
      await expect(client.vaults.gc({ vault: 'v', waitSeconds: -1 })).rejects.toMatchObject({ code: ErrorCodes.INVALID_INPUT, field: 'waitSeconds' });
      await expect(client.images.info({ path: '' })).rejects.toMatchObject({ code: ErrorCodes.INVALID_INPUT, field: 'path' });
      await expect(client.vaults.prune({ vault: 'missing' })).rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND });
      expect(await client.vaults.list({})).toEqual([]);
    } finally {
      await engine.close();
      removeDir(root);
    }
  });
});
