/**
 * The main-process bundle's start-up and wiring, run under plain Node with a recording
 * stand-in for the `electron` module (support/electron-stand-in.mjs). Electron itself
 * cannot run here (its binary cannot be downloaded), so this checks our code: the order
 * of start-up calls, the window options, the app:// protocol, the IPC contract loop with
 * its sender check, native dialogs, event forwarding, tray, hide-on-close and quit.
 * The engine, the SQLite catalog and the files are real.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mainBundle } from '../../../build/bundles.mjs';
import { APP_ORIGIN, APP_SCHEME } from '../../../electron/desktop/app-origin.ts';
import { channelNames } from '../../../shared/contract/channels.ts';
import { eventNames } from '../../../shared/contract/events.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const standIn = join(import.meta.dirname, 'support', 'electron-stand-in.mjs');
const driver = join(import.meta.dirname, 'support', 'main-process-driver.mjs');

function channel(group: string, method: string): string {
  const name = channelNames.find((candidate) => candidate === `${group}.${method}`);
  if (!name) throw new Error(`contract has no ${group} ${method} channel`);
  return name;
}

let appDir = '';
let home = '';
let result: Record<string, any> = {};

beforeAll(async () => {
  // Inside the project so the bundle finds node_modules (better-sqlite3, zod).
  mkdirSync(join(root, '.tmp'), { recursive: true });
  appDir = mkdtempSync(join(root, '.tmp', 'main-process-'));
  home = makeTempDir('labvault-main-home-');
  writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: 'labvault', version: '9.9.9-stand-in', type: 'module' }));
  mkdirSync(join(appDir, 'out', 'renderer', 'assets'), { recursive: true });
  writeFileSync(join(appDir, 'out', 'renderer', 'index.html'), '<!doctype html><title>Labvault</title><script type="module" src="./assets/app.js"></script>');
  writeFileSync(join(appDir, 'out', 'renderer', 'assets', 'app.js'), 'export {};');
  const options = mainBundle(root, join(appDir, 'out'));
  delete options.packages;
  await build({
    ...options,
    logLevel: 'silent',
    sourcemap: false,
    external: ['better-sqlite3', 'zod', 'ws'],
    alias: { electron: standIn },
    // electron-log is bundled here (with the stand-in); its require() of Node builtins needs a real require in ESM.
    banner: { js: "import { createRequire as __labvaultCreateRequire } from 'node:module'; const require = __labvaultCreateRequire(import.meta.url);" },
  });
  const plan = {
    mainBundle: join(appDir, 'out', 'main', 'main.js'),
    scheme: APP_SCHEME,
    origin: APP_ORIGIN,
    info: channel('app', 'info'),
    create: channel('vaults', 'create'),
    pickFolder: channel('dialogs', 'pickFolder'),
    pickFiles: channel('dialogs', 'pickFiles'),
    vaultPath: join(home, 'vault-1'),
  };
  const run = spawnSync(process.execPath, [driver], {
    cwd: appDir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, LABVAULT_HOME: home, STAND_IN_APP_PATH: appDir, STAND_IN_PLAN: JSON.stringify(plan) },
  });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !line.startsWith('{')) throw new Error(`driver failed (exit ${run.status}):\n${run.stderr}\n${run.stdout}`);
  result = JSON.parse(line) as Record<string, any>;
});

afterAll(() => {
  if (appDir) removeDir(appDir);
  if (home) removeDir(home);
});

describe('main process bundle with a recording electron stand-in (Electron does not run here)', () => {
  it('sets name and data folder, registers the scheme and takes the lock before the app is ready', () => {
    const order = result.order as string[];
    expect(order.slice(0, 5)).toEqual(['setName:Labvault', 'setPath:userData', 'setPath:sessionData', 'registerSchemesAsPrivileged', 'requestSingleInstanceLock']);
    expect(order.indexOf('ready')).toBeGreaterThan(order.indexOf('requestSingleInstanceLock'));
    expect(order.indexOf(`protocol.handle:${APP_SCHEME}`)).toBeGreaterThan(order.indexOf('ready'));
    expect(result.paths.userData).toBe(home);
    expect(result.paths.logs).toBe(join(home, 'logs'));
    expect(result.paths.sessionData).toBe(join(home, 'chromium'));
    expect(readFileSync(join(home, 'logs', 'main.log'), 'utf8')).toContain('starting; app home');
    expect(result.schemes).toEqual([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } }]);
  });

  it('makes the window hardened, with the preload, loading app://labvault/ and guarded', () => {
    const window = result.window;
    expect(window.url).toBe(`${APP_ORIGIN}/index.html`);
    expect(window.options.webPreferences).toMatchObject({
      preload: join(appDir, 'out', 'preload', 'preload.cjs'),
      sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true,
      allowRunningInsecureContent: false, webviewTag: false, navigateOnDragDrop: false, disableBlinkFeatures: 'Auxclick',
    });
    expect(window.guards).toEqual({ 'will-navigate': 1, 'will-redirect': 1, 'will-attach-webview': 1, 'preload-error': 1, 'render-process-gone': 1 });
    expect(window.openExternal).toEqual({ action: 'deny' });
    expect(window.permissionHandlers).toEqual(['check', 'request']);
  });

  it('serves only the built renderer over app:// with the Content-Security-Policy', () => {
    const { index, route, asset, escape, missing } = result.protocol;
    expect(index).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(index.csp).toContain("script-src 'self'");
    expect(route.status).toBe(200);
    expect(route.body).toBe(index.body);
    expect(asset).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8', body: 'export {};' });
    expect(escape.status).toBe(403);
    expect(missing.status).toBe(404);
  });

  it('registers every contract channel, answers only our window, validates input, and forwards events', () => {
    const ipc = result.ipc;
    expect(ipc.channels).toEqual([...channelNames].sort());
    expect(ipc.info).toMatchObject({ ok: true, value: { face: 'electron', appHome: home } });
    expect(ipc.untrusted).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(ipc.noFrame).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(ipc.subframe).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(ipc.invalid).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'name' } });
    expect(ipc.created).toMatchObject({ ok: true, value: { name: 'lab-1' } });
    expect(result.sentEvents).toContain(eventNames.find((name) => name === 'vaultsChanged'));
  });

  it('answers the dialogs channels with native pickers, modal to the window', () => {
    expect(result.ipc.pickFolder).toEqual({ ok: true, value: { path: '/picked/folder' } });
    expect(result.ipc.pickFiles).toEqual({ ok: true, value: { paths: ['/picked/a.qcow2', '/picked/b.vmdk'] } });
    expect(result.dialogs.map((shown: { modal: boolean; options: { title: string } }) => [shown.modal, shown.options.title])).toEqual([[true, 'Where?'], [true, 'Choose files']]);
  });

  it('keeps running in the tray when the window closes, and cleans up on quit', () => {
    expect(result.tray).toEqual([{ labels: ['Open Labvault', 'separator', 'Backups: idle', 'separator', 'Quit Labvault'], toolTip: 'Labvault - Backups: idle' }]);
    expect(result.afterClose).toEqual({ destroyed: false, visible: false, notifications: ['Labvault is still running'] });
    expect(result.afterQuit).toMatchObject({ handlersLeft: 0, removed: channelNames.length, trayDestroyed: true, exits: [], errorBoxes: [] });
  });
});
