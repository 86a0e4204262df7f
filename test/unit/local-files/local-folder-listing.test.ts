/**
 * The server-side file browser's engine module on real folders: order, types, symlinks,
 * hidden files, the bound and its "more" flag, and the typed errors (through the contract too).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { channels } from '../../../shared/contract/channels.ts';
import type { ChannelClient } from '../../../shared/contract/channels.ts';
import { createDirectClient } from '../../../shared/contract/direct-client.ts';
import { ErrorCodes } from '../../../shared/errors.ts';
import { buildHandlers } from '../../../electron/engine/handlers/build-handlers.ts';
import type { EngineServices } from '../../../electron/engine/handlers/engine-services.ts';
import { listLocalFolder } from '../../../electron/engine/local-files/local-folder-listing.ts';
import { absoluteLocalPath } from '../../../electron/engine/local-files/local-path.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

const CHILD = join(import.meta.dirname, '..', '..', 'support', 'list-folder-child.ts');
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) {
    try { chmodSync(join(dir, 'locked'), 0o755); } catch { /* not made by this test */ }
    removeDir(dir);
  }
});

function tree(): string {
  const root = makeTempDir('labvault-local-files-');
  made.push(root);
  mkdirSync(join(root, 'vms'));
  mkdirSync(join(root, 'Archive'));
  writeFileSync(join(root, 'disk10.qcow2'), Buffer.alloc(10));
  writeFileSync(join(root, 'disk2.qcow2'), Buffer.alloc(2048));
  writeFileSync(join(root, '.hidden.vbox'), 'x');
  symlinkSync(join(root, 'vms'), join(root, 'to-vms'));
  symlinkSync(join(root, 'gone.vdi'), join(root, 'dangling'));
  return root;
}

/** Only localFiles.* is called: the handlers are built without engine services. */
function client(): ChannelClient {
  return createDirectClient(buildHandlers({ face: 'cli', appHome: '/nonexistent' } as unknown as EngineServices));
}

describe('listLocalFolder', () => {
  it('lists folders first, then files by natural name order, with types, sizes and times', async () => {
    const root = tree();
    const folder = await listLocalFolder(root);
    expect(folder.path).toBe(root);
    expect(folder.entries.map((entry) => entry.name)).toEqual(['Archive', 'vms', 'dangling', 'disk2.qcow2',
      'disk10.qcow2', 'to-vms']);
    const disk = folder.entries.find((entry) => entry.name === 'disk2.qcow2');
    expect(disk).toMatchObject({ type: 'file', size: 2048, path: join(root, 'disk2.qcow2'), hidden: false });
    expect(Number.isNaN(Date.parse(disk?.mtime ?? ''))).toBe(false);
    expect(folder.entries.find((entry) => entry.name === 'vms')).toMatchObject({ type: 'folder', size: 0 });
    expect(folder).toMatchObject({ total: 6, more: false, hiddenCount: 1 });
  });

  it('shows symlinks as symlinks with their target, and dangling ones as missing', async () => {
    const root = tree();
    const { entries } = await listLocalFolder(root);
    expect(entries.find((entry) => entry.name === 'to-vms'))
      .toMatchObject({ type: 'symlink', linkTarget: join(root, 'vms'), targetType: 'folder' });
    expect(entries.find((entry) => entry.name === 'dangling'))
      .toMatchObject({ type: 'symlink', targetType: 'missing' });
  });

  it('shows hidden files only when asked', async () => {
    const root = tree();
    const folder = await listLocalFolder(root, { showHidden: true });
    expect(folder.entries.find((entry) => entry.name === '.hidden.vbox')).toMatchObject({ hidden: true, type: 'file' });
    expect(folder).toMatchObject({ total: 7, hiddenCount: 0 });
  });

  it('returns at most `limit` entries and says there are more; a scan cap bounds a huge folder', async () => {
    const root = makeTempDir('labvault-local-files-many-');
    made.push(root);
    for (let index = 0; index < 40; index += 1) writeFileSync(join(root, `f${index}`), '');
    const limited = await listLocalFolder(root, { limit: 25 });
    expect(limited.entries).toHaveLength(25);
    expect(limited).toMatchObject({ total: 40, totalExact: true, more: true });
    const capped = await listLocalFolder(root, { limit: 100, scanCap: 10 });
    expect(capped.entries).toHaveLength(10);
    expect(capped).toMatchObject({ more: true, totalExact: false, total: 10 });
  });

  it('refuses a file, a missing folder and an unreadable one with typed errors naming the path', async () => {
    const root = tree();
    await expect(listLocalFolder(join(root, 'disk2.qcow2')))
      .rejects.toMatchObject({ code: ErrorCodes.INVALID_INPUT, details: { kind: 'file' } });
    await expect(listLocalFolder(join(root, 'nope')))
      .rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND, message: expect.stringContaining(join(root, 'nope')) });
  });

  it('reports a folder it may not read as IO_ERROR "Permission denied" naming it (EACCES)', () => {
    const root = tree();
    chmodSync(root, 0o755);
    mkdirSync(join(root, 'locked'));
    chmodSync(join(root, 'locked'), 0o000);
    // Root reads a mode-000 folder anyway: list it as "nobody" then (spawn's uid option).
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const out = execFileSync(process.execPath, [CHILD, join(root, 'locked')], { ...asNobody, encoding: 'utf8' });
    expect(JSON.parse(out)).toMatchObject({
      ok: false,
      error: {
        code: ErrorCodes.IO_ERROR, details: { errno: 'EACCES' },
        message: expect.stringContaining(`Permission denied on ${join(root, 'locked')}`),
      },
    });
  });
});

describe('absoluteLocalPath', () => {
  it('takes absolute paths and ~, normalised; refuses relative and empty ones', () => {
    expect(absoluteLocalPath('/srv/vms/../vms/')).toBe('/srv/vms');
    expect(absoluteLocalPath('~/vms')).toBe(join(homedir(), 'vms'));
    expect(() => absoluteLocalPath('vms/web')).toThrow(/not a full path/);
    expect(() => absoluteLocalPath('  ')).toThrow(/Type a path/);
  });
});

describe('localFiles channels', () => {
  it('are in the contract and list through dispatch (input and output checked)', async () => {
    expect(Object.keys(channels)).toEqual(expect.arrayContaining(['localFiles.list', 'localFiles.stat']));
    const root = tree();
    const folder = await client().localFiles.list({ path: root, limit: 2 });
    expect(folder).toMatchObject({ path: root, parent: join(root, '..'), more: true });
    expect(folder.entries.map((entry) => entry.name)).toEqual(['Archive', 'vms']);
    expect((await client().localFiles.list({})).path).toBe(homedir());
  });

  it('stat tells a file from a folder; bad input is INVALID_INPUT naming the field', async () => {
    const root = tree();
    expect(await client().localFiles.stat({ path: join(root, 'vms') })).toMatchObject({ type: 'folder', name: 'vms' });
    await expect(client().localFiles.stat({ path: join(root, 'nope') }))
      .rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND });
    await expect(client().localFiles.list({ path: 'relative/dir' }))
      .rejects.toMatchObject({ code: ErrorCodes.INVALID_INPUT, field: 'path' });
    await expect(client().localFiles.list({ path: root, limit: 0 }))
      .rejects.toMatchObject({ code: ErrorCodes.INVALID_INPUT, field: 'limit' });
  });
});
